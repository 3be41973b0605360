"""An editor rejects a report with the keyboard by mistake and undoes it with the keyboard (z): the report is back
as it was and the reader's e-mail never leaves, while the rejection left standing is mailed once its window passed."""

import json
import re
import sqlite3
import time
import urllib.request

import pytest

from tests.conftest import needed
from tests.infra.test_mail import SMTPServer
from tests.live import LiveServer, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
READER = "ada@example.org"
# Long enough for the keys on a busy machine; the test waits it out once.
UNDO_SECONDS = 5


@pytest.fixture(scope="module")
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template, smtp):
    folder = tmp_path_factory.mktemp("browser-undo")
    live = LiveServer(folder, RATELIMIT_ENABLED="false", UNDO_SECONDS=UNDO_SECONDS, MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=smtp.port, MAIL_SEND_INTERVAL=0.5)
    live.migrate(sqlite_template)
    articles = folder / "articles.jsonl"
    articles.write_text(json.dumps({"title": "Ferry fares rise in March", "slug": "ferry-fares",
                                    "canonical_url": "https://news.example.org/ferry-fares",
                                    "body": "Fares on the Eastbank ferry rise by 12 per cent on 1 March."}) + "\n")
    live.command("import-articles", str(articles))
    live.command("create-editor", "kim@example.org", "--name", "Kim Keys", "--password-stdin", input=PASSWORD + "\n")
    with sqlite3.connect(folder / "live.sqlite3") as conn:
        # The reader confirmed their address before: outcomes go to them directly.
        conn.execute("INSERT INTO mail_address (address, created_at, confirmed_at) "
                     "VALUES (?, '2026-12-01 09:00:00', '2026-12-01 09:05:00')", (READER,))
    live.start()
    for n in range(2):
        body = json.dumps({"category": "factual", "email": READER, "notify": True,
                           "description": f"Reader {n}: the fares rise by 10 per cent, not 12."}).encode()
        request = urllib.request.Request(live.url + "/api/v1/articles/ferry-fares/reports", data=body,
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
    yield live
    live.stop()


def rows(server, query: str, *args) -> list[tuple]:
    with sqlite3.connect(server.folder / "live.sqlite3") as conn:
        return conn.execute(query, args).fetchall()


def assert_accessible(page, part: str = ".undo-offer") -> None:
    """axe-core finds nothing wrong with the part of the page this feature adds."""
    axe = needed("axe_playwright_python.sync_playwright").Axe()
    results = axe.run(page, context=part)
    assert results.violations_count == 0, results.generate_report()


def press(page, key: str) -> None:
    """Press a key that sends the editor to another page, and wait for that page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_a_keyboard_rejection_is_undone_with_the_keyboard_and_no_email_leaves(server, browser, smtp):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/editor/?sort=oldest")
    page.locator("#email").fill("kim@example.org")
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#password").press("Enter")
    page.goto(server.url + "/editor/?sort=oldest")

    # The first report: r puts the focus on the reasons (none used yet), an arrow picks one, Enter rejects and opens
    # the next report.
    page.keyboard.press("j")
    press(page, "o")
    first = page.locator("h1").inner_text().split()[0]
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.name") == "reason"
    page.keyboard.press("ArrowDown")
    press(page, "Enter")
    second = page.locator("h1").inner_text().split()[0]
    assert second != first
    assert f"{first} rejected." in page.locator(".flash-success").inner_text()
    assert page.locator(".undo-offer").get_by_role("button", name="Undo").is_visible()
    assert_accessible(page)
    screenshot(page, "undo-offer-1366")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "undo-offer-375")
    page.set_viewport_size({"width": 1366, "height": 900})

    # z takes it back: the rejected report again, as it was.
    press(page, "z")
    assert page.locator("h1").inner_text().split()[0] == first
    assert "Undone:" in page.locator(".flash-success").inner_text()
    assert page.locator("h1 .status-tag").inner_text() == "New"
    assert re.search(r"undid the decision: Rejected\W+to\W*New", page.locator(".history").inner_text())
    screenshot(page, "undo-done")

    # The second report is rejected with the same key (the reason is remembered) and left to stand.
    page.goto(server.url + "/editor/?sort=oldest")
    page.keyboard.press("j")
    page.keyboard.press("j")
    press(page, "o")
    assert page.locator("h1").inner_text().split()[0] == second
    press(page, "r")
    assert rows(server, "SELECT status FROM report WHERE reference = ?", second) == [("rejected",)]

    # While that window runs: accepting the undone (new) report in bulk is refused with the way forward offered,
    # and its row stays ticked.
    page.goto(server.url + "/editor/?sort=oldest")
    page.locator("tr.group", has_text=first).get_by_role("checkbox").check()
    page.get_by_label("With the selected reports").select_option("accepted")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    summary = page.locator(".bulk-summary")
    assert summary.locator("strong").inner_text() == ("Nothing done; 1 refused because it is still new: move it to "
                                                      "review first?")
    assert page.locator("tr.group", has_text=first).get_by_role("checkbox").is_checked()
    assert_accessible(page, ".bulk-summary")
    screenshot(page, "bulk-summary-1366", full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    # (The queue's bulk panel is another matter; the summary itself fits a phone.)
    assert summary.evaluate("box => box.getBoundingClientRect().right <= 375 && box.scrollWidth <= box.clientWidth")
    summary.scroll_into_view_if_needed()
    screenshot(page, "bulk-summary-375", full_page=False)
    page.set_viewport_size({"width": 1366, "height": 900})
    with page.expect_navigation():
        summary.get_by_role("button", name="Move it to review").click()
    assert page.locator(".bulk-summary strong").inner_text() == "1 done."
    assert rows(server, "SELECT status FROM report WHERE reference = ?", first) == [("in_review",)]
    # Still ticked: the editor applies the action again.
    assert page.locator("tr.group", has_text=first).get_by_role("checkbox").is_checked()
    page.get_by_label("With the selected reports").select_option("accepted")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert page.locator(".bulk-summary strong").inner_text() == "1 done."
    assert rows(server, "SELECT status FROM report WHERE reference = ?", first) == [("accepted",)]

    # Once the window has passed the standing rejection is mailed; the undone one never is.
    deadline = time.monotonic() + UNDO_SECONDS + 20
    while not smtp.mailbox.envelopes and time.monotonic() < deadline:
        time.sleep(0.2)
    [sent] = smtp.mailbox.messages()
    assert second in sent["Subject"] and sent["To"] == READER
    assert rows(server, "SELECT r.reference, o.status FROM outbox_message o JOIN report r ON r.id = o.report_id "
                        "ORDER BY o.id") == [(first, "cancelled"), (second, "sent")]
    assert errors == []
    page.close()
