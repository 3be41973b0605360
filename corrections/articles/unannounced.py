"""Unannounced changes: a published article's text changed and no notice followed within the grace period.

Every change that is not minor (revisions.is_minor) to an article already published becomes a ChangeReview,
due SILENT_EDIT_GRACE_MINUTES later. A correction, clarification or update published on the article since
settles it (notices.publish calls settle_by_notice), whether an editor wrote it for this change or not;
otherwise, once due, editors see it in the dashboard and answer it: with a notice linked to the revision,
or with the reason none is needed. Every answer is a line of the article's history (ArticleEvent).
The webhook article.unannounced_change is queued once per change when it is due: each webhook sending run asks
for it first (announce_due_changes, registered with webhooks.before_sending).
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from corrections.articles.revisions import is_minor
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.infra import webhooks
from corrections.languages import N_, long_date, number, short_time, with_canned_words
from corrections.models import (
    Article,
    ArticleEvent,
    ArticleRevision,
    ChangeReview,
    Editor,
    Notice,
    utcnow,
)
from corrections.vocabulary import NOTICE_PUBLISHED, actor_name

# Notices that announce a change to the text; an editor's note does not.
ANNOUNCING_KINDS = ("correction", "clarification", "update")
# Marked for the catalog: the form shows each in the page's language (editor/forms.py).
NO_NOTICE_REASONS = (
    N_("Typo or formatting only."),
    N_("A broken link or a picture credit fixed; the facts did not change."),
    N_("Copy-editing before the article was widely read; nothing a reader relied on changed."),
    N_("The change was announced in the text itself (an “Update:” line)."),
)
REASON_MAX = 2000
# An answer's outcome as the dashboard lists it ("Revision 3, 6 December: no notice needed").
EVENT_LABELS = {
    "notice": _l("answered with a notice"),
    "no_notice": _l("no notice needed"),
    "settled": _l("settled by a notice published since"),
    "reopened": _l("open again: the notice that answered it was undone"),
}
# What a notice did to a change, one sentence per kind of notice, worded when shown (rows from before the kind was
# kept show their English sentence as stored): published with its text, or undone by an editor.
PUBLISHED = NOTICE_PUBLISHED
UNDONE = {
    "correction": N_("The correction was undone by %(name)s."),
    "clarification": N_("The clarification was undone by %(name)s."),
    "update": N_("The update was undone by %(name)s."),
}


class ChangeError(Refusal):
    """A refused answer to an unannounced change; the message is for the editor."""


def grace() -> timedelta:
    return timedelta(minutes=float(current_app.config["SILENT_EDIT_GRACE_MINUTES"]))


def note_change(article: Article, previous: ArticleRevision, revision: ArticleRevision) -> ChangeReview | None:
    """Keep a change to a published article for editors to answer, unless it is minor. Does not commit."""
    values = review_values(article, previous, revision, grace())
    if values is None:
        return None
    review = ChangeReview(**values)
    db.session.add(review)
    return review


def review_values(article, previous, revision, grace_period: timedelta) -> dict | None:
    """ChangeReview's columns for a change from `previous` to `revision` of the article (anything with their
    ids, times and texts), or None when editors need not answer it (made before publication, or minor). Pure."""
    if article.published_at > revision.created_at or is_minor(previous, revision):
        return None
    return {"article_id": article.id, "from_revision_id": previous.id, "to_revision_id": revision.id,
            "changed_at": revision.created_at, "due_at": revision.created_at + grace_period}


def is_due(now: datetime):
    """The condition of a change editors must answer now: open, and past its grace period."""
    return (ChangeReview.outcome == "") & (ChangeReview.due_at <= now)


def due(limit: int = 200) -> list[ChangeReview]:
    """The changes editors must answer, the longest waiting first."""
    return list(db.session.scalars(
        select(ChangeReview).where(is_due(utcnow()))
        .options(joinedload(ChangeReview.article), joinedload(ChangeReview.to_revision))
        .order_by(ChangeReview.due_at, ChangeReview.id).limit(limit)))


def count_due() -> int:
    return db.session.scalar(select(func.count(ChangeReview.id)).where(is_due(utcnow())))


def recently_answered(limit: int = 20) -> list[ChangeReview]:
    return list(db.session.scalars(
        select(ChangeReview).where(ChangeReview.outcome != "")
        .options(joinedload(ChangeReview.article)).order_by(ChangeReview.answered_at.desc()).limit(limit)))


def for_article(article: Article, limit: int) -> list[ChangeReview]:
    """The article's newest `limit` changes to its published text, newest first."""
    return list(db.session.scalars(
        select(ChangeReview).where(ChangeReview.article_id == article.id)
        .options(selectinload(ChangeReview.to_revision).load_only(ArticleRevision.number)).order_by(ChangeReview.id.desc()).limit(limit)))


def history(article: Article, limit: int) -> list[ArticleEvent]:
    """The article's newest `limit` events, newest first."""
    return list(db.session.scalars(
        select(ArticleEvent).where(ArticleEvent.article_id == article.id)
        .options(selectinload(ArticleEvent.revision).load_only(ArticleRevision.number)).order_by(ArticleEvent.id.desc()).limit(limit)))


def answer_reason(review: ChangeReview) -> str:
    """Why the change needs no notice, or the notice that answered it, in the page's language."""
    if review.notice_kind in PUBLISHED:
        return gettext(PUBLISHED[review.notice_kind], text=review.reason)
    return with_canned_words(review.reason, NO_NOTICE_REASONS)


def event_comment(event: ArticleEvent) -> str:
    """A line of the article's history's comment in the page's language."""
    if event.kind == "reopened" and event.notice_kind in UNDONE:
        return gettext(UNDONE[event.notice_kind], name=event.actor)
    if event.notice_kind in PUBLISHED:
        return gettext(PUBLISHED[event.notice_kind], text=event.comment)
    return with_canned_words(event.comment, NO_NOTICE_REASONS)


def _answer(review: ChangeReview, outcome: str, *, by: Editor | None, reason: str = "",
            notice: Notice | None = None) -> None:
    answer, event = answer_values(review, outcome, by=by, reason=reason, at=utcnow(),
                                  notice_kind=notice.kind if notice else "")
    for name, value in answer.items():
        setattr(review, name, value)
    review.notice = notice
    db.session.add(ArticleEvent(**event))


def answer_values(review, outcome: str, *, by, reason: str, at: datetime,
                  notice_kind: str = "") -> tuple[dict, dict]:
    """An answer to a change (`review`: anything with its article_id and to_revision_id) by an editor (anything
    with an id and a name; None: settled by a notice nobody wrote for it): the review's new columns and its
    ArticleEvent's. Answered by a notice: `notice_kind` is its kind and `reason` its text. Pure."""
    answered_by = by.name if by else "system"
    answer = {"outcome": outcome, "reason": reason, "answered_at": at, "answered_by": answered_by,
              "notice_kind": notice_kind}
    event = {"article_id": review.article_id, "created_at": at, "actor_id": by.id if by else None,
             "actor": answered_by, "kind": outcome if by else "settled", "revision_id": review.to_revision_id,
             "comment": reason, "notice_kind": notice_kind}
    return answer, event


def check_open(review: ChangeReview) -> None:
    if review.outcome:
        who = actor_name(review.answered_by)
        if review.outcome == "no_notice":
            raise ChangeError(gettext("This change was already answered by %(who)s at %(time)s on %(date)s: no "
                                      "notice needed.", who=who, time=short_time(review.answered_at),
                                      date=long_date(review.answered_at)))
        raise ChangeError(gettext("This change was already answered by %(who)s at %(time)s on %(date)s: answered "
                                  "with a notice.", who=who, time=short_time(review.answered_at),
                                  date=long_date(review.answered_at)))


def excuse(review: ChangeReview, reason: str, *, by: Editor) -> None:
    """An editor's answer that the change needs no notice, with the reason (kept in the history)."""
    check_open(review)
    reason = " ".join(reason.split())
    if not reason:
        raise ChangeError(gettext("Say why no notice is needed: choose a reason or write one."))
    if len(reason) > REASON_MAX:
        raise ChangeError(gettext("Please keep the reason under %(most)s characters.", most=number(REASON_MAX)))
    _answer(review, "no_notice", by=by, reason=reason)


def settle_by_notice(notice: Notice, *, by: Editor, answering: ChangeReview | None = None) -> None:
    """A notice was published on the article: it announces every open change made before it.

    `answering` is the change the editor wrote it for, recorded as their answer (as is the change whose revision
    the notice names); other open changes of the article are settled by the notice too. An editor's note
    settles nothing. Does not commit.
    """
    if notice.kind not in ANNOUNCING_KINDS:
        if answering is not None:
            raise ChangeError(gettext("An editor’s note does not announce a change: publish a correction, "
                                      "clarification or update, or say why no notice is needed."))
        return
    if answering is not None:
        check_open(answering)
    # The change whose revision the notice names is announced by it, whatever the clocks say (a text corrected
    # and its notice published in one step: publishing.publish_fixing).
    made_before = ChangeReview.changed_at <= utcnow()
    if notice.revision_id is not None:
        made_before |= ChangeReview.to_revision_id == notice.revision_id
    still_open = db.session.scalars(select(ChangeReview).where(
        ChangeReview.article_id == notice.article_id, ChangeReview.outcome == "", made_before))
    for review in still_open:
        # The editor answered the change they wrote the notice for, or whose revision it names.
        editor = by if review is answering or review.to_revision_id == notice.revision_id else None
        _answer(review, "notice", by=editor, notice=notice, reason=notice.text)


def unsettle(notice: Notice, *, by: Editor) -> None:
    """The notice is being taken back (an undo, moments after it was published): the changes it settled are open
    again, as if it had not been published, with a line in the article's history saying so. Does not commit."""
    now = utcnow()
    for review in db.session.scalars(select(ChangeReview).where(ChangeReview.notice_id == notice.id)):
        review.outcome, review.reason, review.answered_at, review.answered_by = "", "", None, ""
        review.notice, review.notice_kind = None, ""
        db.session.add(ArticleEvent(article_id=review.article_id, created_at=now, actor_id=by.id, actor=by.name,
                                    kind="reopened", revision_id=review.to_revision_id, notice_kind=notice.kind))


def mark_announced(now: datetime) -> list[int]:
    """Mark the changes that are due and were not announced yet; returns their ids (each once, whatever the
    number of processes: a conditional UPDATE, which on PostgreSQL waits for a concurrent one and then finds
    the rows already marked). Does not commit."""
    return list(db.session.scalars(
        update(ChangeReview)
        .where(is_due(now), ChangeReview.announced_at.is_(None))
        .values(announced_at=now)
        .returning(ChangeReview.id),
        execution_options={"synchronize_session": False},
    ))


def change_data(review: ChangeReview) -> dict:
    """An unannounced change as webhook receivers see it: the article, the two revisions and where to see and
    answer it."""
    article, before, after = review.article, review.from_revision, review.to_revision
    return {
        "id": review.id,
        "article": webhooks.article_data(article),
        "from_revision": before.number,
        "to_revision": after.number,
        "changed_at": review.changed_at.isoformat(),
        "due_at": review.due_at.isoformat(),
        "source": after.source,
        "diff_url": webhooks.external_url("editor.revision_diff", slug=article.slug, old=before.number,
                                          new=after.number),
        "dashboard_url": webhooks.external_url("editor.change", change_id=review.id),
    }


@webhooks.before_sending
def announce_due_changes() -> int:
    """Queue article.unannounced_change for each change whose grace period ended unanswered, once. Does not commit.

    Runs before each webhook sending run (whatever process runs it): the changes are marked by one conditional
    UPDATE, so a change is announced by exactly one run even when several processes send at the same moment.
    The sending run commits right after it (webhooks.send_due), so the mark and its deliveries are one, and the
    marked rows are not held locked while the run sends.
    """
    announced = mark_announced(utcnow())
    for review in db.session.scalars(select(ChangeReview).where(ChangeReview.id.in_(announced))
                                     .order_by(ChangeReview.id)) if announced else ():
        webhooks.emit("article.unannounced_change", {"change": change_data(review)})
    return len(announced)
