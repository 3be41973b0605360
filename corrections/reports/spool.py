"""Reports kept on this server's disk while the database cannot be reached, and filed once it answers again.

A reader who sends a report while the database is down still gets their reference and status link at
once. The form's checks run as always; the report's fields, its receipt (reports.Receipt) and what only
the request knew (the client's hash, the spam signals) are written as one file to the spool folder, durably
(under a temporary name, fsync'd, renamed, the folder fsync'd), before the reader is answered. Everything
that needs the database (the article, passage matching, grouping, routing, deadlines) happens when the
file is filed, by reports.submit_report like every report. Filing (corrections/intake.py, which owns the
transactions) commits the report, then removes the file: a crash in between files it again later, which
finds the report by its token's hash and stores nothing (exactly once, however many processes file one folder).

`corrections serve` files its spool every SPOOL_FILE_INTERVAL seconds; `corrections file-spool` does it
from cron or before a server starts. A file that can never be filed as it is (its article is unknown,
it cannot be read) is moved to `failed/` in the spool folder and logged, never deleted.
"""

import json
import os
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from corrections.infra.backup import fsync_folder
from corrections.reports import filing, tokens

FORMAT = 1
FAILED = "failed"
# A temporary file older than this was left by a process that died before answering its reader.
ABANDONED_SECONDS = 3600


class SpoolError(Exception):
    """The report could not be written to the spool either (a full or read-only disk)."""


@dataclass
class FilingRun:
    """What one filing run did."""

    filed: int = 0  # reports stored
    already: int = 0  # found filed already (a crash between the commit and removing the file)
    failed: int = 0  # moved to failed/: cannot be filed as they are
    waiting: int = 0  # left in the spool: the database still does not answer
    database_down: bool = False


def folder() -> Path:
    """This server's spool: SPOOL_PATH, or `spool` in the instance folder."""
    configured = current_app.config.get("SPOOL_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / "spool"


@dataclass(frozen=True)
class Spooled:
    """A spooled report as its file holds it."""

    slug: str
    data: filing.ReportInput
    receipt: tokens.Receipt
    client: str
    spam_reason: str


def read(path: Path) -> Spooled:
    """The report a spool file holds; raises FileNotFoundError (filed by another process meanwhile), or
    ValueError, TypeError or KeyError for a file that cannot be read as one."""
    record = json.loads(path.read_bytes())
    return Spooled(
        slug=record["slug"],
        data=filing.ReportInput(**record["report"]),
        receipt=tokens.Receipt(record["reference"], record["nonce"], datetime.fromisoformat(record["received_at"])),
        client=record["client"],
        spam_reason=record["spam_reason"],
    )


def spool_report(slug: str, data: filing.ReportInput, *, client: str, spam_reason: str,
                 receipt: tokens.Receipt) -> filing.FiledReport:
    """Write the report to the spool, durably, and return what the reader is told; raises SpoolError."""
    record = {
        "format": FORMAT,
        "slug": slug,
        "report": asdict(data),
        "client": client,
        "spam_reason": spam_reason,
        "reference": receipt.reference,
        "nonce": receipt.nonce,
        "received_at": receipt.received_at.isoformat(),
    }
    # Named by arrival, so the oldest is filed first; the nonce's random part keeps names unique.
    name = f"{receipt.received_at:%Y%m%dT%H%M%S%f}-{receipt.nonce.replace('.', '-')}.json"
    try:
        write_durably(folder(), name, json.dumps(record).encode())
    except OSError as error:
        current_app.logger.error("Could not spool report %s: %s", receipt.reference, error)
        raise SpoolError(str(error)) from error
    current_app.logger.warning("The database does not answer: report %s spooled for filing later", receipt.reference)
    return filing.FiledReport(None, receipt.reference, "received", receipt.token)


def write_durably(directory: Path, name: str, content: bytes) -> None:
    """Write the file so that it is whole and on disk, or not there at all, once this returns."""
    # Readers' names and e-mail addresses: for this user only.
    if not directory.is_dir():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fsync_folder(directory.parent)
    draft = directory / f".{name}.tmp"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.rename(draft, directory / name)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    fsync_folder(directory)


def waiting() -> list[Path]:
    """The spooled files not filed yet, oldest first."""
    directory = folder()
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def set_aside(path: Path, why: str) -> None:
    """Move a file that cannot be filed as it is to failed/, for a person to look at; never delete a report."""
    target = path.parent / FAILED
    target.mkdir(exist_ok=True)
    try:
        os.rename(path, target / path.name)
    except FileNotFoundError:
        return
    fsync_folder(target)
    current_app.logger.error("Spooled report %s could not be filed (%s): moved to %s", path.name, why, target)


def remove_abandoned_drafts() -> None:
    """Drop temporary files a process left when it died before its reader was answered (nobody was promised them)."""
    directory = folder()
    if not directory.is_dir():
        return
    for draft in directory.glob(".*.tmp"):
        try:
            if time.time() - draft.stat().st_mtime > ABANDONED_SECONDS:
                draft.unlink()
        except FileNotFoundError:
            continue
