"""The report workflow: its states, the allowed moves, and the only code that changes a status."""

from .extensions import db
from .models import Event, Report

STATES = ("new", "in_review", "accepted", "rejected", "duplicate", "spam", "corrected")
OPEN = ("new", "in_review")

MOVES: dict[str, set[str]] = {
    "new": {"in_review", "rejected", "duplicate", "spam"},
    "in_review": {"accepted", "rejected", "duplicate", "spam"},
    "accepted": {"corrected"},
    "rejected": {"in_review"},
    "duplicate": {"in_review"},
    "spam": {"in_review"},
    "corrected": set(),
}

LABELS = {
    "new": "New",
    "in_review": "In review",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "duplicate": "Duplicate",
    "spam": "Spam",
    "corrected": "Corrected",
}

# What the reader sees on their status page. A report held as spam reads as received:
# a reader wrongly caught by the filter should not be told so, and a spammer learns nothing.
READER_STATUS = {
    "new": ("Received", "Your report has arrived and is waiting for an editor."),
    "spam": ("Received", "Your report has arrived and is waiting for an editor."),
    "in_review": ("Being reviewed", "An editor is looking into your report."),
    "accepted": ("Accepted", "An editor agreed that something needs fixing; a correction is being prepared."),
    "rejected": ("Reviewed, no change", "An editor reviewed your report and decided the article stays as it is."),
    "duplicate": ("Already reported", "Another reader reported the same thing; it is being handled there."),
    "corrected": ("Corrected", "The article has been corrected. Thank you for your help."),
}


class WorkflowError(Exception):
    """A refused move; the message is shown to the person who tried it."""


def move(report: Report, to: str, *, by: str, comment: str = "") -> Event:
    """Move a report to another state and record the event; raises WorkflowError if not allowed."""
    if to not in MOVES:
        raise WorkflowError(f"“{to}” is not a report status.")
    if to not in MOVES[report.status]:
        raise WorkflowError(
            f"A report that is {LABELS[report.status].lower()} cannot be moved to {LABELS[to].lower()}."
        )
    event = Event(report=report, actor=by, kind="status", from_status=report.status, to_status=to, comment=comment)
    report.status = to
    db.session.add(event)
    return event


def record_received(report: Report) -> Event:
    """The first line of every report's history: how it arrived."""
    comment = f"Held as spam: {report.spam_reason}." if report.status == "spam" else ""
    event = Event(report=report, actor="reader", kind="received", to_status=report.status, comment=comment)
    db.session.add(event)
    return event
