"""The embed in headless Chromium: a CMS page on another origin includes /embed.js from the real server and
shows the article's notices and a report link; hostile notice text stays text; unknown articles and origins
that CORS_ORIGINS does not allow show nothing and break nothing on the host page."""

import functools
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from corrections.api.openapi import DEFAULT_LIMIT
from tests.live import LiveServer, free_port, screenshot

pytestmark = pytest.mark.browser

DEMO_PAGE = Path(__file__).resolve().parents[2] / "examples" / "embed-demo" / "index.html"
ARTICLE_URL = "https://news.example.org/business/eastbank-ferry-fares-rise"
REPORT_PATH = "/articles/eastbank-ferry-fares-rise/report"
NOTICE = "An earlier version of this article said a season ticket cost £58. It costs £56."
AMENDED = NOTICE + " The new price of £64 is unchanged."
# An article with more notices than the embed's read gives at once: the embed links to its log for the rest.
BUSY_URL = "https://news.example.org/science/seagrass-meadows-recovery"
BUSY_LOG_PATH = "/corrections?article=seagrass-meadows-recovery"
HOSTILE = 'A reader sent <img src=x onerror=alert(1)> and </script><script>alert(2)</script> as a "fare table".'


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class StaticSite:
    """A folder served on 127.0.0.1 by the standard library: the CMS, on an origin of its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.httpd: ThreadingHTTPServer | None = None

    def start(self) -> "StaticSite":
        handler = functools.partial(QuietHandler, directory=str(self.folder))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def cms(tmp_path_factory):
    """The allowed origin; its pages are written once the server's address is known."""
    site = StaticSite(tmp_path_factory.mktemp("cms")).start()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def stranger(tmp_path_factory):
    """A site that CORS_ORIGINS does not list."""
    site = StaticSite(tmp_path_factory.mktemp("stranger")).start()
    yield site
    site.stop()


def publish_notices(live: LiveServer) -> tuple[int, int]:
    """Publish an amended correction and a hostile clarification through `corrections shell`."""
    code = "\n".join([
        "from sqlalchemy import select",
        "from corrections.access import accounts",
        "from corrections.notices import publishing",
        "from corrections.extensions import db",
        "from corrections.models import Article",
        f"article = db.session.scalar(select(Article).where(Article.canonical_url == {ARTICLE_URL!r}))",
        "editor = accounts.find_by_email('maya.okafor@demo.example.org')",
        f"first = publishing.publish(article, 'correction', {NOTICE!r}, by=editor)",
        "db.session.commit()",
        f"publishing.amend(first, {AMENDED!r}, by=editor)",
        f"second = publishing.publish(article, 'clarification', {HOSTILE!r}, by=editor)",
        "db.session.commit()",
        f"busy = db.session.scalar(select(Article).where(Article.canonical_url == {BUSY_URL!r}))",
        f"for n in range({DEFAULT_LIMIT + 2}):",
        "    publishing.publish(busy, 'update', f'Update number {n} on the seagrass survey.', by=editor)",
        "",  # the shell's console ends a block at an empty line
        "db.session.commit()",
        "print('PUBLISHED', first.id, second.id)",
        "",
    ])
    result = live.command("shell", input=code)
    found = re.search(r"PUBLISHED (\d+) (\d+)", result.stdout)
    assert found, f"the shell did not publish:\n{result.stdout}\n{result.stderr}"
    return int(found[1]), int(found[2])


def write_pages(site: StaticSite, server_url: str) -> None:
    """The demo page as shipped, pointed at the test server, and two variants."""
    demo = DEMO_PAGE.read_text()
    assert 'src="http://127.0.0.1:8000/embed.js"' in demo
    (site.folder / "index.html").write_text(demo.replace("http://127.0.0.1:8000", server_url))
    # No data-url, no container, no report-link slot: the canonical link names the article and the
    # notices and link go in a block before the script.
    (site.folder / "canonical.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Canonical only</title>
<link rel="canonical" href="{ARTICLE_URL}"></head>
<body><h1>Ferry fares</h1><p id="before">Before the notices.</p>
<script src="{server_url}/embed.js"></script>
<p id="after">After the notices.</p></body></html>""")
    (site.folder / "unknown.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not imported</title></head>
<body><h1>A story the app has never heard of</h1><div data-corrections-notices></div>
<p data-corrections-report-link></p>
<script src="{server_url}/embed.js" data-url="https://news.example.org/not/imported" defer></script>
</body></html>""")
    (site.folder / "busy.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Many notices</title></head>
<body><div data-corrections-notices></div>
<script src="{server_url}/embed.js" data-url="{BUSY_URL}" defer></script>
</body></html>""")
    (site.folder / "unstyled.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Own styles</title></head>
<body><div data-corrections-notices></div>
<script src="{server_url}/embed.js" data-url="{ARTICLE_URL}" data-styles="none" defer></script>
</body></html>""")


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template, cms, stranger):
    live = LiveServer(tmp_path_factory.mktemp("embed"), SPAM_MIN_SECONDS=0, CORS_ORIGINS=json.dumps([cms.origin]))
    live.migrate(sqlite_template)
    live.command("seed-demo")
    live.notice_ids = publish_notices(live)
    live.start()
    write_pages(cms, live.url)
    write_pages(stranger, live.url)
    yield live
    live.stop()


class Watched:
    """A page that records page errors, dialogs (which a test must never see) and console warnings."""

    def __init__(self, browser, **options):
        self.page = browser.new_page(**options)
        self.errors, self.dialogs, self.warnings = [], [], []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: self.warnings.append(m.text) if m.type == "warning" else None)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str, state: str):
        self.page.goto(url)
        self.page.wait_for_selector(f'script[data-corrections-state="{state}"]', state="attached", timeout=10_000)
        return self.page

    def assert_quiet(self):
        assert self.dialogs == [], f"a dialog fired: {self.dialogs}"
        assert self.errors == [], f"the host page had uncaught errors: {self.errors}"


def request(url: str, origin: str | None = None):
    headers = {"Origin": origin} if origin else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response


def test_the_demo_page_shows_the_notices_and_the_report_link_in_place(server, browser, cms):
    corrected, clarified = server.notice_ids
    watched = Watched(browser, viewport={"width": 1100, "height": 900})
    page = watched.open(cms.origin + "/", "shown")

    region = page.get_by_role("region", name="Corrections to this article")
    assert page.locator("[data-corrections-notices] .corrections-embed-notice").count() == 2
    first = region.locator(f"#correction-{corrected}")
    assert first.locator(".corrections-embed-text").inner_text() == AMENDED
    head = first.locator(".corrections-embed-head")
    assert re.fullmatch(r"Correction, \d{1,2} \w+ \d{4} · updated \d{1,2} \w+ \d{4}", head.inner_text())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", head.locator("time").first.get_attribute("datetime"))
    assert region.locator(f"#correction-{clarified} .corrections-embed-head strong").inner_text() == "Clarification"
    # The demo's ferry story was written with a machine's help: the line its own page shows, before the notices.
    assert page.locator("[data-corrections-notices] .corrections-embed-provenance").inner_text() == \
        "This article was written with the help of an automated system, draft-assist 2.0."

    # The hostile text reads as text: no element was made from it, and no script ran.
    assert region.locator(f"#correction-{clarified} .corrections-embed-text").inner_text() == HOSTILE
    assert page.locator(".corrections-embed img, .corrections-embed script").count() == 0

    # The demo page gives the report link a place of its own, so it is there and not after the notices.
    assert region.get_by_role("link").count() == 0
    link = page.locator("[data-corrections-report-link]").get_by_role("link", name="Report an inaccuracy")
    assert link.get_attribute("href") == server.url + REPORT_PATH
    assert link.get_attribute("target") is None
    screenshot(page, "embed")
    watched.assert_quiet()

    link.click()
    page.wait_for_url(server.url + REPORT_PATH)
    assert page.get_by_label("What is wrong?").is_visible()
    watched.assert_quiet()


def test_on_a_phone_the_notices_fit_the_screen(server, browser, cms):
    watched = Watched(browser, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = watched.open(cms.origin + "/", "shown")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("[data-corrections-report-link] a").bounding_box()
    assert box["height"] >= 44, "the report link is too small a target for a thumb"
    screenshot(page, "embed-phone")
    watched.assert_quiet()


def test_without_a_container_the_canonical_link_names_the_article_and_a_block_goes_before_the_script(
        server, browser, cms):
    watched = Watched(browser)
    page = watched.open(cms.origin + "/canonical.html", "shown")
    block = page.locator("#before + [data-corrections-notices]")
    assert block.locator(".corrections-embed-notice").count() == 2
    assert page.locator("[data-corrections-notices] + script[src$='/embed.js']").count() == 1
    # With no report-link slot, the link follows the notices.
    link = block.locator(".corrections-embed-notices ~ .corrections-embed-report a")
    assert link.inner_text() == "Report an inaccuracy"
    assert link.get_attribute("href") == server.url + REPORT_PATH
    assert page.locator("style#corrections-embed-style").count() == 1
    watched.assert_quiet()


def test_an_article_with_many_notices_shows_the_newest_and_links_to_all(server, browser, cms):
    watched = Watched(browser)
    page = watched.open(cms.origin + "/busy.html", "shown")
    region = page.get_by_role("region", name="Corrections to this article")
    assert region.locator(".corrections-embed-notice").count() == DEFAULT_LIMIT
    texts = region.locator(".corrections-embed-text").all_inner_texts()
    assert texts[0] == f"Update number {DEFAULT_LIMIT + 1} on the seagrass survey."
    more = region.get_by_role("link", name="See every notice on this article")
    assert more.get_attribute("href") == server.url + BUSY_LOG_PATH
    more.click()
    page.wait_for_url(server.url + BUSY_LOG_PATH)
    assert page.get_by_text("Update number 0 on the seagrass survey.").is_visible()
    watched.assert_quiet()


def test_an_article_with_few_notices_has_no_link_to_more(server, browser, cms):
    watched = Watched(browser)
    page = watched.open(cms.origin + "/", "shown")
    assert page.get_by_role("link", name="See every notice on this article").count() == 0
    watched.assert_quiet()


def test_a_page_with_its_own_styles_gets_none_added(server, browser, cms):
    watched = Watched(browser)
    page = watched.open(cms.origin + "/unstyled.html", "shown")
    assert page.locator(".corrections-embed-notice").count() == 2
    assert page.locator("style").count() == 0
    watched.assert_quiet()


def test_a_page_the_app_does_not_know_shows_nothing(server, browser, cms):
    watched = Watched(browser)
    page = watched.open(cms.origin + "/unknown.html", "empty")
    assert page.locator("[data-corrections-notices]").inner_html() == ""
    assert page.locator("[data-corrections-report-link]").inner_html() == ""
    assert page.locator("a").count() == 0
    assert watched.warnings == []
    watched.assert_quiet()


def test_a_site_that_cors_does_not_allow_gets_nothing_and_keeps_working(server, browser, stranger):
    watched = Watched(browser)
    page = watched.open(stranger.origin + "/", "failed")
    assert page.locator("[data-corrections-notices]").inner_html() == ""
    assert page.locator("[data-corrections-report-link]").inner_html() == ""
    assert page.get_by_role("heading", name="Eastbank ferry fares to rise by 25p in January").is_visible()
    assert any(w.startswith("corrections embed: could not show corrections") for w in watched.warnings)
    watched.assert_quiet()


def test_the_api_answers_the_allowed_origin_only(server, cms, stranger):
    url = server.url + "/api/v1/notices?url=" + urllib.parse.quote(ARTICLE_URL, safe="")
    allowed = request(url, cms.origin)
    assert allowed.headers["Access-Control-Allow-Origin"] == cms.origin
    assert "Origin" in allowed.headers["Vary"]
    refused = request(url, stranger.origin)
    assert refused.status == 200 and "Access-Control-Allow-Origin" not in refused.headers


def test_embed_js_is_a_cacheable_public_script(server):
    response = request(server.url + "/embed.js", "https://anyone.example")
    assert response.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    etag = response.headers["ETag"]
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(urllib.request.Request(server.url + "/embed.js", headers={"If-None-Match": etag}),
                               timeout=10)
    assert not_modified.value.code == 304
