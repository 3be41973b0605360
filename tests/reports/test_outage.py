"""While the database does not answer: reports are spooled and filed later exactly once, readers are told
"being filed" by any server, cached pages are served stale and everything else is a 503 with Retry-After.

The outage is a cut TCP proxy in front of the suite's PostgreSQL (tests/tcp_proxy.py); filing the spool
runs on SQLite and PostgreSQL alike.
"""

import json
import shutil

import pytest
from sqlalchemy import func, select

from corrections import intake
from corrections.extensions import db
from corrections.infra import outage
from corrections.models import Report
from corrections.reports import filing, spool, tokens
from corrections.text import hash_token
from tests.conftest import building_apps, empty_postgres
from tests.helpers import all_reports, form_tokens, login, make_article, make_editor, valid_report
from tests.tcp_proxy import CuttableProxy

BEING_FILED = "Status: Received, being filed"


@pytest.fixture
def proxy(postgres_url):
    empty_postgres(postgres_url)
    proxy = CuttableProxy(postgres_url)
    yield proxy
    proxy.close()


@pytest.fixture
def cuttable(proxy, tmp_path):
    """Apps (servers) on the suite's PostgreSQL through the proxy, each name with an instance folder of its own."""
    with building_apps(proxy.url, tmp_path, "a") as build:
        yield build


@pytest.fixture
def outage_app(cuttable, proxy):
    app = cuttable()
    with app.app_context():
        yield app
        proxy.restore()
        outage.forget_transaction()  # the test's own session may hold a connection the cut broke


def spooled_files(app) -> list:
    with app.app_context():
        return spool.waiting()


def test_report_sent_while_the_database_is_down_is_acknowledged_then_filed_once(outage_app, proxy):
    article = make_article()
    client = outage_app.test_client()
    form = {**form_tokens(client.get(f"/articles/{article.slug}/report").get_data(as_text=True)), **valid_report()}
    proxy.cut()

    response = client.post(f"/articles/{article.slug}/report", data=form)
    assert response.status_code == 303
    link = response.headers["Location"]
    page = client.get(link).get_data(as_text=True)
    assert "Thank you: your report has arrived" in page and BEING_FILED in page
    reference = tokens.receipt_reference(link.rsplit("/", 1)[1])
    assert reference in page
    [path] = spooled_files(outage_app)
    assert json.loads(path.read_text())["report"]["description"] == valid_report()["description"]
    assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    # Filing waits while the database is still down; nothing is lost.
    result = outage_app.test_cli_runner().invoke(args=["file-spool"])
    assert result.exit_code == 1 and "The database does not answer: 1 report wait" in result.output
    assert spooled_files(outage_app) == [path]

    proxy.restore()
    result = outage_app.test_cli_runner().invoke(args=["file-spool"])
    assert result.exit_code == 0, result.output
    assert "1 spooled report filed" in result.output
    assert spooled_files(outage_app) == []
    [report] = all_reports()
    # Filed as any report: found its article and passage, kept the reader's reference and the time they sent it.
    assert (report.reference, report.article_id, report.passage_found) == (reference, article.id, True)
    assert report.status == "new" and [e.kind for e in report.events] == ["received"]
    page = client.get(link).get_data(as_text=True)
    assert "Status: Received" in page and BEING_FILED not in page and "What you sent" in page
    assert "0 spooled reports filed" in outage_app.test_cli_runner().invoke(args=["file-spool"]).output
    assert len(all_reports()) == 1


def test_another_server_says_being_filed_until_the_spooling_server_files_it(cuttable, proxy):
    spooling, other = cuttable("a"), cuttable("b")
    with spooling.app_context():
        slug = make_article().slug
    reader = spooling.test_client()
    page = reader.get(f"/articles/{slug}/report").get_data(as_text=True)
    proxy.cut()
    link = reader.post(f"/articles/{slug}/report", data={**form_tokens(page), **valid_report()}).headers["Location"]
    # The other server never saw the report: its receipt is checked with the secret key, database or not.
    assert BEING_FILED in other.test_client().get(link).get_data(as_text=True)
    proxy.restore()
    assert BEING_FILED in other.test_client().get(link).get_data(as_text=True)
    assert spooled_files(other) == []
    with spooling.app_context():
        assert intake.file_spooled().filed == 1
    page = other.test_client().get(link).get_data(as_text=True)
    assert "Status: Received" in page and BEING_FILED not in page
    # A forged or altered token is not a receipt.
    assert other.test_client().get(link[:-1] + ("A" if link[-1] != "A" else "B")).status_code == 404


def test_bad_input_during_the_outage_keeps_the_text_and_spools_nothing(outage_app, proxy):
    article = make_article()
    client = outage_app.test_client()
    tokens = form_tokens(client.get(f"/articles/{article.slug}/report").get_data(as_text=True))
    proxy.cut()
    response = client.post(f"/articles/{article.slug}/report",
                           data={**tokens, **valid_report(description="short", suggested_correction="by 29 to 14")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please write between 10 and 5,000 characters" in page and "by 29 to 14" in page
    assert spooled_files(outage_app) == []


def test_a_report_that_cannot_be_spooled_either_is_refused_with_the_text_kept(cuttable, proxy, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # the spool cannot be made here: as a full or read-only disk, nothing can be written
    app = cuttable(SPOOL_PATH=str(blocked))
    with app.app_context():
        slug = make_article().slug
    client = app.test_client()
    tokens = form_tokens(client.get(f"/articles/{slug}/report").get_data(as_text=True))
    proxy.cut()
    response = client.post(f"/articles/{slug}/report", data={**tokens, **valid_report()})
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "could not be saved just now" in page and valid_report()["description"] in page
    api = client.post(f"/api/v1/articles/{slug}/reports", json={"category": "factual",
                                                                 "description": "The vote was 29 to 14."})
    assert api.status_code == 503 and "could not be saved" in api.get_json()["error"]["message"]


def test_the_api_accepts_a_report_while_the_database_is_down(outage_app, proxy):
    slug = make_article().slug
    client = outage_app.test_client()
    proxy.cut()
    response = client.post(f"/api/v1/articles/{slug}/reports",
                           json={"category": "factual", "description": "The vote was 29 to 14, not 31 to 12."})
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "received" and body["reference"].startswith("R-")
    assert BEING_FILED in client.get(body["status_url"]).get_data(as_text=True)
    # Fields are checked as always.
    bad = client.post(f"/api/v1/articles/{slug}/reports", json={"category": "nonsense"})
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"category", "description"}
    proxy.restore()
    outage.forget_transaction()  # the test's own session held a connection the cut broke
    assert intake.file_spooled().filed == 1
    page = client.get(body["status_url"]).get_data(as_text=True)
    assert "Status: Received" in page and BEING_FILED not in page
    assert [r.reference for r in all_reports()] == [body["reference"]]


def test_cached_pages_are_served_stale_and_the_rest_answers_503(outage_app, proxy):
    article = make_article()
    client = outage_app.test_client()
    cached = {path: client.get(path) for path in (f"/articles/{article.slug}", "/",
                                                   f"/api/v1/notices?url={article.canonical_url}")}
    assert all(response.status_code == 200 for response in cached.values())
    reader = outage_app.test_client()  # opened the report form: has a session, so bypasses the page cache
    assert reader.get(f"/articles/{article.slug}/report").status_code == 200
    proxy.cut()

    for path, before in cached.items():
        again = client.get(path)
        assert (again.status_code, again.data) == (200, before.data), path
    again = reader.get(f"/articles/{article.slug}")
    assert (again.status_code, again.data) == (200, cached[f"/articles/{article.slug}"].data)
    for path in ("/corrections", "/articles/no-such-article", f"/articles/{article.slug}/report"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        assert "Temporarily unavailable" in response.get_data(as_text=True)
    response = client.get("/api/v1/corrections")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "database is not answering" in response.get_json()["error"]["message"]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"] == "30"

    proxy.restore()
    assert client.get("/corrections").status_code == 200
    assert client.get("/healthz").status_code == 200


def spool_one(slug: str) -> filing.FiledReport:
    data = filing.ReportInput(category="factual", description="The vote was 29 to 14, not 31 to 12.",
                               passage="31 votes to 12")
    return spool.spool_report(slug, data, client="c" * 64, spam_reason="", receipt=tokens.new_receipt())


def test_a_spooled_report_is_filed_once_even_if_the_filer_died_before_removing_its_file(app, tmp_path):
    article = make_article()
    spooled = spool_one(article.slug)
    [path] = spool.waiting()
    kept = shutil.copy(path, tmp_path / "kept.json")

    assert (intake.file_spooled().filed, spool.waiting()) == (1, [])
    # The process died after the commit and before the removal: the file is filed again, and stores nothing.
    shutil.copy(kept, path)
    run = intake.file_spooled()
    assert (run.filed, run.already, spool.waiting()) == (0, 1, [])
    assert db.session.scalar(select(func.count(Report.id))) == 1
    [report] = all_reports()
    assert report.reference == spooled.reference and report.token_hash == hash_token(spooled.token)
    assert [e.kind for e in report.events] == ["received"]


def test_a_spooled_report_on_an_unknown_article_is_set_aside_not_lost(app, runner):
    make_article()
    spool_one("no-such-article")
    result = runner.invoke(args=["file-spool"])
    assert result.exit_code == 1 and "1 set aside" in result.output
    assert spool.waiting() == [] and all_reports() == []
    [kept] = (spool.folder() / spool.FAILED).iterdir()
    assert json.loads(kept.read_text())["slug"] == "no-such-article"


def test_a_spooled_file_that_breaks_filing_is_set_aside_and_the_later_ones_are_filed(app):
    article = make_article()
    spool_one(article.slug)
    spool_one(article.slug)
    broken, later = spool.waiting()
    # Edited by hand (or written by another version): its fields read, but filing it fails.
    record = json.loads(broken.read_text())
    record["report"]["passage"] = 31
    broken.write_text(json.dumps(record))

    run = intake.file_spooled()

    assert (run.filed, run.failed, spool.waiting()) == (1, 1, [])
    assert [p.name for p in (spool.folder() / spool.FAILED).iterdir()] == [broken.name]
    assert len(all_reports()) == 1


def test_an_editor_gets_the_503_page_not_a_500(outage_app, proxy):
    editor = make_editor()
    client = outage_app.test_client()
    assert login(client, editor.email).status_code == 302
    proxy.cut()
    response = client.get("/editor/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in response.get_data(as_text=True)
