"""The editors' figures for a window of days: how fast reports are handled and where they come from.

Counting happens in the database (GROUP BY); only the medians are taken in Python, from the few
columns of the window's reports. The number of queries is the same whatever the number of reports.
"""

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, Float, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from corrections.extensions import db
from corrections.models import Article, Report, utcnow
from corrections.vocabulary import CATEGORIES, OPEN

WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30
TOP_ARTICLES = 10
# Upper bounds of the age buckets of open reports; the last bucket has none.
AGE_BUCKETS = (
    ("Under 1 day", timedelta(days=1)),
    ("1–3 days", timedelta(days=3)),
    ("3–7 days", timedelta(days=7)),
    ("Over 7 days", None),
)


class utc_period(FunctionElement):
    """The first day of the UTC calendar `unit` ("day" or "month") a timestamp column falls in, whatever the
    database session's time zone: the x axis of the charts."""

    type = Date()
    inherit_cache = True
    unit = "day"


class utc_date(utc_period):
    """The UTC calendar day of a timestamp column."""

    inherit_cache = True
    unit = "day"


class utc_month(utc_period):
    """The first day of the UTC calendar month of a timestamp column."""

    inherit_cache = True
    unit = "month"


# SQLite's date() modifiers for the start of each period.
SQLITE_START = {"day": "", "month": ", 'start of month'"}


@compiles(utc_period)
def _utc_period_default(element, compiler, **kw):
    return f"CAST(date_trunc('{element.unit}', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(utc_period, "sqlite")
def _utc_period_sqlite(element, compiler, **kw):
    # SQLite stores the naive UTC text that UTCDateTime writes.
    return f"date({compiler.process(element.clauses, **kw)}{SQLITE_START[element.unit]})"


@compiles(utc_period, "postgresql")
def _utc_period_postgresql(element, compiler, **kw):
    # date_trunc, not to_char: a year of reports is a few hundred thousand rows, and it is several times faster.
    return f"CAST(date_trunc('{element.unit}', {compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


class seconds_between(FunctionElement):
    """Seconds from the first timestamp column to the second, as a number (in the database)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_between_default(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@dataclass(frozen=True)
class CategoryCount:
    key: str
    label: str
    reports: int


@dataclass(frozen=True)
class ArticleCount:
    slug: str
    title: str
    reports: int


@dataclass(frozen=True)
class Figures:
    """The figures of one window: reports received from `start` to `end`, plus the open reports now."""

    days: int
    start: datetime
    end: datetime
    received: int
    spam: int
    # Every report open at `end` (new or in review), whatever the window, by age.
    open_by_age: list[tuple[str, int]]
    median_first_action: timedelta | None
    first_actions: int  # how many reports the median is taken over
    median_to_correction: timedelta | None
    corrections: int
    accepted: int  # accepted or already corrected
    rejected: int
    by_category: list[CategoryCount]
    top_articles: list[ArticleCount]
    per_day: list[tuple[date, int]]  # every UTC day the window touches, oldest first

    @property
    def open_total(self) -> int:
        return sum(n for _, n in self.open_by_age)

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted (or corrected) among the accepted, corrected and rejected; None when none was decided."""
        return self.accepted / self.decided if self.decided else None


def parse_window(value: str | None) -> int | None:
    """The window asked for in the address (one of WINDOWS), or None when it is missing or anything else."""
    try:
        days = int((value or "").strip())
    except ValueError:
        return None
    return days if days in WINDOWS else None


def compute(days: int = DEFAULT_WINDOW, now: datetime | None = None) -> Figures:
    """The figures for reports received in the `days` days up to `now` (an aware datetime; default: now).

    Five queries, whatever the data: open reports by age, counts by status and category, the
    timestamps the medians need, reports per day, and the most-reported articles.
    """
    end = (now or utcnow()).astimezone(UTC)
    start = end - timedelta(days=days)
    in_window = (Report.created_at >= start, Report.created_at <= end)

    open_by_age = _open_by_age(end)

    by_status: dict[str, int] = {}
    by_category = dict.fromkeys(CATEGORIES, 0)
    for status, category, n in db.session.execute(
        select(Report.status, Report.category, func.count(Report.id))
        .where(*in_window)
        .group_by(Report.status, Report.category)
    ):
        by_status[status] = by_status.get(status, 0) + n
        # A category dropped from the form since would still be counted, under its own key.
        by_category[category] = by_category.get(category, 0) + n

    first_actions: list[timedelta] = []
    to_correction: list[timedelta] = []
    for created_at, first_action_at, closed_at, status in db.session.execute(
        select(Report.created_at, Report.first_action_at, Report.closed_at, Report.status)
        .where(*in_window)
        .where((Report.first_action_at.is_not(None)) | ((Report.status == "corrected") & Report.closed_at.is_not(None)))
    ):
        if first_action_at is not None:
            first_actions.append(first_action_at - created_at)
        if status == "corrected" and closed_at is not None:
            to_correction.append(closed_at - created_at)

    day = utc_date(Report.created_at).label("day")
    received_days = select(day).where(*in_window).subquery()
    per_day_counts = dict(db.session.execute(
        select(received_days.c.day, func.count()).group_by(received_days.c.day)
    ).all())
    days_touched = [start.date() + timedelta(days=i) for i in range((end.date() - start.date()).days + 1)]
    per_day = [(d, per_day_counts.get(d, 0)) for d in days_touched]

    reports = func.count(Report.id).label("reports")
    top_articles = [
        ArticleCount(slug, title, n)
        for slug, title, n in db.session.execute(
            select(Article.slug, Article.title, reports)
            .join(Report, Report.article_id == Article.id)
            .where(*in_window)
            .group_by(Article.id, Article.slug, Article.title)
            .order_by(reports.desc(), Article.title, Article.slug)
            .limit(TOP_ARTICLES)
        )
    ]

    return Figures(
        days=days,
        start=start,
        end=end,
        received=sum(by_status.values()),
        spam=by_status.get("spam", 0),
        open_by_age=open_by_age,
        median_first_action=_median(first_actions),
        first_actions=len(first_actions),
        median_to_correction=_median(to_correction),
        corrections=len(to_correction),
        accepted=by_status.get("accepted", 0) + by_status.get("corrected", 0),
        rejected=by_status.get("rejected", 0),
        by_category=[CategoryCount(key, CATEGORIES.get(key, key), n) for key, n in by_category.items()],
        top_articles=top_articles,
        per_day=per_day,
    )


def _open_by_age(now: datetime) -> list[tuple[str, int]]:
    """Every open report, counted by age bucket in one query."""
    whens = [(Report.created_at > now - limit, index)
             for index, (_, limit) in enumerate(AGE_BUCKETS) if limit is not None]
    bucket = case(*whens, else_=len(AGE_BUCKETS) - 1).label("bucket")
    # Grouped through a subquery: PostgreSQL would not match a GROUP BY that repeats the CASE with
    # its own bound parameters.
    aged = select(bucket).where(Report.status.in_(OPEN)).subquery()
    counts = dict(db.session.execute(select(aged.c.bucket, func.count()).group_by(aged.c.bucket)).all())
    return [(label, counts.get(index, 0)) for index, (label, _) in enumerate(AGE_BUCKETS)]


def _median(values: list[timedelta]) -> timedelta | None:
    # For an even count statistics.median takes the mean of the middle two.
    return statistics.median(values) if values else None


def duration_words(value: timedelta | None) -> str:
    """A duration as people say it: "45 min", "3 h 20 min", "2 d 4 h"; "—" for none."""
    if value is None:
        return "—"
    seconds = max(value.total_seconds(), 0)
    minutes = round(seconds / 60)
    if minutes == 0:
        return "under 1 min" if seconds > 0 else "0 min"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(round(minutes / 60), 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
