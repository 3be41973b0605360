"""A reader's report coming in, on the delivery side: filed and committed at once or, while the database cannot
be reached, kept in this server's spool (reports/spool.py) and filed later, each committed before its file is
removed. The reader's form (public.py), the API and the commands (cli.py) share it."""

import threading
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from corrections import transaction
from corrections.articles import content as articles
from corrections.infra import outage, retry_queue
from corrections.models import Article
from corrections.reports import filing, spool, tokens


def find_article(slug: str) -> tuple[Article | None, bool]:
    """The article a report is sent about, and whether the database is down (then None: the report can still
    be spooled, and its article is found when it is filed)."""
    try:
        return articles.get_by_slug(slug), False
    except SQLAlchemyError as error:
        if not outage.is_unavailable(error):
            raise
        outage.forget_transaction()
        return None, True


def submit_or_spool(article: Article | None, slug: str, data: filing.ReportInput, *, client: str,
                    spam_reason: str = "") -> filing.FiledReport:
    """File the report now and commit or, while the database cannot be reached, spool it to be filed later.

    `article` is None when even finding it failed for the outage. The spooled copy carries the receipt of
    the attempt, so a commit that landed although its answer was lost is not filed twice.
    """
    receipt = tokens.new_receipt()
    if article is not None:
        try:
            return transaction.commit(lambda: filing.submit_report(article, data, client=client,
                                                                   spam_reason=spam_reason, receipt=receipt))
        except SQLAlchemyError as error:
            if not outage.is_unavailable(error):
                raise
            outage.forget_transaction()
    return spool.spool_report(slug, data, client=client, spam_reason=spam_reason, receipt=receipt)


def file_spooled() -> spool.FilingRun:
    """File the spooled reports, oldest first, each committed before its file is removed.

    Stops at the first sign that the database still does not answer; the rest wait for the next run. A file
    whose filing fails otherwise is set aside, so it cannot hold back the ones after it.
    """
    run = spool.FilingRun()
    paths = spool.waiting()
    for index, path in enumerate(paths):
        try:
            outcome = file_one(path)
        except SQLAlchemyError as error:
            outage.forget_transaction()
            if outage.is_unavailable(error):
                run.database_down = True
                run.waiting = len(paths) - index
                break
            spool.set_aside(path, f"filing failed: {retry_queue.describe(error)}")
            outcome = "failed"
        except Exception as error:  # noqa: BLE001 - one file that breaks filing must not hold back all later ones
            outage.forget_transaction()
            current_app.logger.exception("Filing spooled report %s failed", path.name)
            spool.set_aside(path, f"filing failed: {retry_queue.describe(error)}")
            outcome = "failed"
        if outcome == "filed":
            run.filed += 1
        elif outcome == "already":
            run.already += 1
        elif outcome == "failed":
            run.failed += 1
    spool.remove_abandoned_drafts()
    return run


def file_one(path: Path) -> str:
    """File one spooled report: "filed", "already" (filed before), "failed" (set aside) or "gone" (filed by another
    process meanwhile)."""
    try:
        spooled = spool.read(path)
    except FileNotFoundError:
        return "gone"
    except (ValueError, TypeError, KeyError) as error:
        spool.set_aside(path, f"unreadable: {retry_queue.describe(error)}")
        return "failed"
    article = articles.get_by_slug(spooled.slug)
    if article is None:
        spool.set_aside(path, f"no article has the slug {spooled.slug!r}")
        return "failed"
    filed = transaction.commit(lambda: filing.submit_report(article, spooled.data, client=spooled.client,
                                                            spam_reason=spooled.spam_reason,
                                                            receipt=spooled.receipt))
    # Not fsync'd: should the removal be lost in a crash, filing the file again stores nothing.
    path.unlink(missing_ok=True)
    return "already" if filed.already_filed else "filed"


def start_filer(app: Flask, interval: float) -> threading.Event:
    """File the spool every `interval` seconds in a background thread; set the returned event to stop it."""
    down = False

    def run() -> tuple[int, int]:
        nonlocal down
        done = file_spooled()
        if done.database_down and not down:
            app.logger.warning("The database does not answer: %d spooled reports wait in %s", done.waiting,
                               spool.folder())
        down = done.database_down
        return done.filed, done.failed

    return retry_queue.start_loop(app, interval, run, "Spool", "spool-filer", done="filed")
