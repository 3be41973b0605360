"""Slowing down password guessers without letting them lock the real editor out.

Wrong passwords are counted per account (the e-mail typed, known or not) and per source, in the
database, so every server sees the same counts:

- one client (the keyed hash of its address, as reports store it): after FREE_FAILURES wrong
  passwords it waits 1 s, then 2 s, 4 s ... up to MAX_WAIT after each further one. Someone guessing
  from elsewhere never slows the editor's own client down.
- a browser the editor logged in from before (a signed "device" cookie bound to the account):
  counted on its own, and only on its own, so neither guesses from the same network nor an attack
  from many clients slow it down.
- all other clients together ("*"): the bound on guessing spread over many clients. After
  FREE_FAILURES_EVERYWHERE wrong passwords from unrecognised clients, each of them waits, growing the
  same way. A botnet then gets about one guess per MAX_WAIT for the whole account, while the editor,
  from a browser they used before, logs in as usual.

A day after its last wrong password a count is forgotten; a right password clears its source's count.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from corrections.extensions import db
from corrections.models import LoginThrottle

FREE_FAILURES = 3
FREE_FAILURES_EVERYWHERE = 50
MAX_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)
EVERYWHERE = "*"
DEVICE_COOKIE = "login_device"
DEVICE_COOKIE_DAYS = 365


def account_key(email: str) -> str:
    """A keyed hash of the e-mail as typed (trimmed, lower case): typed addresses are never stored."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"login-account:{email.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def new_device_cookie(email: str) -> str:
    """The value of the cookie that marks this browser as one the editor logged in from."""
    return _devices().dumps([account_key(email), secrets.token_hex(16)])


def device_source(cookie: str | None, email: str) -> str | None:
    """The source a device cookie stands for, if it is genuine, not too old, and for this account."""
    if not cookie:
        return None
    try:
        account, device = _devices().loads(cookie, max_age=DEVICE_COOKIE_DAYS * 86400)
    except (BadData, ValueError, TypeError):
        return None
    if not hmac.compare_digest(str(account), account_key(email)):
        return None
    return f"device:{device}"


def sources(client: str, device: str | None) -> list[str]:
    """What a login attempt counts against: the editor's known browser alone, else the client and "*"."""
    return [device] if device else [f"client:{client}", EVERYWHERE]


def wait(failures: int, source: str) -> timedelta:
    """How long a source waits after its `failures`-th wrong password in a row."""
    free = FREE_FAILURES_EVERYWHERE if source == EVERYWHERE else FREE_FAILURES
    if failures <= free:
        return timedelta(0)
    # 1 s, 2 s, 4 s ... (LOGIN_FIRST_WAIT_SECONDS first); the exponent is bounded first, so a huge count
    # costs nothing.
    first = current_app.config["LOGIN_FIRST_WAIT_SECONDS"]
    return min(timedelta(seconds=first * 2 ** min(failures - free - 1, 20)), MAX_WAIT)


@dataclass(frozen=True)
class Wait:
    until: datetime
    everywhere: bool  # it is the bound on all unrecognised clients, not this client's own count


def _live(rows, now: datetime):
    return [row for row in rows if row.last_failed_at > now - FORGET_AFTER]


def take_turn(account: str, now: datetime) -> None:
    """Make this account's login attempts take turns, on every server, until the caller's transaction ends.

    Without it, guesses sent at the same moment would all pass `waiting` before any of them is counted. On
    PostgreSQL a transaction-level advisory lock on the account; on SQLite a first write (removing forgotten
    counts), which holds the database's write lock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(int(account[:16], 16) - (1 << 63))))
    else:
        forget_old(now)


def waiting(account: str, checked: list[str], now: datetime) -> Wait | None:
    """The latest time until which one of these sources must wait, or None if none must."""
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.account == account,
                                                          LoginThrottle.source.in_(checked)))
    longest = None
    for row in _live(rows, now):
        until = row.last_failed_at + wait(row.failures, row.source)
        if until > now and (longest is None or until > longest.until):
            longest = Wait(until, row.source == EVERYWHERE)
    return longest


def count_failure(account: str, checked: list[str], now: datetime) -> None:
    """Count one wrong password against each source: one upsert each, so guesses sent at the same moment
    to several servers all count. A count whose last failure is older than FORGET_AFTER starts again."""
    table = LoginThrottle.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    for source in checked:
        insert = dialect.insert(table).values(account=account, source=source, failures=1, last_failed_at=now)
        db.session.execute(insert.on_conflict_do_update(
            index_elements=[table.c.account, table.c.source],
            set_={"failures": case((table.c.last_failed_at <= now - FORGET_AFTER, 1), else_=table.c.failures + 1),
                  "last_failed_at": now},
        ))
    forget_old(now)


def forget_old(now: datetime) -> None:
    """Remove counts older than FORGET_AFTER, as new ones come (through the index on last_failed_at).

    On PostgreSQL only rows no other transaction holds: two logins for different accounts that each reset
    a forgotten row would otherwise each wait for the other's, and one would fail as a deadlock. A row
    skipped now is removed by a later failure.
    """
    forgotten = select(LoginThrottle.id).where(LoginThrottle.last_failed_at <= now - FORGET_AFTER)
    if db.session.get_bind().dialect.name == "postgresql":
        forgotten = forgotten.with_for_update(skip_locked=True)
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.id.in_(forgotten)))


def clear_source(account: str, checked: list[str]) -> None:
    """A right password: these sources start from nothing. The count of "*" stays, since the guessers
    elsewhere have not stopped because the editor logged in."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.account == account,
                                                   LoginThrottle.source.in_(checked),
                                                   LoginThrottle.source != EVERYWHERE))


def clear_account(email: str) -> None:
    """An admin's decision: every source may try this account again at once."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.account == account_key(email)))


@dataclass(frozen=True)
class Trouble:
    """What an admin sees of an account's recent wrong passwords."""

    failures: int  # from all its sources, in the last FORGET_AFTER
    clients: int  # how many clients and browsers they came from
    until: datetime | None  # the latest time one of them must wait until, if any still must
    everywhere: bool  # unrecognised clients all wait (the bound on guessing from many clients)


def troubles(emails: list[str], now: datetime) -> dict[str, Trouble]:
    """Recent wrong passwords per e-mail (those with none are left out)."""
    keys = {account_key(email): email for email in emails}
    rows = _live(db.session.scalars(select(LoginThrottle).where(LoginThrottle.account.in_(keys))), now)
    found: dict[str, Trouble] = {}
    for key, email in keys.items():
        own = [row for row in rows if row.account == key]
        if not own:
            continue
        clients = [row for row in own if row.source != EVERYWHERE]
        waits = [(row.last_failed_at + wait(row.failures, row.source), row.source) for row in own]
        waits = [(until, source) for until, source in waits if until > now]
        found[email] = Trouble(
            # "*" counts every unrecognised client's wrong passwords, even those a right one since cleared.
            failures=sum(row.failures for row in own if not row.source.startswith("client:")),
            clients=len(clients),
            until=max((until for until, _ in waits), default=None),
            everywhere=any(source == EVERYWHERE for _, source in waits),
        )
    return found
