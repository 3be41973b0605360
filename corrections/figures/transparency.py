"""The public accountability figures of /transparency: the last 12 calendar months, counted in the database.

Four aggregate queries, whatever the number of reports: received, answered and corrected reports by
month; the median time to correction by month and over the whole period (window functions, so no row
reaches Python); corrections by kind; corrections by section. Covering indexes serve the first two
(report (created_at, status) and (status, created_at, closed_at)), so they read no table rows.
The definitions the page states are the ones these queries use:

- received: reports readers sent (by the form or the API) in the month, except those held as spam;
- answered: of those, the ones an editor has decided (accepted, corrected, rejected or marked
  duplicate), whenever the decision came;
- time to correction: from a report's arrival to the publication of the correction it led to, for
  the reports received in the period that are corrected;
- corrections: notices published in the period and not withdrawn, by kind and by the article's section.
"""

import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import Date, func, literal, or_, select, union_all

from corrections.extensions import db
from corrections.figures.metrics import seconds_between
from corrections.figures.tallies import utc_month_start
from corrections.models import Article, Notice, Report, utcnow
from corrections.vocabulary import NOTICE_KINDS

MONTHS = 12
ANSWERED = ("accepted", "corrected", "rejected", "duplicate")
TOP_SECTIONS = 12
NO_SECTION = "No section"
ALL_KEY = date(1, 1, 1)  # the whole period, among the medians by month
OTHER_SECTIONS = "Other sections"


@dataclass(frozen=True)
class Month:
    start: date
    received: int
    answered: int
    corrected: int
    median_to_correction: timedelta | None

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.received if self.received else None


@dataclass(frozen=True)
class Figures:
    start: datetime
    end: datetime
    computed_at: datetime
    months: list[Month]  # oldest first, the current (partial) month last
    median_to_correction: timedelta | None
    by_kind: list[tuple[str, str, int]]  # (kind, label, corrections), every kind
    by_section: list[tuple[str, int]]  # (section, corrections), most first

    @property
    def received(self) -> int:
        return sum(m.received for m in self.months)

    @property
    def answered(self) -> int:
        return sum(m.answered for m in self.months)

    @property
    def corrected(self) -> int:
        return sum(m.corrected for m in self.months)

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.received if self.received else None

    @property
    def notices(self) -> int:
        return sum(n for _, _, n in self.by_kind)


def month_starts(now: datetime) -> list[date]:
    """The first days of the current month and the 11 before it, oldest first."""
    year, month = now.year, now.month
    starts = []
    for _ in range(MONTHS):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def compute(now: datetime | None = None) -> Figures:
    """The figures for the 12 calendar months up to `now` (an aware datetime; default: now)."""
    end = (now or utcnow()).astimezone(UTC)
    starts = month_starts(end)
    start = datetime(starts[0].year, starts[0].month, 1, tzinfo=UTC)
    in_window = (Report.created_at >= start, Report.created_at <= end)

    month = utc_month_start(Report.created_at).label("month")
    # By month and status, spam included: the covering index (created_at, status) answers it alone, and the
    # few dozen groups are added up here.
    by_month: dict[date, list[int]] = {}
    for first, status, n in db.session.execute(
        select(month, Report.status, func.count()).where(*in_window).group_by(month, Report.status)
    ):
        if status == "spam":
            continue
        counts = by_month.setdefault(first, [0, 0, 0])
        counts[0] += n
        counts[1] += n if status in ANSWERED else 0
        counts[2] += n if status == "corrected" else 0

    corrected = (*in_window, Report.status == "corrected", Report.closed_at.is_not(None))
    medians = _medians(month, seconds_between(Report.created_at, Report.closed_at), corrected)
    overall = medians.pop(ALL_KEY, None)

    months = []
    for first in starts:
        n, answered, corrected_n = by_month.get(first, (0, 0, 0))
        months.append(Month(first, n, answered, corrected_n, medians.get(first)))

    published = (Notice.withdrawn_at.is_(None), Notice.published_at >= start, Notice.published_at <= end)
    kinds = dict(db.session.execute(
        select(Notice.kind, func.count(Notice.id)).where(*published).group_by(Notice.kind)).all())
    by_kind = [(kind, label, kinds.get(kind, 0)) for kind, label in NOTICE_KINDS.items()]

    notices = func.count(Notice.id).label("corrections")
    sections = db.session.execute(
        select(Article.section, notices).join(Article, Article.id == Notice.article_id)
        .where(*published).group_by(Article.section).order_by(notices.desc(), Article.section)
    ).all()

    return Figures(start=start, end=end, computed_at=utcnow(), months=months, median_to_correction=overall,
                   by_kind=by_kind, by_section=_top_sections(sections))


def _medians(month, seconds, where) -> dict[date | str, timedelta]:
    """Median seconds by month, and over all months (keyed ALL), in one query: nothing is sorted in Python.

    With n values ranked 1..n, the middle ones are (n + 1) // 2 and (n + 2) // 2: the same row when n is
    odd, the two middle rows (averaged) when n is even. Each value is ranked twice: in its month, and
    among all.
    """
    seconds = seconds.label("seconds")
    ranked = select(
        month,
        seconds,
        func.row_number().over(partition_by=month, order_by=seconds).label("rank_in_month"),
        func.count().over(partition_by=month).label("in_month"),
        func.row_number().over(order_by=seconds).label("rank"),
        func.count().over().label("n"),
    ).where(*where).cte("ranked")

    def middle(rank, n):
        return or_(rank == (n + 1) // 2, rank == (n + 2) // 2)

    by_month = select(ranked.c.month, func.avg(ranked.c.seconds)) \
        .where(middle(ranked.c.rank_in_month, ranked.c.in_month)).group_by(ranked.c.month)
    # The whole period's row is keyed by a date no month starts on (the first of January of year 1).
    overall = select(literal(ALL_KEY, Date), func.avg(ranked.c.seconds)).where(middle(ranked.c.rank, ranked.c.n))
    rows = db.session.execute(union_all(by_month, overall))
    return {key: timedelta(seconds=float(value)) for key, value in rows if value is not None}


def _top_sections(rows) -> list[tuple[str, int]]:
    """The sections with the most corrections; the rest summed as "Other sections"; "" named "No section"."""
    named = [(section or NO_SECTION, n) for section, n in rows]
    if len(named) <= TOP_SECTIONS:
        return named
    top = named[:TOP_SECTIONS - 1]
    return [*top, (OTHER_SECTIONS, sum(n for _, n in named[TOP_SECTIONS - 1:]))]


# --- A short-lived copy per process: the figures move by the month, the page may be popular --------------------

_lock = threading.Lock()


def cached(seconds: float) -> Figures:
    """The figures, computed at most once every `seconds` in this process (0: every time)."""
    if seconds <= 0:
        return compute()
    store = current_app.extensions.setdefault("transparency", {})
    with _lock:
        hit = store.get("figures")
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return hit[1]
    figures = compute()
    with _lock:
        store["figures"] = (time.monotonic(), figures)
    return figures
