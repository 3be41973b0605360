"""Readers' personal data: never on a public page, withdrawn on request, purged from old closed reports."""

import itertools
import re
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from corrections import vocabulary
from corrections.articles.content import change_text
from corrections.cli import purge_closed
from corrections.extensions import db
from corrections.models import Event, OutboxMessage, Report, utcnow
from corrections.notices import publishing
from corrections.reports import privacy, workflow
from corrections.reports import tokens as reports_tokens
from tests.helpers import confirm_addresses, file_report, form_tokens, make_article, post_report, valid_report

NAME = "Zebedee Quartermaine"
EMAIL = "zq.private@example.net"
MASKED = "z•••@example.net"
ADDRESS = "203.0.113.77"
REASON = "The article is accurate as published."
CONTACT = {"name": NAME, "email": EMAIL, "notify": True}


def fresh(report: Report) -> Report:
    """The report as stored now (requests run in sessions of their own)."""
    db.session.expire_all()
    return db.session.get(Report, report.id)


def outbox(report: Report) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.report_id == report.id)
                                   .order_by(OutboxMessage.id)))


def privacy_events(report: Report) -> list[Event]:
    return [e for e in fresh(report).events if e.kind == "privacy"]


def closed_days_ago(report: Report, days: int) -> Report:
    report.closed_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return report


def rejected(article, editor, **fields) -> Report:
    report = file_report(article, **{**CONTACT, **fields})
    workflow.reject(report, REASON, by=editor)
    db.session.commit()
    return report


def assert_erased(report: Report) -> None:
    stored = fresh(report)
    assert (stored.reporter_name, stored.reporter_email, stored.notify) == ("", "", False)
    # The report itself and its history stay.
    assert stored.description and stored.status in vocabulary.CLOSED
    assert [e.kind for e in stored.events][:1] == ["received"]


def assert_untouched(report: Report) -> None:
    stored = fresh(report)
    assert (stored.reporter_name, stored.reporter_email, stored.notify) == (NAME, EMAIL, True)
    assert not privacy_events(stored)


# --- purge-personal-data ---------------------------------------------------------------------------------

@pytest.fixture
def aged(app, editor):
    """Closed reports old and recent, an old open one, and their outbox messages."""
    confirm_addresses(EMAIL)
    article = make_article()
    old_rejected = closed_days_ago(rejected(article, editor), 40)
    old_corrected = file_report(article, **CONTACT)
    publishing.publish(article, "correction", "The vote was 29 to 14, not 31 to 12.", by=editor,
                       reports=[old_corrected])
    db.session.commit()
    [sent] = outbox(old_corrected)
    sent.status, sent.sent_at = "sent", utcnow()
    closed_days_ago(old_corrected, 35)
    # Closed before closed_at was kept: counts from when it was filed.
    undated = rejected(article, editor)
    undated.closed_at, undated.created_at = None, utcnow() - timedelta(days=90)
    db.session.commit()
    recent = closed_days_ago(rejected(article, editor), 5)
    still_open = file_report(article, **CONTACT)
    workflow.move(still_open, "in_review", by=editor)
    still_open.created_at = utcnow() - timedelta(days=400)
    db.session.commit()
    return {"old_rejected": old_rejected, "old_corrected": old_corrected, "undated": undated,
            "recent": recent, "open": still_open}


def test_purge_erases_contact_from_closed_reports_older_than_days(runner, aged):
    history = {key: len(fresh(report).events) for key, report in aged.items()}

    result = runner.invoke(args=["purge-personal-data", "--older-than", "30"])

    assert result.exit_code == 0, result.output
    assert "Erased name and e-mail from 3 reports closed more than 30 days ago" in result.output
    assert "2 unsent e-mails cancelled, 1 sent or failed e-mail blanked" in result.output
    for key in ("old_rejected", "old_corrected", "undated"):
        assert_erased(aged[key])
        [event] = privacy_events(aged[key])
        assert event.actor == "system" and event.actor_id is None
        assert privacy.erasure_comment(event.comment).startswith(
            "Name and e-mail address erased by the personal-data clean-up (closed more than 30 days ago).")
        assert NAME not in event.comment and EMAIL not in event.comment
        assert len(fresh(aged[key]).events) == history[key] + 1


def test_purge_cancels_pending_mail_and_blanks_sent_mail(runner, aged):
    runner.invoke(args=["purge-personal-data", "--older-than", "30"])

    [pending] = outbox(aged["old_rejected"])
    assert (pending.status, pending.to_address, pending.body) == ("cancelled", "", "")
    [sent] = outbox(aged["old_corrected"])
    assert (sent.status, sent.to_address, sent.body) == ("sent", "", "")
    assert sent.subject  # the subject names only the report's reference


def test_purge_leaves_open_and_recent_reports_alone(runner, aged):
    runner.invoke(args=["purge-personal-data", "--older-than", "30"])

    assert_untouched(aged["recent"])
    assert_untouched(aged["open"])
    [message] = outbox(aged["recent"])
    assert (message.status, message.to_address) == ("pending", EMAIL)
    assert NAME in message.body


def test_purge_with_zero_days_still_never_touches_open_reports(app, aged):
    done = purge_closed(0)

    assert done.reports == 4
    assert_untouched(aged["open"])


def test_purge_dry_run_changes_nothing(runner, aged):
    result = runner.invoke(args=["purge-personal-data", "--older-than", "30", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Dry run: would erase name and e-mail from 3 reports" in result.output
    assert "Nothing was changed" in result.output
    for report in aged.values():
        assert_untouched(report)
    assert outbox(aged["old_rejected"])[0].to_address == EMAIL


def test_purge_twice_erases_nothing_the_second_time(runner, aged):
    runner.invoke(args=["purge-personal-data", "--older-than", "30"])

    result = runner.invoke(args=["purge-personal-data", "--older-than", "30"])

    assert "from 0 reports" in result.output
    assert len(privacy_events(aged["old_rejected"])) == 1


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("days", ["-1", "1.5", "thirty", ""])
def test_purge_refuses_a_bad_number_of_days(runner, aged, days):
    result = runner.invoke(args=["purge-personal-data", "--older-than", days])

    assert result.exit_code != 0
    assert "needs a whole number of days, 0 or more" in result.output
    assert_untouched(aged["old_rejected"])


@pytest.mark.databases("sqlite")
def test_purge_needs_older_than(runner):
    result = runner.invoke(args=["purge-personal-data"])

    assert result.exit_code != 0
    assert "--older-than" in result.output


# --- The reader withdraws their contact details ----------------------------------------------------------

@pytest.fixture
def filed(app, client):
    """A report sent through the form with a name and an e-mail (confirmed); its status page's path."""
    confirm_addresses(EMAIL)
    article = make_article()
    response = post_report(client, article.slug, **valid_report(name=NAME, email=EMAIL))
    assert response.status_code == 303
    path = urlsplit(response.headers["Location"]).path
    [report] = db.session.scalars(select(Report)).all()
    return report, path


def forget(client, path: str, **fields):
    page = client.get(path).get_data(as_text=True)
    return client.post(f"{path}/forget", data={**form_tokens(page), **fields})


@pytest.mark.databases("sqlite")
def test_status_page_offers_to_remove_contact_details(client, filed):
    _, path = filed

    page = client.get(path).get_data(as_text=True)

    assert "Remove my name and e-mail" in page
    assert f'action="{path}/forget"' in page
    assert "you will not get the e-mail about" in page


@pytest.mark.databases("sqlite")
def test_reader_removes_contact_details_from_the_status_page(client, filed):
    report, path = filed

    response = forget(client, path, confirm="y")

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == path
    page = client.get(path).get_data(as_text=True)
    assert "Your name and e-mail address have been removed" in page
    assert "We will not e-mail you" in page
    assert MASKED not in page and "Remove my name and e-mail" not in page
    stored = fresh(report)
    assert (stored.reporter_name, stored.reporter_email, stored.notify) == ("", "", False)
    assert stored.description and stored.status == "new"
    [event] = privacy_events(report)
    assert event.actor == "reader"
    assert privacy.erasure_comment(event.comment) == "Name and e-mail address erased at the reader’s request."
    assert NAME not in event.comment and EMAIL not in event.comment


@pytest.mark.databases("sqlite")
def test_removal_without_the_confirmation_changes_nothing(client, filed):
    report, path = filed

    response = forget(client, path)

    assert response.status_code == 400
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    stored = fresh(report)
    assert (stored.reporter_name, stored.reporter_email, stored.notify) == (NAME, EMAIL, True)
    assert not privacy_events(report)


@pytest.mark.databases("sqlite")
def test_removal_without_a_csrf_token_changes_nothing(client, filed):
    report, path = filed

    response = client.post(f"{path}/forget", data={"confirm": "y"})

    assert response.status_code == 400
    assert fresh(report).reporter_email == EMAIL


@pytest.mark.databases("sqlite")
def test_removal_for_an_unknown_token_is_404(client, filed):
    _, path = filed
    page = client.get(path).get_data(as_text=True)

    response = client.post("/reports/not-a-real-token/forget", data={**form_tokens(page), "confirm": "y"})

    assert response.status_code == 404


@pytest.mark.databases("sqlite")
def test_no_outcome_mail_is_queued_after_removal(client, filed, editor):
    report, path = filed
    forget(client, path, confirm="y")

    workflow.reject(fresh(report), REASON, by=editor)
    db.session.commit()

    assert outbox(report) == []


def test_removal_cancels_an_outcome_mail_not_yet_sent(client, filed, editor, editor_client):
    report, path = filed
    workflow.reject(report, REASON, by=editor)
    db.session.commit()

    forget(client, path, confirm="y")

    [message] = outbox(report)
    assert (message.status, message.to_address, message.body) == ("cancelled", "", "")
    said = "Name and e-mail address erased at the reader’s request. 1 unsent e-mail cancelled."
    assert privacy.erasure_comment(privacy_events(report)[0].comment) == said
    with force_locale("hu"):  # worded in the language of the editor who reads the history, whoever asked
        assert privacy.erasure_comment(privacy_events(report)[0].comment) == (
            "A nevet és az e-mail-címet az olvasó kérésére töröltük. 1 el nem küldött e-mailt elvetettünk.")
    assert said in editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)


def test_an_erasure_recorded_as_a_sentence_before_shows_as_stored(app):
    sentence = "Name erased at the reader’s request. 2 unsent e-mails cancelled."
    assert privacy.erasure_comment(sentence) == sentence


@pytest.mark.databases("sqlite")
def test_status_page_without_contact_details_has_no_removal_form(app, client):
    article = make_article()
    response = post_report(client, article.slug, **valid_report(name="", email="", notify=None))

    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Remove my name and e-mail" not in page


# --- The sweep: no public answer shows who reported ------------------------------------------------------

@pytest.mark.databases("sqlite")
def test_no_public_page_feed_api_answer_or_embed_shows_reporter_data(app, editor):
    reader = app.test_client()
    reader.environ_base["REMOTE_ADDR"] = ADDRESS
    article = make_article()
    other = make_article()
    tokens = []
    for _ in range(3):
        response = post_report(reader, article.slug, **valid_report(name=NAME, email=EMAIL))
        assert response.status_code == 303
        tokens.append(urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1])
    api_answer = reader.post(f"/api/v1/articles/{article.slug}/reports",
                             json={"category": "factual", "description": "The vote count is wrong here.",
                                   "name": NAME, "email": EMAIL, "notify": True})
    assert api_answer.status_code == 201
    # The link asking the reader to confirm their address leads to a public page too.
    links = [re.search(r"/confirm-address/(\S+)", m.body).group(1) for m in db.session.scalars(select(OutboxMessage))]
    db.session.expire_all()
    filed = list(db.session.scalars(select(Report).order_by(Report.id)))
    assert len(filed) == 4 and {r.reporter_email for r in filed} == {EMAIL}
    client_hash = filed[0].client_hash
    assert client_hash == reports_tokens.client_hash(ADDRESS, app.config["SECRET_KEY"])
    change_text(article, article.title, article.body.replace("31 votes", "29 votes"), source="dashboard",
                by=editor.name)
    notice = publishing.publish(article, "correction", "The vote was 29 to 14, not 31 to 12.", by=editor,
                                reports=[filed[0]])
    workflow.reject(filed[1], REASON, by=editor)
    db.session.commit()
    # The reader's data is in the outbox: a confirmation and the two outcomes held until it is followed.
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 3

    secrets = {"name": NAME, "e-mail": EMAIL, "client hash": client_hash, "address": ADDRESS}
    values = {"slug": [article.slug, other.slug], "token": tokens, "filename": ["style.css", "embed.js"],
              "name": ["corrections", "feedback"], "old": [1], "new": [2], "link": links, "notice_id": [notice.id]}
    urls = set()
    for rule in app.url_map.iter_rules():
        # The dashboard needs a login (test_access checks that every /editor/ address refuses anonymous clients).
        if "GET" not in rule.methods or rule.rule.startswith("/editor/"):
            continue
        missing = sorted(set(rule.arguments) - values.keys())
        if missing:
            pytest.fail(f"the privacy sweep has no value for {missing} in {rule.rule} ({rule.endpoint}): "
                        "add one to `values` so this public address is checked too")
        names = sorted(rule.arguments)
        for combination in itertools.product(*(values[n] for n in names)):
            urls.add(rule.build(dict(zip(names, combination, strict=True)), append_unknown=False)[1])
    page_url = quote(article.canonical_url, safe="")
    # The reads the product promises, with the query arguments they need (url_map only knows paths).
    promised = {
        "/editor/login",
        "/corrections", "/corrections?kind=correction", "/corrections.atom", "/transparency",
        f"/articles/{article.slug}/corrections.atom", "/embed.js",
        "/api/v1/corrections", f"/api/v1/corrections?url={page_url}",
        f"/api/v1/articles/{article.slug}/corrections", f"/api/v1/notices?url={page_url}", "/api/v1/openapi.json",
    }
    own_pages = {f"/reports/{token}" for token in tokens}
    assert own_pages <= urls, "the status page route is missing from the sweep"
    urls |= promised

    answers = {"POST /api/v1/articles/<slug>/reports": api_answer}
    anonymous = app.test_client()
    for url in sorted(urls):
        answers[f"GET {url}"] = anonymous.get(url)
    # A bare path may want a query argument (400); error pages are searched too. What is promised must answer.
    broken = [f"{where}: {r.status_code}" for where, r in answers.items()
              if r.status_code >= 500 or (where.removeprefix("GET ") in promised | own_pages and r.status_code != 200)]
    assert not broken, f"public addresses that did not answer: {broken}"

    leaks = []
    for where, response in answers.items():
        text = response.get_data().decode("utf-8", "replace") + "\n" + str(response.headers)  # the favicon is binary
        leaks += [f"{where} shows the {label}" for label, value in secrets.items() if value in text]
        if where.removeprefix("GET ") in own_pages and MASKED not in text:
            leaks.append(f"{where}: the reader's own status page should show the masked e-mail {MASKED}")
    assert not leaks, "\n".join(leaks)


def test_a_message_cancelled_after_the_claim_is_not_sent(make_app, monkeypatch):
    """A reader withdraws while a sender holds the claim: the sender reads the message again and skips it."""
    from corrections.infra import mail
    from tests.helpers import make_editor

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    with app.app_context():
        editor = make_editor()
        confirm_addresses("late@example.org")
        report = file_report(make_article(), email="late@example.org", notify=True)
        workflow.reject(report, "The article is right.", by=editor)
        db.session.commit()
        sent = []

        class FakeSMTP:
            def send_message(self, message):
                sent.append(message["To"])

            def quit(self):
                pass

            def close(self):
                pass

        claim = mail.claim_due

        def claim_then_reader_withdraws(limit):
            claimed = claim(limit)
            with app.app_context():  # another request, between the claim and the send
                privacy.forget_contact(db.session.get(Report, report.id), by_reader=True)
                db.session.commit()
            return claimed

        monkeypatch.setattr(mail, "claim_due", claim_then_reader_withdraws)
        monkeypatch.setattr(mail, "smtp_connection", FakeSMTP)
        mail.send_due()
        assert sent == []
        db.session.expire_all()
        assert db.session.scalars(select(OutboxMessage.status)).all() == ["cancelled"]
