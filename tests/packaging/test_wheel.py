"""The wheel `python -m build` makes: every module, template, static file and migration, where the app looks.

The build runs without isolation (this environment's setuptools, no download), from a copy of the
checkout's sources, so that it leaves no build/ or egg-info behind and picks up nothing stale from one.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from corrections import PROJECT_ROOT, languages
from corrections.reports import feedback
from tests.conftest import unavailable
from tests.live import free_port, stop_process

# What `python -m build` reads, and the top-level folders the wheel carries inside the package.
SOURCES = ("pyproject.toml", "README.md", "corrections")
DATA_FOLDERS = ("templates", "static", "migrations")


def checkout_files(folder: str, pattern: str = "*") -> list[str]:
    """The checkout's files under `folder` (relative to it), without Python's byte-code caches."""
    root = PROJECT_ROOT / folder
    return sorted(str(p.relative_to(root)) for p in root.rglob(pattern)
                  if p.is_file() and "__pycache__" not in p.parts)


def clean_environment() -> dict[str, str]:
    """This process's environment without the developer's settings or a PYTHONPATH leading to the checkout."""
    return {name: value for name, value in os.environ.items()
            if not name.startswith("CORRECTIONS_") and name not in ("PYTHONPATH", "FLASK_APP")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    try:
        import build  # noqa: F401
    except ImportError:
        unavailable("the build package is not installed (pip install -e '.[test]')")
    source = tmp_path_factory.mktemp("source")
    for name in (*SOURCES, *DATA_FOLDERS):
        copy = shutil.copytree if (PROJECT_ROOT / name).is_dir() else shutil.copy2
        copy(PROJECT_ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    # The sdist first, then the wheel from it, as `python -m build` does: both must carry everything.
    result = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
                            capture_output=True, text=True, env=clean_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    # Setuptools warns of each folder holding package data that `packages` does not list.
    absent = [line for line in (result.stdout + result.stderr).splitlines() if "absent from the `packages`" in line]
    assert absent == [], "add them to [tool.setuptools] packages in pyproject.toml"
    (built,) = dist.glob("*.whl")
    return built


def test_wheel_holds_every_module_of_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    missing = [f"corrections/{path}" for path in checkout_files("corrections", "*.py")
               if f"corrections/{path}" not in names]

    assert missing == [], "add their packages to [tool.setuptools] packages in pyproject.toml"


def test_wheel_holds_no_byte_code_or_stray_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    expected = {f"corrections/{path}" for path in checkout_files("corrections", "*.py")}
    expected |= {f"corrections/{folder}/{path}" for folder in DATA_FOLDERS for path in checkout_files(folder)}

    expected |= {f"corrections/translations/{path}" for path in checkout_files("corrections/translations")}
    expected |= {f"corrections/schemas/{path}" for path in checkout_files("corrections/schemas")}

    stray = [name for name in names if name not in expected and ".dist-info/" not in name]

    assert stray == []


def test_wheel_holds_the_catalogs_of_every_shipped_language(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = ["corrections/translations/messages.pot",
              *(f"corrections/translations/{tag}/LC_MESSAGES/messages.mo" for tag in languages.SHIPPED
                if tag != languages.SOURCE_LANGUAGE)]

    missing = [name for name in wanted if name not in names]

    assert missing == [], "add the language's folders to [tool.setuptools] packages in pyproject.toml"


def test_wheel_holds_the_json_schemas_the_app_serves(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    assert f"corrections/schemas/{feedback.SCHEMA_NAME}" in names


def test_installed_app_finds_templates_static_files_and_migrations_inside_the_package(wheel, tmp_path):
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    probe = (
        "import json, corrections\n"
        "from corrections.reports import feedback\n"
        "app = corrections.create_app()\n"
        "print(json.dumps({'package': corrections.__file__, 'templates': app.template_folder,"
        " 'static': app.static_folder, 'migrations': str(corrections.MIGRATIONS), 'instance': app.instance_path,"
        " 'schema': str(feedback.SCHEMA_PATH), 'schema_title': feedback.schema()['title']}))\n"
    )

    result = subprocess.run([sys.executable, "-c", probe], cwd=work, capture_output=True, text=True,
                            env={**clean_environment(), "PYTHONPATH": str(site)})

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert Path(found["package"]) == site / "corrections" / "__init__.py"
    for folder in DATA_FOLDERS:
        assert Path(found[folder]) == site / "corrections" / folder
        assert checkout_files(folder) == sorted(
            str(p.relative_to(found[folder])) for p in Path(found[folder]).rglob("*") if p.is_file())
    assert Path(found["schema"]) == site / "corrections" / "schemas" / feedback.SCHEMA_NAME
    assert found["schema_title"] == feedback.schema()["title"]
    # What the installation writes (its secret key here; config and SQLite database) is in the working directory.
    assert Path(found["instance"]) == work / "instance"
    assert [p.name for p in (work / "instance").iterdir()] == ["secret_key"]


@pytest.mark.slow
def test_installed_wheel_serves_the_demo_from_an_empty_folder(wheel, tmp_path):
    """Installed in a fresh venv (this environment's dependencies, the wheel's own code), run elsewhere."""
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    site_packages = sysconfig.get_path("purelib", vars={"base": str(environment), "platbase": str(environment)})
    # The dependencies come from this environment's site-packages, on the path after the venv's own (where
    # the wheel goes); its .pth files, the editable install's among them, are not read from there.
    dependencies = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    Path(site_packages, "dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(environment / "bin" / "python"), "install",
                    "--quiet", "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True,
                   env=clean_environment())
    corrections = environment / "bin" / "corrections"
    work = tmp_path / "empty"
    work.mkdir()
    env = clean_environment()

    def run(*args):
        return subprocess.run([str(corrections), *args], cwd=work, env=env, capture_output=True, text=True)

    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = run("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "articles added" in seeded.stdout
    assert sorted(p.name for p in (work / "instance").iterdir()) == ["corrections.sqlite3", "secret_key"]

    port = free_port()
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen([str(corrections), "serve", "--port", str(port)], cwd=work, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                home = urllib.request.urlopen(base + "/", timeout=2).read().decode()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        article = home.split('href="/articles/', 1)[1].split('"', 1)[0]
        for path in (f"/articles/{article}", "/static/style.css", "/static/keys.js", "/embed.js", "/editor/login"):
            with urllib.request.urlopen(base + path, timeout=5) as response:
                assert response.status == 200, path
                assert response.read(), path
    finally:
        stop_process(server)
    written = [p.name for p in Path(site_packages).rglob("*") if p.name == "secret_key" or p.suffix == ".sqlite3"]
    assert written == []
