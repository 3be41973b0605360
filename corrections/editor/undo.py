"""Undo: the notice offering to take back the decision just made, on every dashboard page while it can be, and
its button (a form that works without JavaScript; the key z presses it)."""

import math
from dataclasses import dataclass
from datetime import datetime

from flask import flash, g, has_request_context, redirect, render_template, request, session
from flask_babel import gettext
from flask_login import current_user

from corrections.auth import safe_next
from corrections.editor.blueprint import bp, me
from corrections.languages import N_, word_list
from corrections.models import Decision, utcnow
from corrections.reports import decisions
from corrections.transaction import save
from corrections.vocabulary import STATUS_LABELS

# The session's key for the decision on offer: its id and where its undo goes back to.
OFFER = "undo"
# What the page says after an undo, by the status the reports went back to (one sentence each: a status is not
# filled in); %(decision)s is the decision in a few words ("R-7KQ2MX rejected").
BACK_TO = {
    "new": N_("Undone: %(decision)s. Back to new; nothing was sent to readers."),
    "in_review": N_("Undone: %(decision)s. Back to in review; nothing was sent to readers."),
    "accepted": N_("Undone: %(decision)s. Back to accepted; nothing was sent to readers."),
    "rejected": N_("Undone: %(decision)s. Back to rejected; nothing was sent to readers."),
    "duplicate": N_("Undone: %(decision)s. Back to duplicate; nothing was sent to readers."),
    "spam": N_("Undone: %(decision)s. Back to spam; nothing was sent to readers."),
    "corrected": N_("Undone: %(decision)s. Back to corrected; nothing was sent to readers."),
}


@dataclass(frozen=True)
class Offer:
    """What the notice shows: the decision in a few words, until when, and where the undo goes back to."""

    id: int
    summary: str
    until: datetime
    then: str
    seconds_left: int
    # On the page right after the decision, whose own message says what was decided: the notice need not.
    fresh: bool


def offer(decision: Decision, then: str) -> None:
    """Offer the undo of a decision just committed on the next pages (none when undo is off: no decision kept)."""
    if decision.id is not None:
        session[OFFER] = {"id": decision.id, "then": then}


@bp.app_context_processor
def undo_offer() -> dict:
    """The decision the logged-in editor may still undo, for base.html's notice (looked up only while one is on
    offer in their session; forgotten once it can no longer be undone)."""
    asking = has_request_context() and request.blueprint == "editor" and current_user.is_authenticated
    if not asking:
        return {}
    # Once a request: a bulk step renders an e-mail to each reader who asked for one, with every context processor.
    if "undo_offer" not in g:
        g.undo_offer = _offer()
    return g.undo_offer


def _offer() -> dict:
    kept = session.get(OFFER)
    if not isinstance(kept, dict):
        return {}
    decision = decisions.find(kept.get("id") if isinstance(kept.get("id"), int) else None)
    now = utcnow()
    if not decisions.open_for(decision, me(), now):
        session.pop(OFFER, None)
        return {}
    fresh = not kept.get("shown")
    if fresh:
        session[OFFER] = {**kept, "shown": True}
    return {"undo_offer": Offer(decision.id, decisions.describe(decision), decision.undo_until,
                                safe_next(kept.get("then")), math.ceil((decision.undo_until - now).total_seconds()),
                                fresh)}


@bp.post("/decisions/<int:decision_id>/undo")
def undo(decision_id: int):
    then = safe_next(request.form.get("then"))
    decision = decisions.find(decision_id)
    if decision is None:
        flash(gettext("That decision does not exist."), "error")
        return render_template("editor/undo_refused.html", then=then), 404
    said = decisions.describe(decision)
    # Revisions are never deleted: a publication that corrected the text leaves the text corrected.
    text_stays = decision.notice is not None and decision.notice.revision is not None
    outcome = save(lambda: decisions.undo(decision, by=me()), reports=[row.report for row in decision.reports])
    if session.get(OFFER, {}).get("id") == decision_id:
        session.pop(OFFER, None)
    if not outcome.done:
        return render_template("editor/undo_refused.html", then=then), outcome.status
    flash(undone(said, [report.status for report in outcome.result], text_stays), "success")
    return redirect(then)


def undone(decision: str, statuses: list[str], text_stays: bool) -> str:
    """What the page says after undoing `decision`: the statuses its reports went back to, or that its notice is gone;
    and whether the article's text stays corrected."""
    kept = sorted(set(statuses), key=list(STATUS_LABELS).index)
    if not kept:
        said = gettext("Undone: %(decision)s. The notice is gone; nothing was sent to readers.", decision=decision)
    elif len(kept) == 1:
        said = gettext(BACK_TO[kept[0]], decision=decision)
    else:
        # Translators: %(statuses)s lists report statuses as the dashboard labels them ("New and In review").
        said = gettext("Undone: %(decision)s. Each report is back to its status before (%(statuses)s); nothing was "
                       "sent to readers.", decision=decision,
                       statuses=word_list(str(STATUS_LABELS[status]) for status in kept))
    if not text_stays:
        return said
    # Translators: %(undone)s is the sentence that says what was undone; this one follows it.
    return gettext("%(undone)s The article’s text stays as corrected: that change is open again under Changes, to "
                   "announce or to revert.", undone=said)
