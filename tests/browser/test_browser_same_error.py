"""Issue 18's loop, end to end in headless Chromium on a real server: a machine-written article carries a wrong
figure, two of its siblings carry the same sentence (one verbatim, one reworded) and another carries the right
figure. A reader reports it; the editor publishes a correction that fixes the article; within seconds the
server's sweep lists the two siblings (not the right one); the editor corrects one and dismisses the other, and
both go into the articles' histories. Then `corrections check-text` names the correction in a new draft that
repeats the error (and passes the same draft put right), and importing that draft opens a "came back" item."""

import json
import re
import subprocess
import time

import pytest

from tests.live import LiveServer, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
GENERATOR = "newswriter 4.2"
WRONG = "Northgate Water said average bills would rise 6 per cent to £512 a year from April"
RIGHT = "Northgate Water said average bills would rise 4.5 per cent to £512 a year from April"
# The same error reworded: a word changed and quotes put in, its figures and names kept.
REWORDED = "Northgate Water said average bills “will rise 6 per cent to £512 a year” from April"
REWORDED_RIGHT = "Northgate Water said average bills “will rise 4.5 per cent to £512 a year” from April"
ORIGINAL, VERBATIM, REWORDING, RIGHT_ONE, DRAFT = (
    "Northgate Water bills to rise from April", "Northgate Water to spend £1.1bn on its pipes",
    "Leaks down by a tenth, says Northgate Water", "Regulator approves Northgate Water’s plans",
    "Water bills: what changes for households")
ARTICLES = [
    (ORIGINAL, "trainedAlgorithmicMedia",
     f"<p>Households across the Northgate area will pay more for their water.</p><p>{WRONG}.</p>"
     "<p>The company blamed the cost of energy.</p>"),
    (VERBATIM, "trainedAlgorithmicMedia",
     f"<p>The company will replace 400 miles of mains by 2030.</p><p>{WRONG}.</p>"),
    (REWORDING, "trainedAlgorithmicMedia",
     f"<p>Leaks fell by a tenth last year, the company said.</p><p>{REWORDED}.</p>"),
    (RIGHT_ONE, "digitalCreation",
     f"<p>The regulator approved the company’s plans on Tuesday.</p><p>{RIGHT}.</p>"),
]
# What the reader quotes and suggests.
QUOTED, SUGGESTED = "average bills would rise 6 per cent to £512", "average bills would rise 4.5 per cent to £512"
DRAFT_BODY = f"<p>From April, households will pay more for their water.</p><p>{WRONG}.</p>"


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower().replace("’", "")).strip("-")


def article_line(title: str, source_type: str, body: str) -> str:
    machine = {"generator": GENERATOR} if source_type != "digitalCreation" else {}
    return json.dumps({"slug": slug(title), "title": title, "body": body, "source_type": source_type, **machine,
                       "canonical_url": f"https://news.example.org/{slug(title)}"}, ensure_ascii=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("browser-same-error"), SPAM_MIN_SECONDS=0, MAIL_SEND_INTERVAL=0,
                      WEBHOOK_SEND_INTERVAL=0, REPEAT_SWEEP_INTERVAL=0.2)
    # The server's own address: check-text (a command, outside any request) names corrections by their full URL.
    live.env["CORRECTIONS_BASE_URL"] = live.url
    live.migrate(sqlite_template)
    live.command("create-editor", "pat@example.org", "--name", "Pat Desk", "--password-stdin", input=PASSWORD + "\n")
    lines = "".join(article_line(*article) + "\n" for article in ARTICLES)
    assert "4 created" in live.command("import-articles", "-", input=lines).stdout
    yield live.start()
    live.stop()


def poll(page, url: str, ready, seconds: float = 15) -> None:
    """Open `url` again until `ready()` says the page shows what is awaited, or `seconds` have passed (the
    assertions after it then say what is missing)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if ready() or time.monotonic() > deadline:
            return
        page.wait_for_timeout(100)


def titles(cards) -> list[str]:
    return sorted(cards.locator("a strong").all_inner_texts())


def test_a_reported_error_is_corrected_everywhere_and_caught_when_it_comes_back(server, browser):
    # A reader of the machine-written article reports the wrong figure.
    reader = browser.new_page(viewport={"width": 375, "height": 800})
    reader.goto(f"{server.url}/articles/{slug(ORIGINAL)}")
    assert reader.locator(".provenance").inner_text() == f"This article was generated automatically by {GENERATOR}."
    reader.get_by_role("link", name="Report an inaccuracy").click()
    reader.get_by_label("The passage that is wrong").fill(QUOTED)
    reader.get_by_label("A fact is wrong").check()
    reader.get_by_label("What is wrong?").fill("The company’s announcement says bills rise by 4.5 per cent, not 6.")
    reader.get_by_label("What should it say instead?").fill(SUGGESTED)
    reader.get_by_label("A source that shows it").fill("https://www.northgatewater.example/news/bills")
    reader.get_by_role("button", name="Send report").click()
    reader.wait_for_url(re.compile(r"/reports/"))
    assert reader.get_by_role("heading", name="Thank you: your report has arrived").is_visible()
    reference = reader.locator(".reference").inner_text()

    # The editor publishes the correction and fixes the article in the same step, keeping the words offered.
    editor = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(editor, server.url, "pat@example.org", PASSWORD)
    editor.get_by_role("link", name=reference).click()
    form = editor.locator("form#publish")
    assert form.get_by_label("Also correct the article").is_checked()
    assert form.get_by_label("Replace the passage with").input_value() == SUGGESTED
    # Widened to the whole sentence, its names and figures: what the sweep tells apart from the right one.
    assert (form.get_by_label("What was wrong").input_value(), form.get_by_label("What is right").input_value()) == (
        WRONG, RIGHT)
    notice_text = form.get_by_label("Text of the notice").input_value()
    form.get_by_role("button", name="Publish").click()
    editor.get_by_role("heading", name="Check the change before publishing").wait_for()
    confirm = editor.locator("form.confirm-fix")
    assert (confirm.get_by_label("What was wrong").input_value(), confirm.get_by_label("What is right").input_value()
            ) == (WRONG, RIGHT)
    confirm.get_by_role("button", name="Confirm: correct the article and publish").click()
    editor.wait_for_url(re.compile(rf"/editor/articles/{slug(ORIGINAL)}"))
    assert "the article’s text corrected (revision" in editor.locator(".flash-success").inner_text()

    reader.goto(f"{server.url}/articles/{slug(ORIGINAL)}")
    body = reader.locator(".article-body").inner_text()
    assert f"{RIGHT}." in body and "rise 6 per cent" not in body
    notice = reader.locator(".notices-top .notice")
    assert notice_text in notice.inner_text()
    notice_id = int(notice.get_attribute("id").removeprefix("correction-"))

    # Within seconds the sweep lists the two siblings, not the article that has the right figure.
    cards = editor.locator("ul.changes li.card")
    started = time.monotonic()
    poll(editor, f"{server.url}/editor/elsewhere", lambda: cards.count() >= 2)
    sweep_seconds = time.monotonic() - started
    assert titles(cards) == sorted([VERBATIM, REWORDING]), f"after {sweep_seconds:.1f} s"
    marked = dict(zip(cards.locator("a strong").all_inner_texts(), cards.locator("mark").all_inner_texts(),
                      strict=True))
    assert marked == {VERBATIM: WRONG, REWORDING: REWORDED}
    screenshot(editor, "same-error-two-siblings")

    # The reworded one is corrected in its own words: only the figure changes.
    cards.get_by_role("link", name=REWORDING).click()
    form = editor.locator("form#confirm")
    assert form.get_by_label("Replace the marked words with").input_value() == REWORDED_RIGHT
    form.get_by_label("Text of the notice").fill(
        "An earlier version of this article said average bills would rise 6 per cent. They will rise 4.5 per cent.")
    form.get_by_role("button", name="Correct and publish").click()
    editor.wait_for_url(f"{server.url}/editor/elsewhere")
    assert f"the notice is published on “{REWORDING}”" in editor.locator(".flash-success").inner_text()
    reader.goto(f"{server.url}/articles/{slug(REWORDING)}")
    assert f"{REWORDED_RIGHT}." in reader.locator(".article-body").inner_text()
    assert "They will rise 4.5 per cent." in reader.locator(".notices-top").inner_text()

    # The verbatim one is dismissed, with a reason.
    cards.get_by_role("link", name=VERBATIM).click()
    form = editor.locator("form#dismiss")
    form.get_by_label("Corrected already in another way.").check()
    form.get_by_label("Your own words").fill("Tonight’s update replaces this article.")
    form.get_by_role("button", name="Dismiss").click()
    editor.wait_for_url(f"{server.url}/editor/elsewhere")
    assert "Dismissed; the reason is in the article’s history." in editor.locator(".flash-success").inner_text()
    assert cards.count() == 0

    for state, title in (("confirmed", REWORDING), ("dismissed", VERBATIM)):
        editor.goto(f"{server.url}/editor/elsewhere?state={state}")
        assert titles(cards) == [title]
        assert f"{'Corrected' if state == 'confirmed' else 'Dismissed'} (Pat Desk)" in cards.inner_text()
    editor.goto(f"{server.url}/editor/articles/{slug(REWORDING)}")
    assert (f"the same error as another article’s correction, corrected (revision 2): As corrected in “{ORIGINAL}”: "
            f"{REWORDED}") in editor.locator("ul.history").inner_text()
    editor.goto(f"{server.url}/editor/articles/{slug(VERBATIM)}")
    assert ("the same error as another article’s correction, dismissed (revision 1): Corrected already in another "
            "way. Tonight’s update replaces this article.") in editor.locator("ul.history").inner_text()

    # A new draft repeating the error is caught before it is published; the same draft put right passes.
    with pytest.raises(subprocess.CalledProcessError) as caught:
        server.command("check-text", "-", input=DRAFT_BODY)
    assert caught.value.returncode == 1
    # Best first: the correction itself (the notice confirming published on the reworded sibling may follow).
    finding = json.loads(caught.value.stdout.splitlines()[0])
    assert finding["correction"]["id"] == notice_id
    assert finding["correction"]["url"] == f"{server.url}/articles/{slug(ORIGINAL)}#correction-{notice_id}"
    assert (finding["article"]["slug"], finding["text"], finding["suggestion"]) == (slug(ORIGINAL), WRONG, RIGHT)
    assert DRAFT_BODY[finding["start"]:finding["end"]] == WRONG
    assert server.command("check-text", "-", input=DRAFT_BODY.replace(WRONG, RIGHT)).stdout == ""

    # Published anyway, the draft opens a "came back" item on the original correction within seconds.
    assert "1 created" in server.command("import-articles", "-",
                                         input=article_line(DRAFT, "trainedAlgorithmicMedia", DRAFT_BODY)).stdout
    poll(editor, f"{server.url}/editor/elsewhere?notice={notice_id}", lambda: cards.count() >= 1)
    assert titles(cards) == [DRAFT]
    assert cards.locator("mark").inner_text() == WRONG
    meta = cards.locator(".meta").inner_text()
    assert f"Corrected in “{ORIGINAL}”" in meta and "came back in a new text" in meta
    screenshot(editor, "same-error-came-back")
