"""End to end in headless Chromium: a changed version of a demo article is imported with no notice; once the
grace period is over (0 minutes for this server) it is one "unannounced change" in the dashboard; an editor
answers it with a correction linked to the revision; the article page shows the notice with "See what
changed", which opens the diff, readable on a phone."""

import json

import pytest

from corrections.seed.demo_content import DEMO_ARTICLES
from tests.live import LiveServer, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
SLUG = "library-sunday-opening"
NOTICE = "An earlier version of this article said the grant was £42,000. It is £48,000."


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("browser-revisions"), SPAM_MIN_SECONDS=0, MAIL_SEND_INTERVAL=0,
                      WEBHOOK_SEND_INTERVAL=0, SILENT_EDIT_GRACE_MINUTES=0)
    live.migrate(sqlite_template)
    live.command("seed-demo")
    live.command("create-editor", "pat@example.org", "--name", "Pat Desk", "--password-stdin", input=PASSWORD + "\n")
    yield live.start()
    live.stop()


def test_an_unannounced_change_is_answered_with_a_correction_readers_can_open(server, browser):
    [library] = [dict(item) for item in DEMO_ARTICLES if item["slug"] == SLUG]
    library["body"] = library["body"].replace("£42,000 grant", "£48,000 grant")
    imported = server.command("import-articles", "-", input=json.dumps(library) + "\n")
    assert "1 updated" in imported.stdout

    editor = browser.new_page(viewport={"width": 1280, "height": 900})
    editor.goto(server.url + "/editor/login")
    editor.get_by_label("E-mail").fill("pat@example.org")
    editor.get_by_label("Password").fill(PASSWORD)
    editor.get_by_role("button", name="Log in").click()
    editor.wait_for_url(server.url + "/editor/")
    assert "1 unannounced change to published articles is waiting" in " ".join(
        editor.locator(".changes-due").inner_text().split())
    editor.get_by_role("link", name="1 unannounced change").click()
    items = editor.locator("ul.changes li.card")
    assert items.count() == 1
    items.get_by_role("link", name="Central library to open on Sundays from December").click()
    diff = editor.locator(".diff")
    assert diff.locator("del").inner_text() == "42" and diff.locator("ins").inner_text() == "48"
    screenshot(editor, "unannounced-change")

    form = editor.locator("form#publish")
    form.get_by_label("Correction").check()
    form.get_by_label("Text of the notice").fill(NOTICE)
    form.get_by_role("button", name="Publish").click()
    editor.wait_for_url(server.url + "/editor/changes")
    assert "linked to revision 2" in editor.locator(".flash-success").inner_text()
    assert "No unannounced change is waiting" in editor.content()
    assert "answered with a notice by Pat Desk" in " ".join(editor.locator("main").inner_text().split())
    editor.goto(server.url + f"/editor/articles/{SLUG}")
    assert "Pat Desk: answered with a notice (revision 2)" in editor.locator(".history").inner_text()
    screenshot(editor, "article-history")

    reader = browser.new_page(viewport={"width": 375, "height": 800})
    reader.goto(server.url + f"/articles/{SLUG}")
    top = reader.locator(".notices-top")
    assert NOTICE in top.inner_text()
    assert "£48,000 grant" in reader.locator(".article-body").inner_text()
    ld = json.loads(reader.locator('script[type="application/ld+json"]').inner_text())
    assert [(c["text"], bool(c["datePublished"])) for c in ld["correction"]] == [(NOTICE, True)]
    screenshot(reader, "article-notice-see-what-changed")
    top.get_by_role("link", name="See what changed").click()
    reader.wait_for_url(server.url + f"/articles/{SLUG}/revisions/1/2")
    assert reader.locator(".diff del").inner_text() == "42"
    assert reader.locator(".diff ins").inner_text() == "48"
    # Readable on a 375 px phone: nothing wider than the screen.
    assert reader.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(reader, "revision-diff-phone")
