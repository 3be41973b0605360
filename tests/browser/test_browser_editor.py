"""An editor in headless Chromium: log in, filter, see groups, accept, bulk-reject a group, read history and metrics."""

import re

import pytest

from tests.live import LiveServer, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("browser-editor"))
    live.migrate(sqlite_template)
    live.command("seed-demo")
    live.command("create-editor", "lee@example.org", "--name", "Lee Desk", "--password-stdin", input=PASSWORD + "\n")
    yield live.start()
    live.stop()


def test_editor_triages_the_morning_queue(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Everything under /editor/ sends an anonymous visitor to the login page, and back after it.
    page.goto(server.url + "/editor/")
    assert "/editor/login" in page.url
    page.get_by_label("E-mail").fill("lee@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.url + "/editor/")
    assert page.get_by_role("button", name="Log out Lee Desk").is_visible()

    # Filter: facts only. The filter lives in the address.
    page.get_by_label("Category").select_option("factual")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"category=factual"))
    bridge = page.locator("tr.group", has_text="Quay Street swing bridge")
    assert bridge.locator(".badge").inner_text() == "3 reports"
    screenshot(page, "editor-queue-filtered")

    # Accept one report: the council budget one, already in review.
    page.locator("tr.group", has_text="Council backs").locator("a.reference").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "moved to accepted" in page.locator(".flash-success").inner_text()
    assert re.search(r"In review\s*→\s*(to\s*)?Accepted", page.locator(".history").inner_text())
    screenshot(page, "editor-report-accepted")

    # Reject the bridge group in one bulk action, with a canned reason and a word of our own.
    page.goto(server.url + "/editor/?category=factual")
    page.locator("tr.group", has_text="Quay Street swing bridge").get_by_role("checkbox").check()
    page.get_by_label("With the selected reports").select_option("reject")
    page.get_by_label("We could not verify the claim with the information given.").check()
    page.get_by_label("Your own words").fill("The council's records give 1887.")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    done = page.locator(".bulk-summary").inner_text()
    assert re.search(r"^3 done\.\s+Done: R-\w{6}, R-\w{6} and R-\w{6}$", done)
    assert page.locator("tr.group", has_text="Quay Street swing bridge").count() == 0
    screenshot(page, "editor-queue-after-bulk")

    # Every step is in the history of each rejected report.
    page.get_by_role("link", name=re.compile(r"^Rejected")).click()
    page.wait_for_load_state()
    page.locator("tr.group", has_text="Quay Street swing bridge").first.locator("a.reference").click()
    page.wait_for_load_state()
    history = page.locator(".history").inner_text()
    assert "Lee Desk" in history and re.search(r"→\s*(to\s*)?Rejected", history)
    assert "We could not verify the claim with the information given. The council's records give 1887." in history

    # And in the metrics: one accepted, three rejected among today's decisions.
    page.get_by_role("link", name="Metrics").click()
    page.wait_for_load_state()
    screenshot(page, "editor-metrics")
    assert page.get_by_role("heading", name=re.compile("Metrics")).is_visible()
    # The demo had 2 accepted and 1 rejected; this session added 1 accepted and 3 rejected.
    assert "3 accepted or corrected of 7 decided" in page.content()
    assert errors == []
