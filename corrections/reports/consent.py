"""Consent before mail: a reader's address gets outcome e-mails only once its owner confirmed they want them.

Anyone can type anyone's address into the report form. So the first e-mail to an address is a confirmation
link, which says nothing the filer typed; outcomes for an address not confirmed yet are held in the outbox
(one per report) and go out when its owner follows the link. An address gets at most one confirmation a day
and CONFIRMATIONS_PER_MONTH in 30 days while it stays unconfirmed, so the form cannot be used to flood a
stranger's mailbox. Once confirmed, an address gets the outcomes of later reports directly.

Links carry a random token of which only the hash is stored; a link works once and expires after
LINK_DAYS. Following it (GET) shows a page with a button: only its POST confirms, so mail scanners that
fetch links do not.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError
from flask import current_app, has_request_context, render_template, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from sqlalchemy import case, delete, func, select, update

from corrections import languages
from corrections.errors import Refusal
from corrections.extensions import db, insert_or_skip
from corrections.infra import mail
from corrections.models import AddressConfirmation, MailAddress, OutboxMessage, Report, utcnow
from corrections.text import deliverable_email, hash_token

LINK_DAYS = 7
# While an address stays unconfirmed: at most one confirmation a day, and a few a month.
CONFIRMATION_INTERVAL = timedelta(days=1)
CONFIRMATIONS_PER_MONTH = 3
MONTH = timedelta(days=30)


class ConsentError(Refusal):
    """A confirmation link that cannot be used; the message says why and what to do."""


def address_key(address: str) -> str:
    """The address as kept and mailed: the deliverable form, in lower case (or as given when it is no address).

    Lower case, so that one mailbox is one address whatever the spelling: mail systems ignore the case of
    the local part in practice, and a stranger must not get a confirmation for each way to write theirs.
    """
    try:
        return deliverable_email(address).lower()
    except EmailNotValidError:
        return address


def find(address: str) -> MailAddress | None:
    return db.session.scalar(select(MailAddress).where(MailAddress.address == address_key(address)))


def is_confirmed(address: str) -> bool:
    """Whether the owner of this address confirmed that they want our e-mail."""
    found = find(address)
    return found is not None and found.confirmed_at is not None


def confirmed_among(addresses: set[str]) -> set[str]:
    """The addresses (as address_key keeps them) among these whose owners confirmed them, in one query."""
    keys = sorted({address_key(address) for address in addresses})
    confirmed: set[str] = set()
    for start in range(0, len(keys), IDS_PER_QUERY):
        confirmed.update(db.session.scalars(select(MailAddress.address).where(
            MailAddress.address.in_(keys[start:start + IDS_PER_QUERY]), MailAddress.confirmed_at.is_not(None))))
    return confirmed


# Values in one IN (...): SQLite takes 32,766 parameters in a statement.
IDS_PER_QUERY = 10_000


def _locked_row(address: str) -> MailAddress:
    """The address's row, created if new, locked until the transaction ends (PostgreSQL) so that two reports
    filed at once from one address send one confirmation, not two."""
    db.session.execute(insert_or_skip(MailAddress, db.engine.dialect.name)
                       .values(address=address, created_at=utcnow()).on_conflict_do_nothing(index_elements=["address"]))
    return db.session.scalars(select(MailAddress).where(MailAddress.address == address)
                              .with_for_update().execution_options(populate_existing=True)).one()


@dataclass(frozen=True)
class AddressState:
    """What the reader's status page says about their address."""

    confirmed: bool
    last_sent_at: datetime | None
    # When another confirmation may be sent (None: now, or never again this month: see may_ask_again).
    next_allowed_at: datetime | None
    may_ask_again: bool


def state(address: str, now: datetime | None = None) -> AddressState:
    """Whether the address is confirmed, and when it was (and may next be) sent a confirmation."""
    found = find(address)
    if found is None:
        return AddressState(False, None, None, True)
    if found.confirmed_at is not None:
        return AddressState(True, None, None, False)
    return _unconfirmed_state(found, now or utcnow())


def _unconfirmed_state(found: MailAddress, now: datetime) -> AddressState:
    # When the address was sent links in the last 30 days, newest first.
    recent = list(db.session.scalars(
        select(AddressConfirmation.created_at)
        .where(AddressConfirmation.address_id == found.id, AddressConfirmation.created_at > now - MONTH)
        .order_by(AddressConfirmation.created_at.desc())
    ))
    last = recent[0] if recent else None
    if len(recent) >= CONFIRMATIONS_PER_MONTH:
        return AddressState(False, last, None, False)
    if last is not None and last > now - CONFIRMATION_INTERVAL:
        return AddressState(False, last, last + CONFIRMATION_INTERVAL, False)
    return AddressState(False, last, None, True)


def confirm_url(token: str) -> str:
    """The absolute link to a confirmation page."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for("public.confirm_address", link=token, _external=True)
    # Outside a request and without BASE_URL (`corrections seed-demo` on a developer's machine) no host is
    # known: name the local one.
    with current_app.test_request_context():
        return url_for("public.confirm_address", link=token, _external=True)


def request_confirmation(address: str, report_id: int, reference: str,
                         language: str | None = None) -> OutboxMessage | None:
    """Queue a confirmation e-mail to an unconfirmed address, unless it had its share lately.

    Returns the queued message, or None when the address is confirmed already or was sent a link within
    CONFIRMATION_INTERVAL (or CONFIRMATIONS_PER_MONTH in 30 days). The message belongs to the report that
    asked (so removing the reader's contact from it cancels the message), and speaks the language that report
    was filed in, as does the page its link opens. Does not commit.
    """
    key = address_key(address)
    row = _locked_row(key)
    now = utcnow()
    if row.confirmed_at is not None or not _unconfirmed_state(row, now).may_ask_again:
        return None
    token = secrets.token_urlsafe(32)
    link = AddressConfirmation(address=row, token_hash=hash_token(token), created_at=now,
                               expires_at=now + timedelta(days=LINK_DAYS), language=language)
    with languages.speaking(language):
        body = render_template("mail/confirm_address.txt", reference=reference,
                               site_name=current_app.config["SITE_NAME"], confirm_url=confirm_url(token),
                               link_days=LINK_DAYS)
        subject = gettext("%(subject)s (%(reference)s)", subject=CONFIRMATION_SUBJECT, reference=reference)
    db.session.add(link)
    return mail.enqueue(key, subject, body, report_id=report_id)


CONFIRMATION_SUBJECT = lazy_gettext("Confirm your e-mail address")


def is_confirmation(message: OutboxMessage) -> bool:
    """Whether the message asks its address's owner to confirm it (and says nothing of a report's outcome): its
    subject, in any language readers may get."""
    subjects = []
    for tag in current_app.config["LANGUAGES"]:
        with languages.speaking(tag):
            subjects.append(str(CONFIRMATION_SUBJECT))
    return message.subject.startswith(tuple(subjects))


def hold_outcome(report: Report, subject: str, body: str) -> OutboxMessage:
    """Keep an outcome e-mail for an unconfirmed address until its owner confirms, and ask them to.

    One held message per report: a later outcome of the same report replaces the one held. Should the owner
    have confirmed since the caller looked (their confirmation released what was held then), it goes out now.
    """
    key = address_key(report.reporter_email)
    # Locked first, so a confirmation either happened before (seen here) or waits and then releases this message.
    confirmed = _locked_row(key).confirmed_at is not None
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.report_id == report.id,
                                                            OutboxMessage.status == "held"))
    if message is None:
        message = OutboxMessage(report_id=report.id, status="held")
        db.session.add(message)
    message.to_address, message.subject, message.body = key, subject, body
    if confirmed:
        message.status, message.next_attempt_at = "pending", utcnow()
    else:
        request_confirmation(key, report.id, report.reference, report.language)
    return message


def withdraw_held(report_ids: list[int]) -> None:
    """Drop the outcomes held for reports that were reopened: they no longer say what became of them."""
    for start in range(0, len(report_ids), IDS_PER_QUERY):
        chunk = report_ids[start:start + IDS_PER_QUERY]
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.report_id.in_(chunk),
                                                       OutboxMessage.status == "held"),
                           execution_options={"synchronize_session": False})


def find_link(token: str) -> AddressConfirmation | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(AddressConfirmation).where(AddressConfirmation.token_hash == hash_token(token)))


def check_link(link: AddressConfirmation, now: datetime | None = None) -> None:
    """Raise ConsentError when the link can no longer confirm (the address's confirmation itself is fine)."""
    now = now or utcnow()
    if link.address.confirmed_at is not None:
        return
    if link.used_at is not None:
        raise ConsentError(gettext("This link has been used already."))
    if link.expires_at <= now:
        raise ConsentError(ngettext("This link has expired: links work for %(num)s day. Open your report’s page to "
                                    "have a new one sent.",
                                    "This link has expired: links work for %(num)s days. Open your report’s page to "
                                    "have a new one sent.", LINK_DAYS))


def confirm(link: AddressConfirmation) -> int:
    """Confirm the link's address, once: held outcomes for it go out. Returns how many were released.

    Raises ConsentError for a used or expired link. Does not commit.
    """
    now = utcnow()
    check_link(link, now)
    address = link.address
    link.used_at = link.used_at or now
    if address.confirmed_at is not None:
        return 0
    address.confirmed_at = now
    released = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "held", OutboxMessage.to_address == address.address)
        # Not before the time it was given: an outcome whose decision can still be undone waits for that (decisions).
        .values(status="pending", next_attempt_at=case((OutboxMessage.next_attempt_at > now,
                                                        OutboxMessage.next_attempt_at), else_=now)),
        execution_options={"synchronize_session": False},
    )
    return released.rowcount


def forget_unused(addresses: Iterable[str]) -> int:
    """Forget those of these addresses (and their links) that no report holds any more; returns how many.

    Part of erasing readers' contact details: whether someone confirmed is personal data too. Does not commit.
    """
    keys = sorted({address_key(a) for a in addresses if a})
    forgotten = 0
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        held = set(db.session.scalars(select(func.lower(Report.reporter_email))
                                      .where(func.lower(Report.reporter_email).in_(chunk)).distinct()))
        ids = list(db.session.scalars(select(MailAddress.id).where(MailAddress.address.in_(set(chunk) - held))))
        if ids:
            db.session.execute(delete(AddressConfirmation).where(AddressConfirmation.address_id.in_(ids)))
            db.session.execute(delete(MailAddress).where(MailAddress.id.in_(ids)),
                               execution_options={"synchronize_session": False})
            forgotten += len(ids)
    return forgotten
