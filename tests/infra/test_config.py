"""Configuration: defaults, instance/config.py, CORRECTIONS_* variables, the secret key, /healthz."""

import os
import stat

import click
import pytest
from flask_wtf.csrf import generate_csrf

from corrections import PROJECT_ROOT, cli, create_app
from corrections.config import ConfigError
from corrections.extensions import db


@pytest.fixture
def no_config(monkeypatch, tmp_path):
    """No CORRECTIONS_* variables from the developer's shell, and an instance folder of our own.

    The project's instance/ folder is left exactly as it was.
    """
    for name in [n for n in os.environ if n.startswith("CORRECTIONS_")]:
        monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv("CORRECTIONS_INSTANCE_PATH", str(instance))
    project_instance = sorted(p.name for p in (PROJECT_ROOT / "instance").iterdir())
    yield instance
    assert sorted(p.name for p in (PROJECT_ROOT / "instance").iterdir()) == project_instance


def write_config(instance, text: str) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(text)


def engine_url(app):
    with app.app_context():
        return db.engine.url


# --- The secret key --------------------------------------------------------------------------


def test_missing_secret_key_is_created_in_the_instance_folder_for_the_owner_only(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) == 64


def test_secret_key_is_reused_by_every_later_app(tmp_path):
    settings = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    first, second = create_app(settings), create_app(settings)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").read_text().strip() == first.config["SECRET_KEY"]


def test_each_installation_gets_its_own_secret_key(tmp_path):
    keys = {
        create_app({"INSTANCE_PATH": str(tmp_path / name), "DATABASE_URL": "sqlite://"}).config["SECRET_KEY"]
        for name in ("one", "two")
    }
    assert len(keys) == 2


def test_given_secret_key_writes_no_key_file(tmp_path):
    create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://", "SECRET_KEY": "given"})
    assert not (tmp_path / "secret_key").exists()


def test_all_digit_secret_key_from_the_environment_still_signs_forms(no_config, monkeypatch):
    monkeypatch.setenv("CORRECTIONS_SECRET_KEY", "80415926535897932384")
    monkeypatch.setenv("CORRECTIONS_DATABASE_URL", "sqlite://")
    app = create_app()
    with app.test_request_context():
        assert generate_csrf()


# --- Where settings come from ----------------------------------------------------------------


def test_with_no_configuration_sqlite_and_the_secret_key_live_in_the_instance_folder(no_config):
    app = create_app()
    assert engine_url(app).database == str(no_config / "corrections.sqlite3")
    assert (no_config / "secret_key").read_text().strip() == app.config["SECRET_KEY"]


def test_defaults_apply_without_configuration(no_config):
    app = create_app()
    assert app.config["RATELIMIT_ENABLED"] is True
    assert app.config["RATELIMIT_STORAGE_URL"] == "memory://"
    assert app.config["PUBLIC_REVISIONS"] is True
    assert app.config["SILENT_EDIT_GRACE_MINUTES"] == 60
    assert app.config["TRUSTED_PROXIES"] == 0


def test_instance_config_file_overrides_the_defaults(no_config):
    write_config(no_config, 'SITE_NAME = "Harbourford Herald"\nARTICLES_PER_PAGE = 5\n')
    app = create_app()
    assert app.config["SITE_NAME"] == "Harbourford Herald"
    assert app.config["ARTICLES_PER_PAGE"] == 5


def test_environment_overrides_the_instance_config_file(no_config, monkeypatch):
    write_config(no_config, 'SITE_NAME = "Harbourford Herald"\nARTICLES_PER_PAGE = 5\n')
    monkeypatch.setenv("CORRECTIONS_SITE_NAME", "Saltmarsh Gazette")
    app = create_app()
    assert app.config["SITE_NAME"] == "Saltmarsh Gazette"
    assert app.config["ARTICLES_PER_PAGE"] == 5


def test_environment_values_are_read_as_json_when_they_parse(no_config, monkeypatch):
    monkeypatch.setenv("CORRECTIONS_SPAM_MIN_SECONDS", "0")
    monkeypatch.setenv("CORRECTIONS_PUBLIC_REVISIONS", "false")
    monkeypatch.setenv("CORRECTIONS_MAIL_SERVER", "smtp.example.org")
    app = create_app()
    assert app.config["SPAM_MIN_SECONDS"] == 0
    assert app.config["PUBLIC_REVISIONS"] is False
    assert app.config["MAIL_SERVER"] == "smtp.example.org"


def test_rate_limits_can_be_turned_off_from_the_environment(no_config, monkeypatch):
    monkeypatch.setenv("CORRECTIONS_RATELIMIT_ENABLED", "false")
    assert create_app().config["RATELIMIT_ENABLED"] is False


def test_private_webhook_addresses_are_allowed_only_by_true_and_a_wrong_value_is_refused(no_config, monkeypatch):
    assert create_app().config["WEBHOOK_ALLOW_PRIVATE"] is False
    monkeypatch.setenv("CORRECTIONS_WEBHOOK_ALLOW_PRIVATE", "true")
    assert create_app().config["WEBHOOK_ALLOW_PRIVATE"] is True
    for wrong in ("no", "off", "1"):
        monkeypatch.setenv("CORRECTIONS_WEBHOOK_ALLOW_PRIVATE", wrong)
        with pytest.raises(ConfigError, match="CORRECTIONS_WEBHOOK_ALLOW_PRIVATE must be true or false, not"):
            create_app()


def test_settings_mapping_ignores_the_environment(no_config, monkeypatch, tmp_path):
    monkeypatch.setenv("CORRECTIONS_SITE_NAME", "From the environment")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    assert app.config["SITE_NAME"] == "Newsroom"


@pytest.mark.parametrize("url", [
    "postgres://news:secret@db.example.org:5432/news",
    "postgresql://news:secret@db.example.org:5432/news",
])
def test_postgres_url_from_a_hosting_platform_uses_psycopg_3(no_config, monkeypatch, url):
    monkeypatch.setenv("CORRECTIONS_DATABASE_URL", url)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://news:secret@db.example.org:5432/news"
    assert engine_url(app).drivername == "postgresql+psycopg"
    assert not (no_config / "corrections.sqlite3").exists()


def test_database_url_from_the_environment_is_used(no_config, monkeypatch):
    monkeypatch.setenv("CORRECTIONS_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite3")
    assert engine_url(create_app()).database == "/tmp/elsewhere.sqlite3"


@pytest.mark.parametrize("value", ["0", "-5", "ten", "²", "1.5", True])
def test_serve_refuses_a_connection_setting_that_is_not_a_whole_number_from_1(value):
    with pytest.raises(click.ClickException, match="CORRECTIONS_CONNECTION_LIMIT must be a whole number from 1"):
        cli.positive_setting("CONNECTION_LIMIT", value)


# --- /healthz --------------------------------------------------------------------------------


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_fails_when_the_database_does_not_answer(tmp_path):
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{missing}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
