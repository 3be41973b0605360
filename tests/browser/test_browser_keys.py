"""An editor clears a queue of twenty reports in headless Chromium with the keyboard only: no click."""

import json
import re
import sqlite3
import urllib.request

import pytest

from tests.live import LiveServer, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("browser-keys")
    live = LiveServer(folder, RATELIMIT_ENABLED="false", QUEUE_POLL_SECONDS=5)
    live.migrate(sqlite_template)
    live.command("seed-demo")
    live.command("create-editor", "kim@example.org", "--name", "Kim Keys", "--password-stdin", input=PASSWORD + "\n")
    live.command("create-editor", "sam@example.org", "--name", "Sam Other", "--password-stdin",
                 input=PASSWORD + "\n")
    live.start()
    # The demo has eleven open reports; readers send nine more through the API.
    for n in range(9):
        body = json.dumps({"category": "factual",
                           "description": f"Reader {n}: the date of the ferry fare rise is wrong."}).encode()
        request = urllib.request.Request(live.url + "/api/v1/articles/eastbank-ferry-fares-rise/reports", data=body,
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
    yield live
    live.stop()


def statuses(server) -> dict[str, int]:
    with sqlite3.connect(server.folder / "live.sqlite3") as conn:
        return dict(conn.execute("SELECT status, COUNT(*) FROM report GROUP BY status").fetchall())


def press(page, key: str) -> None:
    """Press a key that sends the editor to another page, and wait for that page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_an_editor_clears_the_queue_with_the_keyboard(server, browser):
    before = statuses(server)
    assert before.get("new", 0) + before.get("in_review", 0) == 20
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # (The site has no favicon; the browser's request for one is no error of the page.)
    page.on("console", lambda message: message.type == "error" and "favicon" not in message.location.get("url", "")
            and errors.append(f"{message.text} {message.location.get('url')}"))

    # Log in with the keyboard: the e-mail field has the focus after a Tab or two.
    page.goto(server.url + "/editor/")
    page.locator("#email").focus()
    page.keyboard.type("kim@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + "/editor/")

    # ? shows the keys; Esc closes them.
    page.keyboard.press("?")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert help.is_visible()
    for key in ("j", "k", "o", "x", "m", "v", "a", "r", "d", "s", "c", "n"):
        assert help.locator("kbd", has_text=re.compile(f"^{key}$")).count() == 1
    screenshot(page, "keys-help-queue")
    page.keyboard.press("Escape")
    assert not help.is_visible()

    # Keys typed into a field are text, not commands.
    page.get_by_label("Search").focus()
    page.keyboard.type("jjo")
    assert page.get_by_label("Search").input_value() == "jjo"
    assert "/editor/reports/" not in page.url
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.press("Escape")  # leaves the field: keys act again

    # j moves to the first row, with a visible mark; o opens it.
    page.keyboard.press("j")
    first = page.locator("tr.is-current a.reference").inner_text()
    screenshot(page, "keys-queue-current-row")
    press(page, "o")
    assert re.search(r"/editor/reports/\d+\?back=", page.url)
    assert page.locator("h1").inner_text().startswith(first)

    decided = {"accepted": 0, "rejected": 0, "spam": 0}
    chose_reason = False
    for turn in range(40):
        if "/editor/reports/" not in page.url:
            # Back at the queue: the reports left of groups already handled come next.
            if page.locator("tr[data-key-row]").count() == 0:
                break
            page.keyboard.press("j")
            press(page, "o")
            continue
        reference = page.locator("h1").inner_text().split()[0]
        status = page.locator("h1 .status-tag").inner_text()
        if turn % 3 == 0:
            # Accept: a new report goes to review first (v), then is accepted (a) and the next one opens.
            if status == "New":
                press(page, "v")
                assert "moved to in review" in page.locator(".flash-success").inner_text()
            if turn == 0:
                screenshot(page, "keys-report-in-review")
            press(page, "a")
            decided["accepted"] += 1
        elif turn % 3 == 1:
            if not chose_reason:
                # No reason used yet: the first is focused; the arrow picks the next one, Enter rejects.
                page.keyboard.press("r")
                assert page.evaluate("document.activeElement.name") == "reason"
                page.keyboard.press("ArrowDown")
                press(page, "Enter")
                chose_reason = True
            else:
                press(page, "r")
            decided["rejected"] += 1
        else:
            press(page, "s")
            decided["spam"] += 1
        flash = page.locator(".flash-success")
        assert flash.count() and reference in flash.inner_text(), page.locator(".flash").all_inner_texts()
    else:
        pytest.fail("the queue did not clear")

    assert "The queue is clear." in page.locator("main").inner_text()
    screenshot(page, "keys-queue-cleared")
    after = statuses(server)
    assert after.get("new", 0) + after.get("in_review", 0) == 0
    for status, n in decided.items():
        assert after.get(status, 0) - before.get(status, 0) == n
    assert sum(decided.values()) == 20
    # Every rejection after the first reused the reason chosen the first time.
    with sqlite3.connect(server.folder / "live.sqlite3") as conn:
        reasons = {row[0] for row in conn.execute(
            "SELECT comment FROM event WHERE to_value = 'rejected' AND actor = 'Kim Keys'")}
    assert reasons == {"This is a matter of opinion or interpretation, not of fact."}
    assert errors == []


def test_the_queue_holds_still_and_marks_what_others_did(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/editor/login")
    page.get_by_label("E-mail").fill("kim@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.url + "/editor/")
    page.goto(server.url + "/editor/?status=all")
    rows_before = page.locator("tr[data-key-row] a.reference").all_inner_texts()

    # Another editor (another browser context) acts on a listed report; a reader sends a new one.
    other = browser.new_context().new_page()
    other.goto(server.url + "/editor/login")
    other.get_by_label("E-mail").fill("sam@example.org")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    other.wait_for_url(server.url + "/editor/")
    other.goto(server.url + "/editor/?status=all")
    target = other.locator("tr[data-key-row]").nth(2)
    reference = target.locator("a.reference").inner_text()
    target.locator("a.reference").click()
    other.get_by_role("button", name="Move to review").click()
    other.wait_for_load_state()
    body = json.dumps({"category": "typo", "description": "A new report while Kim works."}).encode()
    request = urllib.request.Request(server.url + "/api/v1/articles/lantern-parade-returns/reports", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request).close()

    # Within a poll the bar and the mark appear; nothing moved.
    bar = page.locator("[data-new-reports]")
    bar.wait_for(state="visible", timeout=15_000)
    assert "1 new report" in bar.inner_text()
    mark = page.locator("tr[data-key-row]", has_text=reference).locator(".acted-on")
    mark.wait_for(timeout=15_000)
    assert "Sam Other moved it to in review" in mark.inner_text()
    assert page.locator("tr[data-key-row] a.reference").all_inner_texts() == rows_before
    screenshot(page, "keys-queue-holds-still")

    # n shows the new reports.
    page.locator("body").focus()
    press(page, "n")
    assert len(page.locator("tr[data-key-row]").all()) >= len(rows_before)
    assert not page.locator("[data-new-reports]").is_visible()
