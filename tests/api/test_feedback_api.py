"""GET /api/v1/feedback: the decided reports as feedback records for a token, a page at a time by cursor, and the
JSON Schema of a record at /api/v1/schemas/.

What the records hold is tested with the domain (tests/reports/test_feedback.py)."""

from datetime import timedelta

import pytest

from corrections.reports import feedback, workflow
from corrections.reports.outcomes import REJECT_REASONS
from tests.api.test_api import assert_json_error, bearer, new_token, schema
from tests.helpers import file_report
from tests.reports.test_feedback import DAY_AGO, VALIDATOR, decide_some, decided_at

URL = "/api/v1/feedback"


@pytest.fixture
def token(app) -> str:
    return new_token("newswriter pipeline")


def walk(client, token: str, url: str) -> tuple[list[str], dict]:
    """The references of every page from `url` on, following `next`, and the last page."""
    seen = []
    while True:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        schema("FeedbackPage").validate(body)
        seen += [record["reference"] for record in body["records"]]
        if body["next"] is None:
            return seen, body
        assert body["next"].startswith(f"http://localhost{URL}?")
        url = body["next"]


def test_a_token_reads_every_decided_report_a_page_at_a_time(client, editor, token):
    made = decide_some(editor)
    decided = [r.reference for r in made.records]

    seen, last = walk(client, token, f"{URL}?limit=2")

    assert seen == decided
    assert last["cursor"] is not None


def test_the_cursor_of_the_last_page_gives_what_was_decided_since(client, editor, token):
    made = decide_some(editor)
    _, last = walk(client, token, URL)
    later = file_report(made.article, passage="31 votes to 12")
    workflow.reject(later, REJECT_REASONS[2], by=editor)
    decided_at(later, DAY_AGO + timedelta(hours=1))
    reference = later.reference

    seen, again = walk(client, token, f"{URL}?cursor={last['cursor']}")

    assert seen == [reference]
    _, nothing_new = walk(client, token, f"{URL}?cursor={again['cursor']}")
    assert nothing_new["records"] == [] and nothing_new["cursor"] == again["cursor"]


def test_records_follow_the_shipped_schema_and_are_not_cached(client, editor, token):
    decide_some(editor)

    response = client.get(URL, headers=bearer(token))

    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["schema_version"] == feedback.SCHEMA_VERSION
    for record in body["records"]:
        VALIDATOR.validate(record)


def test_since_keeps_the_link_to_the_next_page(client, editor, token):
    made = decide_some(editor)
    since = made.accepted.closed_at.isoformat().replace("+00:00", "Z")

    first = client.get(URL, query_string={"since": since, "limit": 1}, headers=bearer(token)).get_json()
    seen, _ = walk(client, token, first["next"])

    assert [r["reference"] for r in first["records"]] + seen == [made.accepted.reference, made.corrected.reference]
    assert "since=" in first["next"]


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer cor_not-a-token"}, {"Authorization": "Basic x"}])
def test_without_a_valid_token_it_is_a_401(client, headers):
    response = client.get(URL, headers=headers)

    assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("query, field", [
    ("since=yesterday", "since"), ("since=2026-02-30", "since"), ("since=2026-11-24T09:30:00", "since"),
    ("since=2026-11-24&since=2026-11-25", "since"), ("cursor=nonsense", "cursor"), ("limit=0", "limit"),
    ("limit=101", "limit"),
])
def test_bad_arguments_get_a_400_naming_the_field(client, token, query, field):
    error = assert_json_error(client.get(f"{URL}?{query}", headers=bearer(token)), 400)

    assert list(error["fields"]) == [field]


@pytest.mark.databases("sqlite")
def test_the_record_schema_is_served_as_shipped(client):
    response = client.get(f"/api/v1/schemas/{feedback.SCHEMA_NAME}")

    assert response.status_code == 200
    assert response.get_json() == feedback.schema()
