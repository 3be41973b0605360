"""gen-fake: realistic fake data that keeps the app's rules, and the same data for the same seed."""

import hashlib
import html
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from corrections.extensions import db
from corrections.models import Article, Correction, Editor, Event, Report, correction_report
from corrections.reports.outcomes import READER_STATUS
from corrections.reports.passages import locate_passage, passage_key
from corrections.reports.tokens import status_token
from corrections.reports.workflow import MOVES
from corrections.seed import fake
from corrections.triage.queue import status_counts
from corrections.vocabulary import CATEGORIES, CLOSED, STATES
from tests.helpers import file_report, make_article

NOW = datetime(2026, 11, 24, tzinfo=UTC)
ARTICLES, REPORTS = 30, 500


@pytest.fixture
def generated(app):
    return fake.generate(ARTICLES, REPORTS, seed=1, now=NOW)


def everything(model):
    db.session.expire_all()
    return list(db.session.scalars(select(model).order_by(model.id)))


def histories() -> dict[int, list[Event]]:
    found = defaultdict(list)
    for event in everything(Event):
        found[event.report_id].append(event)
    return found


def status_at(history: list[Event], moment: datetime) -> str:
    """The report's status just after `moment`, read from its events."""
    status = ""
    for event in history:
        if event.created_at > moment:
            break
        if event.kind in ("received", "status"):
            status = event.to_value
    return status


def empty_database() -> None:
    db.session.rollback()
    # Articles and their revisions point at each other: unlink them first.
    db.session.execute(update(Article).values(current_revision_id=None))
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def digest() -> str:
    """A fingerprint of the rows that matter (not the editors' random password hashes)."""
    db.session.expire_all()
    h = hashlib.sha256()
    queries = [
        select(Article.id, Article.slug, Article.canonical_url, Article.title, Article.byline, Article.section,
               Article.body, Article.published_at).order_by(Article.id),
        select(Report.id, Report.article_id, Report.reference, Report.token_hash, Report.status, Report.category,
               Report.passage, Report.passage_found, Report.passage_key, Report.passage_start, Report.passage_end,
               Report.cluster_id, Report.duplicate_of_id, Report.assignee_id, Report.description,
               Report.reporter_email, Report.notify, Report.client_hash, Report.created_at, Report.closed_at,
               Report.first_action_at, Report.version).order_by(Report.id),
        select(Event.id, Event.report_id, Event.kind, Event.actor, Event.from_value, Event.to_value, Event.comment,
               Event.created_at).order_by(Event.id),
        select(Correction.id, Correction.article_id, Correction.kind, Correction.text, Correction.published_at,
               Correction.updated_at).order_by(Correction.id),
        select(correction_report).order_by(correction_report.c.correction_id, correction_report.c.report_id),
    ]
    for query in queries:
        for row in db.session.execute(query):
            h.update(repr(tuple(v.isoformat() if isinstance(v, datetime) else v for v in row)).encode())
    return h.hexdigest()


def test_makes_what_was_asked_in_every_status(generated):
    reports = everything(Report)
    assert len(reports) == REPORTS and len(everything(Article)) == ARTICLES
    assert (generated.reports, generated.articles) == (REPORTS, ARTICLES)
    counts = status_counts()
    assert sum(counts.values()) == REPORTS
    assert counts == generated.statuses == Counter(r.status for r in reports)
    assert all(counts[state] > 0 for state in STATES), counts
    assert 0.2 < sum(bool(r.reporter_email) for r in reports) / REPORTS < 0.4
    assert all(r.reporter_email for r in reports if r.notify)
    assert {r.category for r in reports} <= set(CATEGORIES)
    assert len({r.reference for r in reports}) == len({r.token_hash for r in reports}) == REPORTS
    assert len({e.id for e in everything(Editor)}) == generated.editors == len(fake.EDITORS)


def test_articles_look_like_news_and_a_few_get_most_reports(generated):
    articles = everything(Article)
    for article in articles:
        assert 5 <= article.body.count("<p>") <= 12
        assert 550 <= len(article.body_text.split()) <= 1300
        assert NOW - timedelta(days=2 * 366) < article.published_at < NOW
        assert article.byline.startswith("By ") and article.title and article.slug
    assert 4 <= len({a.section for a in articles}) <= 6
    per_article = sorted(Counter(r.article_id for r in everything(Report)).values(), reverse=True)
    assert sum(per_article[:3]) > 0.3 * REPORTS


def test_every_history_starts_received_and_reaches_its_status_by_allowed_moves(generated):
    editors = {e.id for e in everything(Editor)}
    found = histories()
    for report in everything(Report):
        history = found[report.id]
        first = history[0]
        assert (first.kind, first.actor, first.actor_id) == ("received", "reader", None)
        assert first.created_at == report.created_at
        assert first.to_value == ("spam" if report.spam_reason else "new")
        status, before = first.to_value, first.created_at
        for event in history[1:]:
            assert before <= event.created_at <= NOW
            assert event.actor_id in editors
            if event.kind == "status":
                assert event.from_value == status and event.to_value in MOVES[status], (report, event)
                status = event.to_value
            else:
                assert event.kind in ("assign", "note")
            before = event.created_at
        assert status == report.status
        assert report.version == len(history)
        acted = [e.created_at for e in history if e.actor_id is not None]
        assert report.first_action_at == (acted[0] if acted else None)
        moves = [e for e in history if e.kind == "status"]
        assert report.closed_at == (moves[-1].created_at if moves and report.status in CLOSED else None)
        if report.status == "rejected":
            assert report.reject_reason and report.reject_reason == moves[-1].comment
        else:
            assert report.reject_reason == ""


def test_passages_spans_and_clusters_are_those_the_app_would_store(generated):
    articles = {a.id: a for a in everything(Article)}
    found = histories()
    earlier = defaultdict(list)
    for report in everything(Report):
        article = articles[report.article_id]
        assert report.passage_key == passage_key(report.passage)
        span = locate_passage(report.passage, article.body_text) if report.passage else None
        assert (report.passage_start, report.passage_end) == (span or (None, None))
        assert report.passage_found == ((span is not None) if report.passage else None)

        # reports.submit_report, with each earlier report's status as it was when this one arrived.
        expected = report.id
        if report.passage_key and found[report.id][0].to_value != "spam":
            for other in earlier[report.article_id]:
                same_place = other.passage_key == report.passage_key or (
                    report.passage_start is not None and other.passage_start is not None
                    and other.passage_start < report.passage_end and other.passage_end > report.passage_start)
                if same_place and status_at(found[other.id], report.created_at) != "spam":
                    expected = other.cluster_id
                    break
        assert report.cluster_id == expected, report
        earlier[report.article_id].append(report)
    reports = everything(Report)
    assert Counter(r.passage_found for r in reports).keys() == {None, True, False}
    assert max(Counter(r.cluster_id for r in reports).values()) >= 5


def test_duplicates_and_corrections_hang_together(generated):
    reports = {r.id: r for r in everything(Report)}
    found = histories()
    for report in reports.values():
        if report.status == "duplicate":
            original = reports[report.duplicate_of_id]
            assert original.id < report.id and original.cluster_id == report.cluster_id
            assert original.status not in ("duplicate", "spam")
            assert found[report.id][-1].comment == f"Duplicate of {original.reference}."
        else:
            assert report.duplicate_of_id is None
    links = db.session.execute(select(correction_report)).all()
    linked = Counter(report_id for _, report_id in links)
    assert {i for i, r in reports.items() if r.status == "corrected"} == set(linked)
    assert set(linked.values()) == {1}
    corrections = {c.id: c for c in everything(Correction)}
    assert len(corrections) == generated.corrections
    for correction_id, report_id in links:
        correction, report = corrections[correction_id], reports[report_id]
        corrected = [e for e in found[report_id] if e.to_value == "corrected"][0]
        assert correction.article_id == report.article_id
        assert corrected.created_at == correction.published_at == report.closed_at
        published_text = correction.versions[0].text if correction.versions else correction.text
        assert corrected.comment.endswith(published_text)


def test_pages_render_for_generated_data(generated, editor_client, client, app):
    reports = everything(Report)
    for url in ("/editor/", "/editor/?status=all", "/editor/?sort=most_reported", "/editor/?status=duplicate"):
        page = editor_client.get(url)
        assert page.status_code == 200, url
        assert "R-" in page.get_data(as_text=True)
    by_status = {r.status: r for r in reports}
    for report in by_status.values():
        page = editor_client.get(f"/editor/reports/{report.id}")
        assert page.status_code == 200 and report.reference in page.get_data(as_text=True)
        status = client.get(f"/reports/{status_token(report.token_nonce)}")
        assert status.status_code == 200
        assert html.escape(READER_STATUS[report.status][0]) in status.get_data(as_text=True) \
            or report.status == "duplicate"

    correction = everything(Correction)[0]
    slug = db.session.get(Article, correction.article_id).slug
    for url in (f"/articles/{slug}", f"/editor/articles/{slug}"):
        page = client.get(url) if url.startswith("/articles") else editor_client.get(url)
        assert page.status_code == 200
        assert correction.text in html.unescape(page.get_data(as_text=True))
    for url in ("/", "/corrections", "/corrections.atom", f"/articles/{slug}/corrections.atom"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert correction.text[:40] in html.unescape(page.get_data(as_text=True)) or url == "/"


def test_same_seed_makes_the_same_data_and_another_seed_other_data(app):
    fake.generate(8, 120, seed=5, now=NOW)
    first = digest()
    empty_database()
    fake.generate(8, 120, seed=5, now=NOW)
    assert digest() == first
    empty_database()
    fake.generate(8, 120, seed=6, now=NOW)
    assert digest() != first


def test_command_reports_what_it_made_and_is_reproducible(runner, monkeypatch):
    monkeypatch.setattr(fake, "utcnow", lambda: NOW + timedelta(hours=9))
    result = runner.invoke(args=["gen-fake", "--articles", "6", "--reports", "90", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Made 6 articles, 90 reports (" in result.output and " s (seed 3)." in result.output
    first = digest()
    empty_database()
    assert runner.invoke(args=["gen-fake", "--articles", "6", "--reports", "90", "--seed", "3"]).exit_code == 0
    assert digest() == first


def test_command_refuses_a_database_with_articles_unless_appending(runner, app):
    make_article()
    result = runner.invoke(args=["gen-fake", "--articles", "3", "--reports", "20"])
    assert result.exit_code == 1
    assert "already holds articles" in result.output and "--append" in result.output
    assert db.session.scalar(select(func.count(Report.id))) == 0

    for _ in range(2):
        result = runner.invoke(args=["gen-fake", "--articles", "3", "--reports", "20", "--append"])
        assert result.exit_code == 0, result.output
    reports = everything(Report)
    assert len(reports) == 40 and len(everything(Article)) == 7
    assert len({r.reference for r in reports}) == len({r.token_hash for r in reports}) == 40
    assert len(everything(Editor)) == len(fake.EDITORS)
    # The app's own next rows still fit after the explicit ids (PostgreSQL's sequences were moved on).
    assert file_report(everything(Article)[-1]).id > reports[-1].id


@pytest.mark.parametrize("args, message", [
    (["--articles", "0", "--reports", "10"], "Invalid value for '--articles': 0 is not in the range"),
    (["--articles", "5", "--reports", "-1"], "'--reports': -1 is not in the range"),
    (["--articles", "many", "--reports", "10"], "'many' is not a valid integer"),
    (["--articles", "5", "--reports", "10", "--seed", "x"], "'x' is not a valid integer"),
    (["--reports", "10"], "Missing option '--articles'"),
])
def test_command_refuses_bad_numbers(runner, args, message):
    result = runner.invoke(args=["gen-fake", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert db.session.scalar(select(func.count(Article.id))) == 0
