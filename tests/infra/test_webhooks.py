"""Webhooks: which changes queue which events, how deliveries reach a real receiver, and the admin pages.

The receiver is a real HTTP server on 127.0.0.1 that keeps what it is sent and answers with the status
codes a test scripts (500 then 200, a redirect, a slow answer); a closed port stands for a receiver that is down.
Webhooks refuse private addresses such as 127.0.0.1 unless WEBHOOK_ALLOW_PRIVATE is set, so tests that deliver
to a receiver set it (fixture `allow_private`).
"""

import hashlib
import hmac
import json
import socket
import ssl
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from corrections import transaction
from corrections.extensions import db
from corrections.infra import retry_queue, webhooks
from corrections.models import Editor, WebhookDelivery, WebhookEndpoint, utcnow
from corrections.notices import publishing
from corrections.reports import workflow
from tests.helpers import (
    csrf_token,
    file_report,
    form_tokens,
    make_article,
    make_editor,
    post_report,
    valid_report,
)
from tests.live import LiveServer, free_port

ALL_EVENTS = list(webhooks.EVENTS)


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps every request; answers `codes` in turn (the last one repeats).

    With `tls` (an ssl.SSLContext) it speaks HTTPS and keeps the SNI names clients send in `server_names`."""

    def __init__(self, codes=(200,), delay: float = 0.0, location: str = "", host: str = "127.0.0.1",
                 port: int = 0, tls: ssl.SSLContext | None = None):
        self.codes = list(codes)
        self.delay = delay
        self.location = location
        self.received: list[dict] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                receiver.received.append({"headers": dict(self.headers), "body": body, "answered": code})
                time.sleep(receiver.delay)
                self.send_response(code)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                answer = b"ok" if code < 300 else b"receiver says no"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}/hooks/corrections"
        if tls is not None:
            tls.sni_callback = lambda connection, name, context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://{host}:{self.port}/hooks/corrections"
        # Polled often: shutdown() waits for the next poll, and each test closes its receiver.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def events(self) -> list[str]:
        return [json.loads(r["body"])["event"] for r in self.received]

    def accepted(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received if 200 <= r["answered"] < 300]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow_private(app):
    """The receivers of these tests listen on 127.0.0.1, where webhooks go only with WEBHOOK_ALLOW_PRIVATE."""
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True


@pytest.fixture
def receiver():
    made = []

    def make(**options) -> Receiver:
        made.append(Receiver(**options))
        return made[-1]

    yield make
    for r in made:
        r.close()


def verify(secret: str, request: dict, tolerance: int = 300) -> dict:
    """What a receiver does (README, "Webhooks"): check the signature and the timestamp, then read the body."""
    headers, body = request["headers"], request["body"]
    timestamp = headers["X-Corrections-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["X-Corrections-Signature"]), "bad signature"
    assert abs(time.time() - int(timestamp)) < tolerance, "stale timestamp"
    payload = json.loads(body)
    assert payload["id"] == headers["X-Corrections-Delivery"]
    assert payload["event"] == headers["X-Corrections-Event"]
    return payload


def endpoint_for(url: str, events=None, **fields) -> tuple[WebhookEndpoint, str]:
    admin = fields.pop("by", None) or make_editor("hooks-admin@example.org", "Hook Admin", is_admin=True)
    created = webhooks.create_endpoint(url, ALL_EVENTS if events is None else events, by=admin, **fields)
    db.session.commit()
    return created


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def make_due() -> None:
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.status == "pending")
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


# --- Which changes queue which events ------------------------------------------------------------------------

def test_a_filed_report_queues_report_created_without_the_readers_contact(app, client):
    endpoint, _ = endpoint_for("https://hooks.example.org/in")
    article = make_article()

    assert post_report(client, article.slug, **valid_report()).status_code == 303

    [delivery] = deliveries()
    assert (delivery.endpoint_id, delivery.event, delivery.status) == (endpoint.id, "report.created", "pending")
    body = json.loads(delivery.body)
    assert body["id"] == delivery.uid and body["event"] == "report.created"
    report = body["data"]["report"]
    assert report["description"] == valid_report()["description"]
    assert report["status"] == "new" and report["article"]["slug"] == article.slug
    assert report["dashboard_url"] == f"http://localhost/editor/reports/{report['id']}"
    assert "ada@example.org" not in delivery.body and "Ada Reader" not in delivery.body


def test_reports_through_the_api_are_sent_too_but_spam_is_not(app, client):
    endpoint_for("https://hooks.example.org/in", ["report.created"])
    article = make_article()
    answer = client.post(f"/api/v1/articles/{article.slug}/reports",
                         json={"category": "typo", "description": "A typo in the second paragraph."})
    assert answer.status_code == 201
    post_report(client, article.slug, **valid_report(website="http://spam.example"))  # the honeypot: held as spam

    assert [json.loads(d.body)["data"]["report"]["category"] for d in deliveries()] == ["typo"]


def test_only_active_endpoints_subscribed_to_the_event_get_it(app):
    admin = make_editor("a@example.org", "A", is_admin=True)
    wants, _ = endpoint_for("https://a.example.org/", ["report.created"], by=admin)
    endpoint_for("https://b.example.org/", ["correction.published"], by=admin)
    off, _ = endpoint_for("https://c.example.org/", ["report.created"], by=admin)
    webhooks.set_active(off, False)
    db.session.commit()

    file_report(make_article())

    assert [d.endpoint_id for d in deliveries()] == [wants.id]


def test_status_moves_publishing_amending_and_withdrawing_each_queue_their_event(app, admin):
    endpoint_for("https://hooks.example.org/in")
    article = make_article(section="Politics")
    report = file_report(article)
    workflow.move(report, "in_review", by=admin, comment="Checking the minutes.")
    db.session.commit()
    notice = publishing.publish(article, "correction", "The vote was 29 to 14, not 31 to 12.", by=admin,
                                 reports=[report])
    db.session.commit()
    publishing.amend(notice, "The vote was 29 to 15, not 31 to 12.", by=admin, note="Recounted.")
    db.session.commit()
    publishing.withdraw(notice, "Published on the wrong article.", by=admin)
    db.session.commit()

    sent = [json.loads(d.body) for d in deliveries()]
    assert [b["event"] for b in sent] == [
        "report.created", "report.status_changed", "report.status_changed", "report.status_changed",
        "correction.published", "correction.amended", "correction.withdrawn"]
    moves = [(b["data"]["from"], b["data"]["to"], b["data"]["by"]) for b in sent[1:4]]
    assert moves == [("new", "in_review", "Ada Admin"), ("in_review", "accepted", "Ada Admin"),
                     ("accepted", "corrected", "Ada Admin")]
    assert sent[1]["data"]["comment"] == "Checking the minutes."
    assert sent[3]["data"]["report"]["status"] == "corrected"
    published = sent[4]["data"]["correction"]
    assert published["id"] == notice.id and published["kind"] == "correction"
    assert published["reports"] == [report.reference] and published["article"]["section"] == "Politics"
    assert sent[5]["data"]["previous"] == {"kind": "correction", "text": "The vote was 29 to 14, not 31 to 12.",
                                           "wrong_text": "", "right_text": ""}
    assert sent[5]["data"]["correction"]["text"] == "The vote was 29 to 15, not 31 to 12."
    assert sent[5]["data"]["note"] == "Recounted."
    assert sent[6]["data"]["reason"] == "Published on the wrong article."
    assert sent[6]["data"]["correction"]["withdrawn_at"]


def test_a_change_that_is_rolled_back_queues_nothing(app, admin):
    endpoint_for("https://hooks.example.org/in")
    report = file_report(make_article())
    before = len(deliveries())

    with pytest.raises(workflow.StaleReport):
        transaction.commit(lambda: workflow.move(report, "in_review", by=admin), report=report,
                           seen_version=report.version - 1)
    workflow.move(report, "spam", by=admin)
    db.session.rollback()

    assert len(deliveries()) == before


@pytest.mark.databases("sqlite")
def test_an_unknown_event_name_is_a_programming_error(app):
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhooks.emit("report.deleted", {})


@pytest.mark.databases("sqlite")
@pytest.mark.usefixtures("allow_private")
def test_filing_a_report_sends_nothing_inside_the_request(app, client, receiver):
    hook = receiver()
    endpoint_for(hook.url)
    assert post_report(client, make_article().slug, **valid_report()).status_code == 303
    time.sleep(0.2)
    assert hook.received == []
    assert [d.status for d in deliveries()] == ["pending"]


# --- Delivering to a real receiver ---------------------------------------------------------------------------

@pytest.mark.databases("sqlite")
@pytest.mark.usefixtures("allow_private")
def test_deliveries_reach_the_receiver_signed_and_are_marked_sent(app, receiver, admin):
    hook = receiver()
    _, secret = endpoint_for(hook.url)
    report = file_report(make_article())
    workflow.move(report, "in_review", by=admin)
    db.session.commit()

    assert webhooks.send_due() == (2, 0)

    payloads = [verify(secret, r) for r in hook.received]
    assert [p["event"] for p in payloads] == ["report.created", "report.status_changed"]
    assert payloads[0]["data"]["report"]["reference"] == report.reference
    headers = hook.received[0]["headers"]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["User-Agent"].startswith("corrections-webhooks/")
    results = [(d.status, d.attempts, d.last_status_code, d.last_error) for d in deliveries()]
    assert results == [("sent", 1, 200, "")] * 2
    assert webhooks.send_due() == (0, 0), "each delivery is sent once"
    assert len(hook.received) == 2


@pytest.mark.databases("sqlite")
@pytest.mark.usefixtures("allow_private")
def test_a_tampered_body_or_another_secret_fails_the_check(app, receiver):
    hook = receiver()
    _, secret = endpoint_for(hook.url)
    file_report(make_article())
    webhooks.send_due()
    [request] = hook.received

    with pytest.raises(AssertionError, match="bad signature"):
        verify("whsec_another", request)
    with pytest.raises(AssertionError, match="bad signature"):
        verify(secret, {**request, "body": request["body"].replace(b"factual", b"typo")})
    replayed = {**request, "headers": {**request["headers"], "X-Corrections-Timestamp": str(int(time.time()) + 60)}}
    with pytest.raises(AssertionError, match="bad signature"):
        verify(secret, replayed)


@pytest.mark.usefixtures("allow_private")
def test_a_receiver_that_answers_500_then_200_loses_no_event(app, receiver, admin):
    hook = receiver(codes=[500, 500, 500, 200])
    _, secret = endpoint_for(hook.url)
    reports = [file_report(make_article()) for _ in range(3)]

    assert webhooks.send_due() == (0, 3)
    for delivery in deliveries():
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
        assert delivery.last_error == "HTTP 500 Internal Server Error: receiver says no"
        assert delivery.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert webhooks.send_due() == (0, 0), "not due again before the back-off is over"

    make_due()
    assert webhooks.send_due() == (3, 0)

    accepted = [verify(secret, r) for r in hook.received if r["answered"] == 200]
    assert sorted(p["data"]["report"]["reference"] for p in accepted) == sorted(r.reference for r in reports)
    # The retry is the same delivery: same id and body, so a receiver can tell it from a new event.
    first_ids = [json.loads(r["body"])["id"] for r in hook.received[:3]]
    assert sorted(first_ids) == sorted(p["id"] for p in accepted)
    assert [(d.status, d.attempts, d.last_status_code) for d in deliveries()] == [("sent", 2, 200)] * 3


@pytest.mark.usefixtures("allow_private")
def test_a_receiver_that_is_down_keeps_every_delivery_and_is_tried_once_per_run(app):
    port = free_port()  # nothing listens there
    endpoint_for(f"http://127.0.0.1:{port}/hooks")
    for _ in range(3):
        file_report(make_article())

    assert webhooks.send_due() == (0, 1)

    first, *rest = deliveries()
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, None)
    assert "ConnectionRefusedError" in first.last_error
    # The others waited behind the first without a try of their own, and are due when it is.
    assert [(d.status, d.attempts, d.next_attempt_at) for d in rest] == [("pending", 0, first.next_attempt_at)] * 2


def test_a_slow_receiver_times_out_and_the_delivery_waits(make_app, receiver):
    app = make_app(WEBHOOK_TIMEOUT=0.3, WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        hook = receiver(delay=2)
        endpoint_for(hook.url)
        file_report(make_article())
        started = time.monotonic()
        assert webhooks.send_due() == (0, 1)
        assert time.monotonic() - started < 1.5
        [delivery] = deliveries()
        assert delivery.status == "pending" and "timed out" in delivery.last_error


@pytest.mark.databases("sqlite")
@pytest.mark.usefixtures("allow_private")
def test_a_redirect_is_not_followed(app, receiver):
    elsewhere = receiver()
    hook = receiver(codes=[302], location=elsewhere.url)
    endpoint_for(hook.url)
    file_report(make_article())

    assert webhooks.send_due() == (0, 1)

    [delivery] = deliveries()
    assert delivery.last_status_code == 302 and "redirects are not followed" in delivery.last_error
    assert elsewhere.received == []


@pytest.mark.usefixtures("allow_private")
def test_after_max_attempts_a_delivery_fails_and_an_admin_can_send_it_again(app, receiver):
    hook = receiver(codes=[503])
    endpoint_for(hook.url)
    file_report(make_article())
    for _ in range(retry_queue.MAX_ATTEMPTS):
        make_due()
        webhooks.send_due()
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts) == ("failed", retry_queue.MAX_ATTEMPTS)
    make_due()
    assert webhooks.send_due() == (0, 0), "a failed delivery is not tried again by itself"

    hook.codes = [200]
    webhooks.resend(delivery)
    db.session.commit()
    assert webhooks.send_due() == (1, 0)
    [delivery] = deliveries()
    assert delivery.status == "sent"
    assert len({json.loads(r["body"])["id"] for r in hook.received}) == 1


def test_only_failed_or_cancelled_deliveries_can_be_sent_again(app):
    endpoint, _ = endpoint_for("https://hooks.example.org/in")
    file_report(make_article())
    [delivery] = deliveries()
    with pytest.raises(webhooks.WebhookError, match="this one is pending"):
        webhooks.resend(delivery)
    webhooks.set_active(endpoint, False)
    db.session.commit()
    [delivery] = deliveries()
    assert delivery.status == "cancelled"
    with pytest.raises(webhooks.WebhookError, match="disabled"):
        webhooks.resend(delivery)


@pytest.mark.usefixtures("allow_private")
def test_a_delivery_cancelled_after_the_claim_is_not_sent(app, receiver, monkeypatch):
    hook = receiver()
    endpoint, _ = endpoint_for(hook.url)
    file_report(make_article())
    claim = retry_queue.claim_due

    def claim_then_admin_disables(model, limit):
        claimed = claim(model, limit)
        with app.app_context():  # another request, between the claim and the send
            webhooks.set_active(db.session.get(WebhookEndpoint, endpoint.id), False)
            db.session.commit()
        return claimed

    monkeypatch.setattr(retry_queue, "claim_due", claim_then_admin_disables)
    assert webhooks.send_due() == (0, 0)
    assert hook.received == []


def test_two_senders_at_once_deliver_each_event_exactly_once(make_app, receiver):
    apps = [make_app(WEBHOOK_ALLOW_PRIVATE=True) for _ in range(2)]
    hook = receiver()
    with apps[0].app_context():
        endpoint_for(hook.url, ["report.created"])
        for n in range(40):
            webhooks.emit("report.created", {"n": n})
        db.session.commit()
    results = []

    def run(app):
        with app.app_context():
            results.append(webhooks.send_due(limit=7 + len(results)))
            while (done := webhooks.send_due(limit=7))[0]:
                results.append(done)

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    got = sorted(json.loads(r["body"])["data"]["n"] for r in hook.received)
    assert got == list(range(40))


def test_delivered_deliveries_are_forgotten_after_keep_days_failed_ones_stay(make_app, receiver, monkeypatch):
    app = make_app(WEBHOOK_KEEP_DAYS=30, WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        hook = receiver()
        endpoint_for(hook.url, ["report.created"])
        for _ in range(2):
            file_report(make_article())
        webhooks.send_due()
        old, recent = deliveries()
        db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == old.id)
                           .values(next_attempt_at=utcnow() - timedelta(days=31)))
        webhooks.emit("report.created", {"kept": True})
        db.session.commit()
        stuck = deliveries()[-1]
        db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == stuck.id)
                           .values(status="failed", next_attempt_at=utcnow() - timedelta(days=90)))
        db.session.commit()
        monkeypatch.setattr(webhooks, "_pruned_at", [float("-inf")])

        webhooks.send_due()

        assert [d.id for d in deliveries()] == [recent.id, stuck.id]


@pytest.mark.databases("sqlite")
@pytest.mark.usefixtures("allow_private")
def test_send_webhooks_command_says_what_it_did_and_fails_on_a_failed_delivery(app, runner, receiver):
    hook = receiver(codes=[500, 200])
    endpoint_for(hook.url)
    file_report(make_article())

    result = runner.invoke(args=["send-webhooks"])
    assert result.exit_code == 1
    assert "0 sent, 1 failed; 1 waiting, 0 failed for good" in result.output

    make_due()
    result = runner.invoke(args=["send-webhooks", "--limit", "10"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed; 0 waiting" in result.output


@pytest.mark.databases("sqlite")
def test_serve_starts_the_webhook_sender_unless_the_interval_is_0(make_app, monkeypatch):
    import waitress

    for interval, expected in ((2, [2.0]), (0, [])):
        started = []
        monkeypatch.setattr(waitress, "serve", lambda app, **options: None)
        monkeypatch.setattr(webhooks, "start_sender", lambda app, seconds, started=started: started.append(seconds))
        result = make_app(WEBHOOK_SEND_INTERVAL=interval, REQUEST_LOG=False).test_cli_runner().invoke(args=["serve"])
        assert result.exit_code == 0, result.output
        assert started == expected


@pytest.mark.slow
def test_the_real_server_sends_a_readers_report_to_the_receiver_in_the_background(tmp_path, receiver):
    hook = receiver()
    server = LiveServer(tmp_path, WEBHOOK_SEND_INTERVAL=0.2, SPAM_MIN_SECONDS=0, RATELIMIT_ENABLED="false",
                        WEBHOOK_ALLOW_PRIVATE="true")
    server.command("db", "upgrade")
    server.command("import-articles", "-", input=json.dumps({
        "title": "Council approves budget", "canonical_url": "https://news.example.org/budget",
        "body": "The council approved the budget by 31 votes to 12.", "slug": "budget"}) + "\n")
    server.command("create-editor", "admin@example.org", "--admin", "--password-stdin", input="correct horse battery\n")
    from corrections import create_app

    app = create_app({"DATABASE_URL": server.env["CORRECTIONS_DATABASE_URL"], "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "other"), "WEBHOOK_ALLOW_PRIVATE": True})
    with app.app_context():
        admin = db.session.scalar(select(Editor))
        _, secret = webhooks.create_endpoint(hook.url, ["report.created"], by=admin)
        db.session.commit()
        db.engine.dispose()
    server.start()
    try:
        import urllib.request

        request = urllib.request.Request(server.url + "/api/v1/articles/budget/reports", method="POST",
                                         data=json.dumps({"category": "factual",
                                                          "description": "The vote was 29 to 14."}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
        deadline = time.monotonic() + 10
        while not hook.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
    [request] = hook.received
    assert verify(secret, request)["data"]["report"]["description"] == "The vote was 29 to 14."


# --- The admin pages -----------------------------------------------------------------------------------------

def page(response) -> str:
    return response.get_data(as_text=True)


def create_form(client, **fields) -> dict:
    data = {**form_tokens(page(client.get("/editor/admin/webhooks"))), "url": "https://hooks.example.org/in",
            "description": "Newsroom chat", "events": ["report.created", "correction.published"]}
    data.update(fields)
    return data


@pytest.mark.databases("sqlite")
def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(app, admin_client):
    response = admin_client.post("/editor/admin/webhooks", data=create_form(admin_client))

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    [endpoint] = db.session.scalars(select(WebhookEndpoint)).all()
    assert endpoint.url == "https://hooks.example.org/in" and endpoint.description == "Newsroom chat"
    assert endpoint.event_names == ["report.created", "correction.published"]
    assert endpoint.created_by == "Ada Admin"
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page(response)
    assert endpoint.secret not in page(admin_client.get(f"/editor/admin/webhooks/{endpoint.id}"))
    assert endpoint.secret not in page(admin_client.get("/editor/admin/webhooks"))


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("fields, message", [
    ({"url": ""}, "Enter the address"),
    ({"url": "ftp://hooks.example.org/in"}, "Use an http:// or https:// address"),
    ({"url": "javascript:alert(1)"}, "Use an http:// or https:// address"),
    ({"url": "https://user:pw@hooks.example.org/in"}, "Leave the user name and password out"),
    ({"url": "https://hooks.example.org:99999/in"}, "not a valid port"),
    ({"url": "https://hooks.example.org/" + "a" * 2000}, "under 2,000 characters"),
    ({"events": []}, "Choose at least one event"),
    ({"events": ["report.deleted"]}, "Unknown event"),
    ({"description": "d" * 201}, "200 characters"),
], ids=["empty", "ftp", "javascript", "credentials", "port", "long", "no events", "unknown event", "description"])
def test_a_bad_endpoint_is_refused_with_a_message_and_what_was_typed_is_kept(app, admin_client, fields, message):
    data = create_form(admin_client, **fields)
    response = admin_client.post("/editor/admin/webhooks", data=data)

    assert response.status_code == 400
    text = page(response)
    assert message in text
    assert db.session.scalars(select(WebhookEndpoint)).all() == []
    if data["url"] and len(data["url"]) < 100:
        assert f'value="{data["url"]}"' in text.replace("&#34;", '"')
    assert "Newsroom chat" in text or "description" in fields


def test_an_admin_edits_disables_enables_and_deletes_an_endpoint(app, admin_client):
    endpoint, _ = endpoint_for("https://hooks.example.org/in", ["report.created"])
    file_report(make_article())
    url = f"/editor/admin/webhooks/{endpoint.id}"
    token = csrf_token(admin_client, url)

    response = admin_client.post(url, data={"csrf_token": token, "url": "https://hooks.example.org/v2",
                                            "description": "", "events": ["report.status_changed"]})
    assert response.status_code == 302
    db.session.refresh(endpoint)
    assert (endpoint.url, endpoint.event_names) == ("https://hooks.example.org/v2", ["report.status_changed"])
    assert admin_client.post(url, data={"csrf_token": token, "url": "mailto:x@example.org",
                                        "events": ["report.created"]}).status_code == 400

    response = admin_client.post(f"{url}/active", data={"csrf_token": token, "active": "0"})
    assert response.status_code == 302
    assert "1 waiting delivery was cancelled" in page(admin_client.get(url))
    db.session.refresh(endpoint)
    assert not endpoint.active and [d.status for d in deliveries()] == ["cancelled"]
    admin_client.post(f"{url}/active", data={"csrf_token": token, "active": "1"})
    db.session.refresh(endpoint)
    assert endpoint.active

    refused = admin_client.post(f"{url}/delete", data={"csrf_token": token})
    assert refused.status_code == 400 and "Tick the box to confirm" in page(refused)
    assert admin_client.post(f"{url}/delete", data={"csrf_token": token, "confirm": "y"}).status_code == 302
    assert db.session.scalars(select(WebhookEndpoint)).all() == [] and deliveries() == []
    assert admin_client.get(url).status_code == 404


@pytest.mark.databases("sqlite")
@pytest.mark.usefixtures("allow_private")
def test_rotating_the_secret_signs_the_next_deliveries_with_the_new_one(app, admin_client, receiver):
    hook = receiver()
    endpoint, old = endpoint_for(hook.url, ["report.created"])
    url = f"/editor/admin/webhooks/{endpoint.id}"

    response = admin_client.post(f"{url}/rotate", data={"csrf_token": csrf_token(admin_client, url)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    db.session.refresh(endpoint)
    new = endpoint.secret
    assert new != old and new in page(response)
    file_report(make_article())
    webhooks.send_due()
    verify(new, hook.received[0])
    with pytest.raises(AssertionError):
        verify(old, hook.received[0])


@pytest.mark.usefixtures("allow_private")
def test_the_endpoint_page_shows_recent_deliveries_and_resends_a_failed_one(app, admin_client, receiver):
    hook = receiver(codes=[500])
    endpoint, secret = endpoint_for(hook.url, ["report.created"])
    file_report(make_article())
    webhooks.send_due()
    [delivery] = deliveries()
    db.session.execute(update(WebhookDelivery).values(status="failed"))
    db.session.commit()
    url = f"/editor/admin/webhooks/{endpoint.id}"

    text = page(admin_client.get(url))
    assert "report.created" in text and "HTTP 500 Internal Server Error: receiver says no" in text
    assert '<td class="num">500</td>' in text and '<td class="num">1</td>' in text
    assert delivery.uid in text and "Send again" in text

    hook.codes = [200]
    response = admin_client.post(f"/editor/admin/webhooks/deliveries/{delivery.id}/resend",
                                 data={"csrf_token": csrf_token(admin_client, url)})
    assert response.status_code == 302
    webhooks.send_due()
    assert "delivered" in page(admin_client.get(url))
    verify(secret, hook.received[-1])
    again = admin_client.post(f"/editor/admin/webhooks/deliveries/{delivery.id}/resend",
                              data={"csrf_token": csrf_token(admin_client, url)}, follow_redirects=True)
    assert "this one is delivered" in page(again)


@pytest.mark.databases("sqlite")
@pytest.mark.usefixtures("allow_private")
def test_a_test_delivery_reaches_the_receiver(app, admin_client, receiver):
    hook = receiver()
    endpoint, secret = endpoint_for(hook.url, ["report.created"])
    url = f"/editor/admin/webhooks/{endpoint.id}"
    assert admin_client.post(f"{url}/ping", data={"csrf_token": csrf_token(admin_client, url)}).status_code == 302
    webhooks.send_due()
    payload = verify(secret, hook.received[0])
    assert payload["event"] == "ping" and payload["data"]["by"] == "Ada Admin"


def test_the_list_shows_each_endpoint_with_its_waiting_and_failed_deliveries(app, admin_client):
    endpoint, _ = endpoint_for("https://hooks.example.org/in", ["report.created"], description="Chat <b>bot</b>")
    for _ in range(2):
        file_report(make_article())
    text = page(admin_client.get("/editor/admin/webhooks"))
    assert "https://hooks.example.org/in" in text and "Chat &lt;b&gt;bot&lt;/b&gt;" in text
    assert '<td class="num">2</td>' in text
    assert "<strong>2</strong> waiting" in text


@pytest.mark.databases("sqlite")
def test_unknown_endpoints_and_deliveries_are_404(admin_client):
    token = csrf_token(admin_client, "/editor/admin/webhooks")
    assert admin_client.get("/editor/admin/webhooks/999").status_code == 404
    assert admin_client.post("/editor/admin/webhooks/999/rotate", data={"csrf_token": token}).status_code == 404
    assert admin_client.post("/editor/admin/webhooks/deliveries/999/resend",
                             data={"csrf_token": token}).status_code == 404


# --- Private addresses ---------------------------------------------------------------------------------------

# An address Python counts as global, for names that must look public when saved (nothing connects to it).
PUBLIC_IP = "93.184.215.14"


@pytest.fixture
def dns(monkeypatch):
    """The system resolver, with made-up names answered by the test: `answers[name]` lists the addresses of each
    lookup in turn (the last answer repeats), and `lookups` records each lookup of such a name. A DNS server of
    our own cannot be put in front of the system resolver here, and changing answers are what is tested."""
    real = socket.getaddrinfo
    answers: dict[str, list[list[str]]] = {}
    lookups: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in answers:
            return real(host, port, family, type, proto, flags)
        lookups.append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, int(port), 0, 0)) if ":" in ip
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port))) for ip in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return SimpleNamespace(answers=answers, lookups=lookups)


NON_PUBLIC = [
    ("http://127.0.0.1:8080/in", "127.0.0.1 is a loopback address"),
    ("http://localhost/in", "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://[::1]/in", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/in", "::ffff:127.0.0.1 is a loopback address (127.0.0.1)"),
    ("http://2130706433/in", "2130706433 is a loopback address (127.0.0.1)"),
    ("http://0x7f000001/in", "0x7f000001 is a loopback address (127.0.0.1)"),
    ("http://0177.0.0.1/in", "0177.0.0.1 is a loopback address (127.0.0.1)"),
    ("http://127.1/in", "127.1 is a loopback address (127.0.0.1)"),
    ("http://10.1.2.3/in", "10.1.2.3 is a private address"),
    ("http://0x0a.1.2.3/in", "0x0a.1.2.3 is a private address (10.1.2.3)"),
    ("http://172.16.0.9/in", "172.16.0.9 is a private address"),
    ("https://192.168.1.20/in", "192.168.1.20 is a private address"),
    ("http://[::ffff:192.168.1.20]/in", "::ffff:192.168.1.20 is a private address (192.168.1.20)"),
    ("http://[2002:c0a8:114::1]/in", "2002:c0a8:114::1 is a private address (192.168.1.20)"),
    ("http://[64:ff9b::a01:203]/in", "64:ff9b::a01:203 is a private address (10.1.2.3)"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[fe80::1]/in", "fe80::1 is a link-local address"),
    ("http://[fd12:3456::1]/in", "fd12:3456::1 is a unique-local address"),
    ("http://224.0.0.251/in", "224.0.0.251 is a multicast address"),
    ("http://[ff02::1]/in", "ff02::1 is a multicast address"),
    ("http://0.0.0.0:8000/in", "0.0.0.0 is an unspecified address"),
    ("http://0/in", "0 is an unspecified address (0.0.0.0)"),
    ("http://[::]/in", ":: is an unspecified address"),
    ("http://100.64.0.1/in", "100.64.0.1 is a shared (carrier-grade NAT) address"),
    ("http://240.0.0.1/in", "240.0.0.1 is a private address"),
    ("http://[::7f00:1]/in", "::7f00:1 is a reserved address"),
]


@pytest.mark.databases("sqlite")
def test_every_kind_of_non_public_address_is_refused_when_saved_and_public_ones_are_not(app, dns):
    for url, reason in NON_PUBLIC:
        with pytest.raises(webhooks.WebhookError) as refused:
            webhooks.check_url(url)
        assert str(refused.value).startswith(reason + ", not a public internet address"), url
        assert "WEBHOOK_ALLOW_PRIVATE" in str(refused.value)

    # Public addresses, and names that do not resolve yet (each delivery checks them), are accepted.
    dns.answers["hooks.newsroom.test"] = [[PUBLIC_IP, "2606:4700::6810:84e5"]]
    for url in (f"https://{PUBLIC_IP}/in", "https://[2606:4700::6810:84e5]/in", "https://hooks.newsroom.test/in",
                "https://hooks.example.org/in"):
        assert webhooks.check_url(url) == url


@pytest.mark.databases("sqlite")
def test_a_name_with_one_private_address_among_public_ones_is_refused(app, dns):
    dns.answers["hooks.newsroom.test"] = [[PUBLIC_IP, "10.0.0.7"]]
    with pytest.raises(webhooks.WebhookError, match="hooks.newsroom.test resolves to 10.0.0.7, a private address"):
        webhooks.check_url("https://hooks.newsroom.test/in")


@pytest.mark.databases("sqlite")
def test_private_addresses_are_accepted_only_when_the_server_allows_them(make_app):
    with make_app().app_context(), pytest.raises(webhooks.WebhookError, match="a loopback address"):
        webhooks.check_url("http://localhost:8080/in")
    with make_app(WEBHOOK_ALLOW_PRIVATE=True).app_context():
        assert webhooks.check_url("http://localhost:8080/in") == "http://localhost:8080/in"


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("url, message", [
    ("http://localhost:8080/hooks", "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[::ffff:10.0.0.1]/in", "::ffff:10.0.0.1 is a private address (10.0.0.1)"),
    ("http://0x7f000001/in", "0x7f000001 is a loopback address (127.0.0.1)"),
], ids=["localhost", "metadata", "mapped", "hex"])
def test_an_admin_is_told_why_a_private_address_is_refused_and_keeps_what_was_typed(app, admin_client, url, message):
    response = admin_client.post("/editor/admin/webhooks", data=create_form(admin_client, url=url))

    assert response.status_code == 400
    text = page(response).replace("&#34;", '"').replace("&#39;", "'")
    assert message in text and "public internet addresses" in text
    assert f'value="{url}"' in text and "Newsroom chat" in text
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


@pytest.mark.databases("sqlite")
def test_an_endpoint_cannot_be_moved_to_a_private_address(app, admin_client):
    endpoint, _ = endpoint_for("https://hooks.example.org/in", ["report.created"])
    url = f"/editor/admin/webhooks/{endpoint.id}"

    response = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), "url": "http://localhost/in",
                                            "events": ["report.created"]})

    assert response.status_code == 400
    assert "localhost resolves to 127.0.0.1, a loopback address" in page(response)
    assert 'value="http://localhost/in"' in page(response)
    db.session.refresh(endpoint)
    assert endpoint.url == "https://hooks.example.org/in"


@pytest.mark.databases("sqlite")
def test_a_delivery_to_an_address_changed_to_a_private_one_after_saving_is_refused_once_and_logged(
        app, admin_client, receiver):
    hook = receiver()
    endpoint, _ = endpoint_for("https://hooks.example.org/in", ["report.created"])
    # Changed past the form (an older version, the database by hand): the delivery checks again.
    endpoint.url = f"http://localhost:{hook.port}/hooks/corrections"
    db.session.commit()
    file_report(make_article())

    assert webhooks.send_due() == (0, 1)

    assert hook.received == []
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, None)
    assert delivery.last_error.startswith("Not sent: localhost resolves to 127.0.0.1, a loopback address")
    make_due()
    assert webhooks.send_due() == (0, 0), "refused once, not tried again and again"
    shown = page(admin_client.get(f"/editor/admin/webhooks/{endpoint.id}"))
    assert "Not sent: localhost resolves to 127.0.0.1, a loopback address" in shown and "Send again" in shown


@pytest.mark.databases("sqlite")
def test_a_name_that_resolves_to_a_private_address_after_saving_is_refused_at_delivery(app, receiver, dns):
    hook = receiver()
    name = "hooks.rebind.test"
    dns.answers[name] = [[PUBLIC_IP], ["127.0.0.1"]]
    endpoint_for(f"http://{name}:{hook.port}/hooks/corrections", ["report.created"])  # checked: public
    file_report(make_article())

    assert webhooks.send_due() == (0, 1)

    assert hook.received == []
    [delivery] = deliveries()
    assert delivery.status == "failed"
    assert delivery.last_error.startswith(f"Not sent: {name} resolves to 127.0.0.1, a loopback address")
    assert dns.lookups == [name, name], "one lookup when saved, one for the delivery"


@pytest.mark.databases("sqlite")
def test_a_delivery_connects_to_the_address_it_resolved_not_to_a_later_answer(make_app, receiver, dns):
    first = receiver()
    second = receiver(host="127.0.0.2", port=first.port)
    name = "hooks.rebind.test"
    with make_app(WEBHOOK_ALLOW_PRIVATE=True).app_context():
        endpoint_for(f"http://{name}:{first.port}/hooks/corrections", ["report.created"])
        file_report(make_article())
        # The answer changes after the first lookup, as a rebinding DNS server's does.
        dns.answers[name] = [["127.0.0.1"], ["127.0.0.2"]]

        assert webhooks.send_due() == (1, 0)

    assert len(first.received) == 1 and second.received == []
    assert first.received[0]["headers"]["Host"] == f"{name}:{first.port}"
    assert dns.lookups == [name], "looked up once: the connection goes to the address looked up (and checked)"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A certificate authority and a server certificate it signed for hooks.tls.test (made with openssl)."""
    folder = tmp_path_factory.mktemp("tls")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test hooks CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", "hooks.key", "-out", "hooks.csr", "-subj", "/CN=hooks.tls.test")
    (folder / "hooks.ext").write_text("subjectAltName=DNS:hooks.tls.test\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "hooks.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "hooks.pem", "-days", "2", "-extfile", "hooks.ext")
    return folder


@pytest.mark.databases("sqlite")
def test_https_deliveries_to_the_checked_address_keep_the_name_for_sni_host_and_certificate(
        make_app, receiver, dns, certificates, monkeypatch):
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(certificates / "hooks.pem", certificates / "hooks.key")
    hook = receiver(tls=tls)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    dns.answers["hooks.tls.test"] = [["127.0.0.1"]]
    dns.answers["other.tls.test"] = [["127.0.0.1"]]
    with make_app(WEBHOOK_ALLOW_PRIVATE=True).app_context():
        admin = make_editor("hooks-admin@example.org", "Hook Admin", is_admin=True)
        _, secret = endpoint_for(f"https://hooks.tls.test:{hook.port}/hooks/corrections", ["report.created"], by=admin)
        endpoint_for(f"https://other.tls.test:{hook.port}/hooks/corrections", ["report.created"], by=admin)
        file_report(make_article())

        assert webhooks.send_due() == (1, 1)

        good, wrong_name = deliveries()
        assert good.status == "sent"
        assert "CERTIFICATE_VERIFY_FAILED" in wrong_name.last_error and "other.tls.test" in wrong_name.last_error
    [request] = hook.received
    verify(secret, request)
    assert request["headers"]["Host"] == f"hooks.tls.test:{hook.port}"
    assert "hooks.tls.test" in hook.server_names and "other.tls.test" in hook.server_names


def test_the_apps_own_delivery_errors_are_worded_in_the_admins_language(app, admin_client):
    endpoint, _ = endpoint_for("https://hooks.example.org/in")
    file_report(make_article())
    webhooks.set_active(endpoint, False)
    db.session.commit()
    [delivery] = deliveries()
    assert delivery.last_error == retry_queue.DISABLED  # stored in English: commands print it too
    assert "Cancelled: the endpoint was disabled." in page(admin_client.get(f"/editor/admin/webhooks/{endpoint.id}"))
    refused = f"{webhooks.NOT_SENT}10.0.0.5 is a private address. {webhooks.PRIVATE_REFUSED}"
    with force_locale("hu"):
        assert retry_queue.shown_error(retry_queue.DISABLED) == "Elvetve: a végpontot letiltották."
        assert retry_queue.shown_error(retry_queue.UNDONE) == "Elvetve: a döntést visszavonták."
        assert webhooks.shown_error(refused).startswith("Nincs elküldve: 10.0.0.5 is a private address. ")
        # A receiver's or a server's own words stay as they came.
        assert webhooks.shown_error("HTTP 500: Internal Server Error") == "HTTP 500: Internal Server Error"
