"""Editor actions that several pages share: workflow changes one report at a time (the report page and bulk
actions), publishing a notice (the report, article and unannounced change pages), and an admin list's Delete."""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for

from corrections.editor.forms import BulkForm, PublishForm
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.models import Article, ArticleRevision, CannedAnswer, ChangeReview, Editor, Notice, Report
from corrections.notices import publishing
from corrections.reports import canned_answers, workflow
from corrections.text import parse_id
from corrections.transaction import Outcome, commit, save
from corrections.triage import queue

BULK_ACTIONS = {
    "": "Choose an action…",
    "assign_me": "Assign to me",
    "assign": "Assign to the editor chosen below",
    "unassign": "Unassign",
    "in_review": "Move to review",
    "accepted": "Accept (reports in review)",
    "spam": "Mark spam",
    "reject": "Reject with the reason below",
    "duplicate": "Mark duplicates of the report given below (or of the oldest selected)",
    "answer": "Apply the canned answer chosen below",
}


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
            raise workflow.WorkflowError("choose the editor to assign to.")
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
            raise workflow.WorkflowError("no original report was found for the duplicates.")
        return lambda: workflow.mark_duplicate(report, original, by=me)
    if action == "answer":
        canned_answer = canned_answer_by_id(form.canned_answer.data)
        if canned_answer is None:
            raise workflow.WorkflowError("choose the canned answer to apply.")
        return lambda: canned_answers.apply(canned_answer, report, by=me)
    raise workflow.WorkflowError("choose an action.")


def apply_bulk(form: BulkForm, selection: list[tuple[int, int | None]], me: Editor):
    """Apply the action to each selected report on its own: one refusal does not undo the others."""
    if form.action.data not in BULK_ACTIONS or not form.action.data:
        return [], [("the selection", "choose an action to apply.")]
    if form.action.data == "reject" and not form.chosen_reason():
        return [], [("the selection", "give a reason for rejecting: the readers will see it.")]
    if form.action.data == "answer" and canned_answer_by_id(form.canned_answer.data) is None:
        return [], [("the selection", "choose the canned answer to apply (it may have been deleted).")]
    reports = queue.reports_by_id([report_id for report_id, _ in selection])
    original = None
    if form.action.data == "duplicate":
        if form.original.data:
            original = queue.find_by_reference(form.original.data)
            if original is None:
                return [], [("the selection", f"no report has the reference {form.original.data.strip()}.")]
        elif reports:
            original = min(reports.values(), key=lambda r: (r.created_at, r.id))
    done, refused = [], []
    for report_id, seen in selection:
        report = reports.get(report_id)
        if report is None:
            refused.append((f"report #{report_id}", "it does not exist."))
            continue
        if original is not None and report.id == original.id:
            continue  # the original of the duplicates stays as it is
        try:
            commit(lambda report=report: bulk_change(form, report, me, original)(), report=report, seen_version=seen)
        except Refusal as refusal:
            refused.append((report.reference, str(refusal)))
        else:
            done.append(report.reference)
    return done, refused


def publish_notice(form: PublishForm, article: Article, *, by: Editor, reports: list[Report] = (),
                   revision: ArticleRevision | None = None, answering: ChangeReview | None = None,
                   ) -> Outcome[Notice]:
    """Publish the form's notice on the article and commit, from any page that offers it.

    A refusal is shown at the form's text when it is about the text, otherwise at the top of the page; another
    editor's change to a linked report committed at the same moment is told like a page older than the report
    (who changed it and when, status 409), so nothing is published twice or half-way.
    """
    return save(lambda: publishing.publish(article, form.kind.data, form.text.data, by=by, reports=reports,
                                           revision=revision, answering=answering),
                form=form, reports=reports)




def delete_then_list(found: Any, delete: Callable[[Any], None], *, gone: str, done: str, to: str):
    """A list's Delete button: delete the row (which has a `name`) if it is still there and commit, say what
    happened (`done` may name it as {name}), and go back to the list at endpoint `to`."""
    if found is None:
        flash(gone, "error")
    else:
        name = found.name
        if save(lambda: delete(found)).done:
            flash(done.format(name=name), "success")
    return redirect(url_for(to))
