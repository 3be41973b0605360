"""An admin sets up clocks, canned answers and a desk; a reader reports a passage already corrected; an editor
finds it on their desk, resurfaced, saves a view, and settles it with a canned answer; on a desktop and a phone."""

import re

import pytest

from tests.live import LiveServer, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("browser-desk"), SPAM_MIN_SECONDS=0)
    live.migrate(sqlite_template)
    live.command("seed-demo")
    live.command("create-editor", "ada@example.org", "--name", "Ada Admin", "--admin", "--password-stdin",
                 input=PASSWORD + "\n")
    yield live.start()
    live.stop()


def log_in(page, url: str) -> None:
    page.goto(url + "/editor/login")
    page.get_by_label("E-mail").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(url + "/editor/")


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def test_a_desk_that_runs_on_clocks_and_canned_answers(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, server.url)
    # The demo sets targets of its own: how many of its first actions met them.
    page.get_by_role("link", name="Metrics").click()
    demo_met = int(page.locator("#targets ~ div tr", has_text="First action").first.inner_text().split()[3])
    page.goto(server.url + "/editor/")

    # Clocks: a default, and a faster first action for typos.
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Clocks").click()
    page.get_by_label("Every category (default): first action").fill("4 h")
    page.get_by_label("Every category (default): resolution").fill("2 d")
    page.get_by_label("Spelling, grammar or a typo: first action").fill("30 min")
    page.get_by_role("button", name="Save targets").click()
    page.wait_for_load_state()
    assert "Targets saved" in flash(page)
    screenshot(page, "desk-clocks")

    # Canned answers: a rejection, and an acceptance that drafts the correction.
    page.get_by_role("navigation", name="Admin pages").get_by_role("link", name="Answers").click()
    page.get_by_label("Name").fill("Opinion, not fact")
    page.get_by_label("Reject").check()
    page.locator("#text").fill("This is a matter of opinion, not of fact.")
    page.get_by_role("button", name="Add answer").click()
    page.wait_for_load_state()
    page.get_by_label("Name").fill("Wrong score")
    page.get_by_label("Accept").check()
    page.locator("#text").fill("Checked against the match report.")
    page.get_by_label("Correction template").fill("An earlier version said “{passage}”. It should have said "
                                                  "“{suggestion}”.")
    page.get_by_role("button", name="Add answer").click()
    page.wait_for_load_state()
    assert "Canned answer “Wrong score” added." in flash(page)
    screenshot(page, "desk-answers")

    # A desk for sport, with its section routed to it.
    page.get_by_role("navigation", name="Admin pages").get_by_role("link", name="Desks").click()
    page.get_by_label("Name").fill("Sport desk")
    page.get_by_label("Ada Admin").check()
    page.get_by_role("button", name="Add desk").click()
    page.wait_for_load_state()
    page.get_by_label("Desk for Sport").select_option(label="Sport desk")
    page.get_by_role("button", name="Save the route of Sport").click()
    page.wait_for_load_state()
    assert "New reports about “Sport” go to the desk “Sport desk”." in flash(page)
    screenshot(page, "desk-desks")

    # A reader reports the score the demo already corrected.
    reader = browser.new_context(viewport=PHONE).new_page()
    reader.goto(server.url + "/articles/rovers-reach-county-cup-semi-final/report?passage=the+3-2+victory")
    reader.get_by_label("A fact is wrong").check()
    reader.get_by_label("What is wrong?").fill("It says 3-2 but Rovers won 3-1.")
    reader.get_by_label("What should it say instead?").fill("the 3-1 victory")
    reader.get_by_role("button", name="Send report").click()
    reader.wait_for_load_state()
    reference = reader.locator(".confirmation .reference").inner_text()

    # The editor finds it on the desk, marked as resurfaced, with its clocks running.
    page.goto(server.url + "/editor/")
    row = page.locator("tr.group", has_text=reference)
    assert row.locator(".resurfaced-tag").inner_text() == "Already settled"
    row.get_by_role("link", name=reference).click()
    page.wait_for_load_state()
    meta = page.locator(".meta").first.inner_text()
    assert "desk: Sport desk" in meta
    assert re.search(r"First action\s+due in (3 h 59 min|4 h)", page.locator(".clocks").inner_text())
    settled = page.locator(".resurfaced").inner_text()
    assert "Already settled" in settled and "Rovers won 3-1." in settled
    screenshot(page, "desk-report-resurfaced")

    # Save the view of the open reports on this article, shared.
    page.goto(server.url + "/editor/?article=rovers-reach-county-cup-semi-final")
    page.get_by_text("Save these filters as a view").click()
    page.locator(".save-view").get_by_label("Name").fill("Rovers")
    page.get_by_label("Share with every editor").check()
    page.get_by_role("button", name="Save view").click()
    page.wait_for_load_state()
    assert "View “Rovers” saved and shared with every editor." in flash(page)
    assert page.locator(".saved-views a[aria-current=page]").inner_text().strip() == "Rovers"
    screenshot(page, "desk-queue-views")

    # On a phone: apply the canned acceptance; the publish form opens with the drafted correction.
    phone = context.browser.new_context(viewport=PHONE, storage_state=context.storage_state()).new_page()
    phone.goto(server.url + "/editor/views")
    phone.get_by_role("link", name="Rovers").click()
    phone.get_by_role("link", name=reference).click()
    phone.wait_for_load_state()
    screenshot(phone, "desk-report-phone")
    phone.get_by_label("Canned answer").select_option(label="Wrong score (accept)")
    phone.locator("#answer").get_by_role("button", name="Apply").click()
    phone.wait_for_load_state()
    assert "“Wrong score” applied" in flash(phone)
    assert phone.url.endswith("#publish")
    draft = phone.get_by_label("Text of the notice").input_value()
    assert draft == "An earlier version said “the 3-2 victory”. It should have said “the 3-1 victory”."
    assert re.search(r"→\s*(to\s*)?Accepted", phone.locator(".history").inner_text())
    screenshot(phone, "desk-report-phone-drafted")

    # The metrics count its first action as met; the demo's reports left open past 4 hours count as missed.
    page.get_by_role("link", name="Metrics").click()
    page.wait_for_load_state()
    row = page.locator("#targets ~ div tr", has_text="First action").first.inner_text()
    assert re.fullmatch(rf"First action\s+\d+%\s+{demo_met + 1}\s+[1-9]\d*\s+\d+", row.strip())
    screenshot(page, "desk-metrics")
    assert errors == []
