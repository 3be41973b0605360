"""The query planner's statistics, kept in step with the data.

Without them SQLite guesses which index to use, and with a million reports some guesses are a
thousand times too slow (a queue filter by category scanned every open report of the category
instead of the fifty groups on the page). SQLite gathers them only when told to (ANALYZE); so
`corrections serve` analyses at start and then hourly, whenever the reports have doubled (or halved)
since the last analysis, and `gen-fake` analyses after its bulk load. PostgreSQL's autovacuum keeps
its own statistics; only a bulk load is worth an explicit VACUUM ANALYZE there (`after_bulk_load`).
"""

import threading

from flask import Flask
from sqlalchemy import func, select, text

from corrections.extensions import db
from corrections.models import Report

# Tables this small are read whole whatever the plan.
SMALL = 1000
# Rows SQLite samples per index: an analysis of a million reports takes a fraction of a second.
SQLITE_ANALYSIS_LIMIT = 1000
CHECK_SECONDS = 3600


def analyze() -> None:
    """Gather fresh statistics for every table and commit."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def after_bulk_load() -> None:
    """Make the database what a running server would soon find after a bulk load: fresh statistics, and on
    PostgreSQL the dead row versions gone and the pages marked all-visible. The kept tallies and counts are
    updated once per report written, so a load of a million reports leaves several dead versions of each tally
    row; until a VACUUM, every read of a tally visits them all, and no index-only scan is possible (the
    metrics page took 340 ms of SQL instead of 84 at a million reports). Autovacuum would get there in time,
    unless it is off, as it is on CI's server."""
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        analyze()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def stale() -> bool:
    """Whether SQLite's statistics of the reports are missing or describe half or twice today's number."""
    if db.engine.dialect.name != "sqlite":
        return False
    reports = db.session.scalar(select(func.max(Report.id))) or 0
    analysed = None
    if db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
        # Each row's stat starts with the number of rows the table had when analysed.
        analysed = db.session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'report' LIMIT 1"))
    if analysed is None:
        return reports >= SMALL
    counted = int(analysed.split()[0])
    return reports >= SMALL and not counted / 2 <= reports <= counted * 2


def refresh() -> bool:
    """Analyse when the statistics are stale; returns whether it did."""
    if not stale():
        return False
    analyze()
    return True


def start_refresher(app: Flask, interval: float = CHECK_SECONDS) -> threading.Event:
    """Check (and refresh) every `interval` seconds in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            try:
                with app.app_context():
                    if refresh():
                        app.logger.info("Refreshed the query planner's statistics")
            except Exception:  # noqa: BLE001  (a locked or unreachable database is tried again later)
                app.logger.exception("Refreshing the query planner's statistics failed")

    threading.Thread(target=run, name="planner-stats", daemon=True).start()
    return stop
