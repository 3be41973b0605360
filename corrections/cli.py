"""The `corrections` command: Flask's CLI group plus the project's own commands."""

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from . import MIGRATIONS, accounts, create_app, demo
from .articles import import_lines


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256), help="Worker threads.")
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the app with waitress, after creating or upgrading the database."""
    import waitress

    upgrade(directory=str(MIGRATIONS))
    app = current_app._get_current_object()
    click.echo(f"Serving corrections on http://{host}:{port}/ with {threads} threads (Ctrl+C stops)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="corrections")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds articles.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Add the demo articles, reports and corrections written for this project."""
    if if_empty and demo.has_articles():
        click.echo("The database already holds articles; no demo content added.")
        return
    articles_added, reports_added = demo.seed()
    click.echo(f"Demo content: {articles_added} articles added, {reports_added} reports added.")


@click.command("import-articles")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_articles_command(file) -> None:
    """Import articles from a JSON Lines FILE (- for standard input), upserting by canonical_url."""
    result = import_lines(file)
    for number, message in result.errors:
        click.echo(f"{getattr(file, 'name', '-')}:{number}: {message}", err=True)
    click.echo(
        f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
        f"{len(result.errors)} bad line{'s' if len(result.errors) != 1 else ''} skipped."
    )
    if result.errors:
        sys.exit(1)


@click.command("create-editor")
@click.argument("email")
@click.option("--name", default="", help="The name shown in the dashboard and the history.")
@click.option("--admin", is_flag=True, help="Let this editor manage editors and settings.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@with_appcontext
def create_editor_command(email: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Create an editor account; asks for the password twice unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    try:
        editor = accounts.create_editor(email, password, name=name, is_admin=admin)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    role = "admin" if editor.is_admin else "editor"
    click.echo(f"Created {role} {editor.name} <{editor.email}>. Log in at /editor/login.")


COMMANDS = [serve_command, seed_demo_command, import_articles_command, create_editor_command]


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


main = FlaskGroup(create_app=create_app, help="Reader reports and published corrections for news publishers.")
