"""One report: everything about it, its history, and the actions an editor takes on it."""

import re
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from corrections.access import accounts
from corrections.articles import fixes
from corrections.editor.actions import answer_choice, editor_by_id, publish_notice
from corrections.editor.blueprint import bp, me
from corrections.editor.forms import (
    ApplyCannedAnswerForm,
    AssignForm,
    DuplicateForm,
    LinkGroupForm,
    MoveForm,
    NoteForm,
    RejectForm,
    ReportPublishForm,
)
from corrections.editor.undo import offer
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.figures.metrics import duration_words
from corrections.languages import N_, number, word_list
from corrections.models import CannedAnswer, Event, Notice, Report, utcnow
from corrections.notices import publishing
from corrections.repeats import listing as repeat_listing
from corrections.reports import anchors, canned_answers, clocks, decisions, drafts, filing, outcomes, privacy, workflow
from corrections.text import parse_id, parse_ids
from corrections.transaction import save, show
from corrections.triage import presence, queue, snapshot
from corrections.vocabulary import BULK_MAX, CATEGORIES, GROUP_LISTED, NOTICE_KINDS, OPEN, STATES, STATUS_LABELS


def load_report(report_id: int) -> Report:
    report = db.session.scalar(
        db.select(Report)
        .where(Report.id == report_id)
        .options(
            joinedload(Report.article),
            joinedload(Report.assignee),
            joinedload(Report.duplicate_of),
            joinedload(Report.desk),
            joinedload(Report.resurfaced_from),
            selectinload(Report.events),
        )
    )
    return report or abort(404)


def highlighted_article_text(place: anchors.PassagePlace, title: bool = False) -> Markup | None:
    """The article's text (or, with `title`, its headline) with the reported passage marked, or None when the
    passage is not found there."""
    span = place.title_span if title else place.span
    if span is None:
        return None
    text, (start, end) = (place.title if title else place.text), span
    # Every piece of the text is escaped before the <mark> is added.
    before, passage, after = (escape(part) for part in (text[:start], text[start:end], text[end:]))
    return Markup(f'{before}<mark id="passage">{passage}</mark>{after}')  # nosec B704


def history_comments(report: Report) -> dict[int, str]:
    """The comment of each line of the report's history, in the editor's language (event_comment)."""
    return {event.id: event_comment(event) for event in report.events if event.comment}


def queue_back() -> tuple[str, queue.QueueFilter | None]:
    """The queue address the editor came from (kept through the page's forms), and its filter."""
    back = request.values.get("back", "")
    f = snapshot.queue_filter(back)
    return (back, f) if f is not None else ("", None)


def render_report(report: Report, status: int = 200, **forms):
    """The report page; forms passed in (with what the editor typed and their errors) replace the blank ones."""
    back, f = queue_back()
    previous_id, next_id = snapshot.neighbours(f, me(), report) if f else (None, None)
    version = str(report.version)
    defaults = {
        "move_form": MoveForm(version=version, formdata=None),
        "reject_form": RejectForm(version=version, formdata=None),
        "assign_form": AssignForm(version=version, formdata=None,
                                  assignee=str(report.assignee_id) if report.assignee_id else ""),
        "duplicate_form": DuplicateForm(version=version, formdata=None),
        "note_form": NoteForm(version=version, formdata=None),
        "canned_answer_form": ApplyCannedAnswerForm(version=version, formdata=None),
    }
    place = anchors.place(report)
    found = drafts.found_words(report, place) if place.span is not None else ""
    replacement = drafts.replacement_text(found, report.suggested_correction) if found else ""
    wrong, right = publishing.words_for(report, place)
    defaults["publish_form"] = ReportPublishForm(formdata=None, text=drafted_notice(report, place),
                                                 replacement=replacement, fix=bool(found) and replacement != found,
                                                 wrong_text=wrong, right_text=right)
    defaults.update(forms)
    defaults["assign_form"].assignee.choices = [("", gettext("Nobody"))] + [
        (str(e.id), e.name) for e in accounts.active_editors()
    ]
    usable_canned_answers = [a for a in canned_answers.all_canned_answers() if canned_answers.usable_on(a, report)]
    defaults["canned_answer_form"].canned_answer.choices = [("", gettext("Choose…"))] + [
        (str(a.id), answer_choice(a)) for a in usable_canned_answers
    ]
    others = queue.same_passage(report, GROUP_LISTED)
    others_count, group_upto = queue.group_extent(report)
    linking = group_linking(report, parse_id(request.values.get("notice")), parse_id(request.values.get("upto")))
    earlier = report.resurfaced_from
    return render_template(
        "editor/report.html",
        report=report,
        highlighted=highlighted_article_text(place),
        highlighted_title=highlighted_article_text(place, title=True),
        place=place,
        others=others,
        others_count=others_count,
        # Past the listed ones, one checkbox links the whole group as this page saw it (up to its newest report).
        group_upto=group_upto if others_count > len(others) else None,
        link_group=request.method == "POST" and bool(request.form.get("link_group")),
        linkable=[r for r in [report, *others] if r.status in publishing.LINKABLE],
        linked_now=set(parse_ids(request.form.getlist("link"))) if request.method == "POST"
        else {r.id for r in [report, *others] if r.status in publishing.LINKABLE},
        can_publish=report.status in publishing.LINKABLE,
        can_fix=place.span is not None,
        categories=CATEGORIES,
        labels=STATUS_LABELS,
        actions=workflow.ACTIONS,
        moves=sorted(workflow.MOVES[report.status] - set(workflow.NEEDS_MORE),
                     key=STATES.index),
        can_reject=workflow.can_move(report, "rejected"),
        can_duplicate=workflow.can_move(report, "duplicate"),
        usable_canned_answers=usable_canned_answers,
        clocks=clocks.report_clocks(report),
        spam_signal=filing.spam_signal_shown,
        now=utcnow(),
        earlier=earlier,
        reject_reason=outcomes.given_reason(report.reject_reason),
        earlier_reason=outcomes.given_reason(earlier.reject_reason) if earlier is not None else "",
        comments=history_comments(report),
        kinds=NOTICE_KINDS,
        duration=duration_words,
        earlier_notices=publishing.for_report(earlier) if earlier is not None else [],
        # The same error in other articles, for each notice that corrected this report.
        elsewhere=repeat_listing.open_counts([notice.id for notice in publishing.for_report(report)])
        if report.status == "corrected" else {},
        back=back,
        queue_url=queue_url(back, report.id),
        previous_id=previous_id,
        next_id=next_id,
        present=presence.others_on([report.id], me()).get(report.id, []),
        linking=linking,
        link_group_form=LinkGroupForm(formdata=None, notice=linking.notice.id, upto=linking.upto) if linking else None,
        **defaults,
    ), status


@dataclass
class GroupLinking:
    """A notice linked to part of the report's group so far: how many of the group's reports it links, and how many
    more it may (up to the group's newest report the editor's page showed, `upto`)."""

    notice: Notice
    upto: int
    linked: int
    left: int

    @property
    def next_step(self) -> int:
        return min(self.left, BULK_MAX)


def group_linking(report: Report, notice_id: int | None, upto: int | None) -> GroupLinking | None:
    """Where linking the report's group to a notice stands, while reports of the group are left to link."""
    notice = db.session.get(Notice, notice_id) if notice_id is not None and upto is not None else None
    if notice is None or notice.article_id != report.article_id or notice.withdrawn_at is not None:
        return None
    left = queue.count_group_in_states(report, upto, publishing.LINKABLE)
    if not left:
        return None
    return GroupLinking(notice, upto, publishing.linked_in_group(notice, report.cluster_id), left)


def listed(reports: list[Report], shown: int = 10) -> str:
    """The references of linked reports for a message: the first few, and how many more."""
    if not reports:
        return gettext("no report")
    names = [r.reference for r in reports[:shown]]
    if len(reports) > shown:
        more = len(reports) - shown
        names.append(ngettext("%(count)s more", "%(count)s more", more, count=number(more)))
    return word_list(names)


# What the page says after publishing from a report's page, one sentence per kind of notice.
PUBLISHED = {
    "correction": N_("Correction published on the article"),
    "clarification": N_("Clarification published on the article"),
    "update": N_("Update published on the article"),
    "editors_note": N_("Editor’s note published on the article"),
}
PUBLISHED_FIXING = {
    "correction": N_("Correction published on the article and the article’s text corrected (revision %(number)s)"),
    "clarification": N_("Clarification published on the article and the article’s text corrected (revision "
                        "%(number)s)"),
    "update": N_("Update published on the article and the article’s text corrected (revision %(number)s)"),
    "editors_note": N_("Editor’s note published on the article and the article’s text corrected (revision "
                       "%(number)s)"),
}
# The undo notice's words for a step linking a group to a notice, one per kind of notice.
LINKED_TO = {
    "correction": N_("%(reports)s corrected: linked to the correction"),
    "clarification": N_("%(reports)s corrected: linked to the clarification"),
    "update": N_("%(reports)s corrected: linked to the update"),
    "editors_note": N_("%(reports)s corrected: linked to the editor’s note"),
}
# What the page says after a move, one sentence per state moved to.
MOVED = {
    "new": N_("%(reference)s moved to new."),
    "in_review": N_("%(reference)s moved to in review."),
    "accepted": N_("%(reference)s moved to accepted."),
    "spam": N_("%(reference)s moved to spam."),
}
# After a canned answer, one sentence per state it moves the report to.
APPLIED = {
    "in_review": N_("“%(answer)s” applied to %(reference)s: in review."),
    "accepted": N_("“%(answer)s” applied to %(reference)s: accepted."),
    "rejected": N_("“%(answer)s” applied to %(reference)s: rejected."),
    "spam": N_("“%(answer)s” applied to %(reference)s: spam."),
}


# The first line of a report held as spam, as workflow.received writes it.
HELD_AS_SPAM = re.compile(r"Held as spam: (.*)\.", re.S)


def event_comment(event: Event) -> str:
    """A line of the report's history's comment in the page's language where it was kept as what happened (a
    canned reason, the original of a duplicate, the decision an undo took back, a withdrawal's notice kind, an
    erasure's facts); anything else (typed by a person, or an English sentence stored before) as it is."""
    if event.kind == "undo":
        return decisions.undone_words(event.comment)
    if event.kind == "note" and event.to_value in publishing.WITHDRAWN:
        return publishing.withdrawal_note(event.to_value, event.comment)
    if event.kind == "privacy":
        return privacy.erasure_comment(event.comment)
    held = HELD_AS_SPAM.fullmatch(event.comment) if event.kind == "received" else None
    if held:
        return gettext("Held as spam: %(signal)s.", signal=filing.spam_signal_shown(held.group(1)))
    return workflow.comment_words(event)


def drafted_notice(report: Report, place: anchors.PassagePlace) -> str:
    """The publish form's first text: from the canned answer just applied (?answer=), else the reader's words."""
    canned_answer_id = parse_id(request.args.get("answer"))
    canned_answer = db.session.get(CannedAnswer, canned_answer_id) if canned_answer_id else None
    if canned_answer is not None and canned_answer.notice_template:
        return canned_answers.draft_notice(canned_answer, report, place)
    return drafts.notice_for(report, place)


def queue_url(back: str, report_id: int) -> str:
    """Where "← Queue" goes: the queue the editor came from, at this report's row (or the whole queue)."""
    return f"{back}#report-{report_id}" if back else url_for("editor.queue")


@bp.get("/reports/<int:report_id>")
def report(report_id: int):
    return render_report(load_report(report_id))


def act(report: Report, form, form_name: str, change, done: str, onward: bool = False, decided: str = "",
        **values: str):
    """Apply a change from one of the page's forms; on refusal show the page again with the form as typed.

    A change that `decided` something readers are told (what, as the undo notice says it: a catalog message with
    the report as %(reports)s, and these `values`) can be undone for a few seconds, from a notice on the next
    page."""
    decision = decisions.start(me(), decided, **values) if decided else None
    if decision is not None:
        change = decisions.undoable(change, reports=[report], by=me(), decision=decision)
    outcome = save(change, form=form, report=report, seen_version=form.seen_version())
    if not outcome.done:
        return render_report(load_report(report.id), outcome.status, **{form_name: form})
    flash(done, "success")
    back, f = queue_back()
    if decision is not None:
        offer(decision, url_for("editor.report", report_id=report.id, **({"back": back} if back else {})))
    if f is None:
        return redirect(url_for("editor.report", report_id=report.id))
    if not (onward and request.form.get("onward") == "1") or report.status in OPEN:
        # A note, an assignment, a decision clicked (the editor may publish next), or still to be decided:
        # stay on it. A decision made with a key (its form says "onward") goes on.
        return redirect(url_for("editor.report", report_id=report.id, back=back))
    # Decided: on to the next report of the queue as the editor saw it, or back to the queue at its end.
    _, next_id = snapshot.neighbours(f, me(), report)
    return redirect(url_for("editor.report", report_id=next_id, back=back) if next_id else queue_url(back, report.id))


def invalid(report: Report, form, form_name: str):
    return render_report(report, 400, **{form_name: form})


@bp.post("/reports/<int:report_id>/move")
def move(report_id: int):
    report = load_report(report_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return invalid(report, form, "move_form")
    to = form.to.data
    comment = form.comment.data or ""
    done = gettext(MOVED.get(to, MOVED["in_review"]), reference=report.reference)
    return act(report, form, "move_form", lambda: workflow.move(report, to, by=me(), comment=comment),
               done, onward=True, decided=N_("%(reports)s accepted") if to == "accepted" else "")


@bp.post("/reports/<int:report_id>/reject")
def reject(report_id: int):
    report = load_report(report_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return invalid(report, form, "reject_form")
    return act(report, form, "reject_form", lambda: workflow.reject(report, form.chosen_reason(), by=me()),
               gettext("%(reference)s rejected.", reference=report.reference), onward=True,
               decided=N_("%(reports)s rejected"))


@bp.post("/reports/<int:report_id>/assign")
def assign(report_id: int):
    report = load_report(report_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return invalid(report, form, "assign_form")
    editor = me() if request.form.get("to_me") else editor_by_id(form.assignee.data)
    if editor is None and form.assignee.data and not request.form.get("to_me"):
        flash(gettext("That editor does not exist."), "error")
        return invalid(report, form, "assign_form")
    done = (gettext("%(reference)s assigned to %(name)s.", reference=report.reference, name=editor.name) if editor
            else gettext("%(reference)s assigned to nobody.", reference=report.reference))
    return act(report, form, "assign_form", lambda: workflow.assign(report, editor, by=me()), done)


@bp.post("/reports/<int:report_id>/duplicate")
def duplicate(report_id: int):
    report = load_report(report_id)
    form = DuplicateForm()
    if not form.validate_on_submit():
        return invalid(report, form, "duplicate_form")
    original = queue.find_by_reference(form.original.data)
    if original is None:
        form.original.errors.append(gettext("No report has the reference %(reference)s.",
                                            reference=form.original.data.strip()))
        return invalid(report, form, "duplicate_form")
    return act(report, form, "duplicate_form", lambda: workflow.mark_duplicate(report, original, by=me()),
               gettext("%(reference)s marked as a duplicate of %(original)s.", reference=report.reference,
                       original=original.reference), onward=True,
               decided=N_("%(reports)s marked duplicate of %(original)s"), original=original.reference)


@bp.post("/reports/<int:report_id>/answer")
def apply_answer(report_id: int):
    """Apply a canned answer; one that drafts a correction opens the publish form with the draft."""
    report = load_report(report_id)
    form = ApplyCannedAnswerForm()
    if not form.validate_on_submit():
        return invalid(report, form, "canned_answer_form")
    canned_answer_id = parse_id(form.canned_answer.data)
    canned_answer = db.session.get(CannedAnswer, canned_answer_id) if canned_answer_id else None
    if canned_answer is None:
        form.canned_answer.errors.append(gettext("That canned answer no longer exists: choose another."))
        return invalid(report, form, "canned_answer_form")
    result = act(report, form, "canned_answer_form", lambda: canned_answers.apply(canned_answer, report, by=me()),
                 gettext(APPLIED.get(canned_answer.to_state, APPLIED["in_review"]), answer=canned_answer.name,
                         reference=report.reference),
                 onward=not canned_answer.notice_template, decided=N_("%(reports)s answered with “%(answer)s”"),
                 answer=canned_answer.name)
    applied = not isinstance(result, tuple)  # a refusal renders the page again, with its status
    if applied and canned_answer.notice_template and report.status in publishing.LINKABLE:
        back, _ = queue_back()
        return redirect(url_for("editor.report", report_id=report.id, answer=canned_answer.id, back=back or None)
                        + "#publish")
    return result


@bp.post("/reports/<int:report_id>/note")
def note(report_id: int):
    report = load_report(report_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return invalid(report, form, "note_form")
    return act(report, form, "note_form", lambda: workflow.add_note(report, form.text.data, by=me()),
               gettext("Note added."))



@bp.post("/reports/<int:report_id>/publish")
def publish(report_id: int):
    """Publish a notice on the report's article, linking the chosen reports of its group; with "fix", the
    passage is corrected in the article's text too, once the editor has seen the change (step "confirm")."""
    report = load_report(report_id)
    form = ReportPublishForm()
    if not form.validate_on_submit():
        return invalid(report, form, "publish_form")
    linked = queue.in_group(report, parse_ids(request.form.getlist("link")))
    if (upto := parse_id(request.form.get("link_group"))) is not None:
        # The group's first BULK_MAX with the ones ticked: a group of tens of thousands is linked a step at a time
        # once the notice is published (link_group), each step as quick as a bulk action's.
        chosen = {r.id for r in linked}
        rest = [r for r in queue.group_in_states(report, upto, publishing.LINKABLE, BULK_MAX) if r.id not in chosen]
        linked += rest[:max(BULK_MAX - len(linked), 0)]
    back, _ = queue_back()
    step = request.form.get("step")
    if form.fix.data and step == "edit":
        return render_report(report, 200, publish_form=form)
    if form.fix.data and step != "confirm":
        return preview_fix(report, form, linked)
    fixing = (lambda: publishing.publish_fixing(
        report, form.kind.data, form.text.data, by=me(), reports=linked, replacement=form.replacement.data or "",
        seen_revision=parse_id(form.revision.data), wrong_text=form.wrong_text.data or "",
        right_text=form.right_text.data or "")) if form.fix.data else None
    try:
        outcome = publish_notice(form, report.article, by=me(), reports=linked, change=fixing,
                                 then=url_for("editor.report", report_id=report.id, **({"back": back} if back else {})))
    except IntegrityError:
        # Another change took the article's next revision number at the same moment (`save` rolled it back).
        form.replacement.errors.append(gettext("Someone else saved a change to this article at the same moment; "
                                               "nothing was published. Check the article’s text and publish again."))
        return render_report(load_report(report.id), 409, publish_form=form)
    if not outcome.done:
        status = 409 if isinstance(outcome.refusal, fixes.ArticleChanged) else outcome.status
        return render_report(load_report(report.id), status, publish_form=form)
    notice = outcome.result
    if form.fix.data:
        published = gettext(PUBLISHED_FIXING[notice.kind], number=notice.revision.number)
    else:
        published = gettext(PUBLISHED[notice.kind])
    if upto is not None and (linking := group_linking(report, notice.id, upto)) is not None:
        in_all = linking.linked + linking.left
        flash(ngettext("%(published)s; %(linked)s of %(count)s report of the group linked: link the next ones below.",
                       "%(published)s; %(linked)s of %(count)s reports of the group linked: link the next ones "
                       "below.",
                       in_all, published=published, linked=number(linking.linked), count=number(in_all)), "success")
        return redirect(url_for("editor.report", report_id=report.id, notice=notice.id, upto=upto, back=back or None)
                        + "#link-group")
    flash(gettext("%(published)s; linked: %(reports)s.", published=published, reports=listed(linked)), "success")
    return redirect(url_for("editor.article", slug=report.article.slug, back=back or None,
                            report=report.id if back else None) + f"#correction-{notice.id}")


def preview_fix(report: Report, form: ReportPublishForm, linked: list[Report]):
    """The change to the article's text, word by word, with the notice, for the editor to confirm; nothing is
    stored. A refusal shows the report page again with the form as typed."""
    try:
        comparison = publishing.fix_preview(report, form.kind.data, form.replacement.data)
    except Refusal as refusal:
        show(refusal, form)
        return render_report(report, 400, publish_form=form)
    typed = (publishing.one_line(form.wrong_text.data), publishing.one_line(form.right_text.data))
    if typed in (publishing.words_for(report), ("", "")):
        # Not edited: what the fix itself removes and adds, which the editor confirms (or edits) with the change.
        form.wrong_text.data, form.right_text.data = publishing.fixed_words(comparison)
    back, _ = queue_back()
    return render_template("editor/publish_preview.html", report=report, form=form, comparison=comparison,
                           linked=linked, link_group=request.form.get("link_group", ""), listed=GROUP_LISTED,
                           chosen=set(parse_ids(request.form.getlist("link"))), kinds=NOTICE_KINDS,
                           labels=STATUS_LABELS, back=back)


@bp.post("/reports/<int:report_id>/link-group")
def link_group(report_id: int):
    """The next step of linking the report's group to a notice published from its page: the next BULK_MAX of its
    reports a notice may link, up to the newest the editor's page showed; undone like a bulk step."""
    report = load_report(report_id)
    form = LinkGroupForm()
    back, _ = queue_back()
    linking = group_linking(report, parse_id(form.notice.data), parse_id(form.upto.data)) \
        if form.validate_on_submit() else None
    if linking is None:
        flash(gettext("Nothing was linked: the notice was withdrawn, or every report of the group is linked "
                      "already."), "error")
        return redirect(url_for("editor.report", report_id=report.id, back=back or None))
    notice = linking.notice
    reports = queue.group_in_states(report, linking.upto, publishing.LINKABLE, BULK_MAX)
    decision = decisions.start(me(), LINKED_TO[notice.kind])
    outcome = save(decisions.undoable(lambda: publishing.link(notice, reports, by=me()), reports=reports, by=me(),
                                      decision=decision), reports=reports)
    if not outcome.done:
        return render_report(load_report(report.id), outcome.status)
    here = url_for("editor.report", report_id=report.id, back=back or None)
    offer(decision, here)
    now = group_linking(report, notice.id, linking.upto)
    if now is not None:
        in_all = now.linked + now.left
        flash(ngettext("%(reports)s linked; %(linked)s of %(count)s report of the group linked: link the next ones "
                       "below.", "%(reports)s linked; %(linked)s of %(count)s reports of the group linked: link the "
                       "next ones below.", in_all, reports=listed(reports), linked=number(now.linked),
                       count=number(in_all)), "success")
        return redirect(url_for("editor.report", report_id=report.id, notice=notice.id, upto=linking.upto,
                                back=back or None) + "#link-group")
    flash(gettext("%(reports)s linked: every report of the group is linked to the notice (%(kind)s).",
                  reports=listed(reports), kind=NOTICE_KINDS[notice.kind]), "success")
    return redirect(url_for("editor.article", slug=report.article.slug, back=back or None,
                            report=report.id if back else None) + f"#correction-{notice.id}")
