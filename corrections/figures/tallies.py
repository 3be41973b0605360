"""The figures kept as reports change, read for any window of time: counts and exact medians.

The report table's triggers (see the migration that made these tables) keep, in the same transaction as every
change: reports by UTC day and by UTC month they arrived (ReportTally, ArticleTally), each report's durations
(ReportDuration) and how many of them fall in each duration bucket by day and month (DurationTally). A window
from `start` to `end` is read as its whole months, its other whole days, and for the two days it covers in part,
the reports themselves on the cheaper side: the part inside the window, added, or the day's tallies less the part
outside it (today's, after now, is empty). A year costs a few thousand tally rows and at most half a day of
reports, whatever the number of reports.

A median is exact: the buckets order the durations (each one's durations are all longer than a lower one's), so
counting a window's durations by bucket says which bucket holds the middle one and its rank there; then only
that bucket's durations in the window are read, in order.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from corrections.extensions import db
from corrections.models import (
    ArticleReportCount,
    ArticleTally,
    DurationTally,
    Report,
    ReportDuration,
    ReportTally,
    TallyFold,
    UTCDateTime,
    utcnow,
)
from corrections.vocabulary import CLOSED

MEASURES = ("first_action", "correction")
# Rows of a tally table above which `fold` sums them into one per key.
FOLD_AT = 20_000


# --- What the triggers compute, written again for the reports at a window's edges and for `rebuild`. -------------

class utc_day(FunctionElement):
    """The UTC calendar day (or with unit "month", the first day of the month) of a timestamp column."""

    type = Date()
    inherit_cache = True
    unit = "day"


class utc_month_start(utc_day):
    inherit_cache = True
    unit = "month"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    modifier = ", 'start of month'" if element.unit == "month" else ""
    return f"date({compiler.process(element.clauses, **kw)}{modifier})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    if element.unit == "month":
        return f"CAST(date_trunc('month', {column} AT TIME ZONE 'UTC') AS DATE)"
    return f"CAST({column} AT TIME ZONE 'UTC' AS DATE)"


class micros_between(FunctionElement):
    """Exact microseconds from the first timestamp column to the second."""

    type = BigInteger()
    inherit_cache = True


@compiles(micros_between, "sqlite")
def _micros_sqlite(element, compiler, **kw):
    # UTCDateTime keeps 'YYYY-MM-DD HH:MM:SS.ffffff' text on SQLite: whole seconds, then the microseconds.
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return (f"((strftime('%s', {end}) - strftime('%s', {start})) * 1000000"
            f" + CAST(substr({end}, 21, 6) AS INTEGER) - CAST(substr({start}, 21, 6) AS INTEGER))")


@compiles(micros_between, "postgresql")
def _micros_postgresql(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) * 1000000 AS BIGINT)"


class duration_bucket(FunctionElement):
    """bucket(micros) in the database."""

    type = Integer()
    inherit_cache = True


@compiles(duration_bucket)
def _bucket_sql(element, compiler, **kw):
    m = compiler.process(element.clauses, **kw)
    as_text = f"CAST({m} AS TEXT)"
    return (f"(CASE WHEN {m} < 1000000 THEN 0 ELSE length({as_text}) * 100"
            f" + CAST(substr({as_text}, 1, 2) AS INTEGER) END)")


class arrival_unindexed(FunctionElement):
    """A report's created_at that SQLite will not look up by its index (the unary plus): where a few rows found
    by another index are then filtered by arrival, its planner would rather read the whole window by arrival."""

    type = UTCDateTime()
    inherit_cache = True


class article_unindexed(FunctionElement):
    """A report's article_id that SQLite will not look up by its index, like arrival_unindexed: the reports of a
    part day for a few hundred articles are few by arrival, and all of a hot article's reports by article."""

    type = Integer()
    inherit_cache = True


@compiles(arrival_unindexed)
@compiles(article_unindexed)
def _unindexed_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(arrival_unindexed, "sqlite")
@compiles(article_unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.clauses, **kw)}"


def bucket(micros: int) -> int:
    """A duration's bucket: 0 under a second, else its number of digits (in microseconds), then its first two.
    Longer durations never fall in a lower bucket."""
    if micros < 1_000_000:
        return 0
    digits = str(micros)
    return len(digits) * 100 + int(digits[:2])


def first_clock(r=Report):
    """How a report stands against its first-action deadline: "" none, "waiting", "met" or "late"."""
    return case((r.first_action_due_at.is_(None), ""), (r.first_action_at.is_(None), "waiting"),
                (r.first_action_at <= r.first_action_due_at, "met"), else_="late")


def resolved(r=Report):
    return and_(r.status.in_(CLOSED), r.closed_at.is_not(None))


def resolution_clock(r=Report):
    """How a report stands against its resolution deadline, like first_clock."""
    return case((r.resolution_due_at.is_(None), ""), (~resolved(r), "waiting"),
                (r.closed_at <= r.resolution_due_at, "met"), else_="late")


# Each measure: when a report has it, and the moment it runs to from the report's arrival.
MEASURED = {
    "first_action": (lambda r: r.first_action_at.is_not(None), lambda r: r.first_action_at),
    "correction": (lambda r: and_(r.status == "corrected", r.closed_at.is_not(None)), lambda r: r.closed_at),
}


# --- Windows --------------------------------------------------------------------------------------------------

MICROSECOND = timedelta(microseconds=1)  # the finest time stored: a range's end plus this is its first instant out


@dataclass(frozen=True)
class Window:
    """A window of arrival times, `start` to `end` (both included), as tally periods and edge times.

    `months` are the first days of its whole months; `days` its other days read from the day tallies: its whole
    days, and the days it covers only in part when what lies outside the window is the cheaper part to read then
    (`excluded`, taken away). `edges` are the parts of days read from the reports and added. Both are ranges of
    arrival times [from, until), `until` excluded.

    A part of a day is read from the reports, one side or the other: the side before now that is shorter. So the
    window's last day, today so far, costs nothing (its tally counts it, and no report arrived after now), and
    the first day at most half a day of reports.
    """

    start: datetime
    end: datetime
    months: tuple[date, ...]
    days: tuple[date, ...]
    edges: tuple[tuple[datetime, datetime], ...]
    excluded: tuple[tuple[datetime, datetime], ...] = ()

    @classmethod
    def of(cls, start: datetime, end: datetime) -> "Window":
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end < start:
            return cls(start, end, (), (), ())
        first = start.date() if start == _midnight(start.date()) else start.date() + timedelta(days=1)
        # The last day that ends by `end` (inclusive: a day ends on its last microsecond).
        last = end.date() if end + MICROSECOND == _midnight(end.date() + timedelta(days=1)) \
            else end.date() - timedelta(days=1)
        months, days, edges, excluded = [], [], [], []
        day = first
        while day <= last:
            month_end = _next_month(day) - timedelta(days=1)
            if day.day == 1 and month_end <= last:
                months.append(day)
                day = month_end + timedelta(days=1)
            else:
                days.append(day)
                day += timedelta(days=1)
        # The days covered in part: the first and the last (one day, for a window shorter than a day).
        now = utcnow()
        for day in sorted({start.date(), end.date()}):
            if first <= day <= last:
                continue
            inside = (max(start, _midnight(day)), min(end + MICROSECOND, _midnight(day + timedelta(days=1))))
            outside = [(since, until) for since, until in ((_midnight(day), inside[0]),
                                                           (inside[1], _midnight(day + timedelta(days=1))))
                       if since < until]
            if _outside_is_cheaper(inside, outside, now):
                days.append(day)
                excluded += outside
            else:
                edges.append(inside)
        # Every day of a month taken (a month of the site's time zone east of UTC is a UTC month, an edge before it
        # and a part excluded at its end): its month's tally rows instead of a month of day rows.
        taken = set(days)
        for first in sorted({day.replace(day=1) for day in days}):
            whole = {first + timedelta(days=i) for i in range((_next_month(first) - first).days)}
            if whole <= taken:
                months.append(first)
                taken -= whole
        return cls(start, end, tuple(sorted(months)), tuple(sorted(taken)), tuple(edges), tuple(excluded))

    def tallied(self, table) -> list:
        """Conditions on the tally rows of this window's whole months and days: one per run of consecutive
        periods, each a range of one index (a query reads them as a UNION ALL; an OR would read the table)."""
        runs = []
        for period, starts in (("month", self.months), ("day", self.days)):
            run: list[date] = []
            for start in starts:
                if run and start != (_next_month(run[-1]) if period == "month" else run[-1] + timedelta(days=1)):
                    runs.append((period, run[0], run[-1]))
                    run = []
                run.append(start)
            if run:
                runs.append((period, run[0], run[-1]))
        return [and_(table.period == period, table.start.between(first, last)) for period, first, last in runs] \
            or [literal(False)]

    def reports(self, created_at, *columns, where=()) -> list:
        """SELECTs of `columns` and +1 for the reports at the edges, -1 for those excluded, that a reader adds to the
        tally rows it sums (none when the window has neither)."""
        parts = []
        for ranges, sign in ((self.edges, 1), (self.excluded, -1)):
            if ranges:
                parts.append(select(*columns, literal(sign)).where(_in_ranges(created_at, ranges), *where))
        return parts

    def whole(self, column):
        return and_(column >= self.start, column <= self.end)


def _in_ranges(column, ranges):
    parts = [and_(column >= since, column < until) for since, until in ranges]
    return or_(*parts) if parts else literal(False)


def _outside_is_cheaper(inside, outside, now: datetime) -> bool:
    """Whether to read a part day's reports outside the window rather than inside: the side with less time before
    `now` (a guess at how many reports each holds; no report arrives after now). Either gives the same figures."""
    def before_now(ranges) -> timedelta:
        return sum((max(min(until, now) - since, timedelta(0)) for since, until in ranges), timedelta(0))

    return before_now(outside) < before_now([inside])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --- Reading --------------------------------------------------------------------------------------------------

KEYS = ("category", "status", "first_clock", "resolution_clock")


def report_counts(window: Window) -> Counter:
    """Reports received in the window by (category, status, first_clock, resolution_clock)."""
    tallied = [select(*(getattr(ReportTally, k) for k in KEYS), ReportTally.n).where(run)
               for run in window.tallied(ReportTally)]
    edges = window.reports(Report.created_at, Report.category, Report.status, first_clock(), resolution_clock())
    rows = union_all(*tallied, *edges).subquery()
    counts = Counter()
    for *key, n in db.session.execute(
        select(*(rows.c[i] for i in range(4)), func.sum(rows.c[4])).group_by(*(rows.c[i] for i in range(4)))
    ):
        if n:
            counts[tuple(key)] += int(n)
    return counts


def statuses(windows: list[Window]) -> list[Counter]:
    """Reports received in each window (months of the site's time zone, say) by status, in one query."""
    parts = []
    for index, window in enumerate(windows):
        parts += [select(literal(index), ReportTally.status, ReportTally.n).where(run)
                  for run in window.tallied(ReportTally)]
        parts += window.reports(Report.created_at, literal(index), Report.status)
    rows = union_all(*parts).subquery()
    counts = [Counter() for _ in windows]
    for index, status, n in db.session.execute(
        select(rows.c[0], rows.c[1], func.sum(rows.c[2])).group_by(rows.c[0], rows.c[1])
    ):
        if n:
            counts[index][status] += int(n)
    return counts


def per_day(window: Window) -> dict[date, int]:
    """Reports received on each UTC day the window touches (whole months read by their days)."""
    days = [window.start.date() + timedelta(days=i) for i in range((window.end.date() - window.start.date()).days + 1)]
    counts = dict.fromkeys(days, 0)
    # The window's tallied months and days are one run of days, read by their day rows.
    tallied_days = [*window.days, *window.months, *(_next_month(m) - timedelta(days=1) for m in window.months)]
    tallied = select(ReportTally.start.label("day"), ReportTally.n).where(
        ReportTally.period == "day",
        ReportTally.start.between(min(tallied_days), max(tallied_days)) if tallied_days else literal(False))
    edges = window.reports(Report.created_at, utc_day(Report.created_at).label("day"))
    rows = union_all(tallied, *edges).subquery()
    for day, n in db.session.execute(select(rows.c.day, func.sum(rows.c[1])).group_by(rows.c.day)):
        counts[_as_date(day)] += int(n)
    return counts


def most_reported(window: Window, limit: int) -> list[tuple[int, int]]:
    """(article id, reports) of the articles with the most reports received in the window, most first, at least
    `limit` of them unless fewer had any, and every article tied with the last: the caller orders ties.

    A year holds tens of thousands of (article, day or month) rows. So the articles with the most reports of all
    time are counted first (CANDIDATES of them, a few rows each): when the last of those `limit` has more reports
    in the window than the next article has of all time, no other article can reach it, and the answer is
    exact. Otherwise (a short window, whose rows are few) every article of the window is counted.

    The all-time leaders are read from article_report_count's "all" rows (kept by the report table's triggers for
    the queue's most-reported order, one row per article), in the order of its index; the candidates stay in the
    database (a subquery, not a list of ids sent back): hundreds of bound ids cost more to send and plan than
    the rows they pick.
    """
    leaders = select(ArticleReportCount.article_id, ArticleReportCount.n) \
        .where(ArticleReportCount.status == "all", ArticleReportCount.n > 0) \
        .order_by(ArticleReportCount.n.desc()).limit(CANDIDATES + 1).cte("leaders")
    candidates = select(leaders.c.article_id).order_by(leaders.c.n.desc()).limit(CANDIDATES)
    # The all-time count of the best article left out: no article outside the candidates has more in any window
    # (whichever of several tied articles was left out, this is the count they share).
    outside_best = select(leaders.c.n).order_by(leaders.c.n.desc()).offset(CANDIDATES).limit(1).scalar_subquery()
    counts = _article_counts(window, candidates, bound=func.coalesce(outside_best, 0))
    outside = counts.pop(None)
    ranked_counts = sorted(counts.values(), reverse=True)
    if len(ranked_counts) >= limit and ranked_counts[limit - 1] > outside or not outside:
        return _leaders(counts, limit)
    return _leaders(_article_counts(window, None), limit)


CANDIDATES = 300
ALL_TIME = date(2000, 1, 1)  # the start of article_tally's "all" rows


def _article_counts(window: Window, articles=None, bound=None) -> dict[int | None, int]:
    """Reports each article (of the `articles` subquery, or all) received in the window; with `bound`, that
    value too, under the key None, read in the same statement (so from the same snapshot)."""
    only = (lambda column: column.in_(articles)) if articles is not None else (lambda column: literal(True))
    tallied = [select(ArticleTally.article_id, ArticleTally.n).where(run, only(ArticleTally.article_id))
               for run in window.tallied(ArticleTally)]
    edges = window.reports(Report.created_at, Report.article_id, where=(only(article_unindexed(Report.article_id)),))
    rows = union_all(*tallied, *edges).subquery()
    total = func.sum(rows.c[1])
    counted = select(rows.c[0], total).group_by(rows.c[0]).having(total > 0)
    if bound is not None:
        counted = union_all(counted, select(null(), bound))
    return {article_id: int(n) for article_id, n in db.session.execute(counted)}


def _leaders(counts: dict[int, int], limit: int) -> list[tuple[int, int]]:
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    if len(ranked) <= limit:
        return ranked
    last = ranked[limit - 1][1]
    return [(article_id, n) for article_id, n in ranked if n >= last]


def median(measure: str, window: Window) -> tuple[timedelta | None, int]:
    """The median duration of `measure` over the window's reports (statistics.median's: for an even count
    the mean of the middle two), and how many there are."""
    return medians(measure, [window])[0]


def medians(measure: str, windows: list[Window]) -> list[tuple[timedelta | None, int]]:
    """median() of each window, in two queries whatever the number of windows: every window's buckets, then
    every middle duration."""
    counted = _histograms(measure, windows)
    picks = []
    for index, (window, counts) in enumerate(zip(windows, counted, strict=True)):
        total = sum(counts.values())
        for rank in sorted({(total + 1) // 2, (total + 2) // 2} if total else ()):
            picks.append(_ranked(measure, window, counts, index, rank))
    found = {(index, rank): int(micros) for index, rank, micros in
             db.session.execute(union_all(*picks))} if picks else {}
    if len(found) != len(picks):
        raise LookupError("the duration tallies and the durations disagree")  # never, with the triggers
    answers = []
    for index, counts in enumerate(counted):
        total = sum(counts.values())
        if not total:
            answers.append((None, 0))
            continue
        low, high = (timedelta(microseconds=found[index, rank]) for rank in ((total + 1) // 2, (total + 2) // 2))
        answers.append(((low + high) / 2, total))
    return answers


def _histograms(measure: str, windows: list[Window]) -> list[dict[int, int]]:
    """For each window, how many durations of `measure` of its reports fall in each bucket: one query."""
    parts = []
    for index, window in enumerate(windows):
        tag = literal(index, Integer)
        parts += [select(tag, DurationTally.bucket, DurationTally.n).where(DurationTally.measure == measure, run)
                  for run in window.tallied(DurationTally)]
        parts += window.reports(ReportDuration.created_at, tag, ReportDuration.bucket,
                                where=(ReportDuration.measure == measure,))
    rows = union_all(*parts).subquery()
    counted: list[dict[int, int]] = [{} for _ in windows]
    for index, b, n in db.session.execute(
        select(rows.c[0], rows.c[1], func.sum(rows.c[2])).group_by(rows.c[0], rows.c[1])
    ):
        if n:
            counted[index][b] = int(n)
    return counted


def _ranked(measure: str, window: Window, counts: dict[int, int], index: int, rank: int):
    """A SELECT of (index, rank, the duration of that rank (from 1, shortest first) in the window): its bucket
    from the counts, then its place among that bucket's durations in the window, read in order."""
    below = 0
    for b in sorted(counts):
        if below + counts[b] >= rank:
            break
        below += counts[b]
    found = select(ReportDuration.micros) \
        .where(ReportDuration.measure == measure, ReportDuration.bucket == b, window.whole(ReportDuration.created_at)) \
        .order_by(ReportDuration.micros).offset(rank - below - 1).limit(1).subquery()
    return select(literal(index, Integer), literal(rank, Integer), found.c.micros)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# --- Upkeep ---------------------------------------------------------------------------------------------------

TALLY_KEYS = {
    ReportTally: ("period", "start", *KEYS),
    ArticleTally: ("period", "start", "article_id"),
    DurationTally: ("period", "start", "measure", "bucket"),
}


# A tally table's fold mark, inserted when it is missing and left as it is when it is there.
MARK = {name: dialect.insert(TallyFold).on_conflict_do_nothing() for name, dialect in
        (("postgresql", postgresql), ("sqlite", sqlite))}


def fold(at_least: int = FOLD_AT) -> None:
    """Sum each tally table's rows into one per key, where more than `at_least` rows were added since it was last
    folded; in a transaction of its own. Only the periods those rows touch are folded (mostly the last few
    days), so a fold costs what the changes since did. As triage.fold_counts: only rows the folding statements
    see are summed, so rows added meanwhile stay as they are and nothing is counted twice or lost."""
    # A table without its mark (emptied by hand, say) has every row to fold: it counts from 0.
    added = [select(func.max(t.id)).scalar_subquery()
             - func.coalesce(select(TallyFold.through_id).where(TallyFold.table_name == t.__tablename__)
                             .scalar_subquery(), 0)
             for t in TALLY_KEYS]
    due = [table for table, n in zip(TALLY_KEYS, db.session.execute(select(*added)).one(), strict=True)
           if (n or 0) > at_least]
    if not due:
        return
    with db.engine.begin() as conn:
        for table in due:
            name, keys = table.__tablename__, TALLY_KEYS[table]
            # A lost mark is made again at 0 (a second fold making it at the same time inserts nothing); without it
            # no fold would ever run and the rows would pile up.
            conn.execute(MARK[conn.dialect.name].values(table_name=name, through_id=0))
            # Locks the table's mark: a second fold waits, then folds only what was added after this one.
            through = conn.scalar(select(TallyFold.through_id).where(TallyFold.table_name == name).with_for_update())
            last = conn.scalar(select(func.max(table.id)))
            if last is None:
                continue
            t = table.__table__
            touched = select(t.c.period, t.c.start).where(t.c.id > through, t.c.id <= last).distinct()
            in_touched = and_(tuple_(t.c.period, t.c.start).in_(touched), t.c.id <= last)
            if conn.dialect.name == "postgresql":
                columns = ", ".join(keys)
                conn.execute(text(
                    f"WITH gone AS (DELETE FROM {name} WHERE (period, start) IN "  # nosec B608: the models' names
                    f"(SELECT DISTINCT period, start FROM {name} WHERE id > :through AND id <= :last) "
                    f"AND id <= :last RETURNING {columns}, n) "
                    f"INSERT INTO {name} ({columns}, n) SELECT {columns}, sum(n) FROM gone GROUP BY {columns} "
                    "HAVING sum(n) <> 0"), {"through": through, "last": last})
            else:
                # SQLite: one writer at a time, so the two statements see the same rows.
                conn.execute(insert(t).from_select(
                    [*keys, "n"],
                    select(*(t.c[k] for k in keys), func.sum(t.c.n)).where(in_touched)
                    .group_by(*(t.c[k] for k in keys)).having(func.sum(t.c.n) != 0)))
                conn.execute(delete(t).where(in_touched))
            conn.execute(update(TallyFold).where(TallyFold.table_name == name)
                         .values(through_id=select(func.coalesce(func.max(table.id), 0)).scalar_subquery()))


def rebuild() -> None:
    """Count every report again into the tallies and durations, from the reports as they are (the triggers keep
    them from there on). Changes the session; the caller commits."""
    for table in (ReportTally, ArticleTally, ReportDuration, DurationTally):
        db.session.execute(delete(table))
    # Ids may start again from 1 (SQLite): every row is to fold.
    db.session.execute(update(TallyFold).values(through_id=0))
    periods = (("day", utc_day(Report.created_at)), ("month", utc_month_start(Report.created_at)),
               ("all", literal(ALL_TIME, Date)))
    for period, start in periods:
        if period != "all":
            keyed = [first_clock().label("first_clock"), resolution_clock().label("resolution_clock")]
            by_report = select(literal(period, String), start.label("start"), Report.category, Report.status,
                               *keyed).subquery()
            db.session.execute(insert(ReportTally).from_select(
                ["period", "start", *KEYS, "n"],
                select(*by_report.c, func.count()).group_by(*by_report.c)))
        by_article = select(literal(period, String), start.label("start"), Report.article_id).subquery()
        db.session.execute(insert(ArticleTally).from_select(
            ["period", "start", "article_id", "n"], select(*by_article.c, func.count()).group_by(*by_article.c)))
    for measure, (has, until) in MEASURED.items():
        micros = micros_between(Report.created_at, until(Report))
        # ReportDuration's own triggers count these into DurationTally.
        db.session.execute(insert(ReportDuration).from_select(
            ["report_id", "measure", "created_at", "micros", "bucket"],
            select(Report.id, literal(measure, String), Report.created_at, micros, duration_bucket(micros))
            .where(has(Report))))


def reports_counted() -> int:
    """How many reports the tallies count (each is in one day's rows)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(ReportTally.n), 0)).where(ReportTally.period == "day")))
