"""E-mail to readers through an outbox table: queued with the change that causes it, sent later over SMTP.

A message is written in the same transaction as the status change it reports, so it exists exactly
when the change does. `send_due()` delivers what is due; a failure stays pending and is tried again
with growing delays, so nothing is lost while the SMTP server is down.
"""

import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from sqlalchemy import func, select

from .extensions import db
from .models import OutboxMessage, Report, utcnow

# Minutes to wait after the 1st, 2nd, 3rd... failed try; the last delay repeats.
RETRY_MINUTES = (1, 5, 15, 60, 180, 720)
# After this many tries a message is marked failed and shown to admins, not retried forever.
MAX_ATTEMPTS = 20

OUTCOMES = {
    "corrected": "Your report led to a correction",
    "rejected": "An editor reviewed your report",
    "duplicate_corrected": "The error you reported has been corrected",
}


def queue_outcome(report: Report, outcome: str, correction=None) -> OutboxMessage | None:
    """Queue the e-mail telling a reader what became of their report, if they asked for one."""
    if not (report.notify and report.reporter_email):
        return None
    from .reports import status_url  # late: reports imports the workflow, which imports this module

    body = render_template("mail/outcome.txt", report=report, outcome=outcome, correction=correction,
                           status_url=status_url(report), site_name=current_app.config["SITE_NAME"])
    message = OutboxMessage(to_address=report.reporter_email, subject=f"{OUTCOMES[outcome]} ({report.reference})",
                            body=body, report_id=report.id)
    db.session.add(message)
    return message


def build_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
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
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def due_messages(limit: int) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ))


def record_failure(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
    delay = RETRY_MINUTES[min(message.attempts, len(RETRY_MINUTES)) - 1]
    message.next_attempt_at = utcnow() + timedelta(minutes=delay)


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send the pending messages that are due; returns (sent, failed this round).

    Without MAIL_SERVER nothing is sent: the outbox is the mailbox (development and tests).
    """
    if not current_app.config.get("MAIL_SERVER"):
        return 0, 0
    messages = due_messages(limit)
    if not messages:
        return 0, 0
    sent = failed = 0
    try:
        smtp = smtp_connection()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            record_failure(message, error)
        db.session.commit()
        return 0, len(messages)
    with smtp:
        for message in messages:
            try:
                smtp.send_message(build_email(message))
            except (OSError, smtplib.SMTPException) as error:
                record_failure(message, error)
                failed += 1
            else:
                message.status = "sent"
                message.sent_at = utcnow()
                message.attempts += 1
                sent += 1
            # Commit each result at once: a crash after a send must not send it again.
            db.session.commit()
    return sent, failed


def pending_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")) or 0
