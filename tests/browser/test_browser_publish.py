"""End to end in headless Chromium: a reader reports, an editor accepts and publishes a correction; the
notice reaches the article, the log, both feeds, the JSON-LD and the reader's page, and the reader's
e-mail (once the reader confirmed their address) waits in the outbox until `corrections send-mail` delivers
it to a local SMTP server."""

import email
import email.policy
import json
import re
import sqlite3
import urllib.request

import feedparser
import pytest
from aiosmtpd.controller import Controller

from tests.live import LiveServer, free_port, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
ARTICLE = "Eastbank ferry fares to rise by 25p in January"
NOTICE = "An earlier version of this article said a season ticket cost £58. It costs £56."


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template, smtp):
    controller, _ = smtp
    # No undo window (tests/browser/test_browser_undo.py has one): the e-mail may go with the next send-mail.
    live = LiveServer(tmp_path_factory.mktemp("browser-publish"), SPAM_MIN_SECONDS=0, MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=controller.port, MAIL_SEND_INTERVAL=0, MAIL_SENDER="corrections@news.example",
                      UNDO_SECONDS=0)
    live.migrate(sqlite_template)
    live.command("seed-demo")
    live.command("create-editor", "pat@example.org", "--name", "Pat Desk", "--password-stdin", input=PASSWORD + "\n")
    yield live.start()
    live.stop()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_a_report_becomes_a_published_correction_everywhere(server, browser, smtp):
    _, inbox = smtp
    reader = browser.new_page()
    reader.goto(server.url + "/")
    reader.get_by_role("link", name=ARTICLE).click()
    reader.get_by_role("link", name="Report an inaccuracy").click()
    reader.get_by_label("The passage that is wrong").fill("Monthly season tickets will rise from £58 to £64")
    reader.get_by_label("A fact is wrong").check()
    reader.get_by_label("What is wrong?").fill("My season ticket costs £56 today, not £58.")
    reader.get_by_label("Your e-mail").fill("commuter@example.org")
    reader.get_by_label("E-mail me when an editor has decided").check()
    reader.get_by_role("button", name="Send report").click()
    reader.wait_for_url(re.compile(r"/reports/"))
    status_url = reader.url
    reference = reader.locator(".reference").inner_text()
    assert "(not confirmed yet)" in reader.locator(".your-report").inner_text()
    screenshot(reader, "status-address-not-confirmed")

    # The first e-mail to the address asks its owner to confirm it; the link's page confirms with a button.
    server.command("send-mail")
    [confirmation] = [m for m in inbox.messages if m.rcpt_tos == ["commuter@example.org"]]
    body = email.message_from_bytes(confirmation.content, policy=email.policy.default).get_content()
    reader.goto(re.search(r"http://\S+/confirm-address/\S+", body).group(0))
    screenshot(reader, "confirm-address")
    reader.get_by_role("button", name="Yes, e-mail me about my reports").click()
    assert reader.get_by_role("heading", name="Your e-mail address is confirmed").is_visible()
    inbox.messages.clear()

    editor = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(editor, server.url, "pat@example.org", PASSWORD)
    editor.get_by_label("Search").fill("costs £56 today")
    editor.get_by_role("button", name="Filter").click()
    editor.get_by_role("link", name=reference).click()
    editor.get_by_role("button", name="Move to review").click()
    editor.get_by_role("button", name="Accept").click()
    assert "moved to accepted" in editor.locator(".flash-success").inner_text()

    form = editor.locator("form#publish")
    form.get_by_label("Text of the notice").fill(NOTICE)
    screenshot(editor, "publish-form")
    form.get_by_role("button", name="Publish").click()
    editor.wait_for_load_state()
    assert "Correction published on the article" in editor.locator(".flash-success").inner_text()
    assert reference in editor.locator(".flash-success").inner_text()
    screenshot(editor, "editor-article-notices")

    # The article shows the notice at the top, and its JSON-LD carries it.
    reader.goto(server.url + "/articles/eastbank-ferry-fares-rise")
    top = reader.locator(".notices-top")
    assert NOTICE in top.inner_text()
    assert top.locator("time").first.get_attribute("datetime")
    ld = json.loads(reader.locator('script[type="application/ld+json"]').inner_text())
    assert ld["@type"] == "NewsArticle"
    assert [c["text"] for c in ld["correction"]] == [NOTICE]
    assert ld["correction"][0]["@type"] == "CorrectionComment" and ld["correction"][0]["datePublished"]
    screenshot(reader, "article-with-notice")

    # The public log and both feeds list it.
    reader.goto(server.url + "/corrections")
    assert NOTICE in reader.locator(".corrections-log").inner_text()
    for feed_url in ("/corrections.atom", "/articles/eastbank-ferry-fares-rise/corrections.atom"):
        feed = feedparser.parse(fetch(server.url + feed_url))
        assert not feed.bozo, feed.bozo_exception
        assert NOTICE in [entry.summary for entry in feed.entries] + [
            entry.content[0].value for entry in feed.entries if "content" in entry]

    # The reader's page says corrected and shows the notice.
    reader.goto(status_url)
    assert reader.get_by_role("heading", name="Status: Corrected").is_visible()
    assert NOTICE in reader.content()
    screenshot(reader, "status-corrected")

    # One e-mail waits for the reader; send-mail delivers it to the SMTP server.
    with sqlite3.connect(server.env["CORRECTIONS_DATABASE_URL"].removeprefix("sqlite:///")) as db:
        waiting = db.execute("SELECT to_address, subject FROM outbox_message WHERE status = 'pending'").fetchall()
    assert waiting == [("commuter@example.org", f"Your report led to a correction ({reference})")]
    assert inbox.messages == []
    server.command("send-mail")
    assert [m.rcpt_tos for m in inbox.messages] == [["commuter@example.org"]]
    body = email.message_from_bytes(inbox.messages[0].content, policy=email.policy.default).get_content()
    assert reference in body and NOTICE in body and status_url in body


def test_a_correction_fixes_the_article_in_the_same_step_and_leads_back_to_the_queue(server, browser):
    """From a filtered queue, an editor publishes the correction of a misspelling together with the fix of the
    article's text: the preview shows the word diff, confirming changes the public text and links the notice
    to the new revision, and "← Queue" returns to the same filtered queue at the report's row."""
    editor = browser.new_page(viewport={"width": 1366, "height": 900})
    log_in(editor, server.url, "pat@example.org", PASSWORD)
    editor.goto(server.url + "/editor/?status=all&category=typo")
    editor.locator("tr.group", has_text="the council had recieved").locator("a.reference").click()
    editor.wait_for_url(re.compile(r"/editor/reports/\d+\?back="))
    report_id = int(re.search(r"/reports/(\d+)", editor.url).group(1))

    form = editor.locator("form#publish")
    # The draft quotes the article and the reader's suggestion is offered as the new words, ticked.
    assert form.get_by_label("Text of the notice").input_value() == (
        "An earlier version of this article said “the council had recieved”. "
        "It should have said “the council had received”.")
    assert form.get_by_label("Also correct the article").is_checked()
    assert form.get_by_label("Replace the passage with").input_value() == "the council had received"
    form.scroll_into_view_if_needed()
    screenshot(editor, "publish-and-fix-form")
    form.get_by_role("button", name="Publish").click()

    editor.get_by_role("heading", name="Check the change before publishing").wait_for()
    diff = editor.locator(".diff")
    assert (diff.locator("del").inner_text(), diff.locator("ins").inner_text()) == ("recieved", "received")
    screenshot(editor, "publish-and-fix-preview")
    editor.set_viewport_size({"width": 375, "height": 800})
    assert editor.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(editor, "publish-and-fix-preview-phone")
    editor.set_viewport_size({"width": 1366, "height": 900})
    editor.get_by_role("button", name="Confirm: correct the article and publish").click()
    editor.wait_for_url(re.compile(r"/editor/articles/council-budget-2027\?"))
    assert "the article’s text corrected (revision" in editor.locator(".flash-success").inner_text()

    reader = browser.new_page(viewport={"width": 375, "height": 800})
    reader.goto(server.url + "/articles/council-budget-2027")
    body = reader.locator(".article-body").inner_text()
    assert "the council had received “more than enough warning”" in body and "recieved" not in body
    notice = reader.locator(".notices-top")
    assert "It should have said “the council had received”." in notice.inner_text()
    notice.get_by_role("link", name="See what changed").click()
    reader.wait_for_url(re.compile(r"/articles/council-budget-2027/revisions/\d+/\d+"))
    assert (reader.locator(".diff del").inner_text(), reader.locator(".diff ins").inner_text()) == (
        "recieved", "received")

    editor.locator("p.back").get_by_role("link", name="Queue", exact=True).click()
    editor.wait_for_url(re.compile(rf"/editor/\?.*category=typo.*#report-{report_id}$"))
    row = editor.locator(f"tr#report-{report_id}")
    assert "Corrected" in row.inner_text()
    assert row.is_visible()
    screenshot(editor, "publish-and-fix-back-to-queue", full_page=False)
