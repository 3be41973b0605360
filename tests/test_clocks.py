"""Clocks: admin-set targets for first action and resolution, the deadlines they give reports, and how often
they were met."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from corrections import clocks, workflow
from corrections.extensions import db
from corrections.models import Report, utcnow

from .helpers import count_queries, csrf_token, file_report, make_article
from .test_report_page import fresh, open_page

HOUR = timedelta(hours=1)


@pytest.mark.parametrize(("typed", "minutes"), [
    ("45 min", 45), ("4 h", 240), ("4", 240), ("2 d", 2880), ("1 d 12 h", 2160), ("1.5h", 90), ("1,5 h", 90),
    ("90m", 90), ("2 days 3 hours", 3060), ("", None), ("   ", None),
])
def test_durations_as_admins_type_them(typed, minutes):
    assert clocks.parse_duration(typed) == minutes


@pytest.mark.parametrize("typed", ["soon", "4 weeks", "0", "400 d", "-3 h", "h", "4 h 30"])
def test_durations_that_make_no_sense_are_refused(typed):
    if typed == "4 h 30":  # a bare number after a unit is hours: 34 h, which is fine
        assert clocks.parse_duration(typed) == 34 * 60
        return
    with pytest.raises(clocks.ClockError):
        clocks.parse_duration(typed)


def test_duration_text_reads_back_as_it_parses():
    for minutes in (45, 240, 2160, 2925):
        assert clocks.parse_duration(clocks.duration_text(minutes)) == minutes


def set_targets(client, **fields):
    data = {"csrf_token": csrf_token(client, "/editor/admin/clocks")}
    data.update(fields)
    return client.post("/editor/admin/clocks", data=data)


def test_admin_sets_targets_and_new_reports_get_deadlines(admin_client):
    response = set_targets(admin_client, first_default="4 h", resolution_default="2 d", first_typo="30 min")
    assert response.status_code == 302
    page = admin_client.get("/editor/admin/clocks").get_data(as_text=True)
    assert 'value="4 h"' in page and 'value="2 d"' in page and 'value="30 min"' in page

    article = make_article()
    fact = file_report(article, category="factual")
    typo = file_report(article, category="typo")
    assert fact.first_action_due_at == fact.created_at + 4 * HOUR
    assert fact.resolution_due_at == fact.created_at + 48 * HOUR
    assert fact.due_at == fact.first_action_due_at
    # A category's own target; its empty resolution field falls back to the default.
    assert typo.first_action_due_at == typo.created_at + timedelta(minutes=30)
    assert typo.resolution_due_at == typo.created_at + 48 * HOUR


def test_bad_targets_are_refused_at_their_field_and_kept(admin_client):
    response = set_targets(admin_client, first_default="soon", resolution_default="2 d")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is not a duration" in page and 'value="soon"' in page and 'value="2 d"' in page
    assert clocks.all_targets() == {}


def test_reports_held_as_spam_have_no_clock(app):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 600)})
    from corrections.reports import ReportInput, submit_report

    filed = submit_report(make_article(), ReportInput(category="factual", description="Buy cheap pills now."),
                          client="x", spam_reason="honeypot")
    report = db.session.get_one(Report, filed.id)
    assert (report.first_action_due_at, report.resolution_due_at, report.due_at) == (None, None, None)


def test_the_next_deadline_follows_the_workflow(app, editor):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 600)})
    report = file_report(make_article())
    assert report.due_at == report.first_action_due_at
    workflow.add_note(report, "Looking.", by=editor)
    assert report.due_at == report.resolution_due_at
    workflow.move(report, "in_review", by=editor)
    workflow.reject(report, "Opinion.", by=editor)
    assert report.due_at is None
    workflow.move(report, "in_review", by=editor)
    assert report.due_at == report.resolution_due_at
    db.session.commit()


def test_changing_targets_moves_the_deadlines_of_open_reports_only(app, editor):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 600)})
    article = make_article()
    waiting = file_report(article, category="typo")
    acted = file_report(article, category="factual")
    workflow.add_note(acted, "Looking.", by=editor)
    closed = file_report(article)
    workflow.move(closed, "spam", by=editor)
    db.session.commit()
    before_closed = (closed.first_action_due_at, closed.resolution_due_at)
    before_acted_first = acted.first_action_due_at

    assert clocks.set_targets({clocks.DEFAULT: clocks.Targets(120, 1440), "typo": clocks.Targets(15, None)}) == 2
    waiting, acted, closed = (db.session.get(Report, r.id) for r in (waiting, acted, closed))
    # Exact to the microsecond, on SQLite's text timestamps as on PostgreSQL's.
    assert waiting.first_action_due_at == waiting.created_at + timedelta(minutes=15)
    assert waiting.resolution_due_at == waiting.created_at + timedelta(minutes=1440)
    assert waiting.due_at == waiting.first_action_due_at
    assert acted.first_action_due_at == before_acted_first
    assert acted.resolution_due_at == acted.created_at + timedelta(minutes=1440)
    assert acted.due_at == acted.resolution_due_at
    assert (closed.first_action_due_at, closed.resolution_due_at, closed.due_at) == (*before_closed, None)

    # Targets removed: open reports have no deadline any more.
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(None, None), "typo": clocks.Targets(None, None)})
    waiting = db.session.get(Report, waiting.id)
    assert (waiting.first_action_due_at, waiting.resolution_due_at, waiting.due_at) == (None, None, None)
    assert clocks.all_targets() == {"": clocks.Targets(None, None)}


def test_report_page_shows_time_left_and_overdue(editor_client, editor):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 3 * 24 * 60)})
    report = file_report(make_article())
    page = open_page(editor_client, report)
    assert re.search(r"First action</strong>\s*due in (59 min|1 h)", page)
    assert re.search(r"Resolution</strong>\s*due in 3 d", page)

    report.created_at -= 3 * HOUR
    report.first_action_due_at -= 3 * HOUR
    report.resolution_due_at -= 3 * HOUR
    db.session.commit()
    page = open_page(editor_client, report)
    assert re.search(r'clock-overdue"><strong>First action</strong>\s*overdue by 2 h', page)

    workflow.add_note(fresh(report), "Looking.", by=editor)
    db.session.commit()
    page = open_page(editor_client, report)
    assert re.search(r'clock-missed"><strong>First action</strong>\s*missed by 2 h', page)


def at(report: Report, created: datetime, first: datetime | None = None, closed: datetime | None = None,
       status: str | None = None) -> None:
    """Place a report in time, with targets of 1 hour (first action) and 1 day (resolution)."""
    report.created_at = created
    report.first_action_due_at = created + HOUR
    report.resolution_due_at = created + 24 * HOUR
    report.first_action_at = first
    report.closed_at = closed
    if status:
        report.status = status


def test_metrics_count_targets_met_missed_and_running(app, editor_client):
    now = utcnow()
    article = make_article()
    on_time = file_report(article, category="typo")
    at(on_time, now - 48 * HOUR, first=now - 47.5 * HOUR, closed=now - 40 * HOUR, status="rejected")
    late = file_report(article)
    at(late, now - 48 * HOUR, first=now - 45 * HOUR, closed=now - 2 * HOUR, status="accepted")
    waiting_overdue = file_report(article)
    at(waiting_overdue, now - 5 * HOUR)
    running = file_report(article)
    at(running, now - HOUR / 2)
    without_target = file_report(article)  # filed with no targets set: no clock, not counted
    db.session.commit()
    assert without_target.first_action_due_at is None

    figures = clocks.target_figures(now - 30 * 24 * HOUR, now, now)
    assert figures.first_action == clocks.Tally(met=1, missed=2, running=1)
    assert figures.resolution == clocks.Tally(met=1, missed=1, running=2)
    assert figures.first_action.rate == pytest.approx(1 / 3)
    by_category = {key: (first, resolution) for key, _, first, resolution in figures.by_category}
    assert by_category["typo"] == (clocks.Tally(1, 0, 0), clocks.Tally(1, 0, 0))

    page = editor_client.get("/editor/metrics").get_data(as_text=True)
    assert "Targets met" in page
    row = re.search(r"First action</th>(.*?)</tr>", page, re.S).group(1)
    assert [c.strip() for c in re.findall(r'<td class="num">([^<]*)</td>', row)] == ["33%", "1", "2", "1"]


def test_metrics_page_without_targets_says_so(editor_client):
    file_report(make_article())
    assert "No report of this window had a target time." in editor_client.get("/editor/metrics").get_data(
        as_text=True)


def test_metrics_queries_do_not_grow_with_reports(app, editor_client, editor):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 600)})
    article = make_article()
    file_report(article)
    few = count_queries(editor_client, "/editor/metrics")
    for n in range(30):
        report = file_report(article, category="typo" if n % 2 else "factual")
        if n % 3 == 0:
            workflow.add_note(report, "Seen.", by=editor)
    db.session.commit()
    assert count_queries(editor_client, "/editor/metrics") == few


def test_clocks_page_is_for_admins(editor_client):
    assert editor_client.get("/editor/admin/clocks").status_code == 403
    assert "Clocks</a>" not in editor_client.get("/editor/metrics").get_data(as_text=True)


def test_a_report_filed_after_a_change_uses_the_new_targets(admin_client):
    set_targets(admin_client, first_default="1 h")
    set_targets(admin_client, first_default="3 h")
    report = file_report(make_article())
    assert report.first_action_due_at == report.created_at + 3 * HOUR
    assert report.resolution_due_at is None


def test_deadlines_are_aware_utc(app):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, None)})
    report = file_report(make_article())
    db.session.expire_all()
    stored = db.session.get(Report, report.id)
    assert stored.first_action_due_at.tzinfo == UTC
