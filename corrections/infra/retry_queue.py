"""What the e-mail outbox and the webhook deliveries share: rows queued in the database, sent later.

A queued row has `status` ("pending" until sent), `attempts`, `next_attempt_at` and `last_error`.
A sending run claims the rows that are due (so several processes never send one twice), sends
them, and records each result at once; a failure waits longer after each try, and after
MAX_ATTEMPTS the row is marked failed instead of being tried forever. `corrections serve` runs
the senders as background threads (`start_loop`); commands run them from cron.
"""

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select, update

from corrections.extensions import db
from corrections.models import utcnow

# Why a row was cancelled, as the app writes it (stored in English: commands print it too), and as the admin's
# pages show it. Anything else in last_error (a server's own answer) is shown as stored.
UNDONE = "Cancelled: the decision was undone."
DISABLED = "Cancelled: the endpoint was disabled."
SHOWN_ERRORS = {
    UNDONE: _l("Cancelled: the decision was undone."),
    DISABLED: _l("Cancelled: the endpoint was disabled."),
}

# Minutes to wait after the 1st, 2nd, 3rd... failed try; the last delay repeats.
RETRY_MINUTES = (1, 5, 15, 60, 180, 720)
# After this many tries a row is marked failed and shown to admins, not retried forever.
MAX_ATTEMPTS = 20
# A claimed row is left alone by other senders for this long, so a sender that dies mid-run hands its rows
# back when the claim runs out. A run starts no new send in the second half of its claim (see
# claim_running_out), which leaves minutes for the last one.
CLAIM_MINUTES = 10


def claim_due(model, limit: int) -> list:
    """Take up to `limit` due rows of `model` for this run alone and commit the claim; returns them.

    The claim moves next_attempt_at to the end of the claim, so the rows are no longer due for
    anyone else. On PostgreSQL the SELECT locks the rows it picks (FOR UPDATE SKIP LOCKED) until the
    claim commits, so concurrent runs take disjoint batches without waiting on each other. SQLite
    has one writer at a time and ignores FOR UPDATE; there the UPDATE re-checks that each row is
    still due, and RETURNING says which ones this run got.
    """
    now = utcnow()
    due = and_(model.status == "pending", model.next_attempt_at <= now)
    # Two statements, not UPDATE ... WHERE id IN (SELECT ... LIMIT n): PostgreSQL may run such a
    # subquery more than once in one UPDATE and so claim more than n.
    picked = db.session.scalars(
        select(model.id).where(due)
        .order_by(model.next_attempt_at, model.id)
        .limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not picked:
        db.session.commit()
        return []
    claimed = db.session.scalars(
        update(model)
        .where(model.id.in_(picked), due)
        .values(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        .returning(model.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    return list(db.session.scalars(select(model).where(model.id.in_(claimed)).order_by(model.id)))


def shown_error(error: str) -> str:
    """A row's last error as the admin's page shows it: the app's own words in the page's language."""
    return str(SHOWN_ERRORS[error]) if error in SHOWN_ERRORS else error


def record_failure(row, error: str) -> None:
    """Count a failed try: the row stays pending with a later next attempt, or fails for good."""
    row.attempts += 1
    row.last_error = error[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
    row.next_attempt_at = utcnow() + retry_delay(row.attempts)


def give_up(row, error: str) -> None:
    """Count a try that trying again cannot mend: the row fails at once, for an admin to see (and re-send)."""
    row.attempts += 1
    row.last_error = error[:2000]
    row.status = "failed"
    row.next_attempt_at = utcnow()


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try."""
    return timedelta(minutes=RETRY_MINUTES[min(max(attempts, 1), len(RETRY_MINUTES)) - 1])


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def claim_running_out(started: datetime) -> bool:
    """True in the second half of a run's claim: time to hand the rest back rather than start a send."""
    return utcnow() - started > timedelta(minutes=CLAIM_MINUTES / 2)


def hand_back(rows: list) -> None:
    """Make claimed rows due again at once (a run that stops early) and commit."""
    for row in rows:
        row.next_attempt_at = utcnow()
    db.session.commit()


def run_periodically(app: Flask, interval: float, stop: threading.Event, job: Callable[[], tuple[int, int]],
                     what: str, done: str = "sent") -> None:
    """Run job() every `interval` seconds until `stop` is set; an error is logged, never fatal.

    job returns (done, failed); `what` names the queue in the log ("Outbox", "Webhooks"), `done` what it did.
    """
    while not stop.is_set():
        try:
            with app.app_context():
                sent, failed = job()
            if sent or failed:
                app.logger.info("%s: %d %s, %d failed", what, sent, done, failed)
        except Exception:  # noqa: BLE001  (the sender must outlive a database or network hiccup)
            app.logger.exception("Sending the %s failed; trying again in %g seconds", what.lower(), interval)
        stop.wait(interval)


def start_loop(app: Flask, interval: float, job: Callable[[], tuple[int, int]], what: str,
               thread_name: str, done: str = "sent") -> threading.Event:
    """Start run_periodically as a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_periodically, args=(app, interval, stop, job, what, done), name=thread_name,
                     daemon=True).start()
    return stop
