"""The dashboard's shape in headless Chromium: a header on one row that marks the current page and keeps the
admin pages behind one link, a queue showing at least eight reports above the fold at 1366 x 900, and no editor or
admin page wider than a 375 px phone, even with a report full of long words and addresses."""

import re

import pytest

from tests.live import LiveServer, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
LONG_URL = "https://www.example.org/" + "a-very-long-path-segment-without-any-breaks/" * 6 + "?page=" + "1" * 60


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("browser-layout"), SPAM_MIN_SECONDS=0, RATELIMIT_ENABLED="false")
    live.migrate(sqlite_template)
    live.command("gen-fake", "--articles", "20", "--reports", "200")
    live.command("create-editor", "ada@example.org", "--name", "Ada Admin", "--admin", "--password-stdin",
                 input=PASSWORD + "\n")
    yield live.start()
    live.stop()


def logged_in(browser, server, viewport: dict):
    page = browser.new_context(viewport=viewport).new_page()
    log_in(page, server.url, "ada@example.org", PASSWORD)
    return page


def marked(page) -> list[str]:
    return [text.strip() for text in page.locator('.site-header a[aria-current="page"]').all_inner_texts()]


def test_the_header_is_one_row_that_marks_the_page_and_groups_the_admin_pages(server, browser):
    page = logged_in(browser, server, DESKTOP)
    header = page.get_by_role("navigation", name="Site")
    items = header.locator("a, button")
    tops = {round(box["y"] + box["height"] / 2) for box in (items.nth(i).bounding_box() for i in range(items.count()))}
    assert max(tops) - min(tops) <= 4, f"the header's links wrap: centres at {sorted(tops)}"
    assert [t.strip() for t in items.all_inner_texts()] == [
        "Latest", "Corrections", "Queue", "Changes", "Elsewhere", "Metrics", "Admin", "Your account",
        "Log out Ada Admin"]

    # The current page is marked for assistive technology and for the eye.
    assert marked(page) == ["Queue"]
    style = "e => [getComputedStyle(e).borderBottomColor, getComputedStyle(e).fontWeight]"
    assert header.get_by_role("link", name="Queue").evaluate(style) != header.get_by_role(
        "link", name="Changes").evaluate(style)
    screenshot(page, "layout-header-queue", full_page=False)

    # The admin pages are one link away, listed with a line each; on any of them Admin is the current page.
    header.get_by_role("link", name="Admin").click()
    page.wait_for_url(server.url + "/editor/admin")
    assert marked(page) == ["Admin"]
    page.get_by_role("main").get_by_role("link", name="Clocks").click()
    page.wait_for_url(server.url + "/editor/admin/clocks")
    assert marked(page) == ["Admin"]
    admin_row = page.get_by_role("navigation", name="Admin pages")
    assert admin_row.locator('[aria-current="page"]').inner_text() == "Clocks"
    admin_row.get_by_role("link", name="Outbox").click()
    page.wait_for_url(server.url + "/editor/admin/outbox")
    assert page.get_by_role("heading", name="Outbox").is_visible()

    # The public pages stay one click away, the editor still logged in.
    header.get_by_role("link", name="Corrections").click()
    page.wait_for_url(server.url + "/corrections")
    assert marked(page) == ["Corrections"]
    assert page.get_by_role("button", name="Log out Ada Admin").is_visible()
    page.context.close()


def test_the_queue_shows_at_least_eight_reports_above_the_fold(server, browser):
    page = logged_in(browser, server, DESKTOP)
    rows = page.locator("table.queue tbody tr")
    assert rows.count() >= 12
    visible = page.evaluate("""() => [...document.querySelectorAll('table.queue tbody tr')]
        .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length""")
    screenshot(page, "layout-queue-1366", full_page=False)
    assert visible >= 8, f"only {visible} report rows show above the fold at 1366 x 900"

    # The rarer filters are folded, not gone.
    assert not page.get_by_label("Article (slug)").is_visible()
    page.get_by_text("More filters").click()
    page.get_by_label("From").fill("2020-01-01")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"since=2020-01-01"))
    assert page.get_by_label("From").is_visible(), "a filter in use shows"
    page.context.close()


def test_password_inputs_look_like_the_other_inputs(server, browser):
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(server.url + "/editor/login")
    look = ("e => { const s = getComputedStyle(e); "
            "return [e.offsetWidth, e.offsetHeight, s.borderTopWidth, s.borderTopColor, s.fontSize, s.paddingLeft]; }")
    assert page.get_by_label("Password").evaluate(look) == page.get_by_label("E-mail").evaluate(look)
    page.context.close()


def file_long_report(browser, server) -> str:
    """A report whose every field is long and unbroken, sent through the reader's form; its reference."""
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(server.url + "/")
    page.locator(".article-list h2 a").first.click()
    page.get_by_role("link", name="Report an inaccuracy").click()
    page.get_by_label("A fact is wrong").check()
    page.locator("#passage").fill(LONG_WORD)
    page.locator("#description").fill("Wrong: " + LONG_WORD)
    page.locator("#suggested_correction").fill(LONG_WORD)
    page.locator("#source_url").fill(LONG_URL)
    page.get_by_role("button", name="Send report").click()
    reference = page.locator(".confirmation .reference").inner_text()
    page.context.close()
    return reference


def test_no_editor_or_admin_page_scrolls_sideways_on_a_phone(server, browser):
    reference = file_long_report(browser, server)
    page = logged_in(browser, server, PHONE)
    page.locator("tr.group", has_text=reference).get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(r"/editor/reports/\d+"))
    report_url = page.url
    wide = {}
    # The queue and the report page, with the long report on them, and the pages with the widest tables (the
    # sweep of every page at 375 px is tests/browser's page sweep; these are the ones this shape is for).
    addresses = ["/editor/?status=all", report_url, "/editor/admin", "/editor/admin/editors", "/editor/admin/outbox"]
    for number, address in enumerate(addresses):
        page.goto(address if address.startswith("http") else server.url + address)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[address] = width
        screenshot(page, f"layout-375-{number}")
    assert not wide, f"wider than the phone's {PHONE['width']} px: {wide}"
