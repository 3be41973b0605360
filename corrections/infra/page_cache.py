"""Public pages kept rendered in memory, each checked against the database before it is served.

Every reader hits the article pages, the feeds and the embed's API read, and these are the same for
everyone without a session. So a WSGI layer in front of Flask keeps their rendered responses, each
under the "version" of the data it shows: a short row read by one indexed query (the article's own
state and its notices' for an article, the newest change of any article or notice for site-wide
pages). A response rendered for the current version is served as it is, or as a 304 when the
client already has it; anything else goes to Flask, and what Flask answers is kept for next time.

The version query runs on a raw connection from the cache's own autocommit pool, without Flask or
the ORM: for a cached page that is most of the work, and the ORM session alone costs several times
the query. Each process keeps its own copies and checks the shared database, so no process serves a
stale page. On SQLite it checks on every request (a few microseconds). On PostgreSQL a check is a
round trip that costs more than serving the page, so each process listens on the channel that the
database's triggers notify whenever an article, a notice or a policy changes (migration b7d41c2e9a10),
and trusts the versions it has read until a notification arrives, or this process commits anything.
While the listening connection is down it checks on every request again.
Requests that carry a session cookie (editors, readers who sent a form) always go to Flask: their
pages show their own header and messages.
While the database does not answer, a page kept here is served as it was last rendered (stale rather than
an error page); other pages get Flask's 503.
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Flask
from sqlalchemy import Engine, bindparam, create_engine, event, func, select
from sqlalchemy.sql import Select
from werkzeug.http import is_resource_modified, unquote_etag

from corrections import languages
from corrections.extensions import db
from corrections.infra.ops import ENDPOINT_KEY
from corrections.models import Article, Notice, Policy
from corrections.text import CONTROL

# Pages kept per process, the least recently used dropped first: at most this many, and at most
# this many bytes of bodies (an article page is about 15 KB, a feed up to 50 notices). The bytes are part of
# the process's memory for good, so they stay a small share of a server's 200 MB.
MAX_PAGES = 2000
MAX_BYTES = 16 * 1024 * 1024
# Set by the layer for the view: the version it checked, so the view need not query it again.
VERSION_KEY = "corrections.page_version"
# Headers that belong to one response only and are never replayed.
NOT_KEPT = {"set-cookie", "date", "x-request-id"}
# PostgreSQL: the channel the triggers notify, and how long to wait before listening again after a failure.
CHANNEL = "corrections_public"
RELISTEN_SECONDS = 5.0
# A version heard nothing against is still read again after this long, whatever the feed says.
TRUST_SECONDS = 10.0


@dataclass(frozen=True)
class CachedResponse:
    version: str
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    last_modified: str | None
    # The Flask endpoint that rendered it, for the request metrics and log (ops.py) when it is replayed.
    endpoint: str | None = None


class RawQuery:
    """A Core statement compiled once and run on a raw DBAPI connection from the engine's pool."""

    def __init__(self, engine: Engine, statement: Select):
        compiled = statement.compile(dialect=engine.dialect)
        self.engine = engine
        self.compiled = compiled
        self.positions = compiled.positiontup  # None where the driver takes named parameters
        self.runs = 0  # for the tests' query counts

    def first(self, **params) -> tuple | None:
        values = self.compiled.construct_params(params)
        if self.positions is not None:
            values = tuple(values[name] for name in self.positions)
        self.runs += 1
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self.compiled.string, values)
            row = cursor.fetchone()
            cursor.close()
        except Exception:
            connection.invalidate()  # a connection the server dropped is not handed out again
            raise
        finally:
            connection.close()
        return tuple(row) if row is not None else None


class ChangeFeed:
    """PostgreSQL: a connection LISTENing on CHANNEL, polled without blocking by the requests themselves.

    poll() says whether the feed is live (every change since the last poll has been seen) and calls
    `on_change` when something changed; a failed connection is dropped, reported as a change (anything
    may change while nobody listens) and opened again RELISTEN_SECONDS later.
    """

    def __init__(self, url: str, on_change):
        self.url = url
        self.on_change = on_change
        self.connection = None
        self.retry_at = 0.0
        self.lock = threading.Lock()

    def poll(self) -> bool:
        with self.lock:
            if self.connection is None and not self._listen():
                return False
            try:
                changed = any(True for _ in self.connection.notifies(timeout=0))
            except Exception:  # noqa: BLE001 - the server went away: check every request until back
                self._drop()
                return False
        if changed:
            self.on_change()
        return True

    def _listen(self) -> bool:
        import psycopg

        if time.monotonic() < self.retry_at:
            return False
        try:
            # Keepalives: a connection the network dropped without a word is noticed within half a minute.
            self.connection = psycopg.connect(self.url, autocommit=True, connect_timeout=3, keepalives=1,
                                              keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
            self.connection.execute(f"LISTEN {CHANNEL}")
        except Exception:  # noqa: BLE001
            self._drop()
            return False
        # Nothing was heard while nobody listened.
        self.on_change()
        return True

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001, S110 - closing what is already broken
                pass
        self.connection = None
        self.retry_at = time.monotonic() + RELISTEN_SECONDS
        self.on_change()

    def close(self) -> None:
        with self.lock:
            if self.connection is not None:
                self.connection.close()
                self.connection = None


def article_state(where) -> Select:
    """The article's own state and its notices' (count, latest change), for an article page's version."""
    of_article = Notice.article_id == Article.id
    changed = (
        select(func.max(func.coalesce(Notice.withdrawn_at, Notice.updated_at, Notice.published_at)))
        .where(of_article).correlate(Article).scalar_subquery()
    )
    count = select(func.count(Notice.id)).where(of_article).correlate(Article).scalar_subquery()
    return select(Article.id, Article.updated_at, count, changed).where(where)


def site_state() -> Select:
    """The newest change of any article, notice or policy: every max() is one step down an index.

    Articles and notices are never deleted (a notice is withdrawn, an update; one undone moments after it was
    published is deleted, and its article's updated_at moves on), nor are policies (they are emptied), so new
    rows show in the highest id and changes in the latest timestamps.
    """
    return select(
        select(func.max(Article.id)).scalar_subquery(),
        select(func.max(Article.updated_at)).scalar_subquery(),
        select(func.max(Notice.id)).scalar_subquery(),
        select(func.max(Notice.updated_at)).scalar_subquery(),
        select(func.max(Notice.withdrawn_at)).scalar_subquery(),
        # The home page's JSON-LD links to the organisation's policies (three rows at most, never deleted).
        select(func.max(Policy.updated_at)).scalar_subquery(),
    )


def version_of(row: tuple | None) -> str | None:
    if row is None:
        return None
    return hashlib.sha256(repr(row).encode()).hexdigest()[:32]


class PublicPageCache:
    """The WSGI layer: `app.wsgi_app = PublicPageCache(app)`."""

    ARTICLE = re.compile(r"/articles/([^/]+)(/corrections\.atom)?")
    SITE_WIDE = {"/", "/corrections", "/corrections.atom"}

    def __init__(self, app: Flask, max_pages: int = MAX_PAGES):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.cors_origins = set(app.config.get("CORS_ORIGINS") or ())
        # With BASE_URL every absolute link is the same whatever the Host; without, pages differ by Host.
        self.by_host = not app.config.get("BASE_URL")
        # With several languages offered, a page may speak the one the browser's Accept-Language chooses: a copy
        # per language chosen (not per header: browsers send thousands of different ones).
        self.languages = list(app.config["LANGUAGES"])
        self.site_language = app.config["LANGUAGE"]
        self.max_pages = max_pages
        self.max_bytes = MAX_BYTES
        self.bytes = 0
        self.pages: OrderedDict[tuple, CachedResponse] = OrderedDict()
        self.lock = threading.Lock()
        self.queries: dict[str, RawQuery] = {}
        self.engine: Engine | None = None
        # PostgreSQL: versions read since the last change anyone committed, while the feed is live.
        self.feed: ChangeFeed | None = None
        self.epoch = 0
        self.known: dict[tuple[str, str], tuple[str | None, float]] = {}

    # --- Versions ---------------------------------------------------------------------------------

    def _engine(self) -> Engine:
        """The cache's own pool, in autocommit: a version check is one round trip, without the
        transaction, the reset on return and the liveness ping of the app's pool (a quarter of the
        cost on PostgreSQL); a dropped connection fails one check, which then goes to Flask."""
        if self.engine is None:
            with self.app.app_context():
                app_engine = db.engine
            url = app_engine.url
            options = self.app.config["SQLALCHEMY_ENGINE_OPTIONS"]
            if url.get_backend_name() == "postgresql":
                # A commit in this process is known at once; other processes' through the feed.
                event.listen(app_engine, "commit", lambda _connection: self.changed())
                self.feed = ChangeFeed(url.set(drivername="postgresql").render_as_string(hide_password=False),
                                       self.changed)
            self.engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                                        connect_args=options.get("connect_args", {}))
        return self.engine

    def dispose(self) -> None:
        if self.feed is not None:
            self.feed.close()
        if self.engine is not None:
            self.engine.dispose()

    def changed(self) -> None:
        """Something public may have changed: forget the versions read so far."""
        with self.lock:
            self.epoch += 1
            self.known.clear()

    def _query(self, name: str) -> RawQuery:
        query = self.queries.get(name)
        if query is None:
            engine = self._engine()
            statement = {
                "slug": lambda: article_state(Article.slug == bindparam("value")),
                "url": lambda: article_state(Article.canonical_url == bindparam("value")),
                "site": site_state,
            }[name]()
            query = self.queries[name] = RawQuery(engine, statement)
        return query

    def version(self, scope: str, value: str = "") -> str | None:
        """The current version of an article (by slug or canonical URL) or of the site; None if unknown."""
        query = self._query(scope)
        trusted = self.feed is not None and self.feed.poll()
        now = time.monotonic()
        if trusted:
            with self.lock:
                epoch = self.epoch
                known = self.known.get((scope, value))
                if known is not None and now - known[1] < TRUST_SECONDS:
                    return known[0]
        found = version_of(query.first() if scope == "site" else query.first(value=value))
        if trusted:
            with self.lock:
                # Kept only if nothing changed while it was read: a change heard meanwhile may be newer.
                if self.epoch == epoch and len(self.known) < 4 * self.max_pages:
                    self.known[(scope, value)] = (found, now)
        return found

    def query_runs(self) -> int:
        return sum(query.runs for query in self.queries.values())

    def scope_of(self, environ) -> tuple[str, str] | None:
        """Which version a cacheable public GET depends on, or None for anything else.

        Anything odd (bytes that are not UTF-8, control characters) goes to Flask, which answers it.
        """
        try:
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            return None
        if path in self.SITE_WIDE:
            return "site", ""
        if path == "/api/v1/notices":
            try:
                urls = [value for key, value in parse_qsl(environ.get("QUERY_STRING", ""), errors="strict")
                        if key == "url"]
            except UnicodeError:
                return None
            value = urls[0] if len(urls) == 1 else ""
            return ("url", value) if value and not CONTROL.search(value) else None
        match = self.ARTICLE.fullmatch(path)
        if match and not CONTROL.search(match.group(1)):
            return "slug", match.group(1)
        return None

    # --- WSGI -------------------------------------------------------------------------------------

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or self.has_session(environ):
            return self.wsgi_app(environ, start_response)
        scope = self.scope_of(environ)
        if scope is None:
            return self.wsgi_app(environ, start_response)
        key = self.key_of(environ)
        try:
            version = self.version(*scope)
        except Exception:  # noqa: BLE001 - the database's trouble
            # It does not answer: the page as last rendered beats an error page. Without one, Flask answers 503.
            stale = self.stale(environ)
            if stale is not None:
                return self.replay(stale, environ, start_response, head=method == "HEAD")
            return self.wsgi_app(environ, start_response)
        if version is None:  # no such article: Flask answers (404, or the API's empty answer)
            return self.wsgi_app(environ, start_response)
        environ[VERSION_KEY] = version
        with self.lock:
            cached = self.pages.get(key)
            if cached is not None and cached.version == version:
                self.pages.move_to_end(key)
            else:
                cached = None
        if cached is not None:
            return self.replay(cached, environ, start_response, head=method == "HEAD")
        if method == "HEAD":
            return self.wsgi_app(environ, start_response)
        return self.render_and_keep(environ, start_response, key, version)

    def stale(self, environ) -> CachedResponse | None:
        """The page last rendered for this request's address, whatever its version: while the database is down."""
        with self.lock:
            return self.pages.get(self.key_of(environ))

    def has_session(self, environ) -> bool:
        cookies = environ.get("HTTP_COOKIE", "")
        return bool(cookies) and f"{self.session_cookie}=" in cookies

    def key_of(self, environ) -> tuple:
        origin = environ.get("HTTP_ORIGIN", "")
        # Pages carry absolute links (built from the Host unless BASE_URL is set) and HTTPS pages an HSTS
        # header. CORS headers depend on the origin: each allowed one gets its own copy, all others share one,
        # and so do requests without one.
        if origin and origin not in self.cors_origins:
            origin = "(another origin)"
        host = environ.get("HTTP_HOST", "") if self.by_host else ""
        language = languages.negotiate(environ.get("HTTP_ACCEPT_LANGUAGE"), self.languages, self.site_language)
        return (environ.get("wsgi.url_scheme"), host, environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), origin, language)

    def replay(self, cached: CachedResponse, environ, start_response, head: bool) -> Iterable[bytes]:
        if cached.endpoint is not None:
            environ[ENDPOINT_KEY] = cached.endpoint
        if cached.etag is not None or cached.last_modified is not None:
            if not is_resource_modified(environ, etag=cached.etag, last_modified=cached.last_modified):
                kept = [(k, v) for k, v in cached.headers if k.lower() not in ("content-length", "content-type")]
                start_response("304 NOT MODIFIED", kept)
                return []
        start_response(cached.status, list(cached.headers))
        return [] if head else [cached.body]

    def render_and_keep(self, environ, start_response, key: tuple, version: str) -> Iterable[bytes]:
        answered: dict = {}

        def capture(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        headers = answered.get("headers", [])
        names = {name.lower() for name, _ in headers}
        if answered.get("status", "").startswith("200") and "set-cookie" not in names:
            kept = [(k, v) for k, v in headers if k.lower() not in NOT_KEPT]
            found = dict((k.lower(), v) for k, v in kept)
            etag = found.get("etag")
            cached = CachedResponse(version, answered["status"], kept, body,
                                    unquote_etag(etag)[0] if etag else None,
                                    found.get("last-modified"), environ.get(ENDPOINT_KEY))
            self.keep(key, cached)
        return [body]

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.bytes = 0
            self.known.clear()

    def keep(self, key: tuple, cached: CachedResponse) -> None:
        with self.lock:
            replaced = self.pages.pop(key, None)
            if replaced is not None:
                self.bytes -= len(replaced.body)
            self.pages[key] = cached
            self.bytes += len(cached.body)
            while self.pages and (len(self.pages) > self.max_pages or self.bytes > self.max_bytes):
                _, dropped = self.pages.popitem(last=False)
                self.bytes -= len(dropped.body)


def install(app: Flask) -> PublicPageCache:
    cache = PublicPageCache(app)
    app.wsgi_app = cache
    app.extensions["page_cache"] = cache
    return cache


def for_app(app: Flask) -> PublicPageCache:
    return app.extensions["page_cache"]


def links_tag() -> str:
    """A short tag of where this request's absolute links point: BASE_URL, or (without it) this request's
    scheme and host.

    Part of the ETag of every page that carries such links, so a copy built for a forged Host never passes
    for the real page in a shared cache or a 304.
    """
    from flask import url_for

    return hashlib.sha256(url_for("public.index", _external=True).encode()).hexdigest()[:8]


def version_from(environ, scope: str, value: str = "") -> str | None:
    """The version the layer checked for this request, or (outside it) a fresh one."""
    from flask import current_app

    return environ.get(VERSION_KEY) or for_app(current_app).version(scope, value)

