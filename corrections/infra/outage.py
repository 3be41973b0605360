"""Telling a database that does not answer from a bug, so an outage gets a 503 (and reports a spool), not a 500.

README "When the database is down" says what readers and operators see.
"""

import sqlite3

import psycopg
from sqlalchemy import exc

from corrections.extensions import db

# What a 503 asks clients to wait before trying again: a restarting database or a failover takes about this long.
RETRY_AFTER_SECONDS = 30
# SQLite's OperationalError also means a bug (no such table, a syntax error); only these say it cannot be reached.
SQLITE_UNREACHABLE = ("database is locked", "unable to open database", "disk i/o error", "database is busy")


def is_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached or is overloaded, for now, rather than a bug.

    Covers SQLAlchemy's wrapped errors and the raw driver errors of code that talks to the driver itself (the
    page cache's version check).
    """
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    # psycopg: refused or lost connections, a server shutting down, and transient conflicts (deadlock, serialisation).
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(words in str(error).lower() for words in SQLITE_UNREACHABLE)
    return False


def forget_transaction() -> None:
    """End the session's transaction after the database went away; rolling back a dead connection may fail too."""
    try:
        db.session.rollback()
    except exc.SQLAlchemyError:
        db.session.close()
