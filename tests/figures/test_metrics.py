"""The editors' metrics page and the figures behind it."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string
from sqlalchemy import text

from corrections.extensions import db
from corrections.figures import metrics
from corrections.models import utcnow
from corrections.vocabulary import CATEGORIES
from tests.helpers import count_queries, file_report, make_article
from tests.planner import planned_at_a_million_reports, statements_run

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


def aged(article, age, status="new", *, category="factual", first_action=None, closed=None, now=NOW):
    """A report received `age` before `now`, acted on and closed the given times after it arrived."""
    report = file_report(article, category=category)
    report.created_at = now - age
    report.status = status
    report.first_action_at = report.created_at + first_action if first_action is not None else None
    report.closed_at = report.created_at + closed if closed is not None else None
    db.session.commit()
    return report


@pytest.fixture
def history(app):
    """Reports of two articles, most within the last 30 days, a few older."""
    budget = make_article(title="Council approves budget", slug="budget")
    bridge = make_article(title="Bridge closed for repairs", slug="bridge")
    # Inside the 30-day window.
    aged(budget, 2 * H, "new", first_action=20 * timedelta(minutes=1))  # a note counts as first action
    aged(budget, 2 * D, "in_review", category="typo", first_action=H)
    aged(budget, 4 * D, "in_review", category="typo")
    aged(bridge, 4 * D + 2 * H, "in_review", category="misleading")
    aged(budget, 5 * D, "accepted", first_action=3 * H, closed=6 * H)
    aged(budget, 6 * D, "rejected", first_action=30 * timedelta(minutes=1), closed=H)
    aged(bridge, 10 * D, "corrected", first_action=5 * H, closed=2 * D + 4 * H)
    aged(budget, 20 * D, "corrected", category="outdated", first_action=2 * H, closed=D)
    aged(bridge, 25 * H, "spam", category="other")
    # Older than 30 days: only the open one counts, among the open reports.
    aged(bridge, 40 * D, "new")
    aged(bridge, 50 * D, "rejected", first_action=H, closed=H)
    return budget, bridge


def test_figures_for_a_window(history):
    m = metrics.compute(30, now=NOW)

    assert m.received == 9
    assert m.spam == 1
    # 20 min, 30 min, 1 h, 2 h, 3 h, 5 h: an even count, so the mean of 1 h and 2 h.
    assert m.first_actions == 6
    assert m.median_first_action == timedelta(hours=1, minutes=30)
    # 1 d and 2 d 4 h: the mean of the two.
    assert m.corrections == 2
    assert m.median_to_correction == timedelta(days=1, hours=14)
    # Accepted 1 + corrected 2, against 1 rejected; the rejection 50 days ago is outside.
    assert (m.accepted, m.rejected) == (3, 1)
    assert m.acceptance_rate == 0.75


def test_open_reports_by_age_count_every_open_report(history):
    m = metrics.compute(7, now=NOW)

    assert m.open_by_age == [("Under 1 day", 1), ("1–3 days", 1), ("3–7 days", 2), ("Over 7 days", 1)]
    assert m.open_total == 5


def test_categories_include_every_category_with_its_label(history):
    m = metrics.compute(30, now=NOW)

    assert [(c.key, c.label, c.reports) for c in m.by_category] == [
        ("factual", CATEGORIES["factual"], 4),
        ("typo", CATEGORIES["typo"], 2),
        ("misleading", CATEGORIES["misleading"], 1),
        ("outdated", CATEGORIES["outdated"], 1),
        ("broken_link", CATEGORIES["broken_link"], 0),
        ("other", CATEGORIES["other"], 1),
    ]


def test_most_reported_articles_and_reports_per_day(history):
    m = metrics.compute(30, now=NOW)

    assert [(a.slug, a.title, a.reports) for a in m.top_articles] == [
        ("budget", "Council approves budget", 6),
        ("bridge", "Bridge closed for repairs", 3),
    ]
    assert len(m.per_day) == 31
    assert m.per_day[0][0] == date(2026, 11, 1) and m.per_day[-1][0] == date(2026, 12, 1)
    per_day = dict(m.per_day)
    assert sum(per_day.values()) == m.received
    assert per_day[date(2026, 12, 1)] == 1  # 2 hours before noon
    assert per_day[date(2026, 11, 27)] == 2  # 4 days, and 4 days 2 hours, before
    assert per_day[date(2026, 11, 30)] == 1  # 25 hours before
    assert per_day[date(2026, 11, 11)] == 1  # the report corrected, 20 days before
    assert per_day[date(2026, 11, 12)] == 0


def test_days_are_utc_days_whatever_the_database_time_zone(app):
    article = make_article()
    aged(article, 13 * H)  # 23:00 UTC on 30 November: already 1 December in Auckland
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET TIME ZONE 'Pacific/Auckland'"))

    per_day = dict(metrics.compute(7, now=NOW).per_day)

    assert per_day[date(2026, 11, 30)] == 1
    assert per_day[date(2026, 12, 1)] == 0


def test_reports_received_after_now_or_before_the_window_are_left_out(history):
    budget, _bridge = history
    aged(budget, -H, "new")

    m = metrics.compute(7, now=NOW)

    assert m.received == 7
    assert sum(n for _, n in m.per_day) == 7
    assert m.corrections == 0 and m.median_to_correction is None


def test_empty_window_has_no_medians_and_no_rate(app):
    m = metrics.compute(30, now=NOW)

    assert m.received == 0
    assert m.median_first_action is None and m.median_to_correction is None
    assert m.acceptance_rate is None
    assert m.top_articles == []
    assert all(n == 0 for _, n in m.per_day)
    assert [c.reports for c in m.by_category] == [0] * len(CATEGORIES)


@pytest.mark.parametrize(("value", "words"), [
    (None, "—"),
    (timedelta(0), "0 min"),
    (timedelta(seconds=20), "under 1 min"),
    (timedelta(minutes=45), "45 min"),
    (timedelta(hours=3, minutes=20), "3 h 20 min"),
    (timedelta(hours=3), "3 h"),
    (timedelta(hours=23, minutes=59, seconds=50), "1 d"),
    (timedelta(days=2, hours=4), "2 d 4 h"),
    (timedelta(days=2, hours=4, minutes=40), "2 d 5 h"),
])
def test_durations_read_as_words(value, words):
    assert metrics.duration_words(value) == words


@pytest.mark.parametrize(("value", "days"), [("7", 7), ("30", 30), ("90", 90), (" 90 ", 90), ("365", 365), ("", None),
                                              ("14", None), ("abc", None), ("-7", None), (None, None)])
def test_window_from_the_address(value, days):
    assert metrics.parse_window(value) == days


@pytest.mark.databases("sqlite")
def test_page_needs_a_login(client):
    response = client.get("/editor/metrics")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/editor/login")


def current_window(page: str) -> str:
    return re.search(r'<a href="[^"]*" aria-current="page">(\d+) days</a>', page).group(1)


def recent(article, age, status="new", **fields):
    return aged(article, age, status, now=utcnow(), **fields)


def test_page_shows_the_figures(editor_client):
    article = make_article(title="Council approves budget", slug="budget")
    recent(article, 3 * H, "in_review", category="typo", first_action=3 * H + 20 * timedelta(minutes=1))
    recent(article, 2 * D, "corrected", first_action=H, closed=2 * D + 4 * H)
    recent(article, 3 * D, "rejected", first_action=H, closed=H)

    page = editor_client.get("/editor/metrics").get_data(as_text=True)

    assert current_window(page) == "30"
    assert "3 h 20 min" not in page  # median of 3 h 20 min and 1 h and 1 h is 1 h
    assert ">1 h<" in page
    assert "2 d 4 h" in page
    assert "50%" in page
    for key, label in ((key, str(label)) for key, label in CATEGORIES.items()):
        count = {"typo": 1, "factual": 2}.get(key, 0)
        assert re.search(rf"<th scope=\"row\">{re.escape(label)}</th><td class=\"num\">{count}</td>", page), label
    assert 'href="/articles/budget"' in page
    assert 'href="/editor/?status=all&amp;article=budget"' in page or \
        'href="/editor/?article=budget&amp;status=all"' in page


def test_page_without_decisions_shows_dashes(editor_client):
    page = editor_client.get("/editor/metrics").get_data(as_text=True)
    speed = page.split('id="speed"', 1)[1].split("</section>", 1)[0]

    assert speed.count('<td class="num">—</td>') == 3
    assert "No reports in the last 30 days." in page


def test_window_switching(editor_client):
    article = make_article()
    recent(article, 2 * D)
    recent(article, 20 * D)
    recent(article, 60 * D)
    recent(article, 200 * D)

    for days, received in (("7", 1), ("30", 2), ("90", 3), ("365", 4)):
        page = editor_client.get(f"/editor/metrics?days={days}").get_data(as_text=True)
        assert current_window(page) == days
        assert f"Reports received in the last {days} days" in page
        assert re.search(rf"<strong>{received}</strong>", page), days
        # One window is current (the header marks Metrics as the current page too).
        assert len(re.findall(r'aria-current="page">\d+ days<', page)) == 1


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("days", ["abc", "14", "0", "7days"])
def test_a_bad_window_falls_back_to_30_days(editor_client, days):
    response = editor_client.get(f"/editor/metrics?days={days}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert current_window(page) == "30"
    assert "Reports received in the last 30 days" in page
    assert "Ignored in the address: days" in page


@pytest.mark.databases("sqlite")
def test_charts_are_drawn_and_a_hostile_title_is_escaped(editor_client):
    hostile = make_article(title="<script>alert(1)</script>", slug="hostile")
    recent(hostile, H)

    page = editor_client.get("/editor/metrics").get_data(as_text=True)

    assert page.count('<svg class="chart" role="img"') == 3
    assert '<title id="chart-categories-title">' in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()


def chart(app, rows, **options) -> str:
    with app.test_request_context():
        return render_template_string(
            '{% from "macros/charts.html" import bar_chart %}{{ bar_chart(rows, "c", "Test chart", **options) }}',
            rows=rows, options=options,
        )


def bar_widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect class="chart-bar"[^>]* width="([\d.]+)%"', svg)]


@pytest.mark.databases("sqlite")
def test_chart_scales_to_the_largest_value_and_escapes_labels(app):
    svg = chart(app, [("<script>alert(1)</script>", 2), ("Second & last", 4)])

    assert 'role="img" aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Test chart</title>' in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "<script>" not in svg
    assert "Second &amp; last" in svg
    assert "Highest: Second &amp; last, 4." in svg
    small, large = bar_widths(svg)
    assert large == 97 and small == 48.5


@pytest.mark.databases("sqlite")
def test_a_long_bar_carries_its_value_inside_and_a_short_one_after_it(app):
    """On a phone the room after the longest bar is too narrow for a value such as "2 h 20 min"."""
    svg = chart(app, [("Nov 2026", 1, "40 min"), ("Dec 2026 (so far)", 4, "2 h 20 min")], label_width=38)

    inside = re.findall(r'<text class="chart-value chart-value-inside" x="([\d.]+)%" dx="-5"[^>]*'
                        r'text-anchor="end">([^<]*)</text>', svg)
    after = re.findall(r'<text class="chart-value" x="([\d.]+)%" dx="5"[^>]*>([^<]*)</text>', svg)
    assert inside == [("97.00", "2 h 20 min")] and after == [(f"{39 + 58 / 4:.2f}", "40 min")]


@pytest.mark.databases("sqlite")
def test_chart_handles_zeros_and_no_data(app):
    zeros = chart(app, [("a", 0), ("b", 0)])
    assert bar_widths(zeros) == [0, 0]
    assert "All values are zero." in zeros

    empty = chart(app, [])
    assert "<svg" in empty and "No data" in empty and "<rect" not in empty


@pytest.mark.databases("sqlite")
def test_chart_cuts_long_labels_but_keeps_them_in_the_tooltip(app):
    label = "A very long article title " * 4

    svg = chart(app, [(label, 1)], max_label=20)

    assert f"<title>{label}: 1</title>" in svg
    assert re.search(r'<text class="chart-label"[^>]*>[^<]{19}…</text>', svg)



def test_page_runs_the_same_number_of_queries_whatever_the_data(editor_client):
    articles = [make_article() for _ in range(12)]
    statuses = ["new", "in_review", "accepted", "rejected", "corrected", "spam"]

    def add(n):
        for i in range(n):
            recent(articles[i % len(articles)], (i % 40) * D + H, statuses[i % len(statuses)],
                   category=list(CATEGORIES)[i % len(CATEGORIES)], first_action=H, closed=2 * H)

    add(5)
    few = count_queries(editor_client, "/editor/metrics?days=90")
    add(55)
    many = count_queries(editor_client, "/editor/metrics?days=90")

    assert few == many
    # The tallies' fold check, counts by key, by day, each median's buckets and its middle values, the most
    # reported articles (candidates, their counts, everyone's when they do not settle it, titles), deadlines ahead,
    # open reports by age, the articles and the notices by source type, the same error elsewhere's four (items found,
    # decided, open, sweeps); and the page's own.
    assert many <= 18




@pytest.mark.databases("sqlite")  # the planner whose estimate this is about
def test_the_deadlines_still_running_are_read_from_their_indexes(app):
    """The window's reports still waiting on a deadline ahead: SQLite takes a range open on one side for a quarter
    of the table and read every report instead of the deadline's index (700 ms at a million reports)."""
    run = statements_run(lambda: metrics.compute(30, now=NOW), "first_action_due_at >=")
    [(statement, parameters)] = run
    plan = planned_at_a_million_reports(statement, parameters)
    assert "ix_report_first_action_due_at" in plan and "ix_report_resolution_due_at" in plan, plan
    assert "SCAN report" not in plan, plan
