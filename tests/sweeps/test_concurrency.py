"""Two editors act on the same report at the same moment, against the real server: exactly one change
wins, the other is told who changed it, and the history has no gap and no duplicate."""

import re
import sqlite3
import threading

import psycopg
import pytest

from tests.conftest import empty_postgres
from tests.helpers import form_tokens
from tests.live import LiveServer
from tests.load_client import Reader

pytestmark = pytest.mark.slow

PASSWORD = "a long enough password"
ROUNDS = 8  # one fresh demo report per round (the demo has nine new ones)


def logged_in(server: LiveServer, email: str) -> Reader:
    editor = Reader(server.url)
    _, _, page = editor.request("GET", "/editor/login")
    status, _, _ = editor.request("POST", "/editor/login", {**form_tokens(page), "email": email,
                                                            "password": PASSWORD})
    assert status == 302
    return editor


def query(server: LiveServer, sql: str, *params):
    url = server.env["CORRECTIONS_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()
    with psycopg.connect(url) as db:
        return db.execute(sql, params).fetchall()


def race(report_id: int, actions: dict) -> dict:
    """Send each editor's action at the same moment; returns each one's (status, headers, body)."""
    answers = {}
    start = threading.Barrier(len(actions))

    def act(who, editor, page, version, action, form):
        start.wait()
        form = {"csrf_token": form_tokens(page)["csrf_token"], "version": version, **form}
        answers[who] = editor.request("POST", f"/editor/reports/{report_id}/{action}", form)

    threads = [threading.Thread(target=act, args=(who, *args)) for who, args in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path):
    database_url = None
    if request.param == "postgresql":
        database_url = request.getfixturevalue("postgres_url")
        empty_postgres(database_url)
    live = LiveServer(tmp_path, database_url=database_url, RATELIMIT_ENABLED="false", SPAM_MIN_SECONDS=0)
    live.command("db", "upgrade")
    live.command("seed-demo")
    for email, name in (("maya@example.org", "Maya Okafor"), ("tom@example.org", "Tom Reyes")):
        live.command("create-editor", email, "--name", name, "--password-stdin", input=PASSWORD + "\n")
    yield live.start(threads=4)
    live.stop()


def test_simultaneous_decisions_on_one_report_let_exactly_one_win(server):
    maya, tom = logged_in(server, "maya@example.org"), logged_in(server, "tom@example.org")
    new_reports = [row[0] for row in query(server, "SELECT id FROM report WHERE status = 'new' ORDER BY id")]
    assert len(new_reports) >= ROUNDS
    outcomes = []
    for round_number in range(ROUNDS):
        report_id = new_reports[round_number]
        pages = {who: editor.request("GET", f"/editor/reports/{report_id}")[2] for who, editor in
                 (("maya", maya), ("tom", tom))}
        versions = {who: re.search(r'name="version" value="(\d+)"', page).group(1) for who, page in pages.items()}
        assert versions["maya"] == versions["tom"]
        # Both act on the same version at the same moment: Maya notes, Tom moves it to review.
        answers = race(report_id, {
            "maya": (maya, pages["maya"], versions["maya"], "note", {"text": f"Round {round_number}: checking."}),
            "tom": (tom, pages["tom"], versions["tom"], "move", {"to": "in_review"}),
        })
        statuses = sorted(answers[who][0] for who in ("maya", "tom"))
        assert statuses == [302, 409], answers
        loser = "maya" if answers["maya"][0] == 409 else "tom"
        winner_name = "Tom Reyes" if loser == "maya" else "Maya Okafor"
        assert re.search(rf"changed by {winner_name} at \d\d:\d\d UTC", answers[loser][2])
        outcomes.append(loser)

        events = query(server, "SELECT kind, actor FROM event WHERE report_id = %s ORDER BY id", report_id)
        # One new event per round, by the winner; none for the refused change.
        assert events[-1][1] == winner_name
    # Over the rounds each editor won sometimes or one always did; either way every round had one winner.
    assert len(outcomes) == ROUNDS
    for report_id in set(new_reports[:ROUNDS]):
        events = query(server, "SELECT id FROM event WHERE report_id = %s ORDER BY id", report_id)
        ids = [e[0] for e in events]
        assert len(ids) == len(set(ids))
    maya.close()
    tom.close()
