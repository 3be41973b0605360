"""The OpenAPI document is the contract: what it states, the API enforces, and the reverse.

The cases an outside audit found (each: the document's verdict and the API's, which must agree), and
schemathesis run with all its checks (server errors, status codes, content types, headers and bodies as
documented, schema-valid requests accepted and schema-violating ones refused, authentication, ...) over every
operation of the real server, derandomized so that CI sees the same cases every run.
"""

import re
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from corrections import create_app, vocabulary
from corrections.access import api_tokens
from corrections.api.openapi import OPENAPI, PUBLISHED_AT
from corrections.extensions import db
from corrections.models import Article, Notice, Report, utcnow
from corrections.notices import publishing
from corrections.reports import workflow
from corrections.text import SPACES, clean_text, min_length_pattern
from tests.conftest import new_postgres_database
from tests.helpers import file_report, make_article, make_editor
from tests.live import LiveServer

SCHEMATHESIS = Path(sys.executable).parent / "st"
EXAMPLES_PER_OPERATION = 15
# On PostgreSQL the run is about what it stores differently (text it refuses, lengths it enforces): the
# operations that write (POST, PUT), with fewer cases. Reading what was stored is the same SQL on both databases,
# and each read's own tests run on both.
# The coverage phase (every boundary of every schema: 25 s of schemathesis's CPU, most of it making bodies of up
# to 500,000 characters) runs on SQLite; what a boundary means to PostgreSQL, a column as long as the document's
# maxLength, is test_every_documented_length_fits_its_column.
ON_POSTGRESQL = ["--max-examples", "6", "--include-method", "POST", "--include-method", "PUT",
                 "--phases", "examples,fuzzing,stateful"]
ON_SQLITE = ["--max-examples", str(EXAMPLES_PER_OPERATION)]
ARTICLE_URL = "https://news.example.org/local/harbour-bridge"

# Most generated cases name the seeded article, so reports and reads reach their rules instead of a 404.
CONFIG = f"""
[dictionaries.slugs]
values = ["harbour-bridge"]

[dictionaries.urls]
values = ["{ARTICLE_URL}"]

[parameters]
"path.slug" = {{ dictionary = "slugs", probability = 0.7 }}
"query.url" = {{ dictionary = "urls", probability = 0.5 }}

# A body over the server's limit (MAX_CONTENT_LENGTH) is refused with the documented 413 before its fields are
# read: a refusal too, which schemathesis's own list leaves out (a fuzzed 1 MB text came back 413 and was
# called accepted).
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
"""


def document_accepts(schema_name: str, body: dict) -> bool:
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{schema_name}",
                                      "components": OPENAPI["components"]},
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(body)


def parameter_schema(path: str, name: str) -> Draft202012Validator:
    [parameter] = [p for p in OPENAPI["paths"][path]["get"]["parameters"] if p["name"] == name]
    return Draft202012Validator(parameter["schema"])


REPORT = {"category": "factual", "description": "The vote was 29 to 14 according to the minutes."}
ARTICLE = {"title": "Harbour bridge reopens", "canonical_url": ARTICLE_URL, "body": "The bridge reopened."}


@pytest.mark.parametrize("fields, accepted", [
    ({"notify": None, "email": None, "name": None}, True),  # null is the same as left out
    ({"notify": True}, False),  # notify needs an e-mail address
    ({"notify": True, "email": None}, False),
    ({"notify": True, "email": "ada@example.org"}, True),
    ({"notify": False}, True),
    ({"description": "         x"}, False),  # the minimum counts what is left once trimmed
    ({"description": "\x00\x01\x02\x03\x04\x05\x06\x07\x08abc"}, False),  # and once control characters go
    ({"description": "  ten chars!  "}, True),
    ({"passage": "p" * 999 + "\x00\x00"}, False),  # maxLength counts the value as sent
    ({"source_url": " https://council.example.org/minutes"}, False),  # checked as sent, not repaired
    ({"source_url": "ftp://council.example.org/minutes"}, False),
    ({"source_url": "https://council.example.org/minutes"}, True),
    ({"source_url": "HTTP://\x11"}, False),  # no host once the control character is gone
    ({"email": "ada@example.test"}, False),  # a special-use domain, which email-validator refuses
])
def test_document_and_api_agree_on_a_report(client, fields, accepted):
    article = make_article()
    body = {**REPORT, **fields}

    response = client.post(f"/api/v1/articles/{article.slug}/reports", json=body)

    assert document_accepts("ReportInput", body) is accepted
    assert response.status_code == (201 if accepted else 400), response.get_json()
    if not accepted:
        assert set(response.get_json()["error"]["fields"]) <= set(fields) | {"notify"}


@pytest.mark.parametrize("fields, accepted", [
    ({"title": ""}, False),
    ({"title": "  \t "}, False),  # no minimum used to be stated
    ({"body": "\x00\x01"}, False),
    ({"title": " Harbour bridge reopens "}, True),
    ({"published_at": "1899-12-31T23:00:00Z"}, False),  # the year range used to be unstated
    ({"published_at": "1900-01-01T00:00:00+01:00"}, True),  # the year as written
    ({"published_at": "9998-12-31T23:59:59Z"}, True),
    ({"published_at": "9999-01-01T00:00:00Z"}, False),
    ({"published_at": "2026-11-24T09:30:00"}, False),  # RFC 3339 needs the offset
    ({"published_at": "2026-11-24"}, False),
    ({"published_at": None, "slug": None, "byline": None, "section": None}, True),
    ({"published_at": "", "slug": ""}, True),  # empty: not given
    ({"slug": " harbour-bridge"}, False),
    ({"canonical_url": "https://news.example.org/local/harbour-bridge "}, False),
    ({"source_type": "trainedAlgorithmicMedia", "generator": "newswriter 4.2"}, True),
    ({"source_type": "https://cv.iptc.org/newscodes/digitalsourcetype/compositeSynthetic"}, True),
    ({"source_type": "", "generator": ""}, True),  # empty: not said
    ({"source_type": None, "generator": None}, True),
    ({"source_type": "digitalCapture"}, False),  # a term for pictures
    ({"source_type": " humanEdits"}, False),  # checked as sent
    ({"generator": "g" * 201}, False),
])
def test_document_and_api_agree_on_an_article(client, fields, accepted):
    _, secret = api_tokens.create("CMS", by=make_editor(is_admin=True))
    db.session.commit()
    body = {**ARTICLE, **fields}

    response = client.put("/api/v1/articles", json=body, headers={"Authorization": f"Bearer {secret}"})

    assert document_accepts("ArticleInput", body) is accepted
    assert response.status_code == (201 if accepted else 400), response.get_json()


@pytest.mark.parametrize("query", ["url=https://a.example/x&url=https://a.example/y", "cursor=0_1&cursor=0_2",
                                   "limit=2&limit=3"])
def test_a_query_parameter_given_twice_is_a_400_naming_it(client, query):
    response = client.get(f"/api/v1/corrections?{query}")

    assert response.status_code == 400
    error = response.get_json()["error"]
    name = query.partition("=")[0]
    assert list(error["fields"]) == [name]
    assert f"Give {name}= only once" in error["message"]


def test_a_bad_paging_argument_is_refused_even_for_an_unknown_article(client):
    response = client.get("/api/v1/corrections?url=https://news.example.org/not-imported&cursor=nonsense")

    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == ["cursor"]


def test_every_cursor_of_the_documented_shape_is_a_place_in_the_list(client):
    editor = make_editor()
    article = make_article()
    older = publishing.publish(article, "correction", "The first notice on the budget.", by=editor)
    older.published_at = datetime(2026, 11, 1, tzinfo=UTC)
    newer = publishing.publish(article, "update", "The second notice on the budget.", by=editor)
    newer.published_at = datetime(2026, 11, 2, tzinfo=UTC)
    db.session.commit()
    cursor = parameter_schema("/api/v1/corrections", "cursor")

    def ids(value: str) -> list[int]:
        assert cursor.is_valid(value)
        response = client.get("/api/v1/corrections", query_string={"cursor": value})
        assert response.status_code == 200, response.get_json()
        return [n["id"] for n in response.get_json()["corrections"]]

    first_page = client.get("/api/v1/corrections?limit=1").get_json()
    assert ids(first_page["next"].split("cursor=")[1]) == [older.id]
    assert ids("999999999999999999_1") == [newer.id, older.id]  # after every date: from the newest
    assert ids("-999999999999999999_1") == []
    assert ids("0_1") == []
    assert not cursor.is_valid("bm90LWEtY3Vyc29y")  # any other text is not a cursor, as the API says
    assert client.get("/api/v1/corrections?cursor=bm90LWEtY3Vyc29y").status_code == 400


# Where a field of the API's input is stored: its column of the same name, or these.
STORED_AS = {("ReportInput", "name"): "reporter_name", ("ReportInput", "email"): "reporter_email"}


@pytest.mark.parametrize("schema, model", [("ReportInput", Report), ("ArticleInput", Article),
                                           ("NoticeInput", Notice)])
def test_every_documented_length_fits_its_column(schema, model):
    """A text the document allows is one the database can store: PostgreSQL refuses a value longer than its
    column (SQLite stores any), so each maxLength is at most the length of the column the field goes to."""
    checked = 0
    for name, field in OPENAPI["components"]["schemas"][schema]["properties"].items():
        lengths = [field.get("maxLength")] + [choice.get("maxLength") for choice in field.get("anyOf", [])]
        documented = max((length for length in lengths if length), default=None)
        column = model.__table__.columns.get(STORED_AS.get((schema, name), name))
        if documented is None or column is None:
            continue
        stored = getattr(column.type, "length", None)  # None: a TEXT column, as long as needed
        assert stored is None or documented <= stored, f"{schema}.{name}: maxLength {documented}, column {stored}"
        checked += 1
    assert checked >= 3


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(" \t\n\x00\x01\x0b\x1c\x1f\x7f\x85\xa0\u2028\ufeffab.") | st.characters(
    exclude_categories=["Cs"]), max_size=14), st.sampled_from([1, 2, 10]))
def test_the_documented_minimum_is_what_cleaning_and_trimming_leave(text, minimum):
    if "\r" in text.replace("\r\n", ""):
        return  # a lone CR (old Mac line ending) is the one case where the pattern is stricter than the code
    assert bool(re.search(min_length_pattern(minimum), text)) == (len(clean_text(text).strip()) >= minimum)


def test_the_documented_spaces_are_what_python_strips():
    spaces = re.compile(f"[{SPACES}]")
    assert [c for c in map(chr, range(0x110000)) if spaces.match(c)] == [c for c in map(chr, range(0x110000))
                                                                         if c.isspace()]


def test_the_documented_years_are_the_imports_years():
    years = [year for year in range(10_000) if PUBLISHED_AT.fullmatch(f"{year:04d}-01-01T00:00:00Z")]
    assert (years[0], years[-1], len(years)) == (vocabulary.YEAR_MIN, vocabulary.YEAR_MAX,
                                                 vocabulary.YEAR_MAX - vocabulary.YEAR_MIN + 1)


def seed(live: LiveServer) -> str:
    """An article with notices (more than a page of them at limit=2), one amended; returns an API token."""
    app = create_app({"DATABASE_URL": live.env["CORRECTIONS_DATABASE_URL"],
                      "INSTANCE_PATH": live.env["CORRECTIONS_INSTANCE_PATH"], "SERVER_NAME": "localhost"})
    with app.app_context():
        article = make_article(slug="harbour-bridge", canonical_url=ARTICLE_URL)
        editor = make_editor(is_admin=True)
        publishing.publish(article, "correction", "An earlier version gave the wrong opening date.", by=editor)
        publishing.publish(article, "update", "The bridge now opens at night as well.", by=editor)
        clarified = publishing.publish(article, "clarification", "The toll applies to lorries only.", by=editor)
        db.session.commit()
        publishing.amend(clarified, "The toll applies to lorries and vans only.", by=editor, note="Vans too.")
        db.session.commit()
        _, secret = api_tokens.create("schemathesis", by=editor)
        # A decided report, a day ago, so that the feedback read has a record to show.
        report = file_report(article, passage="opening date")
        workflow.reject(report, workflow.REJECT_REASONS[0], by=editor)
        report.closed_at = utcnow() - timedelta(days=1)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return secret


@pytest.fixture(params=["sqlite", "postgresql"])
def contract_server(request, tmp_path):
    if request.param == "sqlite":
        live = LiveServer(tmp_path, RATELIMIT_ENABLED="false")
        yield live.start(threads=2), ON_SQLITE
        live.stop()
        return
    with new_postgres_database("corrections_contract") as url:
        live = LiveServer(tmp_path, url, RATELIMIT_ENABLED="false")
        yield live.start(threads=2), ON_POSTGRESQL
        live.stop()


# The command line, against the real server: it runs every phase and check as the audit did, and
# schemathesis's pytest loader for a fixture's app fails under pytest 9.2 (it sets a node attribute pytest dropped).
@pytest.mark.slow
def test_the_api_keeps_every_promise_of_its_openapi_document(contract_server, tmp_path):
    contract_server, selection = contract_server
    token = seed(contract_server)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    # Read from a file: a document loaded from its own address leaves that operation out of the run.
    document = tmp_path / "openapi.json"
    with urllib.request.urlopen(f"{contract_server.url}/api/v1/openapi.json", timeout=10) as response:
        document.write_bytes(response.read())

    run = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(config), "run", str(document), "--url", contract_server.url,
         "--checks", "all", *selection, "--generation-deterministic",
         "--header", f"Authorization: Bearer {token}", "--workers", "1", "--no-color"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )

    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-2_000:]
    # Every operation the document has is known to the run (the count: README's "Tests"); SQLite runs them all.
    selected = re.search(r"Operations:\s+(\d+) selected / 11 total", run.stdout)
    assert selected, run.stdout
    assert (selected[1] == "11") is (selection is ON_SQLITE), run.stdout
