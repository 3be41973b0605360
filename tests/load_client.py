"""Readers over HTTP for the load tests: each opens the report form once, then sends many reports.

Every report carries a unique marker in its description, so the database can be checked against
what each reader was told: a 303 to the status page is an acknowledgement.
"""

import http.client
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from tests.helpers import form_tokens

# A demo article (seed-demo) and a sentence in it, so each report also looks for its passage and cluster.
SLUG = "library-sunday-opening"
PASSAGE = "a £42,000 grant from the Penhallow Trust"
DESCRIPTION = "Load test report {marker}: the grant figure in this sentence is wrong."
MARKER_PATTERN = r"Load test report (\S+):"


@dataclass
class Outcome:
    """What the readers were told, gathered from all their threads."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # marker → status page path
    unanswered: set[str] = field(default_factory=set)  # sent, but no answer came back
    statuses: Counter = field(default_factory=Counter)
    locked: list[str] = field(default_factory=list)  # markers whose answer mentioned "database is locked"
    failures: list[str] = field(default_factory=list)  # unexpected answers, for the assertion message
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def sent(self) -> int:
        return sum(self.statuses.values()) + len(self.unanswered)

    def snapshot(self) -> dict[str, str]:
        with self.lock:
            return dict(self.acknowledged)


class Reader:
    """One browser: its own connection (kept alive) and its own cookies."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []  # the last answer's Set-Cookie headers
        self.connection: http.client.HTTPConnection | None = None

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def headers_for(self, path: str, form: dict | None) -> dict[str, str]:
        """Headers this browser sends besides its cookies and the form's type."""
        return {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        if self.connection is None:
            self.connection = self.connect()
        headers = self.headers_for(path, form)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        self.set_cookies = response.headers.get_all("Set-Cookie") or []
        for header in self.set_cookies:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _read_and_send(base_url: str, number: int, count: int, outcome: Outcome, stop: threading.Event) -> None:
    reader = Reader(base_url)
    try:
        status, _, page = reader.request("GET", f"/articles/{SLUG}/report")
    except (OSError, http.client.HTTPException) as error:
        with outcome.lock:
            outcome.failures.append(f"reader {number}: the form did not load: {error!r}")
        return
    if status != 200:
        with outcome.lock:
            outcome.failures.append(f"reader {number}: the form answered {status}")
        return
    # The session's CSRF token stays valid for every report this reader sends.
    tokens = form_tokens(page)
    try:
        for _ in range(count):
            if stop.is_set():
                return
            marker = f"M{number}-{uuid.uuid4().hex[:12]}"
            form = {**tokens, "category": "factual", "passage": PASSAGE,
                    "description": DESCRIPTION.format(marker=marker), "name": f"Load reader {number}"}
            try:
                status, headers, body = reader.request("POST", f"/articles/{SLUG}/report", form)
            except (OSError, http.client.HTTPException):
                # The server went away (the crash test kills it): this reader stops here.
                with outcome.lock:
                    outcome.unanswered.add(marker)
                return
            with outcome.lock:
                outcome.statuses[status] += 1
                if "database is locked" in body.lower():
                    outcome.locked.append(marker)
                if status == 303 and "/reports/" in headers.get("Location", ""):
                    outcome.acknowledged[marker] = urlsplit(headers["Location"]).path
                else:
                    outcome.failures.append(f"{marker}: {status} {body[:200]!r}")
    finally:
        reader.close()


def send_reports(base_url: str, readers: int, per_reader: int, outcome: Outcome | None = None,
                 stop: threading.Event | None = None) -> Outcome:
    """`readers` concurrent readers each send `per_reader` reports; returns when all are done or stopped."""
    outcome = outcome or Outcome()
    stop = stop or threading.Event()
    threads = [threading.Thread(target=_read_and_send, args=(base_url, n, per_reader, outcome, stop), daemon=True)
               for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcome


def send_in_background(base_url: str, readers: int, per_reader: int) -> tuple[Outcome, threading.Event,
                                                                              threading.Thread]:
    """The same load in a thread of its own, for tests that act while it runs."""
    outcome, stop = Outcome(), threading.Event()
    runner = threading.Thread(target=send_reports, args=(base_url, readers, per_reader, outcome, stop), daemon=True)
    runner.start()
    return outcome, stop, runner


def get(base_url: str, path: str) -> tuple[int, str]:
    reader = Reader(base_url)
    try:
        status, _, body = reader.request("GET", path)
    finally:
        reader.close()
    return status, body
