"""What every page's <head> tells browsers and search engines: the site's icon and a description of the page."""

import html
import re

import pytest

from tests.helpers import make_article

# HTML-only checks: one database is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def description(page: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', page)
    assert len(found) == 1, found
    return html.unescape(found[0])


def test_favicon_is_served_as_an_icon_and_cached(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert "max-age=86400" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    assert client.get("/favicon.ico", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_every_page_links_the_svg_icon(client, editor_client):
    for page in (client.get("/").get_data(as_text=True), editor_client.get("/editor/").get_data(as_text=True)):
        href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
        icon = client.get(href)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def test_an_article_is_described_by_its_lede(client):
    article = make_article(body="<p>The council approved the budget on Tuesday.</p><p>Work starts in March.</p>")
    assert description(client.get(f"/articles/{article.slug}").get_data(as_text=True)) == (
        "The council approved the budget on Tuesday.")


def test_public_pages_have_descriptions_of_their_own(client, app):
    site = description(client.get("/").get_data(as_text=True))
    assert app.config["SITE_NAME"] in site
    log = description(client.get("/corrections").get_data(as_text=True))
    figures = description(client.get("/transparency").get_data(as_text=True))
    assert "correction" in log.lower() and "reports" in figures
    assert len({site, log, figures}) == 3


def test_the_site_description_can_be_set(make_app):
    app = make_app(SITE_DESCRIPTION="Local news for Harbourford & the bay.")
    assert description(app.test_client().get("/").get_data(as_text=True)) == "Local news for Harbourford & the bay."
