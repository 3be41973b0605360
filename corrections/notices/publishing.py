"""Published corrections: publishing, amending and withdrawing them, and reading them back for pages and feeds."""

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from flask_babel import gettext
from sqlalchemy import Connection, Select, bindparam, delete, func, literal, select, tuple_, union_all
from sqlalchemy.orm import selectinload

from corrections import languages
from corrections.access import api_tokens
from corrections.articles import fixes, revisions, unannounced
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.infra import webhooks
from corrections.models import (
    Article,
    ArticleRevision,
    ChangeReview,
    Decision,
    Editor,
    Notice,
    NoticeVersion,
    Report,
    UTCDateTime,
    notice_report,
    utcnow,
)
from corrections.reports import anchors, consent, decisions, drafts, workflow
from corrections.text import clean_text, parse_id
from corrections.vocabulary import (
    ACCEPTED_ON_PUBLISHING,
    NOTICE_KINDS,
    NOTICE_TEXT_MAX,
    NOTICE_TEXT_MIN,
    RIGHT_TEXT_MAX,
    WRONG_TEXT_MAX,
)

# Reports an editor may link to a new correction: open ones are accepted as part of publishing.
LINKABLE = ("new", "in_review", "accepted")
# Why a report cannot be linked to a notice, by its status (one sentence each: a status is not filled in).
NOT_LINKABLE = {
    "rejected": languages.N_("%(reference)s is rejected: only open or accepted reports can be linked to a correction."),
    "duplicate": languages.N_("%(reference)s is a duplicate: only open or accepted reports can be linked to a "
                              "correction."),
    "spam": languages.N_("%(reference)s is spam: only open or accepted reports can be linked to a correction."),
    "corrected": languages.N_("%(reference)s is corrected already: only open or accepted reports can be linked to a "
                              "correction."),
}


class NoticeError(Refusal):
    """A refused publication, amendment or withdrawal; the message is for the editor."""


def check_text(kind: str, text: str) -> str:
    if kind not in NOTICE_KINDS:
        raise NoticeError(gettext("Choose the kind of notice: correction, clarification, update or editor’s note."))
    text = text.strip()
    if not NOTICE_TEXT_MIN <= len(text) <= NOTICE_TEXT_MAX:
        raise NoticeError(gettext("The notice needs between %(least)s and %(most)s characters (it has %(length)s).",
                                  least=languages.number(NOTICE_TEXT_MIN), most=languages.number(NOTICE_TEXT_MAX),
                                  length=languages.number(len(text))), "text")
    return text


def one_line(words: str) -> str:
    """Wrong or right words as a notice keeps them: in NFKC (as the article's text is compared), on one line, with
    single spaces."""
    return " ".join(unicodedata.normalize("NFKC", clean_text(words or "")).split())


def _found_in(words: str, text: str) -> bool:
    """The words (one_line), in this order and case, in the text (in NFKC, as they are), with any spacing between
    them."""
    return re.search(r"\s+".join(map(re.escape, words.split())), unicodedata.normalize("NFKC", text)) is not None


def _texts_before(article: Article, revision: ArticleRevision | None):
    """The article's headlines and texts the wrong words may come from, newest first: those before the revision the
    notice goes with, or, when it names none, the current one and every earlier one."""
    if revision is None:
        yield article.title
        yield article.body_text
    query = select(ArticleRevision.title, ArticleRevision.body_text).where(ArticleRevision.article_id == article.id)
    if revision is not None:
        query = query.where(ArticleRevision.number < revision.number)
    # Read a few at a time: the words are nearly always in the newest.
    for title, body_text in db.session.execute(query.order_by(ArticleRevision.number.desc())
                                               .execution_options(yield_per=4)):
        yield title
        yield body_text


def check_words(article: Article, wrong_text: str, right_text: str, *,
                revision: ArticleRevision | None = None) -> tuple[str, str]:
    """The wrong and right words a notice names, as it keeps them (one_line), checked: within their limits, the
    right ones only with wrong ones they replace, the wrong ones exactly as the article said them before the
    revision the notice goes with (or in any of its texts, when it names none), the right ones in that revision."""
    wrong, right = one_line(wrong_text), one_line(right_text)
    if len(wrong) > WRONG_TEXT_MAX:
        raise NoticeError(gettext("Keep what was wrong under %(most)s characters (it has %(length)s).",
                                  most=languages.number(WRONG_TEXT_MAX), length=languages.number(len(wrong))),
                          "wrong_text")
    if len(right) > RIGHT_TEXT_MAX:
        raise NoticeError(gettext("Keep what is right under %(most)s characters (it has %(length)s).",
                                  most=languages.number(RIGHT_TEXT_MAX), length=languages.number(len(right))),
                          "right_text")
    if right and not wrong:
        raise NoticeError(gettext("Give the wrong words that these replace, as the article had them."), "wrong_text")
    if wrong and wrong == right:
        raise NoticeError(gettext("What is right is the same as what was wrong: write the words that replaced them."),
                          "right_text")
    if wrong and not any(_found_in(wrong, text) for text in _texts_before(article, revision)):
        if revision is not None:
            message = gettext("The article’s text before revision %(number)s does not have these words: copy what "
                              "was wrong from it exactly, capitals and punctuation included.", number=revision.number)
        else:
            message = gettext("The article’s text does not have these words, now or in an earlier revision: copy "
                              "what was wrong from it exactly, capitals and punctuation included.")
        raise NoticeError(message, "wrong_text")
    if right and revision is not None and not (_found_in(right, revision.body_text)
                                               or _found_in(right, revision.title)):
        raise NoticeError(gettext("Revision %(number)s of the article does not have these words: copy what is right "
                                  "from it exactly, capitals and punctuation included.", number=revision.number),
                          "right_text")
    return wrong, right


# The note a withdrawal leaves on each linked report, one sentence per kind of notice.
WITHDRAWN = {
    "correction": languages.N_("The correction linked to this report was withdrawn: %(reason)s"),
    "clarification": languages.N_("The clarification linked to this report was withdrawn: %(reason)s"),
    "update": languages.N_("The update linked to this report was withdrawn: %(reason)s"),
    "editors_note": languages.N_("The editor’s note linked to this report was withdrawn: %(reason)s"),
}


def moves_on_publishing(status: str, kind: str, text: str) -> list[tuple[str, str]]:
    """The moves publishing a notice (of `kind`, saying `text`) makes on a linked report in `status`, each with its
    comment: accepted first if the report is still open, then corrected."""
    moves = [("in_review", "")] if status == "new" else []
    if status in ("new", "in_review"):
        moves.append(("accepted", ACCEPTED_ON_PUBLISHING))
    # Kept as what happened (the kind and the text), worded in each editor's language (published_words).
    return [*moves, ("corrected", json.dumps({"published": kind, "text": text}, ensure_ascii=False))]


_when_published: list[Callable[[Notice], object]] = []


def when_published(hook: Callable[[Notice], object]) -> Callable[[Notice], object]:
    """Have every publication call `hook(notice)` too, in the same change (a decorator): the sweep of the archive
    for the same error queues itself so (repeats/sweep.py), without publishing waiting for it."""
    if hook not in _when_published:
        _when_published.append(hook)
    return hook


def publish(article: Article, kind: str, text: str, *, by: Editor | api_tokens.Automation, reports: list[Report] = (),
            revision: ArticleRevision | None = None, answering: ChangeReview | None = None, wrong_text: str = "",
            right_text: str = "") -> Notice:
    """Publish a notice on the article and mark the linked reports corrected, through the workflow.

    Linked reports still open are accepted first; each step is an event on the report. `revision` is the
    article's revision the notice goes with (readers get "see what changed"); `answering`, the unannounced
    change it answers. A correction, clarification or update settles the article's open unannounced changes.
    `wrong_text` and `right_text` are what the notice corrects (check_words). `by` is an editor, or an API token
    (an Automation) publishing for a generating system. Does not commit.
    """
    text = check_text(kind, text)
    if revision is not None and revision.article_id != article.id:
        raise NoticeError(gettext("That revision belongs to another article."))
    wrong_text, right_text = check_words(article, wrong_text, right_text, revision=revision)
    _check_linkable(article, reports)
    # Read before anything is written: the reports are the first rows this change writes (see workflow.batch).
    duplicates = duplicates_of(*reports)
    notice = Notice(article=article, kind=kind, text=text, published_by_id=by.id, published_by=by.name,
                    reports=list(reports), revision_id=revision.id if revision else None, wrong_text=wrong_text,
                    right_text=right_text)
    db.session.add(notice)
    _resolve(notice, reports, duplicates, by)
    db.session.flush()  # the correction's id, for the event
    try:
        unannounced.settle_by_notice(notice, by=by, answering=answering)
    except unannounced.ChangeError as error:
        raise NoticeError(str(error)) from None
    webhooks.emit("correction.published", {"correction": webhooks.notice_data(notice)})
    for hook in _when_published:
        hook(notice)
    return notice


def link(notice: Notice, reports: list[Report], *, by: Editor) -> None:
    """Link more reports to a published notice, as publishing it with them would have: through the workflow, each
    accepted if still open, then corrected, and its reader told. A group of tens of thousands is linked a step of
    BULK_MAX at a time (the first step publishes the notice). Does not commit."""
    if notice.withdrawn_at is not None:
        raise NoticeError(gettext("This notice was withdrawn: no report can be linked to it any more."))
    _check_linkable(notice.article, reports)
    duplicates = duplicates_of(*reports)
    notice.reports.extend(reports)
    _resolve(notice, reports, duplicates, by)


def linked_in_group(notice: Notice, cluster_id: int | None) -> int:
    """How many reports of a group (by cluster id) the notice links."""
    return db.session.scalar(select(func.count()).select_from(notice_report).join(
        Report, Report.id == notice_report.c.report_id).where(notice_report.c.correction_id == notice.id,
                                                              Report.cluster_id == cluster_id))


def _check_linkable(article: Article, reports: list[Report]) -> None:
    for report in reports:
        if report.article_id != article.id:
            raise NoticeError(gettext("%(reference)s is about another article.", reference=report.reference),
                              "reports")
        if report.status not in LINKABLE:
            raise NoticeError(gettext(NOT_LINKABLE.get(report.status, NOT_LINKABLE["rejected"]),
                                      reference=report.reference), "reports")


def _resolve(notice: Notice, reports: list[Report], duplicates: list[Report], by: Editor) -> None:
    """The linked reports' moves, in one batch of the workflow, and their readers (and their duplicates') told."""
    with workflow.batch():
        for report in reports:
            for to, comment in moves_on_publishing(report.status, notice.kind, notice.text):
                if to == "corrected":
                    workflow.mark_corrected(report, by=by, comment=comment)
                else:
                    workflow.move(report, to, by=by, comment=comment)
            workflow.tell_reader(report, "corrected", notice)
        for duplicate in duplicates:
            workflow.tell_reader(duplicate, "duplicate_corrected", notice)


def unpublish(notice: Notice, *, by: Editor) -> None:
    """Take back a notice published moments ago (an undo, reports/decisions.py), as if it had never been published:
    the notice, its links to the reports and to the article's revision go (the revision itself stays, as every
    revision does), and the unannounced changes it settled are open again. The linked reports are put back by the
    undo. Does not commit."""
    unannounced.unsettle(notice, by=by)
    for version in notice.versions:
        db.session.delete(version)
    notice.reports = []
    # The public page cache versions pages by their notices' newest id and times: a notice gone leaves an older
    # newest id, which a later notice could take again on SQLite; the article's own time moves on instead.
    notice.article.updated_at = utcnow()
    db.session.delete(notice)


@decisions.when_undone
def _unpublish_undone(decision: Decision, by: Editor) -> None:
    if decision.notice is not None:
        if decision.notice.versions or decision.notice.withdrawn_at is not None:
            # Amended or withdrawn since: that record (and its reason, shown to readers) is not the undo's to erase.
            raise decisions.UndoRefused(gettext("The notice was amended or withdrawn since it was published, so it can "
                                                "no longer be undone; amend or withdraw it instead."))
        if _links(decision.notice) > len(decision.reports):
            raise decisions.UndoRefused(gettext("More reports were linked to the notice since it was published: undo "
                                                "that step first, or withdraw the notice."))
        notice, decision.notice = decision.notice, None
        db.session.flush()  # the decision lets go of the notice before it is deleted
        unpublish(notice, by=by)
    else:
        _unlink_undone(decision)


def _links(notice: Notice) -> int:
    return db.session.scalar(select(func.count()).select_from(notice_report)
                             .where(notice_report.c.correction_id == notice.id))


def _unlink_undone(decision: Decision) -> None:
    """A step that linked reports to a published notice (link), undone: the links go with the reports' moves. A report
    a notice may link has never been linked to one (a corrected report is not reopened), so its links are the step's."""
    ids = [row.report_id for row in decision.reports if json.loads(row.before).get("status") in LINKABLE]
    for start in range(0, len(ids), consent.IDS_PER_QUERY):
        db.session.execute(delete(notice_report).where(
            notice_report.c.report_id.in_(ids[start:start + consent.IDS_PER_QUERY])))
    if ids:
        # Notices whose reports the session holds read them again.
        for notice in [o for o in db.session.identity_map.values() if isinstance(o, Notice)]:
            db.session.expire(notice, ["reports"])


def passage_to_fix(report: Report, kind: str) -> fixes.Passage:
    """The report's passage in the article's current text, for a notice of `kind` that corrects it in place."""
    if kind not in unannounced.ANNOUNCING_KINDS:
        raise NoticeError(gettext("An editor’s note does not announce a change to the text: publish a correction, "
                                  "clarification or update to correct the article too."), "replacement")
    passage = anchors.passage_in_text(report)
    if passage is None:
        raise fixes.FixError(gettext("The passage is not in the article’s current text, so it cannot be replaced: "
                                     "publish without correcting the article, or edit the article itself."))
    return passage


def fix_preview(report: Report, kind: str, replacement: str) -> revisions.Comparison:
    """What correcting the report's passage with `replacement` would change in the article, before anything is
    stored. Raises a refusal as publish_fixing would."""
    return fixes.preview(report.article, passage_to_fix(report, kind), replacement)


def publish_fixing(report: Report, kind: str, text: str, *, by: Editor, reports: list[Report] = (),
                   replacement: str, seen_revision: int | None, wrong_text: str = "", right_text: str = "") -> Notice:
    """Correct the report's passage in the article's text and publish the notice with the new revision, in one
    change: the revision is the notice's (readers get "see what changed"), and the notice announces it, so it
    is no unannounced change. `seen_revision` is the revision the editor's preview was made from; `wrong_text`
    and `right_text` are checked against the texts before and after the fix (the preview offers fixed_words).
    Does not commit; on a refusal the caller keeps nothing of either."""
    check_text(kind, text)
    passage = passage_to_fix(report, kind)
    revision = fixes.fix(report.article, passage, replacement, seen_revision=seen_revision, by=by.name)
    return publish(report.article, kind, text, by=by, reports=reports, revision=revision, wrong_text=wrong_text,
                   right_text=right_text)


def words_for(report: Report, place: anchors.PassagePlace | None = None) -> tuple[str, str]:
    """What a notice resolving the report corrects, for the publish form to start from: the reported passage in the
    article's own words (not the reader's typing), and the reader's suggestion where it reads as a new version of
    it; when a later revision changed the passage, what that change removed and added (change_words); ("", "")
    when the passage is not in the article."""
    place = place or anchors.place(report)
    if place.changed_in is not None:
        # The article was corrected since the report: the words that change removed and added.
        return change_words(place.changed_from, place.changed_in)
    if place.span is None and place.title_span is None:
        return "", ""
    found = drafts.found_words(report, place)
    replacement = drafts.replacement_text(found, report.suggested_correction)
    if replacement == drafts.one_spaced(found):
        return _offered((one_line(found), ""))
    # Widened to the sentence as a change's words are (revisions.changed_words): a reader's "31 votes to 12" is too
    # short to be told apart elsewhere, "The council approved the new budget on Tuesday by 31 votes to 12" is not.
    text, (start, end) = (place.text, place.span) if place.span is not None else (place.title, place.title_span)
    widened = revisions.changed_words(text, text[:start] + replacement + text[end:])
    return _offered(widened or (one_line(found), one_line(replacement)))


def fixed_words(comparison: revisions.Comparison) -> tuple[str, str]:
    """What a fix corrects (its preview's comparison): the words it removes and adds (revisions.changed_in)."""
    return _offered(revisions.changed_in(comparison.old, comparison.new))


def change_words(old: ArticleRevision, new: ArticleRevision) -> tuple[str, str]:
    """What a change between two revisions corrected, for a notice that goes with it to start from."""
    return _offered(revisions.changed_in(old, new))


def _offered(words: tuple[str, str] | None) -> tuple[str, str]:
    """Words a form starts from, as check_words would keep them; ("", "") when there are none or either side is over
    its limit (changes spread over the whole text are no one error, and the form would refuse its own words)."""
    if words is None:
        return "", ""
    wrong, right = one_line(words[0]), one_line(words[1])
    if len(wrong) > WRONG_TEXT_MAX or len(right) > RIGHT_TEXT_MAX:
        return "", ""
    return wrong, right


def duplicates_of(*reports: Report) -> list[Report]:
    """Reports marked duplicate of these, directly or through other duplicates: a query per link of the
    longest chain, whatever the number of reports."""
    originals = {report.id for report in reports}
    found: dict[int, Report] = {}
    frontier = list(originals)
    while frontier:
        linked = []
        for start in range(0, len(frontier), consent.IDS_PER_QUERY):
            chunk = frontier[start:start + consent.IDS_PER_QUERY]
            linked += db.session.scalars(select(Report).where(Report.duplicate_of_id.in_(chunk),
                                                              Report.status == "duplicate"))
        frontier = [r.id for r in linked if r.id not in found and r.id not in originals]
        found.update({r.id: r for r in linked if r.id not in originals})
    return list(found.values())



def check_amendable(notice) -> None:
    """A withdrawn notice stays as it was withdrawn."""
    if notice.withdrawn_at is not None:
        raise NoticeError(gettext("A withdrawn notice cannot be amended."))


def amended(notice, text: str, *, by, at: datetime, kind: str | None = None, note: str = "",
            words: tuple[str, str] | None = None) -> dict:
    """The pure part of amending: checks the new text, changes the notice (a Notice, or anything with its
    fields: gen-fake's rows) as of `at`, and returns the values of the NoticeVersion that keeps the earlier
    text. `words` are the new wrong and right words, checked already (check_words); None keeps them."""
    kind = kind or notice.kind
    text = check_text(kind, text)
    check_amendable(notice)
    earlier = (getattr(notice, "wrong_text", ""), getattr(notice, "right_text", ""))
    words = earlier if words is None else words
    if text == notice.text and kind == notice.kind and words == earlier:
        raise NoticeError(gettext("Nothing changed: edit the text, the kind or what was wrong first."))
    version = {"kind": notice.kind, "text": notice.text, "wrong_text": earlier[0], "right_text": earlier[1],
               "shown_from": notice.updated_at or notice.published_at, "replaced_at": at,
               "replaced_by": by.name, "note": note.strip()}
    notice.kind = kind
    notice.text = text
    notice.wrong_text, notice.right_text = words
    notice.updated_at = at
    return version


def amend(notice: Notice, text: str, *, by: Editor, kind: str | None = None, note: str = "",
          wrong_text: str | None = None, right_text: str | None = None) -> None:
    """Change a published notice, keeping the earlier text (and the wrong and right words it named); the notice then
    shows "updated". `wrong_text` and `right_text` left None stay as they are."""
    previous = {"kind": notice.kind, "text": notice.text, "wrong_text": notice.wrong_text,
                "right_text": notice.right_text}
    check_amendable(notice)  # before the words: their refusal would hide this one
    words = None
    if wrong_text is not None or right_text is not None:
        words = check_words(notice.article, notice.wrong_text if wrong_text is None else wrong_text,
                            notice.right_text if right_text is None else right_text, revision=notice.revision)
    db.session.add(NoticeVersion(notice=notice,
                                 **amended(notice, text, by=by, at=utcnow(), kind=kind, note=note, words=words)))
    webhooks.emit("correction.amended", {"correction": webhooks.notice_data(notice), "previous": previous,
                                         "note": note.strip(), "by": by.name})


def withdraw(notice: Notice, reason: str, *, by: Editor) -> None:
    """Take a notice down (admins only, checked by the caller): the reason and who did it are kept."""
    if not by.is_admin:
        raise NoticeError(gettext("Only an admin can withdraw a published notice."))
    reason = reason.strip()
    if not reason:
        raise NoticeError(gettext("Give the reason for withdrawing the notice; it is kept on record."))
    if notice.withdrawn_at is not None:
        raise NoticeError(gettext("This notice was already withdrawn."))
    notice.withdrawn_at = utcnow()
    notice.withdrawn_by = by.name
    notice.withdrawn_reason = reason
    webhooks.emit("correction.withdrawn", {"correction": webhooks.notice_data(notice), "reason": reason,
                                           "by": by.name})
    for report in notice.reports:
        # The kind is kept with the note and worded when the report's history is shown (withdrawal_note).
        workflow.add_note(report, reason, by=by, about=notice.kind)


def withdrawal_note(kind: str, reason: str) -> str:
    """The note a withdrawal left on a linked report, in the page's language."""
    return gettext(WITHDRAWN[kind], reason=reason)


def _shown() -> Select:
    return select(Notice).where(Notice.withdrawn_at.is_(None))


@dataclass(frozen=True)
class PageNotice:
    """A shown notice as the public article page needs it (attributes as on Notice)."""

    id: int
    kind: str
    text: str
    published_at: datetime
    updated_at: datetime | None
    # The number of the article's revision the notice goes with, if it names one.
    revision_number: int | None
    versions: list


PAGE_NOTICES = (
    select(Notice.id, Notice.kind, Notice.text, Notice.published_at, Notice.updated_at,
           select(ArticleRevision.number).where(ArticleRevision.id == Notice.revision_id).scalar_subquery())
    .where(Notice.article_id == bindparam("article_id"), Notice.withdrawn_at.is_(None))
    .order_by(Notice.published_at.desc(), Notice.id.desc())
    .limit(bindparam("limit"))
)
# All of an article's shown notices, when the page shows only the newest: how many, and when they last changed.
PAGE_ALL_NOTICES = (
    select(func.count(Notice.id), func.max(func.coalesce(Notice.updated_at, Notice.published_at)))
    .where(Notice.article_id == bindparam("article_id"), Notice.withdrawn_at.is_(None))
)
PAGE_EARLIER = (
    # Labelled: a Core row would name the column by the table's name for it (correction_id).
    select(NoticeVersion.notice_id.label("notice_id"), NoticeVersion.text, NoticeVersion.replaced_at)
    .where(NoticeVersion.notice_id.in_(bindparam("amended", expanding=True)))
    .order_by(NoticeVersion.id)
)


@dataclass(frozen=True)
class PageNotices:
    """The notices the public article page shows in full (the newest), and what it says of all of them."""

    newest: list[PageNotice]
    # How many notices readers may see on the article, and when the last of them was published or amended.
    total: int
    last_changed: datetime | None

    @property
    def more(self) -> int:
        """How many older notices the page leaves to the corrections log."""
        return self.total - len(self.newest)


def for_page(connection: Connection, article_id: int, shown: int) -> PageNotices:
    """The article's `shown` newest shown notices (earlier texts loaded for "updated"), read on a Core connection
    for the public article page (see articles.for_page), and how many there are in all.

    The page stays the same size however many notices an article gathers: the older ones are on the
    corrections log filtered to the article. Counting them costs a query only when there are more.
    """
    rows = connection.execute(PAGE_NOTICES, {"article_id": article_id, "limit": shown + 1}).all()
    if len(rows) > shown:
        rows = rows[:shown]
        total, last_changed = connection.execute(PAGE_ALL_NOTICES, {"article_id": article_id}).one()
    else:
        total = len(rows)
        last_changed = max((row.updated_at or row.published_at for row in rows), default=None)
    earlier: dict[int, list] = {row.id: [] for row in rows if row.updated_at is not None}
    if earlier:
        for version in connection.execute(PAGE_EARLIER, {"amended": list(earlier)}):
            earlier[version.notice_id].append(version)
    return PageNotices([PageNotice(*row, versions=earlier.get(row.id, [])) for row in rows], total, last_changed)


def split_for_page(notices: list[Notice]) -> tuple[list[Notice], list[Notice]]:
    """Corrections go at the top of the article, other kinds at its foot."""
    return ([n for n in notices if n.kind == "correction"], [n for n in notices if n.kind != "correction"])


def for_report(report: Report) -> list[Notice]:
    """The published notices that resolve a report (for the reader's status page)."""
    return list(db.session.scalars(
        _shown().where(Notice.reports.any(Report.id == report.id)).order_by(Notice.published_at)
    ))


@dataclass
class DashboardNotices:
    """One page of an article's notices for the dashboard, newest first, withdrawn ones too.

    A page starts at a notice (the newest, on the first page) and holds `per_page` of them: the key of a page
    is its first notice, so a page deep in a long list costs what the first one does, and one notice's page
    is the one that starts with it (where the form of a refused amendment is shown again).
    """

    notices: list[Notice]
    total: int
    # Where the neighbouring pages start: the notice's id, "" for the first page, None where there is none.
    newer: int | str | None
    older: int | None
    # The first RESOLVES_LISTED reports each notice resolves, and how many it resolves in all.
    resolves: dict[int, list[Report]]
    resolves_count: dict[int, int]


# Reports a notice on the dashboard's article page names; the others are counted.
RESOLVES_LISTED = 5


def _newest_first(query: Select, start: Notice | None, *, older: bool = True) -> Select:
    """Notices from `start` (included) on, newest first; with older=False, those newer than it, oldest first."""
    key = tuple_(Notice.published_at, Notice.id)
    if start is not None:
        bound = tuple_(literal(start.published_at, Notice.published_at.type), literal(start.id, Notice.id.type))
        query = query.where(key <= bound if older else key > bound)
    if older:
        return query.order_by(Notice.published_at.desc(), Notice.id.desc())
    return query.order_by(Notice.published_at.asc(), Notice.id.asc())


def dashboard_page(article: Article, per_page: int, start: Notice | None = None) -> DashboardNotices:
    """The page of the article's notices that starts at `start` (a notice of the article; None: the newest),
    in a few queries whatever the number of notices and the reports they resolve."""
    of_article = Notice.article_id == article.id
    notices = list(db.session.scalars(
        _newest_first(select(Notice).where(of_article), start)
        .options(selectinload(Notice.versions), selectinload(Notice.revision)).limit(per_page + 1)
    ))
    older = notices[per_page].id if len(notices) > per_page else None
    notices = notices[:per_page]
    newer = None
    if start is not None:
        above = list(db.session.scalars(_newest_first(select(Notice.id).where(of_article), start, older=False)
                                        .limit(per_page + 1)))
        # The page before starts per_page notices above this one, or is the first page.
        newer = above[per_page - 1] if len(above) > per_page else ("" if above else None)
    total = db.session.scalar(select(func.count(Notice.id)).where(of_article))
    ids = [notice.id for notice in notices]
    counts = dict(db.session.execute(
        select(notice_report.c.correction_id, func.count()).where(notice_report.c.correction_id.in_(ids))
        .group_by(notice_report.c.correction_id)
    ).all()) if ids else {}
    listed: dict[int, list[Report]] = {notice_id: [] for notice_id in ids}
    if counts:
        # The first few of each notice's reports: one index range each, whatever a notice resolves.
        firsts = [select(notice_report.c.correction_id, notice_report.c.report_id)
                  .where(notice_report.c.correction_id == notice_id).order_by(notice_report.c.report_id)
                  .limit(RESOLVES_LISTED).subquery() for notice_id in counts]
        pairs = db.session.execute(union_all(*(select(first) for first in firsts))).all()
        reports = {report.id: report for report in db.session.scalars(
            select(Report).where(Report.id.in_({report_id for _, report_id in pairs})))}
        for notice_id, report_id in sorted(pairs):
            listed[notice_id].append(reports[report_id])
    return DashboardNotices(notices, total, newer, older, listed, counts)


def linkable_reports(article: Article, shown: int, chosen: list[int] = ()) -> list[Report]:
    """Reports of the article a new notice may resolve, for the publish form: accepted ones first (they wait for
    their correction), then those in review, then new ones, oldest first in each, at most `shown` of them, and
    the `chosen` ones (a form sent back) wherever they are."""
    branches = [select(Report.id).where(Report.article_id == article.id, Report.status == status)
                .order_by(Report.id).limit(shown).subquery() for status in ("accepted", "in_review", "new")]
    ids = db.session.scalars(union_all(*(select(branch) for branch in branches))).all()
    found = {report.id: report for report in db.session.scalars(
        select(Report).where(Report.id.in_({*ids, *chosen}), Report.article_id == article.id,
                             Report.status.in_(LINKABLE)))}
    order = {status: n for n, status in enumerate(("accepted", "in_review", "new"))}
    ranked = sorted(found.values(), key=lambda r: (order[r.status], r.id))
    return [r for r in ranked[:shown]] + [r for r in ranked[shown:] if r.id in chosen]


# A notice's place in the log: (published at, id), newest first.
LogKey = tuple[datetime, int]


def encode_log_key(key: LogKey) -> str:
    return f"{key[0].astimezone(UTC).isoformat()}_{key[1]}"


def decode_log_key(raw: str) -> LogKey | None:
    """A log key from an address, or None when it is not one."""
    moment, _, notice_id = (raw or "").strip().rpartition("_")
    try:
        published_at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if published_at.tzinfo is None or parse_id(notice_id) is None:
        return None
    return published_at, int(notice_id)


@dataclass(frozen=True)
class LogFilter:
    kind: str = ""
    month: date | None = None  # first day of the month
    # One article's notices, by its slug: every notice of an article whose page shows only the newest.
    article: str = ""
    # Where a page starts: after the notice with this key (older ones), or before it (newer ones).
    after: LogKey | None = None
    before: LogKey | None = None

    @classmethod
    def from_args(cls, args) -> "LogFilter":
        kind = args.get("kind", "")
        month = None
        raw = (args.get("month") or "").strip()
        if len(raw) == 7:
            try:
                month = date.fromisoformat(raw + "-01")
            except ValueError:
                month = None
        after = decode_log_key(args.get("after", ""))
        return cls(kind=kind if kind in NOTICE_KINDS else "", month=month,
                   article=(args.get("article") or "").strip()[:200],
                   after=after, before=None if after else decode_log_key(args.get("before", "")))

    def args(self, **changes) -> dict:
        """URL arguments for this filter (with changes), leaving out what is not set; a page's place is kept only
        when `after` or `before` is given."""
        kind = changes.get("kind", self.kind)
        month = changes.get("month", self.month)
        after, before, page = changes.get("after"), changes.get("before"), changes.get("page")
        values = {"article": changes.get("article", self.article), "kind": kind,
                  "month": month.strftime("%Y-%m") if month else None,
                  "after": encode_log_key(after) if after else None,
                  "before": encode_log_key(before) if before else None,
                  "page": page if page and page > 1 and (after or before) else None}
        return {k: v for k, v in values.items() if v}


def _log_conditions(f: LogFilter, article: Article | None) -> list:
    where = [Notice.withdrawn_at.is_(None)]
    if article is not None:
        where.append(Notice.article_id == article.id)
    if f.kind:
        where.append(Notice.kind == f.kind)
    if f.month:
        # The month in the site's time zone, as the log's dates are shown.
        start, end = languages.month_start(f.month), languages.month_start(languages.next_month(f.month))
        where += [Notice.published_at >= start, Notice.published_at < end]
    return where


def log_query(f: LogFilter, article: Article | None = None) -> Select:
    """The public log: shown notices (of the article, if given), newest first, with their articles."""
    return (select(Notice).where(*_log_conditions(f, article))
            .options(selectinload(Notice.article), selectinload(Notice.versions), selectinload(Notice.revision))
            .order_by(Notice.published_at.desc(), Notice.id.desc()))


@dataclass
class LogPage:
    """One page of the log, its number (counted from the newest as the reader went), and the URL arguments of the
    pages of newer and older notices (None: there is none)."""

    items: list[Notice]
    page: int
    newer: dict | None
    older: dict | None


def _log_key(notice: Notice) -> LogKey:
    return notice.published_at, notice.id


def _from(key: LogKey, *, older: bool, inclusive: bool = False):
    """Notices past a key in the log's order (older ones), or before it (newer ones)."""
    place = tuple_(Notice.published_at, Notice.id)
    bound = tuple_(literal(key[0], Notice.published_at.type), literal(key[1], Notice.id.type))
    if older:
        return place <= bound if inclusive else place < bound
    return place >= bound if inclusive else place > bound


def log_page(f: LogFilter, article: Article | None, per_page: int, page: int = 1) -> LogPage:
    """The page of the log that `f` points at: its `per_page` notices after `f.after` (or before `f.before`, or the
    newest), read from the publication index from that key on, so a page deep in tens of thousands of notices costs
    what the first one does and nothing counts them all. `page` is only the number the page is shown with (its
    neighbours' are one more and one less)."""
    if f.before is not None:
        return _page_ending(f, article, per_page, f.before, page, inclusive=False)
    query = log_query(f, article)
    if f.after is not None:
        query = query.where(_from(f.after, older=True))
    notices = list(db.session.scalars(query.limit(per_page + 1)))
    if not notices and f.after is not None:
        # None older any more (withdrawn since the link was made): the page that ends with the key.
        return _page_ending(f, article, per_page, f.after, page, inclusive=True)
    page = page if f.after is not None else 1
    older = f.args(after=_log_key(notices[per_page - 1]), page=page + 1) if len(notices) > per_page else None
    notices = notices[:per_page]
    return LogPage(notices, page, f.args(before=_log_key(notices[0]), page=page - 1) if f.after is not None else None,
                   older)


def _page_ending(f: LogFilter, article: Article | None, per_page: int, end: LogKey, page: int,
                 inclusive: bool) -> LogPage:
    """The `per_page` notices just newer than `end` (and it, if `inclusive`), read oldest first from it."""
    newer = list(db.session.scalars(
        log_query(f, article).order_by(None).where(_from(end, older=False, inclusive=inclusive))
        .order_by(Notice.published_at.asc(), Notice.id.asc()).limit(per_page + 1)))
    if len(newer) <= per_page:
        # Back at the top: the newest notices as they are now, a whole page of them.
        return log_page(replace(f, after=None, before=None), article, per_page)
    notices = newer[:per_page][::-1]
    page = max(page, 2)
    older = None if inclusive else f.args(after=_log_key(notices[-1]), page=page + 1)
    return LogPage(notices, page, f.args(before=_log_key(notices[0]), page=page - 1), older)


def log_page_start(f: LogFilter, article: Article | None, page: int, per_page: int) -> LogKey | None:
    """Where page number `page` of the log started when the log was paged by number (addresses still linked from
    elsewhere): the key of the last notice of the page before it, or None when the page has no notice."""
    keys = db.session.execute(
        select(Notice.published_at, Notice.id).where(*_log_conditions(f, article))
        .order_by(Notice.published_at.desc(), Notice.id.desc()).offset((page - 1) * per_page - 1).limit(2)).all()
    return (keys[0][0], keys[0][1]) if len(keys) == 2 else None


# The newest shown notice published before a moment (of one article): one step back in the publication index.
_NEWEST_BEFORE = (select(Notice.published_at)
                  .where(Notice.withdrawn_at.is_(None), Notice.published_at < bindparam("before", type_=UTCDateTime))
                  .order_by(Notice.published_at.desc()).limit(1))
_ARTICLE_NEWEST_BEFORE = _NEWEST_BEFORE.where(Notice.article_id == bindparam("article_id"))
# Later than any notice.
_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


def log_months(article: Article | None = None) -> list[date]:
    """The months that have notices (of the article, if given), newest first, for the log's month filter: calendar
    months in the site's time zone.

    Steps back through the publication index from the start of each month found: a step per month listed,
    whatever the number of notices (grouping them, as this did, read every one: tens of thousands at a million
    reports). The statements are built once, so a step costs the database's lookup and little else.
    """
    statement = _NEWEST_BEFORE if article is None else _ARTICLE_NEWEST_BEFORE
    params = {} if article is None else {"article_id": article.id}
    connection = db.session.connection()
    months: list[date] = []
    before = _END_OF_TIME
    while (newest := connection.scalar(statement, {**params, "before": before})) is not None:
        months.append(languages.local_month(newest))
        before = languages.month_start(months[-1])
    return months


def newest(limit: int, article: Article | None = None) -> list[Notice]:
    """The newest `limit` shown notices (of the article, if given) with their articles, for the feeds."""
    query = _shown().options(selectinload(Notice.article))
    if article is not None:
        query = query.where(Notice.article_id == article.id)
    return list(db.session.scalars(query.order_by(Notice.published_at.desc(), Notice.id.desc()).limit(limit)))


def latest_change(article: Article | None = None) -> datetime | None:
    """When the shown notices (of one article, or all) last changed: for feeds' Last-Modified and ETags."""
    query = select(func.max(func.coalesce(Notice.withdrawn_at, Notice.updated_at, Notice.published_at)))
    if article is not None:
        query = query.where(Notice.article_id == article.id)
    return db.session.scalar(query)
