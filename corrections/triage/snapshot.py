"""The queue as an editor saw it: what arrived or changed since the page loaded, and the reports before
and after one of it (the report page's "next" and "previous", so a queue can be cleared one report after
another)."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import url_for
from flask_babel import gettext, ngettext
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from corrections.extensions import db
from corrections.languages import N_, number
from corrections.models import Editor, Event, Report
from corrections.reports.workflow import OPEN, next_deadline
from corrections.triage import queue
from corrections.vocabulary import actor_name

# New reports are counted no further than this: the bar then says "more than".
NEW_CAP = 99


def latest_ids() -> tuple[int, int]:
    """The newest report id and event id: the snapshot a queue page is loaded with."""
    report_id, event_id = db.session.execute(
        select(select(func.max(Report.id)).scalar_subquery(), select(func.max(Event.id)).scalar_subquery())
    ).one()
    return report_id or 0, event_id or 0


def queue_filter(back: str) -> queue.QueueFilter | None:
    """The queue filter of a queue address (the report page's `back`), or None when it is not the queue's."""
    parts = urlsplit(back or "")
    if parts.scheme or parts.netloc or parts.path != url_for("editor.queue"):
        return None
    args = MultiDict([(k, v) for k, values in parse_qs(parts.query).items() for v in values])
    return queue.QueueFilter.from_args(args)


def new_count(f: queue.QueueFilter, me: Editor) -> int:
    """How many reports matching the filter arrived after the page's snapshot, up to NEW_CAP + 1."""
    if not f.upto:
        return 0
    newer = select(Report.id).where(*queue.conditions(f, me, with_snapshot=False, after=f.upto)).limit(NEW_CAP + 1)
    return db.session.scalar(select(func.count()).select_from(newer.subquery())) or 0


@dataclass
class Change:
    who: str
    # The whole sentence, in the page's language: "Sam moved it to spam since you loaded the queue".
    said: str


# One sentence per state a report was moved to (or is again after an undo): a state's name is not put into a
# sentence, whose grammar may change with it.
MOVED = {
    "new": N_("%(who)s moved it to new since you loaded the queue"),
    "in_review": N_("%(who)s moved it to in review since you loaded the queue"),
    "accepted": N_("%(who)s moved it to accepted since you loaded the queue"),
    "rejected": N_("%(who)s moved it to rejected since you loaded the queue"),
    "duplicate": N_("%(who)s moved it to duplicate since you loaded the queue"),
    "spam": N_("%(who)s moved it to spam since you loaded the queue"),
    "corrected": N_("%(who)s moved it to corrected since you loaded the queue"),
}
UNDONE = {
    "new": N_("%(who)s undid a decision: it is new again since you loaded the queue"),
    "in_review": N_("%(who)s undid a decision: it is in review again since you loaded the queue"),
    "accepted": N_("%(who)s undid a decision: it is accepted again since you loaded the queue"),
    "rejected": N_("%(who)s undid a decision: it is rejected again since you loaded the queue"),
    "duplicate": N_("%(who)s undid a decision: it is duplicate again since you loaded the queue"),
    "spam": N_("%(who)s undid a decision: it is spam again since you loaded the queue"),
    "corrected": N_("%(who)s undid a decision: it is corrected again since you loaded the queue"),
}


def describe(event: Event) -> str:
    """What another editor did to a report, as one sentence of the page's language."""
    who = actor_name(event.actor, event.actor_id)
    if event.kind == "status" and event.to_value in MOVED:
        return gettext(MOVED[event.to_value], who=who)
    if event.kind == "assign":
        if event.to_value:
            return gettext("%(who)s assigned it to %(assignee)s since you loaded the queue", who=who,
                           assignee=event.to_value)
        return gettext("%(who)s unassigned it since you loaded the queue", who=who)
    if event.kind == "note":
        return gettext("%(who)s added a note since you loaded the queue", who=who)
    if event.kind == "undo" and event.to_value in UNDONE:
        return gettext(UNDONE[event.to_value], who=who)
    return gettext("%(who)s changed it since you loaded the queue", who=who)


def new_reports(count: int) -> str:
    """The bar above the queue: how many reports arrived since the page loaded (counted up to NEW_CAP)."""
    if count > NEW_CAP:
        return ngettext("More than %(count)s new report since you loaded the queue.",
                        "More than %(count)s new reports since you loaded the queue.", NEW_CAP, count=number(NEW_CAP))
    return ngettext("%(count)s new report since you loaded the queue.",
                    "%(count)s new reports since you loaded the queue.", count, count=number(count))


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
    return {event.report_id: Change(actor_name(event.actor, event.actor_id), describe(event)) for event in events}


def neighbours(f: queue.QueueFilter, me: Editor, report: Report) -> tuple[int | None, int | None]:
    """The reports leading the groups before and after this report's group in the queue `f`.

    As on the queue's pages, a group comes where its first matching report in the queue's order comes
    (the most-reported order walks oldest first) and its row is led by its oldest matching report. The
    snapshot in `f` keeps reports that arrived since out, and this report keeps its place as the editor
    saw it, so "next" walks the queue the editor saw, even once this report no longer matches (it was
    just decided).
    """
    order = queue.ORDERS.get(f.sort, queue.ORDERS["oldest"])
    key = order.key(Report)
    place = _place_as_seen(order, report, f.seen)
    others: list = []
    if report.cluster_id is not None:
        first = db.session.execute(
            select(*key).where(Report.cluster_id == report.cluster_id, Report.id != report.id,
                               *queue.conditions(f, me))
            .order_by(*(c.desc() if order.descending else c.asc() for c in key)).limit(1)
        ).first()
        if first is not None:
            place = max(place, tuple(first)) if order.descending else min(place, tuple(first))
        others = [(Report.cluster_id != report.cluster_id) | Report.cluster_id.is_(None)]
    return tuple(_row_of(f, me, queue.leading(f, me, order, place, backwards, 1, extra=others))
                 for backwards in (True, False))


def _place_as_seen(order: queue.Order, report: Report, seen: int | None) -> tuple:
    """The report's key in the order as the queue loaded at event `seen` had it. Only a deadline moves
    when an editor acts; the ids of the report's events say whether it was open and acted on back then."""
    if order.column != "due_at":
        return (report.id,)
    due = report.due_at
    if seen is not None:
        acted = [e.id for e in report.events if e.actor_id is not None]
        moved = [e.id for e in report.events if e.kind in ("status", "undo")]

        def after_snapshot(event_id):
            return event_id is None or event_id > seen

        open_then = report.status in OPEN or bool(moved and after_snapshot(moved[-1]))
        acted_then = bool(acted) and not after_snapshot(acted[0])
        due = next_deadline(report, acted=acted_then) if open_then else None
    return (due or order.last, report.id)


def _row_of(f: queue.QueueFilter, me: Editor, leads: list[tuple]) -> int | None:
    """The report a group's row links to (its oldest matching report), for the key of its leading report."""
    if not leads:
        return None
    lead = leads[0][-1]
    group = select(Report.cluster_id).where(Report.id == lead).scalar_subquery()
    oldest = db.session.scalar(select(func.min(Report.id)).where(Report.cluster_id == group,
                                                                 *queue.conditions(f, me)))
    return oldest or lead
