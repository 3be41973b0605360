"""POST /api/v1/articles/<slug>/notices: a CMS or a generating pipeline publishes a notice with an API token, as
the dashboard does (reports corrected, events, webhooks, the change it goes with announced); malformed input is a
400 naming its fields, input that does not fit the article a 409, and nothing is published by either."""

import json

import pytest
from sqlalchemy import func, select

from corrections.articles import content
from corrections.extensions import db
from corrections.models import ChangeReview, Event, Notice, Report, WebhookDelivery, WebhookEndpoint
from corrections.reports import workflow
from tests.api.test_api import assert_json_error, bearer, new_token, schema
from tests.api.test_api_contract import document_accepts
from tests.helpers import file_report, make_article

NOTICE = {"kind": "correction", "text": "An earlier version of this article gave the wrong vote count.",
          "wrong_text": "31 votes to 12", "right_text": "31 votes to 14"}


def post(client, slug: str, body, secret: str | None = None):
    return client.post(f"/api/v1/articles/{slug}/notices", json=body,
                       headers=bearer(secret) if secret is not None else {})


def notices() -> int:
    return db.session.scalar(select(func.count(Notice.id)))


def test_a_pipeline_publishes_a_correction_that_fixes_the_article(client):
    secret = new_token("Newsroom pipeline")
    db.session.add(WebhookEndpoint(url="https://hooks.example.org/in", secret="s", events="correction.published"))
    article = make_article()
    report = file_report(article, passage="31 votes to 12")
    # The pipeline sends the corrected text first, then the notice that goes with that revision.
    changed = content.get_by_slug(article.slug)
    content.change_text(changed, changed.title, changed.body.replace("31 votes to 12", "31 votes to 14"),
                        source="api", by="Newsroom pipeline")
    db.session.commit()

    response = post(client, article.slug, {**NOTICE, "revision": 2, "reports": [report.reference]}, secret)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    schema("PublishedNotice").validate(body)
    assert (body["wrong_text"], body["right_text"], body["reports"]) == ("31 votes to 12", "31 votes to 14",
                                                                          [report.reference])
    assert response.headers["Location"] == f"http://localhost/articles/{article.slug}#correction-{body['id']}"
    assert body["revision_url"] == f"http://localhost/articles/{article.slug}/revisions/1/2"
    db.session.expire_all()
    notice = db.session.get_one(Notice, body["id"])
    assert (notice.published_by, notice.published_by_id, notice.revision.number) == ("Newsroom pipeline", None, 2)
    # The report went the dashboard's way, each step recorded as the token's.
    moves = db.session.execute(select(Event.to_value, Event.actor).where(
        Event.report_id == report.id, Event.kind == "status").order_by(Event.id)).all()
    assert [tuple(move) for move in moves] == [("in_review", "Newsroom pipeline"), ("accepted", "Newsroom pipeline"),
                                               ("corrected", "Newsroom pipeline")]
    assert db.session.get_one(Report, report.id).status == "corrected"
    # The change the notice goes with is announced by it, and the webhook carries the words.
    [review] = db.session.scalars(select(ChangeReview)).all()
    assert (review.outcome, review.answered_by, review.notice_id) == ("notice", "Newsroom pipeline", notice.id)
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    assert json.loads(delivery.body)["data"]["correction"]["right_text"] == "31 votes to 14"
    # Every read carries them.
    [read] = client.get(f"/api/v1/articles/{article.slug}/corrections").get_json()["corrections"]
    assert (read["id"], read["wrong_text"], read["right_text"]) == (notice.id, "31 votes to 12", "31 votes to 14")


@pytest.mark.databases("sqlite")
def test_a_notice_of_another_kind_needs_no_words(client):
    article = make_article()
    response = post(client, article.slug, {"kind": "update", "text": "The council has since published its minutes.",
                                           "wrong_text": None, "reports": None}, new_token())
    assert response.status_code == 201
    assert (response.get_json()["wrong_text"], response.get_json()["right_text"]) == ("", "")


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("body, fields", [
    ({}, {"kind", "text"}),
    ({**NOTICE, "kind": "erratum"}, {"kind"}),
    ({**NOTICE, "kind": {}}, {"kind"}),
    ({**NOTICE, "text": "  too short "}, {"text"}),
    ({**NOTICE, "text": 12}, {"text"}),
    ({**NOTICE, "wrong_text": "  "}, {"wrong_text"}),  # a correction says what was wrong
    ({**NOTICE, "wrong_text": "w" * 2001, "right_text": ["31"]}, {"wrong_text", "right_text"}),
    ({**NOTICE, "revision": 0}, {"revision"}),
    ({**NOTICE, "revision": True}, {"revision"}),
    # Python's JSON reads these as floats that are no integer (int() refuses them).
    ({**NOTICE, "revision": float("inf")}, {"revision"}),
    ({**NOTICE, "revision": float("nan")}, {"revision"}),
    ({**NOTICE, "reports": [float("-inf")]}, {"reports"}),
    ({**NOTICE, "reports": ["R-NOTONE1"]}, {"reports"}),
    ({**NOTICE, "reports": "R-7F3KQ2"}, {"reports"}),
    ({**NOTICE, "colour": "red"}, {"colour"}),
])
def test_malformed_fields_get_a_400_naming_each(client, body, fields):
    article = make_article()
    error = assert_json_error(post(client, article.slug, body, new_token()), 400)
    assert set(error["fields"]) == fields
    assert document_accepts("NoticeInput", body) is False
    assert notices() == 0


@pytest.mark.databases("sqlite")
def test_input_that_does_not_fit_the_article_gets_a_409_at_its_field(client, editor):
    secret = new_token()
    article = make_article()
    rejected = file_report(article)
    workflow.reject(rejected, "Not an error.", by=editor)
    db.session.commit()
    for body, field, words in [
        ({**NOTICE, "wrong_text": "31 Votes to 12"}, "wrong_text", "does not have these words"),
        ({**NOTICE, "revision": 7}, "revision", "The article has no revision 7."),
        ({**NOTICE, "reports": [999999]}, "reports", "No report has the reference or id 999999."),
        ({**NOTICE, "reports": [rejected.reference]}, "reports", "is rejected"),
    ]:
        assert document_accepts("NoticeInput", body)
        error = assert_json_error(post(client, article.slug, body, secret), 409)
        assert list(error["fields"]) == [field] and words in error["fields"][field][0], error
    assert notices() == 0
    assert db.session.get_one(Report, rejected.id).status == "rejected"


@pytest.mark.databases("sqlite")
def test_publishing_needs_a_token_and_a_known_article(client):
    article = make_article()
    for secret in (None, "cor_not-a-real-token"):
        response = post(client, article.slug, NOTICE, secret)
        assert_json_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "No article has this slug" in assert_json_error(post(client, "no-such-article", NOTICE, new_token()),
                                                           404)["message"]
    assert notices() == 0
