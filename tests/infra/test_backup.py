"""`corrections backup PATH`: a consistent copy of a live SQLite database; for PostgreSQL, the pg_dump to run."""

import re
import shlex
import shutil
import sqlite3
import subprocess
import time

import pytest

from corrections import create_app
from tests import conftest
from tests.live import LiveServer
from tests.load_client import MARKER_PATTERN, Reader, send_in_background

SETTINGS = {"RATELIMIT_ENABLED": "false", "SPAM_MIN_SECONDS": "0", "SECRET_KEY": "backup-test-secret"}


def run_backup(database_url: str, tmp_path, *args: str):
    app = create_app(conftest.test_settings(database_url, tmp_path / "instance"))
    return app.test_cli_runner().invoke(args=["backup", *args])


def markers_in(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT description FROM report WHERE description LIKE 'Load test report %'").fetchall()
    return [re.match(MARKER_PATTERN, description).group(1) for description, in rows]


def pragma(path, name: str) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    path = tmp_path / "live.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def test_backup_copies_the_sqlite_database_into_one_checked_file(sqlite_url, tmp_path):
    target = tmp_path / "copy.sqlite3"
    result = run_backup(sqlite_url, tmp_path, str(target))
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.output and "0 reports" in result.output and "integrity check ok" in result.output
    assert pragma(target, "integrity_check") == "ok"
    assert pragma(target, "journal_mode") == "delete"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("copy", ".copy"))) == ["copy.sqlite3"]


def test_backup_never_overwrites_a_file(sqlite_url, tmp_path):
    target = tmp_path / "yesterday.sqlite3"
    target.write_bytes(b"yesterday's backup")
    result = run_backup(sqlite_url, tmp_path, str(target))
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert target.read_bytes() == b"yesterday's backup"


def test_backup_refuses_to_write_over_the_live_database(sqlite_url, tmp_path):
    live = tmp_path / "live.sqlite3"
    before = live.read_bytes()
    result = run_backup(sqlite_url, tmp_path, str(live))
    assert result.exit_code == 1
    assert "is the live database itself" in result.output
    assert live.read_bytes() == before


def test_backup_into_a_missing_folder_says_so(sqlite_url, tmp_path):
    result = run_backup(sqlite_url, tmp_path, str(tmp_path / "nowhere" / "copy.sqlite3"))
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_backup_of_a_missing_sqlite_database_creates_nothing(tmp_path):
    result = run_backup(f"sqlite:///{tmp_path / 'absent.sqlite3'}", tmp_path, str(tmp_path / "copy.sqlite3"))
    assert result.exit_code == 1
    assert "There is no SQLite database" in result.output
    assert not (tmp_path / "absent.sqlite3").exists() and not (tmp_path / "copy.sqlite3").exists()


def test_postgresql_backup_prints_the_pg_dump_command_without_the_password(tmp_path):
    target = tmp_path / "news.dump"
    result = run_backup("postgres://corr:s3cret@db.example.org:5433/news?sslmode=require", tmp_path, str(target))
    assert result.exit_code == 0, result.output
    assert "nothing was copied" in result.output
    assert f"pg_dump --format=custom --file={target} " \
           "'postgresql://corr@db.example.org:5433/news?sslmode=require'" in result.output
    assert "pg_restore" in result.output
    assert "s3cret" not in result.output
    assert not target.exists()


def test_the_printed_pg_dump_command_makes_a_backup(postgres_url, tmp_path):
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    target = tmp_path / "news.dump"
    result = run_backup(postgres_url, tmp_path, str(target))
    assert result.exit_code == 0, result.output
    command = next(line.strip() for line in result.output.splitlines() if line.strip().startswith("pg_dump "))
    subprocess.run(shlex.split(command), check=True, capture_output=True, timeout=60)
    assert target.read_bytes().startswith(b"PGDMP")


@pytest.mark.slow
def test_backup_taken_during_writes_restores_every_acknowledged_report(tmp_path):
    live = LiveServer(tmp_path / "live", **SETTINGS)
    live.folder.mkdir()
    live.command("db", "upgrade")
    live.command("seed-demo")
    live.start(threads=8)
    target = tmp_path / "backup.sqlite3"
    try:
        outcome, stop, runner = send_in_background(live.url, 20, 40)
        deadline = time.monotonic() + 30
        while len(outcome.snapshot()) < 150 and time.monotonic() < deadline:
            time.sleep(0.02)
        before = outcome.snapshot()
        done = live.command("backup", str(target))
        during = len(outcome.snapshot()) - len(before)
        stop.set()
        runner.join(timeout=60)
    finally:
        live.stop()
    assert during > 0, "no report was acknowledged while the backup ran"
    assert not outcome.failures, outcome.failures[:5]
    assert "Backed up" in done.stdout and "integrity check ok" in done.stdout

    assert pragma(target, "integrity_check") == "ok"
    in_backup = markers_in(target)
    assert len(in_backup) == len(set(in_backup))
    assert set(before) <= set(in_backup)
    assert set(in_backup) <= set(outcome.acknowledged) | outcome.unanswered
    print(f"backup: {len(before)} acknowledged before it started, {during} while it ran, "
          f"{len(in_backup)} in the copy, {len(outcome.acknowledged)} acknowledged in all")

    # Restoring: the backup file becomes the database of a new server, which knows every reader's link.
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copyfile(target, restored / "live.sqlite3")
    server = LiveServer(restored, **SETTINGS).start()
    reader = Reader(server.url)
    try:
        assert reader.request("GET", "/healthz")[0] == 200
        answered = [reader.request("GET", path)[0] for path in before.values()]
    finally:
        reader.close()
        server.stop()
    assert answered == [200] * len(before)
    assert len(markers_in(restored / "live.sqlite3")) == len(in_backup)
