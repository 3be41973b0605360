"""POST /api/v1/check: a draft's known errors for a token, the objects `corrections check-text` prints; bad input is a
400 naming its fields, no token a 401, a body over the limit a 413."""

import pytest

from corrections.extensions import db
from corrections.notices import publishing
from corrections.repeats import checks
from tests.api.test_api import assert_json_error, bearer, new_token, schema
from tests.api.test_api_contract import document_accepts
from tests.helpers import make_article, make_editor

WRONG = "The council approved the new budget on Tuesday by 31 votes to 12."
DRAFT = "Budget news. The council passed the new budget on Tuesday by 31 votes to 12, the clerk said."


def check(client, body, secret: str | None = None):
    return client.post("/api/v1/check", json=body, headers=bearer(secret) if secret is not None else {})


def test_a_pipeline_gets_the_known_errors_of_its_draft(client):
    secret = new_token("Newsroom pipeline")
    notice = publishing.publish(make_article(), "correction", "The vote was 31 to 14, not 31 to 12.",
                                by=make_editor(), wrong_text=WRONG, right_text="by 31 votes to 14")
    db.session.commit()
    html = f"<p>{DRAFT}</p>"

    response = check(client, {"text": html}, secret)

    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    schema("CheckResult").validate(body)
    assert body == {"format": "html", "found": [f.as_json() for f in checks.check(html, is_html=True)]}
    [found] = body["found"]
    assert (found["correction"]["id"], found["correction"]["url"]) == (
        notice.id, f"http://localhost/articles/{notice.article.slug}#correction-{notice.id}")
    assert html[found["start"]:found["end"]] == found["text"]
    # Nothing found: an empty list; read as the format says.
    assert check(client, {"text": "The budget passed.", "format": "text"}, secret).get_json() == {
        "format": "text", "found": []}


@pytest.mark.databases("sqlite")
def test_without_a_valid_token_nothing_is_checked(client):
    assert_json_error(check(client, {"text": DRAFT}), 401)
    assert_json_error(check(client, {"text": DRAFT}, "cor_not-a-token"), 401)


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("body, field", [
    ({}, "text"),
    ({"text": 12}, "text"),
    ({"text": " \n\x00 "}, "text"),
    ({"text": "x" * 500_001}, "text"),
    ({"text": DRAFT, "format": "markdown"}, "format"),
    ({"text": DRAFT, "lang": "en"}, "lang"),
])
def test_fields_that_are_not_a_check_are_a_400_naming_them(client, body, field):
    error = assert_json_error(check(client, body, new_token()), 400)
    assert list(error["fields"]) == [field]
    assert not document_accepts("CheckInput", body)


@pytest.mark.databases("sqlite")
def test_a_body_that_is_not_json_or_too_large_is_refused(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    with app.app_context():
        secret = new_token()
        client = app.test_client()
        assert_json_error(client.post("/api/v1/check", data="text=x", headers=bearer(secret)), 400)
        assert_json_error(check(client, {"text": "x" * 10_001}, secret), 413)
