"""Backups: a consistent copy of a live SQLite database, or the PostgreSQL commands that make one."""

import os
import shlex
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL


class BackupError(Exception):
    """A backup that could not be made; the message says why and what to do."""


@dataclass
class SqliteBackup:
    path: Path
    size: int
    reports: int | None  # None when the database has no report table yet


def backup_sqlite(source: Path, target: Path) -> SqliteBackup:
    """Copy the SQLite database at `source` to the new file `target`, safely while the app writes to it.

    SQLite's online backup API copies every page in one step inside one read transaction, so the
    copy is the database as of one moment; in WAL mode writers carry on meanwhile. The copy is made
    under a temporary name, checked, flushed to disk and only then linked to `target`, so `target`
    is either absent or a whole, checked backup. An existing `target` is never overwritten.
    """
    source, target = Path(source).resolve(), Path(target).absolute()
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    if target.exists():
        if target.resolve() == source:
            raise BackupError(f"{target} is the live database itself; give the backup another name.")
        raise BackupError(f"{target} already exists; choose a new name or remove it first.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")

    draft = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        reports = _copy(source, draft)
        with open(draft, "rb") as f:
            os.fsync(f.fileno())
        try:
            os.link(draft, target)  # fails rather than replace a file that appeared meanwhile
        except FileExistsError:
            raise BackupError(f"{target} already exists; choose a new name or remove it first.") from None
        fsync_folder(target.parent)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy {source}: {error}") from None
    finally:
        for leftover in ("", "-journal", "-wal", "-shm"):
            Path(f"{draft}{leftover}").unlink(missing_ok=True)
    return SqliteBackup(path=target, size=target.stat().st_size, reports=reports)


def _copy(source: Path, draft: Path) -> int | None:
    """Copy, make the copy one self-contained file, check it; returns its number of reports."""
    # mode=rw: never create an empty database where the live one was expected.
    with closing(sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, timeout=30)) as live, \
            closing(sqlite3.connect(draft)) as copy:
        live.backup(copy)  # pages=-1: everything in one step, one consistent snapshot
        # No -wal file beside it: the copy can be moved or opened anywhere as it is.
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"The copy failed SQLite's integrity check ({check}); nothing was saved.")
        if copy.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report'").fetchone() is None:
            return None
        return copy.execute("SELECT count(*) FROM report").fetchone()[0]


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in the folder durable: the folder's own entry list is on disk too."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def postgres_instructions(url: URL, target: str) -> str:
    """How to back up and restore a PostgreSQL database with its own tools; the password is left out."""
    query = {k: v for k, v in url.query.items() if k != "password"}
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                       query=query).render_as_string(hide_password=False)
    dump = f"pg_dump --format=custom --file={shlex.quote(target)} {shlex.quote(plain)}"
    restore = f"pg_restore --no-owner --dbname={shlex.quote(plain)} {shlex.quote(target)}"
    return (
        "PostgreSQL is backed up with its own tools; nothing was copied. pg_dump takes a consistent\n"
        "snapshot while the app keeps serving. Run:\n\n"
        f"  {dump}\n\n"
        "(the password comes from a prompt, PGPASSWORD or ~/.pgpass). To restore, into an empty database:\n\n"
        f"  {restore}\n"
    )
