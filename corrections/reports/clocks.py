"""Clocks: target times for the first action on a report and for its resolution, set by an admin.

A report gets its deadlines when it is filed, from the targets then in force for its category (or the
default ones); changing the targets moves the deadlines of the open reports in the database, in a few
UPDATE statements. The workflow keeps `Report.due_at`, the next deadline of an open report, for the queue.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal_column, not_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from corrections.errors import Refusal
from corrections.extensions import db
from corrections.models import ClockTarget, Report, UTCDateTime, utcnow
from corrections.vocabulary import CATEGORIES, CLOSED, OPEN

DEFAULT = ""  # the category key of the targets for every category without its own
MAX_MINUTES = 365 * 24 * 60
CLOCKS = {"first_action": _l("First action"), "resolution": _l("Resolution")}
# The row of the targets page whose targets hold for every category without its own.
DEFAULT_LABEL = _l("Every category (default)")
# What an admin may type in a target's box (parse_duration).
TYPED_MAX = 40


class ClockError(Refusal):
    """A target that cannot be read or kept; the message is for the admin, at `field` when it names one."""


UNITS = {"d": 24 * 60, "day": 24 * 60, "days": 24 * 60, "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
         "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1}
PART = re.compile(r"\s*([0-9]{1,6}(?:[.,][0-9]{1,3})?)\s*([a-z]*)\s*", re.IGNORECASE)


def parse_duration(text: str) -> int | None:
    """Minutes from what an admin types: "45 min", "4 h", "2 d", "1 d 4 h", a plain number of hours; "" is none."""
    text = (text or "").strip()
    if not text:
        return None
    minutes, position = 0.0, 0
    while position < len(text):
        part = PART.match(text, position)
        if part is None or part.end() == position:
            raise ClockError(gettext("“%(text)s” is not a duration: write e.g. 45 min, 4 h, 2 d or 1 d 12 h.",
                                       text=text[:40]))
        number, unit = float(part.group(1).replace(",", ".")), part.group(2).lower()
        if unit and unit not in UNITS:
            raise ClockError(gettext("“%(unit)s” is not a unit: use min, h or d.", unit=part.group(2)[:20]))
        minutes += number * UNITS[unit or "h"]
        position = part.end()
    minutes = round(minutes)
    if not 1 <= minutes <= MAX_MINUTES:
        raise ClockError(gettext("A target is between 1 minute and 365 days."))
    return minutes


def duration_text(minutes: int | None) -> str:
    """Minutes as an admin would type them back: "1 d 4 h 30 min"; "" for none."""
    if minutes is None:
        return ""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Targets:
    first_action: int | None = None  # minutes
    resolution: int | None = None


# Built once: every report filed reads the targets, and building the statement costs more than running it.
TARGETS = select(ClockTarget.category, ClockTarget.first_action_minutes, ClockTarget.resolution_minutes)


def all_targets() -> dict[str, Targets]:
    """The targets as set, by category ("" for the default); categories without a row are missing."""
    return {category: Targets(first_action, resolution)
            for category, first_action, resolution in db.session.connection().execute(TARGETS)}


def effective(category: str, table: dict[str, Targets]) -> Targets:
    """The targets of a category: its own, each falling back to the default when it has none."""
    own, default = table.get(category, Targets()), table.get(DEFAULT, Targets())
    return Targets(own.first_action if own.first_action is not None else default.first_action,
                   own.resolution if own.resolution is not None else default.resolution)


# A report without deadlines (held as spam), as Report's columns.
NO_DEADLINES = {"first_action_due_at": None, "resolution_due_at": None, "due_at": None}


def deadlines(category: str, start: datetime, table: dict[str, Targets] | None = None) -> dict[str, datetime | None]:
    """The deadlines of a report filed at `start`, as Report's columns (the next one due: as workflow.refresh_due
    has it for a report no editor has acted on yet). Pure when given `table` (all_targets())."""
    targets = effective(category, all_targets() if table is None else table)
    first = start + timedelta(minutes=targets.first_action) if targets.first_action else None
    resolution = start + timedelta(minutes=targets.resolution) if targets.resolution else None
    return {"first_action_due_at": first, "resolution_due_at": resolution,
            "due_at": min((d for d in (first, resolution) if d), default=None)}


class add_minutes(FunctionElement):
    """A timestamp column plus a number of minutes, in the column's own storage format."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(add_minutes)
def _add_minutes_postgresql(element, compiler, **kw):
    column, minutes = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} + make_interval(mins => {minutes}))"


@compiles(add_minutes, "sqlite")
def _add_minutes_sqlite(element, compiler, **kw):
    # UTCDateTime stores "YYYY-MM-DD HH:MM:SS.ffffff" on SQLite: shift the seconds part, keep the fraction.
    column, minutes = (compiler.process(c, **kw) for c in element.clauses)
    return f"(strftime('%Y-%m-%d %H:%M:%S', {column}, ({minutes}) || ' minutes') || substr({column}, 20))"


def set_targets(wanted: dict[str, Targets]) -> int:
    """Save the targets (category -> Targets; "" the default) and move the open reports' deadlines.

    Reports already acted on keep their first-action deadline, closed reports keep both: they were
    measured against the targets of their time. Returns how many open reports there are now.
    """
    rows = {t.category: t for t in db.session.scalars(select(ClockTarget))}
    for category, targets in wanted.items():
        if category != DEFAULT and category not in CATEGORIES:
            raise ClockError(gettext("“%(category)s” is not a category.", category=category[:40]))
        row = rows.get(category)
        if targets.first_action is None and targets.resolution is None and category != DEFAULT:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = ClockTarget(category=category)
            db.session.add(row)
        row.first_action_minutes, row.resolution_minutes = targets.first_action, targets.resolution
    db.session.flush()
    table = all_targets()
    is_open = Report.status.in_(OPEN)
    # One pair of statements per category with its own targets, one pair for all the others.
    groups = [([c], effective(c, table)) for c in CATEGORIES if c in table]
    groups.append((None, effective(DEFAULT, table)))
    own = [c for c in CATEGORIES if c in table]
    for categories, targets in groups:
        in_group = Report.category.in_(categories) if categories else not_(Report.category.in_(own or [""]))
        db.session.execute(
            update(Report).where(is_open, in_group, Report.first_action_at.is_(None))
            .values(first_action_due_at=_due(targets.first_action)).execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(Report).where(is_open, in_group)
            .values(resolution_due_at=_due(targets.resolution)).execution_options(synchronize_session=False)
        )
    first, resolution = Report.first_action_due_at, Report.resolution_due_at
    earliest = case((first.is_(None), resolution), (resolution.is_(None), first), (first < resolution, first),
                    else_=resolution)
    db.session.execute(
        update(Report).where(is_open)
        .values(due_at=case((Report.first_action_at.is_(None), earliest), else_=resolution))
        .execution_options(synchronize_session=False)
    )
    # The reports already loaded read their new deadlines.
    db.session.expire_all()
    return db.session.scalar(select(func.count(Report.id)).where(is_open))


def _due(minutes: int | None):
    # The number is written into the SQL (an int, so safe): a bound parameter's type would vary by driver.
    return add_minutes(Report.created_at, literal_column(str(int(minutes)))) if minutes else None


@dataclass(frozen=True)
class Clock:
    """One of a report's clocks, as the report page shows it."""

    name: str  # "first_action" or "resolution"
    due: datetime
    done_at: datetime | None  # when it was met or missed; None while it runs

    @property
    def label(self) -> str:
        return CLOCKS[self.name]

    def state(self, now: datetime) -> str:
        if self.done_at is not None:
            return "met" if self.done_at <= self.due else "missed"
        return "running" if now <= self.due else "overdue"


def report_clocks(report: Report) -> list[Clock]:
    """The report's clocks that have a deadline."""
    clocks = []
    if report.first_action_due_at is not None:
        clocks.append(Clock("first_action", report.first_action_due_at, report.first_action_at))
    if report.resolution_due_at is not None:
        done = report.closed_at if report.status in CLOSED else None
        clocks.append(Clock("resolution", report.resolution_due_at, done))
    return clocks


def running_clock(report: Report) -> Clock | None:
    """The clock an open report runs against now (its `due_at`), for the queue: the first action's until an
    editor acts, then the resolution's; None without a deadline."""
    if report.due_at is None:
        return None
    first = report.first_action_at is None and report.due_at == report.first_action_due_at
    return Clock("first_action" if first else "resolution", report.due_at, None)


@dataclass(frozen=True)
class Tally:
    """How one target fared for a set of reports."""

    met: int = 0
    missed: int = 0  # late, or still open past the deadline
    running: int = 0  # still open, deadline ahead

    @property
    def judged(self) -> int:
        return self.met + self.missed

    @property
    def rate(self) -> float | None:
        return self.met / self.judged if self.judged else None


@dataclass(frozen=True)
class TargetFigures:
    first_action: Tally
    resolution: Tally
    by_category: list[tuple[str, str, Tally, Tally]]  # key, label, first action, resolution

    @property
    def any(self) -> bool:
        return bool(self.first_action.judged or self.first_action.running
                    or self.resolution.judged or self.resolution.running)


def target_figures(start: datetime, end: datetime, now: datetime | None = None) -> TargetFigures:
    """How often each target was met by the reports received from start to end: one aggregate query."""
    now = now or utcnow()

    def counts(due, done, done_is_set):
        late_done = and_(done_is_set, done > due)
        return (
            func.sum(case((and_(due.is_not(None), done_is_set, done <= due), 1), else_=0)),
            func.sum(case((and_(due.is_not(None), late_done), 1), else_=0)
                     + case((and_(due.is_not(None), not_(done_is_set), due < now), 1), else_=0)),
            func.sum(case((and_(due.is_not(None), not_(done_is_set), due >= now), 1), else_=0)),
        )

    closed = and_(Report.status.in_(CLOSED), Report.closed_at.is_not(None))
    rows = db.session.execute(
        select(Report.category,
               *counts(Report.first_action_due_at, Report.first_action_at, Report.first_action_at.is_not(None)),
               *counts(Report.resolution_due_at, Report.closed_at, closed))
        .where(Report.created_at >= start, Report.created_at <= end)
        .where((Report.first_action_due_at.is_not(None)) | (Report.resolution_due_at.is_not(None)))
        .group_by(Report.category)
        .order_by(Report.category)
    ).all()
    by_category = []
    total_first, total_resolution = [0, 0, 0], [0, 0, 0]
    for category, *numbers in rows:
        numbers = [int(n or 0) for n in numbers]
        first, resolution = Tally(*numbers[:3]), Tally(*numbers[3:])
        by_category.append((category, CATEGORIES.get(category, category), first, resolution))
        total_first = [a + b for a, b in zip(total_first, numbers[:3], strict=True)]
        total_resolution = [a + b for a, b in zip(total_resolution, numbers[3:], strict=True)]
    return TargetFigures(Tally(*total_first), Tally(*total_resolution), by_category)
