"""Absolute links (JSON-LD, feeds, e-mail, webhooks) come from BASE_URL when it is set, never from the Host a
request names; without it they follow the request, and a page built for another Host never shares an ETag."""

import json
import os
import re
import subprocess

import pytest

from corrections import create_app
from corrections.config import ConfigError
from corrections.extensions import db
from corrections.reports import workflow
from tests import conftest
from tests.helpers import form_tokens, make_article, make_editor, valid_report
from tests.infra.test_mail import outbox
from tests.infra.test_webhooks import deliveries, endpoint_for
from tests.live import CORRECTIONS

# Links are built from settings and the request, not from the database.
pytestmark = pytest.mark.databases("sqlite")

BASE = "https://corrections.example.org"
FORGED = {"Host": "evil.example"}


def json_ld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


@pytest.fixture
def site(make_app):
    """An app with BASE_URL, and without the tests' usual SERVER_NAME: only BASE_URL says where the site is."""
    app = make_app(BASE_URL=BASE + "/", SERVER_NAME=None)
    with app.app_context():
        yield app


def test_pages_and_feeds_link_to_base_url_whatever_the_host_and_scheme(site):
    article = make_article()
    client = site.test_client()
    page = client.get(f"/articles/{article.slug}", headers=FORGED).get_data(as_text=True)
    assert json_ld(page)["mainEntityOfPage"] == f"{BASE}/articles/{article.slug}"
    home = client.get("/", headers=FORGED).get_data(as_text=True)
    assert json_ld(home)["url"] == f"{BASE}/"
    feed = client.get("/corrections.atom", headers=FORGED).get_data(as_text=True)
    assert f'href="{BASE}/corrections.atom"' in feed
    api = client.get(f"/api/v1/articles/{article.slug}/corrections", headers=FORGED).get_data(as_text=True)
    for text in (page, home, feed, api):
        assert "evil.example" not in text and "http://" not in text.replace("http://www.w3.org", "")


def test_with_base_url_a_forged_host_gets_the_real_page_and_its_etag(site):
    article = make_article()
    client = site.test_client()
    for path in (f"/articles/{article.slug}", "/corrections.atom"):
        real = client.get(path, headers={"Host": "corrections.example.org"})
        forged = client.get(path, headers=FORGED)
        assert forged.data == real.data and forged.headers["ETag"] == real.headers["ETag"]


def test_e_mail_and_webhook_links_come_from_base_url_inside_and_outside_requests(site):
    endpoint_for("https://hooks.example.org/in")
    article = make_article()
    client = site.test_client()
    url, forged = f"/articles/{article.slug}/report", "http://evil.example"
    form = form_tokens(client.get(url, base_url=forged).get_data(as_text=True))
    assert client.post(url, base_url=forged, data={**form, **valid_report()}).status_code == 303

    [delivery] = deliveries()
    report = json.loads(delivery.body)["data"]["report"]
    assert report["dashboard_url"] == f"{BASE}/editor/reports/{report['id']}"
    assert report["article"]["url"] == f"{BASE}/articles/{article.slug}"

    # Rejected outside any request (as a command or a background job would): the link is still the site's.
    from corrections.models import Report

    workflow.reject(db.session.get(Report, report["id"]), "The article is right.",
                    by=make_editor("rita@example.org", "Rita Rejecter"))
    db.session.commit()
    # The reader's address was asked to confirm first; the outcome waits for it. Both link to the site.
    confirmation, held = outbox()
    assert re.search(r"http\S+/confirm-address/\S+", confirmation.body).group(0).startswith(f"{BASE}/confirm-address/")
    assert re.search(r"Your report's page: (\S+)", held.body).group(1).startswith(f"{BASE}/reports/")


def test_without_base_url_a_page_for_a_forged_host_has_its_own_etag(make_app):
    app = make_app(SERVER_NAME=None)
    with app.app_context():
        article = make_article()
        client = app.test_client()
        for path in (f"/articles/{article.slug}", "/corrections.atom"):
            real = client.get(path, headers={"Host": "news.example.org"})
            forged = client.get(path, headers=FORGED)
            assert b"evil.example" in forged.data and b"evil.example" not in real.data
            assert forged.headers["ETag"] != real.headers["ETag"]
            # A cache holding the forged copy cannot have it confirmed as the real page.
            again = client.get(path, headers={"Host": "news.example.org", "If-None-Match": forged.headers["ETag"]})
            assert again.status_code == 200 and again.data == real.data


@pytest.mark.parametrize("url", ["corrections.example.org", "ftp://corrections.example.org",
                                 "https://corrections.example.org/news", "https://user@corrections.example.org",
                                 "https://corrections.example.org?x=1", "https://corrections.example.org:port",
                                 "https://"])
def test_a_base_url_that_is_not_a_site_address_stops_the_app_with_a_message(tmp_path, url):
    with pytest.raises(ConfigError, match="CORRECTIONS_BASE_URL must be the site's address"):
        create_app(conftest.test_settings("sqlite://", tmp_path, BASE_URL=url))


def test_the_command_line_says_what_is_wrong_with_a_setting_without_a_traceback(tmp_path):
    env = {**os.environ, "CORRECTIONS_INSTANCE_PATH": str(tmp_path), "CORRECTIONS_BASE_URL": "corrections.example.org"}
    result = subprocess.run([str(CORRECTIONS), "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: CORRECTIONS_BASE_URL must be the site's address, such as "
                                     "https://corrections.example.org (scheme and host only), "
                                     "not 'corrections.example.org'.")
