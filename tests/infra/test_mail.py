"""E-mail to readers: what is queued with each outcome, and how the outbox reaches a real SMTP server.

The server is aiosmtpd on 127.0.0.1: one that accepts and keeps what it receives, one that refuses
("451 try again later", "554 no"), and none at all (connection refused).
"""

import re
import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from corrections.extensions import db
from corrections.infra import mail, webhooks
from corrections.models import OutboxMessage, utcnow
from corrections.notices import publishing
from corrections.reports import workflow
from tests.helpers import confirm_addresses, file_report, login, make_article, make_editor

SENDER = "Newsroom corrections <corrections@news.example.org>"
REASON = "The article is accurate as published."
CORRECTION = "The vote was 29 to 14, not 31 to 12 as we first reported."
STATUS_LINK = re.compile(r"Your report's page: (http://localhost/reports/\S+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, or answers DATA with `refuse` when that is set."""

    def __init__(self):
        self.envelopes = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        return [message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


class SMTPServer:
    """A local SMTP server on a fixed free port, so it can go down and come back at the same address."""

    def __init__(self, **options):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller = None
        # aiosmtpd's SMTP options, e.g. enable_SMTPUTF8=False (its Controller offers SMTPUTF8 unless told not to).
        self.options = options

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, server_hostname="localhost",
                                     **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down():
    """An address where nothing listens (yet)."""
    server = SMTPServer()
    yield server
    server.stop()


def mail_settings(port: int, **overrides) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_SENDER": SENDER, "MAIL_TIMEOUT": 5, **overrides}


@pytest.fixture
def mail_app(make_app, smtp):
    app = make_app(**mail_settings(smtp.port))
    with app.app_context():
        yield app


@pytest.fixture
def down_app(make_app, smtp_down):
    app = make_app(**mail_settings(smtp_down.port))
    with app.app_context():
        yield app


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def make_due() -> None:
    """Let the clock run: every pending message is due again."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "pending")
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def rejected_reports(count: int = 1, **fields) -> list:
    """Reports whose readers asked to hear the outcome (and confirmed their address), rejected: one queued
    message each."""
    editor = make_editor("rejecter@example.org", "Rita Rejecter")
    article = make_article()
    confirm_addresses(*(f"reader{n}@example.org" for n in range(count)))
    reports = []
    for n in range(count):
        report = file_report(article, email=f"reader{n}@example.org", name=f"Reader {n}", notify=True, **fields)
        workflow.reject(report, REASON, by=editor)
        reports.append(report)
    db.session.commit()
    return reports


def status_link(body: str) -> str:
    match = STATUS_LINK.search(body)
    assert match, f"no status link in:\n{body}"
    return match.group(1)


# Queued with the outcome


@pytest.mark.databases("sqlite")
def test_rejecting_a_report_queues_one_message_with_the_reason_and_the_status_link(app, client, editor):
    article = make_article()
    confirm_addresses("ada@example.org")
    report = file_report(article, email="ada@example.org", name="Ada Reader", notify=True)
    workflow.reject(report, REASON, by=editor)
    db.session.commit()

    [message] = outbox()
    assert (message.to_address, message.status, message.attempts) == ("ada@example.org", "pending", 0)
    assert message.subject == f"An editor reviewed your report ({report.reference})"
    assert message.report_id == report.id
    assert report.reference in message.body
    assert REASON in message.body
    assert "Hello Ada Reader," in message.body
    page = client.get(urlsplit(status_link(message.body)).path)
    assert page.status_code == 200
    assert report.reference in page.get_data(as_text=True)


def test_publishing_a_correction_tells_linked_reporters_and_readers_of_duplicates_who_asked(app, client, editor):
    article = make_article()
    confirm_addresses("asked@example.org", "same.asked@example.org")
    asked = file_report(article, email="asked@example.org", notify=True)
    silent = file_report(article, email="silent@example.org", notify=False)
    no_address = file_report(article, notify=True)
    same_asked = file_report(article, email="same.asked@example.org", notify=True)
    same_silent = file_report(article, email="same.silent@example.org", notify=False)
    workflow.mark_duplicate(same_asked, asked, by=editor)
    workflow.mark_duplicate(same_silent, asked, by=editor)
    db.session.commit()
    assert outbox() == [], "nothing is corrected yet"

    publishing.publish(article, "correction", CORRECTION, by=editor, reports=[asked, silent, no_address])
    db.session.commit()

    by_address = {m.to_address: m for m in outbox()}
    assert sorted(by_address) == ["asked@example.org", "same.asked@example.org"]
    linked, duplicate = by_address["asked@example.org"], by_address["same.asked@example.org"]
    assert linked.subject == f"Your report led to a correction ({asked.reference})"
    assert duplicate.subject == f"The error you reported has been corrected ({same_asked.reference})"
    for message, report in ((linked, asked), (duplicate, same_asked)):
        assert message.report_id == report.id
        assert CORRECTION in message.body
        assert f"http://localhost/articles/{article.slug}" in message.body
        page = client.get(urlsplit(status_link(message.body)).path)
        assert page.status_code == 200
        assert report.reference in page.get_data(as_text=True)


def test_a_report_marked_duplicate_of_a_corrected_one_tells_its_reader(app, editor):
    article = make_article()
    original = file_report(article)
    publishing.publish(article, "correction", CORRECTION, by=editor, reports=[original])
    confirm_addresses("late@example.org")
    late = file_report(article, email="late@example.org", notify=True)
    workflow.mark_duplicate(late, original, by=editor)
    db.session.commit()

    [message] = outbox()
    assert message.to_address == "late@example.org"
    assert message.subject == f"The error you reported has been corrected ({late.reference})"


def test_no_message_for_reporters_who_did_not_ask_or_gave_no_address(app, editor):
    article = make_article()
    for report in (file_report(article, email="quiet@example.org", notify=False), file_report(article, notify=True)):
        workflow.reject(report, REASON, by=editor)
    db.session.commit()
    assert outbox() == []


# Sending


def test_send_due_delivers_to_the_smtp_server_once(mail_app, smtp):
    [report] = rejected_reports()

    assert mail.send_due() == (1, 0)

    [envelope] = smtp.mailbox.envelopes
    assert envelope.mail_from == "corrections@news.example.org"
    assert envelope.rcpt_tos == ["reader0@example.org"]
    [email] = smtp.mailbox.messages()
    assert email["From"] == SENDER
    assert email["To"] == "reader0@example.org"
    assert email["Subject"] == f"An editor reviewed your report ({report.reference})"
    assert email["Message-ID"]
    body = email.get_content()
    assert REASON in body
    assert status_link(body).startswith("http://localhost/reports/")
    [message] = outbox()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None

    make_due()
    assert mail.send_due() == (0, 0)
    assert len(smtp.mailbox.envelopes) == 1


def assert_waiting(messages, attempts: int, error: str, at_least: timedelta) -> None:
    for message in messages:
        assert message.status == "pending"
        assert message.attempts == attempts
        assert error in message.last_error
        assert message.next_attempt_at >= utcnow() + at_least - timedelta(seconds=5)


def test_messages_wait_while_the_server_is_down_or_refuses_then_go_exactly_once(down_app, smtp_down):
    rejected_reports(3)
    server = smtp_down

    # Nothing listens: the connection is refused.
    assert mail.send_due() == (0, 3)
    assert_waiting(outbox(), 1, "ConnectionRefusedError", timedelta(minutes=1))
    assert mail.send_due() == (0, 0), "not due again before the delay is over"

    # The server answers but refuses the messages; the delay grows with each try.
    server.start()
    for attempts, reply, delay in ((2, "451 try again later", 5), (3, "554 no", 15)):
        server.mailbox.refuse = reply
        make_due()
        assert mail.send_due() == (0, 3)
        assert_waiting(outbox(), attempts, reply.split(" ", 1)[1], timedelta(minutes=delay))
    assert server.mailbox.envelopes == []

    server.mailbox.refuse = None
    make_due()
    assert mail.send_due() == (3, 0)
    make_due()
    assert mail.send_due() == (0, 0)

    assert sorted(rcpt for e in server.mailbox.envelopes for rcpt in e.rcpt_tos) == [
        "reader0@example.org", "reader1@example.org", "reader2@example.org"]
    assert [(m.status, m.attempts) for m in outbox()] == [("sent", 4)] * 3


def test_a_message_is_marked_failed_after_max_attempts(down_app):
    rejected_reports()
    for _ in range(mail.MAX_ATTEMPTS - 1):
        make_due()
        mail.send_due()
    [message] = outbox()
    assert (message.status, message.attempts) == ("pending", mail.MAX_ATTEMPTS - 1)

    make_due()
    assert mail.send_due() == (0, 1)
    [message] = outbox()
    assert (message.status, message.attempts) == ("failed", mail.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in message.last_error
    make_due()
    assert mail.send_due() == (0, 0), "a failed message is not tried again"


def test_an_unexpected_error_while_sending_keeps_the_message_and_sends_the_others(mail_app, smtp, monkeypatch):
    first, second = rejected_reports(2)
    build_email = mail.build_email

    def broken_for_first(message):
        if message.report_id == first.id:
            raise RuntimeError("template exploded")
        return build_email(message)

    monkeypatch.setattr(mail, "build_email", broken_for_first)
    assert mail.send_due() == (1, 1)
    waiting, sent = outbox()
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "RuntimeError: template exploded")
    assert sent.status == "sent"

    monkeypatch.setattr(mail, "build_email", build_email)
    make_due()
    assert mail.send_due() == (1, 0)
    assert sorted(e.rcpt_tos[0] for e in smtp.mailbox.envelopes) == ["reader0@example.org", "reader1@example.org"]


def test_a_claimed_message_is_left_alone_until_the_claim_runs_out(mail_app, smtp):
    rejected_reports()
    # A sender claims the message and dies before sending it.
    assert len(mail.claim_due(10)) == 1

    assert mail.send_due() == (0, 0)
    assert smtp.mailbox.envelopes == []
    [message] = outbox()
    assert message.next_attempt_at > utcnow() + timedelta(minutes=mail.CLAIM_MINUTES - 1)

    make_due()  # the claim ran out: the message is not lost
    assert mail.send_due() == (1, 0)
    assert len(smtp.mailbox.envelopes) == 1


def test_two_senders_at_once_deliver_each_message_exactly_once(make_app, smtp):
    apps = [make_app(**mail_settings(smtp.port)) for _ in range(2)]
    count = 60
    with apps[0].app_context():
        db.session.add_all(OutboxMessage(to_address=f"reader{n}@example.org", subject=f"Message {n}", body="Hello")
                           for n in range(count))
        db.session.commit()

    start = threading.Barrier(2)
    results, errors = [[], []], []

    def sender(index: int) -> None:
        try:
            with apps[index].app_context():
                start.wait()
                # Small batches, so the two runs interleave their claims many times.
                while (outcome := mail.send_due(limit=2)) != (0, 0):
                    results[index].append(outcome)
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []

    delivered = [e.rcpt_tos[0] for e in smtp.mailbox.envelopes]
    assert len(delivered) == count
    assert sorted(delivered) == sorted(f"reader{n}@example.org" for n in range(count))
    assert sum(sent for run in results for sent, _ in run) == count
    with apps[0].app_context():
        assert {(m.status, m.attempts) for m in outbox()} == {("sent", 1)}


# Commands


@pytest.mark.databases("sqlite")
def test_send_mail_command_reports_what_it_sent(mail_app, smtp):
    rejected_reports(2)
    result = mail_app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("2 sent, 0 failed, 0 still pending")
    assert len(smtp.mailbox.envelopes) == 2


@pytest.mark.databases("sqlite")
def test_send_mail_command_exits_non_zero_when_a_send_fails(mail_app, smtp):
    rejected_reports(2)
    smtp.mailbox.refuse = "554 no"
    result = mail_app.test_cli_runner().invoke(args=["send-mail", "--limit", "1"])
    assert result.exit_code == 1
    assert result.output.strip().endswith("0 sent, 1 failed, 2 still pending")


@pytest.mark.databases("sqlite")
def test_without_a_mail_server_nothing_is_sent_and_the_outbox_is_readable(app, runner, editor):
    article = make_article()
    confirm_addresses("dev@example.org")
    report = file_report(article, email="dev@example.org", notify=True)
    workflow.reject(report, REASON, by=editor)
    db.session.commit()

    assert mail.send_due() == (0, 0)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "No MAIL_SERVER configured" in result.output
    assert "To: dev@example.org" in result.output
    assert f"Subject: An editor reviewed your report ({report.reference})" in result.output
    assert REASON in result.output
    assert result.output.strip().endswith("0 sent, 0 failed, 1 still pending")
    [message] = outbox()
    assert (message.status, message.attempts) == ("pending", 0)

    listing = runner.invoke(args=["outbox"])
    assert listing.exit_code == 0
    assert "To: dev@example.org" in listing.output and REASON in listing.output
    assert listing.output.strip().endswith(
        "1 pending, 0 held until their address is confirmed, 0 sent, 0 failed, 0 cancelled")


def test_outbox_command_lists_only_pending_messages_unless_all(app, runner, editor):
    article = make_article()
    confirm_addresses("done@example.org", "waiting@example.org")
    for address in ("done@example.org", "waiting@example.org"):
        workflow.reject(file_report(article, email=address, notify=True), REASON, by=editor)
    db.session.commit()
    done = outbox()[0]
    done.status, done.sent_at, done.attempts = "sent", utcnow(), 1
    db.session.commit()

    pending = runner.invoke(args=["outbox"]).output
    assert "To: waiting@example.org" in pending and "done@example.org" not in pending
    everything = runner.invoke(args=["outbox", "--all"]).output
    assert "To: waiting@example.org" in everything and "To: done@example.org" in everything
    assert everything.strip().endswith(
        "1 pending, 0 held until their address is confirmed, 1 sent, 0 failed, 0 cancelled")


# The background sender in `serve`


def wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_background_sender_delivers_and_survives_errors(mail_app, smtp, monkeypatch, caplog):
    rejected_reports()
    send_due = mail.send_due
    calls = []

    def flaky_send_due():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return send_due()

    monkeypatch.setattr(mail, "send_due", flaky_send_due)
    stop = mail.start_sender(mail_app, 0.05)
    try:
        assert wait_for(lambda: smtp.mailbox.envelopes and len(calls) >= 3)
    finally:
        stop.set()
    assert "Sending the outbox failed" in caplog.text
    assert len(smtp.mailbox.envelopes) == 1
    [message] = outbox()
    assert message.status == "sent"


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("settings, starts", [
    ({"MAIL_SERVER": "127.0.0.1", "MAIL_SEND_INTERVAL": 15}, True),
    ({"MAIL_SERVER": "127.0.0.1", "MAIL_SEND_INTERVAL": 0}, False),
    ({"MAIL_SERVER": None}, False),
], ids=["server and interval", "interval 0", "no server"])
def test_serve_starts_the_background_sender_only_with_a_server_and_an_interval(make_app, monkeypatch, settings,
                                                                               starts):
    import waitress

    started = []
    monkeypatch.setattr(waitress, "serve", lambda app, **options: None)
    monkeypatch.setattr(mail, "start_sender", lambda app, interval: started.append(interval))
    monkeypatch.setattr(webhooks, "start_sender", lambda app, interval: None)
    app = make_app(**settings, REQUEST_LOG=False)
    result = app.test_cli_runner().invoke(args=["serve"])
    assert result.exit_code == 0, result.output
    assert started == ([15.0] if starts else [])
    if not settings["MAIL_SERVER"]:
        assert "No MAIL_SERVER configured" in result.output


# The admin page


def test_admin_outbox_page_shows_counts_and_messages(app, client, editor):
    make_editor("admin@example.org", "Ada Admin", is_admin=True)
    rejected_reports()
    message = outbox()[0]
    message.attempts, message.last_error = 2, "SMTPDataError: (451, b'try again later')"
    db.session.commit()
    assert login(client, "admin@example.org").status_code == 302

    page = client.get("/editor/admin/outbox").get_data(as_text=True)
    assert "1</strong> pending" in page
    assert "reader0@example.org" in page
    assert message.subject in page
    assert "try again later" in page
