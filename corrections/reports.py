"""Reader reports: the field rules, spam signals, and filing a report safely."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .articles import passage_in_text
from .extensions import db
from .models import Article, Report
from .workflow import record_received

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


def new_token() -> str:
    """The reader's private status link token: 256 random bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_hash(address: str, key: str) -> str:
    """A keyed hash of the client address, so raw addresses are never stored."""
    return hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()


def submit_report(article: Article, data: ReportInput, *, client: str, spam_reason: str = "") -> tuple[Report, str]:
    """File a report (held as spam if a signal fired) and its first event; returns it and its status token."""
    token = new_token()
    for attempt in range(5):
        report = Report(
            article=article,
            reference=new_reference(),
            token_hash=hash_token(token),
            status="spam" if spam_reason else "new",
            spam_reason=spam_reason,
            category=data.category,
            passage=data.passage,
            passage_found=passage_in_text(data.passage, article.body_text) if data.passage else None,
            description=data.description,
            suggested_correction=data.suggested_correction,
            source_url=data.source_url,
            reporter_name=data.name,
            reporter_email=data.email,
            notify=data.notify and bool(data.email),
            client_hash=client,
        )
        db.session.add(report)
        record_received(report)
        try:
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
