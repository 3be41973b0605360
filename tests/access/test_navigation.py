"""The header's links: what each visitor gets, the current page marked, the admin pages behind one "Admin" link."""

import re

import pytest

from corrections.editor.admin import PAGES
from tests.helpers import file_report, make_article

# HTML-only checks: one database is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def header(page: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', page, re.S).group(0)


def current(page: str) -> list[str]:
    """The texts of the header links marked as the current page."""
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', header(page))


def test_an_admin_header_has_the_public_links_and_one_admin_link_for_the_admin_pages(admin_client):
    shown = header(admin_client.get("/editor/").get_data(as_text=True))
    links = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]+)</a>', shown)
    assert [text for _, text in links] == ["Newsroom", "Latest", "Corrections", "Queue", "Changes", "Elsewhere",
                                           "Metrics", "Admin", "Your account"]
    assert ("/editor/admin", "Admin") in links
    for page in PAGES:
        assert f">{page.label}<" not in shown


def test_a_plain_editor_gets_no_admin_link(editor_client):
    shown = header(editor_client.get("/editor/").get_data(as_text=True))
    assert "Latest" in shown and "Corrections" in shown and "Queue" in shown
    assert "/editor/admin" not in shown


@pytest.mark.parametrize(("url", "marked"), [
    ("/editor/", "Queue"),
    ("/editor/?status=all&category=typo", "Queue"),
    ("/editor/views", "Queue"),
    ("/editor/changes", "Changes"),
    ("/editor/elsewhere?state=dismissed", "Elsewhere"),
    ("/editor/metrics", "Metrics"),
    ("/editor/account", "Your account"),
    ("/editor/admin", "Admin"),
    ("/editor/admin/clocks", "Admin"),
    ("/editor/admin/webhooks", "Admin"),
    ("/", "Latest"),
    ("/corrections", "Corrections"),
])
def test_the_header_marks_the_page_the_editor_is_on(admin_client, url, marked):
    page = admin_client.get(url)
    assert page.status_code == 200
    assert current(page.get_data(as_text=True)) == [marked]


def test_a_report_page_is_part_of_the_queue(admin_client):
    report = file_report(make_article())
    assert current(admin_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)) == ["Queue"]


def test_an_article_page_marks_nothing(client):
    article = make_article()
    assert current(client.get(f"/articles/{article.slug}").get_data(as_text=True)) == []


def test_a_visitor_without_a_session_gets_the_public_links_only(client):
    shown = header(client.get("/corrections").get_data(as_text=True))
    links = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]+)</a>', shown)
    assert links == [("/", "Newsroom"), ("/", "Latest"), ("/corrections", "Corrections")]
    assert current(shown) == ["Corrections"]


def test_the_admin_hub_lists_every_admin_page_with_a_line(admin_client):
    page = admin_client.get("/editor/admin").get_data(as_text=True)
    main = page.split('<main', 1)[1]
    for admin_page in PAGES:
        address = admin_client.application.url_map.bind("localhost").build(admin_page.endpoint)
        label = str(admin_page.label)
        link = rf'<a href="{re.escape(address)}">{re.escape(label)}</a> <span class="meta">\w'
        assert re.search(link, main), admin_page
        assert admin_client.get(address).status_code == 200


def test_admin_pages_link_each_other_and_mark_their_own(admin_client):
    page = admin_client.get("/editor/admin/desks").get_data(as_text=True)
    row = re.search(r'<nav class="admin-nav" aria-label="Admin pages">.*?</nav>', page, re.S).group(0)
    assert re.findall(r">([^<]+)</a>", row) == [p.label for p in PAGES]
    assert re.findall(r'aria-current="page">([^<]+)</a>', row) == ["Desks"]
    # The hub lists them already: no second row there.
    assert "admin-nav" not in admin_client.get("/editor/admin").get_data(as_text=True)


def test_a_plain_editor_cannot_open_the_admin_hub(editor_client):
    assert editor_client.get("/editor/admin").status_code == 403
