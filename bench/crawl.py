"""The crawl: every page shape an editor or admin reaches, one request at a time (see bench/README.md).

    .venv/bin/python bench/crawl.py                                        # 10,000 reports, generated, SQLite
    .venv/bin/python bench/crawl.py --database-url postgresql://127.0.0.1/postgres      # generated, PostgreSQL
    .venv/bin/python bench/crawl.py --copy-from path/to/1m.sqlite3         # a copy of an existing database
    .venv/bin/python bench/crawl.py --copy-from postgresql://127.0.0.1/bench_1m

It makes (or copies) a database, starts the real server (`corrections serve`, pinned to one CPU as
bench/run.py does), logs in as an admin and visits an explicit list of page shapes (queue views, filters,
sorts, search, deep pages reached by following "Next page", report pages, the hottest and a median article,
metrics windows, changes, admin pages, public pages, exports), then every other shape the visited pages link
to. Each shape is requested a few times in a row; the table gives the median and worst time and the size,
and the server's memory after the crawl and after a full CSV export (and the peak of a fresh server that
does nothing but that export). It exits 1, naming each shape, when a target is missed.
"""

import argparse
import http.client
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import run as bench

# Targets (issue 16): every HTML page, metrics windows included, at 1M reports; RSS after the crawl and export.
HTML_MEDIAN_MS = 100.0
HTML_WORST_MS = 250.0
HTML_MAX_KB = 300.0
RSS_LIMIT_MB = bench.RSS_LIMIT_MB

ADMIN_EMAIL = "crawl-admin@example.org"
ADMIN_PASSWORD = "crawl correct horse battery staple"
QUEUE_STATES = ("open", "all", "new", "in_review", "accepted", "corrected", "rejected", "duplicate", "spam")
QUEUE_SORTS = ("newest", "oldest", "due", "most_reported")
METRICS_WINDOWS = (7, None, 90, 365)  # None: the page's default window
DEEP_PAGES = (5, 20)  # how many times "Next page" is followed for the deep pages
DISCOVERED_MAX = 150  # shapes found by following links, at most
# A page slower than this is visited once (its miss is plain), and "Next page" is not followed past it: at 1M
# reports some pages take a minute, and the crawl must end.
SLOW_MS = 10_000
# Query arguments whose value makes a different page shape; any other argument's value is a placeholder.
SHAPING_ARGS = {"status", "sort", "days", "assignee", "whole", "kind"}
SKIPPED_PATHS = re.compile(r"^/(static/|editor/login|editor/logout|logout|confirm-address/)")
LINK = re.compile(r"<a\s[^>]*?href=\"([^\"#]+)")
NEXT_LINK = re.compile(r"<a\s[^>]*?rel=\"next\"[^>]*?href=\"([^\"]+)\"")


def log(message: str) -> None:
    print(f"[crawl {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- Shapes -------------------------------------------------------------------------------------------------

@dataclass
class Shape:
    label: str
    path: str
    statuses: list[int] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)
    size: int = 0
    kind: str = ""  # "html", "csv", "json", "atom", ...

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def worst_ms(self) -> float:
        return max(self.times_ms)

    def misses(self) -> list[str]:
        found = [f"answered {status}" for status in sorted(set(self.statuses)) if status != 200]
        if self.kind == "html":
            if self.median_ms >= HTML_MEDIAN_MS:
                found.append(f"median {self.median_ms:,.0f} ms ≥ {HTML_MEDIAN_MS:g}")
            if self.worst_ms >= HTML_WORST_MS:
                found.append(f"worst {self.worst_ms:,.0f} ms ≥ {HTML_WORST_MS:g}")
            if self.size / 1024 >= HTML_MAX_KB:
                found.append(f"{self.size / 1024:,.0f} KB ≥ {HTML_MAX_KB:g}")
        return found


def shape_key(path: str) -> str:
    """What makes a page the same shape as another: the path with ids and slugs as placeholders, and the query's
    argument names, with the values of those that change what the page is (status, sort, window...)."""
    parts = urlsplit(path)
    route = re.sub(r"/\d+(?=/|$)", "/<id>", parts.path)
    route = re.sub(r"^(/editor)?/articles/[^/]+", r"\1/articles/<slug>", route)
    route = re.sub(r"^/(policies|reports)/[^/]+", r"/\1/<name>", route)
    query = []
    for name, value in sorted(parse_qsl(parts.query)):
        if name in ("upto", "seen"):
            continue  # the queue's snapshot, on every link of a queue page
        shaping = name in SHAPING_ARGS or (name == "desk" and not value.isdigit())
        query.append(f"{name}={value if shaping else '*'}")
    return route + ("?" + "&".join(query) if query else "")


def links(page: str) -> list[str]:
    """The site's own links in an HTML page, as paths with their query."""
    found = []
    for href in LINK.findall(page):
        href = unescape(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIPPED_PATHS.match(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


# --- Requests -----------------------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    kind: str
    size: int
    ms: float
    page: str  # the body of an HTML page, else ""


def fetch(browser: bench.Browser, path: str) -> Answer:
    """GET `path` with the browser's cookies, reading the body as it streams; the time is to the last byte."""
    connection = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=900)
    headers = {"User-Agent": bench.USER_AGENT, "Cookie": browser.cookie_header()}
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    content_type = response.headers.get("Content-Type", "")
    kind = next((k for k in ("html", "csv", "json", "atom") if k in content_type), content_type.split(";")[0])
    chunks, size = [], 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        if kind == "html":
            chunks.append(chunk)
    ms = (time.perf_counter() - started) * 1000
    browser.keep_cookies(response)
    connection.close()
    return Answer(response.status, kind, size, ms, b"".join(chunks).decode("utf-8", "replace"))


def visit(browser: bench.Browser, shape: Shape) -> str:
    answer = fetch(browser, shape.path)
    shape.statuses.append(answer.status)
    shape.times_ms.append(answer.ms)
    shape.size = max(shape.size, answer.size)
    shape.kind = answer.kind
    return answer.page


def follow_next(browser: bench.Browser, path: str, times: int) -> tuple[str, int]:
    """The queue page reached from `path` by following its "Next page" link up to `times` times (not past the
    last page, nor past a page slower than SLOW_MS), and how many times it was followed."""
    for followed in range(times):
        answer = fetch(browser, path)
        found = NEXT_LINK.search(answer.page)
        if not found or answer.ms > SLOW_MS:
            return path, followed
        path = unescape(found.group(1))
    return path, times


# --- What to visit ------------------------------------------------------------------------------------------

def picks(database_url: str) -> dict:
    """Real ids and slugs from the database: the hottest and a median article (by reports), the biggest group,
    reports of several kinds, the commonest open category, a desk, a search word, a policy."""
    from sqlalchemy import create_engine, text

    engine = create_engine(bench.sqlalchemy_url(database_url))
    with engine.connect() as connection:
        def one(sql: str, **params):
            return connection.execute(text(sql), params).scalar()

        per_article = connection.execute(text(
            "SELECT article_id, count(*) AS n FROM report GROUP BY article_id ORDER BY n DESC, article_id")).all()
        hottest, median = per_article[0], per_article[len(per_article) // 2]
        slug = {article_id: one("SELECT slug FROM article WHERE id = :id", id=article_id)
                for article_id in (hottest[0], median[0])}
        total = one("SELECT count(*) FROM report")
        median_report = one("SELECT id FROM report ORDER BY id LIMIT 1 OFFSET :n", n=total // 2)
        description = one("SELECT description FROM report WHERE id = :id", id=median_report) or ""
        words = re.findall(r"[A-Za-z]{6,}", description) or ["figure"]
        chosen = {
            "reports": total,
            "articles": one("SELECT count(*) FROM article"),
            "notices": one("SELECT count(*) FROM correction"),
            "hot_slug": slug[hottest[0]], "hot_reports": hottest[1],
            "hot_notices": one("SELECT count(*) FROM correction WHERE article_id = :id", id=hottest[0]),
            "median_slug": slug[median[0]], "median_reports": median[1],
            "median_report": median_report,
            "hot_report": one("SELECT max(id) FROM report WHERE article_id = :id", id=hottest[0]),
            "biggest_group": one("SELECT cluster_id FROM report GROUP BY cluster_id ORDER BY count(*) DESC, "
                                 "cluster_id LIMIT 1"),
            "corrected_report": one("SELECT max(id) FROM report WHERE status = 'corrected'"),
            "category": one("SELECT category FROM report WHERE status IN ('new', 'in_review') GROUP BY category "
                            "ORDER BY count(*) DESC LIMIT 1") or "factual",
            "desk": one("SELECT min(id) FROM desk"),
            "search": max(words, key=len).lower(),
            "policy": one("SELECT min(key) FROM policy"),
        }
    engine.dispose()
    return chosen


def explicit_shapes(p: dict) -> list[Shape]:
    """The shapes visited whatever the links say, so that none is missed."""
    week_ago = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    hot, median = p["hot_slug"], p["median_slug"]
    shapes = [Shape("queue, default", "/editor/")]
    shapes += [Shape(f"queue, status={s}", f"/editor/?status={s}") for s in QUEUE_STATES if s != "open"]
    for status in ("open", "all"):
        shapes += [Shape(f"queue, status={status} sort={s}", "/editor/?" + urlencode(
            {**({"status": status} if status != "open" else {}), "sort": s})) for s in QUEUE_SORTS if s != "newest"]
    filters = {
        f"category={p['category']}": {"category": p["category"]},
        "assignee=me": {"assignee": "me"}, "assignee=unassigned": {"assignee": "unassigned"},
        "desk=mine": {"desk": "mine"}, "desk=none": {"desk": "none"},
        **({f"desk={p['desk']}": {"desk": p["desk"]}} if p["desk"] else {}),
        f"since={week_ago}": {"since": week_ago},
        "hottest article, open": {"article": hot}, "hottest article, status=all": {"article": hot, "status": "all"},
        "median article, status=all": {"article": median, "status": "all"},
        "search (a word of a real report)": {"q": p["search"]},
        "search, status=all": {"q": p["search"], "status": "all"},
    }
    shapes += [Shape(f"queue, {label}", "/editor/?" + urlencode(args)) for label, args in filters.items()]
    reports = {"median report": p["median_report"], "hottest article's newest report": p["hot_report"],
               "biggest group's first report": p["biggest_group"], "a corrected report": p["corrected_report"]}
    shapes += [Shape(f"report page, {label}", f"/editor/reports/{number}") for label, number in reports.items()
               if number]
    for which, slug in (("hottest", hot), ("median", median)):
        shapes += [Shape(f"editor article, {which}", f"/editor/articles/{slug}"),
                   Shape(f"editor article revisions, {which}", f"/editor/articles/{slug}/revisions"),
                   Shape(f"editor article edit form, {which}", f"/editor/articles/{slug}/edit"),
                   Shape(f"public article, {which}", f"/articles/{slug}"),
                   Shape(f"public article revisions, {which}", f"/articles/{slug}/revisions"),
                   Shape(f"public article feed, {which}", f"/articles/{slug}/corrections.atom"),
                   Shape(f"report form, {which}", f"/articles/{slug}/report")]
    shapes += [Shape(f"metrics, {f'days={days}' if days else 'default window'}",
                     "/editor/metrics" + (f"?days={days}" if days else "")) for days in METRICS_WINDOWS]
    shapes += [Shape("unannounced changes", "/editor/changes"), Shape("saved views", "/editor/views"),
               Shape("account", "/editor/account")]
    shapes += [Shape(f"admin, {name or 'home'}", f"/editor/admin{'/' + name if name else ''}")
               for name in ("", "editors", "desks", "clocks", "answers", "policies", "tokens", "webhooks", "outbox")]
    if p["desk"]:
        shapes.append(Shape("admin, one desk", f"/editor/admin/desks/{p['desk']}"))
    shapes += [Shape("public home", "/"), Shape("public corrections log", "/corrections"),
               Shape("public transparency", "/transparency"), Shape("public Atom feed", "/corrections.atom")]
    if p["policy"]:
        shapes.append(Shape("public policy", f"/policies/{quote(p['policy'])}"))
    return shapes


def deep_shapes(browser: bench.Browser) -> list[Shape]:
    """Queue and log pages deep in the list, reached as people reach them: following "Next page" ("Older")."""
    found = []
    starts = (("queue, default", "/editor/"), ("queue, status=all sort=due", "/editor/?status=all&sort=due"),
              ("public corrections log", "/corrections"))
    for label, start in starts:
        for times in DEEP_PAGES:
            path, followed = follow_next(browser, start, times)
            found.append(Shape(f"{label}, page {followed + 1} (\"Next page\" × {followed})", path))
            if followed < times:
                break  # as deep as it goes
    return found


def discover(browser: bench.Browser, shapes: list[Shape], pages: dict[str, str]) -> list[Shape]:
    """Shapes the visited pages link to and the list lacks, breadth first, each visited once as it is found."""
    seen = {shape_key(shape.path) for shape in shapes}
    frontier = [path for shape in shapes for path in links(pages.get(shape.path, ""))]
    found: list[Shape] = []
    while frontier and len(found) < DISCOVERED_MAX:
        following = []
        for path in frontier:
            key = shape_key(path)
            if key in seen or path.endswith(".csv") or "/export" in path:
                continue
            seen.add(key)
            shape = Shape(key, path)
            following += links(visit(browser, shape))
            found.append(shape)
            if len(found) >= DISCOVERED_MAX:
                break
        frontier = following
    return found


def export_shapes(pages: dict[str, str], every: bool) -> list[Shape]:
    """The full CSV export and the default view's; with `every`, each export the queue pages link to (one per
    filter shape: at 1M reports each takes minutes)."""
    full, default = "/editor/export.csv?status=all", "/editor/export.csv"
    found = {full: Shape("CSV export, every report", full), default: Shape("CSV export, the default view", default)}
    for page in pages.values() if every else ():
        for path in links(page):
            if "/export" in path and shape_key(path) not in {shape_key(p) for p in found}:
                found[path] = Shape(f"CSV export, {shape_key(path)}", path)
    return list(found.values())


# --- The run ------------------------------------------------------------------------------------------------

@dataclass
class Memory:
    after_crawl: tuple[float, float] = (0.0, 0.0)  # VmRSS, VmHWM in MB
    after_export: tuple[float, float] = (0.0, 0.0)
    export_alone: tuple[float, float, float] = (0.0, 0.0, 0.0)  # fresh server: VmRSS before, after, VmHWM

    def misses(self) -> list[str]:
        found = []
        for label, rss in (("after the crawl", self.after_crawl[0]), ("after the full export", self.after_export[0]),
                           ("fresh server after the export", self.export_alone[1])):
            if rss >= RSS_LIMIT_MB:
                found.append(f"server RSS {label}: {rss:,.0f} MB ≥ {RSS_LIMIT_MB:g}")
        return found


def crawl(server: bench.Server, p: dict, repeats: int, every_export: bool) -> tuple[list[Shape], list[Shape], Memory]:
    """The listed shapes (and the CSV exports), the shapes found by following links, and the server's memory."""
    browser = bench.Browser(server.port).log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    memory = Memory()
    listed = explicit_shapes(p) + deep_shapes(browser)
    log(f"visiting {len(listed)} listed shapes, then what they link to")
    pages = {shape.path: visit(browser, shape) for shape in listed}
    found = discover(browser, listed, pages)
    log(f"{len(listed) + len(found)} shapes; {repeats - 1} more visits of each")
    for _ in range(repeats - 1):
        for shape in listed + found:
            if shape.worst_ms <= SLOW_MS:
                visit(browser, shape)
    memory.after_crawl = server.memory_mb()
    exports = export_shapes(pages, every_export)
    log(f"{len(exports)} CSV exports, once each")
    for shape in exports:
        visit(browser, shape)
    memory.after_export = server.memory_mb()
    return listed + exports, found, memory


def export_alone(env: dict, folder: Path, pin: bool) -> tuple[float, float, float]:
    """A fresh server that logs the admin in and makes the full CSV export: its RSS before and after, and peak."""
    server = start_server(env, folder, pin, "export")
    try:
        browser = bench.Browser(server.port).log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
        before = server.memory_mb()[0]
        fetch(browser, "/editor/export.csv?status=all")
        after, peak = server.memory_mb()
        return before, after, peak
    finally:
        server.stop()


def start_server(env: dict, folder: Path, pin: bool, name: str) -> bench.Server:
    return bench.Server(name, [str(bench.CORRECTIONS), "serve", "--port", "{port}", "--threads", "4"], env, folder,
                        cwd=bench.ROOT, pin=pin).start("/healthz")


class Source:
    """The crawl's database: generated, or a copy of an existing one (a SQLite file, an instance folder, or a
    PostgreSQL database copied with CREATE DATABASE ... TEMPLATE). The source is only read."""

    def __init__(self, args, folder: Path):
        self.args, self.folder = args, folder
        self.generated: bench.Database | None = None
        self.copy_name: str | None = None
        self.server_url: str | None = None
        self.url = ""
        self.label = ""

    def prepare(self, env: dict) -> str:
        """Make the database and return its URL; says in self.label where the data came from."""
        source = self.args.copy_from
        instance = self.folder / "instance"
        instance.mkdir()
        if source is None:
            self.generated = bench.Database(self.folder, self.args.database_url, self.args.reports)
            env["CORRECTIONS_DATABASE_URL"] = self.url = self.generated.url
            bench.corrections(env, "db", "upgrade")
            self.label = bench.fill(env, self.args.reports, self.args.articles)
            return self.url
        if bench.is_postgres(source):
            self.copy_name = f"corrections_crawl_{os.getpid()}"
            self.server_url, self.url = bench.copy_postgres(source, self.copy_name)
            self.label = f"a copy of PostgreSQL database {source.rsplit('/', 1)[-1]}"
        else:
            self.url = bench.copy_sqlite(Path(source), instance / "corrections.sqlite3", instance)
            self.label = f"a copy of {Path(source).name}"
        env["CORRECTIONS_DATABASE_URL"] = self.url
        bench.corrections(env, "db", "upgrade")  # the copy, to this code's migrations
        return self.url

    def close(self, keep: bool) -> None:
        if self.generated is not None:
            self.generated.close(keep)
        if self.copy_name and not keep:
            import psycopg

            with psycopg.connect(self.server_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.copy_name}" WITH (FORCE)')


def database_label(url: str) -> str:
    if url.startswith("sqlite"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(url) as connection:
        return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0].split()[0]


# --- Output -------------------------------------------------------------------------------------------------

def row(shape: Shape) -> str:
    misses = shape.misses()
    verdict = "❌ " + "; ".join(misses) if misses else ("✅" if shape.kind == "html" else "–")
    path = shape.path if len(shape.path) <= 70 else shape.path[:67] + "…"
    return (f"| {shape.label} | `{path}` | {', '.join(str(s) for s in sorted(set(shape.statuses)))} "
            f"| {shape.median_ms:,.0f} | {shape.worst_ms:,.0f} | {shape.size / 1024:,.0f} | {verdict} |")


def markdown(listed: list[Shape], found: list[Shape], memory: Memory, p: dict, context: dict,
             every_row: bool) -> str:
    """The listed shapes and exports, then those found by following links: all of them, or those that miss."""
    lines = [f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, crawl, {context['database']}, {p['reports']:,} reports",
             "", f"Code {context['code']}; data: {context['data']} ({p['articles']:,} articles, {p['notices']:,} "
                 f"notices; hottest article {p['hot_reports']:,} reports and {p['hot_notices']:,} notices, median "
                 f"article {p['median_reports']:,}). {context['machine']}", "",
             f"One admin, sequential requests, {context['repeats']} visits of each shape (the first is the first "
             "visit), CSV exports once; targets: HTML median < 100 ms, worst < 250 ms, < 300 KB.", "",
             "| page shape | request | status | median ms | worst ms | size KB | target |",
             "|---|---|---|---:|---:|---:|---|"]
    lines += [row(shape) for shape in listed]
    shown = found if every_row else [shape for shape in found if shape.misses()]
    lines += [row(shape) for shape in shown]
    if found and not every_row:
        html = [shape for shape in found if shape.kind == "html"]
        slowest = max(html, key=lambda shape: shape.median_ms) if html else None
        lines += ["", f"Found by following links: {len(found)} more shapes (query values as `*` but for status, "
                      f"sort and window); {len(shown)} of them miss a target and are listed above"
                  + (f"; the slowest median of the others' is {slowest.median_ms:,.0f} ms (`{slowest.label}`)"
                     if slowest and not slowest.misses() else "") + ". `--every-row` lists them all."]
    before, after, peak = memory.export_alone
    ok = "❌" if memory.misses() else "✅"
    lines += ["", f"Server memory: VmRSS {memory.after_crawl[0]:,.0f} MB after the crawl (peak VmHWM "
                  f"{memory.after_crawl[1]:,.0f} MB), {memory.after_export[0]:,.0f} MB after the CSV exports (peak "
                  f"{memory.after_export[1]:,.0f} MB); a fresh server making only the full export: {before:,.0f} → "
                  f"{after:,.0f} MB, peak {peak:,.0f} MB. Target < {RSS_LIMIT_MB:g} MB {ok}.", ""]
    return "\n".join(lines) + "\n"


def machine_line() -> str:
    import platform

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    load = os.getloadavg()[0]
    return (f"Machine: {platform.node()}, {model}, nproc {os.cpu_count()}, load average {load:.1f} at the end; "
            f"Python {platform.python_version()}; server: waitress, 4 threads, pinned to CPU {bench.SERVER_CPU}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000, help="Reports to generate (default 10,000).")
    parser.add_argument("--articles", type=int, default=5000, help="Articles to generate (default 5,000).")
    parser.add_argument("--database-url", default=None,
                        help="A PostgreSQL server URL: the generated database goes there (SQLite otherwise).")
    parser.add_argument("--copy-from", default=None,
                        help="Crawl a copy of this database instead of generating one: a SQLite file, an instance "
                             "folder, or a PostgreSQL database URL (copied with CREATE DATABASE ... TEMPLATE).")
    parser.add_argument("--repeats", type=int, default=5, help="Visits of each shape (default 5).")
    parser.add_argument("--every-row", action="store_true",
                        help="List every shape found by following links, not only those that miss a target.")
    parser.add_argument("--every-export", action="store_true",
                        help="Make every CSV export the queue pages link to, not only the full and default ones.")
    parser.add_argument("--append-readme", action="store_true", help="Add the table to bench/README.md.")
    parser.add_argument("--keep", action="store_true", help="Keep the folder and database (for --copy-from).")
    parser.add_argument("--no-pin", action="store_true", help="Do not pin the server with taskset.")
    args = parser.parse_args()
    if args.database_url and args.copy_from:
        raise SystemExit("--database-url makes a database; --copy-from copies one: give one of them.")
    pin = not args.no_pin and shutil.which("taskset") is not None and int(bench.SERVER_CPU) in os.sched_getaffinity(0)
    if not pin and not args.no_pin:
        log("taskset or CPU 0 unavailable: the server runs unpinned")

    folder = Path(tempfile.mkdtemp(prefix="corrections-crawl-"))
    source = Source(args, folder)
    servers: list[bench.Server] = []
    try:
        env = {key: value for key, value in os.environ.items() if not key.startswith("CORRECTIONS_")}
        env.update({"CORRECTIONS_INSTANCE_PATH": str(folder / "instance"), "CORRECTIONS_RATELIMIT_ENABLED": "false"})
        url = source.prepare(env)
        bench.make_editor(env, ADMIN_EMAIL, "Crawl Admin", ADMIN_PASSWORD, admin=True)
        p = picks(url)
        log(f"{p['reports']:,} reports; hottest article {p['hot_slug']} ({p['hot_reports']:,} reports)")
        code = bench.code_version()  # what the server runs, read as it starts
        server = start_server(env, folder, pin, "app")
        servers.append(server)
        listed, found, memory = crawl(server, p, max(1, args.repeats), args.every_export)
        server.stop()
        log("the full CSV export on a fresh server")
        memory.export_alone = export_alone(env, folder, pin)
        context = {"database": database_label(url), "code": code, "data": source.label,
                   "machine": machine_line(), "repeats": max(1, args.repeats)}
        text = markdown(listed, found, memory, p, context, args.every_row)
        print(text)
        if args.append_readme:
            bench.append_to_readme(text)
        missed = [f"{shape.label} ({shape.path}): {'; '.join(shape.misses())}" for shape in listed + found
                  if shape.misses()]
        missed += memory.misses()
        if missed:
            print(f"{len(missed)} targets missed:\n- " + "\n- ".join(missed), file=sys.stderr)
            sys.exit(1)
    finally:
        for server in servers:
            server.stop()
        source.close(args.keep)
        if args.keep:
            log(f"kept {folder}" + (f" and database {source.copy_name or source.url}" if source.url else ""))
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
