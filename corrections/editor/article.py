"""An article in the dashboard: its notices (published, amended, withdrawn) and its reports."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from corrections import revision_pages
from corrections.articles import content, revisions, unannounced
from corrections.editor.actions import publish_notice
from corrections.editor.blueprint import bp, me
from corrections.editor.forms import AmendForm, EditArticleForm, PublishForm, WithdrawForm
from corrections.editor.report import queue_back, queue_url
from corrections.extensions import db
from corrections.languages import N_
from corrections.models import Article, ChangeReview, Notice, Report, utcnow
from corrections.notices import publishing
from corrections.repeats import decisions as repeat_decisions
from corrections.repeats import listing as repeat_listing
from corrections.text import parse_id, parse_ids
from corrections.transaction import save
from corrections.triage import queue as triage
from corrections.vocabulary import NOTICE_KINDS, SOURCE_GROUPS, STATUS_LABELS, source_group

# What the page lists of what an article gathers, newest first (the rest is a link away): reports to link to a new
# notice, revisions to go with it, changes to the published text and the article's history.
LINKABLE_LISTED = 25
REVISIONS_LISTED = 20
CHANGES_LISTED = 20
# What the page says after publishing from the article's page, one sentence per kind of notice.
PUBLISHED = {
    "correction": N_("Correction published."),
    "clarification": N_("Clarification published."),
    "update": N_("Update published."),
    "editors_note": N_("Editor’s note published."),
}


def load_article(slug: str) -> Article:
    return content.get_by_slug(slug) or abort(404)


def render_article(article: Article, status: int = 200, *, publish_form=None, amend_forms=None,
                   withdraw_forms=None, showing: Notice | None = None):
    """The article's page, the same size however many reports and notices it has: one page of its notices (the one
    starting at `showing`, else at ?notices_from=, else the newest), the first reports each resolves, and the
    reports a new notice may link, counted by state and the first few listed."""
    start = showing or notice_of(article, parse_id(request.args.get("notices_from")))
    notices = publishing.dashboard_page(article, current_app.config["EDITOR_NOTICES_PER_PAGE"], start)
    amend_forms = amend_forms or {}
    withdraw_forms = withdraw_forms or {}
    for notice in notices.notices:
        amend_forms.setdefault(notice.id, AmendForm(formdata=None, kind=notice.kind, text=notice.text,
                                                    wrong_text=notice.wrong_text, right_text=notice.right_text,
                                                    prefix=f"amend-{notice.id}"))
        withdraw_forms.setdefault(notice.id, WithdrawForm(formdata=None, prefix=f"withdraw-{notice.id}"))
    counts = triage.article_counts(article.id)
    linked_now = parse_ids(request.form.getlist("link"))
    linkable = publishing.linkable_reports(article, LINKABLE_LISTED, linked_now)
    changes = unannounced.for_article(article, CHANGES_LISTED)
    if publish_form is None:
        wrong, right = unannounced_words(article, changes)
        publish_form = PublishForm(formdata=None, wrong_text=wrong, right_text=right)
    return render_template(
        "editor/article.html", article=article, page=notices, kinds=NOTICE_KINDS,
        publish_form=publish_form, amend_forms=amend_forms,
        withdraw_forms=withdraw_forms, counts=counts, labels=STATUS_LABELS, linkable=linkable,
        linkable_total=sum(counts.get(state, 0) for state in publishing.LINKABLE), count_cap=triage.COUNT_CAP,
        linked_now=set(linked_now),
        revision_choices=revisions.latest(article, REVISIONS_LISTED),
        chosen_revision=parse_id(request.form.get("revision")),
        changes=changes, history=unannounced.history(article, CHANGES_LISTED),
        history_listed=CHANGES_LISTED, change_labels={**unannounced.EVENT_LABELS, **repeat_decisions.EVENT_LABELS},
        event_comment=repeat_decisions.event_comment, now=utcnow(),
        elsewhere=repeat_listing.open_counts([notice.id for notice in notices.notices]), **way_back(),
        source_label=SOURCE_GROUPS[source_group(article.source_type)],
    ), status


def unannounced_words(article: Article, changes: list[ChangeReview]) -> tuple[str, str]:
    """What the publish form starts from on the article's page: what the change to its current text removed and
    added, while that change waits for its notice; nothing otherwise (an older change was answered already)."""
    newest = changes[0] if changes else None
    if newest is None or newest.outcome or newest.to_revision_id != article.current_revision_id:
        return "", ""
    return publishing.change_words(newest.from_revision, newest.to_revision)


def notice_of(article: Article, notice_id: int | None) -> Notice | None:
    """The article's notice with this id, or None (none asked for, or not one of this article's)."""
    notice = db.session.get(Notice, notice_id) if notice_id is not None else None
    return notice if notice is not None and notice.article_id == article.id else None


def way_back() -> dict:
    """The way back when the editor came from a report of a filtered queue (publishing from the report page
    lands here): to that report, and to the queue at its row."""
    back, _ = queue_back()
    report_id = parse_id(request.args.get("report"))
    return {"back": back, "from_report": report_id if back else None,
            "queue_url": queue_url(back, report_id) if back and report_id else url_for("editor.queue")}


@bp.get("/articles/<slug>/revisions")
def revision_list(slug: str):
    return revision_pages.list_page(load_article(slug), "editor.revision_diff", "editor/revisions.html")


@bp.get("/articles/<slug>/revisions/<int:old>/<int:new>")
def revision_diff(slug: str, old: int, new: int):
    # An editor's pair is stored: editors are few and signed in, unlike the readers of the public page.
    return revision_pages.diff_page(load_article(slug), old, new, "editor.revision_diff", "editor/revision_diff.html",
                                    keep=True)


@bp.route("/articles/<slug>/edit", methods=["GET", "POST"])
def edit_article(slug: str):
    found = load_article(slug)
    current = found.current_revision
    form = EditArticleForm(formdata=None, title=found.title, body=content.editable_body(found.body),
                           revision=str(current.number) if current else "")
    if request.method == "POST":
        form = EditArticleForm()
        if form.validate_on_submit():
            try:
                outcome = save(lambda: content.edit(found, form.title.data, form.body.data,
                                                    seen_revision=parse_id(form.revision.data), by=me().name),
                               form=form)
            except IntegrityError:
                # Another change took the same revision number at the same moment (`save` rolled it back).
                form.body.errors.append(gettext("Someone else saved a change to this article at the same moment; "
                                                "nothing was saved. Reload to edit the latest text."))
            else:
                if outcome.done:
                    revision = outcome.result
                    flash(gettext("Saved as revision %(number)s.", number=revision.number) if revision
                          else gettext("Nothing changed: nothing was saved."), "success")
                    return redirect(url_for("editor.article", slug=slug))
    return render_template("editor/article_edit.html", article=found, form=form), 400 if form.errors else 200


def load_notice(article: Article, correction_id: int) -> Notice:
    notice = db.session.get(Notice, correction_id)
    if notice is None or notice.article_id != article.id:
        abort(404)
    return notice


@bp.get("/articles/<slug>")
def article(slug: str):
    return render_article(load_article(slug))


@bp.post("/articles/<slug>/corrections")
def publish_on_article(slug: str):
    found = load_article(slug)
    form = PublishForm()
    status = 400
    if form.validate_on_submit():
        chosen = parse_ids(request.form.getlist("link"))
        linked = list(db.session.scalars(
            select(Report).where(Report.id.in_(chosen), Report.article_id == found.id).order_by(Report.id)
        )) if chosen else []
        number = parse_id(request.form.get("revision"))
        revision = revisions.by_number(found, number) if number else None
        if number and revision is None:
            flash(gettext("The article has no revision %(number)s.", number=number), "error")
        else:
            outcome = publish_notice(form, found, by=me(), reports=linked, revision=revision)
            if outcome.done:
                notice = outcome.result
                flash(gettext(PUBLISHED.get(notice.kind, PUBLISHED["correction"])), "success")
                return redirect(url_for("editor.article", slug=slug) + f"#correction-{notice.id}")
            status = outcome.status
    return render_article(found, status, publish_form=form)


@bp.post("/articles/<slug>/corrections/<int:correction_id>/amend")
def amend_notice(slug: str, correction_id: int):
    found = load_article(slug)
    notice = load_notice(found, correction_id)
    form = AmendForm(prefix=f"amend-{notice.id}")
    if form.validate_on_submit() and save(lambda: publishing.amend(notice, form.text.data, by=me(),
                                                                   kind=form.kind.data, note=form.note.data or "",
                                                                   wrong_text=form.wrong_text.data or "",
                                                                   right_text=form.right_text.data or ""),
                                          form=form, field="text").done:
        flash(gettext("Notice amended; the earlier text is kept and the notice now shows when it was updated."),
              "success")
        return redirect(url_for("editor.article", slug=slug) + f"#correction-{notice.id}")
    return render_article(found, 400, amend_forms={notice.id: form}, showing=notice)


@bp.post("/articles/<slug>/corrections/<int:correction_id>/withdraw")
def withdraw_notice(slug: str, correction_id: int):
    found = load_article(slug)
    notice = load_notice(found, correction_id)
    if not me().is_admin:
        abort(403)
    form = WithdrawForm(prefix=f"withdraw-{notice.id}")
    if form.validate_on_submit() and save(lambda: publishing.withdraw(notice, form.reason.data, by=me()),
                                          form=form, field="reason").done:
        flash(gettext("Notice withdrawn; the reason is on record."), "success")
        return redirect(url_for("editor.article", slug=slug))
    return render_article(found, 400, withdraw_forms={notice.id: form}, showing=notice)
