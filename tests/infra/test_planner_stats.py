"""The planner's statistics follow the data: gathered when missing, again when the reports doubled."""

from datetime import UTC, datetime

from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

from corrections.extensions import db
from corrections.infra import planner_stats
from corrections.models import Report
from corrections.seed import fake
from corrections.triage import queue, snapshot

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def analysed_reports() -> int | None:
    stat = db.session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'report' LIMIT 1"))
    return int(stat.split()[0]) if stat else None


def test_sqlite_statistics_are_gathered_when_missing_and_when_the_reports_doubled(app, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        # PostgreSQL's autovacuum keeps them; an explicit ANALYZE (after gen-fake) still works.
        assert not planner_stats.stale() and not planner_stats.refresh()
        planner_stats.analyze()
        return
    monkeypatch.setattr(planner_stats, "SMALL", 50)
    fake.generate(3, 40, seed=1, now=NOW)
    assert not planner_stats.stale(), "a small table needs no statistics"
    fake.generate(2, 60, seed=2, now=NOW)
    assert planner_stats.stale() and planner_stats.refresh()
    assert analysed_reports() == 100
    assert not planner_stats.stale() and not planner_stats.refresh()
    fake.generate(2, 90, seed=3, now=NOW)
    assert not planner_stats.stale(), "less than twice as many reports as analysed"
    fake.generate(2, 20, seed=4, now=NOW)
    assert planner_stats.refresh() and analysed_reports() == 210


def test_gen_fake_leaves_fresh_statistics(app, runner):
    result = runner.invoke(args=["gen-fake", "--articles", "3", "--reports", "30"])
    assert result.exit_code == 0, result.output
    if db.engine.dialect.name == "sqlite":
        assert analysed_reports() == 30


def test_new_reports_matching_a_search_are_counted_from_the_snapshot_on(app, editor):
    fake.generate(3, 80, seed=1, now=NOW)
    word = db.session.scalar(text("SELECT description FROM report WHERE status = 'new' ORDER BY id LIMIT 1")).split()[0]
    f = queue.QueueFilter.from_args(MultiDict({"q": word}))
    # Every open report holding the word, found the way the queue finds them (the index's hits, then the rows).
    hits = list(db.session.scalars(select(Report.id).where(*queue.conditions(f, editor)).order_by(Report.id)))
    assert len(hits) >= 2, "the search finds the word it was given"
    for upto in (hits[0], hits[len(hits) // 2], hits[-1]):
        later = queue.QueueFilter.from_args(MultiDict({"q": word, "upto": str(upto)}))
        assert snapshot.new_count(later, editor) == min(sum(1 for i in hits if i > upto), snapshot.NEW_CAP + 1)
