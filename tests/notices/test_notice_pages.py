"""An article's notices when it has many: the dashboard's article page a page at a time, the public page's newest
notices and its JSON-LD, the corrections log filtered to the article; each the same size and the same number of
queries however many notices and reports the article has."""

import html
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from corrections.editor import article as article_page
from corrections.extensions import db
from corrections.models import Notice, utcnow
from corrections.notices import publishing
from corrections.reports import workflow
from tests.helpers import (
    count_queries,
    csrf_token,
    file_report,
    login,
    make_article,
    make_editor,
    recorded_statements,
)

PER_PAGE = 3


@pytest.fixture
def app(make_app):
    app = make_app(EDITOR_NOTICES_PER_PAGE=PER_PAGE, ARTICLE_NOTICES_SHOWN=PER_PAGE, LOG_PER_PAGE=2)
    with app.app_context():
        yield app


def publish_many(article, n: int, editor, *, same_moment: int = 0) -> list[Notice]:
    """n notices on the article, a minute apart, oldest first; the last `same_moment` of them published in the
    same second (a page boundary must still keep them apart by id)."""
    start = utcnow() - timedelta(days=1)
    notices = []
    for i in range(n):
        notice = publishing.publish(article, "correction" if i % 2 else "update", f"Notice number {i} of this test.",
                                    by=editor)
        notice.published_at = start + timedelta(minutes=min(i, n - same_moment))
        notices.append(notice)
    db.session.commit()
    return notices


def newest_first(notices: list[Notice]) -> list[int]:
    return [n.id for n in sorted(notices, key=lambda n: (n.published_at, n.id), reverse=True)]


def shown_notices(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="correction-(\d+)"', page)]


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def json_ld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


@pytest.fixture
def editor_client(app):
    editor = make_editor()
    client = app.test_client()
    assert login(client, editor.email).status_code == 302
    return client


def test_the_dashboard_pages_reach_every_notice_exactly_once_and_back(app, editor_client):
    article = make_article()
    notices = publish_many(article, 8, make_editor("ben@example.org", "Ben"), same_moment=4)
    url = f"/editor/articles/{article.slug}"
    seen, pages = [], 0
    while url:
        page = editor_client.get(url).get_data(as_text=True)
        assert len(shown_notices(page)) <= PER_PAGE
        seen += shown_notices(page)
        pages += 1
        url = link(page, "next")
    assert seen == newest_first(notices)
    assert pages == 3
    # Back from the last page, a page at a time, to the first one (without a start of its own).
    back, visited = [], []
    url = link(page, "prev")
    while url:
        visited.append(url)
        page = editor_client.get(url).get_data(as_text=True)
        back = shown_notices(page) + back
        url = link(page, "prev")
    assert back == seen[:6] and len(visited) == 2
    assert visited[-1] == f"/editor/articles/{article.slug}"  # the first page, as the article's own address
    assert "Notices on this article (8)" in page


def test_a_start_from_another_article_or_no_notice_gives_the_first_page(app, editor_client):
    article, other = make_article(), make_article()
    editor = make_editor("ben@example.org", "Ben")
    mine = publish_many(article, 4, editor)
    theirs = publish_many(other, 1, editor)
    first = shown_notices(editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True))
    for start in (theirs[0].id, "x", 10**9):
        response = editor_client.get(f"/editor/articles/{article.slug}?notices_from={start}")
        assert response.status_code == 200
        assert shown_notices(response.get_data(as_text=True)) == first == newest_first(mine)[:PER_PAGE]


def test_the_dashboard_page_takes_the_same_queries_however_many_notices_and_reports(app, editor_client):
    article = make_article()
    editor = make_editor("ben@example.org", "Ben")
    publish_many(article, PER_PAGE, editor)
    # As few as can show everything the page shows: a notice resolving a report, a report to link.
    publishing.publish(article, "correction", "A correction resolving one report.", by=editor,
                       reports=[file_report(article)])
    db.session.commit()
    file_report(article)
    url = f"/editor/articles/{article.slug}"
    older = link(editor_client.get(url).get_data(as_text=True), "next")
    few, few_older = count_queries(editor_client, url), count_queries(editor_client, older)
    # Many more notices, each resolving reports, and many more reports to link.
    for n in range(12):
        reports = [file_report(article) for _ in range(n % 4 + 1)]
        publishing.publish(article, "correction", f"Another correction, number {n}.", by=editor, reports=reports)
        db.session.commit()
    for _ in range(article_page.LINKABLE_LISTED + 5):
        file_report(article)
    assert count_queries(editor_client, url) == few
    assert count_queries(editor_client, older) == few_older


def test_a_notice_names_its_first_reports_and_counts_the_others(app, editor_client):
    article = make_article()
    editor = make_editor("ben@example.org", "Ben")
    reports = [file_report(article) for _ in range(publishing.RESOLVES_LISTED + 2)]
    publishing.publish(article, "correction", "A correction resolving many reports.", by=editor, reports=reports)
    db.session.commit()
    page = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    for report in reports[:publishing.RESOLVES_LISTED]:
        assert f"/editor/reports/{report.id}\"" in page
    assert f"/editor/reports/{reports[-1].id}\"" not in page
    assert " and 2 more</p>" in page


def test_the_publish_form_lists_the_first_reports_to_link_accepted_first(app, editor_client, monkeypatch):
    monkeypatch.setattr(article_page, "LINKABLE_LISTED", 2)
    article = make_article()
    editor = make_editor("ben@example.org", "Ben")
    new = [file_report(article) for _ in range(3)]
    accepted = file_report(article)
    for to in ("in_review", "accepted"):
        workflow.move(accepted, to, by=editor)
    db.session.commit()
    page = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert re.findall(r'name="link" value="(\d+)"', page) == [str(accepted.id), str(new[0].id)]
    assert "The others are in the queue" in page
    # A form sent back keeps the reports ticked, wherever they come in the list.
    response = editor_client.post(f"/editor/articles/{article.slug}/corrections", data={
        "csrf_token": csrf_token(editor_client, f"/editor/articles/{article.slug}"), "kind": "correction", "text": "",
        "link": [str(new[2].id)]})
    assert response.status_code == 400
    ticked = re.findall(r'name="link" value="(\d+)" checked', response.get_data(as_text=True))
    assert ticked == [str(new[2].id)]


@pytest.mark.databases("sqlite")
def test_a_refused_amendment_of_an_older_notice_comes_back_on_its_page(app, editor_client):
    article = make_article()
    notices = publish_many(article, 7, make_editor("ben@example.org", "Ben"))
    oldest = notices[0]
    url = f"/editor/articles/{article.slug}"
    response = editor_client.post(f"{url}/corrections/{oldest.id}/amend", data={
        "csrf_token": csrf_token(editor_client, url), f"amend-{oldest.id}-kind": "correction",
        f"amend-{oldest.id}-text": "short"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert shown_notices(page)[0] == oldest.id
    assert re.search(rf'<details open>\s*<summary>Amend this notice</summary>\s*<form method="post" '
                     rf'action="{url}/corrections/{oldest.id}/amend"', page)


def test_the_public_page_shows_the_newest_notices_and_links_to_every_one(app, client):
    article = make_article()
    editor = make_editor()
    notices = publish_many(article, PER_PAGE + 2, editor)
    # The oldest notice amended since: the article's dateModified says so, though the page no longer shows it.
    publishing.amend(notices[0], "Notice number 0, amended after the others.", by=editor)
    db.session.commit()
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    newest = newest_first(notices)[:PER_PAGE]
    assert sorted(shown_notices(page)) == sorted(newest)
    assert "2 earlier notices on this article:" in page
    assert f'href="/corrections?article={article.slug}">see every notice</a>' in page
    data = json_ld(page)
    # The JSON-LD describes what the page shows: the same notices, oldest first.
    shown = sorted((n for n in notices if n.id in newest), key=lambda n: n.published_at)
    assert [c["text"] for c in data["correction"]] == [n.text for n in shown]
    assert data["dateModified"] == db.session.get(Notice, notices[0].id).updated_at.isoformat()


def test_the_public_page_of_an_article_with_few_notices_shows_them_all(app, client):
    article = make_article()
    notices = publish_many(article, PER_PAGE, make_editor())
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert sorted(shown_notices(page)) == sorted(n.id for n in notices)
    assert "earlier notice" not in page
    assert len(json_ld(page)["correction"]) == PER_PAGE


def test_the_public_page_takes_the_same_queries_and_size_however_many_notices(app, client):
    article = make_article()
    editor = make_editor()
    publish_many(article, PER_PAGE + 1, editor)
    url = f"/articles/{article.slug}"
    few, size = count_queries(client, url), len(client.get(url).get_data())
    publish_many(article, 20, editor)
    assert count_queries(client, url) == few
    assert abs(len(client.get(url).get_data()) - size) < 100
    # Kept by the page cache as before: a warm page checks its version at most.
    assert count_queries(client, url, cached=True) <= 1


def test_the_log_filtered_to_an_article_lists_each_of_its_notices_once(app, client):
    article, other = make_article(), make_article()
    editor = make_editor()
    notices = publish_many(article, 5, editor, same_moment=2)
    publish_many(other, 2, editor)
    withdrawn = notices[1]
    publishing.withdraw(withdrawn, "Published by mistake.", by=make_editor("ada@example.org", "Ada", is_admin=True))
    db.session.commit()
    url, seen = f"/corrections?article={article.slug}", []
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += shown_notices(page)
        url = link(page, "next")
    assert seen == [n for n in newest_first(notices) if n != withdrawn.id]
    assert f"Notices on “{article.title}”" in page
    assert f'<input type="hidden" name="article" value="{article.slug}">' in page
    assert client.get("/corrections?article=no-such-article").status_code == 404


def test_every_notice_is_in_the_log_of_its_article(app, client):
    """Whatever the page shows, a reader reaches every shown notice: the article's log lists them all."""
    article = make_article()
    notices = publish_many(article, 9, make_editor())
    listed = set()
    for page_number in (1, 2, 3, 4, 5):
        # Addresses from when the log was paged by number lead to the same notices, paged by key.
        listed |= set(shown_notices(client.get(f"/corrections?article={article.slug}&page={page_number}",
                                               follow_redirects=True).get_data(as_text=True)))
    assert listed == set(db.session.scalars(select(Notice.id).where(Notice.article_id == article.id))) \
        == {n.id for n in notices}


def months_counted(article=None) -> list:
    """The months with shown notices (of the article), newest first, by reading every notice: what the log's
    month list must say."""
    query = select(Notice.published_at).where(Notice.withdrawn_at.is_(None))
    if article is not None:
        query = query.where(Notice.article_id == article.id)
    found = {(moment.astimezone(UTC).year, moment.astimezone(UTC).month) for moment in db.session.scalars(query)}
    return [date(year, month, 1) for year, month in sorted(found, reverse=True)]


def publish_at(article, editor, moments) -> list[Notice]:
    notices = []
    for moment in moments:
        notice = publishing.publish(article, "correction", "A notice published at a chosen moment.", by=editor)
        notice.published_at = moment
        notices.append(notice)
    db.session.commit()
    return notices


def test_the_log_lists_the_months_that_have_notices_as_a_recount_does(app, client):
    article, other = make_article(), make_article()
    editor = make_editor()
    # Month edges to the microsecond, a gap of months, a new year, and a month whose only notice is withdrawn.
    publish_at(article, editor, [datetime(2025, 11, 30, 23, 59, 59, 999999, tzinfo=UTC),
                                 datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC),
                                 datetime(2026, 4, 15, 12, tzinfo=UTC)])
    only_in_february, _ = publish_at(other, editor, [datetime(2026, 2, 10, tzinfo=UTC),
                                                     datetime(2026, 3, 31, 23, 59, tzinfo=UTC)])
    publishing.withdraw(only_in_february, "Published by mistake.",
                        by=make_editor("ada@example.org", "Ada", is_admin=True))
    db.session.commit()

    assert publishing.log_months() == months_counted() == [
        date(2026, 4, 1), date(2026, 3, 1), date(2026, 1, 1), date(2025, 12, 1), date(2025, 11, 1)]
    assert publishing.log_months(article) == months_counted(article)
    assert publishing.log_months(other) == months_counted(other) == [date(2026, 3, 1)]
    assert publishing.log_months(make_article()) == []
    page = client.get(f"/corrections?article={other.slug}").get_data(as_text=True)
    assert '<option value="2026-03" >March 2026</option>' in page and "February 2026" not in page


def test_the_months_take_a_lookup_per_month_however_many_notices(app):
    article = make_article()
    editor = make_editor()
    months = [datetime(2026, month, 3, tzinfo=UTC) for month in (1, 2, 5)]
    publish_at(article, editor, months)
    with recorded_statements() as few:
        publishing.log_months()
    publish_at(article, editor, [moment + timedelta(days=day, hours=hour) for moment in months
                                 for day in range(20) for hour in range(3)])
    with recorded_statements() as many:
        listed = publishing.log_months()
    assert listed == publishing.log_months(article) == months_counted()
    # One step into each month listed, and one past the oldest.
    assert len(few) == len(many) == len(months) + 1


def walk_log(client, url: str, rel: str = "next") -> list[list[int]]:
    pages = []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(shown_notices(page))
        url = link(page, rel)
        assert len(pages) < 50, "the log's pager goes round in circles"
    return pages


@pytest.mark.parametrize("query", ["", "?kind=correction", "?article={slug}"])
def test_the_log_pages_by_key_both_ways_as_a_recount_does(app, client, query):
    article, other = make_article(), make_article()
    editor = make_editor()
    notices = publish_many(article, 6, editor, same_moment=3) + publish_many(other, 3, editor, same_moment=2)
    publishing.withdraw(notices[2], "Published by mistake.", by=make_editor("ada@example.org", "Ada", is_admin=True))
    db.session.commit()
    url = "/corrections" + query.format(slug=article.slug)
    shown = [n for n in notices if n.withdrawn_at is None and (not query or (
        n.kind == "correction" if "kind" in query else n.article_id == article.id))]
    pages = walk_log(client, url)
    assert sum(pages, []) == newest_first(shown)
    assert all(len(page) == 2 for page in pages[:-1]) and len(pages) >= 2
    last = client.get(url).get_data(as_text=True)
    for number in range(2, len(pages) + 1):
        # Each page from the key of the last notice of the one before; its number only says where the reader is.
        assert "after=" in link(last, "next") and f"page={number}" in link(last, "next")
        last = client.get(link(last, "next")).get_data(as_text=True)
        assert f"(page {number})</title>" in last
    assert sum(reversed(walk_log(client, link(last, "prev"), "prev")), []) + pages[-1] == sum(pages, [])


def test_an_old_page_number_leads_to_the_same_notices_by_key(app, client):
    article = make_article()
    notices = newest_first(publish_many(article, 7, make_editor(), same_moment=3))
    for number in (2, 3, 4):
        response = client.get(f"/corrections?article={article.slug}&page={number}")
        assert response.status_code == 301 and "after=" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert shown_notices(page) == notices[(number - 1) * 2:number * 2]
    assert client.get(f"/corrections?article={article.slug}&page=5").status_code == 404
    assert shown_notices(client.get(f"/corrections?article={article.slug}&page=1").get_data(as_text=True)) \
        == notices[:2]


def test_a_log_key_with_nothing_older_any_more_shows_the_page_ending_there(app, client):
    article = make_article()
    editor = make_editor()
    notices = publish_many(article, 5, editor)
    url = f"/corrections?article={article.slug}"
    pages = walk_log(client, url)
    last_link = link(client.get(link(client.get(url).get_data(as_text=True), "next")).get_data(as_text=True), "next")
    # The oldest notice, the only one on the last page, is withdrawn: its page's link now leads past the end.
    publishing.withdraw(notices[0], "Published by mistake.", by=make_editor("ada@example.org", "Ada", is_admin=True))
    db.session.commit()
    page = client.get(last_link).get_data(as_text=True)
    assert shown_notices(page) == pages[1] and link(page, "next") is None and link(page, "prev")
    # Keys that are not keys are ignored: the newest notices.
    for nonsense in ("after=2026-13-01_4", "after=x", "before=2026-01-01T00:00:00_1",
                     "after=2026-01-01T00:00:00%2B00:00_x"):
        response = client.get(f"{url}&{nonsense}")
        assert response.status_code == 200 and shown_notices(response.get_data(as_text=True)) == pages[0]


def test_the_logs_months_are_those_of_the_sites_time_zone(make_app):
    app = make_app(TIMEZONE="Europe/Budapest")
    with app.app_context():
        # 00:30 on 1 December in Budapest, 23:30 UTC on 30 November.
        db.session.add(Notice(article=make_article(), kind="correction", text="The midnight notice.",
                              published_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC)))
        db.session.commit()
        client = app.test_client()

        log = client.get("/corrections").get_data(as_text=True)
        december = client.get("/corrections?month=2026-12").get_data(as_text=True)
        november = client.get("/corrections?month=2026-11").get_data(as_text=True)

    assert re.findall(r'<option value="(\d{4}-\d\d)"', log) == ["2026-12"]
    assert "The midnight notice." in december and "The midnight notice." not in november


@pytest.mark.databases("sqlite")
def test_a_notices_kind_and_date_are_punctuated_in_the_pages_language(make_app):
    app = make_app(LANGUAGES=["en", "ar"])
    with app.app_context():
        article = make_article()
        db.session.add(Notice(article=article, kind="clarification", text="A clarification.", published_at=utcnow()))
        db.session.commit()
        client = app.test_client()

        pages = [client.get(f"/articles/{article.slug}", headers={"Accept-Language": tag}).get_data(as_text=True)
                 for tag in ("en", "ar")]

    assert re.search(r"<strong>Clarification</strong>, <time ", pages[0])
    # The Arabic comma, not a Latin one carried from the template.
    assert re.search(r"<strong>توضيح</strong>، <time ", pages[1])
