"""Presence on the dashboard: the report page and the queue as they load, and the script's JSON calls."""

import re
from datetime import timedelta

import pytest

from corrections.extensions import db
from corrections.models import utcnow
from corrections.triage import presence
from tests.helpers import csrf_token, file_report, login, make_article, make_editor

# The pages and JSON calls; presence's storage on both databases is tests/triage/test_presence.py.
pytestmark = pytest.mark.databases("sqlite")

TAB = "tab-0123456789"


@pytest.fixture
def ana(app):
    return make_editor("ana@example.org", "Ana Lopez")


@pytest.fixture
def report(app):
    return file_report(make_article())


def ana_opens(report, ana, answering=False):
    presence.beat(report.id, ana, "tab-of-ana-1", answering=answering)
    db.session.commit()


def beat(client, report_id, token, **fields):
    return client.post(f"/editor/reports/{report_id}/presence",
                       data={"csrf_token": token, "tab": TAB, "answering": "0", **fields})


def warning_of(page: str) -> str:
    return re.search(r'<p class="presence-warning" role="status" data-presence-warning>(.*?)</p>', page, re.S).group(1)


def test_the_report_page_shows_who_else_has_it_open_as_it_loads(editor_client, report, ana):
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert "Also open by" not in page and warning_of(page) == ""
    ana_opens(report, ana)
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert re.search(r"Also open by Ana Lopez \(since <time datetime=\"[0-9T:+-]+\">\d\d:\d\d UTC</time>\)\.", page)
    assert warning_of(page) == ""


def test_the_report_page_warns_before_writing_when_someone_is_answering(editor_client, report, ana):
    ana_opens(report, ana, answering=True)
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert "Also open by Ana Lopez (since" in page and ", answering)." in page
    warning = re.sub(r"<[^>]+>", "", warning_of(page))
    assert re.fullmatch(r"Ana Lopez is answering this report \(since \d\d:\d\d UTC\): check before you write\.",
                        warning)


def test_a_heartbeat_answers_with_the_others_and_the_warning(editor_client, report, ana, editor):
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    ana_opens(report, ana, answering=True)
    response = beat(editor_client, report.id, token, answering="1")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert "Also open by Ana Lopez" in data["viewers"] and "Ana Lopez is answering this report" in data["warning"]
    assert data["heartbeat_seconds"] == 5
    # Ana sees the editor who beat, answering.
    [seen] = presence.others_on([report.id], ana)[report.id]
    assert (seen.name, seen.answering) == (editor.name, True)


def test_a_heartbeat_needs_the_csrf_token_a_login_a_report_and_a_tab_the_page_made(app, editor_client, report):
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    assert beat(editor_client, report.id, "not the token").status_code == 400
    assert beat(editor_client, report.id + 100, token).status_code == 404
    refused = beat(editor_client, report.id, token, tab="no good")
    assert refused.status_code == 400 and "reload the page" in refused.get_json()["error"]
    stranger = app.test_client()
    assert beat(stranger, report.id, token).status_code in (302, 400)
    assert stranger.get(f"/editor/presence?ids={report.id}").status_code == 302


def test_a_tab_that_leaves_no_longer_counts(editor_client, report, ana):
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    assert beat(editor_client, report.id, token).status_code == 200
    assert presence.others_on([report.id], ana)
    left = editor_client.post(f"/editor/reports/{report.id}/presence/leave", data={"csrf_token": token, "tab": TAB})
    assert left.status_code == 204
    assert presence.others_on([report.id], ana) == {}


def test_the_queue_shows_presence_on_its_rows_and_keeps_it_current(editor_client, report, ana):
    other = file_report(make_article(), description="Another report, nobody has it open.")
    ana_opens(report, ana)
    page = editor_client.get("/editor/").get_data(as_text=True)
    assert page.count("Ana Lopez has it open since") == 1
    answer = editor_client.get(f"/editor/presence?ids={report.id},{other.id},nonsense").get_json()
    assert set(answer["reports"]) == {str(report.id), str(other.id)}
    assert "Ana Lopez has it open since" in answer["reports"][str(report.id)]
    assert answer["reports"][str(other.id)] == ""
    ana_opens(report, ana, answering=True)
    answer = editor_client.get(f"/editor/presence?ids={report.id}").get_json()
    assert 'class="presence-tag answering"' in answer["reports"][str(report.id)]
    assert "Ana Lopez answering since" in answer["reports"][str(report.id)]


def test_each_page_reads_presence_once(editor_client, report, ana, monkeypatch):
    store = editor_client.application.extensions["presence_store"]
    reads = []
    original = store.read
    monkeypatch.setattr(store, "read", lambda ids, now: reads.append(list(ids)) or original(ids, now))
    for _ in range(3):
        file_report(report.article)
    editor_client.get(f"/editor/reports/{report.id}")
    assert reads == [[report.id]]
    reads.clear()
    editor_client.get("/editor/")
    assert len(reads) == 1 and report.id in reads[0]


def test_heartbeats_are_limited_per_editor(make_app):
    app = make_app(RATELIMIT_ENABLED=True, PRESENCE_RATE_LIMIT="3 per minute")
    with app.app_context():
        editor = make_editor()
        report = file_report(make_article())
        client = app.test_client()
        login(client, editor.email)
        token = csrf_token(client, f"/editor/reports/{report.id}")
        assert [beat(client, report.id, token).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_heartbeat_from_a_tab_in_the_background_counts_longer(editor_client, report, ana):
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    assert beat(editor_client, report.id, token, hidden="1").status_code == 200
    later = utcnow() + timedelta(seconds=60)
    assert presence.others_on([report.id], ana, now=later)
    assert beat(editor_client, report.id, token, hidden="0").status_code == 200
    assert presence.others_on([report.id], ana, now=later) == {}


def test_names_are_shown_as_text_never_as_markup(editor_client, report):
    mallory = make_editor("mallory@example.org", '<img src=x onerror="alert(1)">')
    presence.beat(report.id, mallory, "tab-of-mallory", answering=True)
    db.session.commit()
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    answer = editor_client.get(f"/editor/presence?ids={report.id}").get_json()["reports"][str(report.id)]
    for html in (page, answer):
        assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
