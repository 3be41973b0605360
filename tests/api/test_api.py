"""The JSON API under /api/v1: public reads, reports from a CMS, article upserts with tokens, its description."""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy import select

from corrections.access import api_tokens
from corrections.api.openapi import DEFAULT_LIMIT, OPENAPI
from corrections.extensions import db
from corrections.models import ApiToken, Article, Notice
from corrections.notices import publishing
from tests.helpers import (
    all_reports,
    count_queries,
    csrf_token,
    file_report,
    login,
    make_article,
    make_editor,
    post_report,
    valid_report,
)

HOSTILE = "</script><script>alert('x')</script> & \"quotes\" \u2028 ‘curly’ <b>bold</b> \\ back"
READER_EMAIL = "reader.private@example.net"
READER_NAME = "Private Reader Name"


def publish(article, by, text="An earlier version gave the wrong vote count.", kind="correction", at=None):
    notice = publishing.publish(article, kind, text, by=by)
    if at is not None:
        notice.published_at = at
    db.session.commit()
    return notice


def api_report(**fields) -> dict:
    """The form's valid report as a CMS would send it in JSON."""
    return valid_report(**{"notify": True, **fields})


def new_token(name="CMS") -> str:
    _, secret = api_tokens.create(name, by=make_editor("tokens@example.org", "Tia Tokens", is_admin=True))
    db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def article_payload(**fields) -> dict:
    payload = {
        "title": "Harbour bridge reopens",
        "canonical_url": "https://news.example.org/local/harbour-bridge",
        "body": "The bridge reopened on Monday.\n\nTraffic was light.",
        "section": "Local",
        "published_at": "2026-11-24T09:30:00+00:00",
    }
    payload.update(fields)
    return payload


def schema(name: str) -> Draft202012Validator:
    """A validator for one of the document's schemas, so the description and the answers agree."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]})


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert "<html" not in response.get_data(as_text=True).lower()
    body = response.get_json()
    schema("Error").validate(body)
    return body["error"]


# --- Reads --------------------------------------------------------------------------------------------

def test_list_shows_published_notices_newest_first_without_withdrawn_ones(client, editor, admin):
    article = make_article()
    now = datetime.now(UTC)
    older = publish(article, editor, "The older notice on this article.", at=now - timedelta(days=2))
    newer = publish(article, editor, "The newer notice on this article.", kind="update", at=now - timedelta(days=1))
    dropped = publish(article, editor, "A notice that is later withdrawn.", at=now)
    publishing.withdraw(dropped, "Published on the wrong article.", by=admin)
    db.session.commit()

    response = client.get("/api/v1/corrections")

    assert response.status_code == 200
    body = response.get_json()
    schema("CorrectionList").validate(body)
    assert [n["id"] for n in body["corrections"]] == [newer.id, older.id]
    assert body["next"] is None
    first = body["corrections"][0]
    assert first["kind"] == "update" and first["kind_label"] == "Update"
    assert first["text"] == "The newer notice on this article."
    assert first["article"] == {"slug": article.slug, "title": article.title, "url": article.canonical_url}
    assert first["updated_at"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["published_at"])


def five_notices(article, editor) -> list[int]:
    """Five notices on the article, oldest first; two share a timestamp, so a cursor must break ties by id."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    times = [start, start + timedelta(hours=1), start + timedelta(hours=1), start + timedelta(hours=2),
             start + timedelta(hours=3)]
    return [publish(article, editor, f"Notice number {i} on the budget.", at=t).id for i, t in enumerate(times)]


def walk_pages(client, url: str, items: str, endpoint: str, check=lambda body: None) -> tuple[list[int], int]:
    """The ids of every page's `items` from `url` on, following `next` (2 a page at most), and how many pages."""
    seen, pages = [], 0
    while url:
        body = client.get(url).get_json()
        check(body)
        assert len(body[items]) <= 2
        seen += [n["id"] for n in body[items]]
        url = body["next"]
        pages += 1
        if url:
            assert url.startswith(f"http://localhost{endpoint}?")
    return seen, pages


def test_list_pages_with_a_cursor_until_the_end(client, editor):
    published = five_notices(make_article(), editor)

    seen, pages = walk_pages(client, "/api/v1/corrections?limit=2", "corrections", "/api/v1/corrections")

    assert pages == 3
    assert seen == [published[4], published[3], published[2], published[1], published[0]]


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("cursor=not-a-cursor", "cursor"),
])
def test_bad_paging_arguments_get_400_naming_the_field(client, query, field):
    error = assert_json_error(client.get(f"/api/v1/corrections?{query}"), 400)
    assert field in error["fields"]


def test_article_corrections_by_slug(client, editor):
    article, other = make_article(), make_article()
    mine = publish(article, editor, "A notice on the first article.")
    publish(other, editor, "A notice on the second article.")

    body = client.get(f"/api/v1/articles/{article.slug}/corrections").get_json()

    assert [n["id"] for n in body["corrections"]] == [mine.id]
    assert body["article"]["slug"] == article.slug
    assert body["article"]["report_url"] == f"http://localhost/articles/{article.slug}/report"


@pytest.mark.databases("sqlite")
def test_unknown_slug_is_a_json_404(client):
    error = assert_json_error(client.get("/api/v1/articles/no-such-article/corrections"), 404)
    assert error["message"]


def test_corrections_by_canonical_url(client, editor):
    article, other = make_article(), make_article()
    mine = publish(article, editor, "A notice on the first article.")
    publish(other, editor, "A notice on the second article.")

    body = client.get("/api/v1/corrections", query_string={"url": article.canonical_url}).get_json()

    schema("CorrectionList").validate(body)
    assert [n["id"] for n in body["corrections"]] == [mine.id]
    assert body["article"]["url"] == article.canonical_url


def test_unknown_canonical_url_is_an_empty_list_not_an_error(client):
    response = client.get("/api/v1/corrections", query_string={"url": "https://news.example.org/not-imported"})

    assert response.status_code == 200
    assert response.get_json() == {"article": None, "corrections": [], "next": None}


def test_notices_for_a_page_have_the_embed_shape(client, editor):
    article = make_article()
    first = publish(article, editor, "The first notice on this article.", at=datetime.now(UTC) - timedelta(days=1))
    second = publish(article, editor, "A clarification of the second paragraph.", kind="editors_note")
    publishing.amend(second, "A clarification of the second paragraph, amended.", by=editor)
    db.session.commit()

    response = client.get("/api/v1/notices", query_string={"url": article.canonical_url})

    assert response.status_code == 200
    body = response.get_json()
    schema("PageNotices").validate(body)
    assert body["article"] == {
        "slug": article.slug,
        "title": article.title,
        "url": article.canonical_url,
        "report_url": f"http://localhost/articles/{article.slug}/report",
    }
    assert [n["id"] for n in body["notices"]] == [second.id, first.id]
    notice = body["notices"][0]
    assert set(notice) == {"id", "kind", "kind_label", "text", "wrong_text", "right_text", "published_at",
                           "updated_at", "article", "article_url", "revision_url"}
    assert notice["kind"] == "editors_note" and notice["kind_label"] == "Editor’s note"
    assert notice["text"] == "A clarification of the second paragraph, amended."
    assert notice["updated_at"] is not None
    assert notice["article_url"] == f"http://localhost/articles/{article.slug}#correction-{second.id}"


def test_notices_for_an_unknown_page_are_empty(client):
    body = client.get("/api/v1/notices", query_string={"url": "https://news.example.org/new-page"}).get_json()
    assert body == {"article": None, "notices": [], "next": None, "log_url": None}


def test_notices_for_a_page_come_a_page_at_a_time_with_the_log_for_all(client, editor):
    article, other = make_article(), make_article()
    published = five_notices(article, editor)
    publish(other, editor, "A notice on another article.")

    def check(body):
        schema("PageNotices").validate(body)
        assert body["log_url"] == f"http://localhost/corrections?article={article.slug}"

    seen, pages = walk_pages(client, "/api/v1/notices?" + urlencode({"url": article.canonical_url, "limit": 2}),
                             "notices", "/api/v1/notices", check)

    assert pages == 3
    assert seen == [published[4], published[3], published[2], published[1], published[0]]
    # The log it links to lists every one of them.
    log = client.get(f"/corrections?article={article.slug}").get_data(as_text=True)
    assert all(f"Notice number {i} on the budget." in log for i in range(5))


def test_notices_for_a_page_are_the_default_page_size_at_most(client, editor):
    article = make_article()
    for n in range(DEFAULT_LIMIT + 3):
        publish(article, editor, f"Notice number {n} corrected a figure.")

    body = client.get("/api/v1/notices", query_string={"url": article.canonical_url}).get_json()

    assert len(body["notices"]) == DEFAULT_LIMIT
    assert body["notices"][0]["text"] == f"Notice number {DEFAULT_LIMIT + 2} corrected a figure."
    assert body["next"] is not None


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("cursor=not-a-cursor", "cursor"), ("limit=1&limit=2", "limit"),
])
def test_bad_paging_arguments_of_the_page_read_get_400_naming_the_field(client, query, field):
    article = make_article()
    error = assert_json_error(client.get(f"/api/v1/notices?url={article.canonical_url}&{query}"), 400)
    assert field in error["fields"]


@pytest.mark.databases("sqlite")
def test_notices_need_the_url(client):
    error = assert_json_error(client.get("/api/v1/notices"), 400)
    assert "url" in error["fields"]


@pytest.mark.databases("sqlite")
def test_reads_are_cacheable_and_answer_304_to_their_etag(client, editor):
    article = make_article()
    publish(article, editor)
    for url in ("/api/v1/corrections", f"/api/v1/articles/{article.slug}/corrections",
                f"/api/v1/notices?url={article.canonical_url}"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=60"
        etag = response.headers["ETag"]

        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.get_data() == b""

    publish(article, editor, "Another notice changes the answer.")
    assert client.get("/api/v1/corrections", headers={"If-None-Match": etag}).status_code == 200


def test_hostile_strings_round_trip_as_inert_json(client, editor):
    article = make_article(title=HOSTILE)
    publish(article, editor, HOSTILE)

    for url in ("/api/v1/corrections", f"/api/v1/notices?url={article.canonical_url}"):
        response = client.get(url)
        raw = response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # Escaped in the bytes, so no HTML parser sees a tag even if the JSON is pasted into a page...
        assert "<" not in raw and ">" not in raw and "\u2028" not in raw
        # ...and exactly the same text once decoded.
        body = json.loads(raw)
        notice = (body.get("corrections") or body.get("notices"))[0]
        assert notice["text"] == HOSTILE
        assert notice["article"]["title"] == HOSTILE


@pytest.mark.databases("sqlite")
def test_no_read_shows_anything_about_the_reporter(client, editor):
    article = make_article()
    report = file_report(article, email=READER_EMAIL, name=READER_NAME,
                         description="The vote count in the first paragraph is wrong.")
    publish(article, editor)
    publishing.publish(article, "correction", "The vote count was corrected after a report.", by=editor,
                    reports=[report])
    db.session.commit()

    for url in ("/api/v1/corrections", f"/api/v1/corrections?url={article.canonical_url}",
                f"/api/v1/articles/{article.slug}/corrections", f"/api/v1/notices?url={article.canonical_url}"):
        raw = client.get(url).get_data(as_text=True)
        assert "vote count was corrected" in raw
        for private in (READER_EMAIL, READER_NAME, report.reference, "first paragraph is wrong"):
            assert private not in raw, f"{private} in {url}"


def test_page_read_runs_the_same_queries_whatever_the_number_of_notices(client, editor):
    article = make_article()
    publish(article, editor)
    url = f"/api/v1/notices?url={article.canonical_url}"
    few = count_queries(client, url)

    for n in range(DEFAULT_LIMIT * 2):
        publish(article, editor, f"Notice number {n} corrected a figure.")
    many = count_queries(client, url)

    assert many == few
    assert few <= 5


def test_list_read_runs_the_same_queries_whatever_the_number_of_notices(client, editor):
    few_articles = [make_article() for _ in range(2)]
    for article in few_articles:
        publish(article, editor)
    few = count_queries(client, "/api/v1/corrections?limit=100")

    for _ in range(25):
        publish(make_article(), editor, "Another notice on another article.")
    many = count_queries(client, "/api/v1/corrections?limit=100")

    assert many == few
    assert few <= 4


# --- CORS ---------------------------------------------------------------------------------------------

@pytest.mark.databases("sqlite")
def test_cors_only_for_configured_origins_and_only_on_reads(make_app):
    app = make_app(CORS_ORIGINS=["https://cms.example"])
    with app.app_context():
        article = make_article()
        client = app.test_client()
        allowed = {"Origin": "https://cms.example"}
        for url in ("/api/v1/corrections", f"/api/v1/articles/{article.slug}/corrections",
                    f"/api/v1/notices?url={article.canonical_url}"):
            response = client.get(url, headers=allowed)
            assert response.headers["Access-Control-Allow-Origin"] == "https://cms.example"
            assert "Origin" in response.headers["Vary"]
            other = client.get(url, headers={"Origin": "https://evil.example"})
            assert other.status_code == 200
            assert "Access-Control-Allow-Origin" not in other.headers

        # The writes are for servers, not for other sites' pages: no CORS, not even on a preflight.
        report = client.post(f"/api/v1/articles/{article.slug}/reports", json=api_report(), headers=allowed)
        assert report.status_code == 201
        assert "Access-Control-Allow-Origin" not in report.headers
        preflight = client.options(f"/api/v1/articles/{article.slug}/reports", headers={
            **allowed, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
        assert "Access-Control-Allow-Origin" not in preflight.headers
        upsert = client.put("/api/v1/articles", json=article_payload(), headers=allowed)
        assert upsert.status_code == 401
        assert "Access-Control-Allow-Origin" not in upsert.headers


@pytest.mark.databases("sqlite")
def test_no_cors_without_configured_origins(client):
    response = client.get("/api/v1/corrections", headers={"Origin": "https://cms.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


# --- Reports from a CMS --------------------------------------------------------------------------------

def test_cms_files_a_report(client):
    article = make_article()

    response = client.post(f"/api/v1/articles/{article.slug}/reports", json=api_report(email="Ada@Example.ORG"),
                           environ_base={"REMOTE_ADDR": "198.51.100.23"})

    assert response.status_code == 201
    body = response.get_json()
    schema("ReportReceipt").validate(body)
    [report] = all_reports()
    assert body["reference"] == report.reference
    assert body["status"] == "new"
    assert response.headers["Location"] == body["status_url"]
    assert report.category == "factual"
    assert report.passage_found is True
    assert report.reporter_email == "Ada@example.org"  # normalised as the form does: the domain lowercased
    assert report.notify is True
    assert report.client_hash and "198.51.100.23" not in report.client_hash
    status_page = client.get(body["status_url"])
    assert status_page.status_code == 200
    assert report.reference in status_page.get_data(as_text=True)


def test_a_minimal_report_needs_only_category_and_description(client):
    article = make_article()
    response = client.post(f"/api/v1/articles/{article.slug}/reports",
                           json={"category": "typo", "description": "A typo in the second sentence."})
    assert response.status_code == 201
    [report] = all_reports()
    assert (report.reporter_email, report.notify, report.passage_found) == ("", False, None)


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("fields, field", [
    ({"category": None}, "category"),
    ({"category": "rude"}, "category"),
    ({"description": None}, "description"),
    ({"description": "short"}, "description"),
    ({"description": "x" * 5001}, "description"),
    ({"passage": "p" * 1001}, "passage"),
    ({"suggested_correction": "s" * 2001}, "suggested_correction"),
    ({"source_url": "javascript:alert(1)"}, "source_url"),
    ({"name": "n" * 201}, "name"),
    ({"email": "not-an-address"}, "email"),
    ({"email": None, "notify": True}, "notify"),
])
def test_report_rules_and_messages_are_the_html_forms(client, fields, field):
    article = make_article()

    response = client.post(f"/api/v1/articles/{article.slug}/reports", json=api_report(**fields))

    error = assert_json_error(response, 400)
    assert list(error["fields"]) == [field]
    # The same sentence the HTML form shows at that field for the same input.
    form_fields = {k: ("y" if v is True else v) for k, v in api_report(**fields).items()}
    page = post_report(client, article.slug, **form_fields)
    assert page.status_code == 400
    for message in error["fields"][field]:
        assert html.escape(message) in page.get_data(as_text=True)
    assert all_reports() == []


@pytest.mark.databases("sqlite")
def test_report_field_types_and_unknown_fields_are_refused(client):
    article = make_article()
    response = client.post(f"/api/v1/articles/{article.slug}/reports",
                           json=api_report(description=["a list"], notify="yes", comment="hello"))
    error = assert_json_error(response, 400)
    assert set(error["fields"]) == {"description", "notify", "comment"}
    assert all_reports() == []


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("kwargs, words", [
    ({"data": "category=factual", "content_type": "application/x-www-form-urlencoded"}, "Content-Type"),
    ({"data": '{"category": "factual",', "content_type": "application/json"}, "not valid JSON"),
    ({"data": b"\xff\xfe\x00garbage", "content_type": "application/json"}, "not valid JSON"),
    ({"data": "[1, 2]", "content_type": "application/json"}, "JSON object"),
    ({"data": "[" * 100_000, "content_type": "application/json"}, "not valid JSON"),
])
def test_a_body_that_is_not_a_json_object_gets_a_clear_400(client, kwargs, words):
    article = make_article()
    error = assert_json_error(client.post(f"/api/v1/articles/{article.slug}/reports", **kwargs), 400)
    assert words in error["message"]


@pytest.mark.databases("sqlite")
def test_report_on_an_unknown_article_is_a_json_404(client):
    assert_json_error(client.post("/api/v1/articles/no-such-article/reports", json=api_report()), 404)


@pytest.mark.databases("sqlite")
def test_too_many_reports_get_a_json_429_with_retry_after(make_app):
    app = make_app(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="2 per minute")
    with app.app_context():
        article = make_article()
        client = app.test_client()
        url = f"/api/v1/articles/{article.slug}/reports"
        assert [client.post(url, json=api_report()).status_code for _ in range(2)] == [201, 201]

        response = client.post(url, json=api_report())

        error = assert_json_error(response, 429)
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert "try again" in error["message"]
        assert len(all_reports()) == 2
        # Reads are not limited.
        assert client.get("/api/v1/corrections").status_code == 200


@pytest.mark.databases("sqlite")
def test_oversized_body_is_a_json_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    with app.app_context():
        article = make_article()
        response = app.test_client().post(f"/api/v1/articles/{article.slug}/reports",
                                          json=api_report(description="x" * 20_000))
        assert_json_error(response, 413)
        assert all_reports() == []


# --- Errors -------------------------------------------------------------------------------------------

@pytest.mark.databases("sqlite")
def test_unknown_api_address_is_a_json_404(client):
    assert_json_error(client.get("/api/v1/nothing-here"), 404)
    assert_json_error(client.post("/api/v1/nothing/here", json={}), 404)


@pytest.mark.databases("sqlite")
def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/api/v1/corrections")
    error = assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]
    assert "DELETE" in error["message"]
    assert_json_error(client.get("/api/v1/articles"), 405)


@pytest.mark.databases("sqlite")
def test_other_pages_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.databases("sqlite")
def test_unexpected_error_is_a_json_500(client, monkeypatch):
    article = make_article()

    def broken(*_args):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(publishing, "log_query", broken)
    error = assert_json_error(client.get("/api/v1/notices", query_string={"url": article.canonical_url}), 500)
    assert "fire" not in error["message"]


# --- Article upserts with a token ------------------------------------------------------------------------

@pytest.mark.databases("sqlite")
def test_upsert_needs_a_token(client):
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, bearer("cor_not-a-real-token"), bearer("")):
        response = client.put("/api/v1/articles", json=article_payload(), headers=headers)
        assert_json_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.scalars(select(Article)).all() == []


def test_upsert_creates_updates_and_leaves_unchanged(client):
    secret = new_token()

    created = client.put("/api/v1/articles", json=article_payload(), headers=bearer(secret))
    assert created.status_code == 201
    body = created.get_json()
    schema("ArticleResult").validate(body)
    assert body["result"] == "created"
    assert body["article"]["slug"] == "harbour-bridge-reopens"
    assert body["article"]["url"] == "https://news.example.org/local/harbour-bridge"
    assert created.headers["Location"] == "http://localhost/articles/harbour-bridge-reopens"

    same = client.put("/api/v1/articles", json=article_payload(), headers=bearer(secret))
    assert (same.status_code, same.get_json()["result"]) == (200, "unchanged")

    changed = client.put("/api/v1/articles", json=article_payload(title="Harbour bridge reopens early"),
                         headers=bearer(secret))
    assert (changed.status_code, changed.get_json()["result"]) == (200, "updated")
    db.session.expire_all()
    [article] = db.session.scalars(select(Article)).all()
    assert article.title == "Harbour bridge reopens early"


def test_upsert_applies_the_import_rules(client):
    secret = new_token()
    response = client.put("/api/v1/articles", headers=bearer(secret),
                          json=article_payload(title="", canonical_url="ftp://x", slug="Bad Slug", colour="red"))
    error = assert_json_error(response, 400)
    assert set(error["fields"]) == {"title", "canonical_url", "slug", "colour"}
    assert_json_error(client.put("/api/v1/articles", headers=bearer(secret), data="nope",
                                 content_type="application/json"), 400)


def test_upsert_takes_and_returns_how_the_article_was_made(client):
    secret = new_token()
    uri = "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

    created = client.put("/api/v1/articles", headers=bearer(secret),
                         json=article_payload(source_type=uri, generator="newswriter 4.2"))
    # Left out on an update: not said any more, as for the language.
    updated = client.put("/api/v1/articles", headers=bearer(secret), json=article_payload())

    schema("ArticleResult").validate(created.get_json())
    article = created.get_json()["article"]
    assert (article["source_type"], article["generator"]) == ("trainedAlgorithmicMedia", "newswriter 4.2")
    assert updated.get_json()["result"] == "updated"
    assert (updated.get_json()["article"]["source_type"], updated.get_json()["article"]["generator"]) == (None, None)


@pytest.mark.databases("sqlite")
def test_upsert_refuses_a_source_type_outside_the_vocabulary_naming_it(client):
    response = client.put("/api/v1/articles", headers=bearer(new_token()),
                          json=article_payload(source_type="digitalCapture", generator="g" * 201))

    error = assert_json_error(response, 400)
    assert set(error["fields"]) == {"source_type", "generator"}
    assert "IPTC digital source type" in error["fields"]["source_type"][0]


@pytest.mark.databases("sqlite")
def test_the_embed_is_given_the_pages_disclosure_line(client):
    machine = make_article(source_type="trainedAlgorithmicMedia", generator="newswriter 4.2")
    human = make_article(source_type="digitalCreation")

    said = {article.slug: client.get("/api/v1/notices", query_string={"url": article.canonical_url}).get_json()
            for article in (machine, human)}

    for body in said.values():
        schema("PageNotices").validate(body)
    assert said[machine.slug]["disclosure"] == "This article was generated automatically by newswriter 4.2."
    assert said[human.slug]["disclosure"] is None


def test_upsert_refuses_a_slug_of_another_article(client):
    taken = make_article()
    response = client.put("/api/v1/articles", json=article_payload(slug=taken.slug), headers=bearer(new_token()))
    error = assert_json_error(response, 409)
    assert "slug" in error["fields"]


@pytest.mark.databases("sqlite")
def test_tokens_are_stored_hashed_and_record_their_use(client):
    secret = new_token()
    [token] = db.session.scalars(select(ApiToken)).all()
    assert secret.startswith("cor_") and len(secret) > 40
    assert token.prefix == secret[:12]
    assert secret not in (token.token_hash, token.prefix)
    assert token.last_used_at is None

    assert client.put("/api/v1/articles", json=article_payload(), headers=bearer(secret)).status_code == 201

    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


# --- The admin page ------------------------------------------------------------------------------------

def created_secret(page: str) -> str:
    found = re.search(r'id="new-token"[^>]*value="(cor_[^"]+)"', page)
    assert found, "the new token is not shown"
    return html.unescape(found.group(1))


@pytest.mark.databases("sqlite")
def test_admin_creates_uses_and_revokes_a_token(admin_client):
    page = admin_client.get("/editor/admin/tokens")
    assert page.status_code == 200
    assert "No tokens yet" in page.get_data(as_text=True)

    created = admin_client.post("/editor/admin/tokens", data={
        "csrf_token": csrf_token(admin_client, "/editor/admin/tokens"), "name": "CMS production"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    shown = created.get_data(as_text=True)
    secret = created_secret(shown)
    assert "only time it is shown" in shown

    listing = admin_client.get("/editor/admin/tokens").get_data(as_text=True)
    assert "CMS production" in listing and secret[:12] in listing
    assert secret not in listing
    assert admin_client.put("/api/v1/articles", json=article_payload(), headers=bearer(secret)).status_code == 201

    token = db.session.scalars(select(ApiToken)).one()
    revoked = admin_client.post("/editor/admin/tokens/revoke", data={
        "csrf_token": csrf_token(admin_client, "/editor/admin/tokens"), "token_id": token.id})
    assert revoked.status_code == 302
    assert "revoked" in admin_client.get("/editor/admin/tokens").get_data(as_text=True)

    refused = admin_client.put("/api/v1/articles", json=article_payload(), headers=bearer(secret))
    assert_json_error(refused, 401)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None


@pytest.mark.databases("sqlite")
def test_a_token_needs_a_name(admin_client):
    response = admin_client.post("/editor/admin/tokens", data={
        "csrf_token": csrf_token(admin_client, "/editor/admin/tokens"), "name": "  "})
    assert response.status_code == 400
    assert 'id="new-token"' not in response.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken)).all() == []


@pytest.mark.databases("sqlite")
def test_revoking_an_unknown_token_says_so(admin_client):
    response = admin_client.post("/editor/admin/tokens/revoke", data={
        "csrf_token": csrf_token(admin_client, "/editor/admin/tokens"), "token_id": "99999999999999999999"})
    assert response.status_code == 302
    assert "does not exist" in admin_client.get("/editor/admin/tokens").get_data(as_text=True)


@pytest.mark.databases("sqlite")
def test_plain_editors_cannot_manage_tokens(app, editor_client):
    assert editor_client.get("/editor/admin/tokens").status_code == 403
    token = csrf_token(editor_client)
    assert editor_client.post("/editor/admin/tokens", data={"csrf_token": token, "name": "Mine"}).status_code == 403
    assert db.session.scalars(select(ApiToken)).all() == []
    assert "API tokens" not in editor_client.get("/editor/").get_data(as_text=True)


@pytest.mark.databases("sqlite")
def test_admins_see_the_tokens_link(app, admin):
    client = app.test_client()
    login(client, admin.email)
    # The header's Admin link leads to the admin pages' list, which links the tokens page.
    assert 'href="/editor/admin"' in client.get("/editor/").get_data(as_text=True)
    assert 'href="/editor/admin/tokens"' in client.get("/editor/admin").get_data(as_text=True)


# --- The description ------------------------------------------------------------------------------------

@pytest.mark.databases("sqlite")
def test_openapi_document_is_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.get_json())


@pytest.mark.databases("sqlite")
def test_openapi_document_describes_exactly_the_api_routes(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, path) for path, item in OPENAPI["paths"].items() for method in item
                  if method in {"get", "put", "post", "patch", "delete"}}
    assert routes == documented
    assert OPENAPI["paths"]["/api/v1/articles"]["put"]["security"] == [{"bearerAuth": []}]
    assert OPENAPI["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_withdrawn_notice_is_gone_from_the_page_read(client, editor, admin):
    article = make_article()
    notice = publish(article, editor)
    publishing.withdraw(db.session.get(Notice, notice.id), "Published on the wrong article.", by=admin)
    db.session.commit()
    body = client.get("/api/v1/notices", query_string={"url": article.canonical_url}).get_json()
    assert body["notices"] == []
