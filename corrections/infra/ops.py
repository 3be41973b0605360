"""Operations: Prometheus metrics at /metrics, and one structured log line per request with a request id.

A WSGI layer around everything (the public page cache included, so pages it serves from memory are
counted too) times each request, counts it (a counter and a histogram in memory, no database access:
a few microseconds), hands its log line over and adds its X-Request-ID. Flask tells the layer the
endpoint it routed to. The database figures (open reports, the outbox and webhook backlogs) are read
when Prometheus scrapes /metrics. Counters live in each process: with several processes, scrape
each one (README, "Operations").
"""

import atexit
import hashlib
import hmac
import ipaddress
import json
import logging
import queue
import random
import re
import sys
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from logging.handlers import QueueHandler

from flask import Blueprint, Flask, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from corrections.config import ConfigError
from corrections.extensions import db
from corrections.models import OutboxMessage, Repeat, RepeatSweep, Report, WebhookDelivery, utcnow
from corrections.vocabulary import OPEN

bp = Blueprint("ops", __name__)
# No "_created" series beside each counter: they double what is scraped and tell an operator nothing here.
disable_created_metrics()

# Seconds; from a cached article page (well under a millisecond) to a slow export.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Anything else a client sends as a method is counted as "other": clients must not mint new series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# An incoming X-Request-ID is kept when it looks like an id (a proxy's or a load balancer's), else replaced.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}")
REQUEST_ID_KEY = "corrections.request_id"
# Set by Flask for the WSGI layer (and kept by the public page cache with the pages it keeps).
ENDPOINT_KEY = "corrections.endpoint"
PATH_KEY = "corrections.logged_path"
LOGGER = "corrections.requests"


class Instrument:
    """The outermost WSGI layer: times, counts and logs every request and adds its X-Request-ID."""

    def __init__(self, wsgi_app, ops: "Ops"):
        self.wsgi_app = wsgi_app
        self.ops = ops

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        rid = request_id(environ)
        answered = []

        def start(status, headers, exc_info=None):
            answered.append(status)
            headers.append(("X-Request-ID", rid))
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        finally:
            # The status line starts with the code; a layer that failed without answering is a 500.
            self.ops.record(environ, int(answered[-1][:3]) if answered else 500, time.perf_counter() - started, rid)


class Ops:
    """One app's instruments: its own registry (tests build many apps in one process) and settings."""

    def __init__(self, app: Flask):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("corrections_http_requests", "HTTP requests answered, by Flask endpoint, "
                                "method and status (this process).", ["endpoint", "method", "status"],
                                registry=self.registry)
        self.latency = Histogram("corrections_http_request_duration_seconds", "Time to answer a request, "
                                 "by Flask endpoint (this process).", ["endpoint"], buckets=LATENCY_BUCKETS,
                                 registry=self.registry)
        self.registry.register(DatabaseCollector(app))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        # (endpoint, method, status) -> the labelled children: .labels() costs more than the count itself.
        self.children: dict[tuple[str, str, int], tuple] = {}
        self.token = app.config.get("METRICS_TOKEN") or ""
        self.allowed_networks = parse_networks(app.config.get("METRICS_ALLOW"))
        self.log_requests = bool(app.config.get("REQUEST_LOG"))
        self.logger = logging.getLogger(LOGGER)
        self.client_key = hashlib.sha256(f"request-log:{app.config['SECRET_KEY']}".encode()).digest()

    @property
    def metrics_configured(self) -> bool:
        return bool(self.token or self.allowed_networks)

    def record(self, environ, status: int, duration: float, rid: str) -> None:
        endpoint = environ.get(ENDPOINT_KEY, "none")
        method = environ.get("REQUEST_METHOD", "")
        if method not in METHODS:
            method = "other"
        children = self.children.get((endpoint, method, status))
        if children is None:
            children = self.children.setdefault((endpoint, method, status), (
                self.requests.labels(endpoint, method, str(status)), self.latency.labels(endpoint)))
        children[0].inc()
        children[1].observe(duration)
        if self.log_requests:
            self.log(environ, rid, endpoint, method, status, duration)

    def log(self, environ, rid: str, endpoint: str, method: str, status: int, duration: float) -> None:
        logger = self.logger
        if logger.isEnabledFor(logging.INFO):
            path = environ.get(PATH_KEY) or environ.get("PATH_INFO", "")
            # Behind trusted proxies, the proxies layer has put the client's address in REMOTE_ADDR by now.
            line = RequestLine(time.time(), rid, method, path, endpoint, status, duration,
                               environ.get("REMOTE_ADDR") or "", self.client_key)
            # makeRecord and handle, not info(): info() would look up the caller's file and line in the stack.
            logger.handle(logger.makeRecord(logger.name, logging.INFO, __file__, 0, "%s", (line,), None))

    def admits(self) -> bool:
        """Whether this request may read /metrics: the right bearer token, or an address on the allow list."""
        if self.token:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode()):
                return True
        if self.allowed_networks:
            try:
                address = ipaddress.ip_address(request.remote_addr or "")
            except ValueError:
                return False
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            return any(address in network for network in self.allowed_networks)
        return False


def parse_networks(value, setting: str = "METRICS_ALLOW") -> list:
    """METRICS_ALLOW (or another setting): a list (or a comma-separated string) of addresses and networks,
    e.g. 10.0.0.0/8."""
    if not value:
        return []
    items: Iterable = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f"CORRECTIONS_{setting} must be a list of addresses or networks, got {value!r}.")
    networks = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ConfigError(f"CORRECTIONS_{setting}: “{text}” is not an IP address or network "
                              "(e.g. 127.0.0.1, 10.0.0.0/8 or ::1).") from None
    return networks


class RequestLine:
    """One request's log line: the raw facts, turned into JSON only when the line is written.

    The request thread only gathers them; the hash, the date and the JSON are made by whichever handler
    writes the line (in `corrections serve`, the writer thread: see enable_request_log).
    """

    __slots__ = ("at", "rid", "method", "path", "endpoint", "status", "duration", "address", "key")

    def __init__(self, at, rid, method, path, endpoint, status, duration, address, key):
        self.at, self.rid, self.method, self.path, self.endpoint = at, rid, method, path, endpoint
        self.status, self.duration, self.address, self.key = status, duration, address, key

    def __str__(self) -> str:
        try:  # WSGI hands the path over as Latin-1 text; what was sent was UTF-8
            path = self.path.encode("latin-1").decode("utf-8", "replace")
        except UnicodeEncodeError:
            path = self.path
        return json.dumps({
            "time": datetime.fromtimestamp(self.at, UTC).isoformat(timespec="milliseconds"),
            "request_id": self.rid,
            "method": self.method,
            "path": path[:500],
            "endpoint": self.endpoint,
            "status": self.status,
            "duration_ms": round(self.duration * 1000, 2),
            # The same client gives the same value for the life of the secret key; the address is not kept.
            "client": hmac.new(self.key, self.address.encode(), hashlib.sha256).hexdigest()[:16],
        }, ensure_ascii=False)


def request_id(environ: dict | None = None) -> str:
    """This request's id: the client's (or proxy's) X-Request-ID when it looks like one, else a new one."""
    if environ is None:
        environ = request.environ
    rid = environ.get(REQUEST_ID_KEY)
    if rid is None:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        # An id is no secret: the quick generator serves, without a system call for random bytes per request.
        rid = given if REQUEST_ID.fullmatch(given) else f"{_ids.getrandbits(128):032x}"
        environ[REQUEST_ID_KEY] = rid
    return rid


_ids = random.Random()  # seeded from the system's random source once, at import


def logged_path() -> str:
    """The path, except where it carries a secret (a reader's status link): then the route's pattern."""
    rule = request.url_rule
    if rule is not None and "token" in rule.arguments:
        return rule.rule
    return request.path[:500]


def note_endpoint(response):
    """after_request: tell the WSGI layer where Flask routed the request (and what path to log)."""
    req = request._get_current_object()  # one context look-up instead of one per attribute
    rule = req.url_rule
    environ = req.environ
    if rule is not None:
        environ[ENDPOINT_KEY] = rule.endpoint
        if "token" in rule.arguments:
            environ[PATH_KEY] = rule.rule
    return response


class DatabaseCollector:
    """Figures read from the database at scrape time (five indexed queries)."""

    def __init__(self, app: Flask):
        self.app = app

    def describe(self):
        # Without a description prometheus_client would call collect() at registration, outside any request.
        return []

    def collect(self):
        up = GaugeMetricFamily("corrections_database_up", "1 when the database answered this scrape.")
        try:
            families = list(self.read())
        except SQLAlchemyError:
            current_app.logger.exception("/metrics: the database does not answer")
            db.session.rollback()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def read(self):
        reports = GaugeMetricFamily("corrections_reports_open", "Open reports (new or in review), by status.",
                                    labels=["status"])
        counts = dict(db.session.execute(select(Report.status, func.count(Report.id))
                                         .where(Report.status.in_(OPEN)).group_by(Report.status)).all())
        for status in OPEN:
            reports.add_metric([status], counts.get(status, 0))
        yield reports
        yield from backlog(OutboxMessage, "corrections_outbox", "E-mail to readers in the outbox")
        yield from backlog(WebhookDelivery, "corrections_webhook_deliveries", "Webhook deliveries")
        repeats = GaugeMetricFamily("corrections_same_error_elsewhere", "Corrected errors found again in other "
                                    "articles, by state (open, confirmed, dismissed) and origin (sweep: by the "
                                    "archive sweep after publishing; came_back: in a later text).",
                                    labels=["state", "origin"])
        for state, origin, n in db.session.execute(select(Repeat.state, Repeat.origin, func.count(Repeat.id))
                                                   .group_by(Repeat.state, Repeat.origin)):
            repeats.add_metric([state, origin], n)
        yield repeats
        waiting, oldest = db.session.execute(select(func.count(RepeatSweep.id), func.min(RepeatSweep.queued_at))
                                             .where(RepeatSweep.status == "pending")).one()
        sweeps = GaugeMetricFamily("corrections_sweeps_pending", "Sweeps for a corrected error still to run (of the "
                                   "archive after publishing, or of an article's new text).")
        sweeps.add_metric([], waiting)
        yield sweeps
        age = GaugeMetricFamily("corrections_sweeps_oldest_pending_seconds", "Age of the oldest sweep still to run; 0 "
                                "when none is: how far the sweeper is behind.")
        age.add_metric([], max((utcnow() - oldest).total_seconds(), 0) if oldest is not None else 0)
        yield age


def backlog(model, name: str, what: str):
    """Pending and failed rows of a queue, and the age of the oldest pending one."""
    rows = {status: (n, oldest) for status, n, oldest in db.session.execute(
        select(model.status, func.count(model.id), func.min(model.created_at))
        .where(model.status.in_(("pending", "failed"))).group_by(model.status))}
    counts = GaugeMetricFamily(f"{name}_backlog", f"{what} not sent: pending (waiting or retrying) or failed "
                                                   "(given up after too many tries).", labels=["status"])
    for status in ("pending", "failed"):
        counts.add_metric([status], rows.get(status, (0, None))[0])
    yield counts
    oldest = rows.get("pending", (0, None))[1]
    age = GaugeMetricFamily(f"{name}_oldest_pending_seconds", f"Age of the oldest pending item ({what.lower()}); "
                                                               "0 when none is pending.")
    age.add_metric([], max((utcnow() - oldest).total_seconds(), 0) if oldest is not None else 0)
    yield age


def for_app() -> Ops:
    return current_app.extensions["ops"]


@bp.get("/metrics")
def metrics():
    ops = for_app()
    # Not configured, or not this client: the address does not exist as far as anyone can tell.
    if not (ops.metrics_configured and ops.admits()):
        abort(404)
    return current_app.response_class(generate_latest(ops.registry), mimetype=CONTENT_TYPE_LATEST,
                                      headers={"Cache-Control": "no-store"})


class _Batches(logging.StreamHandler):
    """Writes the lines handed to it in one go when flushed: one system call for a burst of requests."""

    def __init__(self, stream):
        super().__init__(stream)
        self.waiting: list[str] = []

    def emit(self, record) -> None:
        try:
            self.waiting.append(self.format(record) + self.terminator)
        except Exception:  # noqa: BLE001  (as logging's own handlers do: a bad record must not stop the others)
            self.handleError(record)

    def flush(self) -> None:
        with self.lock:
            if self.waiting:
                lines, self.waiting = "".join(self.waiting), []
                try:
                    self.stream.write(lines)
                    self.stream.flush()
                except (OSError, ValueError):
                    # Standard error closed or full: the lines are lost, the server goes on.
                    pass


class _Unformatted(QueueHandler):
    """Hands the record over as it is, so its line is made in the writer thread, not the request's."""

    def prepare(self, record):
        return record


# How long the writer thread lets lines gather after the first one: waking it for every request would cost
# the server a thread switch per request (a third of what a cached page costs).
GATHER_SECONDS = 0.05


def _write(records: queue.SimpleQueue, handler: _Batches) -> None:
    """The writer thread: waits for a line, lets more gather, then writes everything waiting in one go."""
    while True:
        handler.handle(records.get())
        time.sleep(GATHER_SECONDS)
        _write_waiting(records, handler)


def _write_waiting(records: queue.SimpleQueue, handler: _Batches) -> None:
    while True:
        try:
            handler.handle(records.get_nowait())
        except queue.Empty:
            break
    handler.flush()


def enable_request_log(app: Flask) -> None:
    """Log every request. Unless logging was set up for `corrections.requests` already, the lines go to
    standard error through a queue and a writer thread, so a request only hands its facts over."""
    ops = app.extensions["ops"]
    ops.log_requests = True
    logger = ops.logger
    if not logger.handlers:
        records: queue.SimpleQueue = queue.SimpleQueue()
        writer = _Batches(sys.stderr)
        writer.setFormatter(logging.Formatter("%(message)s"))
        threading.Thread(target=_write, args=(records, writer), name="request-log", daemon=True).start()
        logger.addHandler(_Unformatted(records))
        logger.propagate = False
        # What is still queued when the server stops is written out.
        atexit.register(_write_waiting, records, writer)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def register(app: Flask) -> None:
    """The instruments, the endpoint note and /metrics; the WSGI layer comes last (install)."""
    ops = Ops(app)
    app.extensions["ops"] = ops
    app.after_request(note_endpoint)
    app.register_blueprint(bp)
    if app.config.get("REQUEST_LOG"):
        enable_request_log(app)


def install(app: Flask) -> None:
    """Wrap every other WSGI layer, so what they answer themselves (the page cache) is counted too."""
    app.wsgi_app = Instrument(app.wsgi_app, app.extensions["ops"])
