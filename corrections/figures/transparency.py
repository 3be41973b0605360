"""The public accountability figures of /transparency: the last 12 calendar months.

Read from the figures the report table's triggers keep (figures/tallies.py), like the editors' metrics, so a
year of reports costs the same few queries and rows whatever their number: reports by month and status, the
median time to correction of each month and of the whole period (exact, from the kept durations), and one
query over the notices for both their kinds and their sections. The definitions the page states are the ones
these use (months are calendar months in the site's time zone, CORRECTIONS_TIMEZONE, read from the UTC
instants they begin at):

- received: reports readers sent (by the form or the API) in the month, except those held as spam;
- answered: of those, the ones an editor has decided (accepted, corrected, rejected or marked
  duplicate), whenever the decision came;
- time to correction: from a report's arrival to the publication of the correction it led to, for
  the reports received in the period that are corrected;
- corrections: notices published in the period and not withdrawn, by kind and by the article's section;
- corrections per 100 articles, by how the articles were made (figures/sources.py): those notices by the source type of
  their article, and the articles published in the period, by theirs.
- the same error elsewhere: corrected errors found again in other articles, and how long the sweep took
  (figures/elsewhere.py).
"""

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from corrections import languages
from corrections.extensions import db
from corrections.figures import elsewhere, sources, tallies
from corrections.models import Article, Notice, utcnow
from corrections.vocabulary import NOTICE_KINDS

MONTHS = 12
ANSWERED = ("accepted", "corrected", "rejected", "duplicate")
TOP_SECTIONS = 12
# Lazy: the figures are kept for every request of the process, and each page reads them in its own language.
NO_SECTION = _l("No section")
OTHER_SECTIONS = _l("Other sections")


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
    by_source: list[sources.SourceFigures]  # every group of how articles were made
    elsewhere: elsewhere.Figures  # corrected errors found again in other articles, and the sweep's time

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
    """The first days of the current month and the 11 before it, oldest first: months in the site's time zone."""
    current = languages.local_month(now)
    year, month = current.year, current.month
    starts = []
    for _ in range(MONTHS):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def compute(now: datetime | None = None) -> Figures:
    """The figures for the 12 calendar months up to `now` (an aware datetime; default: now)."""
    end = (now or utcnow()).astimezone(UTC)
    starts = month_starts(end)
    # Each month from its first instant in the site's zone; the current one up to now.
    bounds = [languages.month_start(first) for first in starts] + [end + tallies.MICROSECOND]
    start = bounds[0]
    period = tallies.Window.of(start, end)
    # The rows every change adds, summed now and then so that a window reads few.
    tallies.fold()

    windows = [tallies.Window.of(since, until - tallies.MICROSECOND) for since, until in itertools.pairwise(bounds)]
    by_month = tallies.statuses(windows)
    # Each month alone and the whole period: exact medians, in two queries.
    *monthly, (overall, _) = tallies.medians("correction", [*windows, period])

    months = []
    for first, statuses, (median, _) in zip(starts, by_month, monthly, strict=True):
        months.append(Month(
            first,
            received=sum(n for status, n in statuses.items() if status != "spam"),
            answered=sum(statuses[status] for status in ANSWERED),
            corrected=statuses["corrected"],
            median_to_correction=median,
        ))

    published = (Notice.withdrawn_at.is_(None), Notice.published_at >= start, Notice.published_at <= end)
    # Kinds, sections and source types from one pass over the period's notices.
    kinds: Counter = Counter()
    sections: Counter = Counter()
    source_types: Counter = Counter()
    for kind, section, source_type, n in db.session.execute(
        select(Notice.kind, Article.section, Article.source_type, func.count())
        .join(Article, Article.id == Notice.article_id)
        .where(*published).group_by(Notice.kind, Article.section, Article.source_type)
    ):
        kinds[kind] += n
        sections[section] += n
        source_types[source_type] += n
    by_kind = [(kind, label, kinds.get(kind, 0)) for kind, label in NOTICE_KINDS.items()]
    ranked_sections = sorted(sections.items(), key=lambda item: (-item[1], item[0] or ""))

    return Figures(start=start, end=end, computed_at=utcnow(), months=months, median_to_correction=overall,
                   by_kind=by_kind, by_section=_top_sections(ranked_sections),
                   by_source=sources.by_group(sources.articles_by_type(start, end), source_types),
                   elsewhere=elsewhere.compute(start, end))


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
