"""corrections: reader reports and published corrections for news publishers."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, Request
from flask.cli import FlaskGroup
from flask_login import current_user
from flask_login.utils import _user_context_processor
from werkzeug.routing import MapAdapter

from corrections import (
    auth,
    cli,
    config,
    editor,
    error_pages,
    feeds,
    languages,
    models,  # noqa: F401  (the tables Alembic compares against)
    public,
    templating,
)
from corrections.api import views as api
from corrections.config import ConfigError
from corrections.extensions import csrf, db, limiter, login_manager, migrate
from corrections.infra import ops, page_cache, presence_store, proxies, request_guard, security

PACKAGE = Path(__file__).resolve().parent
# The checkout's top level, when the app runs from one (an editable install, or PYTHONPATH).
PROJECT_ROOT = PACKAGE.parent


def folder(name: str) -> Path:
    """Where the app reads `templates`, `static` or `migrations` from, or keeps its `instance` folder.

    In a checkout: the top-level folder of that name, where the product card puts it. Installed from
    the wheel, which carries the first three inside the package: there; and the instance folder (the
    installation's configuration, secret key and SQLite database, written at run time, never inside
    site-packages) is `instance/` in the working directory, as in a checkout's top level.
    """
    if not (PACKAGE / "templates").is_dir():
        return PROJECT_ROOT / name
    if name == "instance":
        return Path.cwd() / name
    return PACKAGE / name


MIGRATIONS = folder("migrations")


class App(Flask):
    """Flask, with absolute URLs built from BASE_URL when it is set, whatever the request's Host and scheme."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        adapter = super().create_url_adapter(request)
        # Flask takes the host from SERVER_NAME (which BASE_URL sets) but the scheme from the request.
        if adapter is not None and self.config.get("BASE_URL"):
            adapter.url_scheme = self.config["PREFERRED_URL_SCHEME"]
        return adapter


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → error pages → commands.

    With no settings, configuration comes from instance/config.py and CORRECTIONS_*
    variables; tests and scripts pass a mapping instead. The instance folder is `folder("instance")`
    unless INSTANCE_PATH (in the mapping) or CORRECTIONS_INSTANCE_PATH says otherwise.
    """
    instance_path = (
        (settings or {}).get("INSTANCE_PATH")
        or os.environ.get("CORRECTIONS_INSTANCE_PATH")
        or str(folder("instance"))
    )
    app = App(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(folder("templates")),
        static_folder=str(folder("static")),
    )
    config.load(app, settings)
    ops.register(app)
    request_guard.register(app)
    security.register(app)
    register_extensions(app)
    languages.register(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_middleware(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    lazy_current_user(app)
    presence_store.install(app)


def register_middleware(app: Flask) -> None:
    """WSGI layers around Flask, innermost first."""
    page_cache.install(app)
    # It times, counts and logs every request, those the page cache answers included.
    ops.install(app)
    # Outermost: every layer and Flask see the client, scheme and host as the trusted proxies describe them.
    proxies.install(app)


def lazy_current_user(app: Flask) -> None:
    """Give templates `current_user` as a proxy read only when used.

    Flask-Login's own context processor loads the user (a session read and a database query) for
    every template, used or not; public pages for visitors without a session never need it.
    """
    app.template_context_processors[None].remove(_user_context_processor)
    app.context_processor(lambda: {"current_user": current_user})


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(public.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(editor.bp)
    # Token- and JSON-based, not cookie-based: nothing for a cross-site form to ride on.
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)


def register_errorhandlers(app: Flask) -> None:
    error_pages.register(app)


def register_template_helpers(app: Flask) -> None:
    templating.register(app)


def register_commands(app: Flask) -> None:
    cli.register(app)


def create_configured_app() -> Flask:
    """The app for the command line: a wrong setting ends the command with its message, not a traceback."""
    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


# The `corrections` console script: Flask's commands (db, routes, shell) and the project's own (cli.py).
main = FlaskGroup(create_app=create_configured_app,
                  help="Reader reports and published corrections for news publishers.")
