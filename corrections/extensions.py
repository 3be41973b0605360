"""Extensions are created here unbound and bound to the app in create_app()."""

import sqlite3

from flask import request
from flask_babel import lazy_gettext
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.visitors import InternalTraversal

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def client_address() -> str:
    """The client's address as seen through the trusted proxies (corrections/infra/proxies.py sets it)."""
    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Please log in to see the editors' dashboard.")
# Flashed in the language of the page that asked for a login (the session keeps text, not a lazy string).
login_manager.localize_callback = str
login_manager.login_message_category = "info"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while a report is written; NORMAL is durable in WAL mode
    # except for the last transactions on power loss, not on a process crash.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _skipping_insert(dialect_insert: type) -> type:
    """The dialect's INSERT, its ON CONFLICT DO NOTHING named in its cache key.

    SQLAlchemy 2.0 leaves a dialect's INSERT with an ON CONFLICT clause out of its cache of compiled statements (the
    clause has no cache key), so it compiled such an INSERT again at every execution: 3 ms for the report's, the
    app's busiest write, a fifth of filing a report. DO NOTHING is known by the columns it names, and that is what
    stands for it in the key; DO UPDATE (a clause of values) is not offered."""

    class Insert(dialect_insert):
        inherit_cache = True
        _cache_key_traversal = [(name, kind) for name, kind in dialect_insert._traverse_internals
                                if name != "_post_values_clause"] + [("_skipping", InternalTraversal.dp_string)]
        _skipping: str | None = None

        def on_conflict_do_nothing(self, index_elements=None):
            statement = super().on_conflict_do_nothing(index_elements=index_elements)
            names = [c if isinstance(c, str) else c.name for c in index_elements or ()]
            statement._skipping = f"DO NOTHING ({', '.join(names)})" if names else "DO NOTHING"
            return statement

        def on_conflict_do_update(self, *args, **kwargs):
            raise TypeError("ON CONFLICT DO UPDATE is not in the cache key: use the dialect's insert()")

    Insert.__name__ = Insert.__qualname__ = f"Skipping{dialect_insert.__module__.split('.')[-2].title()}Insert"
    return Insert


_SKIPPING = {"postgresql": _skipping_insert(postgresql.Insert), "sqlite": _skipping_insert(sqlite.Insert)}


def insert_or_skip(table, dialect: str):
    """INSERT into `table` for this database (`postgresql` or `sqlite`), to be given `.on_conflict_do_nothing()`:
    a row whose unique key is taken inserts nothing, and the statement is compiled once, not at each run."""
    return _SKIPPING[dialect](table)
