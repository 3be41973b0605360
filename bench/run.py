"""The benchmark: the real server against three tiny baselines, over loopback, with wrk (see bench/README.md).

    .venv/bin/python bench/run.py --quick                      # smoke check, under ~2 minutes
    .venv/bin/python bench/run.py --reports 10000,1000000      # both sizes, 3 interleaved repetitions
    .venv/bin/python bench/run.py --database-url postgresql://127.0.0.1/postgres

For each size it makes a database of its own in a temporary folder, fills it (`corrections gen-fake`, or
`seed-demo` while gen-fake does not exist), starts `corrections serve --threads 4` and the three baselines
under waitress with the same settings, all pinned to CPU 0, and drives each with `wrk -t1 -c4` pinned to
CPU 1. Every scenario runs back to back with its baseline in each repetition; the table shows medians of
the absolute figures and the median of the same-repetition ratios.
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
CORRECTIONS = BIN / "corrections"
LUA = BENCH / "wrk" / "bench.lua"
README = BENCH / "README.md"
RESULTS_MARK = "<!-- results: bench/run.py --append-readme adds below this line -->"

SERVER_CPU, CLIENT_CPU = "0", "1"
EDITOR_EMAIL = "bench-editor@example.org"
EDITOR_PASSWORD = "bench correct horse battery staple"
USER_AGENT = "corrections-bench/1"
DESCRIPTION = "Benchmark report: the figure in this passage does not match the council's published minutes."


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- Scenarios and targets ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    baseline: str  # a key of BASELINES
    session: str = ""  # "editor" or "reader": which cookie wrk sends
    expect: int = 200
    kind: str = "read"  # "read", "post", "dashboard" (p99 target and size change)


SCENARIOS = [
    Scenario("article_warm", "Article page with notices, warm (one article)", "hello"),
    Scenario("article_cold", "Article page, cold (a different article each request)", "article_rot"),
    Scenario("report_post", "Report POST (form, real CSRF token, 303)", "insert", session="reader", expect=303,
             kind="post"),
    Scenario("queue_default", "Editor queue, default view", "article", session="editor", kind="dashboard"),
    Scenario("queue_filter", "Editor queue, a filter", "article", session="editor", kind="dashboard"),
    Scenario("queue_search", "Editor queue, a text search", "article", session="editor", kind="dashboard"),
    Scenario("queue_deep", "Editor queue, a deep page", "article", session="editor", kind="dashboard"),
    Scenario("report_page", "Editor report page", "article", session="editor", kind="dashboard"),
    Scenario("log", "Corrections log", "article", kind="dashboard"),
    Scenario("atom", "Atom feed", "hello"),
    Scenario("api", "API read (the embed's notices)", "hello"),
]

BASELINES = {
    "hello": "hello-world Flask, static 5 KB page",
    "article": "minimal Flask-SQLAlchemy article page (one article)",
    "article_rot": "minimal Flask-SQLAlchemy article page (same rotation)",
    "insert": "minimal insert-one-row POST",
}
BASELINE_SERVER = {"hello": "hello", "article": "article", "article_rot": "article", "insert": "insert"}

# From the performance issue. Read-side ratios are req/s against the baseline; dashboard pages have absolute
# p99 limits at the largest size and may not slow down more than 1.5x from the smallest size.
RATIO_TARGETS = {"article_warm": 0.75, "article_cold": 0.80, "atom": 0.75, "api": 0.75, "report_post": 0.70}
POST_P99_FACTOR = 2.0
DASHBOARD_P99_MS = 100.0
DASHBOARD_GROWTH = 1.5
RSS_LIMIT_MB = 200.0


# --- Processes ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A waitress server in a subprocess, pinned to the server CPU (taskset execs, so the pid is the server's)."""

    def __init__(self, name: str, command: list[str], env: dict, folder: Path, cwd: Path | None = None,
                 pin: bool = True):
        self.name = name
        self.port = free_port()
        self.command = [c.replace("{port}", str(self.port)) for c in command]
        if pin:
            self.command = ["taskset", "-c", SERVER_CPU, *self.command]
        self.env, self.cwd = env, cwd
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, health: str = "/") -> "Server":
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdout=out,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited at start:\n{self.log.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", health)
                connection.getresponse().read()
                connection.close()
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer in 120 s:\n{self.log.read_text()[-3000:]}")

    def memory_mb(self) -> tuple[float, float]:
        """Resident set now and at its peak (VmRSS, VmHWM), in MB."""
        values = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0]) / 1024
        return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class OthersMeter:
    """How much CPU everything but the benchmark (its servers, wrk and itself) used since it was made."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.start = (time.monotonic(), self._busy(), self._ours())

    @staticmethod
    def _busy() -> int:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
        return user + nice + system + irq + softirq + steal

    def _ours(self) -> int:
        ticks = os.sysconf("SC_CLK_TCK")
        own = os.times()
        total = round((own.user + own.system + own.children_user + own.children_system) * ticks)
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except OSError:
                pass
        return total

    def cores(self) -> float:
        elapsed = time.monotonic() - self.start[0]
        others = (self._busy() - self.start[1]) - (self._ours() - self.start[2])
        return max(0.0, others / os.sysconf("SC_CLK_TCK") / elapsed) if elapsed > 0 else 0.0


class Browser:
    """One client with its own cookies, to log in and open the report form as a person would."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        self.keep_cookies(response)
        connection.close()
        return response.status, dict(response.headers), text

    def keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def log_in(self, email: str, password: str) -> "Browser":
        """Log in through the form, as a person does; the session cookie then goes with every request."""
        _, _, page = self.request("GET", "/editor/login")
        status, _, _ = self.request("POST", "/editor/login", {
            "csrf_token": Browser.csrf_token(page), "email": email, "password": password})
        if status != 302:
            raise SystemExit(f"{email} could not log in (answer {status}).")
        return self

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    @staticmethod
    def csrf_token(page: str) -> str:
        found = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"', page)
        if not found:
            raise SystemExit("No CSRF token in the page: the form changed?")
        return unescape(found.group(1))


def corrections(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(CORRECTIONS), *args], env=env, input=stdin, capture_output=True, text=True,
                          cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"`corrections {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def make_editor(env: dict, email: str, name: str, password: str, *, admin: bool = False) -> None:
    """The bench's editor account; in a copied database that has it from an earlier run, its password set again."""
    try:
        corrections(env, "create-editor", email, "--name", name, *(["--admin"] if admin else []), "--password-stdin",
                    stdin=password + "\n")
    except SystemExit:
        corrections(env, "set-password", email, "--password-stdin", stdin=password + "\n")


def has_gen_fake(env: dict) -> bool:
    done = subprocess.run([str(CORRECTIONS), "gen-fake", "--help"], env=env, capture_output=True, text=True,
                          cwd=ROOT)
    return done.returncode == 0


# --- wrk ----------------------------------------------------------------------------------------------------

@dataclass
class Run:
    rps: float
    p50: float  # ms
    p99: float  # ms
    requests: int
    statuses: dict[int, int]
    errors: dict[str, int]

    def problems(self, expect: int) -> list[str]:
        found = [f"{n} answered {s}" for s, n in sorted(self.statuses.items()) if s != expect]
        found += [f"{n} {kind} errors" for kind, n in self.errors.items() if n and kind != "status"]
        if not self.requests:
            found.append("no requests completed")
        return found


def wrk(port: int, requests_file: Path, seconds: int, connections: int, cookie: str = "") -> Run:
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file), "BENCH_COOKIE": cookie, "BENCH_UA": USER_AGENT}
    command = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "60s", "-s", str(LUA), f"http://127.0.0.1:{port}/"]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({' '.join(command)}):\n{done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    return Run(rps=data["requests"] / (data["duration_us"] / 1e6), p50=data["p50_us"] / 1000,
               p99=data["p99_us"] / 1000, requests=data["requests"],
               statuses={int(k): v for k, v in data["statuses"].items()}, errors=data["errors"])


# --- Databases ----------------------------------------------------------------------------------------------

def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith(("postgres://", "postgresql://")) else url


def copy_sqlite(source: Path, target: Path, instance: Path | None = None) -> str:
    """Copy a SQLite database to `target` and return its URL: a file with its write-ahead log, if any (SQLite
    replays the log into the copy when it opens it), or the *.sqlite3 file of an instance folder, whose other files
    (the secret key) go to `instance` when given. The source is only read."""
    if source.is_dir():
        files = sorted(source.glob("*.sqlite3"))
        if not files:
            raise SystemExit(f"No *.sqlite3 file in {source}.")
        if instance is not None:
            for item in source.iterdir():
                if item.is_file() and not item.name.endswith(("-shm", "-wal", ".sqlite3")):
                    shutil.copy2(item, instance / item.name)
        source = files[0]
    elif not source.is_file():
        raise SystemExit(f"No SQLite file at {source}.")
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy2(f"{source}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"


def copy_postgres(source: str, name: str) -> tuple[str, str]:
    """Copy a PostgreSQL database with CREATE DATABASE name TEMPLATE source; returns the server's URL (its
    `postgres` database, to drop the copy later) and the copy's URL. The source is only read."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(source)
    server_url = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    log(f"copying PostgreSQL database {url.database} to {name}")
    for attempt in range(60):
        try:
            with psycopg.connect(server_url, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
            break
        except psycopg.errors.ObjectInUse:
            # A template must have no other session: someone is reading it; try again shortly.
            if attempt == 59:
                raise SystemExit(f"{url.database} stayed in use by other sessions; could not copy it.") from None
            time.sleep(5)
    return server_url, url.set(database=name).render_as_string(hide_password=False)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


class Database:
    """The benchmark's database for one size: a SQLite file in the folder, or a fresh PostgreSQL database; with
    `copy_from`, a copy of an existing database (a SQLite file or instance folder, or a PostgreSQL URL)."""

    def __init__(self, folder: Path, server_url: str | None, size: int, copy_from: str | None = None):
        self.server_url = server_url
        self.name = None
        self._engine = None
        self.copied = copy_from
        if copy_from and is_postgres(copy_from):
            self.name = f"corrections_bench_{os.getpid()}_{size}"
            self.server_url, self.url = copy_postgres(copy_from, self.name)
            self.insert_url = self.url
            self.label = "PostgreSQL " + self._scalar("SHOW server_version").split()[0]
        elif server_url:
            from sqlalchemy.engine import make_url

            self.name = f"corrections_bench_{os.getpid()}_{size}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.url = make_url(server_url).set(database=self.name).render_as_string(hide_password=False)
            self.insert_url = self.url
            self.label = "PostgreSQL " + self._scalar("SHOW server_version").split()[0]
        else:
            import sqlite3

            self.url = f"sqlite:///{folder / 'corrections.sqlite3'}"
            if copy_from:
                copy_sqlite(Path(copy_from), folder / "corrections.sqlite3")
            self.insert_url = f"sqlite:///{folder / 'insert-baseline.sqlite3'}"
            self.label = f"SQLite {sqlite3.sqlite_version}"

    def _admin(self, statement: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        conninfo = make_url(self.server_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(statement)

    def engine(self):
        from sqlalchemy import create_engine

        if self._engine is None:
            options = {"connect_args": {"timeout": 30}} if self.url.startswith("sqlite") else {}
            self._engine = create_engine(sqlalchemy_url(self.url), **options)
        return self._engine

    def _scalar(self, sql: str, **params):
        from sqlalchemy import text

        with self.engine().connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def report_mark(self) -> int:
        return self._scalar("SELECT coalesce(max(id), 0) FROM report")

    def reports_since(self, mark: int) -> tuple[int, int]:
        """How many reports were added after the mark, and how many of them were held as spam."""
        from sqlalchemy import text

        with self.engine().connect() as connection:
            added, spam = connection.execute(text(
                "SELECT count(*), coalesce(sum(CASE WHEN status = 'spam' THEN 1 ELSE 0 END), 0) "
                "FROM report WHERE id > :mark"), {"mark": mark}).one()
        return int(added), int(spam)

    def remove_reports_since(self, mark: int) -> None:
        """Take the benchmark's own POSTs out again, so every repetition and size sees the same data."""
        from sqlalchemy import text

        with self.engine().begin() as connection:
            for sql in ("DELETE FROM outbox_message WHERE report_id > :mark",
                        "DELETE FROM correction_report WHERE report_id > :mark",
                        "DELETE FROM event WHERE report_id > :mark",
                        "UPDATE report SET duplicate_of_id = NULL WHERE duplicate_of_id > :mark",
                        "DELETE FROM report WHERE id > :mark"):
                connection.execute(text(sql), {"mark": mark})

    def close(self, keep: bool) -> None:
        if self._engine is not None:
            self._engine.dispose()
        if self.name and not keep:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- One size -----------------------------------------------------------------------------------------------

@dataclass
class SizeResult:
    size: int
    data_label: str
    database: str
    picks: dict
    runs: dict[str, list[tuple[Run, Run]]] = field(default_factory=dict)  # scenario → [(scenario, baseline)]
    problems: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rss_mb: float = 0.0
    peak_mb: float = 0.0
    baseline_rss_mb: dict[str, float] = field(default_factory=dict)
    post_checks: list[tuple[int, int, int]] = field(default_factory=list)  # (303 answers, reports added, spam)
    code: str = ""  # the commit the server ran, and whether the app's files had uncommitted changes
    others_cpu: float = 0.0  # CPU used by other processes while measuring, in cores (1.0 = one CPU all along)


def write_requests(path: Path, lines: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in lines))
    return path


def fill(env: dict, size: int, articles: int) -> str:
    started = time.monotonic()
    if has_gen_fake(env):
        log(f"corrections gen-fake --articles {articles} --reports {size} --seed 1")
        corrections(env, "gen-fake", "--articles", str(articles), "--reports", str(size), "--seed", "1")
        return f"gen-fake --articles {articles} --reports {size} --seed 1 ({time.monotonic() - started:.0f} s)"
    log(f"`corrections gen-fake` is not available: using seed-demo; the data is NOT {size:,} reports")
    corrections(env, "seed-demo")
    return "seed-demo (gen-fake not available yet: the requested size was NOT reached)"


def run_size(size: int, args, reps: int, seconds: int) -> SizeResult:
    folder = Path(tempfile.mkdtemp(prefix=f"corrections-bench-{size}-"))
    copy_from = args.copy_from if size == args.sizes[-1] else None
    database = Database(folder, args.database_url, size, copy_from)
    servers: list[Server] = []
    try:
        env = {key: value for key, value in os.environ.items() if not key.startswith("CORRECTIONS_")}
        env.update({
            "CORRECTIONS_INSTANCE_PATH": str(folder / "instance"),
            "CORRECTIONS_DATABASE_URL": database.url,
            "CORRECTIONS_RATELIMIT_ENABLED": "false",
            "CORRECTIONS_SPAM_MIN_SECONDS": "0",
        })
        log(f"{size:,} reports: database {database.label} in {folder}")
        corrections(env, "db", "upgrade")  # a copy: to this code's migrations
        if copy_from:
            data_label = f"a copy of {copy_from.rstrip('/').rsplit('/', 1)[-1]}"
        else:
            data_label = fill(env, size, args.articles)
        make_editor(env, EDITOR_EMAIL, "Bench Editor", EDITOR_PASSWORD)
        prepared = subprocess.run([sys.executable, str(BENCH / "prepare.py"), EDITOR_EMAIL], env=env,
                                  capture_output=True, text=True, cwd=ROOT)
        if prepared.returncode != 0:
            raise SystemExit(f"bench/prepare.py failed:\n{prepared.stdout}\n{prepared.stderr}")
        picks = json.loads(prepared.stdout.strip().splitlines()[-1])
        log(f"data: {picks['articles']:,} articles, {picks['reports']:,} reports, {picks['corrections']:,} "
            f"notices ({picks['notices_published_here']} published by the bench); warm article "
            f"{picks['warm_slug']} ({picks['warm_notices']} notices), {len(picks['cold_slugs']):,} cold articles, "
            f"report {picks['report_id']}, deep queue page after {picks['queue_deep_depth']:,} open reports "
            f"({picks['queue_deep_groups']} groups on it)")
        result = SizeResult(size, data_label, database.label, picks)

        result.code = code_version()
        app = Server("app", [str(CORRECTIONS), "serve", "--port", "{port}", "--threads", "4"], env, folder,
                     cwd=ROOT, pin=not args.no_pin).start("/healthz")
        servers.append(app)
        base_env = {**env, "BENCH_DATABASE_URL": database.url}
        waitress = [sys.executable, "-m", "waitress", "--listen=127.0.0.1:{port}", "--threads=4",
                    "--ident=corrections"]
        baselines = {
            "hello": Server("hello", [*waitress, "hello:app"], base_env, folder, cwd=BENCH / "baselines",
                            pin=not args.no_pin),
            "article": Server("article", [*waitress, "article:app"], base_env, folder, cwd=BENCH / "baselines",
                              pin=not args.no_pin),
            "insert": Server("insert", [*waitress, "insert:app"], {**env, "BENCH_DATABASE_URL": database.insert_url},
                             folder, cwd=BENCH / "baselines", pin=not args.no_pin),
        }
        for server in baselines.values():
            servers.append(server.start("/"))

        # Sessions, made as a person would: the editor logs in; a reader opens the report form.
        editor = Browser(app.port).log_in(EDITOR_EMAIL, EDITOR_PASSWORD)
        posts = picks["posts"] or [{"slug": picks["warm_slug"], "passage": ""}]
        reader = Browser(app.port)
        status, _, page = reader.request("GET", f"/articles/{posts[0]['slug']}/report")
        if status != 200:
            raise SystemExit(f"The report form answered {status}.")
        token = Browser.csrf_token(page)
        cookies = {"editor": editor.cookie_header(), "reader": reader.cookie_header(), "": ""}

        # What wrk sends, scenario by scenario; the baselines serve the same paths.
        files = folder / "requests"
        files.mkdir()
        warm = [("GET", f"/articles/{picks['warm_slug']}", "")]
        cold = [("GET", f"/articles/{slug}", "") for slug in picks["cold_slugs"]]
        post_lines = [("POST", f"/articles/{p['slug']}/report", urlencode({
            "csrf_token": token, "category": "factual", "passage": p["passage"], "description": DESCRIPTION,
            "name": "Bench Reader"})) for p in posts]
        requests = {
            "article_warm": warm,
            "article_cold": cold,
            "report_post": post_lines,
            "queue_default": [("GET", "/editor/", "")],
            "queue_filter": [("GET", f"/editor/?category={picks['queue_category']}", "")],
            "queue_search": [("GET", f"/editor/?q={quote(picks['queue_search'])}", "")],
            "queue_deep": [("GET", "/editor/?" + urlencode(picks["queue_deep_args"]), "")],
            "report_page": [("GET", f"/editor/reports/{picks['report_id']}", "")],
            "log": [("GET", "/corrections", "")],
            "atom": [("GET", "/corrections.atom", "")],
            "api": [("GET", f"/api/v1/notices?url={quote(picks['warm_url'], safe='')}", "")],
            "base:hello": warm,
            "base:article": warm,
            "base:article_rot": cold,
            "base:insert": post_lines,
        }
        paths = {key: write_requests(files / f"{key.replace(':', '-')}.txt", lines) for key, lines in requests.items()}
        labels = {
            "queue_filter": f"Editor queue, a filter (category={picks['queue_category']})",
            "queue_search": f"Editor queue, a text search (q={picks['queue_search']})",
            "queue_deep": f"Editor queue, a deep page (after {picks['queue_deep_depth']:,} of the open reports)",
            "report_page": f"Editor report page (/editor/reports/{picks['report_id']})",
            "api": "API read (/api/v1/notices?url=…)",
            "atom": "Atom feed (/corrections.atom)",
            "log": "Corrections log (/corrections)",
            "article_cold": f"Article page, cold ({len(cold):,} articles in turn, {picks['cold_with_notices']:,} "
                            f"with notices; page cache {picks['page_cache_pages']:,})",
            "article_warm": f"Article page with notices, warm ({picks['warm_notices']} notice"
                            f"{'s' if picks['warm_notices'] != 1 else ''})",
        }
        result.notes.append(json.dumps(labels))
        if len(cold) <= picks["page_cache_pages"]:
            result.problems.setdefault("article_cold", []).append(
                f"the cold list ({len(cold):,} articles) fits in the app's page cache "
                f"({picks['page_cache_pages']:,} pages): these were cache hits; use more --articles")
        scenarios = [s for s in SCENARIOS if not args.only or s.key in args.only]

        def measure(scenario: Scenario, baseline: bool, duration: int) -> Run:
            if baseline:
                key = "base:" + scenario.baseline
                server = baselines[BASELINE_SERVER[scenario.baseline]]
                return wrk(server.port, paths[key], duration, args.connections)
            mark = database.report_mark() if scenario.kind == "post" else 0
            run = wrk(app.port, paths[scenario.key], duration, args.connections, cookies[scenario.session])
            if scenario.kind == "post":
                # Every POST must have filed a real report: the rows must match the 303s (wrk stops with up
                # to one request per connection in flight, which the server still files), none held as spam.
                added, spam = database.reports_since(mark)
                # wrk stops with requests in flight: wait until the server has filed them all.
                for _ in range(50):
                    time.sleep(0.2)
                    settled = database.reports_since(mark)
                    if settled == (added, spam):
                        break
                    added, spam = settled
                answered = run.statuses.get(303, 0)
                result.post_checks.append((answered, added, spam))
                if not 0 <= added - answered <= args.connections or spam:
                    result.problems.setdefault(scenario.key, []).append(
                        f"{answered} POSTs answered 303 but {added} reports were added ({spam} held as spam)")
                database.remove_reports_since(mark)
            return run

        meter = OthersMeter([server.process.pid for server in servers])
        log(f"warming up: {len(scenarios)} scenarios and their baselines, {args.warmup} s each")
        for scenario in scenarios:
            measure(scenario, False, args.warmup)
            measure(scenario, True, args.warmup)

        for rep in range(reps):
            for scenario in scenarios:
                # Alternate who goes first, so neither side always gets the fresher machine.
                order = (False, True) if rep % 2 == 0 else (True, False)
                runs = {baseline: measure(scenario, baseline, seconds) for baseline in order}
                pair = (runs[False], runs[True])
                result.runs.setdefault(scenario.key, []).append(pair)
                for label, run, expect in (("", pair[0], scenario.expect),
                                           ("baseline: ", pair[1], 303 if scenario.kind == "post" else 200)):
                    for problem in run.problems(expect):
                        result.problems.setdefault(scenario.key, []).append(f"rep {rep + 1}: {label}{problem}")
                log(f"rep {rep + 1}/{reps} {scenario.key}: {pair[0].rps:,.0f} req/s p99 {pair[0].p99:.1f} ms; "
                    f"baseline {pair[1].rps:,.0f} req/s p99 {pair[1].p99:.1f} ms")

        result.others_cpu = meter.cores()
        if result.others_cpu > 0.1:
            log(f"other processes used {result.others_cpu:.2f} CPUs while measuring: expect noisy figures")
        result.rss_mb, result.peak_mb = app.memory_mb()
        result.baseline_rss_mb = {name: server.memory_mb()[0] for name, server in baselines.items()}
        return result
    finally:
        for server in servers:
            server.stop()
        database.close(args.keep)
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


# --- Figures and tables -------------------------------------------------------------------------------------

def median(values) -> float:
    return statistics.median(list(values))


def figures(result: SizeResult, key: str) -> dict:
    pairs = result.runs[key]
    return {
        "rps": median(s.rps for s, _ in pairs),
        "p50": median(s.p50 for s, _ in pairs),
        "p99": median(s.p99 for s, _ in pairs),
        "base_rps": median(b.rps for _, b in pairs),
        "base_p99": median(b.p99 for _, b in pairs),
        "ratio": median(s.rps / b.rps for s, b in pairs),
        "p99_ratio": median(s.p99 / b.p99 for s, b in pairs),
    }


def verdict(scenario: Scenario, f: dict, result: SizeResult, first: SizeResult | None) -> str:
    checks = []
    if scenario.key in RATIO_TARGETS:
        goal = RATIO_TARGETS[scenario.key]
        checks.append((f"≥ {goal:.0%}", f["ratio"] >= goal))
    if scenario.kind == "post":
        checks.append((f"p99 ≤ {POST_P99_FACTOR:g}×", f["p99_ratio"] <= POST_P99_FACTOR))
    if scenario.kind == "dashboard":
        checks.append((f"p99 < {DASHBOARD_P99_MS:g} ms", f["p99"] < DASHBOARD_P99_MS))
        if first is not None and first is not result and scenario.key in first.runs:
            growth = f["p99"] / figures(first, scenario.key)["p99"]
            checks.append((f"p99 ≤ {DASHBOARD_GROWTH:g}× of {first.size:,}", growth <= DASHBOARD_GROWTH))
    if result.problems.get(scenario.key):
        checks.append(("valid run", False))
    return "; ".join(f"{label} {'✅' if ok else '❌'}" for label, ok in checks) or "–"


def markdown(results: list[SizeResult], args, reps: int, seconds: int) -> str:
    first = results[0] if len(results) > 1 else None
    lines = [f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {'--quick' if args.quick else 'full run'}, "
             f"{results[0].database}", "", machine_line(reps, seconds, args.connections), ""]
    for result in results:
        labels = json.loads(result.notes[0])
        p = result.picks
        lines += [f"**{p['reports']:,} reports** (code {result.code}; {result.data_label}; {p['articles']:,} articles, "
                  f"{p['corrections']:,} notices, {p['open_reports']:,} open reports)", "",
                  "| scenario | req/s | p50 ms | p99 ms | baseline | baseline req/s | baseline p99 ms "
                  "| req/s ratio | p99 ratio | target |",
                  "|---|---:|---:|---:|---|---:|---:|---:|---:|---|"]
        for scenario in SCENARIOS:
            if scenario.key not in result.runs:
                continue
            f = figures(result, scenario.key)
            lines.append(
                f"| {labels.get(scenario.key, scenario.label)} | {f['rps']:,.0f} | {f['p50']:.1f} | {f['p99']:.1f} "
                f"| {BASELINES[scenario.baseline]} | {f['base_rps']:,.0f} | {f['base_p99']:.1f} "
                f"| {f['ratio']:.0%} | {f['p99_ratio']:.1f}× | {verdict(scenario, f, result, first)} |")
        rss_ok = "✅" if result.rss_mb < RSS_LIMIT_MB else "❌"
        base_rss = ", ".join(f"{name} {mb:.0f} MB" for name, mb in result.baseline_rss_mb.items())
        lines += ["", f"Server memory after the run: VmRSS {result.rss_mb:.0f} MB (peak VmHWM {result.peak_mb:.0f} MB;"
                      f" target < {RSS_LIMIT_MB:g} MB at 1M {rss_ok}). Baselines: {base_rss}. Other processes on "
                      f"the machine used {result.others_cpu:.2f} CPUs on average while measuring"
                      f"{' (noisy: the figures are less trustworthy)' if result.others_cpu > 0.1 else ''}.", ""]
        if result.post_checks:
            answered, added, spam = (sum(c[i] for c in result.post_checks) for i in range(3))
            lines += [f"Report POSTs (warm-up included): {answered:,} answered 303 and {added:,} reports were filed "
                      f"({spam} held as spam); the bench removes them after each run.", ""]
        for key, problems in result.problems.items():
            lines.append(f"- ⚠️ {key}: " + "; ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))
        if result.problems:
            lines.append("")
    if first is not None:
        last = results[-1]
        lines += [f"**Change from {first.picks['reports']:,} to {last.picks['reports']:,} reports**", ""]
        if first.code != last.code:
            lines += [f"⚠️ The sizes ran on different code ({first.code}, then {last.code}): the change mixes "
                      "the data's effect with the code's.", ""]
        lines += ["| scenario | req/s | p50 ms | p99 ms | req/s ratio to baseline |", "|---|---:|---:|---:|---:|"]
        for scenario in SCENARIOS:
            if scenario.key not in first.runs or scenario.key not in last.runs:
                continue
            a, b = figures(first, scenario.key), figures(last, scenario.key)
            lines.append(f"| {scenario.label} | {a['rps']:,.0f} → {b['rps']:,.0f} ({b['rps'] / a['rps'] - 1:+.0%}) "
                         f"| {a['p50']:.1f} → {b['p50']:.1f} | {a['p99']:.1f} → {b['p99']:.1f} "
                         f"(×{b['p99'] / a['p99']:.2f}) | {a['ratio']:.0%} → {b['ratio']:.0%} |")
        lines += ["", f"Server VmRSS: {first.rss_mb:.0f} MB → {last.rss_mb:.0f} MB "
                      f"(peak {first.peak_mb:.0f} → {last.peak_mb:.0f} MB).", ""]
    return "\n".join(lines) + "\n"


def code_version() -> str:
    """The commit the server is about to run (read-only git commands), marked when the app's files differ."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "corrections", "templates", "static", "migrations")
    return commit + (" with uncommitted changes" if dirty else "")


def machine_line(reps: int, seconds: int, connections: int) -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0].strip()
    from importlib.metadata import version

    return (f"Machine: {platform.node()}, {model}, nproc {nproc}, Linux {platform.release()}; Python "
            f"{platform.python_version()}, Flask {version('flask')}, waitress {version('waitress')}, "
            f"SQLAlchemy {version('sqlalchemy')}, {wrk_version}. Server and baselines: waitress, 4 threads, "
            f"pinned to CPU {SERVER_CPU}; load: wrk -t1 -c{connections} pinned to CPU {CLIENT_CPU}; "
            f"{reps} interleaved repetition{'s' if reps != 1 else ''} of {seconds} s; medians "
            f"(ratios: median of same-repetition ratios).")


def append_to_readme(text: str) -> None:
    content = README.read_text()
    if RESULTS_MARK not in content:
        content = content.rstrip() + "\n\n## Results\n\n" + RESULTS_MARK + "\n"
    README.write_text(content.rstrip() + "\n\n" + text)


# --- Main ---------------------------------------------------------------------------------------------------

def check_tools(args) -> None:
    if not CORRECTIONS.exists():
        raise SystemExit(f"No `corrections` next to {sys.executable}: run `make install`, then "
                         "`.venv/bin/python bench/run.py`.")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed. It comes from Debian's packages: `apt-get install -y wrk` "
                         "(as root), then run the benchmark again.")
    if shutil.which("taskset") is None and not args.no_pin:
        raise SystemExit("taskset is missing (Debian's util-linux); or run with --no-pin on a quiet machine.")
    cpus = os.sched_getaffinity(0)
    if not args.no_pin and not {int(SERVER_CPU), int(CLIENT_CPU)} <= cpus:
        raise SystemExit(f"This needs CPUs {SERVER_CPU} and {CLIENT_CPU} (it has {sorted(cpus)}): the server "
                         "and the load generator each get one. Use --no-pin to run unpinned (noisier).")


def run_crawls(args) -> int:
    """bench/crawl.py at each size, with this run's database server and options; 1 if any crawl missed a target."""
    worst = 0
    sizes = [int(s.replace("_", "")) for s in (args.reports or "10000").split(",")]
    for size in sizes:
        command = [sys.executable, str(BENCH / "crawl.py"), "--reports", str(size), "--articles", str(args.articles)]
        copy_from = args.copy_from if size == sizes[-1] else None
        for flag, given in (("--database-url", None if copy_from else args.database_url), ("--copy-from", copy_from),
                            ("--append-readme", args.append_readme), ("--keep", args.keep),
                            ("--no-pin", args.no_pin)):
            if given:
                command += [flag] if given is True else [flag, given]
        worst = max(worst, subprocess.run(command, cwd=ROOT).returncode)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="Smoke check: 10,000 reports, one repetition of 2 s per run, 1 s warm-up.")
    parser.add_argument("--reports", default=None,
                        help="Sizes, comma-separated (default 10000; e.g. 10000,1000000 to see the change).")
    parser.add_argument("--articles", type=int, default=5000,
                        help="Articles for gen-fake (default 5000: more than the app's page cache holds).")
    parser.add_argument("--reps", type=int, default=None, help="Repetitions (default 3; 1 with --quick).")
    parser.add_argument("--seconds", type=int, default=None, help="Seconds per wrk run (default 10; 2 with --quick).")
    parser.add_argument("--warmup", type=int, default=None, help="Seconds of warm-up per run (default 2; 1 quick).")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4).")
    parser.add_argument("--database-url", default=None,
                        help="A PostgreSQL server URL (postgresql://...): each size gets a fresh database there.")
    parser.add_argument("--copy-from", default=None,
                        help="The last size's database is a copy of this one instead of generated: a SQLite file, "
                             "an instance folder, or a PostgreSQL URL (copied with CREATE DATABASE ... TEMPLATE).")
    parser.add_argument("--only", default="", help="Comma-separated scenario keys, e.g. article_warm,report_post.")
    parser.add_argument("--append-readme", action="store_true", help="Add the results to bench/README.md.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folders and databases.")
    parser.add_argument("--no-pin", action="store_true", help="Do not pin with taskset (machines with one CPU).")
    parser.add_argument("--crawl", action="store_true",
                        help="Run bench/crawl.py at each size instead of the wrk scenarios: every page shape an "
                             "editor or admin reaches, one request at a time, against its targets.")
    args = parser.parse_args()
    if args.crawl:
        sys.exit(run_crawls(args))
    args.only = {k.strip() for k in args.only.split(",") if k.strip()}
    unknown = args.only - {s.key for s in SCENARIOS}
    if unknown:
        raise SystemExit(f"Unknown scenarios: {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(s.key for s in SCENARIOS)}")
    if args.database_url and not is_postgres(args.database_url):
        raise SystemExit("--database-url takes a PostgreSQL URL; SQLite is the default.")
    check_tools(args)

    sizes = args.sizes = [int(s.replace("_", "")) for s in (args.reports or "10000").split(",")]
    if args.copy_from and args.database_url and not is_postgres(args.copy_from):
        raise SystemExit("--copy-from a SQLite database runs on SQLite: leave out --database-url.")
    reps = args.reps or (1 if args.quick else 3)
    seconds = args.seconds or (2 if args.quick else 10)
    args.warmup = args.warmup or (1 if args.quick else 2)

    results = [run_size(size, args, reps, seconds) for size in sizes]
    text = markdown(results, args, reps, seconds)
    print(text)
    if args.append_readme:
        append_to_readme(text)
        log(f"added to {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
