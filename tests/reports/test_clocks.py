"""Clocks: admin-set targets for first action and resolution, the deadlines they give reports, and how often
they were met."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from corrections.extensions import db
from corrections.models import Editor, Report, utcnow
from corrections.reports import clocks, workflow
from corrections.vocabulary import OPEN
from tests.helpers import count_queries, csrf_token, file_report, make_article
from tests.triage.test_report_page import fresh, open_page

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


@pytest.mark.databases("sqlite")
def test_bad_targets_are_refused_at_their_field_and_kept(admin_client):
    response = set_targets(admin_client, first_default="soon", resolution_default="2 d")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is not a duration" in page and 'value="soon"' in page and 'value="2 d"' in page
    assert clocks.all_targets() == {}


def test_reports_held_as_spam_have_no_clock(app):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 600)})
    db.session.commit()
    from corrections.reports.filing import ReportInput, submit_report

    filed = submit_report(make_article(), ReportInput(category="factual", description="Buy cheap pills now."),
                          client="x", spam_reason="honeypot")
    report = db.session.get_one(Report, filed.id)
    assert (report.first_action_due_at, report.resolution_due_at, report.due_at) == (None, None, None)


def test_the_next_deadline_follows_the_workflow(app, editor):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 600)})
    db.session.commit()
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
    db.session.commit()
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
    db.session.commit()
    waiting = db.session.get(Report, waiting.id)
    assert (waiting.first_action_due_at, waiting.resolution_due_at, waiting.due_at) == (None, None, None)
    assert clocks.all_targets() == {"": clocks.Targets(None, None)}


def test_report_page_shows_time_left_and_overdue(editor_client, editor):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 3 * 24 * 60)})
    db.session.commit()
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


@pytest.mark.databases("sqlite")
def test_metrics_page_without_targets_says_so(editor_client):
    file_report(make_article())
    assert "No report of this window had a target time." in editor_client.get("/editor/metrics").get_data(
        as_text=True)


def test_metrics_queries_do_not_grow_with_reports(app, editor_client, editor):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 600)})
    db.session.commit()
    article = make_article()
    # Acted on: a median is taken from the start (finding it is a query of its own once there is one).
    workflow.add_note(file_report(article), "Seen.", by=editor)
    db.session.commit()
    few = count_queries(editor_client, "/editor/metrics")
    for n in range(30):
        report = file_report(article, category="typo" if n % 2 else "factual")
        if n % 3 == 0:
            workflow.add_note(report, "Seen.", by=editor)
    db.session.commit()
    assert count_queries(editor_client, "/editor/metrics") == few


@pytest.mark.databases("sqlite")
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
    db.session.commit()
    report = file_report(make_article())
    db.session.expire_all()
    stored = db.session.get(Report, report.id)
    assert stored.first_action_due_at.tzinfo == UTC


def filed_ago(report: Report, ago: timedelta) -> None:
    """Move a report's filing and its deadlines back in time, as if it had waited that long."""
    report.created_at -= ago
    for column in ("first_action_due_at", "resolution_due_at", "due_at"):
        if getattr(report, column) is not None:
            setattr(report, column, getattr(report, column) - ago)


def row_of(page: str, report: Report) -> str:
    return re.search(rf'data-reference="{report.reference}".*?</tr>', page, re.S).group(0)


def test_queue_shows_time_left_and_overdue_and_sorts_due_first(editor_client, editor):
    from tests.triage.queue_pages import page_of, references

    article = make_article()
    # Targets for facts only: the typo has no deadline.
    clocks.set_targets({"factual": clocks.Targets(60, 24 * 60)})
    db.session.commit()
    without_target = file_report(article, category="typo", description="A typo, with no target time.")
    acted = file_report(article, description="Looked at, waiting for a decision.")
    workflow.add_note(acted, "Asked the reporter.", by=editor)
    overdue = file_report(article, description="Waiting three hours for anyone.")
    soon = file_report(article, description="Filed half an hour ago.")
    filed_ago(acted, 2 * HOUR)
    filed_ago(overdue, 3 * HOUR)
    filed_ago(soon, HOUR / 2)
    db.session.commit()

    page = page_of(editor_client, "/editor/?sort=due")
    assert references(page) == [overdue.reference, soon.reference, acted.reference, without_target.reference]
    # Overdue said in words, not by colour only; which clock it is.
    overdue_row = row_of(page, overdue)
    assert re.search(r'<strong>Overdue</strong> by 2 h</span>\s*<span class="muted">first action', overdue_row)
    assert re.search(r"(29|30) min left <span class=\"muted\">first action", row_of(page, soon))
    assert re.search(r"2[12] h( 59 min)? left <span class=\"muted\">resolution", row_of(page, acted))
    assert "no target time" in row_of(page, without_target) and "left" not in row_of(page, without_target)
    # The other orders are untouched by deadlines.
    assert references(page_of(editor_client, "/editor/")) == [soon.reference, overdue.reference, acted.reference,
                                                              without_target.reference]


@pytest.mark.parametrize("status", ["open", "all"])
def test_due_first_pages_lose_and_repeat_no_group(make_app, status):
    """Keyset pages in deadline order, forwards and back: groups placed by their soonest deadline, reports
    without one last, equal deadlines by arrival; over the open reports, and over every status (where closed
    reports, without a deadline, follow those with one, and a group may lead from any status)."""
    from tests.helpers import login, make_editor
    from tests.triage.queue_pages import links, page_of, references, walk

    app = make_app(QUEUE_PER_PAGE=2)
    with app.app_context():
        make_editor()
        article = make_article()
        passages = ["31 votes to 12", "Work starts in March", "", ""]
        clocks.set_targets({"factual": clocks.Targets(60, 24 * 60)})
        db.session.commit()
        early = [file_report(article, passage=passages[n % 4], category="typo", description=f"No target, {n}.")
                 for n in range(3)]
        later = [file_report(article, passage=passages[n % 4], description=f"With a deadline, {n}.")
                 for n in range(8)]
        for n, report in enumerate(later):
            filed_ago(report, HOUR * (n % 3))  # three reports share each deadline (to the microsecond, nearly)
        later[5].due_at = later[2].due_at = later[0].due_at  # exactly equal: arrival order decides
        db.session.commit()
        reports = early + later
        if status == "all":
            editor = db.session.scalar(select(Editor))
            # Closed: no deadline any more; one leads its group, one is led by a report still open.
            workflow.move(early[1], "spam", by=editor)
            workflow.reject(later[4], "The article is accurate as published.", by=editor)
            workflow.move(later[7], "in_review", by=editor)
            workflow.mark_duplicate(later[7], later[3], by=editor)
            db.session.commit()
        else:
            reports = [r for r in reports if r.status in OPEN]

        def key(report):
            return (report.due_at or datetime(9999, 12, 31, tzinfo=UTC), report.id)

        groups: dict[int, list[Report]] = {}
        for report in reports:
            groups.setdefault(report.cluster_id, []).append(report)
        expected = [min(members, key=lambda r: r.id).reference
                    for members in sorted(groups.values(), key=lambda members: min(map(key, members)))]

        client = app.test_client()
        login(client, "editor@example.org")
        first_url = "/editor/?sort=due" + ("&status=all" if status == "all" else "")
        pages = walk(client, first_url)
        assert sum(pages, []) == expected
        assert [len(page) for page in pages[:-1]] == [2] * (len(pages) - 1)
        last_url = first_url
        for _ in pages[1:]:
            last_url = links(page_of(client, last_url))["next"]
        assert sum(reversed(walk(client, last_url, "prev")), []) == expected
        assert "Ignored" not in page_of(client, last_url) and references(page_of(client, last_url)) == pages[-1]


def test_the_report_page_walks_the_due_first_queue_as_the_editor_saw_it(editor_client, editor):
    """Acting on a report moves its deadline (first action met, resolution next); the walk keeps its place."""
    from tests.helpers import form_tokens
    from tests.triage.queue_pages import page_of
    from tests.triage.test_holds_still import report_links, snapshot_url, walk_reports

    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 24 * 60)})
    db.session.commit()
    later, overdue, due_soon = (file_report(make_article(), description=f"Report {n} is about a figure.")
                                for n in range(3))
    filed_ago(overdue, 3 * HOUR)
    filed_ago(due_soon, 2 * HOUR)
    db.session.commit()
    assert walk_reports(editor_client, "/editor/?sort=due") == [overdue.reference, due_soon.reference,
                                                                later.reference]
    back = snapshot_url(page_of(editor_client, "/editor/?sort=due"))
    assert "seen=" in back
    back_arg = quote(back, safe="")

    def act(report, action, **data):
        page = page_of(editor_client, f"/editor/reports/{report.id}?back={back_arg}")
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        return editor_client.post(f"/editor/reports/{report.id}/{action}", data={
            "csrf_token": form_tokens(page)["csrf_token"], "version": version, "back": back, **data})

    # Into review: its first action is met, its next deadline is a day away; it stays first in this walk.
    act(overdue, "move", to="in_review")
    assert fresh(overdue).due_at > fresh(later).due_at
    page = page_of(editor_client, f"/editor/reports/{overdue.id}?back={back_arg}")
    assert report_links(page)["next"].startswith(f"/editor/reports/{due_soon.id}?")
    assert act(overdue, "move", to="accepted", onward="1").headers["Location"].startswith(
        f"/editor/reports/{due_soon.id}?back=")
    assert act(due_soon, "reject", reason=workflow.REJECT_REASONS[0], onward="1").headers["Location"].startswith(
        f"/editor/reports/{later.id}?back=")
    # The two before it are decided: they left the open queue.
    assert "previous" not in report_links(page_of(editor_client, f"/editor/reports/{later.id}?back={back_arg}"))
    # Back to the queue, at the row of the report just decided.
    assert act(later, "move", to="spam", onward="1").headers["Location"] == f"{back}#report-{later.id}"
