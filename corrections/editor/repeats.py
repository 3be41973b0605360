"""Same error elsewhere in the dashboard: other articles that carry a published correction's error (found by the
archive sweep), newest first by state, each with the matched words in their context; confirm (the same correction
there, in one step) or dismiss with a reason."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from corrections.editor.blueprint import bp, me
from corrections.editor.forms import ConfirmRepeatForm, DismissRepeatForm
from corrections.extensions import db
from corrections.models import Notice, Repeat
from corrections.repeats import decisions, listing
from corrections.text import parse_id
from corrections.transaction import save
from corrections.vocabulary import NOTICE_KINDS, REPEAT_ORIGINS, REPEAT_STATES

PER_PAGE = 25
# The original notice's reports an item's page links; the others are counted.
REPORTS_LISTED = 5


def load_repeat(repeat_id: int) -> Repeat:
    return listing.get(repeat_id) or abort(404)


@bp.get("/elsewhere")
def repeats():
    state = request.args.get("state", "open")
    state = state if state in REPEAT_STATES or state == "all" else "open"
    after, notice_id = parse_id(request.args.get("after")), parse_id(request.args.get("notice"))
    notice = db.session.get(Notice, notice_id) if notice_id else None
    found = listing.page("" if state == "all" else state, PER_PAGE, after, notice.id if notice else None)
    return render_template("editor/repeats.html", page=found, state=state, states=REPEAT_STATES, after=after,
                           notice=notice,
                           counts=listing.counts(), origins=REPEAT_ORIGINS,
                           contexts={item.id: listing.in_context(item, 120) for item in found.items})


def render_repeat(repeat: Repeat, status: int = 200, *, confirm_form=None, dismiss_form=None):
    if confirm_form is None:
        current = repeat.article.current_revision
        confirm_form = ConfirmRepeatForm(formdata=None, kind=repeat.notice.kind if repeat.notice.kind != "editors_note"
                                         else "correction", text=decisions.draft_text(repeat),
                                         replacement=decisions.suggested_replacement(repeat),
                                         revision=str(current.number) if current else "")
    reports, reports_total = listing.reports_of(repeat.notice, REPORTS_LISTED)
    return render_template(
        "editor/repeat.html", reports=reports, reports_total=reports_total, repeat=repeat, article=repeat.article,
        original=repeat.notice,
        context=listing.in_context(repeat), states=REPEAT_STATES, origins=REPEAT_ORIGINS, kinds=NOTICE_KINDS,
        confirm_form=confirm_form, dismiss_form=dismiss_form or DismissRepeatForm(formdata=None),
        reason=decisions.reason_words(repeat) if repeat.state == "dismissed" else "",
    ), status


@bp.get("/elsewhere/<int:repeat_id>")
def repeat(repeat_id: int):
    return render_repeat(load_repeat(repeat_id))


@bp.post("/elsewhere/<int:repeat_id>/confirm")
def confirm_repeat(repeat_id: int):
    item = load_repeat(repeat_id)
    form = ConfirmRepeatForm()
    status = 400
    if form.validate_on_submit():
        outcome = save(lambda: decisions.confirm(item, by=me(), kind=form.kind.data, text=form.text.data,
                                                 replacement=form.replacement.data or "",
                                                 seen_revision=parse_id(form.revision.data)),
                       form=form, field="text")
        if outcome.done:
            flash(gettext("Corrected: the notice is published on “%(title)s”.", title=item.article.title), "success")
            return redirect(url_for("editor.repeats"))
        status = outcome.status
    return render_repeat(item, status, confirm_form=form)


@bp.post("/elsewhere/<int:repeat_id>/dismiss")
def dismiss_repeat(repeat_id: int):
    item = load_repeat(repeat_id)
    form = DismissRepeatForm()
    if form.validate_on_submit() and save(lambda: decisions.dismiss(item, form.chosen_reason(), by=me()),
                                          form=form, field="reason_text").done:
        flash(gettext("Dismissed; the reason is in the article’s history."), "success")
        return redirect(url_for("editor.repeats"))
    return render_repeat(item, 400, dismiss_form=form)
