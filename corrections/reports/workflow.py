"""The report workflow: the allowed moves between a report's states (vocabulary.py names them), and the only
code that changes a report.

Every change here records an Event; nothing here (or anywhere) edits or deletes an Event.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from corrections.errors import Refusal
from corrections.extensions import db
from corrections.infra import webhooks
from corrections.languages import N_, short_time
from corrections.models import Editor, Event, Report, utcnow
from corrections.reports import consent, outcomes, tokens
from corrections.vocabulary import ACCEPTED_ON_PUBLISHING, CLOSED, NOTICE_PUBLISHED, OPEN, STATUS_LABELS, actor_name

MOVES: dict[str, set[str]] = {
    "new": {"in_review", "rejected", "duplicate", "spam"},
    "in_review": {"accepted", "rejected", "duplicate", "spam"},
    "accepted": {"corrected"},
    "rejected": {"in_review"},
    "duplicate": {"in_review"},
    "spam": {"in_review"},
    "corrected": set(),
}

# The verbs on the editor's buttons, by target state.
ACTIONS = {
    "in_review": _l("Move to review"),
    "accepted": _l("Accept"),
    "rejected": _l("Reject"),
    "duplicate": _l("Mark duplicate"),
    "spam": _l("Mark spam"),
    "corrected": _l("Mark corrected"),
}

# The canned reasons for rejecting, kept in their English words and worded for whoever reads them (outcomes.py).
REJECT_REASONS = outcomes.REJECT_REASONS


# A move the table refuses, one sentence per state it would have gone to.
CANNOT_MOVE = {
    "new": N_("%(reference)s cannot be moved to new: it is “%(status)s”."),
    "in_review": N_("%(reference)s cannot be moved to in review: it is “%(status)s”."),
    "accepted": N_("%(reference)s cannot be moved to accepted: it is “%(status)s”."),
    "rejected": N_("%(reference)s cannot be moved to rejected: it is “%(status)s”."),
    "duplicate": N_("%(reference)s cannot be moved to duplicate: it is “%(status)s”."),
    "spam": N_("%(reference)s cannot be moved to spam: it is “%(status)s”."),
    "corrected": N_("%(reference)s cannot be moved to corrected: it is “%(status)s”."),
}


class WorkflowError(Refusal):
    """A refused change; the message is shown to the person who tried it."""


class StaleReport(WorkflowError):
    """The editor acted on a page older than the report's last change."""


def can_move(report: Report, to: str) -> bool:
    return to in MOVES.get(report.status, set())


def check_fresh(report: Report, seen_version: int | None) -> None:
    """Refuse a change made from a page that shows an older version of the report."""
    if seen_version is None or seen_version == report.version:
        return
    raise changed_since(report)


def last_event(report: Report) -> Event | None:
    return db.session.scalar(select(Event).where(Event.report_id == report.id).order_by(Event.id.desc()).limit(1))


def last_actor(report: Report) -> str | None:
    """Who changed the report last, as its history names them in the page's language; None when it has no history."""
    last = last_event(report)
    return actor_name(last.actor, last.actor_id) if last else None


def changed_since(report: Report) -> StaleReport:
    """The refusal of a change made from a page older than the report (as the report stands now): who changed
    it last, and when. Also what an editor is told when another editor's change was committed first."""
    last = last_event(report)
    if last is None:
        return StaleReport(gettext("%(reference)s was changed a moment ago since you loaded the page; nothing was "
                                   "changed. Reload to see the latest.", reference=report.reference))
    return StaleReport(gettext("%(reference)s was changed by %(who)s at %(time)s since you loaded the page; nothing "
                               "was changed. Reload to see the latest.", reference=report.reference,
                               who=actor_name(last.actor, last.actor_id), time=short_time(last.created_at)))


def comment_words(event: Event) -> str:
    """An event's comment as an editor reads it, in the page's language: a canned reason for rejecting worded, a
    move to duplicate without a comment saying of which report; the editor's own words, and comments kept as
    finished sentences (an older history's), as they are."""
    if event.kind == "status" and event.to_value == "rejected":
        return outcomes.given_reason(event.comment)
    if event.kind == "status" and event.to_value == "duplicate" and tokens.is_reference(event.comment):
        return gettext("Duplicate of %(reference)s.", reference=event.comment)
    if event.kind == "status" and event.to_value == "accepted" and event.comment == ACCEPTED_ON_PUBLISHING:
        return gettext(ACCEPTED_ON_PUBLISHING)
    if event.kind == "status" and event.to_value == "corrected":
        return published_words(event.comment)
    return event.comment


def published_words(comment: str) -> str:
    """A report's move to corrected as its history says it: the notice's kind and text kept as JSON (publishing's
    moves_on_publishing), worded in the page's language; a sentence kept before that, as it is."""
    try:
        kept = json.loads(comment)
    except ValueError:
        return comment
    if not isinstance(kept, dict) or kept.get("published") not in NOTICE_PUBLISHED:
        return comment
    return gettext(NOTICE_PUBLISHED[kept["published"]], text=str(kept.get("text", "")))


# --- The pure half: each function below checks one change, makes it on `report` (a Report, or anything with its
# fields: gen-fake's rows) as of the moment `at`, and returns the values of the Event that records it. The
# functions after them add that Event to the session and set off what the change sets off (webhooks, e-mail).

def _recorded(report, by, kind: str, *, at: datetime, from_value: str = "", to_value: str = "",
              comment: str = "") -> dict:
    if by is not None and report.first_action_at is None:
        report.first_action_at = at
        refresh_due(report)
    return {"created_at": at, "actor_id": by.id if by else None, "actor": by.name if by else "system", "kind": kind,
            "from_value": from_value, "to_value": to_value, "comment": comment}


def refresh_due(report: Report) -> None:
    """The report's next deadline: first action until an editor acts, then resolution; none once closed."""
    report.due_at = next_deadline(report, acted=report.first_action_at is not None) if report.status in OPEN else None


def next_deadline(report: Report, *, acted: bool) -> datetime | None:
    """An open report's next deadline: the sooner of its two until an editor has acted, then its resolution's."""
    if acted:
        return report.resolution_due_at
    return min((d for d in (report.first_action_due_at, report.resolution_due_at) if d), default=None)


def received(status: str, spam_reason: str = "") -> dict:
    """The values of the first line of every report's history, how it arrived (its time: when it was stored)."""
    return {"actor_id": None, "actor": "reader", "kind": "received", "from_value": "", "to_value": status,
            "comment": f"Held as spam: {spam_reason}." if status == "spam" else ""}


def moved(report, to: str, *, by, at: datetime, comment: str = "") -> dict:
    """A move allowed by MOVES (else WorkflowError) and what every move changes on the report."""
    if not can_move(report, to):
        # Translators: %(status)s is the name of the report's status, such as “New”.
        raise WorkflowError(gettext(CANNOT_MOVE.get(to, CANNOT_MOVE["new"]), reference=report.reference,
                                    status=STATUS_LABELS[report.status]))
    event = _recorded(report, by, "status", at=at, from_value=report.status, to_value=to, comment=comment)
    if to == "in_review":
        # Reopening clears the earlier outcome.
        report.reject_reason = ""
        report.duplicate_of_id = None
        report.closed_at = None
    elif to in CLOSED:
        # When the report reached the state it is in: for "corrected", the time to correction.
        report.closed_at = at
    report.status = to
    refresh_due(report)
    return event


def rejected(report, reason: str, *, by, at: datetime) -> dict:
    """The move to rejected, with the reason the reader will be given."""
    reason = reason.strip()
    if not reason:
        raise WorkflowError(gettext("Give a reason for rejecting: the reader will see it."))
    event = moved(report, "rejected", by=by, at=at, comment=reason)
    report.reject_reason = reason
    return event


def duplicated(report, original, *, by, at: datetime, comment: str = "") -> dict:
    """The move to duplicate of `original` (the first report of a chain of duplicates)."""
    if original.id == report.id:
        raise WorkflowError(gettext("%(reference)s cannot be a duplicate of itself.", reference=report.reference))
    if original.article_id != report.article_id:
        raise WorkflowError(gettext("%(reference)s is about another article; a duplicate must be about the same one.",
                                    reference=original.reference))
    # Without the editor's words, the original's reference: the history words it (comment_words).
    event = moved(report, "duplicate", by=by, at=at, comment=comment or original.reference)
    report.duplicate_of_id = original.id
    return event


def assigned(report, editor, *, by, at: datetime) -> dict | None:
    """The report given to an editor (or to nobody); None when nothing changes."""
    if (editor.id if editor else None) == report.assignee_id:
        return None
    if editor is not None and not editor.active:
        raise WorkflowError(gettext("%(name)s is deactivated and cannot be assigned reports.", name=editor.name))
    before = report.assignee.name if report.assignee else ""
    report.assignee = editor
    report.assignee_id = editor.id if editor else None
    return _recorded(report, by, "assign", at=at, from_value=before, to_value=editor.name if editor else "")


def noted(report, text: str, *, by, at: datetime, about: str = "") -> dict:
    """An internal note, for editors only; `about`: what a note the app writes is about (a notice's kind, in
    to_value), for the page to word it."""
    text = text.strip()
    if not text:
        raise WorkflowError(gettext("The note is empty."))
    event = _recorded(report, by, "note", at=at, to_value=about, comment=text)
    # A note changes the page other editors see, so it counts as a change for optimistic locking.
    report.updated_at = at
    return event


# The fields of a report a decision may change, kept by reports/decisions.py so that an undo puts them back.
UNDOABLE_FIELDS = ("status", "reject_reason", "duplicate_of_id", "assignee_id", "first_action_at", "closed_at",
                   "due_at")


def state_of(report) -> dict:
    """The report's fields that a decision changes, as JSON-ready values (datetimes in ISO form)."""
    values = {name: getattr(report, name) for name in UNDOABLE_FIELDS}
    return {name: value.isoformat() if isinstance(value, datetime) else value for name, value in values.items()}


def restored(report, before: dict, *, by, at: datetime, comment: str) -> dict:
    """The report put back as `before` (state_of it before a decision), as if the decision had not been made
    (its clocks too), and the values of the Event that records the undo."""
    event = {"created_at": at, "actor_id": by.id, "actor": by.name, "kind": "undo", "from_value": report.status,
             "to_value": before["status"], "comment": comment}
    for name in UNDOABLE_FIELDS:
        value = before[name]
        if name.endswith("_at") and value is not None:
            value = datetime.fromisoformat(value)
        setattr(report, name, value)
    return event


# --- Many reports changed as one step (a bulk action's, the reports a notice resolves).

@dataclass
class _Step:
    """What the changes of a batch set off that needs the database, done once for all of them at its end."""

    reopened: list[int] = field(default_factory=list)
    told: list[tuple[Report, str, object]] = field(default_factory=list)


_step: ContextVar[_Step | None] = ContextVar("workflow_step", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Within the block, the changes below are made to many reports as one step whose reads do not grow with
    their number: nothing is written until the block ends (no autoflush); then the reports' rows and their events
    are written (a statement a row: SQLAlchemy writes a versioned row, and on SQLite a row it needs the id of,
    one at a time), the outcomes held for reopened reports withdrawn in one statement, and the readers' outcome
    e-mails queued with one lookup of their addresses. The webhook endpoints are read once. The rules are the
    same functions as one report's. Does not commit: the caller commits the step once."""
    if _step.get() is not None:
        yield  # an enclosing batch finishes
        return
    step = _Step()
    token = _step.set(step)
    try:
        with db.session.no_autoflush, webhooks.subscriptions_read_once():
            yield
            # The reports first: a write of the batch's own must not come before them (two editors' commits to one
            # report meet at the report's version check, not at a lock one of them took earlier).
            db.session.flush()
            consent.withdraw_held(step.reopened)
            outcomes.queue_outcomes(step.told)
    finally:
        _step.reset(token)


def tell_reader(report: Report, outcome: str, notice=None) -> None:
    """Queue the e-mail telling the reader the outcome (outcomes.queue_outcome), at the end of the batch in one."""
    step = _step.get()
    if step is None:
        outcomes.queue_outcome(report, outcome, notice)
    else:
        step.told.append((report, outcome, notice))


# --- The changes as the app makes them, now.

def _add(report: Report, values: dict) -> Event:
    event = Event(report=report, **values)
    db.session.add(event)
    return event


def move(report: Report, to: str, *, by: Editor | None, comment: str = "") -> Event:
    """Move a report to another state and record the event; raises WorkflowError if not allowed."""
    if to not in MOVES:
        raise WorkflowError(gettext("“%(status)s” is not a report status.", status=to))
    if to in NEEDS_MORE:
        raise WorkflowError(gettext(NEEDS_MORE[to]))
    return _move(report, to, by=by, comment=comment)


# Moves that carry more than a comment go through their own functions.
NEEDS_MORE = {
    "duplicate": N_("Say which report this one duplicates."),
    "rejected": N_("Give a reason for rejecting: the reader will see it."),
    "corrected": N_("A report becomes corrected when a correction linked to it is published."),
}


def mark_corrected(report: Report, *, by: Editor, comment: str) -> Event:
    """The move to corrected, made only by publishing a correction (notices.publish)."""
    return _move(report, "corrected", by=by, comment=comment)


def _move(report: Report, to: str, *, by: Editor | None, comment: str) -> Event:
    return _moved(report, moved(report, to, by=by, at=utcnow(), comment=comment))


def _moved(report: Report, values: dict) -> Event:
    """Record a move made by the pure half, and what it sets off."""
    event = _add(report, values)
    if values["to_value"] == "in_review":
        # The e-mail about the earlier outcome still waiting for a confirmation no longer says what became of it.
        step = _step.get()
        if step is None:
            consent.withdraw_held([report.id])
        else:
            step.reopened.append(report.id)
    webhooks.emit("report.status_changed", {"report": webhooks.report_data(report), "from": values["from_value"],
                                            "to": values["to_value"], "by": event.actor, "comment": values["comment"]})
    return event


def reject(report: Report, reason: str, *, by: Editor) -> Event:
    """Reject with the reason the reader will be given."""
    event = _moved(report, rejected(report, reason, by=by, at=utcnow()))
    tell_reader(report, "rejected")
    return event


def mark_duplicate(report: Report, original: Report, *, by: Editor, comment: str = "") -> Event:
    """Mark a report as a duplicate of another; a chain of duplicates points at its first report."""
    seen = {report.id}
    while original.duplicate_of is not None and original.status == "duplicate" and original.id not in seen:
        seen.add(original.id)
        original = original.duplicate_of
    event = _moved(report, duplicated(report, original, by=by, at=utcnow(), comment=comment))
    report.duplicate_of = original
    if original.status == "corrected":
        tell_reader(report, "duplicate_corrected")
    return event


def assign(report: Report, editor: Editor | None, *, by: Editor) -> Event | None:
    """Give the report to an editor (or to nobody); None when nothing changes."""
    values = assigned(report, editor, by=by, at=utcnow())
    return _add(report, values) if values else None


def restore(report: Report, before: dict, *, by: Editor, comment: str) -> Event:
    """Undo a decision on the report (reports/decisions.py decides when that is allowed): its fields as they were
    before, and an event that says who undid it. Nothing is announced: what the decision queued is cancelled."""
    if before["assignee_id"] != report.assignee_id:
        # The relationship, loaded before, would otherwise keep the assignee the decision gave.
        report.assignee = db.session.get(Editor, before["assignee_id"]) if before["assignee_id"] else None
    if before["duplicate_of_id"] != report.duplicate_of_id:
        report.duplicate_of = db.session.get(Report, before["duplicate_of_id"]) if before["duplicate_of_id"] else None
    return _add(report, restored(report, before, by=by, at=utcnow(), comment=comment))


def add_note(report: Report, text: str, *, by: Editor, about: str = "") -> Event:
    """An internal note, for editors only (`about`: see noted)."""
    return _add(report, noted(report, text, by=by, at=utcnow(), about=about))


# A plain INSERT, built once, like the report's own (reports.submit_report).
RECEIVED = insert(Event.__table__)


def record_received(report_id: int, status: str, spam_reason: str = "") -> None:
    """The first line of every report's history: how it arrived."""
    db.session.connection().execute(RECEIVED, {"report_id": report_id, **received(status, spam_reason)})

