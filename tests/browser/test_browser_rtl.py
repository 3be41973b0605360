"""An Arabic reader in Chromium, on a site that offers English and Arabic: the article, the report form (sent once
with mistakes, then right), the receipt, the status page, the log and the transparency page speak Arabic, right to
left, fit a phone's width and pass axe-core. CORRECTIONS_TEST_SCREENSHOTS=1 keeps each step at a phone's width and
a desktop's in test-artifacts/ for a person to look at.
"""

import re

import pytest
from babel.support import Translations

from corrections.languages import CATALOG_DOMAIN, TRANSLATIONS
from tests.browser.test_browser_axe import RUN_AXE, axe_script, described
from tests.live import LiveServer, screenshot

pytestmark = pytest.mark.browser

ARABIC = Translations.load(str(TRANSLATIONS), ["ar"], domain=CATALOG_DOMAIN)
PHONE, DESKTOP = (375, 800), (1366, 900)
SOURCE = "https://example.org/library/"


def ar(message: str, **values) -> str:
    """The Arabic catalog's words for a message, as the page shows them."""
    return ARABIC.gettext(message) % values if values else ARABIC.gettext(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("rtl"), SPAM_MIN_SECONDS=1, LANGUAGES='["en", "ar"]')
    live.migrate(sqlite_template)
    live.command("seed-demo")
    yield live.start()
    live.stop()


@pytest.fixture
def window(browser):
    context = browser.new_context(locale="ar", viewport={"width": PHONE[0], "height": PHONE[1]})
    context.add_init_script(axe_script())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def check(page, step: str, *words: str) -> None:
    """The page is Arabic and right to left, shows these words, fits a phone and passes axe; and is kept as
    screenshots at a phone's width and a desktop's."""
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"], step
    shown = page.locator("body").inner_text()
    missing = [w for w in words if w not in shown]
    assert not missing, f"{step}: not on the page: {missing}"
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    wide, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= window_width, f"{step}: {wide} px wide in a {window_width} px window"
    violations = page.evaluate(RUN_AXE, {"resultTypes": ["violations"]})
    assert not violations, f"{step}: " + "\n".join(map(described, violations))
    screenshot(page, f"rtl-{step}-{PHONE[0]}")
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    screenshot(page, f"rtl-{step}-{DESKTOP[0]}")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})


# Where `text` (in one text node under `selector`) starts and ends on the screen, from the left.
ENDS = """([selector, text]) => {
    for (const element of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode, at = node.data.indexOf(text);
            if (at < 0) continue;
            const left = i => {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                return range.getBoundingClientRect().left;
            };
            return [left(at), left(at + text.length - 1)];
        }
    }
    throw new Error("not on the page: " + text);
}"""


def reads_left_to_right(page, selector: str, text: str) -> bool:
    """Whether a Latin text (an address) on a right-to-left page reads in its own order: its first character left
    of its last, none of its punctuation carried to the other end."""
    first, last = page.evaluate(ENDS, [selector, text])
    return first < last


def test_an_arabic_reader_reports_an_error_right_to_left(server, window):
    page = window
    page.goto(server.url + "/articles/library-sunday-opening")
    check(page, "article", ar("Report an inaccuracy"), ar("See something wrong in this article?"))

    page.get_by_role("link", name=ar("Report an inaccuracy")).click()
    page.wait_for_url(re.compile(r"/articles/library-sunday-opening/report$"))
    check(page, "form", ar("What kind of problem is it?"), ar("Send report"))

    # Sent with mistakes: no kind of problem chosen, an address that is not one. Errors in Arabic, the text kept.
    described_wrong = "المكتبة تفتح أيام الأحد من 13 ديسمبر، لا من 6 ديسمبر."
    page.get_by_label(ar("What is wrong?")).fill(described_wrong)
    page.get_by_label(ar("Your e-mail")).fill("reader@example")
    page.get_by_role("button", name=ar("Send report")).click()
    page.wait_for_load_state()
    check(page, "form-errors", ar("Choose what kind of problem it is."), ar("Check the e-mail address: %(problem)s.",
                                                                            problem="")[:-2])
    assert page.get_by_label(ar("What is wrong?")).input_value() == described_wrong
    assert page.get_by_label(ar("Your e-mail")).input_value() == "reader@example"

    page.get_by_label(ar("Out of date")).check()
    page.get_by_label(ar("A source that shows it")).fill(SOURCE)
    page.get_by_label(ar("Your e-mail")).fill("1reader@example.org")
    page.get_by_label(ar("E-mail me when an editor has decided")).check()
    page.wait_for_timeout(1100)  # a person takes longer than the spam threshold to fill a form
    page.get_by_role("button", name=ar("Send report")).click()
    page.wait_for_url(re.compile(r"/reports/[^/]+$"))
    check(page, "receipt", ar("Thank you: your report has arrived"))
    reference = page.locator(".reference").inner_text()

    page.goto(page.url)
    check(page, "status", ar("Your report %(reference)s", reference=reference), ar("What you sent"))
    # Addresses keep their order among Arabic words: a slash at the end, a digit at the start.
    assert reads_left_to_right(page, ".your-report", SOURCE)
    assert reads_left_to_right(page, ".your-report", "1•••@example.org")
    assert reads_left_to_right(page, ".confirm-address", "1•••@example.org")

    page.goto(server.url + "/corrections")
    check(page, "log", ar("Corrections"), ar("All kinds"))

    page.goto(server.url + "/transparency")
    check(page, "transparency", ar("Transparency"), ar("Reports received and answered, by month"))
