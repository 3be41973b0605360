"""E-mail to readers through an outbox table: queued with the change that causes it, sent later over SMTP.

A message is written in the same transaction as the status change it reports, so it exists exactly
when the change does. `send_due()` delivers what is due; a failure stays pending and is tried again
with growing delays, so nothing is lost while the SMTP server is down.

Several processes may send at once (`corrections serve` on several servers, plus `corrections send-mail`
from cron): each run first *claims* its messages (see `claim_due`), so no message goes out twice.
"""

import smtplib
import ssl
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, current_app, render_template
from sqlalchemy import and_, func, select, update

from .extensions import db
from .models import CORRECTION_KINDS, OutboxMessage, Report, utcnow

# Minutes to wait after the 1st, 2nd, 3rd... failed try; the last delay repeats.
RETRY_MINUTES = (1, 5, 15, 60, 180, 720)
# After this many tries a message is marked failed and shown to admins, not retried forever.
MAX_ATTEMPTS = 20
# A claimed message is left alone by other senders for this long, so a sender that dies mid-run hands its
# messages back when the claim runs out. A run starts no new send in the second half of its claim, which
# leaves minutes for the last one (each SMTP step times out after MAIL_TIMEOUT seconds).
CLAIM_MINUTES = 10

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
                           kinds=CORRECTION_KINDS,
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
    """Take up to `limit` due messages for this run alone and commit the claim; returns them.

    The claim moves next_attempt_at to the end of the claim, so the messages are no longer due for
    anyone else. On PostgreSQL the SELECT locks the rows it picks (FOR UPDATE SKIP LOCKED) until the
    claim commits, so concurrent runs take disjoint batches without waiting on each other. SQLite
    has one writer at a time and ignores FOR UPDATE; there the UPDATE re-checks that each row is
    still due, and RETURNING says which ones this run got.
    """
    now = utcnow()
    due = and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
    # Two statements, not UPDATE ... WHERE id IN (SELECT ... LIMIT n): PostgreSQL may run such a
    # subquery more than once in one UPDATE and so claim more than n.
    picked = db.session.scalars(
        select(OutboxMessage.id).where(due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not picked:
        db.session.commit()
        return []
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(picked), due)
        .values(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        .returning(OutboxMessage.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                                   .order_by(OutboxMessage.id)))


def record_failure(message: OutboxMessage, error: Exception) -> None:
    """Count a failed try: the message stays pending with a later next attempt, or fails for good."""
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
    delay = RETRY_MINUTES[min(message.attempts, len(RETRY_MINUTES)) - 1]
    message.next_attempt_at = utcnow() + timedelta(minutes=delay)


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
            if utcnow() - started > timedelta(minutes=CLAIM_MINUTES / 2):
                # Slow server: hand the rest back before the claim could run out mid-send.
                for rest in messages[index:]:
                    rest.next_attempt_at = utcnow()
                db.session.commit()
                break
            # Read it again just before sending: a reader may have withdrawn their address since the claim.
            db.session.refresh(message)
            if message.status != "pending" or not message.to_address:
                continue
            try:
                smtp.send_message(build_email(message))
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


def send_periodically(app: Flask, interval: float, stop: threading.Event) -> None:
    """Run send_due() every `interval` seconds until `stop` is set; an error is logged, never fatal."""
    while not stop.is_set():
        try:
            with app.app_context():
                sent, failed = send_due()
            if sent or failed:
                app.logger.info("Outbox: %d sent, %d failed", sent, failed)
        except Exception:  # noqa: BLE001  (the sender must outlive a database or SMTP hiccup)
            app.logger.exception("Sending the outbox failed; trying again in %g seconds", interval)
        stop.wait(interval)


def start_sender(app: Flask, interval: float) -> threading.Event:
    """Start the background sender as a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=send_periodically, args=(app, interval, stop), name="outbox-sender",
                     daemon=True).start()
    return stop


def pending_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")) or 0


def status_counts() -> dict[str, int]:
    """How many messages are pending, sent, failed and cancelled (the reader withdrew their address)."""
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                                     .group_by(OutboxMessage.status)).all())
    return {status: counts.get(status, 0) for status in ("pending", "sent", "failed", "cancelled")}


def listing(*, pending_only: bool = True, limit: int | None = None) -> list[OutboxMessage]:
    """Messages to show: the pending ones in the order they will go, or all of them newest first."""
    query = select(OutboxMessage)
    if pending_only:
        query = query.where(OutboxMessage.status == "pending").order_by(OutboxMessage.next_attempt_at,
                                                                           OutboxMessage.id)
    else:
        query = query.order_by(OutboxMessage.id.desc())
    return list(db.session.scalars(query.limit(limit)))
