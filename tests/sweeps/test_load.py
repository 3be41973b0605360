"""No report lost under load, nor when the server is killed in the middle of it.

The real server (`corrections serve`, waitress) runs in a subprocess on a database of its own;
50 readers send reports at once. Afterwards the database is read directly: every report whose
reader got the confirmation redirect must be there exactly once, with its first history line.
"""

import re
import sqlite3
import time
from collections import Counter

import psycopg
import pytest

from tests.conftest import new_postgres_database
from tests.live import LiveServer
from tests.load_client import MARKER_PATTERN, SLUG, get, send_in_background, send_reports

pytestmark = pytest.mark.slow

READERS = 50
PER_READER = 10  # 500 reports: fifty at once against eight server threads is the load; more of them only took longer
SERVER_THREADS = 8
SETTINGS = {"RATELIMIT_ENABLED": "false", "SPAM_MIN_SECONDS": "0", "SECRET_KEY": "load-test-secret"}


@pytest.fixture
def fresh_postgres():
    """A PostgreSQL database of this test's own on the suite's server, dropped afterwards."""
    with new_postgres_database("corrections_load") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'load.sqlite3'}"
    return request.getfixturevalue("fresh_postgres")


def started(live: LiveServer) -> LiveServer:
    live.command("db", "upgrade")
    live.command("seed-demo")
    return live.start(threads=SERVER_THREADS)


def stored_reports(database_url: str) -> list[tuple[str, int]]:
    """(description, number of 'received' events) of every load-test report, read past the app."""
    query = ("SELECT r.description, (SELECT count(*) FROM event e WHERE e.report_id = r.id AND e.kind = 'received') "
             "FROM report r WHERE r.description LIKE 'Load test report %'")
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(query).fetchall()
    with psycopg.connect(database_url) as conn:
        return conn.execute(query).fetchall()


def stored_markers(database_url: str) -> Counter:
    rows = stored_reports(database_url)
    assert all(events == 1 for _, events in rows), "a report without exactly one 'received' event"
    return Counter(re.match(MARKER_PATTERN, description).group(1) for description, _ in rows)


def integrity(path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def assert_serves_normally(live: LiveServer) -> None:
    assert get(live.url, "/healthz")[0] == 200
    status, page = get(live.url, f"/articles/{SLUG}")
    assert status == 200 and "Report an inaccuracy" in page


def test_no_report_is_lost_under_load(database_url, tmp_path):
    live = started(LiveServer(tmp_path, database_url, **SETTINGS))
    try:
        began = time.monotonic()
        outcome = send_reports(live.url, READERS, PER_READER)
        took = time.monotonic() - began
        assert_serves_normally(live)
    finally:
        live.stop()

    stored = stored_markers(database_url)
    print(f"{database_url.split(':')[0]}: {outcome.sent} sent, {len(outcome.acknowledged)} acknowledged, "
          f"{sum(stored.values())} stored, in {took:.1f} s")
    assert outcome.sent == READERS * PER_READER
    assert not outcome.failures, outcome.failures[:5]
    assert not outcome.locked
    assert outcome.statuses == {303: READERS * PER_READER}
    assert not outcome.unanswered
    assert set(stored) == set(outcome.acknowledged)
    assert max(stored.values()) == 1
    log = live.log.read_text()
    assert "Traceback" not in log and "database is locked" not in log, log[-3000:]


def test_acknowledged_reports_survive_a_killed_server(database_url, tmp_path):
    live = started(LiveServer(tmp_path, database_url, **SETTINGS))
    try:
        outcome, stop, runner = send_in_background(live.url, READERS, PER_READER)
        deadline = time.monotonic() + 30
        while len(outcome.snapshot()) < 200 and runner.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        live.process.kill()  # SIGKILL: no clean shutdown, transactions cut off mid-way
        live.process.wait()
        killed_after = len(outcome.snapshot())
        runner.join(timeout=60)
        assert not runner.is_alive()
        assert 0 < killed_after < READERS * PER_READER, "the kill did not land in the middle of the load"

        if database_url.startswith("sqlite"):
            assert integrity(database_url.removeprefix("sqlite:///")) == "ok"
        live.start(threads=SERVER_THREADS)
        assert_serves_normally(live)
        # Every reader's status link still works.
        for path in list(outcome.acknowledged.values())[:20]:
            assert get(live.url, path)[0] == 200
        # The restarted server takes reports again.
        after = send_reports(live.url, 5, 4)
        assert after.statuses == {303: 20} and not after.failures
    finally:
        stop.set()
        live.stop()

    stored = stored_markers(database_url)
    acknowledged = set(outcome.acknowledged) | set(after.acknowledged)
    print(f"{database_url.split(':')[0]}: killed after {killed_after} acknowledgements; {outcome.sent} sent, "
          f"{len(outcome.acknowledged)} acknowledged, {len(outcome.unanswered)} unanswered, "
          f"{len(set(stored) & outcome.unanswered)} of those stored")
    assert not outcome.locked
    assert all(status == 303 for status in outcome.statuses), outcome.failures[:5]
    assert acknowledged <= set(stored)
    assert max(stored.values()) == 1
    # A report is stored only if its reader sent it; unanswered ones may or may not have been committed.
    assert set(stored) <= acknowledged | outcome.unanswered
    if database_url.startswith("sqlite"):
        assert integrity(database_url.removeprefix("sqlite:///")) == "ok"
