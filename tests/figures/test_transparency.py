"""The public accountability page (/transparency) and the organisation's policies in the home page's JSON-LD.

The figures are recomputed here from the stored rows, in Python, by a method of our own, and compared
with what the page shows.
"""

import json
import random
import re
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from corrections.extensions import db
from corrections.figures import metrics, transparency
from corrections.models import Article, Notice, Policy, Report, utcnow
from tests.helpers import count_queries, csrf_token, file_report, make_article
from tests.hostile import assert_inert_html, json_ld

KINDS = ("correction", "clarification", "update", "editors_note")
SECTIONS = ("Politics", "Sport", "Science", "")
MICRO = timedelta(microseconds=1)


def window_start(now: datetime) -> datetime:
    """The first instant of the calendar month eleven months before now's (independently of the app)."""
    index = now.year * 12 + now.month - 1 - 11
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def make_history(now: datetime, seed: int = 7, reports: int = 80, notices: int = 30) -> None:
    """Reports and notices spread over the last 14 months (some before the window), every status, every kind."""
    rng = random.Random(seed)
    articles = [make_article(section=SECTIONS[i % len(SECTIONS)]) for i in range(6)]
    statuses = ("new", "in_review", "accepted", "rejected", "duplicate", "spam", "corrected", "corrected")
    for _ in range(reports):
        report = file_report(rng.choice(articles))
        created = now - timedelta(days=rng.uniform(0, 420), seconds=rng.randint(0, 86_399))
        status = rng.choice(statuses)
        closed = created + timedelta(hours=rng.uniform(0.1, 400)) if status not in ("new", "in_review") else None
        # A correction published after "now" cannot be: keep the timestamps in order.
        if closed is not None and closed > now:
            closed = now
        db.session.execute(update(Report).where(Report.id == report.id)
                           .values(created_at=created, status=status, closed_at=closed))
    for _ in range(notices):
        published = now - timedelta(days=rng.uniform(0, 420))
        withdrawn = published + timedelta(hours=1) if rng.random() < 0.15 else None
        if withdrawn is not None and withdrawn > now:
            withdrawn = now
        db.session.add(Notice(article=rng.choice(articles), kind=rng.choice(KINDS), text="A notice text here.",
                              published_at=published, withdrawn_at=withdrawn,
                              withdrawn_by="x" if withdrawn else ""))
    db.session.commit()


def expected(now: datetime) -> dict:
    """The page's figures recomputed from the rows, the slow and obvious way."""
    db.session.expire_all()
    start = window_start(now)
    received = [r for r in db.session.scalars(select(Report))
                if start <= r.created_at <= now and r.status != "spam"]
    months = {}
    for r in received:
        m = months.setdefault(r.created_at.strftime("%Y-%m"), {"received": 0, "answered": 0, "durations": []})
        m["received"] += 1
        m["answered"] += r.status in ("accepted", "corrected", "rejected", "duplicate")
        if r.status == "corrected":
            m["durations"].append(r.closed_at - r.created_at)
    durations = [d for m in months.values() for d in m["durations"]]
    shown = [c for c in db.session.scalars(select(Notice))
             if c.withdrawn_at is None and start <= c.published_at <= now]
    by_kind = {kind: sum(c.kind == kind for c in shown) for kind in KINDS}
    by_section = {}
    for c in shown:
        label = c.article.section or "No section"
        by_section[label] = by_section.get(label, 0) + 1
    return {
        "start": start, "months": months, "received": len(received),
        "answered": sum(m["answered"] for m in months.values()),
        "median": statistics.median(durations) if durations else None,
        "by_kind": by_kind, "by_section": by_section, "corrections": len(shown),
    }


@pytest.mark.parametrize("seed", [7, 8])
def test_the_figures_are_those_the_rows_give(app, seed):
    now = utcnow()
    make_history(now, seed=seed)
    want = expected(now)

    got = transparency.compute(now)

    assert got.start == want["start"]
    assert len(got.months) == 12 and got.months[-1].key == now.strftime("%Y-%m")
    assert [m.start.day for m in got.months] == [1] * 12
    for month in got.months:
        w = want["months"].get(month.key, {"received": 0, "answered": 0, "durations": []})
        assert (month.received, month.answered, month.corrected) == (w["received"], w["answered"],
                                                                     len(w["durations"])), month.key
        # Exact, to the microsecond: the medians come from the durations the triggers keep.
        assert month.median_to_correction == (statistics.median(w["durations"]) if w["durations"] else None), \
            month.key
    assert (got.received, got.answered) == (want["received"], want["answered"])
    assert got.received > 20 and 0 < got.answered < got.received
    assert got.median_to_correction == want["median"]
    assert {kind: n for kind, _, n in got.by_kind} == want["by_kind"]
    assert dict(got.by_section) == want["by_section"]
    assert got.notices == want["corrections"]


def test_medians_of_even_and_odd_counts_and_months_without_corrections(app):
    now = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
    article = make_article()

    def corrected(created: datetime, hours: float):
        report = file_report(article)
        db.session.execute(update(Report).where(Report.id == report.id).values(
            created_at=created, status="corrected", closed_at=created + timedelta(hours=hours)))

    for hours in (1, 2, 10, 30):  # October: even count, median 6 h
        corrected(datetime(2026, 10, 5, tzinfo=UTC), hours)
    for hours in (5, 1, 3):  # November: odd count, median 3 h
        corrected(datetime(2026, 11, 2, tzinfo=UTC), hours)
    db.session.commit()

    got = transparency.compute(now)

    by_key = {m.key: m for m in got.months}
    assert by_key["2026-10"].median_to_correction == timedelta(hours=6)
    assert by_key["2026-11"].median_to_correction == timedelta(hours=3)
    assert by_key["2026-09"].median_to_correction is None and by_key["2026-09"].received == 0
    assert got.median_to_correction == timedelta(hours=3)  # 1, 1, 2, 3, 5, 10, 30
    assert got.months[0].key == "2025-12"


def test_a_report_at_the_first_instant_of_a_month_counts_in_that_month_only(app):
    """Months side by side share no instant: a report at midnight on the 1st, and one a microsecond before, each
    count in their own month's figures and median, and once in the whole period's."""
    now = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
    article = make_article()
    for created, hours in ((datetime(2026, 11, 1, tzinfo=UTC), 4), (datetime(2026, 11, 1, tzinfo=UTC) - MICRO, 2),
                           (datetime(2026, 10, 1, tzinfo=UTC), 8), (datetime(2026, 12, 1, tzinfo=UTC) - MICRO, 1)):
        report = file_report(article)
        db.session.execute(update(Report).where(Report.id == report.id).values(
            created_at=created, status="corrected", closed_at=created + timedelta(hours=hours)))
    db.session.commit()

    got = transparency.compute(now)

    by_key = {m.key: m for m in got.months}
    assert (by_key["2026-10"].received, by_key["2026-10"].median_to_correction) == (2, timedelta(hours=5))
    # The last report arrived after `now`: not counted.
    assert (by_key["2026-11"].received, by_key["2026-11"].median_to_correction) == (1, timedelta(hours=4))
    assert got.received == 3 and got.median_to_correction == timedelta(hours=4)


def test_months_are_utc_months_whatever_the_database_session_says(app):
    now = datetime(2026, 11, 15, tzinfo=UTC)
    report = file_report(make_article())
    # 23:30 UTC on 31 October: already November in Berlin, still October in UTC.
    db.session.execute(update(Report).where(Report.id == report.id)
                       .values(created_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC)))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SET TIME ZONE 'Europe/Berlin'"))

    by_key = {m.key: m.received for m in transparency.compute(now).months}

    assert (by_key["2026-10"], by_key["2026-11"]) == (1, 0)


def test_months_are_those_of_the_sites_time_zone(make_app):
    app = make_app(TIMEZONE="Europe/Budapest")
    with app.app_context():
        article = make_article(section="Local")
        # 00:30 on 1 December in Budapest, 23:30 UTC on 30 November: a report, corrected in two hours, and a notice.
        moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
        report = file_report(article)
        db.session.execute(update(Report).where(Report.id == report.id).values(
            created_at=moment, status="corrected", closed_at=moment + timedelta(hours=2)))
        db.session.add(Notice(article=article, kind="correction", text="A notice text here.", published_at=moment))
        db.session.commit()

        december = transparency.compute(datetime(2026, 12, 10, tzinfo=UTC))
        # A year on, December 2026 is the first of the twelve months.
        year_on = transparency.compute(datetime(2027, 11, 10, tzinfo=UTC))

    by_key = {m.key: (m.received, m.median_to_correction) for m in december.months}
    assert (by_key["2026-11"], by_key["2026-12"]) == ((0, None), (1, timedelta(hours=2)))
    assert year_on.months[0].key == "2026-12" and year_on.months[0].received == 1
    assert (year_on.received, year_on.notices, year_on.by_section) == (1, 1, [("Local", 1)])


def test_sections_beyond_the_top_ones_are_summed(app):
    now = utcnow()
    for i in range(transparency.TOP_SECTIONS + 3):
        article = make_article(section=f"Section {i:02d}")
        for _ in range(1 + (i == 0)):
            db.session.add(Notice(article=article, kind="correction", text="A notice text.",
                                  published_at=now - timedelta(days=1)))
    db.session.commit()

    sections = transparency.compute(now).by_section

    assert sections[0] == ("Section 00", 2)
    assert len(sections) == transparency.TOP_SECTIONS
    assert sections[-1] == ("Other sections", 4)
    assert sum(n for _, n in sections) == transparency.TOP_SECTIONS + 4


# --- The page ----------------------------------------------------------------------------------------------------

@pytest.fixture
def fresh(make_app):
    """An app that recomputes the figures on every request."""
    app = make_app(TRANSPARENCY_CACHE_SECONDS=0)
    with app.app_context():
        yield app


def cells(page: str, key: str) -> list[str]:
    """The cells of the first table row for month `key` (YYYY-MM)."""
    row = re.search(rf'<time datetime="{key}">[^<]*</time></th>(.*?)</tr>', page, re.S)
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_the_page_shows_the_figures_the_database_holds(fresh):
    now = utcnow()
    make_history(now)
    want = expected(now)

    response = fresh.test_client().get("/transparency")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_inert_html(page, "/transparency")
    for key, w in want["months"].items():
        share = f"{round(w['answered'] / w['received'] * 100)}%" if w["received"] else "—"
        assert cells(page, key) == [str(w["received"]), str(w["answered"]), share], key
    assert f'<td class="num">{want["received"]}</td><td class="num">{want["answered"]}</td>' in page
    assert metrics.duration_words(want["median"]) in page
    for kind, label in (("correction", "Correction"), ("editors_note", "Editor’s note")):
        assert re.search(rf'kind={kind}">{label}</a></th><td class="num">{want["by_kind"][kind]}</td>', page)
    for section, n in want["by_section"].items():
        assert f'<th scope="row">{section}</th><td class="num">{n}</td>' in page
    assert page.count('<svg class="chart" role="img"') == 5
    assert "What the figures count" in page and "held as spam" in page


def test_the_page_with_no_data_says_so_without_errors(fresh):
    page = fresh.test_client().get("/transparency").get_data(as_text=True)
    assert "No notices were published in the last 12 months." in page
    assert page.count('<svg class="chart" role="img"') == 4
    assert "<td class=\"num\">—</td>" in page


def test_the_page_runs_the_same_few_queries_whatever_the_data(fresh):
    client = fresh.test_client()
    empty = count_queries(client, "/transparency")
    make_history(utcnow(), reports=12, notices=4)
    few = count_queries(client, "/transparency")
    make_history(utcnow(), seed=8, reports=120, notices=60)
    many = count_queries(client, "/transparency")
    # The policies, the tallies' fold check, reports by month and status, the medians' buckets and middle values
    # (none to read with no corrected report), the notices, the articles by source type, and the same error
    # elsewhere's four (items found, decided, open, sweeps).
    assert empty <= few == many <= 11


def test_the_figures_are_kept_for_a_while_and_the_page_may_be_cached(make_app):
    app = make_app(TRANSPARENCY_CACHE_SECONDS=300)
    with app.app_context():
        client = app.test_client()
        first = client.get("/transparency")
        assert first.headers["Cache-Control"] == "public, max-age=300"
        file_report(make_article())
        assert count_queries(client, "/transparency") == 1  # the policies only
        assert transparency.compute().received == 1


@pytest.mark.databases("sqlite")
def test_the_sections_the_figures_name_speak_each_pages_language(make_app):
    # The figures are kept for a while (the default): a German page reads them after an English one computed them.
    app = make_app(LANGUAGES=["en", "de"])
    with app.app_context():
        now = utcnow()
        for i in range(transparency.TOP_SECTIONS + 1):
            article = make_article(section=f"Section {i:02d}" if i else "")
            db.session.add(Notice(article=article, kind="correction", text="A notice text.",
                                  published_at=now - timedelta(days=1)))
        db.session.commit()
    client = app.test_client()

    english = client.get("/transparency", headers={"Accept-Language": "en"}).get_data(as_text=True)
    german = client.get("/transparency", headers={"Accept-Language": "de"}).get_data(as_text=True)

    assert "No section" in english and "Other sections" in english
    assert "No section" not in german and "Other sections" not in german
    assert "Ohne Ressort" in german and "Andere Ressorts" in german


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize(("zone", "english", "hungarian"), [
    ("UTC", "Months are calendar months in UTC;", "UTC szerint"),
    ("Europe/Budapest", "Months are calendar months in Central European Time;", "közép-európai idő szerint"),
])
def test_the_page_names_the_time_zone_its_months_are_in(make_app, zone, english, hungarian):
    app = make_app(TIMEZONE=zone, LANGUAGES=["en", "hu"])
    client = app.test_client()

    pages = [client.get("/transparency", headers={"Accept-Language": tag}).get_data(as_text=True)
             for tag in ("en", "hu")]

    assert english in pages[0]
    assert hungarian in pages[1]


@pytest.mark.databases("sqlite")
def test_the_footer_and_the_corrections_log_link_to_the_page(client):
    make_article()
    for url in ("/", "/corrections"):
        assert 'href="/transparency"' in client.get(url).get_data(as_text=True)


# --- Policies and the organisation's JSON-LD -----------------------------------------------------------------------

def organisation(client) -> dict:
    [data] = [d for d in json_ld(client.get("/").get_data(as_text=True)) if d.get("@type") == "NewsMediaOrganization"]
    return data


def save(client, **fields):
    data = {"csrf_token": csrf_token(client, "/editor/admin/policies")}
    for key in ("publishing_principles", "corrections", "feedback"):
        data.setdefault(f"{key}_url", "")
        data.setdefault(f"{key}_text", "")
    data.update(fields)
    return client.post("/editor/admin/policies", data=data)


@pytest.mark.databases("sqlite")
def test_the_home_page_names_the_organisation_without_policies_until_set(client):
    data = organisation(client)
    assert data["name"] == "Newsroom" and data["url"] == "http://localhost/"
    assert not {"publishingPrinciples", "correctionsPolicy", "actionableFeedbackPolicy"} & data.keys()


@pytest.mark.databases("sqlite")
def test_an_admin_sets_policy_links_and_texts_and_the_json_ld_carries_them(app, client, admin_client):
    response = save(admin_client, publishing_principles_url="https://www.example-news.org/standards",
                    corrections_text="We correct errors promptly.\n\nCorrections are shown at the top of the article.",
                    feedback_url="https://www.example-news.org/contact",
                    feedback_text="Ignored while a URL is set.")
    assert response.status_code == 302

    data = organisation(client)
    assert data["publishingPrinciples"] == "https://www.example-news.org/standards"
    assert data["correctionsPolicy"] == "http://localhost/policies/corrections"
    assert data["actionableFeedbackPolicy"] == "https://www.example-news.org/contact"
    page = client.get("/policies/corrections").get_data(as_text=True)
    assert "<p>We correct errors promptly.</p><p>Corrections are shown at the top of the article.</p>" in page
    assert "<h1>Corrections policy</h1>" in page
    assert client.get("/policies/publishing-principles").status_code == 404  # a link only: nothing to serve
    assert client.get("/policies/feedback").status_code == 200  # its text is served, the URL is what is linked
    assert client.get("/policies/nonsense").status_code == 404
    stored = db.session.get(Policy, "corrections")
    assert stored.updated_by == "Ada Admin"
    transparency_page = client.get("/transparency").get_data(as_text=True)
    assert 'href="https://www.example-news.org/standards">Publishing principles</a>' in transparency_page

    # The admin page shows what is set; emptying both fields of a policy removes it.
    form = admin_client.get("/editor/admin/policies").get_data(as_text=True)
    assert "We correct errors promptly." in form and 'value="https://www.example-news.org/standards"' in form
    assert save(admin_client, publishing_principles_url="https://www.example-news.org/standards").status_code == 302
    assert "correctionsPolicy" not in organisation(client)
    assert client.get("/policies/corrections").status_code == 404


@pytest.mark.databases("sqlite")
def test_policy_text_is_sanitised_and_json_ld_escaped(client, admin_client):
    hostile = ('<p>Our policy</p><script>alert(1)</script><img src=x onerror=alert(1)>'
               '<a href="javascript:alert(1)">x</a></script><script>alert(2)</script>')
    assert save(admin_client, corrections_text=hostile,
                feedback_url="https://example.org/</script><script>alert(1)</script>").status_code == 302
    page = client.get("/policies/corrections").get_data(as_text=True)
    assert_inert_html(page, "/policies/corrections")
    assert "Our policy" in page
    home = client.get("/").get_data(as_text=True)
    assert_inert_html(home, "/")
    assert "</script><script>" not in home
    assert organisation(client)["actionableFeedbackPolicy"] == "https://example.org/</script><script>alert(1)</script>"


@pytest.mark.databases("sqlite")
def test_policy_text_keeps_its_words_around_hostile_markup(client, admin_client):
    hostile = ('<p>We correct errors promptly.</p><math><mtext><table><mglyph><style><!--</style>'
               '<img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;"></style>Write to the standards editor.')
    assert save(admin_client, corrections_text=hostile).status_code == 302

    page = client.get("/policies/corrections").get_data(as_text=True)
    assert_inert_html(page, "/policies/corrections")
    assert "We correct errors promptly." in page and "Write to the standards editor." in page


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("fields, message", [
    ({"corrections_url": "ftp://example.org/policy"}, "Corrections policy: use an http:// or https:// address"),
    ({"feedback_url": "javascript:alert(1)"}, "Reader feedback policy: use an http:// or https:// address"),
    ({"publishing_principles_url": "https://example.org/" + "p" * 2000}, "under 2,000 characters"),
    ({"corrections_text": "x" * 50_001}, "please keep the text under 50,000 characters"),
], ids=["ftp", "javascript", "long url", "long text"])
def test_a_bad_policy_is_refused_with_a_message_and_nothing_typed_is_lost(app, admin_client, fields, message):
    typed = {"feedback_text": "Tell us about errors with the form on each article.", **fields}
    response = save(admin_client, **typed)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Tell us about errors with the form on each article." in page
    assert db.session.scalars(select(Policy)).all() == [], "nothing is saved while a field is wrong"


@pytest.mark.databases("sqlite")
def test_the_policies_page_is_for_admins(editor_client):
    assert editor_client.get("/editor/admin/policies").status_code == 403


def test_the_home_page_runs_no_more_queries_with_policies_set(client):
    make_article()
    before = count_queries(client, "/")
    db.session.add(Policy(key="corrections", url="https://example.org/c"))
    db.session.commit()
    assert count_queries(client, "/") == before
    assert json.dumps(organisation(client)).count("https://example.org/c") == 1
    assert db.session.scalar(select(Article.id)) is not None
