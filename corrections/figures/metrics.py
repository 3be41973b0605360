"""The editors' figures for a window of days: how fast reports are handled and where they come from.

Read from the figures the report table's triggers keep as reports change (figures/tallies.py), exact for
any window: the number of queries, and the rows they read, are the same whatever the number of reports.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, case, func, literal, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from corrections.extensions import db
from corrections.figures import sources, tallies
from corrections.languages import number
from corrections.models import Article, Report, ReportCount, utcnow
from corrections.reports import clocks
from corrections.vocabulary import CATEGORIES, OPEN

# Up to a year: the tallies make a long window cost what a short one does.
WINDOWS = (7, 30, 90, 365)
DEFAULT_WINDOW = 30
TOP_ARTICLES = 10
# Upper bounds of the age buckets of open reports; the last bucket has none.
AGE_BUCKETS = (
    (_l("Under 1 day"), timedelta(days=1)),
    (_l("1–3 days"), timedelta(days=3)),
    (_l("3–7 days"), timedelta(days=7)),
    (_l("Over 7 days"), None),
)


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
    targets: clocks.TargetFigures  # how often the deadlines were met
    # Notices published in the window per 100 articles published in it, by how the articles were made.
    by_source: list[sources.SourceFigures]

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

    Read from the tallies the report table's triggers keep (figures/tallies.py), so a year costs what a week
    does: a dozen queries, each over a few thousand tally rows or a day of reports at most.
    """
    end = (now or utcnow()).astimezone(UTC)
    start = end - timedelta(days=days)
    window = tallies.Window.of(start, end)
    # The rows every change adds, summed now and then so that a window reads few.
    tallies.fold()
    counts = tallies.report_counts(window)

    by_status: dict[str, int] = {}
    by_category = dict.fromkeys(CATEGORIES, 0)
    for (category, status, _, _), n in counts.items():
        by_status[status] = by_status.get(status, 0) + n
        # A category dropped from the form since would still be counted, under its own key.
        by_category[category] = by_category.get(category, 0) + n

    median_first_action, first_actions = tallies.median("first_action", window)
    median_to_correction, corrections = tallies.median("correction", window)
    per_day = sorted(tallies.per_day(window).items())

    reports = dict(tallies.most_reported(window, TOP_ARTICLES))
    count = case(reports, value=Article.id, else_=0) if reports else literal(0)
    top_articles = [
        ArticleCount(slug, title, reports[article_id])
        for article_id, slug, title in db.session.execute(
            select(Article.id, Article.slug, Article.title).where(Article.id.in_(reports))
            .order_by(count.desc(), Article.title, Article.slug).limit(TOP_ARTICLES))
    ]

    return Figures(
        days=days,
        start=start,
        end=end,
        received=sum(by_status.values()),
        spam=by_status.get("spam", 0),
        open_by_age=_open_by_age(end),
        median_first_action=median_first_action,
        first_actions=first_actions,
        median_to_correction=median_to_correction,
        corrections=corrections,
        accepted=by_status.get("accepted", 0) + by_status.get("corrected", 0),
        rejected=by_status.get("rejected", 0),
        by_category=[CategoryCount(key, CATEGORIES.get(key, key), n) for key, n in by_category.items()],
        top_articles=top_articles,
        per_day=per_day,
        targets=_targets(window, counts, end),
        by_source=sources.compute(start, end),
    )


# Later than any deadline the app sets.
NO_DEADLINE_AFTER = datetime(9999, 1, 1, tzinfo=UTC)


def _targets(window: tallies.Window, counts, now: datetime) -> clocks.TargetFigures:
    """How often each deadline was met by the window's reports (clocks.target_figures' figures): met and late
    from the tallies; of the reports still waiting, those whose deadline is ahead of `now` are recent, read from
    the deadline indexes, and the rest are missed."""
    running: dict[str, dict[str, int]] = {"first": {}, "resolution": {}}
    arrived = tallies.arrival_unindexed(Report.created_at)
    # Bounded on both sides: SQLite's planner takes a one-sided range for a quarter of the table and would read
    # every report instead of the deadline's index (700 ms at a million reports; 5 ms by the index).
    ahead = [
        select(literal(name), Report.category, func.count())
        .where(due >= now, due < NO_DEADLINE_AFTER, waiting, window.whole(arrived))
        .group_by(Report.category)
        for name, due, waiting in (
            ("first", Report.first_action_due_at, Report.first_action_at.is_(None)),
            ("resolution", Report.resolution_due_at, ~tallies.resolved()),
        )
    ]
    for name, category, n in db.session.execute(union_all(*ahead)):
        running[name][category] = int(n)
    by_category: dict[str, list[Counter]] = {}
    for (category, _, first, resolution), n in counts.items():
        if first or resolution:
            pair = by_category.setdefault(category, [Counter(), Counter()])
            pair[0][first] += n
            pair[1][resolution] += n

    def tally(clock: Counter, ahead: int) -> clocks.Tally:
        return clocks.Tally(met=clock["met"], missed=clock["late"] + clock["waiting"] - ahead, running=ahead)

    rows = []
    for category in sorted(by_category):
        first, resolution = by_category[category]
        rows.append((category, CATEGORIES.get(category, category),
                     tally(first, running["first"].get(category, 0)),
                     tally(resolution, running["resolution"].get(category, 0))))
    total_first = clocks.Tally(*(sum(getattr(r[2], f) for r in rows) for f in ("met", "missed", "running")))
    total_resolution = clocks.Tally(*(sum(getattr(r[3], f) for r in rows) for f in ("met", "missed", "running")))
    return clocks.TargetFigures(total_first, total_resolution, rows)


def _open_by_age(now: datetime) -> list[tuple[str, int]]:
    """Every open report, counted by age bucket: the total from the status counts the report table's triggers
    keep, the recent ones from the (status, created_at) index, the oldest bucket the rest."""
    oldest = len(AGE_BUCKETS) - 1
    whens = [(Report.created_at > now - limit, index)
             for index, (_, limit) in enumerate(AGE_BUCKETS) if limit is not None]
    bucket = case(*whens, else_=oldest).label("bucket")
    # Grouped through a subquery: PostgreSQL would not match a GROUP BY that repeats the CASE with
    # its own bound parameters.
    recent = AGE_BUCKETS[oldest - 1][1]
    aged = select(bucket).where(Report.status.in_(OPEN), Report.created_at > now - recent).subquery()
    every = select(literal(-1).label("bucket"), func.sum(ReportCount.n)).where(ReportCount.status.in_(OPEN))
    counts = {index: int(n or 0) for index, n in db.session.execute(
        union_all(select(aged.c.bucket, func.count()).group_by(aged.c.bucket), every))}
    counts[oldest] = counts.pop(-1, 0) - sum(counts.values())
    return [(label, counts.get(index, 0)) for index, (label, _) in enumerate(AGE_BUCKETS)]


def duration_words(value: timedelta | None) -> str:
    """A duration as people say it, in the page's language: "45 min", "3 h 20 min", "2 d 4 h"; "—" for none."""
    if value is None:
        return "—"
    seconds = max(value.total_seconds(), 0)
    minutes = round(seconds / 60)
    if minutes == 0:
        return gettext("under 1 min") if seconds > 0 else gettext("%(minutes)s min", minutes=number(0))
    if minutes < 60:
        return gettext("%(minutes)s min", minutes=number(minutes))
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        if minutes:
            return gettext("%(hours)s h %(minutes)s min", hours=number(hours), minutes=number(minutes))
        return gettext("%(hours)s h", hours=number(hours))
    days, hours = divmod(round(minutes / 60), 24)
    if hours:
        return gettext("%(days)s d %(hours)s h", days=number(days), hours=number(hours))
    return gettext("%(days)s d", days=number(days))
