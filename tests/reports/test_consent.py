"""Consent before mail, names on one line, and addresses in the form that delivers.

Anyone can type anyone's address into the report form, so the first e-mail to an address is a
confirmation that says nothing the filer typed; outcomes wait until its owner confirms. Mail goes
through aiosmtpd on 127.0.0.1, set not to offer SMTPUTF8 (as many servers do not) except where said.
"""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from corrections.extensions import db
from corrections.infra import mail
from corrections.models import AddressConfirmation, MailAddress, OutboxMessage, Report, utcnow
from corrections.notices import publishing
from corrections.reports import consent, workflow
from tests.helpers import (
    all_reports,
    confirm_addresses,
    form_tokens,
    make_article,
    make_editor,
    post_report,
    valid_report,
)
from tests.infra.test_mail import SMTPServer, mail_settings, make_due

# Consent and addresses are rules on values; the outbox's storage on both databases is tests/infra/test_mail.py.
pytestmark = pytest.mark.databases("sqlite")

STRANGER = "stranger@example.org"
NAME = "Mallory\nBcc: everyone@example.org\r\n\tThe   Filer\x07"
DESCRIPTION = "You owe us money: call +1 555 0100 now, this is not about the article at all."
REASON = "The article is accurate as published."
CONFIRM_LINK = re.compile(r"http://localhost(/confirm-address/\S+)")


@pytest.fixture
def smtp():
    server = SMTPServer(enable_SMTPUTF8=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    app = make_app(**mail_settings(smtp.port))
    with app.app_context():
        yield app


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def file(client, article, **fields) -> Report:
    """A report sent through the reader's form."""
    response = post_report(client, article.slug, **valid_report(**fields))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return all_reports()[-1]


def confirm_path(message: OutboxMessage) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, f"no confirmation link in:\n{message.body}"
    return match.group(1)


def age_links(by: timedelta) -> None:
    """Let the clock run for the confirmation links sent so far."""
    for link in db.session.scalars(select(AddressConfirmation)):
        link.created_at -= by
    db.session.commit()


def any_form_tokens(client, article) -> dict:
    """A valid CSRF token for this client, as a page kept open from before would have."""
    return form_tokens(client.get(f"/articles/{article.slug}/report").get_data(as_text=True))


def press_confirm(client, path: str):
    page = client.get(path)
    return client.post(path, data=form_tokens(page.get_data(as_text=True)))


def test_a_strangers_address_gets_one_confirmation_that_tells_nothing_typed_and_no_outcome(mail_app, smtp):
    client = mail_app.test_client()
    article = make_article()
    editor = make_editor()
    filed = [file(client, article, email=STRANGER, name=NAME, description=DESCRIPTION,
                  passage=f"Passage {n}", suggested_correction="Pay us.") for n in range(3)]

    [confirmation] = outbox()
    assert (confirmation.to_address, confirmation.status, confirmation.report_id) == (STRANGER, "pending", filed[0].id)
    assert confirmation.subject == f"Confirm your e-mail address ({filed[0].reference})"
    for typed in ("Mallory", "Filer", "+1 555", "Pay us", "Passage", "31 votes", "Ada"):
        assert typed not in confirmation.body
    assert "If it was not you, ignore this message" in confirmation.body

    for report in filed:
        workflow.reject(report, REASON, by=editor)
    db.session.commit()
    held = [m for m in outbox() if m.id != confirmation.id]
    assert [(m.report_id, m.status) for m in held] == [(r.id, "held") for r in filed]

    assert mail.send_due() == (1, 0)
    make_due()
    assert mail.send_due() == (0, 0)
    [email] = smtp.mailbox.messages()
    assert email["Subject"] == confirmation.subject
    assert smtp.mailbox.envelopes[0].rcpt_tos == [STRANGER]


def test_confirmations_to_an_unconfirmed_address_are_bounded(app, client):
    article = make_article()
    file(client, article, email=STRANGER)
    file(client, article, email=STRANGER.upper().replace("EXAMPLE.ORG", "example.org"))
    assert len(outbox()) == 1, "one a day"

    # A day later the next report brings another link; three in 30 days is the most an address gets.
    for day in range(1, 6):
        age_links(timedelta(days=1, minutes=1))
        file(client, article, email=STRANGER)
        assert len(outbox()) == min(day + 1, consent.CONFIRMATIONS_PER_MONTH), day


def test_following_the_link_shows_a_button_and_only_pressing_it_releases_the_held_outcome(mail_app, smtp):
    client = mail_app.test_client()
    article = make_article()
    editor = make_editor()
    report = file(client, article, email="ada@example.org", name="Ada Reader")
    [confirmation] = outbox()
    # One held message per report: rejected, reopened and rejected again, it holds the latest outcome.
    workflow.reject(report, "First reason.", by=editor)
    workflow.move(report, "in_review", by=editor)
    workflow.reject(report, REASON, by=editor)
    db.session.commit()
    assert [m.status for m in outbox()] == ["pending", "held"]

    path = confirm_path(confirmation)
    page = client.get(path)  # what a mail scanner fetching links does
    assert page.status_code == 200
    assert "Yes, e-mail me about my reports" in page.get_data(as_text=True)
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert not consent.is_confirmed("ada@example.org")
    assert [m.status for m in outbox()] == ["pending", "held"]

    done = client.post(path, data=form_tokens(page.get_data(as_text=True)))
    assert done.status_code == 303
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Your e-mail address is confirmed" in shown
    assert consent.is_confirmed("ada@example.org")
    confirmation_sent, outcome = outbox()
    assert outcome.status == "pending" and REASON in outcome.body and "First reason" not in outcome.body

    assert mail.send_due() == (2, 0)
    subjects = [m["Subject"] for m in smtp.mailbox.messages()]
    assert subjects == [confirmation.subject, f"An editor reviewed your report ({report.reference})"]

    # The link works once: it shows no button any more, and a form kept from before changes nothing.
    assert "Yes, e-mail me" not in client.get(path).get_data(as_text=True)
    again = client.post(path, data=any_form_tokens(client, article))
    assert again.status_code == 303
    assert len(outbox()) == 2
    assert mail.send_due() == (0, 0)


def test_an_outcome_held_for_a_report_reopened_since_is_not_sent(app, client):
    editor = make_editor()
    report = file(client, make_article(), email="ada@example.org")
    workflow.reject(report, REASON, by=editor)
    db.session.commit()
    workflow.move(report, "in_review", by=editor)
    db.session.commit()
    [confirmation] = outbox()

    assert press_confirm(client, confirm_path(confirmation)).status_code == 303
    assert [m.status for m in outbox()] == ["pending"], "only the confirmation: the report is open again"


def test_a_confirmed_address_gets_later_outcomes_directly(app, client):
    editor = make_editor()
    article = make_article()
    file(client, article, email="ada@example.org", passage="First passage")
    [confirmation] = outbox()
    assert press_confirm(client, confirm_path(confirmation)).status_code == 303

    # Later reports, however the address is spelt: no confirmation again, the outcome goes out directly.
    later = file(client, article, email="ADA@Example.org", passage="Second passage")
    assert len(outbox()) == 1
    workflow.reject(later, REASON, by=editor)
    db.session.commit()
    _, message = outbox()
    assert (message.to_address, message.status, message.report_id) == ("ada@example.org", "pending", later.id)


def test_an_outcome_held_just_as_its_address_is_confirmed_goes_out(app, client):
    # queue_outcome read "not confirmed"; the owner's confirmation, which releases the held mail, landed before
    # the outcome was held. The outcome must not wait for a confirmation that has already happened.
    report = file(client, make_article(), email="ada@example.org")
    [confirmation] = outbox()
    assert press_confirm(client, confirm_path(confirmation)).status_code == 303

    consent.hold_outcome(db.session.get(Report, report.id), "Your report was reviewed", "The outcome.")
    db.session.commit()

    assert [m.status for m in outbox()] == ["pending", "pending"]


def test_an_expired_or_unknown_link_confirms_nothing_and_says_why(app, client):
    editor = make_editor()
    report = file(client, make_article(), email="late@example.org")
    workflow.reject(report, REASON, by=editor)
    db.session.commit()
    path = confirm_path(outbox()[0])
    db.session.execute(update(AddressConfirmation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()

    page = client.get(path)
    assert page.status_code == 410
    assert "This link has expired" in page.get_data(as_text=True)
    assert "<form" not in page.get_data(as_text=True).split("<main", 1)[-1].split("</main>")[0]
    # A form kept open from before it expired is refused too.
    refused = client.post(path, data=any_form_tokens(client, report.article))
    assert refused.status_code == 410
    assert not consent.is_confirmed("late@example.org")
    assert [m.status for m in outbox()] == ["pending", "held"]

    unknown = client.get("/confirm-address/" + "x" * 43)
    assert unknown.status_code == 404
    assert "This confirmation link is not known" in unknown.get_data(as_text=True)


def test_the_status_page_says_whether_the_address_is_confirmed_and_sends_the_link_again_at_most_daily(app, client):
    response = post_report(client, make_article().slug, **valid_report(email="ada@example.org"))
    status_path = urlsplit(response.headers["Location"]).path
    page = client.get(status_path).get_data(as_text=True)
    assert '<bdi dir="ltr">a•••@example.org</bdi> (not confirmed yet)' in page
    assert "you can ask for another one after" in page

    # The button is refused within a day of the last link...
    assert len(outbox()) == 1
    tokens = form_tokens(page)
    again = client.post(status_path + "/confirm-address", data=tokens)
    assert "We cannot send another link yet" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(outbox()) == 1
    # ...and sends a new link a day later.
    age_links(timedelta(days=1, minutes=1))
    page = client.get(status_path).get_data(as_text=True)
    assert "Send the link again" in page
    again = client.post(status_path + "/confirm-address", data=form_tokens(page))
    assert "We sent a new link to a•••@example.org" in client.get(again.headers["Location"]).get_data(as_text=True)
    first, second = outbox()
    assert confirm_path(first) != confirm_path(second)

    assert press_confirm(client, confirm_path(second)).status_code == 303
    page = client.get(status_path).get_data(as_text=True)
    assert '<bdi dir="ltr">a•••@example.org</bdi> (confirmed: we will e-mail you when an editor has decided)' in page
    assert "Send the link again" not in page


def test_removing_the_contact_cancels_held_mail_and_forgets_an_address_no_report_holds(app, client):
    editor = make_editor()
    response = post_report(client, make_article().slug, **valid_report(email="gone@example.org"))
    status_path = urlsplit(response.headers["Location"]).path
    [report] = all_reports()
    workflow.reject(report, REASON, by=editor)
    db.session.commit()
    page = client.get(status_path).get_data(as_text=True)
    client.post(status_path + "/forget", data={**form_tokens(page), "confirm": "y"})

    assert [m.status for m in outbox()] == ["cancelled", "cancelled"]
    assert db.session.scalars(select(MailAddress)).all() == []
    assert db.session.scalars(select(AddressConfirmation)).all() == []


def test_names_in_mail_are_one_line(mail_app, smtp):
    confirm_addresses("ada@example.org")
    client = mail_app.test_client()
    editor = make_editor()
    article = make_article(title="Council approves\r\nbudget\x0b again")
    report = file(client, article, email="ada@example.org", name=NAME)
    workflow.reject(report, REASON, by=editor)
    db.session.commit()

    [message] = outbox()
    assert message.body.startswith("Hello Mallory Bcc: everyone@example.org The Filer,\n")
    assert 'about "Council approves budget again".' in message.body
    assert mail.send_due() == (1, 0)
    [email] = smtp.mailbox.messages()
    assert email["Bcc"] is None
    assert smtp.mailbox.envelopes[0].rcpt_tos == ["ada@example.org"]
    assert email.get_content().splitlines()[0] == "Hello Mallory Bcc: everyone@example.org The Filer,"


@pytest.mark.parametrize("typed", ["x@xn--80ak6aa92e.com", "x@аррӏе.com"])
def test_an_idna_address_is_stored_and_sent_in_ascii_to_a_server_without_smtputf8(mail_app, smtp, typed):
    client = mail_app.test_client()
    report = file(client, make_article(), email=typed)
    assert report.reporter_email == "x@xn--80ak6aa92e.com"

    assert mail.send_due() == (1, 0)
    assert smtp.mailbox.envelopes[0].rcpt_tos == ["x@xn--80ak6aa92e.com"]
    assert smtp.mailbox.messages()[0]["To"] == "x@xn--80ak6aa92e.com"
    assert mail.pending_count() == 0


def test_an_address_stored_in_unicode_before_is_sent_in_ascii(mail_app, smtp):
    db.session.add(OutboxMessage(to_address="x@аррӏе.com", subject="Hello", body="Hello"))
    db.session.commit()
    assert mail.send_due() == (1, 0)
    assert smtp.mailbox.envelopes[0].rcpt_tos == ["x@xn--80ak6aa92e.com"]
    assert outbox()[0].to_address == "x@xn--80ak6aa92e.com"


def test_an_address_that_is_none_fails_at_once_with_the_reason(mail_app, smtp):
    db.session.add_all([OutboxMessage(to_address="not an address", subject="Hello", body="Hello"),
                        OutboxMessage(to_address="fine@example.org", subject="Hello", body="Hello")])
    db.session.commit()

    assert mail.send_due() == (1, 1)
    broken, fine = outbox()
    assert (broken.status, broken.attempts) == ("failed", 1)
    assert "is not an e-mail address" in broken.last_error
    assert fine.status == "sent"
    assert [e.rcpt_tos for e in smtp.mailbox.envelopes] == [["fine@example.org"]]


def test_a_non_ascii_local_part_fails_at_once_without_smtputf8_and_goes_out_with_it(make_app, smtp):
    app = make_app(**mail_settings(smtp.port))
    with app.app_context():
        db.session.add(OutboxMessage(to_address="jörg@example.org", subject="Hello", body="Hello"))
        db.session.commit()
        assert mail.send_due() == (0, 1)
        [message] = outbox()
        assert (message.status, message.attempts) == ("failed", 1), "not retried for days"
        assert "needs a mail server with SMTPUTF8" in message.last_error
        assert smtp.mailbox.envelopes == []

    with_utf8 = SMTPServer(enable_SMTPUTF8=True)
    with_utf8.start()
    try:
        app = make_app(**mail_settings(with_utf8.port))
        with app.app_context():
            db.session.add(OutboxMessage(to_address="jörg@example.org", subject="Hello", body="Hello"))
            db.session.commit()
            assert mail.send_due() == (1, 0)
        [envelope] = with_utf8.mailbox.envelopes
        assert envelope.rcpt_tos == ["jörg@example.org"]
        assert "SMTPUTF8" in envelope.mail_options
    finally:
        with_utf8.stop()


def test_the_status_page_says_what_e_mail_to_expect_in_each_state(app, client):
    editor, article = make_editor(), make_article()
    confirm_addresses("ada@example.org")
    paths = {}
    for name, passage in (("one", "31 votes to 12"), ("two", "road repairs"), ("dup", "votes to 12")):
        response = post_report(client, article.slug, **valid_report(email="ada@example.org", passage=passage))
        paths[name] = urlsplit(response.headers["Location"]).path
    one, two, dup = all_reports()[-3:]

    def shown(name: str) -> str:
        return html.unescape(client.get(paths[name]).get_data(as_text=True))

    assert "(confirmed: we will e-mail you when an editor has decided)" in shown("one")
    workflow.move(one, "in_review", by=editor)
    workflow.move(one, "accepted", by=editor)
    workflow.reject(two, REASON, by=editor)
    workflow.mark_duplicate(dup, one, by=editor)
    db.session.commit()
    assert "(confirmed: we will e-mail you when the correction is published)" in shown("one")
    page = shown("two")
    assert "Status: Reviewed, no change" in page and "(confirmed: we e-mailed you the editor’s decision)" in page
    assert "when an editor has decided" not in page
    page = shown("dup")
    assert "a correction is being prepared" in page
    assert "(confirmed: we will e-mail you if the report it joined leads to a correction)" in page
    publishing.publish(article, "correction", "The vote was 29 to 14.", by=editor, reports=[one])
    db.session.commit()
    for name in ("one", "dup"):
        page = shown(name)
        assert "Status: Corrected" in page and "(confirmed: we e-mailed you the correction)" in page
