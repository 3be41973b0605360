"""End to end in headless Chromium: a pipeline publishes a correction through the API; within seconds the
background sweep of the real server lists the sibling article that carries the same wrong figure (not the one with
the right figure); an editor corrects it there in one step and readers see the notice and the right figure."""

import json
import time
import urllib.request

import pytest

from tests.live import LiveServer, log_in, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
WRONG = "Acme Corp said turnover rose 6 per cent to £4.2bn in the year to March"
RIGHT = "Acme Corp said turnover rose 10.5 per cent to £4.2bn in the year to March"
BODIES = {"acme-results": f"<p>{WRONG}, a record.</p>", "acme-shares": f"<p>Shares moved. {WRONG}.</p>",
          "acme-outlook": f"<p>{RIGHT}, the chief said.</p>"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("browser-elsewhere"), SPAM_MIN_SECONDS=0, MAIL_SEND_INTERVAL=0,
                      WEBHOOK_SEND_INTERVAL=0, REPEAT_SWEEP_INTERVAL=0.5)
    live.migrate(sqlite_template)
    live.command("create-editor", "pat@example.org", "--name", "Pat Desk", "--password-stdin", input=PASSWORD + "\n")
    lines = [json.dumps({"slug": slug, "title": slug.replace("-", " ").capitalize(), "body": body,
                         "canonical_url": f"https://news.example.org/{slug}"}) for slug, body in BODIES.items()]
    assert "3 created" in live.command("import-articles", "-", input="\n".join(lines) + "\n").stdout
    live.token = live.command("create-api-token", "Pipeline").stdout.strip()
    yield live.start()
    live.stop()


def test_the_sweep_lists_the_sibling_and_the_editor_corrects_it_in_one_step(server, browser):
    request = urllib.request.Request(
        f"{server.url}/api/v1/articles/acme-results/notices", method="POST",
        data=json.dumps({"kind": "correction", "text": "An earlier version gave the wrong growth: 10.5 per cent.",
                         "wrong_text": WRONG, "right_text": RIGHT}).encode(),
        headers={"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201

    editor = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(editor, server.url, "pat@example.org", PASSWORD)
    # Within seconds of publishing, off the request path.
    deadline = time.monotonic() + 15
    while True:
        editor.goto(server.url + "/editor/elsewhere")
        if editor.locator("ul.changes li.card").count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    items = editor.locator("ul.changes li.card")
    assert items.count() == 1
    assert items.locator("mark").inner_text() == WRONG
    assert "Acme outlook" not in editor.content()
    items.get_by_role("link", name="Acme shares").click()
    screenshot(editor, "same-error-elsewhere")

    form = editor.locator("form#confirm")
    assert form.get_by_label("Replace the marked words with").input_value() == RIGHT
    form.get_by_role("button", name="Correct and publish").click()
    editor.wait_for_url(server.url + "/editor/elsewhere")
    assert "the notice is published on “Acme shares”" in editor.locator(".flash-success").inner_text()

    reader = browser.new_page(viewport={"width": 375, "height": 800})
    reader.goto(server.url + "/articles/acme-shares")
    assert RIGHT in reader.locator("main").inner_text()
    assert "An earlier version gave the wrong growth" in reader.locator("main").inner_text()
