"""Every page of the inventory (tests/pages.py) in Chromium, at a phone's width and a desktop's: axe-core finds
no violation, and nothing is wider than the window.

No server: each request of a page (its HTML, stylesheet, scripts, images) is answered by the Flask test client
through Playwright's routing, the page's own HTML as the inventory got it (a form sent back with errors can be
loaded again without sending it again). One browser page is reused for all; the width changes between runs.
"""

from urllib.parse import urlsplit

import pytest

from tests.conftest import needed
from tests.pages import Page, built_inventory

pytestmark = pytest.mark.browser

ORIGIN = "http://localhost"  # the tests' SERVER_NAME
WIDTHS = ((375, 800), (1366, 900))


def axe_script() -> str:
    axe = needed("axe_playwright_python.sync_playwright",
                              reason="axe-playwright-python (the test extra) brings axe-core")
    return axe.Axe().axe_script


def described(violation: dict) -> str:
    nodes = ", ".join(" ".join(map(str, target)) for target in violation["nodes"][:5])
    more = f" and {len(violation['nodes']) - 5} more" if len(violation["nodes"]) > 5 else ""
    return f"{violation['id']} ({violation.get('impact')}): {violation['help']}: {nodes}{more}"


# axe's rules, all of them at the desktop width. At the phone width all but colour contrast, which costs as much
# as the others together: the stylesheet's media queries change the layout, never a colour, and the desktop
# shows what the phone hides (the queue's column heads).
AXE_OPTIONS = {1366: {"resultTypes": ["violations"]},
               375: {"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": False}}}}

# Only the violations come back: the whole result (every rule passed, with its nodes) is large to carry.
RUN_AXE = """options => axe.run(document, options).then(result => result.violations.map(
    v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(node => node.target)})))"""


@pytest.fixture(scope="module")
def checked(tmp_path_factory, sqlite_template, browser) -> dict:
    """Each page loaded once and checked at both widths: its axe violations and its overflow, by width."""
    script = axe_script()
    with built_inventory(tmp_path_factory.mktemp("axe"), sqlite_template) as (app, pages):
        client = app.test_client()
        shown: dict[str, Page] = {}
        files: dict[str, dict] = {}  # the stylesheet and scripts, the same for every page

        def answer(route):
            request = route.request
            if request.resource_type == "document" and request.url == shown["url"]:
                route.fulfill(status=shown["page"].status, content_type="text/html; charset=utf-8",
                              body=shown["page"].html)
                return
            parts = urlsplit(request.url)
            if parts.netloc != "localhost" or request.method != "GET":
                route.abort()
                return
            if request.url not in files:
                response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
                headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
                files[request.url] = {"status": response.status_code, "headers": headers, "body": response.get_data()}
            route.fulfill(**files[request.url])
            if not parts.path.startswith("/static/"):
                del files[request.url]

        context = browser.new_context(viewport={"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
        context.add_init_script(script)  # axe in every page loaded
        window = context.new_page()
        window.route("**/*", answer)
        results = {"axe": [], "overflow": []}
        try:
            for page in pages:
                shown["url"], shown["page"] = ORIGIN + page.url, page
                window.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
                window.goto(shown["url"], wait_until="load")
                for width, height in WIDTHS:
                    window.set_viewport_size({"width": width, "height": height})
                    for violation in window.evaluate(RUN_AXE, AXE_OPTIONS[width]):
                        results["axe"].append(f"{page} at {width} px: {described(violation)}")
                    scroll = window.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                    if scroll[0] > scroll[1]:
                        results["overflow"].append(f"{page} at {width} px: {scroll[0]} px wide in a {scroll[1]} px "
                                                   "window")
        finally:
            context.close()
        yield results


def test_axe_finds_no_violation_on_any_page_at_phone_and_desktop_width(checked):
    assert not checked["axe"], f"{len(checked['axe'])} axe violations:\n" + "\n".join(checked["axe"])


def test_no_page_scrolls_sideways(checked):
    assert not checked["overflow"], "\n".join(checked["overflow"])
