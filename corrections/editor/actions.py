"""Editor actions that several pages share: workflow changes one report at a time (the report page and bulk
actions), publishing a notice (the report, article and unannounced change pages), and an admin list's Delete."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext, ngettext, pgettext
from flask_babel import lazy_gettext as _l

from corrections.editor.forms import BulkForm, PublishForm
from corrections.editor.undo import offer
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.languages import N_, number
from corrections.models import (
    Article,
    ArticleRevision,
    CannedAnswer,
    ChangeReview,
    Decision,
    Editor,
    Notice,
    Report,
)
from corrections.notices import publishing
from corrections.reports import canned_answers, decisions, workflow
from corrections.text import parse_id
from corrections.transaction import Outcome, commit, save
from corrections.triage import queue

BULK_ACTIONS = {
    "": _l("Choose an action…"),
    "assign_me": _l("Assign to me"),
    "assign": _l("Assign to the editor chosen below"),
    "unassign": _l("Unassign"),
    "in_review": _l("Move to review"),
    "accepted": _l("Accept (reports in review)"),
    "spam": _l("Mark spam"),
    "reject": _l("Reject with the reason below"),
    "duplicate": _l("Mark duplicates of the report given below (or of the oldest selected)"),
    "answer": _l("Apply the canned answer chosen below"),
}


# The undo notice's words for a publication, one per kind of notice: with the reports it corrected, or alone.
PUBLISHED = {
    "correction": N_("%(reports)s corrected: correction published"),
    "clarification": N_("%(reports)s corrected: clarification published"),
    "update": N_("%(reports)s corrected: update published"),
    "editors_note": N_("%(reports)s corrected: editor’s note published"),
}
PUBLISHED_ON = {
    "correction": N_("Correction published on “%(title)s”"),
    "clarification": N_("Clarification published on “%(title)s”"),
    "update": N_("Update published on “%(title)s”"),
    "editors_note": N_("Editor’s note published on “%(title)s”"),
}
# A canned answer in a list to choose from: its name and what it does.
ANSWER_CHOICES = {
    "in_review": N_("%(answer)s (move to review)"),
    "accepted": N_("%(answer)s (accept)"),
    "rejected": N_("%(answer)s (reject)"),
    "spam": N_("%(answer)s (mark spam)"),
}


def answer_choice(canned_answer: CannedAnswer) -> str:
    """A canned answer as a list offers it: "Opinion, not fact (reject)"."""
    return gettext(ANSWER_CHOICES.get(canned_answer.to_state, "%(answer)s"), answer=canned_answer.name)


def editor_by_id(value: str | None) -> Editor | None:
    editor_id = parse_id(value)
    return db.session.get(Editor, editor_id) if editor_id else None


def canned_answer_by_id(value: str | None) -> CannedAnswer | None:
    canned_answer_id = parse_id(value)
    return db.session.get(CannedAnswer, canned_answer_id) if canned_answer_id else None


def bulk_change(form: BulkForm, report: Report, me: Editor, original: Report | None):
    """The change a bulk action makes to one report, as a function for transaction.commit."""
    action = form.action.data
    if action == "assign_me":
        return lambda: workflow.assign(report, me, by=me)
    if action == "assign":
        editor = editor_by_id(form.assignee.data)
        if editor is None:
            raise workflow.WorkflowError(gettext("choose the editor to assign to."))
        return lambda: workflow.assign(report, editor, by=me)
    if action == "unassign":
        return lambda: workflow.assign(report, None, by=me)
    if action in ("in_review", "accepted", "spam"):
        return lambda: workflow.move(report, action, by=me)
    if action == "reject":
        reason = form.chosen_reason()
        return lambda: workflow.reject(report, reason, by=me)
    if action == "duplicate":
        if original is None:
            raise workflow.WorkflowError(gettext("no original report was found for the duplicates."))
        return lambda: workflow.mark_duplicate(report, original, by=me)
    if action == "answer":
        canned_answer = canned_answer_by_id(form.canned_answer.data)
        if canned_answer is None:
            raise workflow.WorkflowError(gettext("choose the canned answer to apply."))
        return lambda: canned_answers.apply(canned_answer, report, by=me)
    raise workflow.WorkflowError(gettext("choose an action."))


# The state each bulk action moves reports to ("answer": its canned answer's), to tell refusals by status apart.
BULK_TARGETS = {"in_review": "in_review", "accepted": "accepted", "spam": "spam", "reject": "rejected",
                "duplicate": "duplicate"}
# References listed in a line of the summary; the rest are counted. The way forward takes at most REVIEW_MAX
# reports (the summary waits in the session cookie until the queue shows it).
LISTED = 30
REVIEW_MAX = 200


@dataclass
class Refused:
    """Reports a bulk action refused for one reason: `why` ends "… refused {why}" (a whole clause of the page's
    language: "because they are still new"); `review`, the way forward offered when they are still new ((id,
    version) of each, to move to review first)."""

    why: str
    references: list[str] = field(default_factory=list)
    review: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class BulkResult:
    """What a bulk action did: the references done, the refusals grouped by reason, the decision (if it can be
    undone), or the problem that stopped it before any report (no action chosen, no reason given...)."""

    done: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    decision: Decision | None = None
    problem: str = ""
    # How many reports the action took of how many were selected (it takes BULK_MAX at a time).
    taken: int = 0
    selected: int = 0

    def summary(self) -> dict:
        """The summary as the queue page shows it after the redirect (kept in the session: short lists)."""
        said = [ngettext("%(count)s done", "%(count)s done", len(self.done), count=number(len(self.done)))
                if self.done else gettext("Nothing done")]
        # Translators: %(why)s is a clause such as "because they are still new".
        said += [ngettext("%(count)s refused %(why)s", "%(count)s refused %(why)s", len(g.references),
                          count=number(len(g.references)), why=g.why) for g in self.refused]
        lines = ([{"label": pgettext("bulk action's reports", "Done"), "references": listed(self.done),
                   "review": ""}] if self.done else [])
        # Translators: %(why)s is a clause such as "because they are still new".
        lines += [{"label": gettext("Refused %(why)s", why=g.why), "references": listed(g.references),
                   "review": ",".join(f"{i}:{v}" for i, v in g.review[:REVIEW_MAX]),
                   "button": ngettext("Move it to review", "Move them to review", len(g.review))}
                  for g in self.refused]
        forward = sum(len(g.review) for g in self.refused)
        # Translators: what a bulk action did, each part joined by "; " (e.g. "3 done; 2 refused because ...").
        sentence = "; ".join(said)
        if forward:
            sentence = ngettext("%(said)s: move it to review first?", "%(said)s: move them to review first?",
                                forward, said=sentence)
        else:
            sentence = gettext("%(said)s.", said=sentence)
        if self.selected > self.taken:
            sentence = ngettext("%(taken)s of %(selected)s selected taken: apply again for the rest (%(left)s left). "
                                "%(said)s",
                                "%(taken)s of %(selected)s selected taken: apply again for the rest (%(left)s left). "
                                "%(said)s", self.selected, taken=number(self.taken), selected=number(self.selected),
                                left=number(self.selected - self.taken), said=sentence)
        return {"sentence": sentence, "lines": lines}


def listed(references: list[str]) -> dict:
    """The references a line names, and how many more it counts."""
    return {"named": references[:LISTED], "more": max(0, len(references) - LISTED)}


# Why reports in a status were refused, for one report or several: "because they are still new". One whole clause
# per status (a status's name is not put into a sentence).
STATUS_REFUSALS = {
    "new": lambda n: ngettext("because it is still new", "because they are still new", n),
    "in_review": lambda n: ngettext("because it is already in review", "because they are already in review", n),
    "accepted": lambda n: ngettext("because it is already accepted", "because they are already accepted", n),
    "rejected": lambda n: ngettext("because it is already rejected", "because they are already rejected", n),
    "duplicate": lambda n: ngettext("because it is already a duplicate", "because they are already duplicates", n),
    "spam": lambda n: ngettext("because it is already spam", "because they are already spam", n),
    "corrected": lambda n: ngettext("because it is already corrected", "because they are already corrected", n),
}


def status_refusal(status: str, n: int) -> str:
    """Why reports in `status` were refused: "because they are still new"."""
    return STATUS_REFUSALS[status](n)


def apply_bulk(form: BulkForm, selection: list[tuple[int, int | None]], me: Editor) -> BulkResult:
    """Apply the action to each selected report, in one transaction: a report the workflow refuses is left as it
    was and named in the summary, the others are changed. The reports go through the workflow's functions one by
    one, in a workflow.batch, so the step costs the same number of statements whatever its size (and one commit,
    not one per report). A decision readers are told of (accept, reject, duplicate, a canned answer) is one
    Decision, undone as one."""
    action = form.action.data
    if action not in BULK_ACTIONS or not action:
        return BulkResult(problem=gettext("Choose an action to apply."))
    if action == "reject" and not form.chosen_reason():
        return BulkResult(problem=gettext("Give a reason for rejecting: the readers will see it."))
    canned_answer = canned_answer_by_id(form.canned_answer.data) if action == "answer" else None
    if action == "answer" and canned_answer is None:
        return BulkResult(problem=gettext("Choose the canned answer to apply (it may have been deleted)."))
    if not selection:
        return BulkResult(problem=gettext("Select at least one report, then choose an action."))
    if action == "duplicate" and form.original.data and queue.find_by_reference(form.original.data) is None:
        return BulkResult(problem=gettext("No report has the reference %(reference)s.",
                                          reference=form.original.data.strip()))
    try:
        return _bulk_step(form, selection, me, canned_answer)
    except workflow.StaleReport:
        # Another editor's commit to one of the reports landed during the step, which was rolled back whole: the
        # second try finds that report changed since the queue was loaded, and refuses it alone.
        try:
            return _bulk_step(form, selection, me, canned_answer)
        except workflow.StaleReport:
            return BulkResult(problem=gettext("Other editors changed these reports at the same moment; nothing was "
                                              "changed. Apply the action again."))


def _bulk_step(form: BulkForm, selection: list[tuple[int, int | None]], me: Editor,
               canned_answer: CannedAnswer | None) -> BulkResult:
    action = form.action.data
    reports = queue.reports_by_id([report_id for report_id, _ in selection])
    original = None
    if action == "duplicate":
        if form.original.data:
            original = queue.find_by_reference(form.original.data)
        elif reports:
            original = min(reports.values(), key=lambda r: (r.created_at, r.id))
    decided, values = {"accepted": (N_("%(reports)s accepted"), {}), "reject": (N_("%(reports)s rejected"), {}),
                       "duplicate": (N_("%(reports)s marked duplicate of %(original)s"),
                                     {"original": original.reference}) if original else ("", {}),
                       "answer": (N_("%(reports)s answered with “%(answer)s”"),
                                  {"answer": canned_answer.name}) if canned_answer else ("", {})
                       }.get(action, ("", {}))
    decision = decisions.start(me, decided, **values) if decided else None
    result = BulkResult()
    by_status: dict[str, list[Report]] = {}
    by_reason: dict[str, Refused] = {}
    to = canned_answer.to_state if canned_answer else BULK_TARGETS.get(action)
    taken: list[Report] = []
    for report_id, seen in selection:
        report = reports.get(report_id)
        if report is None:
            by_reason.setdefault("gone", Refused("gone")).references.append(f"#{report_id}")
            continue
        if original is not None and report.id == original.id:
            continue  # the original of the duplicates stays as it is
        if seen is not None and seen != report.version:
            # Who changed it last; "" when its history names nobody ("someone", below).
            who = workflow.last_actor(report) or ""
            by_reason.setdefault(f"stale {who}", Refused(who)).references.append(report.reference)
            continue
        if to is not None and not (canned_answers.usable_on(canned_answer, report) if canned_answer
                                   else workflow.can_move(report, to)):
            by_status.setdefault(report.status, []).append(report)
            continue
        taken.append(report)

    # What the workflow refused in the step's last run: a step the database aborted is run again from the start.
    refused_in_step: dict[str, Refused] = {}

    def step() -> list[str]:
        done = []
        refused_in_step.clear()
        with workflow.batch():
            for report in taken:
                try:
                    # The workflow checks a change before it makes it: a refused report is left untouched.
                    bulk_change(form, report, me, original)()
                except Refusal as refusal:
                    refused_in_step.setdefault(str(refusal), Refused(f"({str(refusal).rstrip('.')})")
                                               ).references.append(report.reference)
                else:
                    done.append(report.reference)
        return done

    change = step if decision is None else decisions.undoable(step, reports=taken, by=me, decision=decision)
    try:
        result.done = commit(change, reports=taken) if taken else []
    except workflow.StaleReport:
        raise
    except Refusal as refusal:
        # Refused before any report (no editor to assign to, no original): the step changed nothing.
        return BulkResult(problem=str(refusal))
    for reason, refused in refused_in_step.items():
        by_reason.setdefault(reason, Refused(refused.why)).references.extend(refused.references)
    result.decision = decision if result.done and decision is not None and decision.id is not None else None
    for status, refused in by_status.items():
        forward = status == "new" and to == "accepted"
        result.refused.append(Refused(status_refusal(status, len(refused)),
                                      [r.reference for r in refused],
                                      [(r.id, r.version) for r in refused] if forward else []))
    for reason, refused in by_reason.items():
        n = len(refused.references)
        # Worded now that the count is known: "it" or "them".
        if reason == "gone":
            refused.why = ngettext("because it no longer exists", "because they no longer exist", n)
        elif reason.startswith("stale ") and not refused.why:
            refused.why = ngettext("because someone changed it since you loaded the queue",
                                   "because someone changed them since you loaded the queue", n)
        elif reason.startswith("stale "):
            refused.why = ngettext("because %(who)s changed it since you loaded the queue",
                                   "because %(who)s changed them since you loaded the queue", n, who=refused.why)
        result.refused.append(refused)
    return result


def publish_notice(form: PublishForm, article: Article, *, by: Editor, reports: list[Report] = (),
                   revision: ArticleRevision | None = None, answering: ChangeReview | None = None,
                   then: str | None = None, change: Callable[[], Notice] | None = None) -> Outcome[Notice]:
    """Publish the form's notice on the article and commit, from any page that offers it.

    A refusal is shown at the form's text when it is about the text, otherwise at the top of the page; another
    editor's change to a linked report committed at the same moment is told like a page older than the report
    (who changed it and when, status 409), so nothing is published twice or half-way. The editor may undo it for
    a few seconds (an undo goes back to `then`, by default the article's dashboard page). `change` publishes
    instead of publishing.publish when the publication does more (publishing.publish_fixing: the article's text
    corrected in the same commit).
    """
    kind = form.kind.data if form.kind.data in PUBLISHED else "correction"
    decision = (decisions.start(by, PUBLISHED[kind]) if reports else
                decisions.start(by, PUBLISHED_ON[kind], title=article.title))
    change = change or (lambda: publishing.publish(article, form.kind.data, form.text.data, by=by, reports=reports,
                                                   revision=revision, answering=answering,
                                                   wrong_text=form.wrong_text.data or "",
                                                   right_text=form.right_text.data or ""))
    outcome = save(decisions.undoable(change, reports=reports, by=by, decision=decision),
                   form=form, reports=reports)
    if outcome.done:
        offer(decision, then or url_for("editor.article", slug=article.slug))
    return outcome




def delete_then_list(found: Any, delete: Callable[[Any], None], *, gone: str, done: str, to: str):
    """A list's Delete button: delete the row (which has a `name`) if it is still there and commit, say what
    happened, and go back to the list at endpoint `to`. `gone` and `done` are catalog messages (marked with N_);
    `done` may name the row as %(name)s."""
    if found is None:
        flash(gettext(gone), "error")
    else:
        name = found.name
        if save(lambda: delete(found)).done:
            flash(gettext(done, name=name), "success")
    return redirect(url_for(to))
