"""Two `corrections serve` processes on one PostgreSQL and one Redis, as a site with several servers runs
behind a load balancer: a reader's and an editor's requests alternate between the servers, and each of
them sees one site. Nothing a request relies on may live in one process only."""

import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from urllib.parse import quote, urlsplit

import psycopg
import pytest
import redis
from aiosmtpd.controller import Controller

from corrections.access.login_throttle import FREE_FAILURES
from tests.conftest import new_postgres_database, redis_test_url, unavailable
from tests.helpers import form_tokens
from tests.live import LiveServer, free_port
from tests.load_client import PASSAGE, SLUG, Reader

pytestmark = pytest.mark.slow

REDIS_URL = redis_test_url()
ARTICLE_URL = "https://news.example.org/local/library-sunday-opening"
PASSWORD = "a long enough password"
REPORTS_PER_MINUTE = 4
LOCKOUT_GUESSES = 10  # from one client: it then waits a minute (login_throttle.wait)
NOTICE = "An earlier version of this article gave the wrong amount for the Penhallow Trust grant."


class Mailbox:
    """An SMTP server's inbox (aiosmtpd): what both servers' background senders delivered."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


class Visitor:
    """One browser: one cookie jar for the site, whichever server answers a request."""

    def __init__(self, servers: list[LiveServer]):
        self.readers = {server.port: Reader(server.url) for server in servers}
        cookies: dict[str, str] = {}
        for reader in self.readers.values():
            reader.cookies = cookies  # shared: the cookie belongs to the site, not to one server

    def request(self, server: LiveServer, method: str, path: str, form: dict | None = None):
        return self.readers[server.port].request(method, path, form)

    def page(self, server: LiveServer, path: str) -> str:
        status, _, page = self.request(server, "GET", path)
        assert status == 200, (server.url, path, status, page[:500])
        return page

    def close(self) -> None:
        for reader in self.readers.values():
            reader.close()


def fresh_page(server: LiveServer, path: str) -> str:
    """A page as a first-time visitor without cookies gets it: the kind each server keeps in its page cache."""
    visitor = Visitor([server])
    try:
        return visitor.page(server, path)
    finally:
        visitor.close()


def query(server: LiveServer, sql: str, *params):
    with psycopg.connect(server.env["CORRECTIONS_DATABASE_URL"]) as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the suite's Redis database, removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis does not answer at {REDIS_URL}: {error}")
    prefix = f"several-servers-{secrets.token_hex(4)}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def mailbox():
    inbox = Mailbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def site(tmp_path, redis_prefix, mailbox):
    """Two servers, each with an instance folder of its own, sharing a new database, Redis and the secret key."""
    with new_postgres_database("corrections_servers") as database_url:
        shared = {
            "SECRET_KEY": secrets.token_hex(32),
            "RATELIMIT_ENABLED": "true",
            "RATELIMIT_STORAGE_URL": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": redis_prefix,
            "PRESENCE_KEY_PREFIX": f"{redis_prefix}:presence",
            "REPORT_RATE_LIMIT": f"{REPORTS_PER_MINUTE} per minute",
            # All the test's browsers share one address: room for the guesses and the editor's logins.
            "LOGIN_RATE_LIMIT": "30 per minute",
            # The guessers' client must still wait when the test checks that it does, however loaded the machine:
            # with the usual 1 s, the wait after the fourth wrong password could be over by then.
            "LOGIN_FIRST_WAIT_SECONDS": 600,
            "SPAM_MIN_SECONDS": 0,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": mailbox.port,
            "MAIL_SENDER": "corrections@news.example",
            # Both background senders look at the outbox five times a second: a message sent twice would show.
            "MAIL_SEND_INTERVAL": 0.2,
            # The publication's e-mail waits for its undo window: a short one keeps the test short.
            "UNDO_SECONDS": 1,
        }
        servers = []
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
            servers.append(LiveServer(tmp_path / name, database_url, **shared))
        try:
            # Both start at once on the empty database, and each upgrades it first: they take turns.
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(LiveServer.start, servers))
            one, two = servers
            one.command("seed-demo")
            for email, name in (("maya@example.org", "Maya Okafor"), ("tom@example.org", "Tom Reyes")):
                two.command("create-editor", email, "--name", name, "--password-stdin", input=PASSWORD + "\n")
            yield servers
        finally:
            for server in servers:
                server.stop()


def mail_to(mailbox, address: str) -> list:
    """The envelopes the mailbox received for this address (the demo's readers get confirmations too)."""
    return [e for e in mailbox.envelopes if address in e.rcpt_tos]


def wait_for_mail(mailbox, address: str, count: int) -> list:
    """The first `count` e-mails to the address, waiting up to 30 seconds for them."""
    deadline = time.monotonic() + 30
    while len(mail_to(mailbox, address)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    received = mail_to(mailbox, address)
    assert len(received) >= count
    return [message_from_bytes(e.original_content, policy=policy.default) for e in received[:count]]


def test_a_whole_flow_alternating_between_two_servers(site, mailbox):
    one, two = site
    # Both servers have the article page in their page cache before anything changes.
    for server in site:
        assert NOTICE not in fresh_page(server, f"/articles/{SLUG}")

    # The reader gets the form from one server and sends it to the other: the CSRF token and the
    # session are signed with the shared key, so either server accepts them.
    reader = Visitor(site)
    form = form_tokens(reader.page(one, f"/articles/{SLUG}/report"))
    status, headers, _ = reader.request(two, "POST", f"/articles/{SLUG}/report", {
        **form, "passage": PASSAGE, "category": "factual", "name": "Ada Reader", "email": "ada@example.org",
        "notify": "y", "description": "The grant was £24,000 according to the trust's own announcement."})
    assert status == 303, headers
    status_path = headers["Location"]
    status_page = reader.page(one, status_path)
    assert "Thank you: your report has arrived" in status_page  # the flash travelled in the cookie
    reference = re.search(r'class="reference">(R-[0-9A-Z]{6})<', status_page).group(1)
    [(report_id,)] = query(one, "SELECT id FROM report WHERE reference = %s", reference)

    # The first e-mail to the address asks its owner to confirm it: its link shows a button on one server,
    # pressed on the other.
    confirmation = wait_for_mail(mailbox, "ada@example.org", 1)[0]
    link = urlsplit(re.search(r"http://\S+/confirm-address/\S+", confirmation.get_content()).group(0)).path
    status, _, _ = reader.request(two, "POST", link, form_tokens(reader.page(one, link)))
    assert status == 303

    # The editor logs in on one server, reads the queue on the other, and acts on both.
    editor = Visitor(site)
    login = form_tokens(editor.page(two, "/editor/login"))
    status, _, _ = editor.request(one, "POST", "/editor/login", {**login, "email": "maya@example.org",
                                                                 "password": PASSWORD})
    assert status == 302
    assert reference in editor.page(two, "/editor/")
    report_page = editor.page(one, f"/editor/reports/{report_id}")
    # Maya starts answering on one server; Tom opens the report on the other and is warned as it loads.
    status, _, _ = editor.request(one, "POST", f"/editor/reports/{report_id}/presence", {
        "csrf_token": form_tokens(report_page)["csrf_token"], "tab": "maya-tab-1", "answering": "1"})
    assert status == 200
    tom = Visitor(site)
    login = form_tokens(tom.page(one, "/editor/login"))
    assert tom.request(two, "POST", "/editor/login", {**login, "email": "tom@example.org", "password": PASSWORD}
                       )[0] == 302
    assert "Maya Okafor is answering this report" in tom.page(two, f"/editor/reports/{report_id}")
    tom.close()
    version = re.search(r'name="version" value="(\d+)"', report_page).group(1)
    for to, server in (("in_review", two), ("accepted", one)):
        status, _, page = editor.request(server, "POST", f"/editor/reports/{report_id}/move", {
            "csrf_token": form_tokens(report_page)["csrf_token"], "version": version, "to": to})
        assert status == 302, page[:2000]
        report_page = editor.page(two if server is one else one, f"/editor/reports/{report_id}")
        version = re.search(r'name="version" value="(\d+)"', report_page).group(1)
    assert "Status: Accepted" in reader.page(two, status_path)
    status, _, page = editor.request(one, "POST", f"/editor/reports/{report_id}/publish", {
        "csrf_token": form_tokens(report_page)["csrf_token"], "kind": "correction", "text": NOTICE,
        "link": str(report_id)})
    assert status == 302, page[:2000]

    # Every server shows the notice at once: each checks its cached page against the database.
    for server in site:
        assert NOTICE in fresh_page(server, f"/articles/{SLUG}")
        assert NOTICE in reader.page(server, f"/articles/{SLUG}")
        assert NOTICE in fresh_page(server, "/corrections")
        assert NOTICE in fresh_page(server, "/corrections.atom")
        assert NOTICE in fresh_page(server, f"/articles/{SLUG}/corrections.atom")
        assert NOTICE in fresh_page(server, f"/api/v1/notices?url={quote(ARTICLE_URL, safe='')}")
        assert NOTICE in fresh_page(server, f"/api/v1/articles/{SLUG}/corrections")
        assert "Status: Corrected" in reader.page(server, status_path)

    # Both servers run the background sender; the reader gets each e-mail once.
    emails = wait_for_mail(mailbox, "ada@example.org", 2)
    time.sleep(2)  # ten more rounds of both senders: a second copy would arrive by now
    assert len(mail_to(mailbox, "ada@example.org")) == 2
    # The demo readers' confirmations went out once each too.
    assert query(one, "SELECT count(*), max(attempts) FROM outbox_message WHERE status = 'sent'") == [
        (len(mailbox.envelopes), 1)]
    assert emails[1]["Subject"] == f"Your report led to a correction ({reference})"
    assert query(one, "SELECT status, attempts FROM outbox_message WHERE report_id = %s ORDER BY id",
                 report_id) == [("sent", 1), ("sent", 1)]
    reader.close()
    editor.close()


def test_rate_limits_count_across_servers(site):
    one = site[0]
    reader = Visitor(site)
    form = form_tokens(reader.page(one, f"/articles/{SLUG}/report"))
    report = {**form, "category": "factual", "description": "The opening hours in this article are wrong."}
    before = query(one, "SELECT count(*) FROM report")[0][0]
    statuses = [reader.request(site[n % 2], "POST", f"/articles/{SLUG}/report", report)[0]
                for n in range(REPORTS_PER_MINUTE + 1)]
    # One budget for the client, counted in Redis, whichever server took each report.
    assert statuses == [303] * REPORTS_PER_MINUTE + [429]
    status, headers, page = reader.request(one, "POST", f"/articles/{SLUG}/report", report)
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60
    assert "Your text is kept below" in page
    assert query(one, "SELECT count(*) FROM report")[0][0] == before + REPORTS_PER_MINUTE
    reader.close()


def test_wrong_passwords_sent_to_both_servers_at_once_all_count_and_spare_the_editor(site):
    one, two = site
    # Tom logged in from this browser before: it is his, whatever others guess.
    tom = Visitor(site)
    form = form_tokens(tom.page(one, "/editor/login"))
    assert tom.request(one, "POST", "/editor/login", {**form, "email": "tom@example.org",
                                                      "password": PASSWORD})[0] == 302
    form = form_tokens(tom.page(two, "/editor/"))
    assert tom.request(two, "POST", "/editor/logout", form)[0] == 302

    guessers = [Visitor(site) for _ in range(LOCKOUT_GUESSES)]
    forms = [form_tokens(guesser.page(site[n % 2], "/editor/login")) for n, guesser in enumerate(guessers)]
    start = threading.Barrier(len(guessers))
    answers = []

    def guess(n: int) -> None:
        start.wait()
        answers.append(guessers[n].request(site[n % 2], "POST", "/editor/login", {
            **forms[n], "email": "tom@example.org", "password": f"guess {n}"})[0])

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(len(guessers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [400] * answers.count(400) + [429] * answers.count(429)
    # Every wrong password checked was counted, for the client and for all unrecognised clients, though they
    # were checked at the same moment on two servers.
    counts = dict(query(one, "SELECT CASE WHEN source = '*' THEN '*' ELSE left(source, 7) END, failures "
                             "FROM login_throttle"))
    assert counts == {"client:": answers.count(400), "*": answers.count(400)}
    # The free tries and the one after them were checked; every other guess waits (600 s, longer than the test).
    assert answers.count(400) == FREE_FAILURES + 1
    # The guessers' client now waits, on either server ...
    for server in site:
        status, headers, _ = guessers[0].request(server, "POST", "/editor/login", {
            **forms[0], "email": "tom@example.org", "password": PASSWORD})
        assert status == 429 and int(headers["Retry-After"]) > 500
    # ... while Tom, from his own browser, logs in on both.
    for server in site:
        form = form_tokens(tom.page(server, "/editor/login"))
        assert tom.request(server, "POST", "/editor/login", {**form, "email": "tom@example.org",
                                                             "password": PASSWORD})[0] == 302
        assert tom.request(server, "GET", "/editor/")[0] == 200
        form = form_tokens(tom.page(server, "/editor/"))
        assert tom.request(server, "POST", "/editor/logout", form)[0] == 302
    tom.close()
    for guesser in guessers:
        guesser.close()
