"""Unannounced changes in the dashboard: the changes to answer, each with its diff, and the two answers."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from corrections import revision_pages
from corrections.articles import revisions, unannounced
from corrections.editor.actions import publish_notice
from corrections.editor.blueprint import bp, me
from corrections.editor.forms import NoNoticeForm, PublishForm
from corrections.extensions import db
from corrections.languages import N_
from corrections.models import ChangeReview, utcnow
from corrections.notices import publishing
from corrections.transaction import save
from corrections.vocabulary import NOTICE_KINDS

# What the page says after answering a change with a notice, one sentence per kind of notice.
PUBLISHED = {
    "correction": N_("Correction published, linked to revision %(number)s."),
    "clarification": N_("Clarification published, linked to revision %(number)s."),
    "update": N_("Update published, linked to revision %(number)s."),
    "editors_note": N_("Editor’s note published, linked to revision %(number)s."),
}


def load_change(change_id: int) -> ChangeReview:
    review = db.session.scalar(
        db.select(ChangeReview).where(ChangeReview.id == change_id)
        .options(joinedload(ChangeReview.article), joinedload(ChangeReview.from_revision),
                 joinedload(ChangeReview.to_revision), joinedload(ChangeReview.notice)))
    return review or abort(404)


@bp.get("/changes")
def changes():
    return render_template("editor/changes.html", due=unannounced.due(), answered=unannounced.recently_answered(),
                           labels=unannounced.EVENT_LABELS, grace=unannounced.grace(), sources=revisions.SOURCES)


def render_change(review: ChangeReview, status: int = 200, *, publish_form=None, no_notice_form=None):
    whole = request.args.get("whole") == "1"
    here = url_for("editor.change", change_id=review.id)
    if publish_form is None:
        # The notice starts from what the change removed and added.
        wrong, right = publishing.change_words(review.from_revision, review.to_revision) if not review.outcome \
            else ("", "")
        publish_form = PublishForm(formdata=None, kind="correction", wrong_text=wrong, right_text=right)
    return render_template(
        "editor/change.html", review=review, article=review.article,
        c=revision_pages.compare(review.from_revision, review.to_revision, whole=whole, keep=True),
        whole_url=None if whole else here + "?whole=1", changes_url=here if whole else None,
        publish_form=publish_form,
        no_notice_form=no_notice_form or NoNoticeForm(formdata=None),
        kinds=NOTICE_KINDS, labels=unannounced.EVENT_LABELS, sources=revisions.SOURCES,
        reason=unannounced.answer_reason(review) if review.outcome else "",
        still_in_grace=not review.outcome and review.due_at > utcnow(),
    ), status


@bp.get("/changes/<int:change_id>")
def change(change_id: int):
    return render_change(load_change(change_id))


@bp.post("/changes/<int:change_id>/notice")
def answer_change_with_notice(change_id: int):
    review = load_change(change_id)
    form = PublishForm()
    status = 400
    if form.validate_on_submit():
        outcome = publish_notice(form, review.article, by=me(), revision=review.to_revision, answering=review)
        if outcome.done:
            flash(gettext(PUBLISHED.get(outcome.result.kind, PUBLISHED["correction"]),
                          number=review.to_revision.number), "success")
            return redirect(url_for("editor.changes"))
        status = outcome.status
    return render_change(review, status, publish_form=form)


@bp.post("/changes/<int:change_id>/no-notice")
def answer_change_without_notice(change_id: int):
    review = load_change(change_id)
    form = NoNoticeForm()
    if form.validate_on_submit() and save(lambda: unannounced.excuse(review, form.chosen_reason(), by=me()),
                                          form=form, field="reason_text").done:
        flash(gettext("Recorded: no notice needed for this change."), "success")
        return redirect(url_for("editor.changes"))
    return render_change(review, 400, no_notice_form=form)
