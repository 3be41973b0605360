"""Canned answers from the keyboard: in a real browser, keys only, an editor opens the first report of the
queue, accepts it, moves on to the next and rejects it with a canned answer chosen in the `c` chooser."""

import json
import sqlite3
import urllib.request

import pytest

from tests.live import LiveServer, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
OPINION = "This is a matter of opinion, not of fact: the review stands as published."
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("browser-canned-keys")
    live = LiveServer(folder, RATELIMIT_ENABLED="false", SPAM_MIN_SECONDS=0)
    live.migrate(sqlite_template)
    live.command("seed-demo")
    live.command("create-editor", "kim@example.org", "--name", "Kim Keys", "--admin", "--password-stdin",
                 input=PASSWORD + "\n")
    yield live.start()
    live.stop()


def file_report(server, description: str) -> str:
    """A reader's report through the API; its private status page's address."""
    body = json.dumps({"category": "factual", "description": description}).encode()
    request = urllib.request.Request(server.url + "/api/v1/articles/eastbank-ferry-fares-rise/reports", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as response:
        return json.load(response)["status_url"]


def stored(server, reference: str) -> tuple[str, str]:
    with sqlite3.connect(server.folder / "live.sqlite3") as conn:
        return conn.execute("SELECT status, reject_reason FROM report WHERE reference = ?", (reference,)).fetchone()


def press(page, key: str) -> None:
    """Press a key that sends the editor to another page, and wait for that page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_accept_then_reject_with_a_canned_answer_using_only_keys(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Setting up (an admin's page, with the mouse): an answer that accepts, and one that rejects.
    page.goto(server.url + "/editor/login")
    page.get_by_label("E-mail").fill("kim@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.url + "/editor/")
    for name, does, text in [("Checked, it is wrong", "Accept", "Checked against the timetable."),
                             ("Opinion, not fact", "Reject", OPINION)]:
        page.goto(server.url + "/editor/admin/answers")
        page.get_by_label("Name").fill(name)
        page.get_by_label(does, exact=True).check()
        page.locator("#text").fill(text)
        page.get_by_role("button", name="Add answer").click()
        page.wait_for_load_state()
    # Two readers report; the newer comes first in the queue.
    older_status = file_report(server, "The ferry fare rise starts in May, not April.")
    file_report(server, "The fare is £3.20, not £3.40.")

    # From here on, keys only.
    page.goto(server.url + "/editor/")
    page.keyboard.press("?")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert help.locator("kbd", has_text="c").count() == 1 and "canned answer" in help.inner_text()
    page.keyboard.press("Escape")

    page.keyboard.press("j")
    press(page, "o")
    first = page.locator("h1").inner_text().split()[0]
    press(page, "v")  # a new report goes to review first
    press(page, "a")  # accepted; on to the next report of the queue
    second = page.locator("h1").inner_text().split()[0]
    assert second != first and f"{first} moved to accepted" in page.locator(".flash-success").inner_text()

    page.keyboard.press("c")
    chooser = page.get_by_role("dialog", name="Apply a canned answer")
    assert chooser.is_visible()
    choices = chooser.locator("button[data-answer]").all_inner_texts()
    assert choices == ["Checked, it is wrong (accept)", "Opinion, not fact (reject)"]
    assert page.evaluate("document.activeElement.textContent") == choices[0]
    screenshot(page, "keys-canned-chooser", full_page=False)
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == choices[1]
    press(page, "Enter")
    assert f"“Opinion, not fact” applied to {second}: rejected." in page.locator(".flash-success").inner_text()

    assert stored(server, first) == ("accepted", "")
    assert stored(server, second) == ("rejected", OPINION)
    # The reader of the rejected report reads the answer's text as the editor's reason.
    reader = browser.new_page()
    reader.goto(older_status)
    assert "The editor’s reason:" in reader.locator("main").inner_text()
    assert OPINION in reader.locator("main").inner_text()
    assert errors == []


def test_the_chooser_on_a_phone_cancels_with_escape(server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server.url + "/editor/login")
    page.get_by_label("E-mail").fill("kim@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.url + "/editor/")
    rows = page.locator("tr[data-key-row] a.reference").all_inner_texts()
    page.keyboard.press("c")
    chooser = page.get_by_role("dialog", name="Apply a canned answer")
    assert chooser.is_visible()
    screenshot(page, "keys-canned-chooser-phone", full_page=False)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert not chooser.is_visible()
    assert page.url == server.url + "/editor/"
    assert page.locator("tr[data-key-row] a.reference").all_inner_texts() == rows
    # The same chooser behind a button, for a finger or a mouse.
    page.get_by_role("button", name="Apply a canned answer (c)").click()
    assert chooser.is_visible()
    chooser.get_by_role("button", name="Cancel").click()
    assert not chooser.is_visible()
