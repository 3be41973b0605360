"""Admin pages: the canned answers editors apply to reports."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from corrections.editor.actions import delete_then_list
from corrections.editor.blueprint import admin_required, bp
from corrections.editor.forms import CannedAnswerForm
from corrections.extensions import db
from corrections.languages import N_
from corrections.models import CannedAnswer
from corrections.reports import canned_answers
from corrections.transaction import save


def render_canned_answers(form: CannedAnswerForm, status: int = 200):
    return render_template("editor/canned_answers.html", canned_answers=canned_answers.all_canned_answers(), form=form,
                           states=canned_answers.STATES,
                           placeholders=canned_answers.PLACEHOLDERS), status


def render_canned_answer(canned_answer: CannedAnswer, form: CannedAnswerForm, status: int = 200):
    return render_template("editor/canned_answer.html", canned_answer=canned_answer, form=form,
                           placeholders=canned_answers.PLACEHOLDERS), status


def save_from(form: CannedAnswerForm, canned_answer: CannedAnswer | None) -> CannedAnswer | None:
    """Save the form's answer, or put the refusal at its field and return None."""
    if not form.validate_on_submit():
        return None
    return save(lambda: canned_answers.save(
        canned_answer, name=form.name.data, to_state=form.to_state.data or "", text=form.text.data or "",
        notice_template=form.notice_template.data or ""), form=form).result


@bp.get("/admin/answers")
@admin_required
def answers():
    return render_canned_answers(CannedAnswerForm(formdata=None))


@bp.post("/admin/answers")
@admin_required
def add_answer():
    form = CannedAnswerForm()
    canned_answer = save_from(form, None)
    if canned_answer is None:
        return render_canned_answers(form, 400)
    flash(_("Canned answer “%(name)s” added.", name=canned_answer.name), "success")
    return redirect(url_for("editor.answers"))


def load_canned_answer(answer_id: int) -> CannedAnswer:
    return db.session.get(CannedAnswer, answer_id) or abort(404)


@bp.get("/admin/answers/<int:answer_id>")
@admin_required
def answer(answer_id: int):
    found = load_canned_answer(answer_id)
    return render_canned_answer(found, CannedAnswerForm(formdata=None, obj=found))


@bp.post("/admin/answers/<int:answer_id>")
@admin_required
def change_answer(answer_id: int):
    found = load_canned_answer(answer_id)
    form = CannedAnswerForm()
    if save_from(form, found) is None:
        return render_canned_answer(found, form, 400)
    flash(_("Canned answer “%(name)s” saved.", name=found.name), "success")
    return redirect(url_for("editor.answers"))


@bp.post("/admin/answers/<int:answer_id>/delete")
@admin_required
def delete_answer(answer_id: int):
    return delete_then_list(db.session.get(CannedAnswer, answer_id), canned_answers.delete,
                            gone=N_("That canned answer no longer exists."),
                            done=N_("Canned answer “%(name)s” deleted; the reports it was applied to keep their "
                                    "history."),
                            to="editor.answers")
