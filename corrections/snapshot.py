"""The queue as an editor saw it: what arrived or changed since the page loaded, and the reports before
and after one of it (the report page's "next" and "previous", so a queue can be cleared one report after
another)."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from werkzeug.datastructures import MultiDict

from . import triage
from .extensions import db
from .models import Editor, Event, Report

# New reports are counted no further than this: the bar then says "more than".
NEW_CAP = 99


def latest_ids() -> tuple[int, int]:
    """The newest report id and event id: the snapshot a queue page is loaded with."""
    report_id, event_id = db.session.execute(
        select(select(func.max(Report.id)).scalar_subquery(), select(func.max(Event.id)).scalar_subquery())
    ).one()
    return report_id or 0, event_id or 0


def queue_filter(back: str) -> triage.QueueFilter | None:
    """The queue filter of a queue address (the report page's `back`), or None when it is not the queue's."""
    parts = urlsplit(back or "")
    if parts.scheme or parts.netloc or parts.path != url_for("editor.queue"):
        return None
    args = MultiDict([(k, v) for k, values in parse_qs(parts.query).items() for v in values])
    return triage.QueueFilter.from_args(args)


def new_count(f: triage.QueueFilter, me: Editor) -> int:
    """How many reports matching the filter arrived after the page's snapshot, up to NEW_CAP + 1."""
    if not f.upto:
        return 0
    newer = select(Report.id).where(*triage.conditions(f, me, with_snapshot=False, after=f.upto)).limit(NEW_CAP + 1)
    return db.session.scalar(select(func.count()).select_from(newer.subquery())) or 0


@dataclass
class Change:
    who: str
    what: str


def describe(event: Event) -> str:
    from .workflow import LABELS

    if event.kind == "status":
        return f"moved it to {LABELS.get(event.to_value, event.to_value).lower()}"
    if event.kind == "assign":
        return f"assigned it to {event.to_value}" if event.to_value else "unassigned it"
    if event.kind == "note":
        return "added a note"
    return event.kind


def changed_by_others(report_ids: list[int], after_event: int | None, me: Editor) -> dict[int, Change]:
    """For each of these reports another editor acted on after the snapshot, who did what last (one query)."""
    if not report_ids or not after_event:
        return {}
    events = db.session.scalars(
        select(Event)
        .where(Event.report_id.in_(report_ids), Event.id > after_event, Event.kind != "received",
               (Event.actor_id != me.id) | Event.actor_id.is_(None))
        .order_by(Event.id)
    )
    return {event.report_id: Change(event.actor, describe(event)) for event in events}


def neighbours(f: triage.QueueFilter, me: Editor, report: Report) -> tuple[int | None, int | None]:
    """The reports leading the groups before and after this report's group in the queue `f`.

    As on the queue's pages, a group comes where its newest matching report comes (its oldest in the
    "oldest first" order, also used for the most-reported order here) and its row is led by its oldest
    matching report. The snapshot in `f` keeps reports that arrived since out, so "next" walks the queue
    the editor saw, even once this report no longer matches (it was just decided).
    """
    oldest_first = f.sort == "oldest"
    place = report.id
    if report.cluster_id is not None:
        pick = func.min if oldest_first else func.max
        found = db.session.scalar(select(pick(Report.id)).where(Report.cluster_id == report.cluster_id,
                                                                 *triage.conditions(f, me)))
        if found is not None:
            place = min(place, found) if oldest_first else max(place, found)
    return (_step(f, me, report, place, forward=False, oldest_first=oldest_first),
            _step(f, me, report, place, forward=True, oldest_first=oldest_first))


def _step(f, me, report: Report, place: int, *, forward: bool, oldest_first: bool) -> int | None:
    # Going forward in a newest-first queue means going to smaller ids.
    down = forward != oldest_first
    other = aliased(Report, name="other")
    # A group's place is its newest (oldest) matching report: the one no matching report of its group passes.
    passes = other.id < Report.id if oldest_first else other.id > Report.id
    led = select(other.id).where(other.cluster_id == Report.cluster_id, passes,
                                 *triage.conditions(f, me, other)).exists()
    beyond = Report.id < place if down else Report.id > place
    query = (select(Report.id, Report.cluster_id)
             .where(beyond, ~led, *triage.conditions(f, me))
             .order_by(Report.id.desc() if down else Report.id.asc())
             .limit(1))
    if report.cluster_id is not None:
        query = query.where((Report.cluster_id != report.cluster_id) | Report.cluster_id.is_(None))
    row = db.session.execute(query).first()
    if row is None:
        return None
    found, cluster_id = row
    if cluster_id is None:
        return found
    # The row's link goes to the group's oldest matching report.
    return db.session.scalar(select(func.min(Report.id)).where(Report.cluster_id == cluster_id,
                                                               *triage.conditions(f, me)))
