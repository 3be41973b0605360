"""Reader reports: the field rules, spam signals, and filing a report safely."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from . import clocks, desks, webhooks
from .articles import locate_passage, passage_needle
from .extensions import db
from .models import Article, Correction, Report, correction_report
from .workflow import CLOSED, record_received

# The one place the limits live: the HTML form and the API both read them.
CATEGORIES = {
    "factual": "A fact is wrong",
    "typo": "Spelling, grammar or a typo",
    "misleading": "Misleading or missing context",
    "outdated": "Out of date",
    "broken_link": "A broken link",
    "other": "Something else",
}
PASSAGE_MAX = 1000
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000
SUGGESTION_MAX = 2000
SOURCE_URL_MAX = 2000
NAME_MAX = 200
EMAIL_MAX = 320

# Crockford's alphabet: no I, L, O or U to misread over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6


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


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_token_nonce() -> str:
    return secrets.token_hex(16)


def status_token(nonce: str) -> str:
    """The reader's private status link token: a keyed hash of the report's random nonce (256 bits).

    Derived rather than stored, so an outcome e-mail can carry the link while the database holds
    only its hash; changing the secret key changes every link.
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"report-status:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def status_url(report: Report) -> str | None:
    """The absolute link to the reader's status page, or None for a report without a nonce."""
    if not report.token_nonce:
        return None
    return url_for("public.report_status", token=status_token(report.token_nonce), _external=True)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_hash(address: str, key: str) -> str:
    """A keyed hash of the client address, so raw addresses are never stored."""
    return hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()


def passage_key(passage: str) -> str:
    needle = passage_needle(passage)
    return hashlib.sha256(needle.encode()).hexdigest() if needle else ""


def _same_place(report: Report):
    """Reports on the same passage (by its text) or on an overlapping one (by where it sits in the article)."""
    same_place = Report.passage_key == report.passage_key
    if report.passage_start is not None:
        same_place = or_(same_place, and_(Report.passage_start < report.passage_end,
                                          Report.passage_end > report.passage_start))
    return same_place


def join_cluster(report: Report) -> None:
    """Put the report in the group of an earlier one on the same or an overlapping passage, or start one."""
    report.cluster_id = report.id
    if report.status == "spam" or not report.passage_key:
        return
    earlier = db.session.scalar(
        select(Report.cluster_id)
        .where(Report.article_id == report.article_id, Report.id < report.id, Report.status != "spam",
               _same_place(report))
        .order_by(Report.id)
        .limit(1)
    )
    if earlier is not None:
        report.cluster_id = earlier


# What an earlier decision on the same passage can be; spam says nothing about the passage.
DECIDED = tuple(s for s in CLOSED if s != "spam")


def mark_resurfaced(report: Report) -> None:
    """Link a new report on a passage already settled to the earlier decision, so that it is not lost.

    Settled: a published correction links a report on the same or an overlapping passage, or the report's
    group already has a closed report. The correction wins; otherwise the latest decision in the group.
    """
    if report.status == "spam" or not report.passage_key:
        return
    corrected = db.session.scalar(
        select(Report.id)
        .join(correction_report, correction_report.c.report_id == Report.id)
        .join(Correction, Correction.id == correction_report.c.correction_id)
        .where(Report.article_id == report.article_id, Report.id != report.id, Correction.withdrawn_at.is_(None),
               _same_place(report))
        .order_by(Correction.published_at.desc(), Report.id.desc())
        .limit(1)
    )
    if corrected is None and report.cluster_id != report.id:
        corrected = db.session.scalar(
            select(Report.id)
            .where(Report.cluster_id == report.cluster_id, Report.id != report.id, Report.status.in_(DECIDED))
            .order_by(Report.closed_at.desc(), Report.id.desc())
            .limit(1)
        )
    report.resurfaced_from_id = corrected


def submit_report(article: Article, data: ReportInput, *, client: str, spam_reason: str = "") -> tuple[Report, str]:
    """File a report (held as spam if a signal fired) and its first event; returns it and its status token."""
    nonce = new_token_nonce()
    token = status_token(nonce)
    span = locate_passage(data.passage, article.body_text) if data.passage else None
    desk_id, targets = desks.route_for(article.section), clocks.all_targets()
    for attempt in range(5):
        report = Report(
            article=article,
            reference=new_reference(),
            token_nonce=nonce,
            token_hash=hash_token(token),
            status="spam" if spam_reason else "new",
            spam_reason=spam_reason,
            category=data.category,
            passage=data.passage,
            passage_found=(span is not None) if data.passage else None,
            passage_key=passage_key(data.passage),
            passage_start=span[0] if span else None,
            passage_end=span[1] if span else None,
            description=data.description,
            suggested_correction=data.suggested_correction,
            source_url=data.source_url,
            reporter_name=data.name,
            reporter_email=data.email,
            notify=data.notify and bool(data.email),
            client_hash=client,
            desk_id=desk_id,
        )
        clocks.stamp(report, targets)
        db.session.add(report)
        record_received(report)
        try:
            db.session.flush()
            join_cluster(report)
            mark_resurfaced(report)
            if report.status != "spam":
                # Spam stays out of receivers (a flood would follow it there); an editor's reopening is sent.
                webhooks.emit("report.created", {"report": webhooks.report_data(report)})
            db.session.commit()
            return report, token
        except IntegrityError:
            # One in a billion: the random reference was taken. Draw another.
            db.session.rollback()
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def find_by_token(token: str) -> Report | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Report).where(Report.token_hash == hash_token(token)))


def mask_email(email: str) -> str:
    """j•••@example.org: enough for the reader to recognise their address on a shared screen."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else ""
