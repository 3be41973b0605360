"""Filing a reader's report safely: grouped with earlier reports on the same passage, with its deadlines, desk and
anchor, and the first line of its history."""

import functools
import re
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select, update

from corrections.extensions import db, insert_or_skip
from corrections.infra import webhooks
from corrections.languages import number
from corrections.models import Article, Notice, Report, notice_report
from corrections.reports import anchors, clocks, consent, desks, tokens
from corrections.reports.passages import locate_passage, passage_key
from corrections.reports.workflow import record_received
from corrections.text import hash_token
from corrections.vocabulary import CLOSED


@dataclass
class ReportInput:
    """A report's fields once they passed the form's or the API's checks."""

    category: str
    description: str
    passage: str = ""
    suggested_correction: str = ""
    source_url: str = ""
    name: str = ""
    email: str = ""
    notify: bool = False
    # The language of the page it was sent from (languages.py): the reader's status page and e-mails speak it.
    language: str | None = None


# Why a report was held as spam, stored in English (Report.spam_reason) and worded when shown (spam_signal_shown).
HONEYPOT_FILLED = "the hidden honeypot field was filled"
NO_TIMESTAMP = "the form's timestamp was missing or altered"
TOO_SOON = re.compile(r"sent (\d+(?:\.\d+)?) s after the form was served")
SPAM_SIGNALS = {
    # Translators: why a report was held as spam, shown after "Spam signal".
    HONEYPOT_FILLED: _l("the hidden honeypot field was filled"),
    # Translators: why a report was held as spam, shown after "Spam signal".
    NO_TIMESTAMP: _l("the form's timestamp was missing or altered"),
}


def spam_signal(*, honeypot_filled: bool, elapsed: float | None, min_seconds: float) -> str:
    """Why a report sent through the form looks automated, or "" when it looks like a person's: the hidden
    honeypot field was filled, or it came sooner than `min_seconds` after the form was served (`elapsed`
    None: the form's timestamp was missing or altered). A `min_seconds` of 0 turns the time check off."""
    if honeypot_filled:
        return HONEYPOT_FILLED
    if min_seconds > 0:
        if elapsed is None:
            return NO_TIMESTAMP
        if elapsed < min_seconds:
            return f"sent {elapsed:.1f} s after the form was served"
    return ""


def spam_signal_shown(signal: str) -> str:
    """Why a report was held as spam (a spam_signal stored) in the page's language; an unknown one as stored."""
    if signal in SPAM_SIGNALS:
        return str(SPAM_SIGNALS[signal])
    too_soon = TOO_SOON.fullmatch(signal)
    if too_soon:
        # Translators: why a report was held as spam, shown after "Spam signal"; %(seconds)s is like "1.5".
        return gettext("sent %(seconds)s s after the form was served", seconds=number(float(too_soon.group(1))))
    return signal


def passage_values(passage: str, text: str, title: str = "") -> dict:
    """What a report keeps of its quoted passage in the article's text `text`: whether and where the passage
    was found, its key, and its text-quote anchor (Report's columns). A passage quoted from the headline
    `title` is found too, with no place in the text (the report page marks it in the headline)."""
    span = locate_passage(passage, text) if passage else None
    anchor = anchors.make_anchor(passage, text) if span else None
    in_title = span is None and bool(passage) and bool(title) and locate_passage(passage, title) is not None
    return {
        "passage": passage,
        "passage_found": (span is not None or in_title) if passage else None,
        "passage_key": passage_key(passage),
        "passage_start": span[0] if span else None,
        "passage_end": span[1] if span else None,
        "passage_exact": anchor.exact if anchor else None,
        "passage_prefix": anchor.prefix if anchor else None,
        "passage_suffix": anchor.suffix if anchor else None,
    }


def report_values(article, data: ReportInput, *, receipt: tokens.Receipt, client: str, spam_reason: str = "",
                  passage: dict | None = None, routes: dict[str, int] | None = None,
                  targets: dict[str, clocks.Targets] | None = None) -> dict:
    """A report's columns as it is filed, all but its reference and its group (held as spam if a signal fired).

    Pure: `article` is an Article or anything with its id, section, title, body_text and current_revision_id.
    A caller that has them already may pass `passage` (passage_values of the passage in the article's text),
    `routes` (desks.routing_table()) and `targets` (clocks.all_targets()); otherwise they are read here.
    """
    status = "spam" if spam_reason else "new"
    return {
        "article_id": article.id,
        "token_nonce": receipt.nonce,
        "token_hash": hash_token(receipt.token),
        "status": status,
        "spam_reason": spam_reason,
        "category": data.category,
        **(passage_values(data.passage, article.body_text, article.title) if passage is None else passage),
        "revision_id": article.current_revision_id,
        "description": data.description,
        "suggested_correction": data.suggested_correction,
        "source_url": data.source_url,
        "reporter_name": data.name,
        "reporter_email": data.email,
        "notify": data.notify and bool(data.email),
        "language": data.language,
        "client_hash": client,
        "desk_id": desks.route_for(article.section, routes),
        # The clocks run from when the reader sent it, also for a report filed from the spool later.
        "created_at": receipt.received_at,
        # Nobody owes a report held as spam an answer: it has no deadlines.
        **(clocks.deadlines(data.category, receipt.received_at, targets) if status != "spam"
           else clocks.NO_DEADLINES),
    }


def place_of(values: dict) -> tuple[str, tuple[int, int] | None] | None:
    """Where a report being filed sits for grouping and earlier decisions: its passage's key and span (None
    when the passage was not found in the text). None for spam and reports without a passage: they are never
    grouped or resurfaced."""
    if not values["passage_key"] or values["status"] == "spam":
        return None
    start = values["passage_start"]
    return values["passage_key"], (start, values["passage_end"]) if start is not None else None


def same_place(place: tuple[str, tuple[int, int] | None], key: str, span: tuple[int, int] | None) -> bool:
    """Whether an earlier report with this passage key and span is on the passage at `place` (place_of): the
    same passage, or an overlapping one. SAME_PLACE below asks the database the same question."""
    new_key, new_span = place
    return key == new_key or (new_span is not None and span is not None
                              and span[0] < new_span[1] and span[1] > new_span[0])


# What an earlier decision on the same passage can be; spam says nothing about the passage.
DECIDED = tuple(s for s in CLOSED if s != "spam")

# Filing a report reads the earlier reports of its article with the statements below, all inside its INSERT,
# on parameters that describe the new report's passage: its key (the normalised text) and its span in the
# article's normalised text. Spam and reports without a passage pass NULLs, which match nothing: they are
# never grouped or resurfaced.
SAME_PLACE = or_(
    Report.passage_key == bindparam("place_key"),
    and_(Report.passage_start < bindparam("place_end"), Report.passage_end > bindparam("place_start")),
)
# The group of the earliest report (not spam) on the same or an overlapping passage.
EARLIER_GROUP = (
    select(Report.cluster_id)
    .where(Report.article_id == bindparam("place_article"), Report.status != "spam", SAME_PLACE)
    .order_by(Report.id)
    .limit(1)
    .scalar_subquery()
)
# The decision the editor should see on a passage already settled: a published correction linking a report
# on the same or an overlapping passage wins; otherwise the latest decision in the group the report joins.
CORRECTED_HERE = (
    select(Report.id)
    .join(notice_report, notice_report.c.report_id == Report.id)
    .join(Notice, Notice.id == notice_report.c.correction_id)
    .where(Report.article_id == bindparam("place_article"), Notice.withdrawn_at.is_(None), SAME_PLACE)
    .order_by(Notice.published_at.desc(), Report.id.desc())
    .limit(1)
    .scalar_subquery()
)
DECIDED_IN_GROUP = (
    select(Report.id)
    .where(Report.cluster_id == EARLIER_GROUP, Report.status.in_(DECIDED))
    .order_by(Report.closed_at.desc(), Report.id.desc())
    .limit(1)
    .scalar_subquery()
)
# One INSERT files the report in its group, linked to an earlier decision, both found by the same statement
# (on SQLite under the write lock, so two reports on one passage never both start a group). A token or a
# reference already taken inserts nothing (ON CONFLICT DO NOTHING), so the transaction goes on. Built once per
# database dialect, and compiled once (insert_or_skip): building a statement costs more than running it.
FILE_REPORT = {
    name: insert_or_skip(Report.__table__, name)
    .values(cluster_id=EARLIER_GROUP, resurfaced_from_id=func.coalesce(CORRECTED_HERE, DECIDED_IN_GROUP))
    .on_conflict_do_nothing()
    .returning(Report.id, Report.cluster_id)
    for name in ("postgresql", "sqlite")
}
FILED_BEFORE = select(Report.id, Report.reference, Report.status).where(Report.token_hash == bindparam("token_hash"))
# Draws of a new reference before giving up (one is taken once in a thousand at a million reports).
REFERENCE_TRIES = 5


NAME_GROUP = update(Report.__table__).where(Report.id == bindparam("new_id")).values(cluster_id=bindparam("new_id"))


@dataclass(frozen=True)
class FiledReport:
    """A report just filed: what the reader is told, and its id for code that goes on with it.

    A report kept in the spool while the database is down (spool.py) has no id yet and the status "received".
    """

    id: int | None
    reference: str
    status: str
    token: str
    # Filed before with the same receipt: this filing stored nothing.
    already_filed: bool = False


def submit_report(article: Article, data: ReportInput, *, client: str, spam_reason: str = "",
                  receipt: tokens.Receipt | None = None) -> FiledReport:
    """File a report (held as spam if a signal fired) and its first event; the caller commits.

    Readers' reports are the app's busiest write: two plain INSERTs (and an UPDATE for the first report
    of a group) rather than the ORM's unit of work, which costs four times as much for these rows.
    A `receipt` the reader was already given (a spooled report) is filed at most once: filing it again
    finds the report by its token's hash and stores nothing.
    """
    receipt = receipt or tokens.new_receipt()
    token = receipt.token
    values = report_values(article, data, receipt=receipt, client=client, spam_reason=spam_reason)
    token_hash = values["token_hash"]
    status = values["status"]
    place = place_of(values)
    key, span = place if place else (None, None)
    values.update({
        "place_article": article.id,
        "place_key": key,
        "place_start": span[0] if span else None,
        "place_end": span[1] if span else None,
    })
    reference = receipt.reference
    # Core statements on the session's connection: the ORM's handling of a statement costs more than SQLite
    # takes to run it, and these rows are written whole here, never loaded.
    connection = db.session.connection()
    for _ in range(REFERENCE_TRIES):
        filed = connection.execute(FILE_REPORT[connection.dialect.name], {**values, "reference": reference}).first()
        if filed is not None:
            break
        # Filed already: the spool filed it before a crash kept its file, or a commit landed whose answer was lost.
        earlier = connection.execute(FILED_BEFORE, {"token_hash": token_hash}).first()
        if earlier is not None:
            return FiledReport(earlier.id, earlier.reference, earlier.status, token, already_filed=True)
        # The random reference was taken: draw another. A spooled report's receipt keeps naming the first one
        # until it is filed.
        reference = tokens.new_reference()
    else:
        raise RuntimeError(f"{REFERENCE_TRIES} report references in a row were taken; nothing was filed.")
    report_id, cluster_id = filed
    if cluster_id is None:
        # The first report of its group: the group is named after it.
        connection.execute(NAME_GROUP, {"new_id": report_id})
    record_received(report_id, status, spam_reason)
    if status != "spam":
        # Spam stays out of receivers (a flood would follow it there); an editor's reopening is sent.
        webhooks.emit("report.created", functools.partial(created_payload, report_id))
        if values["notify"]:
            # The first e-mail to an address asks its owner whether they want any (consent.py).
            consent.request_confirmation(data.email, report_id, reference, data.language)
    return FiledReport(report_id, reference, status, token)


def created_payload(report_id: int) -> dict:
    """The report.created delivery's data, read back only when an endpoint wants it."""
    return {"report": webhooks.report_data(db.session.get_one(Report, report_id))}


def find_by_token(token: str) -> Report | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Report).where(Report.token_hash == hash_token(token)))


def mask_email(email: str) -> str:
    """j•••@example.org: enough for the reader to recognise their address on a shared screen."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else ""
