"""Presence: which other editors have a report open right now, since when, and which of them are answering it.

Two editors answering the same reader is the commonest desk accident, and the version check (a 409 on a stale
form) catches it only once one of them has written. So each open report page sends a heartbeat from each tab
every PRESENCE_HEARTBEAT_SECONDS (static/presence.js), saying whether its editor is answering: a decision
form (reject reason, notice text, note, canned answer, ...) has the focus or holds something typed. The rules:
- a tab counts until PRESENCE_EXPIRY_SECONDS after its last heartbeat (three heartbeats unless set: a closed
  tab, a sleeping laptop), or until it says it is leaving. A tab in the background says so, and counts for
  PRESENCE_HIDDEN_EXPIRY_SECONDS: browsers slow a hidden tab's timers down to one a minute, and the editor
  who left a half-written answer in another tab is still answering;
- an editor counts once however many tabs they have on the report: since their first tab's opening, answering
  since the first tab that started answering and still is;
- an editor never sees themselves, only other editors.
The records are kept, shared by every app server, by infra/presence_store.py (Redis, or the database).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext

from corrections.errors import Refusal
from corrections.infra import presence_store
from corrections.infra.presence_store import Visit
from corrections.models import Editor, utcnow

# A tab names itself with a random word when its page loads.
TAB = re.compile(r"[A-Za-z0-9_-]{8,40}")
MISSED_HEARTBEATS = 3


class UnknownTab(Refusal):
    field = "tab"


@dataclass(frozen=True)
class Someone:
    """Another editor with the report open."""

    editor_id: int
    name: str
    since: datetime
    answering_since: datetime | None

    @property
    def answering(self) -> bool:
        return self.answering_since is not None


def heartbeat_seconds() -> float:
    return float(current_app.config["PRESENCE_HEARTBEAT_SECONDS"])


def expiry_seconds() -> float:
    """How long a tab counts after its last heartbeat."""
    configured = current_app.config.get("PRESENCE_EXPIRY_SECONDS")
    return float(configured) if configured is not None else MISSED_HEARTBEATS * heartbeat_seconds()


def hidden_expiry_seconds() -> float:
    """How long a tab in the background counts after its last heartbeat."""
    return max(float(current_app.config["PRESENCE_HIDDEN_EXPIRY_SECONDS"]), expiry_seconds())


def beat(report_id: int, editor: Editor, tab: str, *, answering: bool, hidden: bool = False,
         now: datetime | None = None) -> list[Someone]:
    """Record that this tab of `editor` has the report open, answering it or not, in the background or not;
    the others who have it open."""
    if not TAB.fullmatch(tab or ""):
        raise UnknownTab(gettext("This page’s presence tab is not one the app gave out: reload the page."))
    now = now or utcnow()
    store = presence_store.current()
    visits = store.read([report_id], now).get(report_id, [])
    mine = next((v for v in visits if v.editor_id == editor.id and v.tab == tab), None)
    # Shown to the minute and put in <time datetime>: whole seconds.
    started = now.replace(microsecond=0)
    answering_since = None
    if answering:
        answering_since = mine.answering_since if mine and mine.answering_since else started
    store.write(Visit(report_id, editor.id, tab, editor.name, mine.since if mine else started, answering_since,
                      now + timedelta(seconds=hidden_expiry_seconds() if hidden else expiry_seconds())), now)
    return _others(visits, editor)


def leave(report_id: int, editor: Editor, tab: str) -> None:
    """This tab closed the report (or went to another page): it no longer counts, without waiting for expiry."""
    if TAB.fullmatch(tab or ""):
        presence_store.current().remove(report_id, editor.id, tab)


def others_on(report_ids: Iterable[int], editor: Editor, now: datetime | None = None) -> dict[int, list[Someone]]:
    """For each of these reports that other editors have open, who (one read of the store, for a whole page)."""
    found = presence_store.current().read(report_ids, now or utcnow())
    return {report_id: people for report_id, visits in found.items() if (people := _others(visits, editor))}


def answering(people: Iterable[Someone]) -> list[Someone]:
    return [someone for someone in people if someone.answering]


def _others(visits: list[Visit], me: Editor) -> list[Someone]:
    """The visits of editors other than `me`, one per editor (their tabs merged), the earliest first."""
    by_editor: dict[int, Someone] = {}
    for visit in visits:
        if visit.editor_id == me.id:
            continue
        known = by_editor.get(visit.editor_id)
        if known is None:
            by_editor[visit.editor_id] = Someone(visit.editor_id, visit.name, visit.since, visit.answering_since)
            continue
        starts = [t for t in (known.answering_since, visit.answering_since) if t is not None]
        by_editor[visit.editor_id] = Someone(known.editor_id, known.name, min(known.since, visit.since),
                                             min(starts) if starts else None)
    return sorted(by_editor.values(), key=lambda someone: (someone.since, someone.name))
