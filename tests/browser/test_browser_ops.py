"""In headless Chromium against the real server: an admin wires a webhook and sets the policies; a reader
reads /transparency. The real server's background sender delivers to a receiver on 127.0.0.1."""

import json
import re
import time

import pytest

from tests.infra.test_webhooks import Receiver, verify
from tests.live import LiveServer, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    live = LiveServer(tmp_path_factory.mktemp("browser-ops"), WEBHOOK_SEND_INTERVAL=0.2, TRANSPARENCY_CACHE_SECONDS=0,
                      WEBHOOK_ALLOW_PRIVATE="true")
    live.migrate(sqlite_template)
    live.command("gen-fake", "--articles", "60", "--reports", "600")
    live.command("create-editor", "ada@example.org", "--name", "Ada Admin", "--admin", "--password-stdin",
                 input=PASSWORD + "\n")
    yield live.start()
    live.stop()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


def log_in(page, server) -> None:
    page.goto(server.url + "/editor/login")
    page.get_by_label("E-mail").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.url + "/editor/")


def test_an_admin_adds_a_webhook_and_the_test_delivery_arrives_signed(server, browser, receiver):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, server)

    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Address (URL)").fill("ftp://nowhere.example.org/")
    page.get_by_role("button", name="Add endpoint").click()
    assert "Use an http:// or https:// address" in page.locator("#field-url").inner_text()
    page.get_by_label("Address (URL)").fill(receiver.url)
    page.get_by_label("Description").fill("Newsroom chat")
    page.get_by_label(re.compile("report.created")).check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_role("textbox", name="Signing secret").input_value()
    assert secret.startswith("whsec_")
    screenshot(page, "webhook-added")

    page.get_by_role("button", name="Send a test delivery").click()
    deadline = time.monotonic() + 10
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.05)
    payload = verify(secret, receiver.received[0])
    assert payload["event"] == "ping" and payload["data"]["by"] == "Ada Admin"
    # The receiver holds the body before the sender has stored its answer: reload until the row says so.
    deadline = time.monotonic() + 10
    page.reload()
    while "delivered" not in page.locator("table.deliveries").inner_text() and time.monotonic() < deadline:
        time.sleep(0.1)
        page.reload()
    assert "delivered" in page.locator("table.deliveries").inner_text()
    screenshot(page, "webhook-delivered")
    assert errors == []


def test_an_admin_sets_the_policies_and_a_reader_sees_the_figures(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, server)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Policies").click()
    page.locator("#corrections_text").fill("We correct errors promptly.\n\nCorrections are dated.")
    page.locator("#publishing_principles_url").fill("https://www.example-news.org/standards")
    page.get_by_role("button", name="Save policies").click()
    assert "Policies saved" in page.locator(".flash-success").inner_text()

    reader = browser.new_page(viewport={"width": 390, "height": 844})
    reader.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    reader.goto(server.url + "/")
    data = [json.loads(block) for block in reader.locator('script[type="application/ld+json"]').all_inner_texts()]
    assert data[0]["correctionsPolicy"] == server.url + "/policies/corrections"
    assert data[0]["publishingPrinciples"] == "https://www.example-news.org/standards"
    reader.get_by_role("link", name=re.compile("Transparency")).click()
    reader.wait_for_url(server.url + "/transparency")
    charts = reader.locator("svg.chart")
    assert charts.count() == 5
    for i in range(5):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 30, "each chart is drawn at the phone's width"
    received = reader.locator("table.metrics-table").first.inner_text()
    assert re.search(r"Reports received\s+\d+", received)
    screenshot(reader, "transparency-phone")
    reader.get_by_role("link", name="Corrections policy").click()
    assert "We correct errors promptly." in reader.locator("main").inner_text()
    assert errors == []
