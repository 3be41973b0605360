"""No report lost to a database outage: two real servers (`corrections serve`) on one PostgreSQL, whose
connection is cut for 20 seconds while readers send reports to both.

PostgreSQL itself is shared with other tests and people, so it keeps running: a TCP proxy in this test
(tests/tcp_proxy.py) stands between the servers and it, and the cut closes every connection and refuses
new ones. Every submission must be acknowledged with a status link, every one must be in the database
once afterwards, and the status pages must say "being filed" during the cut (on the server that did not
take the report) and the report's real status after.
"""

import re
import secrets
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import psycopg
import pytest

from tests.conftest import new_postgres_database
from tests.helpers import form_tokens
from tests.live import LiveServer
from tests.load_client import PASSAGE, SLUG, Reader
from tests.tcp_proxy import CuttableProxy

pytestmark = pytest.mark.slow

READERS = 6
SEND_EVERY = 0.5  # seconds between one reader's reports: 12 a second over both servers
BEFORE_CUT = 3.0
CUT = 20.0
AFTER_CUT = 2.0
BEING_FILED = "Status: Received, being filed"
DESCRIPTION = "Outage test report {marker}: the grant figure in this sentence is wrong."


@dataclass
class Sent:
    marker: str
    server: int  # which of the two servers took it
    at: float  # seconds since the load began
    status: int = 0
    link: str = ""


@dataclass
class Load:
    sent: list[Sent] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def reader_loop(number: int, servers: list[LiveServer], load: Load, began: float, stop: threading.Event) -> None:
    """One browser: the form opened before the cut, then a report every SEND_EVERY seconds, to each server in turn."""
    cookies: dict[str, str] = {}
    readers = [Reader(server.url) for server in servers]
    for reader in readers:
        reader.cookies = cookies  # one site, one cookie jar
    try:
        status, _, page = readers[0].request("GET", f"/articles/{SLUG}/report")
        assert status == 200
        tokens = form_tokens(page)
        turn = number
        while not stop.wait(SEND_EVERY):
            turn += 1
            sent = Sent(f"O{number}-{uuid.uuid4().hex[:12]}", turn % 2, time.monotonic() - began)
            form = {**tokens, "category": "factual", "passage": PASSAGE,
                    "description": DESCRIPTION.format(marker=sent.marker)}
            try:
                sent.status, headers, body = readers[sent.server].request("POST", f"/articles/{SLUG}/report", form)
            except OSError as error:
                body, headers = repr(error), {}
            sent.link = headers.get("Location", "") if sent.status == 303 else ""
            with load.lock:
                load.sent.append(sent)
                if not sent.link.startswith("/reports/"):
                    load.failures.append(f"{sent.marker} at {sent.at:.1f} s: {sent.status} {body[:200]!r}")
    finally:
        for reader in readers:
            reader.close()


def page(server: LiveServer, path: str) -> tuple[int, str]:
    reader = Reader(server.url)
    try:
        status, _, body = reader.request("GET", path)
    finally:
        reader.close()
    return status, body


def stored(database_url: str) -> list[tuple[str, int]]:
    """(marker, 'received' events) of every outage-test report, read past the app."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT r.description, (SELECT count(*) FROM event e WHERE e.report_id = r.id AND e.kind = 'received') "
            "FROM report r WHERE r.description LIKE 'Outage test report %'").fetchall()
    return [(re.match(r"Outage test report (\S+):", description).group(1), events) for description, events in rows]


@pytest.fixture
def database():
    with new_postgres_database("corrections_outage") as url:
        yield url


def test_no_report_is_lost_while_the_database_connection_is_cut_for_20_seconds(database, tmp_path):
    proxy = CuttableProxy(database)
    settings = {"SECRET_KEY": secrets.token_hex(32), "RATELIMIT_ENABLED": "false", "SPAM_MIN_SECONDS": "0",
                "SPOOL_FILE_INTERVAL": "1", "MAIL_SEND_INTERVAL": "0", "WEBHOOK_SEND_INTERVAL": "0"}
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(LiveServer(tmp_path / name, proxy.url, **settings))
    load, stop = Load(), threading.Event()
    try:
        servers[0].start(threads=8)  # upgrades the database
        other = threading.Thread(target=servers[1].start, kwargs={"threads": 8})
        other.start()
        servers[0].command("seed-demo")
        other.join()
        for server in servers:
            assert page(server, f"/articles/{SLUG}")[0] == 200  # in each server's page cache now
        began = time.monotonic()
        threads = [threading.Thread(target=reader_loop, args=(n, servers, load, began, stop), daemon=True)
                   for n in range(READERS)]
        for thread in threads:
            thread.start()
        time.sleep(BEFORE_CUT)

        proxy.cut()
        cut_at = time.monotonic() - began
        time.sleep(CUT / 2)
        # Halfway through: the cached article is served stale, the rest says 503, and every report sent since
        # the cut is "being filed", also on the server that did not take it.
        for server in servers:
            assert page(server, f"/articles/{SLUG}")[0] == 200
            assert page(server, "/healthz")[0] == 503
            assert page(server, "/corrections")[0] == 503
        with load.lock:
            during = [s for s in load.sent if s.at > cut_at + 0.5 and s.link]
        assert len(during) > 20
        for sent in during[:: max(1, len(during) // 20)]:
            status, body = page(servers[1 - sent.server], sent.link)
            assert status == 200 and BEING_FILED in body, (sent, body[:500])
        time.sleep(max(0.0, cut_at + CUT - (time.monotonic() - began)))

        proxy.restore()
        time.sleep(AFTER_CUT)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

        sent_markers = {s.marker for s in load.sent}
        acknowledged = {s.marker for s in load.sent if s.link.startswith("/reports/")}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rows = stored(database)
            if {marker for marker, _ in rows} >= acknowledged:
                break
            time.sleep(0.5)
        counts = Counter(marker for marker, _ in rows)
        duplicates = sum(n - 1 for n in counts.values())
        print(f"\n20 s cut: {len(sent_markers)} sent, {len(acknowledged)} acknowledged, {len(counts)} stored, "
              f"{duplicates} duplicates; {len(during)} sent during the cut (first half)")
        assert not load.failures, load.failures[:5]
        assert acknowledged == sent_markers
        assert set(counts) == acknowledged, f"missing: {sorted(acknowledged - set(counts))[:5]}"
        assert duplicates == 0
        assert all(events == 1 for _, events in rows)
        # After: the real status, whichever server answers; every spool is empty.
        for sent in during[:: max(1, len(during) // 10)]:
            status, body = page(servers[sent.server], sent.link)
            assert status == 200 and "Status: Received" in body and BEING_FILED not in body
            assert sent.marker in body
        assert all(not list((server.folder / "instance" / "spool").glob("*.json")) for server in servers)
        assert page(servers[0], "/healthz")[0] == 200
    finally:
        stop.set()
        for server in servers:
            server.stop()
        proxy.close()
