"""Presence in real browsers: two editors on the same report see each other within a few seconds, the second is
warned once the first is answering (live, and on loading without JavaScript), and a closed tab drops out."""

import json
import re
import urllib.request

import pytest

from tests.conftest import needed
from tests.live import LiveServer, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}
# Heartbeats every half second: "a few seconds" in the test is about three of them. A silent tab would count
# for a minute, so an editor who drops out sooner was taken out by their tab's leaving.
SOON = 5000


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("browser-presence")
    live = LiveServer(folder, RATELIMIT_ENABLED="false", SPAM_MIN_SECONDS=0, PRESENCE_HEARTBEAT_SECONDS=0.5,
                      PRESENCE_EXPIRY_SECONDS=60)
    live.migrate(sqlite_template)
    articles = folder / "articles.jsonl"
    articles.write_text(json.dumps({"title": "Ferry fares rise", "slug": "ferry-fares-rise",
                                    "canonical_url": "https://news.example.org/ferry-fares-rise",
                                    "body": "<p>Fares on the Eastbank ferry rise to £3.40 in April.</p>"}) + "\n")
    live.command("import-articles", str(articles))
    for email, name, *admin in [("ana@example.org", "Ana Lopez", "--admin"), ("ben@example.org", "Ben Ode")]:
        live.command("create-editor", email, "--name", name, *admin, "--password-stdin", input=PASSWORD + "\n")
    live.start()
    body = json.dumps({"category": "factual", "description": "The fare is £3.20, not £3.40."}).encode()
    urllib.request.urlopen(urllib.request.Request(live.url + "/api/v1/articles/ferry-fares-rise/reports",
                                                  data=body, headers={"Content-Type": "application/json"}))
    yield live
    live.stop()


def logged_in(browser, server, email: str, viewport: dict, **options):
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    log_in(page, server.url, email, PASSWORD)
    return page


def assert_accessible(page, *selectors: str) -> None:
    """axe-core finds no violation in these parts of the page (the presence lines, in the state shown)."""
    axe = needed("axe_playwright_python.sync_playwright").Axe()
    results = axe.run(page, context={"include": [[selector] for selector in selectors]})
    assert results.violations_count == 0, results.generate_report()


def test_two_editors_on_one_report_see_each_other_and_the_second_is_warned(server, browser):
    from playwright.sync_api import expect

    ana = logged_in(browser, server, "ana@example.org", DESKTOP)
    # A canned answer: the report page gets its list, a form that is not in use until the editor uses it.
    ana.goto(server.url + "/editor/admin/answers")
    ana.get_by_label("Name").fill("Opinion, not fact")
    ana.get_by_label("Reject", exact=True).check()
    ana.locator("#text").fill("This is a matter of opinion, not of fact.")
    ana.get_by_role("button", name="Add answer").click()
    ana.goto(server.url + "/editor/")
    ben = logged_in(browser, server, "ben@example.org", PHONE)
    first = ana.locator("tr[data-key-row]").first
    reference = first.get_attribute("data-reference")
    first.locator("a.reference").click()
    ana.wait_for_load_state()
    report_url = ana.url
    expect(ana.locator("[data-presence-viewers]")).to_be_hidden()

    # Ben's queue, loaded before, shows Ana on her row without a reload.
    ben_row = ben.locator(f'tr[data-reference="{reference}"] [data-presence-row]')
    expect(ben_row).to_contain_text("Ana Lopez has it open since", timeout=SOON)
    # (The queue's bulk panel is wider than a phone, a matter of its own: the presence tags themselves fit.)
    box = ben_row.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    ben_row.scroll_into_view_if_needed()
    screenshot(ben, "presence-queue-phone", full_page=False)
    assert_accessible(ben, "[data-presence-row]")

    ben.goto(report_url)
    expect(ben.locator("[data-presence-viewers]")).to_contain_text("Also open by Ana Lopez (since")
    expect(ana.locator("[data-presence-viewers]")).to_contain_text("Also open by Ben Ode (since", timeout=SOON)
    # Ana's page has beaten since Ben came; once Ben's has asked again, it says she is not answering (yet).
    with ben.expect_response(lambda response: response.url.endswith("/presence")):
        pass
    assert "answering" not in ben.locator("[data-presence-viewers]").inner_text()
    warning = ben.get_by_role("status").filter(has_text="answering this report")
    expect(warning).to_have_count(0)

    # Ana starts writing a note: Ben is warned before he types anything.
    ana.locator("form[action$='/note'] textarea").fill("Checking the minutes with the council.")
    expect(warning).to_have_text(
        re.compile(r"^Ana Lopez is answering this report \(since \d\d:\d\d UTC\): check before you write\.$"),
        timeout=SOON)
    assert ben.locator("[data-presence-warning]").get_attribute("role") == "status"
    expect(ben.locator("[data-presence-viewers]")).to_contain_text(", answering)")
    assert ben.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(ben, "presence-warning-phone", full_page=False)
    assert_accessible(ben, ".presence-viewers", ".presence-warning")
    ben.locator("[data-presence-warning]").scroll_into_view_if_needed()
    screenshot(ben, "presence-warning-phone-decide", full_page=False)
    ana.evaluate("window.scrollTo(0, 0)")
    screenshot(ana, "presence-viewers-desktop", full_page=False)
    assert_accessible(ana, ".presence-viewers")

    # Loaded without JavaScript, the page says the same as it loads.
    still = logged_in(browser, server, "ben@example.org", DESKTOP, java_script_enabled=False)
    still.goto(report_url)
    assert "Ana Lopez is answering this report" in still.locator("[data-presence-warning]").inner_text()
    screenshot(still, "presence-warning-desktop-no-script", full_page=False)
    still.goto(server.url + "/editor/")
    assert "Ana Lopez answering since" in still.locator(f'tr[data-reference="{reference}"]').inner_text()
    screenshot(still, "presence-queue-desktop-no-script", full_page=False)
    still.context.close()

    # Ana thinks better of it: with the note emptied and the form left, she is no longer answering.
    ana.locator("form[action$='/note'] textarea").fill("")
    ana.locator("h1").click()
    expect(warning).to_have_count(0, timeout=SOON)
    expect(ben.locator("[data-presence-viewers]")).to_contain_text("Also open by Ana Lopez (since")

    # Ana goes back to the queue: her tab says it left, and she drops out of Ben's page at once.
    with ana.expect_navigation():
        ana.locator("a[data-key-queue]").click()
    expect(ben.locator("[data-presence-viewers]")).to_be_hidden(timeout=SOON)
    assert ana.errors == [] and ben.errors == []
    ana.context.close()
    ben.context.close()
