"""The project's own commands, added to Flask's CLI group by create_app (the `corrections` script: see `main`
in __init__.py)."""

import contextlib
import functools
import itertools
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, NoReturn

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from corrections import intake, transaction, vocabulary
from corrections.access import accounts, api_tokens
from corrections.articles import content
from corrections.extensions import db
from corrections.figures import tallies
from corrections.infra import backup, mail, memory, ops, planner_stats, retry_queue, webhooks
from corrections.models import RepeatSweep, utc_iso, utcnow
from corrections.repeats import checks, sweep
from corrections.reports import consent, feedback, privacy, spool
from corrections.seed import demo, fake


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256), help="Worker threads.")
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the app with waitress, after creating or upgrading the database."""
    import waitress

    app = current_app._get_current_object()
    # Else a long CSV export leaves the worker threads' heaps tens of MB bigger for good.
    memory.keep_heaps_small()
    connections = connection_limit(app.config["CONNECTION_LIMIT"])
    timeout = positive_setting("CHANNEL_TIMEOUT", app.config["CHANNEL_TIMEOUT"])
    # The migrations folder create_app gave Flask-Migrate.
    upgrade()
    # Stale planner statistics make some queue pages a thousand times slower at volume: fresh ones before
    # the first request, then a check every hour.
    planner_stats.refresh()
    planner_stats.start_refresher(app)
    if app.config.get("REQUEST_LOG") is None:
        ops.enable_request_log(app)
    interval = float(app.config.get("MAIL_SEND_INTERVAL") or 0)
    if not app.config.get("MAIL_SERVER"):
        click.echo("No MAIL_SERVER configured: e-mail to readers waits in the outbox (`corrections outbox`).")
    elif interval > 0:
        # Safe with several servers: each run claims its messages first (mail.claim_due).
        mail.start_sender(app, interval)
        click.echo(f"Sending the outbox through {app.config['MAIL_SERVER']} every {interval:g} seconds")
    webhook_interval = float(app.config.get("WEBHOOK_SEND_INTERVAL") or 0)
    if webhook_interval > 0:
        # Outgoing calls happen here, never inside a web request; claims keep several servers apart too.
        webhooks.start_sender(app, webhook_interval)
        click.echo(f"Sending webhook deliveries every {webhook_interval:g} seconds")
    spool_interval = float(app.config.get("SPOOL_FILE_INTERVAL") or 0)
    if spool_interval > 0:
        # Its first run, at once, files what a previous run of this server spooled during an outage.
        intake.start_filer(app, spool_interval)
        click.echo(f"Filing reports spooled while the database was down ({spool.folder()}) "
                   f"every {spool_interval:g} seconds")
    sweep_interval = float(app.config.get("REPEAT_SWEEP_INTERVAL") or 0)
    if sweep_interval > 0:
        # Off the request path: publishing only queues the sweep; claims keep several servers apart.
        start_sweeper(app, sweep_interval)
        click.echo(f"Sweeping the archive for the errors of new corrections every {sweep_interval:g} seconds")
    if not app.config.get("BASE_URL"):
        click.echo("No BASE_URL configured: absolute links (feeds, e-mail, webhooks) use each request's host. "
                   "Set CORRECTIONS_BASE_URL in production.")
    memory.freeze_startup_objects()
    click.echo(f"Serving corrections on http://{host}:{port}/ with {threads} threads, up to {connections} "
               f"connections, idle ones closed after {timeout} s (Ctrl+C stops)")
    waitress.serve(
        app, host=host, port=port, threads=threads, ident="corrections",
        connection_limit=connections, channel_timeout=timeout,
        # Idle connections are looked for at least as often as they may stay idle.
        cleanup_interval=max(1, min(30, timeout // 2)),
        # The app's own layer (corrections/infra/proxies.py) decides which X-Forwarded-* headers to believe, as it
        # does under any server; waitress would otherwise delete them all before the app sees them.
        clear_untrusted_proxy_headers=False,
    )


# Files a process needs besides its connections: the database pool, logs, the listening socket.
SPARE_FILES = 64


def positive_setting(name: str, value) -> int:
    # isdigit alone takes "²", which int() does not.
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise click.ClickException(f"CORRECTIONS_{name} must be a whole number from 1, not {value!r}.")
    return int(text)


def connection_limit(wanted) -> int:
    """CONNECTION_LIMIT, after raising the process's open-file limit to fit it where the system allows.

    Waitress uses one file per connection and up to three while a large body is spooled to disk. Past the
    limit it stops accepting, so a lower limit that fits is better than running out of files mid-request.
    """
    wanted = positive_setting("CONNECTION_LIMIT", wanted)
    needed = 3 * wanted + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = raised
    if soft != resource.RLIM_INFINITY and soft < needed:
        fits = max(1, (soft - SPARE_FILES) // 3)
        click.echo(f"The open-file limit ({soft}) fits {fits} connections, not {wanted}: serving at most {fits}. "
                   "Raise it (ulimit -n, LimitNOFILE=) to allow more.", err=True)
        return fits
    return wanted


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
    result = import_articles(file)
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
    password = read_new_password(password_stdin)
    try:
        editor = transaction.commit(lambda: accounts.create_editor(email, password, name=name, is_admin=admin))
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    role = "admin" if editor.is_admin else "editor"
    click.echo(f"Created {role} {editor.name} <{editor.email}>. Log in at /editor/login.")


@click.command("create-api-token")
@click.argument("name")
@with_appcontext
def create_api_token_command(name: str) -> None:
    """Create an API token named for what uses it (a CMS, a generating pipeline) and print its secret.

    Only the secret goes to standard output, on a line of its own, so a script can keep it
    (TOKEN=$(corrections create-api-token "Pipeline")); it is never shown again. Recorded as made from the
    command line; revoke it at /editor/admin/tokens."""
    try:
        token, secret = transaction.commit(lambda: api_tokens.create(name, by=None))
    except api_tokens.TokenError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    click.echo(secret)
    click.echo(f"Created the API token “{token.name}” ({token.prefix}…). Keep the secret above: it is not shown "
               "again. Send it as the header Authorization: Bearer <token>.", err=True)


def import_articles(lines: Iterable[bytes]) -> content.ImportResult:
    """content.import_lines, committed every IMPORT_BATCH lines: a long file is never one long transaction."""
    result = content.ImportResult()
    lines = iter(lines)
    start = 1
    while batch := list(itertools.islice(lines, content.IMPORT_BATCH)):
        transaction.commit(functools.partial(content.import_lines, batch, start=start, result=result))
        start += len(batch)
    return result


# The most a text to check can take in UTF-8 (four bytes a character); more is refused unread.
CHECK_BYTES_MAX = 4 * vocabulary.CHECK_TEXT_MAX


def bad_input(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def read_text(file: str) -> str:
    """The text of FILE (- for standard input) in UTF-8, or exit 2 saying why it cannot be checked."""
    name = "standard input" if file == "-" else file
    try:
        if file == "-":
            raw = sys.stdin.buffer.read(CHECK_BYTES_MAX + 1)
        else:
            with open(file, "rb") as opened:
                raw = opened.read(CHECK_BYTES_MAX + 1)
    except OSError as error:
        bad_input(f"cannot read {name}: {error.strerror or error}.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad_input(f"{name} is not UTF-8 text (byte {error.object[error.start]:#04x} at offset {error.start:,}).")
    if len(raw) > CHECK_BYTES_MAX or len(text) > vocabulary.CHECK_TEXT_MAX:
        bad_input(f"{name} is too long to check: at most {vocabulary.CHECK_TEXT_MAX:,} characters.")
    if not text.strip():
        bad_input(f"{name} is empty: there is nothing to check.")
    return text


@click.command("check-text")
@click.argument("file")
@click.option("--html", "text_format", flag_value="html", help="Read FILE as HTML.")
@click.option("--text", "text_format", flag_value="text", help="Read FILE as plain text.")
@click.option("--auto", "text_format", flag_value="auto", default=True,
              help="HTML when it has markup, else plain text (the default).")
@with_appcontext
def check_text_command(file: str, text_format: str) -> None:
    """Look for known errors (published corrections' wrong words) in FILE, plain text or HTML (- for standard
    input), before it is published.

    Prints one JSON object a line for each one found: the correction it repeats (id, kind, url, wrong_text,
    right_text), the article it was corrected in (slug, title, url), the passage (text) and where it is (start,
    end: offsets in Unicode code points into FILE as read, into its HTML for HTML), the passage put right
    (suggestion, null when the correction names no right words) and how alike it is (score, 0 to 1).
    Exits 1 when anything was found, 0 when nothing was, 2 on bad input (a file that cannot be read, is not
    UTF-8, is empty, or is longer than an article's body may be), 3 when the database did not answer."""
    text = read_text(file)
    is_html = checks.looks_like_html(text) if text_format == "auto" else text_format == "html"
    app = current_app._get_current_object()
    absolute = bool(app.config.get("BASE_URL"))
    # Without BASE_URL the site's address is not known here: the corrections' addresses are paths on it.
    try:
        with contextlib.nullcontext() if absolute else app.test_request_context():
            found = checks.check(text, is_html, absolute_urls=absolute)
    except SQLAlchemyError as error:
        # Not 1: a pipeline must not read "the database is down" as "known errors found", nor as bad input.
        click.echo(f"Error: the known errors could not be read from the database: {str(error).splitlines()[0]}",
                   err=True)
        sys.exit(3)
    for finding in found:
        click.echo(json.dumps(finding.as_json(), ensure_ascii=False))
    sys.exit(1 if found else 0)


def read_new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


@click.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@with_appcontext
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give an editor a new password (a forgotten one); logs them out everywhere."""
    editor = accounts.find_by_email(email)
    if editor is None:
        raise click.ClickException(f"No editor has the e-mail {email}.")
    password = read_new_password(password_stdin)
    try:
        transaction.commit(lambda: accounts.set_password(editor, password))
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for {editor.name} <{editor.email}>; every session they had has ended.")


def echo_message(message) -> None:
    click.echo(f"--- #{message.id} {message.status}, {message.attempts} tries, "
               f"next {message.next_attempt_at:%Y-%m-%d %H:%M} UTC"
               + (f", sent {message.sent_at:%Y-%m-%d %H:%M} UTC" if message.sent_at else ""))
    if message.last_error:
        click.echo(f"Last error: {message.last_error}")
    click.echo(f"To: {message.to_address}\nSubject: {message.subject}\n\n{message.body.rstrip()}\n")


@click.command("send-mail")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1), help="Send at most this many.")
@with_appcontext
def send_mail_command(limit: int) -> None:
    """Send the outbox messages that are due; exits 1 if a send failed.

    Without MAIL_SERVER nothing is sent and the pending messages are printed instead.
    """
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("No MAIL_SERVER configured (CORRECTIONS_MAIL_SERVER): nothing sent. Pending messages:\n")
        for message in mail.listing(limit=limit):
            echo_message(message)
        sent, failed = 0, 0
    else:
        sent, failed = mail.send_due(limit)
    click.echo(f"{sent} sent, {failed} failed, {mail.pending_count()} still pending")
    if failed:
        sys.exit(1)


@click.command("send-webhooks")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1), help="Send at most this many.")
@with_appcontext
def send_webhooks_command(limit: int) -> None:
    """Send the webhook deliveries that are due; exits 1 if a delivery failed."""
    sent, failed = webhooks.send_due(limit)
    waiting = webhooks.backlog()
    click.echo(f"{sent} sent, {failed} failed; {waiting['pending']} waiting, {waiting['failed']} failed for good")
    if failed:
        sys.exit(1)


def sweep_due(limit: int = 20) -> tuple[int, int]:
    """Run the sweeps that are due (sweep.run: the archive for a notice, or a new text for the known errors), each
    committed at once; returns (swept, failed).

    Each run first claims its sweeps (retry_queue.claim_due), so with several servers and cron a sweep runs once;
    a sweep that fails is tried again later, as an e-mail is, and one that dies leaves its claim to run out."""
    swept = failed = 0
    for row in retry_queue.claim_due(RepeatSweep, limit):
        try:
            transaction.commit(lambda row=row: sweep.run(row))
            swept += 1
        except Exception as error:  # noqa: BLE001  (one notice's failure must not stop the others)
            db.session.rollback()
            current_app.logger.exception("Sweeping the archive for notice %s failed", row.notice_id)
            retry_queue.record_failure(row, retry_queue.describe(error))
            db.session.commit()
            failed += 1
    return swept, failed


def start_sweeper(app: Flask, interval: float):
    """Run sweep_due every `interval` seconds in a background thread; set the returned event to stop it."""
    return retry_queue.start_loop(app, interval, lambda: sweep_due(), "Sweep", "repeat-sweeper", done="swept")


@click.command("sweep-repeats")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="Sweep for at most this many "
              "notices.")
@with_appcontext
def sweep_repeats_command(limit: int) -> None:
    """Sweep the archive for the errors of newly published corrections, and new texts of articles for the errors
    corrected before them (what `serve` does every few seconds): what carries one is listed for editors as "same
    error elsewhere". Exits 1 if a sweep failed."""
    started = time.perf_counter()
    swept, failed = sweep_due(limit)
    waiting = db.session.scalar(db.select(db.func.count(RepeatSweep.id)).where(RepeatSweep.status == "pending"))
    click.echo(f"{plural(swept, 'sweep')} run, {failed} failed in {time.perf_counter() - started:.1f} s; "
               f"{waiting} waiting.")
    if failed:
        sys.exit(1)


@click.command("file-spool")
@with_appcontext
def file_spool_command() -> None:
    """File the reports this server spooled while the database was down; exits 1 if some could not be filed."""
    run = intake.file_spooled()
    click.echo(f"{plural(run.filed, 'spooled report')} filed, {run.already} filed before; "
               f"{run.waiting} waiting, {run.failed} set aside in {spool.folder() / spool.FAILED}.")
    if run.database_down:
        raise click.ClickException(f"The database does not answer: {plural(run.waiting, 'report')} wait in "
                                   f"{spool.folder()}. Run this again once it does.")
    if run.failed:
        sys.exit(1)


@click.command("outbox")
@click.option("--all", "show_all", is_flag=True, help="Every message, newest first, not only the pending ones.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1), help="Show at most this many.")
@with_appcontext
def outbox_command(show_all: bool, limit: int) -> None:
    """Print the outbox (pending messages in sending order): how to read reader e-mail in development."""
    messages = mail.listing(pending_only=not show_all, limit=limit)
    for message in messages:
        echo_message(message)
    counts = mail.status_counts()
    click.echo(f"{counts['pending']} pending, {counts['held']} held until their address is confirmed, "
               f"{counts['sent']} sent, {counts['failed']} failed, {counts['cancelled']} cancelled")


def whole_days(ctx, param, value: str) -> int:
    """--older-than: a whole number of days, 0 or more, with a message that says so."""
    try:
        days = int(value.strip())
    except ValueError:
        days = -1
    if days < 0:
        raise click.BadParameter(f"needs a whole number of days, 0 or more (got {value!r}).")
    return days


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def purge_closed(older_than_days: int, now: datetime | None = None, *, dry_run: bool = False) -> privacy.Erased:
    """Erase name and e-mail from closed reports closed more than `older_than_days` days ago (privacy.purge_batch),
    committing each batch of privacy.BATCH reports. A batch in which an editor changes a report meanwhile (perhaps
    reopening it) is rolled back and read again, so that report is left alone. With dry_run nothing changes and
    the counts say what would be erased. Addresses no report holds any more are forgotten at the end."""
    now = now or utcnow()
    total, last_id, addresses = privacy.Erased(), 0, set()
    while batch := transaction.commit(functools.partial(privacy.purge_batch, older_than_days, last_id, now,
                                                        dry_run=dry_run), retry=(StaleDataError,), tries=4):
        total.add(batch.erased)
        addresses |= batch.addresses
        last_id = batch.last_id
    if not dry_run:
        transaction.commit(lambda: consent.forget_unused(addresses))
    return total


@click.command("purge-personal-data")
@click.option("--older-than", "days", required=True, metavar="DAYS", callback=whole_days,
              help="Erase from reports closed more than DAYS days ago.")
@click.option("--dry-run", is_flag=True, help="Only say what would be erased; change nothing.")
@with_appcontext
def purge_personal_data_command(days: int, dry_run: bool) -> None:
    """Erase readers' names and e-mail addresses from closed reports; the reports and their history stay."""
    done = purge_closed(days, dry_run=dry_run)
    what = (f"name and e-mail from {plural(done.reports, 'report')} closed more than {plural(days, 'day')} ago; "
            f"{plural(done.messages_cancelled, 'unsent e-mail')} cancelled, "
            f"{plural(done.messages_blanked, 'sent or failed e-mail')} blanked in the outbox.")
    click.echo(f"Dry run: would erase {what} Nothing was changed." if dry_run else f"Erased {what}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the SQLite database to the new file PATH, safely while serving; for PostgreSQL, print how to use pg_dump."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        click.echo(backup.postgres_instructions(url, str(path)), nl=False)
        return
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(f"Cannot back up a {url.get_backend_name()} database at {url.database!r}: "
                                   "use that database's own backup tool.")
    try:
        done = backup.backup_sqlite(Path(url.database), path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    reports = "" if done.reports is None else f", {plural(done.reports, 'report')}"
    click.echo(f"Backed up {url.database} to {done.path} ({done.size / 1e6:.1f} MB{reports}; integrity check ok). "
               f"To restore, stop the app and use this file as the database.")


# More than enough for a bench (each error adds 1 + 6 articles), few enough to refuse a typo.
PLANT_ERRORS_MAX = 10_000


@click.command("gen-fake")
@click.option("--articles", required=True, type=click.IntRange(1, 10_000_000), metavar="N",
              help="How many articles to make (1 or more).")
@click.option("--reports", required=True, type=click.IntRange(0, 100_000_000), metavar="M",
              help="How many reports to spread over them (0 or more).")
@click.option("--seed", default=1, show_default=True, type=int, metavar="S",
              help="The same seed on the same day makes the same data.")
@click.option("--append", is_flag=True, help="Add to a database that already holds articles.")
@click.option("--no-desks", is_flag=True, help="Set up no desks: reports go to the desks the database routes to.")
@click.option("--no-clocks", is_flag=True, help="Set no clock targets: reports get the deadlines already set.")
@click.option("--plant-errors", default=0, type=click.IntRange(0, PLANT_ERRORS_MAX), metavar="N",
              help=f"Also plant N errors (0 to {PLANT_ERRORS_MAX:,}), each corrected in one article and carried by "
                   f"others: verbatim, reworded, and in its right version.")
@click.option("--plant-errors-truth", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write where each planted error went as JSON, for bench/repeats.py to score by.")
@with_appcontext
def gen_fake_command(articles: int, reports: int, seed: int, append: bool, no_desks: bool, no_clocks: bool,
                     plant_errors: int, plant_errors_truth: Path | None) -> None:
    """Fill the database with realistic fake articles, reports, events and corrections, for load tests.

    Unless told otherwise, first sets up the fake newsroom's desks, routed to most sections, and clock targets, as
    an admin would (a database that has some keeps its own). With --plant-errors, also the errors a bench measures
    the search for repeated errors with: each in an article a reader reports it in and an editor corrects it
    (the correction names the wrong and right words), and in other articles as they are listed."""
    if plant_errors_truth is not None and not plant_errors:
        raise click.UsageError("--plant-errors-truth needs --plant-errors N, with N 1 or more.")
    if plant_errors_truth is not None and not plant_errors_truth.absolute().parent.is_dir():
        raise click.BadParameter(f"the folder of {plant_errors_truth} does not exist.",
                                 param_hint="'--plant-errors-truth'")
    if not append and demo.has_articles():
        raise click.ClickException("The database already holds articles: gen-fake fills an empty database, so "
                                   "fake reports never mix with real ones unnoticed. Use --append to add anyway.")
    started = time.perf_counter()
    shown = [0]

    def progress(done: int) -> None:
        # Every tenth of a long run, so a million reports do not look stuck.
        if reports >= 100_000 and done * 10 // reports > shown[0]:
            shown[0] = done * 10 // reports
            click.echo(f"  {done:,} reports after {time.perf_counter() - started:.0f} s", err=True)

    made = fake.generate(articles, reports, seed, progress=progress, with_desks=not no_desks,
                         with_clocks=not no_clocks, plant_errors=plant_errors)
    # A bulk load leaves the planner's statistics far behind the data, and on PostgreSQL dead row versions behind.
    planner_stats.after_bulk_load()
    elapsed = time.perf_counter() - started
    statuses = ", ".join(f"{count:,} {status}" for status, count in made.statuses.items())
    click.echo(f"Made {made.articles:,} articles, {made.reports:,} reports ({statuses}), {made.events:,} events, "
               f"{made.notices:,} corrections, {made.revisions:,} article updates and {made.editors} new editors in "
               f"{elapsed:.1f} s (seed {seed}).")
    if made.planted:
        _echo_planted(made.planted, plant_errors_truth, seed)


def _echo_planted(planted: list[fake.Planted], truth: Path | None, seed: int) -> None:
    """What gen-fake planted, a line per error, and the same as JSON in `truth` if asked."""
    carriers = sum(len(error.articles) for error in planted)
    click.echo(f"Planted {plural(len(planted), 'error')} in {plural(len(planted) + carriers, 'article')} (included "
               f"above), each corrected in one article and carried by others:")
    for error in planted:
        kinds: dict[str, list[str]] = {kind: [] for kind, _ in fake.SIBLINGS}
        for article_id, _, kind, _ in error.articles:
            kinds[kind].append(str(article_id))
        where = "; ".join(f"{kind.replace('_', ' ')} in {', '.join(ids)}" for kind, ids in kinds.items() if ids)
        click.echo(f"  correction {error.notice_id} on article {error.article_id}: “{error.wrong_text}” → "
                   f"“{error.right_text}”; {where}")
    if truth is not None:
        document = {"format": "corrections gen-fake planted errors", "version": 1, "seed": seed,
                    "errors": [error.as_json() for error in planted]}
        try:
            truth.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        except OSError as error:
            raise click.ClickException(f"Could not write {truth}: {error.strerror}.") from None
        click.echo(f"Wrote where each error went to {truth}.")


@click.command("rebuild-figures")
@with_appcontext
def rebuild_figures_command() -> None:
    """Count every report again into the figures the metrics read (kept as reports change by the database's
    triggers): after restoring reports by hand, say, or to check nothing drifted."""
    started = time.perf_counter()
    transaction.commit(tallies.rebuild)
    tallies.fold(at_least=0)
    click.echo(f"Counted {plural(tallies.reports_counted(), 'report')} into the figures in "
               f"{time.perf_counter() - started:.1f} s.")


def since_option(ctx, param, value: str | None) -> datetime | None:
    """--since: the moment a date or date-time names (feedback.parse_since), with a message that says what to give."""
    if value is None:
        return None
    since = feedback.parse_since(value.strip())
    if since is None:
        raise click.BadParameter(f"needs {feedback.SINCE_EXAMPLES} (got {value!r}).")
    return since


@contextlib.contextmanager
def replaced_in_one_step(path: Path) -> Iterator[BinaryIO]:
    """A new file written beside `path` and renamed onto it when the block ends: `path` is never left half written;
    an error leaves it as it was and removes the new file. Exits 2 when its folder cannot be written (bad_input)."""
    try:
        file = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    except OSError as error:
        bad_input(f"Cannot write {path}: {error.strerror or error}.")
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(file.name, path)
    except BaseException:
        Path(file.name).unlink(missing_ok=True)
        raise


@click.command("export-feedback")
@click.option("--since", metavar="DATE", callback=since_option,
              help="Only reports decided at this moment or later: a date (UTC) or a date-time with its offset.")
@click.option("--output", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (replaced once complete) instead of standard output.")
@with_appcontext
def export_feedback_command(since: datetime | None, output: Path | None) -> None:
    """Write one JSON record a line for each decided report (accepted, corrected; rejected ones as negatives), for
    the system that generated the articles. The format: the JSON Schema corrections/schemas/feedback-record.v1.json.
    Decisions still open to undo (a few seconds old) are left for the next export."""
    until = feedback.settled_before()
    written = 0
    with (replaced_in_one_step(output) if output else contextlib.nullcontext(sys.stdout.buffer)) as out:
        for records in feedback.pages(since=since, until=until):
            out.write(b"".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                               for record in records))
            written += len(records)
            # Ends the page's read (nothing was changed): a long export holds no transaction open on the database.
            db.session.rollback()
    click.echo(f"Exported {plural(written, 'record')} decided up to {utc_iso(until)}"
               f"{' to ' + str(output) if output else ''}.", err=True)


COMMANDS = [serve_command, seed_demo_command, import_articles_command, create_editor_command, set_password_command,
            create_api_token_command, send_mail_command,
            send_webhooks_command, file_spool_command, outbox_command, purge_personal_data_command, backup_command,
            gen_fake_command, rebuild_figures_command, check_text_command, export_feedback_command,
            sweep_repeats_command]


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
