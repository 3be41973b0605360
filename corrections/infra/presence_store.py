"""Where presence is kept: one record per browser tab with a report open, in Redis when the app has Redis, in
the database's `presence` table otherwise. Both are shared by every app server.

This module stores, reads and removes what triage/presence.py gives it; it decides nothing. A record carries
the expiry the domain gave it, and reads leave out records past it. While Redis does not answer, reads find
nobody and writes are dropped (with a warning in the log): presence is a hint, and a page must not fail
for it.
"""

import json
import logging
import math
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Protocol

import redis
from flask import Flask, current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from corrections.extensions import db
from corrections.models import Presence

log = logging.getLogger(__name__)

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# Seconds a Redis call may take before the page goes on without presence, and how long after a failure
# pages go on without asking (so a Redis that is down does not slow every page by the timeout).
REDIS_TIMEOUT = 0.5
REDIS_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class Visit:
    """One tab of one editor on one report."""

    report_id: int
    editor_id: int
    tab: str
    name: str
    since: datetime
    answering_since: datetime | None
    expires_at: datetime


class Store(Protocol):
    def read(self, report_ids: Iterable[int], now: datetime) -> dict[int, list[Visit]]:
        """The unexpired visits of each of these reports (reports nobody has open are left out)."""

    def write(self, visit: Visit, now: datetime) -> None:
        """Keep this visit (replacing the tab's earlier one) and forget visits expired at `now`."""

    def remove(self, report_id: int, editor_id: int, tab: str) -> None:
        """Forget one tab's visit."""


class DatabaseStore:
    """The `presence` table, through the request's session: writes are committed with the request's change."""

    def read(self, report_ids: Iterable[int], now: datetime) -> dict[int, list[Visit]]:
        ids = sorted(set(report_ids))
        if not ids:
            return {}
        rows = db.session.scalars(select(Presence).where(Presence.report_id.in_(ids), Presence.expires_at > now))
        found: dict[int, list[Visit]] = {}
        for row in rows:
            found.setdefault(row.report_id, []).append(
                Visit(row.report_id, row.editor_id, row.tab, row.name, row.since, row.answering_since,
                      row.expires_at))
        return found

    def write(self, visit: Visit, now: datetime) -> None:
        db.session.execute(delete(Presence).where(Presence.expires_at <= now))
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        values = asdict(visit)
        statement = dialect.insert(Presence).values(**values)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["report_id", "editor_id", "tab"],
            set_={key: statement.excluded[key] for key in ("name", "since", "answering_since", "expires_at")}))

    def remove(self, report_id: int, editor_id: int, tab: str) -> None:
        db.session.execute(delete(Presence).where(Presence.report_id == report_id, Presence.editor_id == editor_id,
                                                  Presence.tab == tab))


class RedisStore:
    """A hash per report (`<prefix>:<report id>`), a field per tab, a JSON value per field. The whole hash
    expires with the last of its visits, so reports nobody has open leave nothing behind."""

    def __init__(self, url: str, prefix: str):
        self.client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        self.prefix = prefix
        self.down_until = 0.0

    def answering(self) -> bool:
        return time.monotonic() >= self.down_until

    def failed(self, error: Exception, what: str) -> None:
        log.warning("presence: Redis does not answer (%s); %s, and Redis is asked again in %s s",
                    error, what, REDIS_RETRY_SECONDS)
        self.down_until = time.monotonic() + REDIS_RETRY_SECONDS

    def key(self, report_id: int) -> str:
        return f"{self.prefix}:{report_id}"

    def read(self, report_ids: Iterable[int], now: datetime) -> dict[int, list[Visit]]:
        ids = sorted(set(report_ids))
        if not ids or not self.answering():
            return {}
        pipe = self.client.pipeline(transaction=False)
        for report_id in ids:
            pipe.hgetall(self.key(report_id))
        try:
            hashes = pipe.execute()
        except redis.RedisError as error:
            self.failed(error, "showing nobody")
            return {}
        found: dict[int, list[Visit]] = {}
        for report_id, fields in zip(ids, hashes, strict=True):
            for value in fields.values():
                visit = _visit(report_id, value)
                if visit is not None and visit.expires_at > now:
                    found.setdefault(report_id, []).append(visit)
        return found

    def write(self, visit: Visit, now: datetime) -> None:
        if not self.answering():
            return
        key = self.key(visit.report_id)
        try:
            expired, last = [], visit.expires_at
            for field, value in self.client.hgetall(key).items():
                old = _visit(visit.report_id, value)
                if old is None or old.expires_at <= now:
                    expired.append(field)
                else:
                    last = max(last, old.expires_at)
            pipe = self.client.pipeline(transaction=False)
            if expired:
                pipe.hdel(key, *expired)
            pipe.hset(key, _field(visit.editor_id, visit.tab), _value(visit))
            pipe.expire(key, math.ceil((last - now).total_seconds()) + 1)
            pipe.execute()
        except redis.RedisError as error:
            self.failed(error, "a heartbeat is lost")

    def remove(self, report_id: int, editor_id: int, tab: str) -> None:
        if not self.answering():
            return
        try:
            self.client.hdel(self.key(report_id), _field(editor_id, tab))
        except redis.RedisError as error:
            self.failed(error, "a tab's leaving is lost")


def _field(editor_id: int, tab: str) -> str:
    return f"{editor_id}:{tab}"


def _value(visit: Visit) -> str:
    return json.dumps({"editor": visit.editor_id, "tab": visit.tab, "name": visit.name,
                       "since": visit.since.timestamp(),
                       "answering": visit.answering_since.timestamp() if visit.answering_since else None,
                       "expires": visit.expires_at.timestamp()})


def _visit(report_id: int, value: bytes) -> Visit | None:
    """A stored value back as a visit; None for one this code cannot read (another version's)."""
    try:
        data = json.loads(value)
        return Visit(report_id, int(data["editor"]), str(data["tab"]), str(data["name"]), _time(data["since"]),
                     _time(data["answering"]) if data["answering"] is not None else None, _time(data["expires"]))
    except (ValueError, KeyError, TypeError):
        return None


def _time(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


def redis_url(config) -> str | None:
    """The Redis that keeps presence: PRESENCE_STORAGE_URL, or by default the rate limits' Redis, if any;
    None for the database."""
    url = config.get("PRESENCE_STORAGE_URL") or config.get("RATELIMIT_STORAGE_URL") or ""
    if url.startswith("redis+unix://"):  # the rate limits' spelling of a Redis socket
        url = "unix://" + url.removeprefix("redis+unix://")
    return url if url.startswith(REDIS_SCHEMES) else None


def install(app: Flask) -> None:
    url = redis_url(app.config)
    app.extensions["presence_store"] = RedisStore(url, app.config["PRESENCE_KEY_PREFIX"]) if url else DatabaseStore()


def current() -> Store:
    return current_app.extensions["presence_store"]
