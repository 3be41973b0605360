"""Undo: for UNDO_SECONDS the editor who made a decision that tells readers something can take it back; the
reader's e-mail (and the webhook deliveries) wait until then, and an undo cancels them."""

import html
import re
import time
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from corrections import transaction
from corrections.articles import content
from corrections.editor.actions import PUBLISHED_ON
from corrections.extensions import db
from corrections.infra import mail, webhooks
from corrections.models import (
    AddressConfirmation,
    ChangeReview,
    Decision,
    Editor,
    Event,
    Notice,
    OutboxMessage,
    Report,
    WebhookDelivery,
    notice_report,
    utcnow,
)
from corrections.notices import publishing
from corrections.reports import canned_answers, consent, decisions, workflow
from tests.helpers import confirm_addresses, csrf_token, file_report, login, make_article, make_editor
from tests.infra.test_mail import SMTPServer, mail_settings, make_due

READER = "ada@example.org"
TEXT = "The vote was 29 to 14, not 31 to 12 as we said."


def moved_back(before: str, after: str) -> str:
    """The report history's line for an undo, as the page writes it: the two statuses and an arrow between."""
    return (f'undid the decision: {before} <span class="arrow-on" aria-hidden="true">→</span>'
            f'<span class="visually-hidden">to</span> {after}')


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, smtp):
    """An app that sends mail to a local SMTP server, with the default undo window."""
    app = make_app(**mail_settings(smtp.port), WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        yield app


def reader_report(article=None, **fields) -> Report:
    """A report whose reader confirmed their address and asked to be told the outcome."""
    if not db.session.scalar(select(func.count()).select_from(Report)):
        confirm_addresses(READER)
    return file_report(article or make_article(), email=READER, notify=True, passage="31 votes to 12",
                       suggested_correction="29 votes to 14", **fields)


def decide(change, reports: list[Report], by: Editor, what: str = "decided") -> tuple[Decision, object]:
    """Make a decision as the dashboard does: undoable, committed."""
    decision = decisions.start(by, what)
    result = transaction.commit(decisions.undoable(change, reports=reports, by=by, decision=decision),
                                reports=reports)
    return decision, result


def undo(decision: Decision, by: Editor) -> list[Report]:
    return transaction.commit(lambda: decisions.undo(decision, by=by),
                              reports=[row.report for row in decision.reports])


def fresh(report: Report) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report.id)


def in_review(report: Report, editor: Editor) -> Report:
    transaction.commit(lambda: workflow.move(report, "in_review", by=editor), report=report)
    return report


# --- The e-mail waits for the window -------------------------------------------------------------------------

def test_a_rejection_that_stands_is_mailed_only_once_the_window_has_passed(app, editor, smtp):
    report = in_review(reader_report(), editor)
    decision, _ = decide(lambda: workflow.reject(report, "The minutes say 31 to 12.", by=editor), [report], editor)

    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.decision_id == decision.id)).all()
    assert message.status == "pending"
    assert message.next_attempt_at >= decision.undo_until > utcnow()
    assert decision.undo_until - decision.created_at == timedelta(seconds=10)
    assert mail.send_due() == (0, 0)
    assert smtp.mailbox.envelopes == []

    make_due()  # the clock runs past the window
    assert mail.send_due() == (1, 0)
    [sent] = smtp.mailbox.messages()
    assert sent["To"] == READER and "The minutes say 31 to 12." in sent.get_content()


def test_an_undone_rejection_puts_the_report_back_and_its_email_never_leaves(app, editor, smtp):
    other = make_editor("sam@example.org", "Sam Other")
    report = in_review(reader_report(), editor)
    transaction.commit(lambda: workflow.assign(report, other, by=editor), report=report)
    before = fresh(report)
    was = {name: getattr(before, name) for name in workflow.UNDOABLE_FIELDS}
    assert was["first_action_at"] is not None and was["closed_at"] is None

    decision, _ = decide(lambda: workflow.reject(report, "The minutes say 31 to 12.", by=editor), [report], editor,
                         "rejected")
    assert fresh(report).status == "rejected" and fresh(report).closed_at is not None
    undone = undo(decision, editor)

    report = fresh(report)
    assert undone == [report]
    assert {name: getattr(report, name) for name in workflow.UNDOABLE_FIELDS} == was
    assert report.assignee.name == "Sam Other"
    last = report.events[-1]
    assert (last.kind, last.actor, last.from_value, last.to_value) == ("undo", "Maya Okafor", "rejected", "in_review")
    assert decisions.undone_words(last.comment) == f"Undone: {report.reference} rejected."
    assert db.session.get(Decision, decision.id).undone_at is not None

    make_due()
    assert mail.send_due() == (0, 0)
    assert smtp.mailbox.envelopes == []
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.decision_id == decision.id)).all()
    assert (message.status, message.last_error) == ("cancelled", decisions.CANCELLED)


def test_an_outcome_held_until_the_reader_confirms_still_waits_for_the_window(app, editor, smtp):
    report = in_review(file_report(make_article(), email="bo@example.org", notify=True), editor)
    assert mail.send_due() == (1, 0)  # the confirmation, which says nothing of the decision, goes at once
    decision, _ = decide(lambda: workflow.reject(report, "The minutes say 31 to 12.", by=editor), [report], editor)
    [held] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.decision_id == decision.id)).all()
    assert held.status == "held"

    # The reader confirms within the window: their outcome is released, but not before the window has passed.
    link = db.session.scalars(select(AddressConfirmation)).one()
    transaction.commit(lambda: consent.confirm(link))
    assert db.session.get(OutboxMessage, held.id).status == "pending"
    assert mail.send_due() == (0, 0)
    undo(decision, editor)
    make_due()
    assert mail.send_due() == (0, 0)
    assert len(smtp.mailbox.envelopes) == 1
    assert db.session.get(OutboxMessage, held.id).status == "cancelled"


def accept(report, editor, original):
    workflow.move(report, "in_review", by=editor)
    workflow.move(report, "accepted", by=editor)


def duplicate(report, editor, original):
    workflow.mark_duplicate(report, original, by=editor)


def canned_accept(report, editor, original):
    answer = canned_answers.save(None, name="Agreed", to_state="accepted", text="We will correct it.")
    canned_answers.apply(answer, report, by=editor)


def canned_reject(report, editor, original):
    answer = canned_answers.save(None, name="Opinion", to_state="rejected", text="A matter of opinion.")
    canned_answers.apply(answer, report, by=editor)


@pytest.mark.parametrize("kind", [accept, duplicate, canned_accept, canned_reject], ids=lambda kind: kind.__name__)
def test_every_kind_of_decision_is_undone_to_the_state_before(app, editor, kind):
    article = make_article()
    original = reader_report(article)
    report = reader_report(article)
    before = {name: getattr(fresh(report), name) for name in workflow.UNDOABLE_FIELDS}
    assert before["status"] == "new" and before["first_action_at"] is None

    decision, _ = decide(lambda: kind(report, editor, original), [report], editor)
    changed = fresh(report)
    assert changed.status != "new" and changed.first_action_at is not None
    undo(decision, editor)

    report = fresh(report)
    assert {name: getattr(report, name) for name in workflow.UNDOABLE_FIELDS} == before
    assert report.duplicate_of is None
    assert [e.kind for e in report.events][-1] == "undo"
    assert db.session.scalars(select(OutboxMessage.status).where(OutboxMessage.decision_id == decision.id)
                              ).all() in ([], ["cancelled"])


# --- Publishing -----------------------------------------------------------------------------------------------

def test_an_undone_publication_is_as_if_it_was_never_published(app, client, editor):
    hooks = make_editor("hooks@example.org", "Hook Admin", is_admin=True)
    webhooks.create_endpoint("http://127.0.0.1:9/in", ["correction.published", "report.status_changed"], by=hooks)
    article = make_article()
    report = reader_report(article)
    duplicate = reader_report(article)
    transaction.commit(lambda: workflow.mark_duplicate(duplicate, report, by=editor), report=duplicate)
    changed = article.body.replace("31 votes to 12", "29 votes to 14")
    revision = transaction.commit(lambda: content.change_text(article, article.title, changed, source="dashboard",
                                                              by=editor.name))
    review = db.session.scalars(select(ChangeReview)).one()
    page = client.get(f"/articles/{article.slug}")  # kept by the page cache
    assert TEXT not in page.get_data(as_text=True)

    decision, notice = decide(lambda: publishing.publish(article, "correction", TEXT, by=editor, reports=[report],
                                                         revision=revision),
                              [report], editor, "corrected: correction published")
    assert decision.notice_id == notice.id
    assert TEXT in client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert fresh(report).status == "corrected"
    assert db.session.get(ChangeReview, review.id).outcome == "notice"
    queued = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.decision_id == decision.id)).all()
    assert {d.event for d in queued} == {"correction.published", "report.status_changed"}
    assert all(d.next_attempt_at > decision.undo_until for d in queued)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.decision_id == decision.id)).all()
    assert sorted(m.report_id for m in mails) == [report.id, duplicate.id]  # the duplicate's reader is told too

    undo(decision, editor)

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0
    assert db.session.scalar(select(func.count()).select_from(notice_report)) == 0
    assert fresh(report).status == "new" and fresh(report).first_action_at is None
    assert fresh(duplicate).status == "duplicate"
    assert db.session.get(ChangeReview, review.id).outcome == ""
    assert {d.status for d in db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.decision_id == decision.id))} == {"cancelled"}
    assert {m.status for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.decision_id == decision.id))} == {"cancelled"}
    # Neither the article page nor the site-wide pages keep showing it (the page cache checks their versions).
    assert TEXT not in client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert TEXT not in client.get("/corrections").get_data(as_text=True)
    assert TEXT not in client.get("/corrections.atom").get_data(as_text=True)
    # A notice published next (which SQLite may give the same id) shows: no page is served from before.
    publishing.publish(article, "clarification", "The vote was held on Tuesday evening.", by=editor)
    db.session.commit()
    assert "held on Tuesday evening" in client.get("/corrections").get_data(as_text=True)


# --- Who, and until when ---------------------------------------------------------------------------------------

def test_undo_is_refused_once_the_window_has_passed(make_app, smtp):
    app = make_app(**mail_settings(smtp.port), UNDO_SECONDS=0.2)
    with app.app_context():
        editor = make_editor()
        report = in_review(reader_report(), editor)
        decision, _ = decide(lambda: workflow.reject(report, "The minutes say 31 to 12.", by=editor), [report],
                             editor, "rejected")
        [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.decision_id == decision.id)).all()
        assert message.next_attempt_at >= decision.undo_until + decisions.SENDING_MARGIN
        while utcnow() < decision.undo_until:
            time.sleep(0.05)
        with pytest.raises(decisions.UndoRefused, match=r"^Too late to undo: R-\w+ rejected at "):
            undo(decision, editor)
        assert fresh(report).status == "rejected"
        assert db.session.get(OutboxMessage, message.id).status == "pending"


@pytest.mark.databases("sqlite")
def test_only_the_editor_who_decided_can_undo(app, editor):
    other = make_editor("sam@example.org", "Sam Other")
    report = in_review(reader_report(), editor)
    decision, _ = decide(lambda: workflow.reject(report, "The minutes say 31 to 12.", by=editor), [report], editor)
    with pytest.raises(decisions.UndoRefused, match="Only Maya Okafor, who made this decision, can undo it."):
        undo(decision, other)
    assert fresh(report).status == "rejected"
    undo(decision, editor)
    with pytest.raises(decisions.UndoRefused, match="undone already"):
        undo(decision, editor)


def test_a_report_changed_since_the_decision_is_not_undone_blindly(app, editor):
    other = make_editor("sam@example.org", "Sam Other")
    report = in_review(reader_report(), editor)
    decision, _ = decide(lambda: workflow.reject(report, "The minutes say 31 to 12.", by=editor), [report], editor)
    transaction.commit(lambda: workflow.move(report, "in_review", by=other), report=report)
    with pytest.raises(workflow.StaleReport, match="was changed by Sam Other"):
        undo(decision, editor)
    assert [e.kind for e in fresh(report).events].count("undo") == 0


def test_without_an_undo_window_decisions_are_final_and_mailed_at_once(make_app, smtp):
    app = make_app(**mail_settings(smtp.port), UNDO_SECONDS=0)
    with app.app_context():
        editor = make_editor()
        report = in_review(reader_report(), editor)
        decision, _ = decide(lambda: workflow.reject(report, "The minutes say 31 to 12.", by=editor), [report],
                             editor)
        assert decision.id is None
        assert mail.send_due() == (1, 0)


# --- From the dashboard -----------------------------------------------------------------------------------------

def undo_form(page: str) -> tuple[str, dict]:
    """The "Undo" notice's form on a page: its address and fields."""
    found = re.search(r'<form method="post" action="(/editor/decisions/\d+/undo)">(.*?)</form>', page, re.S)
    assert found, "no Undo notice on the page"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', found.group(2)))
    return found.group(1), {name: html.unescape(value) for name, value in fields.items()}


def test_a_rejection_on_the_report_page_is_undone_from_the_next_page(app, editor_client, smtp):
    report = reader_report()
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    response = editor_client.post(f"/editor/reports/{report.id}/reject", data={
        "csrf_token": token, "version": str(report.version), "reason": workflow.REJECT_REASONS[0]},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"{report.reference} rejected." in page
    action, fields = undo_form(page)
    assert fields["csrf_token"] and fields["then"] == f"/editor/reports/{report.id}"
    assert 'data-key-undo aria-keyshortcuts="z">Undo</button>' in page
    # The notice stays on the next pages while the decision can be undone, and says there what it undoes.
    later = editor_client.get("/editor/").get_data(as_text=True)
    assert undo_form(later)[0] == action and f"<span>{report.reference} rejected.</span>" in later

    response = editor_client.post(action, data=fields)
    assert response.status_code == 302 and response.headers["Location"] == f"/editor/reports/{report.id}"
    page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Undone: {report.reference} rejected. Back to new; nothing was sent to readers." in html.unescape(page)
    assert moved_back("Rejected", "New") in page
    assert "/undo" not in page
    assert fresh(report).status == "new"
    make_due()
    assert mail.send_due() == (0, 0)

    again = editor_client.post(action, data=fields)
    assert again.status_code == 400
    assert "This decision was undone already" in again.get_data(as_text=True)


@pytest.mark.databases("sqlite")
def test_undo_needs_the_csrf_token_and_the_editor_who_decided(app, editor_client, client):
    report = reader_report()
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    page = editor_client.post(f"/editor/reports/{report.id}/move", data={
        "csrf_token": token, "version": str(report.version), "to": "in_review"}, follow_redirects=True)
    assert "/undo" not in page.get_data(as_text=True)  # moving to review tells the reader nothing
    page = editor_client.post(f"/editor/reports/{report.id}/move", data={
        "csrf_token": token, "version": str(fresh(report).version), "to": "accepted"}, follow_redirects=True)
    action, fields = undo_form(page.get_data(as_text=True))
    assert editor_client.post(action, data={"then": fields["then"]}).status_code == 400
    make_editor("sam@example.org", "Sam Other")
    login(client, "sam@example.org")
    other = client.post(action, data={**fields, "csrf_token": csrf_token(client)})
    assert other.status_code == 400
    assert "Only Maya Okafor, who made this decision, can undo it." in other.get_data(as_text=True)
    assert fresh(report).status == "accepted"


def test_an_undo_after_another_editors_change_is_a_conflict(app, editor_client):
    other = make_editor("sam@example.org", "Sam Other")
    report = in_review(reader_report(), other)
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    page = editor_client.post(f"/editor/reports/{report.id}/reject", data={
        "csrf_token": token, "version": str(fresh(report).version), "reason": workflow.REJECT_REASONS[0]},
        follow_redirects=True).get_data(as_text=True)
    action, fields = undo_form(page)
    report = fresh(report)
    transaction.commit(lambda: workflow.add_note(report, "Checked with the desk.", by=other), report=report)
    response = editor_client.post(action, data=fields)
    assert response.status_code == 409
    assert "was changed by Sam Other" in html.unescape(response.get_data(as_text=True))
    assert fresh(report).status == "rejected"


def test_a_bulk_rejection_is_undone_as_one(app, editor_client):
    article = make_article()
    reports = [reader_report(article) for _ in range(3)]
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "reject", "reason": workflow.REJECT_REASONS[1],
        "selected": [f"{r.id}:{r.version}" for r in reports], "back": "/editor/?status=open"},
        follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    references = [r.reference for r in reports]
    assert "3 done." in page
    # The notice names the decision on the pages after the one that reported it.
    later = html.unescape(editor_client.get("/editor/").get_data(as_text=True))
    assert f"<span>{references[0]}, {references[1]} and {references[2]} rejected.</span>" in later
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 1
    assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "pending")) == 3
    action, fields = undo_form(page)
    assert fields["then"] == "/editor/?status=open"

    assert editor_client.post(action, data=fields).status_code == 302
    assert [fresh(r).status for r in reports] == ["new"] * 3
    assert db.session.scalars(select(OutboxMessage.status)).all() == ["cancelled"] * 3
    assert db.session.scalar(select(func.count()).where(Event.kind == "undo")) == 3


def test_publishing_from_the_report_page_can_be_undone(app, editor_client):
    report = reader_report()
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    page = editor_client.post(f"/editor/reports/{report.id}/publish", data={
        "csrf_token": token, "kind": "correction", "text": TEXT, "link": str(report.id)},
        follow_redirects=True).get_data(as_text=True)
    action, fields = undo_form(page)
    assert fields["then"] == f"/editor/reports/{report.id}"
    assert f"{report.reference} corrected: correction published." in html.unescape(
        editor_client.get("/editor/").get_data(as_text=True))
    assert editor_client.post(action, data=fields).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0
    assert fresh(report).status == "new"
    # The history keeps what happened; the article no longer carries the notice.
    assert moved_back("Corrected", "New") in editor_client.get(
        f"/editor/reports/{report.id}").get_data(as_text=True)
    assert TEXT not in editor_client.get(f"/articles/{report.article.slug}").get_data(as_text=True)



# --- What an undo must not take back --------------------------------------------------------------------------

def test_a_notice_amended_since_it_was_published_is_not_undone(app, editor):
    article = make_article()
    decision, notice = decide(lambda: publishing.publish(article, "correction", TEXT, by=editor), [], editor,
                              "correction published")
    other = make_editor("sam@example.org", "Sam Other")
    transaction.commit(lambda: publishing.amend(notice, TEXT + " Updated.", by=other, note="A typo"))
    with pytest.raises(decisions.UndoRefused, match="amended or withdrawn since"):
        undo(decision, editor)
    db.session.expire_all()
    kept = db.session.get(Notice, notice.id)
    assert kept is not None and kept.text == TEXT + " Updated." and len(kept.versions) == 1


def test_an_undo_after_the_sender_took_the_email_is_refused(app, editor, smtp):
    report = in_review(reader_report(), editor)
    decision, _ = decide(lambda: workflow.reject(report, "The minutes say 31 to 12.", by=editor), [report], editor)
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.decision_id == decision.id)).all()
    message.status = "sent"  # as a sender does when a slow undo comes in at the window's last moment
    db.session.commit()
    with pytest.raises(decisions.UndoRefused, match="already been sent"):
        undo(decision, editor)
    assert fresh(report).status == "rejected"


@pytest.mark.databases("sqlite")
def test_after_logging_out_a_refused_form_is_a_400_not_an_error(app, editor_client):
    report = reader_report()
    response = editor_client.post(f"/editor/reports/{report.id}/reject", data={
        "csrf_token": csrf_token(editor_client, f"/editor/reports/{report.id}"), "version": str(report.version),
        "reason": workflow.REJECT_REASONS[0]}, follow_redirects=True)
    assert undo_form(response.get_data(as_text=True))  # the undo is on offer in this browser's session
    logout = editor_client.post("/editor/logout", data={"csrf_token": csrf_token(editor_client, "/editor/")})
    assert logout.status_code == 302
    response = editor_client.post(f"/editor/reports/{report.id}/reject", data={"csrf_token": "stale"})
    assert response.status_code == 400  # the expired form's page, without the editor's undo notice
    assert "Undo" not in response.get_data(as_text=True)


@pytest.mark.databases("sqlite")  # words, not storage
def test_a_decision_kept_with_its_own_placeholders_is_worded_through_the_catalog(app, editor):
    """A notice published from the article page keeps "Correction published on “%(title)s”": it was shown raw,
    placeholder and all, in the undo notice and its flashes (only messages naming %(reports)s were filled)."""
    decision = decisions.start(editor, PUBLISHED_ON["correction"], title="Bridge closes")
    db.session.commit()

    assert decisions.describe(decision) == "Correction published on “Bridge closes”"
    with force_locale("de"):
        assert "%(title)s" not in decisions.describe(decision)
        assert "Bridge closes" in decisions.describe(decision)
