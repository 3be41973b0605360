"""Feedback for the system that generated the articles: one record per decided report, in a versioned format
described by a JSON Schema shipped in the package (schemas/feedback-record.v1.json).

A record says what the reader reported (category, description, suggestion, source, the passage with the text around
it in the revision they read), how the article and that revision were made (provenance) and what the newsroom
decided: accepted and corrected reports are the positives (a corrected one with its published notices and the words
they name as wrong and right), rejected ones the negatives. Duplicates are left out, their original carries the
decision (a label per error, not per reader who saw it); spam is left out too, as it says nothing about the article.
Nothing personal about the reader is ever read (name, e-mail, client hash).

Records come in the order of their decision (Report.closed_at), then the report's id: a keyset walk of the index on
those two columns, a page at a time, whatever the number of reports. Only decisions older than the undo window (and
the margin its deliveries wait: decisions.SENDING_MARGIN) are given, as webhooks hear of them: a decision that
might still be undone is not announced, and a transaction that committed a moment after another with a later
decision time is seen before a cursor passes it. A report decided again later (accepted, then corrected) comes
again with its new decision.
"""

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import defer, joinedload, load_only

from corrections.extensions import db
from corrections.models import Article, ArticleRevision, Event, Notice, Report, notice_report, utc_iso, utcnow
from corrections.reports import anchors, decisions, outcomes
from corrections.reports.passages import find_passage
from corrections.vocabulary import ACCEPTED_ON_PUBLISHING, source_type_uri

SCHEMA_VERSION = 1
SCHEMA_NAME = f"feedback-record.v{SCHEMA_VERSION}.json"
# Inside the package in the checkout and in the wheel alike.
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / SCHEMA_NAME

# The decisions a record is made for: positives and negatives.
DECIDED = ("accepted", "rejected", "corrected")
# The text either side of a reported passage.
CONTEXT = 200
# Reports read per query by `pages`: the revisions' texts of a page are held at once.
PAGE = 200
# The reasons editors pick from a list, kept in their English words (what canned_reason names).
CANNED_REASONS = (*outcomes.REJECT_REASONS, ACCEPTED_ON_PUBLISHING)


# Where a stream starts (`--since`, `?since=`): a date (from its midnight UTC), or an RFC 3339 date-time with its
# offset. The API's document states the same pattern.
SINCE_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
                           r"(?:T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]+))?"
                           r"(?:Z|([+-])([01][0-9]|2[0-3]):([0-5][0-9])))?")
SINCE_EXAMPLES = "a date such as 2026-11-24 or a date-time with its offset such as 2026-11-24T09:30:00Z"


def parse_since(text: str) -> datetime | None:
    """The moment a `since` names (SINCE_PATTERN), in UTC; None when it names none (February 30th). A moment beyond
    the calendar once in UTC (year 9999 with a negative offset) is the calendar's end: nothing is decided after it."""
    found = SINCE_PATTERN.fullmatch(text)
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, offset_hours, offset_minutes = found.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                         int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    offset = timedelta(hours=int(offset_hours or 0), minutes=int(offset_minutes or 0)) * (-1 if sign == "-" else 1)
    try:
        return (local - offset).replace(tzinfo=UTC)
    except OverflowError:
        return (datetime.max if offset < timedelta(0) else datetime.min).replace(tzinfo=UTC)


@functools.cache
def schema() -> dict:
    """The JSON Schema of a record, as shipped (read once; not to be changed)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Position:
    """A place in the stream: after the report `report_id` decided at `decided_at`."""

    decided_at: datetime
    report_id: int


@dataclass(frozen=True)
class FeedbackPage:
    records: list[dict]
    # After the page's last record; None for an empty page.
    end: Position | None
    # Whether more records followed the page when it was read.
    more: bool


def settled_before(now: datetime | None = None) -> datetime:
    """The newest decision time a record is given for: decisions made since might still be undone, or their
    transaction still be committing."""
    return (now or utcnow()) - decisions.window() - decisions.SENDING_MARGIN


def page(*, until: datetime, after: Position | None = None, since: datetime | None = None,
         limit: int = PAGE) -> FeedbackPage:
    """Up to `limit` records decided after `after`, at `since` or later and at `until` or earlier, in the stream's
    order. Reads a fixed number of queries whatever the page's size."""
    query = (select(Report)
             .options(load_only(Report.id, Report.reference, Report.status, Report.category, Report.passage,
                                Report.description, Report.suggested_correction, Report.source_url,
                                Report.created_at, Report.closed_at, Report.reject_reason, Report.revision_id,
                                Report.passage_exact, Report.passage_prefix, Report.passage_suffix),
                      # Not its texts: the revision's are the ones a record quotes.
                      joinedload(Report.article).defer(Article.body).defer(Article.body_text))
             # The status as a value, not through its indexes: only the index on (closed_at, id) reads decisions in
             # their order, and SQLite's planner would rather sort every decided report by it each page.
             .where((Report.status + "").in_(DECIDED), Report.closed_at <= until)
             .order_by(Report.closed_at, Report.id)
             .limit(limit + 1))
    if since is not None:
        query = query.where(Report.closed_at >= since)
    if after is not None:
        # The first condition alone is a range of the index on (closed_at, id); the second drops the ties before.
        query = query.where(Report.closed_at >= after.decided_at,
                            or_(Report.closed_at > after.decided_at,
                                and_(Report.closed_at == after.decided_at, Report.id > after.report_id)))
    reports = list(db.session.scalars(query))
    more = len(reports) > limit
    reports = reports[:limit]
    if not reports:
        return FeedbackPage([], None, False)
    revisions = _revisions({r.revision_id for r in reports if r.revision_id is not None})
    notices = _notices([r.id for r in reports if r.status == "corrected"])
    comments = _acceptance_comments([r.id for r in reports if r.status == "accepted"])
    records = [record(r, revisions.get(r.revision_id), notices.get(r.id, []), comments.get(r.id, ""))
               for r in reports]
    return FeedbackPage(records, Position(reports[-1].closed_at, reports[-1].id), more)


def pages(*, since: datetime | None = None, until: datetime | None = None, size: int = PAGE) -> Iterator[list[dict]]:
    """Every record decided at `since` or later (and settled by `until`, by default now), a page at a time. Holds
    nothing between pages but its place, so the caller may end the page's transaction before asking for the next."""
    until = until or settled_before()
    after = None
    while True:
        found = page(until=until, after=after, since=since, limit=size)
        if found.records:
            yield found.records
        if not found.more:
            return
        after = found.end


def _revisions(ids: set[int]) -> dict[int, ArticleRevision]:
    if not ids:
        return {}
    return {revision.id: revision for revision in db.session.scalars(
        select(ArticleRevision).options(defer(ArticleRevision.body)).where(ArticleRevision.id.in_(ids)))}


def _notices(report_ids: list[int]) -> dict[int, list[Notice]]:
    """The notices that resolve each report, oldest first."""
    found: dict[int, list[Notice]] = {}
    if not report_ids:
        return found
    rows = db.session.execute(
        select(notice_report.c.report_id, Notice)
        .join(Notice, Notice.id == notice_report.c.correction_id)
        .options(joinedload(Notice.revision).load_only(ArticleRevision.id, ArticleRevision.number))
        .where(notice_report.c.report_id.in_(report_ids))
        .order_by(Notice.published_at, Notice.id))
    for report_id, notice in rows:
        found.setdefault(report_id, []).append(notice)
    return found


def _acceptance_comments(report_ids: list[int]) -> dict[int, str]:
    """What the editor said when accepting each report: the comment of its last move to accepted."""
    if not report_ids:
        return {}
    rows = db.session.execute(
        select(Event.report_id, Event.comment)
        .where(Event.report_id.in_(report_ids), Event.kind == "status", Event.to_value == "accepted")
        .order_by(Event.id))
    return {report_id: comment for report_id, comment in rows}


# --- One record, a function per part ------------------------------------------------------------------------

def record(report: Report, revision: ArticleRevision | None, notices: list[Notice], acceptance: str = "") -> dict:
    """The record of a decided report (the JSON Schema's shape); `revision` is the one it was filed against,
    `notices` those that resolve it, `acceptance` the editor's comment on accepting it."""
    article = report.article
    return {
        "schema_version": SCHEMA_VERSION,
        "reference": report.reference,
        "filed_at": utc_iso(report.created_at),
        "decision": decision_of(report, acceptance),
        "article": {
            "slug": article.slug,
            "url": article.canonical_url,
            "title": article.title,
            "language": article.language,
            "provenance": provenance_of(article),
        },
        "revision": None if revision is None else {
            "id": revision.id,
            "number": revision.number,
            "created_at": utc_iso(revision.created_at),
            "provenance": provenance_of(revision),
        },
        "category": report.category,
        "description": report.description,
        "suggested_correction": report.suggested_correction,
        "source_url": report.source_url,
        "passage": passage_of(report, revision),
        "notices": [notice_of(notice) for notice in notices],
    }


def decision_of(report: Report, acceptance: str = "") -> dict:
    """The decision and its reason, as stored: English where the app wrote it, the editor's words as typed."""
    if report.status == "rejected":
        reason = report.reject_reason
    elif report.status == "accepted":
        reason = acceptance
    else:
        reason = ""  # corrected: its notices say why
    return {"status": report.status, "decided_at": utc_iso(report.closed_at), "reason": reason or None,
            "canned_reason": canned_reason(reason)}


def canned_reason(reason: str) -> str | None:
    """The canned reason a stored reason starts with (as languages.with_canned_words reads it), or None."""
    return next((canned for canned in CANNED_REASONS if reason == canned or reason.startswith(canned + " ")), None)


def provenance_of(made: Article | ArticleRevision) -> dict:
    """How an article, or one of its revisions, says it was made (the IPTC Digital Source Type term, its URI, and the
    generating system); each None when not said."""
    return {"source_type": made.source_type,
            "source_type_uri": source_type_uri(made.source_type) if made.source_type else None,
            "generator": made.generator}


def errors_of(notice: Notice) -> dict:
    """What a notice says was wrong, in the article's exact words, and what replaced it ("" when it names none)."""
    return {"wrong_text": notice.wrong_text, "right_text": notice.right_text}


def notice_of(notice: Notice) -> dict:
    return {
        "id": notice.id,
        "kind": notice.kind,
        "text": notice.text,
        **errors_of(notice),
        "published_at": utc_iso(notice.published_at),
        "updated_at": utc_iso(notice.updated_at),
        "withdrawn_at": utc_iso(notice.withdrawn_at),
        "revision": None if notice.revision is None else {"id": notice.revision.id,
                                                          "number": notice.revision.number},
    }


def passage_of(report: Report, revision: ArticleRevision | None) -> dict | None:
    """The quoted passage, found in the revision the reader read (by the anchor kept when it was filed, else as
    quoted; in its text, else in its title), with up to CONTEXT characters either side; None without a passage."""
    if not report.passage:
        return None
    where, text, span = None, "", None
    if revision is not None:
        text = anchors.comparable(revision.body_text)
        anchor = anchors.of_report(report)
        span = anchors.locate(anchor, text) if anchor else find_passage(report.passage, text)
        where = "body" if span else None
        if span is None:
            text = anchors.comparable(revision.title)
            span = find_passage(report.passage, text)
            where = "title" if span else None
    if span is None:
        return {"quoted": report.passage, "where": None, "exact": None, "before": "", "after": "", "start": None,
                "end": None}
    start, end = span
    return {"quoted": report.passage, "where": where, "exact": text[start:end],
            "before": text[max(0, start - CONTEXT):start], "after": text[end:end + CONTEXT], "start": start,
            "end": end}
