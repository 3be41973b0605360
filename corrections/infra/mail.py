"""E-mail through an outbox table: queued with the change that causes it, sent later over SMTP.

The transport only: the domain decides what to tell whom and when (reports/outcomes.py, reports/consent.py)
and queues it with `enqueue`, in the same transaction as the change it reports, so a message exists exactly
when the change does. `send_due()` delivers what is due; a failure stays pending and is tried again
with growing delays, so nothing is lost while the SMTP server is down.

Several processes may send at once (`corrections serve` on several servers, plus `corrections send-mail`
from cron): each run first *claims* its messages (see `claim_due`), so no message goes out twice.
"""

import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import make_msgid

from email_validator import EmailNotValidError
from flask import Flask, current_app
from sqlalchemy import func, select

from corrections.extensions import db
from corrections.infra import retry_queue
from corrections.models import OutboxMessage, utcnow
from corrections.text import deliverable_email, one_line

# The queue's rules, shared with the webhook deliveries (retry_queue): named here too for readers of this module.
RETRY_MINUTES = retry_queue.RETRY_MINUTES
MAX_ATTEMPTS = retry_queue.MAX_ATTEMPTS
# Each SMTP step times out after MAIL_TIMEOUT seconds, well inside a claim.
CLAIM_MINUTES = retry_queue.CLAIM_MINUTES


def enqueue(to_address: str, subject: str, body: str, *, report_id: int | None = None) -> OutboxMessage:
    """Put a message in the outbox, to go out with the next sending run. Does not commit.

    What to write, and to whom, is the caller's to decide (reports/outcomes.py, reports/consent.py); the message
    exists exactly when the caller's transaction commits.
    """
    message = OutboxMessage(to_address=to_address, subject=subject, body=body, report_id=report_id)
    db.session.add(message)
    return message


class Undeliverable(Exception):
    """An address no try can deliver to: the message fails at once, with this reason, instead of being retried."""


def recipient(message: OutboxMessage, smtp: smtplib.SMTP) -> str:
    """The address to send the message to, in the form that delivers; raises Undeliverable."""
    try:
        address = deliverable_email(message.to_address)
    except EmailNotValidError as error:
        raise Undeliverable(f"Undeliverable: {message.to_address!r} is not an e-mail address ({error})") from None
    if not address.isascii():
        smtp.ehlo_or_helo_if_needed()
        if not smtp.has_extn("smtputf8"):
            raise Undeliverable(f"Undeliverable here: {address} has a non-ASCII local part, which needs a mail "
                                f"server with SMTPUTF8, and {current_app.config['MAIL_SERVER']} does not offer it")
    return address


def build_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = one_line(message.subject)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    return email


def smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    timeout = float(config.get("MAIL_TIMEOUT", 20))
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def close_quietly(smtp: smtplib.SMTP) -> None:
    """Say goodbye to the server; by then every result is committed, so a failed QUIT changes nothing."""
    try:
        smtp.quit()
    except Exception:  # noqa: BLE001
        smtp.close()


def claim_due(limit: int) -> list[OutboxMessage]:
    """Take up to `limit` due messages for this run alone (see retry_queue.claim_due)."""
    return retry_queue.claim_due(OutboxMessage, limit)


def record_failure(message: OutboxMessage, error: Exception) -> None:
    """Count a failed try: the message stays pending with a later next attempt, or fails for good."""
    retry_queue.record_failure(message, retry_queue.describe(error))


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send the pending messages that are due; returns (sent, failed this round).

    Without MAIL_SERVER nothing is sent: the outbox is the mailbox (development and tests).
    Every result is committed as soon as it is known, so a crash after a send does not send again;
    any error, expected or not, leaves the message pending for a later try; a run that dies
    outright leaves its claim to run out, after which the messages are due again.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return 0, 0
    messages = claim_due(limit)
    if not messages:
        return 0, 0
    started = utcnow()
    try:
        smtp = smtp_connection()
    except Exception as error:  # noqa: BLE001  (whatever it is, the messages wait for the next try)
        current_app.logger.warning("Cannot reach the SMTP server %s: %s", current_app.config["MAIL_SERVER"], error)
        for message in messages:
            record_failure(message, error)
        db.session.commit()
        return 0, len(messages)
    sent = failed = 0
    try:
        for index, message in enumerate(messages):
            if retry_queue.claim_running_out(started):
                # Slow server: hand the rest back before the claim could run out mid-send.
                retry_queue.hand_back(messages[index:])
                break
            # Read it again just before sending: a reader may have withdrawn their address since the claim.
            db.session.refresh(message)
            if message.status != "pending" or not message.to_address:
                continue
            try:
                # Stored in the form that delivers: older rows may hold a domain in Unicode.
                message.to_address = recipient(message, smtp)
                smtp.send_message(build_email(message))
            except Undeliverable as error:
                # It can never succeed: it fails now, for an admin to see, rather than retrying for days.
                retry_queue.give_up(message, str(error))
                failed += 1
            except Exception as error:  # noqa: BLE001  (a refused or broken message must not stop the others)
                if not isinstance(error, OSError | smtplib.SMTPException):
                    current_app.logger.exception("Unexpected error sending outbox message %s", message.id)
                record_failure(message, error)
                failed += 1
            else:
                message.status = "sent"
                message.sent_at = utcnow()
                message.attempts += 1
                sent += 1
            # Commit each result at once: a crash after a send must not send it again.
            db.session.commit()
    finally:
        close_quietly(smtp)
    return sent, failed


def start_sender(app: Flask, interval: float) -> threading.Event:
    """Start the background sender (send_due every `interval` seconds); set the returned event to stop it."""
    # A lambda, so the module's send_due is looked up at each run (tests replace it).
    return retry_queue.start_loop(app, interval, lambda: send_due(), "Outbox", "outbox-sender")


def pending_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")) or 0


def status_counts() -> dict[str, int]:
    """How many messages are held (their address not confirmed yet), pending, sent, failed and cancelled."""
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                                     .group_by(OutboxMessage.status)).all())
    return {status: counts.get(status, 0) for status in ("held", "pending", "sent", "failed", "cancelled")}


def listing(*, pending_only: bool = True, limit: int | None = None) -> list[OutboxMessage]:
    """Messages to show: the pending ones in the order they will go, or all of them newest first."""
    query = select(OutboxMessage)
    if pending_only:
        query = query.where(OutboxMessage.status == "pending").order_by(OutboxMessage.next_attempt_at,
                                                                           OutboxMessage.id)
    else:
        query = query.order_by(OutboxMessage.id.desc())
    return list(db.session.scalars(query.limit(limit)))
