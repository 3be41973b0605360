"""A reader in headless Chromium: select a sentence, report it, see the confirmation and status page."""

import re

import pytest

from tests.live import LiveServer, screenshot

SENTENCE = "The extra hours are being paid for by a £42,000 grant from the Penhallow Trust, a local charity"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("browser"), SPAM_MIN_SECONDS=1)
    live.migrate(sqlite_template)
    live.command("seed-demo")
    yield live.start()
    live.stop()


def select_text(page, text: str) -> None:
    """Select `text` inside the article body, as a reader dragging over it would."""
    page.evaluate(
        """(text) => {
            const body = document.getElementById("article-body");
            const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const at = walker.currentNode.data.indexOf(text);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(walker.currentNode, at);
                    range.setEnd(walker.currentNode, at + text.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
            throw new Error("text not in article: " + text);
        }""",
        text,
    )


def test_reader_selects_a_sentence_and_reports_it(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/")
    page.get_by_role("link", name="Central library to open on Sundays from December").click()
    page.wait_for_load_state()

    select_text(page, SENTENCE)
    button = page.get_by_role("link", name="Report this passage")
    button.wait_for(state="visible")
    screenshot(page, "article-selection")
    button.click()

    page.wait_for_url(re.compile(r"/articles/library-sunday-opening/report\?passage="))
    assert page.get_by_label("The passage that is wrong").input_value() == SENTENCE
    page.get_by_label("A fact is wrong").check()
    page.get_by_label("What is wrong?").fill("The grant was £24,000, not £42,000, according to the trust's report.")
    page.get_by_label("What should it say instead?").fill("a £24,000 grant")
    page.get_by_label("Your e-mail").fill("reader@example.org")
    page.get_by_label("E-mail me when an editor has decided").check()
    screenshot(page, "report-form")
    page.wait_for_timeout(1100)  # a person takes longer than the spam threshold to fill a form
    page.get_by_role("button", name="Send report").click()

    page.wait_for_url(re.compile(r"/reports/[0-9A-Z]{6}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$"))
    confirmation = page.get_by_role("status")
    assert "Thank you: your report has arrived" in confirmation.inner_text()
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"R-[0-9A-Z]{6}", reference)
    screenshot(page, "confirmation")

    page.locator(".status-link a").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"Your report {reference}").is_visible()
    assert page.get_by_role("heading", name="Status: Received").is_visible()
    assert "reader@example.org" not in page.content()
    screenshot(page, "status-page")
    assert errors == []


def test_reader_without_javascript_reports_through_the_plain_form(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/articles/library-sunday-opening")
    assert not page.get_by_role("link", name="Report this passage").is_visible()
    page.get_by_role("link", name="Report an inaccuracy").click()
    page.wait_for_load_state()

    # Send once with a mistake: the error is shown at the field and the text stays.
    page.get_by_label("What is wrong?").fill("Wrong day")
    page.get_by_label("The passage that is wrong").fill("from 6 December")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    assert "Choose what kind of problem it is." in page.content()
    assert page.get_by_label("The passage that is wrong").input_value() == "from 6 December"
    screenshot(page, "report-form-errors")

    page.get_by_label("Out of date").check()
    page.get_by_label("What is wrong?").fill("The council moved the start to 13 December.")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url(re.compile(r"/reports/"))
    assert "Thank you: your report has arrived" in page.content()
    context.close()
