"""The reader's report form: the happy path, every field rule, spam signals and limits."""

import html
import re
from urllib.parse import quote

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from corrections.articles import content
from corrections.extensions import db
from corrections.models import Event
from corrections.reports import filing, workflow
from corrections.reports import tokens as reports_tokens
from tests.helpers import (
    all_reports,
    form_tokens,
    make_article,
    post_report,
    recorded_statements,
    valid_report,
)

# The form's rules, on SQLite; what each database stores of hostile values is the injection sweep's
# (tests/sweeps/test_injection.py), and the fuzzing test below runs on both.
pytestmark = pytest.mark.databases("sqlite")


def status_link(response) -> str:
    assert response.status_code == 303
    return response.headers["Location"]


def test_report_is_stored_and_reader_gets_reference_and_status_link(client):
    article = make_article()
    response = post_report(client, article.slug, **valid_report())
    link = status_link(response)
    assert re.fullmatch(r"/reports/[0-9A-Z]{6}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}", link)

    page = client.get(link).get_data(as_text=True)
    [report] = all_reports()
    assert report.reference in page
    assert re.fullmatch(r"R-[0-9A-HJKMNP-TV-Z]{6}", report.reference)
    assert "Thank you: your report has arrived" in page
    assert "Status: Received" in page
    assert report.status == "new"
    assert report.article_id == article.id
    assert report.passage == "31 votes to 12"
    assert report.passage_found is True
    assert report.reporter_email == "ada@example.org"
    assert report.notify is True
    assert [e.kind for e in report.events] == ["received"]


def test_filing_a_report_writes_the_report_and_its_event_in_two_statements(client):
    article = make_article()
    # Without asking for e-mail: an address adds its consent's statements (test_consent.py).
    form = {**form_tokens(client.get(f"/articles/{article.slug}/report").get_data(as_text=True)),
            **valid_report(notify=None)}
    with recorded_statements() as first:
        assert client.post(f"/articles/{article.slug}/report", data=form).status_code == 303
    with recorded_statements() as second:
        assert client.post(f"/articles/{article.slug}/report", data=form).status_code == 303
    # The article, the desks' section routes and the clocks' targets; the report, put in the group of an
    # earlier one (and linked to an earlier decision) by the same INSERT; its "received" event; then the
    # webhook endpoints: none wants "report.created", so the report is not read back to build a delivery.
    assert [s.split()[0] for s in second] == ["SELECT", "SELECT", "SELECT", "INSERT", "INSERT", "SELECT"]
    assert "section_route" in second[1] and "clock_target" in second[2] and "webhook_endpoint" in second[5]
    # The first report on a passage names its group after itself: one UPDATE more.
    assert [s.split()[0] for s in first] == ["SELECT", "SELECT", "SELECT", "INSERT", "UPDATE", "INSERT", "SELECT"]
    first_report, second_report = all_reports()
    assert second_report.cluster_id == first_report.cluster_id == first_report.id
    assert [e.kind for e in second_report.events] == ["received"]


def test_a_reference_already_taken_is_drawn_again(client, monkeypatch):
    """At a million reports one filing in a thousand draws a taken reference: the reader never sees it."""
    article = make_article()
    assert post_report(client, article.slug, **valid_report()).status_code == 303
    taken = all_reports()[0].reference
    draws = iter([taken, taken, "R-NEW001"])
    monkeypatch.setattr(reports_tokens, "new_reference", lambda: next(draws))
    assert post_report(client, article.slug, **valid_report()).status_code == 303
    assert [r.reference for r in all_reports()] == [taken, "R-NEW001"]
    assert [e.kind for e in all_reports()[1].events] == ["received"]


def test_confirmation_shows_once_and_status_page_stays(client):
    link = status_link(post_report(client, make_article().slug, **valid_report()))
    client.get(link)
    again = client.get(link).get_data(as_text=True)
    assert "Thank you" not in again
    assert "Status: Received" in again


def test_status_page_has_private_headers(client):
    link = status_link(post_report(client, make_article().slug, **valid_report()))
    response = client.get(link)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_unknown_status_token_is_404(client):
    assert client.get("/reports/" + "x" * 43).status_code == 404


@pytest.mark.parametrize("token", ["R7F3KQ2.abc.def", "é.é.x", "\u0661.\u0662.x", "..", "a.b."])
def test_a_token_shaped_like_a_receipt_but_not_one_is_404(client, token):
    assert client.get("/reports/" + quote(token)).status_code == 404


def test_only_the_token_hash_is_stored(client):
    link = status_link(post_report(client, make_article().slug, **valid_report()))
    token = link.rsplit("/", 1)[1]
    [report] = all_reports()
    assert token not in report.token_hash
    assert len(report.token_hash) == 64


def test_status_page_shows_reader_status_in_plain_words(client):
    link = status_link(post_report(client, make_article().slug, **valid_report()))
    [report] = all_reports()
    workflow.reject(report, "The article is right.", by=None)
    db.session.commit()
    assert "Status: Reviewed, no change" in client.get(link).get_data(as_text=True)


def test_form_without_optional_fields_is_accepted(client):
    fields = valid_report(passage="", suggested_correction="", source_url="", name="", email="", notify=None)
    status_link(post_report(client, make_article().slug, **fields))
    [report] = all_reports()
    assert report.passage_found is None
    assert report.reporter_email == ""


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"category": None}, "category", "Choose what kind of problem it is."),
        ({"category": "rude"}, "category", "Choose one of the kinds of problem listed."),
        ({"description": ""}, "description", "Tell us what is wrong."),
        ({"description": "too short"}, "description", "between 10 and 5,000 characters (it has 9)"),
        ({"description": "x" * 5001}, "description", "between 10 and 5,000 characters (it has 5001)"),
        ({"passage": "p" * 1001}, "passage", "under 1,000 characters (it has 1001)"),
        ({"suggested_correction": "s" * 2001}, "suggested_correction", "under 2,000 characters"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "starting with http:// or https://"),
        ({"source_url": "ftp://example.org/x"}, "source_url", "starting with http:// or https://"),
        ({"source_url": "https://example.org/" + "a" * 2000}, "source_url", "under 2,000 characters"),
        ({"name": "n" * 201}, "name", "under 200 characters"),
        ({"email": "not-an-address"}, "email", "Check the e-mail address: it needs an @, as in name@example.com."),
        ({"email": "", "notify": "y"}, "notify", "Give your e-mail address above"),
    ],
)
def test_bad_field_is_explained_at_the_field_and_input_kept(client, fields, field, message):
    article = make_article()
    sent = valid_report(**fields)
    response = post_report(client, article.slug, **sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    # The message sits inside that field's block, and the form still holds what was typed.
    block = page.split(f'id="field-{field}"', 1)[1].split('class="field', 1)[0]
    assert message.split("(")[0].strip() in block
    if "description" not in fields:
        assert "The vote was 29 to 14 according to the minutes.</textarea>" in page
    if "email" not in fields:
        assert 'value="ada@example.org"' in page
    if field != "category":
        assert '<input checked id="category-0" name="category" required type="radio" value="factual">' in page
    assert all_reports() == []


def test_typed_text_is_kept_when_the_form_is_rejected(client):
    article = make_article()
    sent = valid_report(description="short", passage="A “quoted” passage <b>with</b> markup")
    page = post_report(client, article.slug, **sent).get_data(as_text=True)
    assert "A “quoted” passage &lt;b&gt;with&lt;/b&gt; markup</textarea>" in page
    assert 'value="https://council.example.org/minutes/2026-11-18"' in page
    assert '<input checked id="category-0" name="category" required type="radio" value="factual">' in page


def test_email_is_normalised(client):
    status_link(post_report(client, make_article().slug, **valid_report(email="Ada@EXAMPLE.org")))
    assert all_reports()[0].reporter_email == "Ada@example.org"


def test_passage_is_matched_ignoring_case_spacing_and_quotes(client):
    article = make_article()
    passage = 'the MAYOR said the  "extra £2.4   million"'
    status_link(post_report(client, article.slug, **valid_report(passage=passage)))
    assert all_reports()[0].passage_found is True


def test_passage_not_in_article_is_kept_and_flagged(client):
    article = make_article()
    status_link(post_report(client, article.slug, **valid_report(passage="by 40 votes to 3")))
    [report] = all_reports()
    assert report.passage == "by 40 votes to 3"
    assert report.passage_found is False


def test_selected_passage_prefills_the_form(client):
    article = make_article()
    page = client.get(f"/articles/{article.slug}/report?passage=31+votes+to+12").get_data(as_text=True)
    assert "\n31 votes to 12</textarea>" in page


def test_unknown_article_gets_404_page(client):
    response = client.get("/articles/no-such-article/report")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert client.post("/articles/no-such-article/report", data=valid_report()).status_code in (400, 404)


def test_honeypot_keeps_report_as_spam(client):
    status_link(post_report(client, make_article().slug, **valid_report(website="http://spam.example")))
    [report] = all_reports()
    assert report.status == "spam"
    assert "honeypot" in report.spam_reason
    assert "Held as spam" in report.events[0].comment


def test_a_spam_signal_is_worded_in_the_language_of_the_editor_who_reads_it(client, editor_client):
    status_link(post_report(client, make_article().slug, **valid_report(website="http://spam.example")))
    [report] = all_reports()
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert "<dd>the hidden honeypot field was filled</dd>" in page
    assert "Held as spam: the hidden honeypot field was filled." in page
    with force_locale("hu"):
        assert filing.spam_signal_shown(report.spam_reason) == "a rejtett csapdamezőt kitöltötték"
        assert filing.spam_signal_shown("sent 1.5 s after the form was served") == (
            "1,5 másodperccel az űrlap megnyitása után küldték el")
        assert filing.spam_signal_shown("a signal of another version") == "a signal of another version"


def test_form_sent_too_fast_is_kept_as_spam(make_app):
    app = make_app(SPAM_MIN_SECONDS=30)
    with app.app_context():
        article = make_article()
        client = app.test_client()
        link = status_link(post_report(client, article.slug, **valid_report()))
        [report] = all_reports()
        assert report.status == "spam"
        assert "after the form was served" in report.spam_reason
        # The reader is not told: their page reads as received.
        assert "Status: Received" in client.get(link).get_data(as_text=True)


def test_form_with_forged_timestamp_is_kept_as_spam(make_app):
    app = make_app(SPAM_MIN_SECONDS=3)
    with app.app_context():
        article = make_article()
        client = app.test_client()
        tokens = form_tokens(client.get(f"/articles/{article.slug}/report").get_data(as_text=True))
        tokens["served"] = "1700000000"
        response = client.post(f"/articles/{article.slug}/report", data={**tokens, **valid_report()})
        status_link(response)
        assert all_reports()[0].status == "spam"


def test_form_without_csrf_token_keeps_the_text_and_saves_nothing(client):
    article = make_article()
    response = client.post(f"/articles/{article.slug}/report", data=valid_report())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was saved yet" in page
    assert "The vote was 29 to 14 according to the minutes." in page
    assert all_reports() == []


def test_too_many_reports_get_429_saying_when_to_retry(make_app):
    app = make_app(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="2 per minute")
    with app.app_context():
        article = make_article()
        client = app.test_client()
        for _ in range(2):
            status_link(post_report(client, article.slug, **valid_report()))
        response = post_report(client, article.slug, **valid_report(description="A third report, kept on screen."))
        page = response.get_data(as_text=True)
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert "Please try again in" in page
        assert "A third report, kept on screen." in page
        assert len(all_reports()) == 2
        # Reading is never limited.
        assert client.get(f"/articles/{article.slug}").status_code == 200


def test_oversized_request_gets_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    with app.app_context():
        article = make_article()
        client = app.test_client()
        response = post_report(client, article.slug, **valid_report(description="x" * 20_000))
        assert response.status_code == 413
        assert "That was too large" in response.get_data(as_text=True)
        assert all_reports() == []


def test_control_characters_are_removed(client):
    fields = valid_report(description="Wrong\x00 figure\x07 in the second paragraph", name="Ada\x00")
    status_link(post_report(client, make_article().slug, **fields))
    [report] = all_reports()
    assert report.description == "Wrong figure in the second paragraph"
    assert report.reporter_name == "Ada"


def test_raw_client_address_is_never_stored(client):
    status_link(post_report(client, make_article().slug, **valid_report()))
    [report] = all_reports()
    assert report.client_hash and "127.0.0.1" not in report.client_hash
    assert len(report.client_hash) == 64


def test_reporter_identity_never_reaches_public_pages(client):
    article = make_article()
    link = status_link(post_report(client, article.slug, **valid_report(name="Zelda Quist", email="zq@example.org")))
    for url in ["/", f"/articles/{article.slug}", f"/articles/{article.slug}/report"]:
        page = client.get(url).get_data(as_text=True)
        assert "Zelda Quist" not in page
        assert "zq@example.org" not in page
    # Even the status page, which anyone holding the link can open, masks the address.
    status = client.get(link).get_data(as_text=True)
    assert "zq@example.org" not in status
    assert "z•••@example.org" in status


def test_every_report_gets_one_received_event(client):
    for _ in range(3):
        status_link(post_report(client, make_article().slug, **valid_report()))
    kinds = db.session.scalars(select(Event.kind)).all()
    assert kinds == ["received"] * 3


text = st.text(st.characters(codec="utf-8"), max_size=300)


@pytest.mark.databases("sqlite", "postgresql")  # what PostgreSQL refuses to store (NUL) differs
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    passage=text,
    category=st.one_of(st.sampled_from(["factual", "typo", "other"]), text),
    description=st.one_of(text, st.text(min_size=4990, max_size=5010, alphabet="ab c")),
    suggested_correction=text,
    source_url=st.one_of(text, st.from_regex(r"https?://[a-z]{1,10}\.example/[ -~]{0,40}", fullmatch=True)),
    name=text,
    email=st.one_of(text, st.emails()),
    notify=st.sampled_from(["", "y", "on", "nonsense"]),
    website=st.sampled_from(["", "x"]),
)
def test_no_input_makes_a_server_error(client, passage, category, description, suggested_correction, source_url,
                                       name, email, notify, website):
    fields = dict(passage=passage, category=category, description=description,
                  suggested_correction=suggested_correction, source_url=source_url, name=name, email=email,
                  notify=notify, website=website)
    response = post_report(client, the_article_slug(), **fields)
    assert response.status_code in (303, 400), response.status_code
    if response.status_code == 303:
        assert client.get(response.headers["Location"]).status_code == 200


def the_article_slug() -> str:
    """Hypothesis runs the test many times on one database: make the article once."""
    return (content.get_by_slug("budget-1") or make_article()).slug


def test_rate_limit_counts_the_forwarded_client_behind_a_trusted_proxy(make_app):
    app = make_app(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="1 per minute", TRUSTED_PROXIES=1)
    with app.app_context():
        article = make_article()
        client = app.test_client()
        first = {"X-Forwarded-For": "203.0.113.5"}
        second = {"X-Forwarded-For": "203.0.113.6"}
        tokens = form_tokens(client.get(f"/articles/{article.slug}/report").get_data(as_text=True))
        send = lambda headers: client.post(f"/articles/{article.slug}/report",  # noqa: E731
                                           data={**tokens, **valid_report()}, headers=headers)
        assert send(first).status_code == 303
        assert send(first).status_code == 429
        assert send(second).status_code == 303
        hashes = {report.client_hash for report in all_reports()}
        assert len(hashes) == 2


@pytest.mark.parametrize("typed, message", [
    ("ada@exa_mple.org", "Check the e-mail address: the part after @ should be a domain like example.com, "
                         "without “_”."),
    ("ada@example", "Check the e-mail address: the part after @ should be a domain like example.com."),
    ("ada@example.local", "Check the e-mail address: the part after @ should be a domain like example.com."),
    ("ada lovelace@example.org", "Check the e-mail address: the part before the @ cannot have a space in it."),
    ("ada..l@example.org", "Check the e-mail address: it has two dots in a row."),
    ("Ada <ada@example.org>", "Check the e-mail address: give the address alone, as in name@example.com, "
                              "without a name or brackets around it."),
])
def test_a_bad_address_is_explained_in_plain_words_and_kept(client, typed, message):
    response = post_report(client, make_article().slug, **valid_report(email=typed))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message in page
    assert "@-sign" not in page and "email address" not in page
    assert f'value="{typed}"' in page
