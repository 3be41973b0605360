"""Undo: for UNDO_SECONDS the editor who made a decision that tells readers something may take it back.

A view hands such a decision (accept, reject, duplicate, a canned answer, publishing a notice) to `undoable`
inside transaction.save or commit, like any change. Besides making the change, it keeps what each report was
before (DecisionReport) and marks what the change queued for the outside world as the decision's: the reader's
e-mail and the webhook deliveries wait until the undo window has passed (and SENDING_MARGIN more), so nothing
leaves while the decision can still be taken back. `undo` puts the reports back through the workflow (which
records who undid it), cancels what was queued, and runs what other domains registered with `when_undone`
(notices removes a notice the decision published). A bulk decision is one Decision: its reports are undone
together. Undo is refused to another editor, after the window, and for a report changed since the decision.

Webhooks wait with the e-mail: a receiver never hears of a decision that was undone, and hears of one that
stands a few seconds later. Confirmation e-mails (consent.py) leave at once: they say nothing about the decision.
"""

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import selectinload

from corrections.errors import Refusal
from corrections.extensions import db
from corrections.infra import retry_queue
from corrections.languages import number, short_time, word_list
from corrections.models import Decision, DecisionReport, Editor, Notice, OutboxMessage, Report, WebhookDelivery, utcnow
from corrections.reports import consent, workflow

Result = TypeVar("Result")

# What a decision queued leaves this long after its undo window: an undo accepted in its last moment has
# committed (and cancelled it) by then.
SENDING_MARGIN = timedelta(seconds=2)
CANCELLED = retry_queue.UNDONE
# References named in the sentence describing a decision; the rest are counted.
NAMED = 3


class UndoRefused(Refusal):
    """An undo that cannot be made; the message says why."""


def window() -> timedelta:
    """How long a decision can be undone (UNDO_SECONDS); zero: decisions are final at once."""
    return timedelta(seconds=max(0.0, float(current_app.config.get("UNDO_SECONDS") or 0)))


def start(by: Editor, what: str, **values: str) -> Decision:
    """A decision about to be made, for `undoable`: one for a bulk action's reports, undone as one.

    `what` is a catalog message naming the decision's reports as %(reports)s ("%(reports)s rejected"), kept with
    its other `values` so that each page says it in its own language (describe)."""
    now = utcnow()
    values = {name: value[:100] for name, value in values.items()}
    return Decision(editor=by, what=json.dumps({"said": what, **values}, ensure_ascii=False)[:300], created_at=now,
                    undo_until=now + window())


def undoable(change: Callable[[], Result], *, reports: Iterable[Report], by: Editor, what: str = "",
             decision: Decision | None = None) -> Callable[[], Result]:
    """`change`, a decision on `reports` by `by`, made so that it can be undone: a function for transaction.save.

    `what` says what was decided, after the references ("rejected"); `decision`, one made with `start` (a bulk
    action's). A report the change left as it was (a bulk action refused it) is no part of the decision; a
    change that changed no report and published nothing leaves no decision. Without an undo window
    (UNDO_SECONDS 0), `change` as it is.
    """
    if window() <= timedelta(0):
        return change

    def run() -> Result:
        made = decision if decision is not None else start(by, what)
        if inspect(made).transient:
            # A batch's first change refused after it recorded itself: what it recorded was rolled back.
            made.reports = []
        before = [(report, workflow.state_of(report)) for report in reports]
        queued: list[OutboxMessage | WebhookDelivery] = []

        def collect(_session, instance) -> None:
            if isinstance(instance, OutboxMessage | WebhookDelivery):
                queued.append(instance)

        session = db.session()
        event.listen(session, "transient_to_pending", collect)
        try:
            result = change()
        finally:
            event.remove(session, "transient_to_pending", collect)
        if isinstance(result, Notice):
            made.notice = result
        changed = [(report, state) for report, state in before if workflow.state_of(report) != state]
        if not changed and made.notice is None:
            return result
        db.session.add(made)
        db.session.flush()  # the reports' new versions, and the decision's id
        db.session.add_all([DecisionReport(decision=made, report_id=report.id, before=json.dumps(state),
                                           version_after=report.version) for report, state in changed])
        made_id, sending = made.id, made.undo_until + SENDING_MARGIN
        for item in queued:
            if isinstance(item, OutboxMessage) and consent.is_confirmation(item):
                continue
            item.decision_id = made_id
            # A held outcome keeps the time too: a confirmation released within the window waits for it (consent).
            item.next_attempt_at = max(item.next_attempt_at, sending)
        return result

    return run


# A catalog message's named placeholder ("%(reports)s", "%(title)s"): a kept message is worded through the catalog.
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def describe(decision: Decision) -> str:
    """The decision in a few words, in the page's language: "R-7KQ2MX and R-P3D9WA rejected"."""
    references = [row.report.reference for row in decision.reports]
    return _described(decision.what, references[:NAMED + 1], len(references))


def _described(what: str, references: list[str], count: int) -> str:
    """A decision's `what` said of its reports: the first NAMED + 1 references of `count`."""
    if count > NAMED + 1:
        more = count - NAMED
        references = [*references[:NAMED], ngettext("%(count)s more", "%(count)s more", more, count=number(more))]
    named = word_list(references)
    try:
        kept = json.loads(what)
    except ValueError:
        kept = None
    if not isinstance(kept, dict) or not isinstance(kept.get("said"), str):
        # Kept before decisions were worded through the catalog: English words after the references.
        return f"{named} {what}".strip()
    if not PLACEHOLDER.search(kept["said"]):
        # Words given to undoable(what=...) without a catalog message: after the references.
        return f"{named} {kept['said']}".strip()
    values = {name: value for name, value in kept.items() if name != "said"}
    return gettext(kept["said"], reports=named, **values).strip()


def undone_comment(decision: Decision) -> str:
    """What the history line of an undo keeps of the decision (as JSON): its words and the references describe
    names, worded when the history is read (undone_words), in the language of whoever reads it."""
    references = [row.report.reference for row in decision.reports]
    return json.dumps({"undone": decision.what, "reports": references[:NAMED + 1], "count": len(references)},
                      ensure_ascii=False)


def undone_words(comment: str) -> str:
    """An undo's history comment (undone_comment) in the page's language: "Undone: R-7KQ2MX and R-P3D9WA
    rejected."; one kept as a finished sentence (before undos were worded when read), as it is."""
    try:
        kept = json.loads(comment)
    except ValueError:
        return comment
    if not (isinstance(kept, dict) and isinstance(kept.get("undone"), str) and isinstance(kept.get("reports"), list)
            and isinstance(kept.get("count"), int)):
        return comment
    return gettext("Undone: %(decision)s.",
                   decision=_described(kept["undone"], [str(r) for r in kept["reports"]], kept["count"]))


def find(decision_id: int | None) -> Decision | None:
    """The decision with its reports (which describe() names), in one round of queries."""
    if not decision_id:
        return None
    return db.session.scalar(select(Decision).where(Decision.id == decision_id)
                             .options(selectinload(Decision.reports).joinedload(DecisionReport.report)))


def open_for(decision: Decision | None, editor: Editor, now: datetime | None = None) -> bool:
    """Whether the editor may still undo the decision (what the "Undo" notice is shown for)."""
    return (decision is not None and decision.editor_id == editor.id and decision.undone_at is None
            and (now or utcnow()) < decision.undo_until)


def check(decision: Decision, by: Editor, now: datetime | None = None) -> None:
    """Raise UndoRefused unless `by` may undo the decision now."""
    now = now or utcnow()
    if decision.editor_id != by.id:
        raise UndoRefused(gettext("Only %(name)s, who made this decision, can undo it.", name=decision.editor.name))
    if decision.undone_at is not None:
        raise UndoRefused(gettext("This decision was undone already: %(decision)s.", decision=describe(decision)))
    if now >= decision.undo_until:
        seconds = round((decision.undo_until - decision.created_at).total_seconds())
        raise UndoRefused(ngettext("Too late to undo: %(decision)s at %(time)s, and a decision can be undone for "
                                   "%(count)s second only; readers may have been told. Reopen a report (move it to "
                                   "review) to decide again.",
                                   "Too late to undo: %(decision)s at %(time)s, and a decision can be undone for "
                                   "%(count)s seconds only; readers may have been told. Reopen a report (move it to "
                                   "review) to decide again.", seconds, decision=describe(decision),
                                   time=short_time(decision.created_at), count=number(seconds)))


# What other domains undo with a decision (notices: a notice it published). Each is called with the decision
# and the editor, before the reports are put back, and changes the session only.
_when_undone: list[Callable[[Decision, Editor], object]] = []


def when_undone(hook: Callable[[Decision, Editor], object]) -> Callable[[Decision, Editor], object]:
    """Have every undo call `hook(decision, by)` too (a decorator)."""
    if hook not in _when_undone:
        _when_undone.append(hook)
    return hook


def undo(decision: Decision, *, by: Editor) -> list[Report]:
    """Take the decision back: its reports as they were, with an event each saying who undid it, and nothing of
    what it queued sent. Raises UndoRefused (too late, another editor's, undone already) or StaleReport (a report
    changed since). Returns the reports. Does not commit."""
    now = utcnow()
    check(decision, by, now)
    rows = list(decision.reports)
    for row in rows:
        if row.report.version != row.version_after:
            raise workflow.changed_since(row.report)
    said = undone_comment(decision)
    for hook in _when_undone:
        hook(decision, by)
    for row in rows:
        workflow.restore(row.report, json.loads(row.before), by=by, comment=said)
    for model in (OutboxMessage, WebhookDelivery):
        db.session.execute(
            update(model).where(model.decision_id == decision.id, model.status.in_(("pending", "held")))
            .values(status="cancelled", last_error=CANCELLED),
            execution_options={"synchronize_session": False})
        # The sender may have taken a message in the moment before (a slow undo): then the reader has been told.
        if db.session.scalar(select(model.id).where(model.decision_id == decision.id, model.status == "sent")):
            raise UndoRefused(gettext("Too late to undo: what was decided has already been sent."))
    decision.undone_at = now
    return [row.report for row in rows]

