"""Fixtures: a fresh app per test, on SQLite and on the real PostgreSQL.

PostgreSQL is reached at CORRECTIONS_TEST_POSTGRES_URL (default: the local server's `test`
database as `postgres`); each test process makes databases of its own there, empties them from test
to test and drops them at its end.
Without a server those tests skip with a reason, but with CI set they fail instead.
"""

import contextlib
import contextvars
import copy
import dataclasses
import gc
import importlib
import os
import shutil
import uuid
import weakref
from functools import partial
from pathlib import Path

import jinja2
import psycopg
import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from psycopg import sql
from sqlalchemy.orm import Mapper
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from corrections import MIGRATIONS, create_app
from corrections.access import accounts
from corrections.extensions import db
from corrections.infra import page_cache
from tests.helpers import login, make_editor

POSTGRES_ADMIN_URL = os.environ.get("CORRECTIONS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# pytest-xdist's worker name ("gw0", "gw1", ...), or none when the suite runs in one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def redis_test_url() -> str:
    """The Redis database of this test process: 15 for the first worker, 14 for the second, and so on,
    so that a test emptying its database never empties another worker's. CORRECTIONS_TEST_REDIS_FIRST moves
    the first worker's number down (e.g. 9), for two suites sharing one Redis server."""
    base = os.environ.get("CORRECTIONS_TEST_REDIS_URL", "redis://127.0.0.1:6379")
    first = int(os.environ.get("CORRECTIONS_TEST_REDIS_FIRST", "15"))
    number = (first - int(WORKER.removeprefix("gw") or 0)) % 16
    return f"{base.rstrip('/')}/{number}"


IN_CI = bool(os.environ.get("CI"))
# Debian's old headless shell (package chromium-headless-shell, the same engine as its chromium) where it is
# installed: Playwright's own choice for headless runs, and about a third less CPU a page than the whole browser,
# whose browser process does twice the work on each navigation. Else Debian's chromium.
CHROMIUM = os.environ.get("CORRECTIONS_TEST_CHROMIUM") or next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if os.path.exists(path)),
    "/usr/bin/chromium")


def unavailable(reason: str):
    """Skip on a developer's machine; fail in CI, where a missing server must not hide."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def needed(module: str, reason: str = ""):
    """A module of the test extra: skipped without it on a developer's machine, a failure in CI."""
    try:
        return importlib.import_module(module)
    except ImportError:
        unavailable(f"{module} is not installed (pip install -e '.[test]'){': ' + reason if reason else ''}")


def pytest_configure(config):
    config.addinivalue_line("markers", "databases(*names): run only on these of the `database_url` fixture's "
                                       "databases (sqlite, postgresql)")
    # The collector, less often: a test process keeps a large heap (modules, compiled templates and statements)
    # that every full collection walked again, and collections took 7% of the CPU of ordinary tests. A young
    # collection after 10,000 new objects instead of 700, a full one after 20 of the middle generation's instead
    # of 10; and what the first test leaves (imports, the caches it filled) is frozen out of every later
    # collection (pytest_runtest_logfinish). 9.8 s of collecting in 130 s of tests became 3.8 s.
    gc.set_threshold(10_000, 20, 20)


_heap_frozen = False


def pytest_runtest_logfinish(nodeid, location):
    """After the first test: its garbage collected, and what stays (the process's modules and caches) never
    walked by the collector again (gc.freeze)."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


def on_its_databases(config, items) -> None:
    """Leave out the runs on a database a test's `databases` marker does not name.

    Which tests run on both databases (the rule; README, "Tests", says it too). A test of the app's database
    runs on SQLite and PostgreSQL when its outcome can depend on the database: the SQL the app builds
    (filters, orders, counts, searches, paging by key, aggregates and figures, date and time ranges, the zones
    of stored moments), values stored and read back where the databases differ (length limits, NUL and
    control characters, text beyond the BMP, case and collation, JSON, booleans, timestamps with zones),
    transactions, locking, concurrency and retries, constraints and integrity errors, triggers and kept counts,
    migrations, sequences and ids, bulk statements, the connection pool and outages. It is marked
    `@pytest.mark.databases("sqlite")` (or its module `pytestmark = pytest.mark.databases("sqlite")`, with
    `databases("sqlite", "postgresql")` on the tests that stay on both) when what it checks happens before or
    outside the database: input refused before anything is stored, access control and routing, the rendering
    and escaping of a page whose data is read trivially (one row by id), headers and caching headers, CSRF,
    language negotiation, the wording and signing of e-mails and webhooks, command-line arguments and messages,
    configuration. When unsure, both. `databases("postgresql")` keeps a race SQLite cannot have (one writer).
    """
    kept, left = [], []
    for item in items:
        marker = item.get_closest_marker("databases")
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("database_url") if callspec else None
        (left if marker and database and database not in marker.args else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def pytest_collection_modifyitems(config, items):
    """Each test on the databases it is marked for (on_its_databases). In a pytest-xdist worker (make test:
    --dist loadfile --no-loadscope-reorder), the order the files are handed out in: first the files with slow
    tests (marked slow: real servers, load; or browser: Chromium, as is every test in tests/browser/ and every
    test using the `browser` fixture, marked or not), then the others, each group by number of tests, most
    first. So the long files start early and the last ones to start are short, and neither worker runs a long
    test at the end while the other waits. (A file stays on one worker: its browser tests share one server.)"""
    on_its_databases(config, items)
    if not hasattr(config, "workerinput"):
        return
    files: dict[str, list] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)

    def rank(tests: list) -> tuple[bool, int]:
        slow = any(item.get_closest_marker("slow") or item.get_closest_marker("browser")
                   # a browser test not marked as one (a new file in tests/browser/) is one all the same
                   or "browser" in getattr(item, "fixturenames", ()) or item.nodeid.startswith("tests/browser/")
                   for item in tests)
        return not slow, -len(tests)

    items[:] = [item for tests in sorted(files.values(), key=rank) for item in tests]


class IsolatedClient(FlaskClient):
    """Runs each request in a context of its own, as a server does.

    Tests hold an app context open to build data; without this, requests would share its `g`
    and database session with the test and with each other, which no real request does.
    """

    def open(self, *args, **kwargs):
        # Buffered: a streamed body (the CSV export) is read while its request's context still exists.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def test_settings(database_url: str, instance: Path, **overrides) -> dict:
    settings = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(instance),
        "SERVER_NAME": "localhost",
        "RATELIMIT_ENABLED": False,
        "SPAM_MIN_SECONDS": 0,
    }
    settings.update(overrides)
    return settings


def migrate(database_url: str, instance: Path) -> None:
    app = create_app(test_settings(database_url, instance))
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for each test: faster than migrating each time."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    migrate(f"sqlite:///{path}", folder)
    return path


# Databases this test process made, and which of them no test holds now. Dropping a database makes PostgreSQL
# write a checkpoint of the whole server (seconds, while other tests write), so a database a test is done
# with is kept and emptied for the next test that asks for a new one; all are dropped when the process ends.
_made_databases: list[str] = []
_free_databases: list[str] = []


def _admin_connection() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL does not answer at {POSTGRES_ADMIN_URL}: {error}".strip())


def _database_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _as_new(name: str) -> None:
    """Leave a used database as CREATE DATABASE makes one: nothing in it but an empty public schema."""
    with _admin_connection() as admin:
        # Whatever a test left connected (a killed server's sessions) would hold locks on its tables.
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    with psycopg.connect(_database_url(name), autocommit=True) as conn:
        conn.execute("BEGIN; DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO PUBLIC; "
                     "COMMIT;")


@contextlib.contextmanager
def new_postgres_database(prefix: str):
    """A new, empty database of its own on the suite's PostgreSQL server while the block runs.

    Its commits do not wait for the disk (synchronous_commit off): a test never outlives a crash of the
    server itself, and what another connection sees is the same."""
    if _free_databases:
        name = _free_databases.pop()
        _as_new(name)
    else:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with _admin_connection() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            _made_databases.append(name)
            admin.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name)))
    try:
        yield _database_url(name)
    finally:
        _free_databases.append(name)


def pytest_sessionfinish(session):
    """Drop the databases this process made."""
    for conn in _emptying.values():
        conn.close()
    if not _made_databases:
        return
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        while _made_databases:
            name = _made_databases.pop()
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """The suite's migrated PostgreSQL database; tests empty it (empty_postgres) before use."""
    with new_postgres_database("corrections_test") as url:
        migrate(url, tmp_path_factory.mktemp("pg-instance"))
        yield url


def empty_postgres(url: str) -> None:
    """Every table emptied and every sequence back at 1, as TRUNCATE ... RESTART IDENTITY leaves them.

    DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE gives each of the tables new files on disk
    (0.2 to 0.4 s a test, most of a PostgreSQL test's time) where DELETE takes milliseconds. The replica role
    skips the foreign-key and notification triggers, so the order of the tables does not matter; a user not
    allowed to take it (CORRECTIONS_TEST_POSTGRES_URL without superuser) truncates."""
    tables = [f'"{table.name}"' for table in db.metadata.sorted_tables]
    conn = _emptying_connection(url)
    try:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica;"
                         + "".join(f"DELETE FROM {table};" for table in tables)
                         + "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences "
                           "WHERE schemaname = current_schema() AND last_value IS NOT NULL;")
    except psycopg.errors.InsufficientPrivilege:
        with conn.transaction():
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


# One connection per database for emptying it, kept open: connecting (a new server process each time) cost
# more than the emptying. A test that cut the server's connections leaves it closed, and it is made again.
_emptying: dict[str, psycopg.Connection] = {}


def _emptying_connection(url: str) -> psycopg.Connection:
    conn = _emptying.get(url)
    if conn is not None and not conn.closed:
        try:
            conn.execute("SELECT 1")
            return conn
        except psycopg.OperationalError:
            conn.close()
    conn = _emptying[url] = psycopg.connect(url, autocommit=True)
    return conn


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """One-round hashes in the tests' own process: scrypt costs 0.1 s a login. Servers started by the
    tests (LiveServer) and the app itself keep the real method."""
    quick = partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr(accounts, "hash_password", quick)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", quick("not anyone's password"))


@pytest.fixture(scope="session", autouse=True)
def url_rules_built_once():
    """Each test builds an app of its own, and werkzeug parses each of its URL rules and compiles two Python
    functions for it (most of the time create_app takes). Both depend only on the rule, so the tests' process
    does each once and gives the result to every app with that rule. The converters parsed are shared too:
    werkzeug's own keep no state but the map they were made for, which they do not read."""
    compile_builder = getattr(Rule, "_compile_builder", None)
    compile_rule = getattr(Rule, "compile", None)
    if compile_builder is None or not hasattr(Rule, "_parse_rule"):  # another werkzeug: compiled as usual
        yield
        return
    built, parsed = {}, {}

    def parsed_once(rule):
        key = (rule.rule, rule.subdomain, rule.host, rule.merge_slashes, rule.map.host_matching,
               repr(rule.defaults), tuple(rule.map.converters.items()))
        if key not in parsed:
            compile_rule(rule)
            parsed[key] = (tuple(rule._parts), tuple(rule._trace), dict(rule._converters), frozenset(rule.arguments))
            return
        parts, trace, converters, arguments = parsed[key]
        rule._parts, rule._trace, rule._converters = list(parts), list(trace), dict(converters)
        rule.arguments |= arguments
        rule._build = rule._compile_builder(False).__get__(rule, None)
        rule._build_unknown = rule._compile_builder(True).__get__(rule, None)

    def once(rule, append_unknown=True):
        key = (rule.rule, tuple(rule._trace), repr(rule.defaults), append_unknown,
               tuple((name, type(converter)) for name, converter in rule._converters.items()))
        if key not in built:
            built[key] = compile_builder(rule, append_unknown)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", once)
        patch.setattr(Rule, "compile", parsed_once)
        yield


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by the apps a test process builds: compiling a page's templates for each
    test's new app took longer than many a test. The template source's checksum still decides."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        checksum, code = self.code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = (bucket.checksum, bucket.code)


COMPILED_TEMPLATES = CompiledTemplates()


class CompiledStatements(dict):
    """SQL compiled once for every app a test process builds: each app's engine would otherwise compile each
    statement again in each test, and compiling took more of a database test's time than running it.

    SQLAlchemy keys an engine's cache of compiled statements by the statement and the dialect object, which is
    new with each engine; here the dialect stands by what shapes the SQL it compiles to: its class, and the
    plain settings it read from its server (version, paramstyle, ...). Unbounded: the suite has a few
    thousand statements."""

    def __init__(self):
        super().__init__()
        self.dialects = weakref.WeakKeyDictionary()  # a dialect, once connected: what stands for it

    def _shared(self, key):
        dialect, *rest = key
        shared = self.dialects.get(dialect)
        if shared is None:
            shared = (type(dialect), tuple(sorted((name, value) for name, value in vars(dialect).items()
                                                  if isinstance(value, bool | int | float | str | tuple | None))))
            if "server_version_info" in vars(dialect):  # it has read its server's settings: they stay
                self.dialects[dialect] = shared
        return (shared, *rest)

    def get(self, key, default=None):
        return super().get(self._shared(key), default)

    def __setitem__(self, key, compiled):
        super().__setitem__(self._shared(key), compiled)


COMPILED_STATEMENTS = CompiledStatements()


def share_compiled_statements(app) -> None:
    """The app's engines, and the models' mappers (whose own caches hold the INSERT, UPDATE and DELETE of a
    flush), compile into COMPILED_STATEMENTS. Another SQLAlchemy without these caches keeps its own."""
    with app.app_context():
        for engine in db.engines.values():
            if getattr(engine, "_compiled_cache", None) is not None:
                engine._compiled_cache = COMPILED_STATEMENTS
    for mapper in db.Model.registry.mappers:
        if "_compiled_cache" in vars(Mapper) and hasattr(mapper, "_set_memoized_attribute"):
            mapper._set_memoized_attribute("_compiled_cache", COMPILED_STATEMENTS)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    empty_postgres(url)
    return url


# How many apps building_apps has built on each database and not yet disposed of (built_data checks none has).
_apps_on: dict[str, int] = {}


@contextlib.contextmanager
def building_apps(database_url: str, folder: Path, default_name: str = "instance"):
    """build(name, **settings): an app on this database with its instance folder folder/name (apps with one
    name share it, as a server's restarts do); every app built is disposed of at the end."""
    apps = []

    def build(name: str = default_name, **overrides):
        app = create_app(test_settings(database_url, folder / name, **overrides))
        _apps_on[database_url] = _apps_on.get(database_url, 0) + 1
        app.test_client_class = IsolatedClient
        app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        share_compiled_statements(app)
        apps.append(app)
        return app

    try:
        yield build
    finally:
        # An app whose building raised (a wrong setting) was never counted: the key may not be there.
        _apps_on[database_url] = _apps_on.get(database_url, 0) - len(apps)
        for app in apps:
            page_cache.for_app(app).dispose()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@dataclasses.dataclass
class _Built:
    """What a builder made, kept to be copied into later tests' databases: SQLite's file, or PostgreSQL's rows
    (each table's, as COPY writes them) and where its sequences stood; and what the builder returned."""

    value: object
    sqlite_file: Path | None = None
    tables: list = dataclasses.field(default_factory=list)
    sequences: list = dataclasses.field(default_factory=list)


# By builder, database and settings: what each made, for the rest of this test process.
_built: dict[tuple, _Built] = {}


def _postgres_rows(url: str) -> tuple[list, list]:
    """Each table's rows (but the generated columns', which the database makes again) and each sequence's place."""
    conn = _emptying_connection(url)
    tables = []
    for table, columns in conn.execute(
            "SELECT c.table_name, string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position) "
            "FROM information_schema.columns c JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
            "WHERE c.table_schema = current_schema() AND c.is_generated = 'NEVER' "
            "AND c.table_name <> 'alembic_version' GROUP BY c.table_name ORDER BY c.table_name"):
        statement = sql.SQL("COPY {} ({}) TO STDOUT").format(sql.Identifier(table), sql.SQL(columns))
        with conn.cursor().copy(statement) as out:
            rows = b"".join(bytes(block) for block in out)
        if rows:
            tables.append((sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(columns)), rows))
    sequences = conn.execute("SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
                             "WHERE schemaname = current_schema() AND last_value IS NOT NULL").fetchall()
    return tables, sequences


def _put_postgres_rows(url: str, built: _Built) -> None:
    """The rows into the emptied database as they were, with the replica role (as empty_postgres): the kept
    counts and the foreign keys' triggers do not fire, the rows they made being copied too."""
    conn = _emptying_connection(url)
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        for statement, rows in built.tables:
            with conn.cursor().copy(statement) as into:
                into.write(rows)
        for sequence, last_value in built.sequences:
            conn.execute("SELECT setval(%s, %s)", (sequence, last_value))


@pytest.fixture
def built_data(request, database_url, tmp_path, tmp_path_factory):
    """load(build, **settings): the rows `build()` makes, made once per test process and copied into each test's
    fresh database; returns what `build` returned.

    For data that several tests (or the cases of a parametrized test) read the same: building it through the
    app's own functions for each of them cost most of their time. The first test to ask builds it on its own
    database, in an app of its own with these settings inside an app context (build commits, or its session is
    committed after it); later tests get a copy of the result: SQLite's file, or on PostgreSQL its rows put back
    with COPY and its sequences where they were (a copy, so a test may change what it was given). Call it before
    anything writes to the test's database and before the test's own app connects (make_app after it).

    `build` must return plain values (ids, references, not ORM objects, whose session is gone), must make the
    same rows whenever it runs (the first test of a file on one database builds, whichever it is), and its rows
    keep the moments of the run that built them (seconds or minutes earlier by the time a later test reads them).
    A builder is told apart by its module and name: one name, one data set."""

    def load(build, **settings):
        assert not _apps_on.get(database_url), "built_data(...) must come before the test's app is built"
        kind = request.node.callspec.params["database_url"]
        key = (build.__module__, build.__qualname__, kind, tuple(sorted(settings.items())))
        built = _built.get(key)
        if built is not None:
            if kind == "sqlite":
                shutil.copyfile(built.sqlite_file, database_url.removeprefix("sqlite:///"))
            else:
                _put_postgres_rows(database_url, built)
            return copy.deepcopy(built.value)  # a test changing what it was given changes only its own
        with building_apps(database_url, tmp_path, "built-instance") as make:
            with make(**settings).app_context():
                value = build()
                db.session.commit()
        if kind == "sqlite":
            # Every connection closed (building_apps disposed of them): the file is whole, no journal beside it.
            path = Path(database_url.removeprefix("sqlite:///"))
            assert not path.with_name(path.name + "-wal").exists(), "a connection to the built database is open"
            kept = tmp_path_factory.mktemp("built") / "built.sqlite3"
            shutil.copyfile(path, kept)
            built = _built[key] = _Built(value, sqlite_file=kept)
        else:
            tables, sequences = _postgres_rows(database_url)
            built = _built[key] = _Built(value, tables=tables, sequences=sequences)
        return copy.deepcopy(built.value)

    return load


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database, with settings changed for the test."""
    with building_apps(database_url, tmp_path) as build:
        yield build


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def editor(app):
    return make_editor()


@pytest.fixture
def admin(app):
    return make_editor("admin@example.org", "Ada Admin", is_admin=True)


@pytest.fixture
def editor_client(app, editor):
    client = app.test_client()
    assert login(client, editor.email).status_code == 302
    return client


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    return client


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's package) driven by Playwright."""
    if not shutil.which(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium-headless-shell")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()
