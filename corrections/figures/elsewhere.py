"""The figures of "same error elsewhere" (repeats/): corrected errors found again in other articles, by the archive
sweep after publishing or in a later article's text (a known error that came back), what editors did with them,
and how long the sweep took, for the editors' metrics and /transparency.

Read from the items and sweeps themselves (a few hundred rows in a window, not the report table's millions):
- found by the sweep, came back: items found in the window, by origin;
- corrected, dismissed: items decided in the window; open: items open now;
- sweep time: from a notice's publication (its sweep queued) to its sweep done, for the sweeps done in the window,
  the median and the longest;
- time to clear: from an item found to an editor's decision, median over the items decided in the window.
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import func, select

from corrections.extensions import db
from corrections.figures.metrics import duration_words
from corrections.languages import number
from corrections.models import Repeat, RepeatSweep


@dataclass(frozen=True)
class Figures:
    found_by_sweep: int
    came_back: int
    corrected: int
    dismissed: int
    open: int
    sweeps: int
    median_sweep: timedelta | None
    longest_sweep: timedelta | None
    median_to_clear: timedelta | None

    @property
    def found(self) -> int:
        return self.found_by_sweep + self.came_back


def _median(durations: list[timedelta]) -> timedelta | None:
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations)) if durations else None


def compute(start: datetime, end: datetime) -> Figures:
    """The figures for the window from `start` to `end` (aware datetimes)."""
    found = Counter(dict(db.session.execute(
        select(Repeat.origin, func.count(Repeat.id)).where(Repeat.found_at >= start, Repeat.found_at <= end)
        .group_by(Repeat.origin)).all()))
    decided_rows = db.session.execute(
        select(Repeat.state, Repeat.found_at, Repeat.decided_at)
        .where(Repeat.decided_at >= start, Repeat.decided_at <= end)).all()
    decided = Counter(state for state, _, _ in decided_rows)
    still_open = db.session.scalar(select(func.count(Repeat.id)).where(Repeat.state == "open"))
    sweeps = [done - queued for queued, done in db.session.execute(
        select(RepeatSweep.queued_at, RepeatSweep.done_at)
        .where(RepeatSweep.notice_id.is_not(None), RepeatSweep.done_at >= start, RepeatSweep.done_at <= end))]
    return Figures(
        found_by_sweep=found.get("sweep", 0), came_back=found.get("came_back", 0),
        corrected=decided.get("confirmed", 0), dismissed=decided.get("dismissed", 0), open=still_open,
        sweeps=len(sweeps), median_sweep=_median(sweeps), longest_sweep=max(sweeps, default=None),
        median_to_clear=_median([decided_at - found_at for _, found_at, decided_at in decided_rows]),
    )


def seconds_words(value: timedelta | None) -> str:
    """A sweep's time as people say it: seconds under a minute ("4 s"), else as duration_words says it."""
    if value is None or value >= timedelta(minutes=1):
        return duration_words(value)
    return gettext("%(seconds)s s", seconds=number(max(round(value.total_seconds()), 1)))
