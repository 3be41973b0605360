"""gen-fake: realistic fake data that keeps the app's rules, and the same data for the same seed."""

import hashlib
import html
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sql_events
from sqlalchemy import func, select, text, update

from corrections import vocabulary
from corrections.articles import content, unannounced
from corrections.articles import revisions as revisions_module
from corrections.extensions import db
from corrections.models import (
    Article,
    ArticleEvent,
    ArticleRevision,
    ChangeReview,
    Desk,
    Editor,
    Event,
    Notice,
    NoticeVersion,
    Report,
    RevisionDiff,
    notice_report,
)
from corrections.notices import publishing
from corrections.reports import anchors, clocks, desks, workflow
from corrections.reports.filing import ReportInput, submit_report
from corrections.reports.outcomes import READER_STATUS
from corrections.reports.passages import find_passage, locate_passage, passage_key
from corrections.reports.tokens import Receipt, receipt_reference, status_token
from corrections.reports.workflow import MOVES
from corrections.seed import fake
from corrections.triage.queue import status_counts
from corrections.vocabulary import CATEGORIES, CLOSED, OPEN, STATES
from tests.helpers import file_report, make_article

NOW = datetime(2026, 11, 24, tzinfo=UTC)
ARTICLES, REPORTS = 30, 500


def generate_usual():
    return fake.generate(ARTICLES, REPORTS, seed=1, now=NOW)


@pytest.fixture
def generated(built_data, request):
    """What generate_usual made (made once per database, its rows copied for each test), and the test's app."""
    made = built_data(generate_usual)
    request.getfixturevalue("app")
    return made


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
               Report.first_action_at, Report.version, Report.token_nonce, Report.resurfaced_from_id,
               Report.revision_id, Report.passage_exact, Report.passage_prefix, Report.passage_suffix,
               Report.first_action_due_at, Report.resolution_due_at, Report.due_at).order_by(Report.id),
        select(Event.id, Event.report_id, Event.kind, Event.actor, Event.from_value, Event.to_value, Event.comment,
               Event.created_at).order_by(Event.id),
        select(Notice.id, Notice.article_id, Notice.kind, Notice.text, Notice.published_at,
               Notice.updated_at).order_by(Notice.id),
        select(notice_report).order_by(notice_report.c.correction_id, notice_report.c.report_id),
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
        assert 5 <= article.body.count("<p>") <= 13  # 12, and a paragraph added by an update
        assert 550 <= len(article.body_text.split()) <= 1300
        assert NOW - timedelta(days=2 * 366) < article.published_at < NOW
        assert article.byline.startswith("By ") and article.title and article.slug
    assert 4 <= len({a.section for a in articles}) <= 6
    # Some written by a machine or with its help, stored as the import's rule stores them; each revision says so.
    assert {(a.source_type, a.generator) for a in articles} <= {(t, g) for _, t, g in fake.PROVENANCE}
    assert len({vocabulary.source_group(a.source_type) for a in articles}) >= 3
    made = {a.id: (a.source_type, a.generator) for a in articles}
    assert all((r.source_type, r.generator) == made[r.article_id] for r in everything(ArticleRevision))
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
            assert found[report.id][-1].comment == original.reference
        else:
            assert report.duplicate_of_id is None
    links = db.session.execute(select(notice_report)).all()
    linked = Counter(report_id for _, report_id in links)
    assert {i for i, r in reports.items() if r.status == "corrected"} == set(linked)
    assert set(linked.values()) == {1}
    notices = {c.id: c for c in everything(Notice)}
    assert len(notices) == generated.notices
    for notice_id, report_id in links:
        notice, report = notices[notice_id], reports[report_id]
        corrected = [e for e in found[report_id] if e.to_value == "corrected"][0]
        assert notice.article_id == report.article_id
        assert corrected.created_at == notice.published_at == report.closed_at
        published_text = notice.versions[0].text if notice.versions else notice.text
        assert json.loads(corrected.comment) == {"published": notice.kind, "text": published_text}


def test_reports_get_the_desk_deadlines_revision_and_anchor_that_filing_gives(generated):
    articles = {a.id: a for a in everything(Article)}
    routes = desks.routing_table()
    targets = clocks.all_targets()
    assert {d.name for d in everything(Desk)} == {name for name, _, _ in fake.DESKS}
    assert set(targets) == set(fake.CLOCK_TARGETS)
    reports = everything(Report)
    revisions = defaultdict(list)
    for revision in everything(ArticleRevision):
        revisions[revision.article_id].append(revision)
    for report in reports:
        article = articles[report.article_id]
        # The revision the reader saw: the newest when the report arrived (an update may have come since).
        seen = [r for r in revisions[article.id] if r.created_at <= report.created_at][-1]
        assert report.revision_id == seen.id
        assert report.desk_id == desks.route_for(article.section, routes)
        if report.spam_reason:
            assert (report.first_action_due_at, report.resolution_due_at, report.due_at) == (None, None, None)
        else:
            due = clocks.deadlines(report.category, report.created_at, targets)
            assert (report.first_action_due_at, report.resolution_due_at) == (due["first_action_due_at"],
                                                                               due["resolution_due_at"])
            assert report.due_at == (workflow.next_deadline(report, acted=report.first_action_at is not None)
                                     if report.status in OPEN else None)
        anchor = anchors.of_report(report)
        if report.passage_found:
            # The anchor filing makes, and it finds the passage again in the revision the reader saw.
            assert anchor == anchors.make_anchor(report.passage, seen.body_text)
            text = anchors.comparable(report.revision.body_text)
            assert anchors.locate(anchor, text) == find_passage(report.passage, text)
        else:
            assert anchor is None
        assert receipt_reference(status_token(report.token_nonce)) == report.reference
    # The data exercises them: reports of routed and unrouted sections, open reports with a deadline, earlier
    # decisions brought back.
    assert {r.desk_id is None for r in reports} == {True, False}
    assert any(r.due_at for r in reports)
    assert sum(r.resurfaced_from_id is not None for r in reports) > 20


def test_a_few_articles_are_updated_after_publication_as_the_app_updates_them(app):
    # A seed whose few updates have every answer (a notice, a reason, none yet): 30 articles, not 200.
    made = fake.generate(30, 60, seed=4, now=NOW)
    articles = {a.id: a for a in everything(Article)}
    revisions = defaultdict(list)
    for revision in everything(ArticleRevision):
        revisions[revision.article_id].append(revision)
    updated = {article_id: found for article_id, found in revisions.items() if len(found) > 1}
    assert made.revisions == len(updated) >= 2
    reviews = {r.to_revision_id: r for r in everything(ChangeReview)}
    notices = {n.revision_id: n for n in everything(Notice) if n.revision_id}
    events = {e.revision_id: e for e in everything(ArticleEvent)}
    grace = timedelta(minutes=app.config["SILENT_EDIT_GRACE_MINUTES"])
    for article_id, (first, second) in updated.items():
        article = articles[article_id]
        # The article reads as its newest revision, one paragraph longer, the diff stored as the app stores it.
        assert article.current_revision_id == second.id and second.number == 2
        assert (article.body, article.body_text, article.updated_at) == (second.body, second.body_text,
                                                                         second.created_at)
        assert second.body.startswith(first.body) and second.body.count("<p>") == first.body.count("<p>") + 1
        assert article.published_at < second.created_at < NOW
        stored = db.session.get(RevisionDiff, (first.id, second.id))
        pieces, by_paragraph = revisions_module.text_diff(first.body_text, second.body_text)
        assert json.loads(stored.pieces) == [[p.op, p.text] for p in pieces] and stored.by_paragraph == by_paragraph
        # The change editors answer: with the update notice published with the revision, a reason, a notice
        # published since, or not yet.
        review = reviews[second.id]
        assert (review.from_revision_id, review.changed_at, review.due_at) == (first.id, second.created_at,
                                                                               second.created_at + grace)
        notice = notices.get(second.id)
        if notice is not None:
            assert (notice.kind, notice.published_at, notice.article_id) == ("update", second.created_at, article_id)
            assert (review.outcome, review.notice_id, review.answered_by) == ("notice", notice.id,
                                                                              notice.published_by)
        if review.outcome:
            event = events[second.id]
            assert event.created_at == review.answered_at and event.comment == review.reason
            assert event.kind == ("settled" if review.answered_by == "system" else review.outcome)
        else:
            assert second.id not in events
            assert not any(n.article_id == article_id and n.kind in ("correction", "clarification", "update")
                           and n.published_at >= second.created_at for n in everything(Notice))
    assert {review.outcome for review in reviews.values()} >= {"notice", "no_notice", ""}


def test_without_desks_or_clocks_reports_have_none(runner):
    result = runner.invoke(args=["gen-fake", "--articles", "5", "--reports", "80", "--no-desks", "--no-clocks"])
    assert result.exit_code == 0, result.output
    reports = everything(Report)
    assert len(reports) == 80 and not everything(Desk)
    assert all(r.desk_id is r.first_action_due_at is r.resolution_due_at is r.due_at is None for r in reports)


@pytest.mark.databases("sqlite")  # SQLite stores moments as text
def test_sqlite_stores_moments_as_the_app_does(app):
    fake.generate(2, 20, seed=3, now=NOW)
    filed = file_report(make_article())
    stored = db.session.execute(text("SELECT created_at FROM report ORDER BY id")).scalars().all()
    shape = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
    assert all(shape.fullmatch(moment) for moment in stored), stored[:3]
    assert filed.id and len({len(moment) for moment in stored}) == 1


def stored_rows() -> tuple[dict, dict, list, list]:
    """Reports (ids as references), their histories, the notices, and the articles' revisions, diffs, changes
    and their answers (revisions as numbers), as comparable values."""
    reports = everything(Report)
    reference = {r.id: r.reference for r in reports}
    revisions = everything(ArticleRevision)
    number = {r.id: r.number for r in revisions}
    published = {n.id: n.published_at for n in everything(Notice)}
    rows = {}
    for report in reports:
        row = {c.key: getattr(report, c.key) for c in Report.__table__.columns
               if c.key not in ("id", "updated_at", "version")}
        for link in ("cluster_id", "duplicate_of_id", "resurfaced_from_id"):
            row[link] = reference.get(row[link])
        row["revision_id"] = number[row["revision_id"]]
        rows[report.reference] = row
    events = defaultdict(list)
    for event in everything(Event):
        events[reference[event.report_id]].append(
            (event.kind, event.actor_id, event.actor, event.from_value, event.to_value, event.comment,
             event.created_at))
    links = defaultdict(list)
    for notice_id, report_id in db.session.execute(select(notice_report)):
        links[notice_id].append(reference[report_id])
    notices = sorted(
        (c.article_id, c.published_at, c.published_by_id, c.kind, c.text, c.updated_at, number.get(c.revision_id),
         c.withdrawn_at, tuple(sorted(links[c.id])),
         tuple((v.kind, v.text, v.shown_from, v.replaced_at, v.replaced_by, v.note) for v in c.versions))
        for c in everything(Notice))
    articles = sorted(
        [("revision", r.article_id, r.number, r.title, r.body, r.body_text, r.source, r.created_by, r.created_at)
         for r in revisions]
        + [("current", a.id, number[a.current_revision_id], a.body, a.updated_at) for a in everything(Article)]
        + [("diff", number[d.old_revision_id], number[d.new_revision_id], d.pieces, d.by_paragraph, d.created_at)
           for d in db.session.scalars(select(RevisionDiff))]
        + [("change", c.article_id, number[c.from_revision_id], number[c.to_revision_id], c.changed_at, c.due_at,
            c.outcome, c.reason, c.answered_at, c.answered_by, published.get(c.notice_id))
           for c in everything(ChangeReview)]
        + [("answer", e.article_id, e.created_at, e.actor_id, e.actor, e.kind, number.get(e.revision_id), e.comment)
           for e in everything(ArticleEvent)], key=repr)
    return rows, dict(events), notices, articles


def test_the_real_code_makes_the_same_rows_from_the_same_inputs(app, monkeypatch):
    """Every report filed again through filing.submit_report, and every event made again through the workflow,
    publish and amend, in the order and at the moments gen-fake says they happened: the same rows come out,
    groups and earlier decisions (which filing asks the database for) included."""
    # 100 reports of the seed whose data has every kind of step below (each report filed again costs as much as a
    # page): if gen-fake's choices change and a kind goes missing, the check of the kinds says which; take a seed
    # that has them all.
    made_now = fake.generate(15, 100, seed=20, now=NOW)
    assert made_now.revisions >= 2  # the updates are replayed too
    made = stored_rows()
    reports = {r.id: r for r in everything(Report)}
    found = histories()
    notices = everything(Notice)
    linked = defaultdict(list)
    for notice_id, report_id in db.session.execute(select(notice_report)):
        linked[notice_id].append(report_id)
    # What happened, as (moment, phase, order, action): in one second, filings first (a report does not see a
    # move made in the second it arrives), then moves, then notices.
    happened = []
    published = set()
    numbers = {r.id: r.number for r in everything(ArticleRevision)}
    for revision in everything(ArticleRevision):
        if revision.number > 1:
            # An update: before anything else in its second (a report arriving then reads the new text).
            happened.append((revision.created_at, -1, revision.id,
                             ("change", revision.article_id, revision.title, revision.body, revision.created_by)))
    for change in everything(ChangeReview):
        if change.outcome == "no_notice":
            happened.append((change.answered_at, 1, change.id,
                             ("excuse", change.article_id, change.reason, change.answered_by)))
    for notice in notices:
        for report_id in linked[notice.id]:
            history = [e for e in found[report_id] if e.kind == "status"]
            tail = [history[-1]]
            if len(history) > 1 and history[-2].comment == publishing.ACCEPTED_ON_PUBLISHING:
                tail.insert(0, history[-2])
                before = history[-3] if len(history) > 2 else None
                if (before is not None and before.from_value == "new" and not before.comment
                        and before.created_at == notice.published_at and before.actor_id == notice.published_by_id
                        and found[report_id][found[report_id].index(before) + 1] is history[-2]):
                    # Publishing moves a new report to review first: the same event either way.
                    tail.insert(0, before)
            published.update(e.id for e in tail)
        texts = [v.text for v in notice.versions] + [notice.text]
        happened.append((notice.published_at, 2, notice.id,
                         ("publish", notice.id, notice.article_id, notice.kind, notice.published_by_id, texts[0],
                          sorted(linked[notice.id]), numbers.get(notice.revision_id))))
        for number, version in enumerate(notice.versions):
            happened.append((version.replaced_at, 3, version.id,
                             ("amend", notice.id, texts[number + 1], version.replaced_by, version.note)))
    for report in reports.values():
        happened.append((report.created_at, 0, report.id, (
            "file", report.article_id, report.created_at, report.client_hash, report.spam_reason,
            Receipt(report.reference, report.token_nonce, report.created_at),
            ReportInput(report.category, report.description, report.passage, report.suggested_correction,
                        report.source_url, report.reporter_name, report.reporter_email, report.notify))))
        for event in found[report.id][1:]:
            if event.id not in published:
                happened.append((event.created_at, 1, event.id,
                                 ("event", event.report_id, event.kind, event.actor_id, event.to_value, event.comment)))
    happened.sort(key=lambda item: item[:3])
    # Every kind of step is replayed, and filing meets groups and earlier decisions.
    steps = Counter(what if what != "event" else details[3] if details[1] == "status" else details[1]
                    for *_, (what, *details) in happened)
    assert {"file", "change", "excuse", "publish", "amend", "assign", "note", "in_review", "accepted", "rejected",
            "duplicate", "spam"} <= steps.keys(), steps
    assert any(r.resurfaced_from_id for r in reports.values()) and any(r.cluster_id != r.id for r in reports.values())
    # The replay commits after each step, and a commit expires every object the session holds: it lets go of
    # the ones read above (all of gen-fake's rows), or each step would cost as much as all of them.
    db.session.expunge_all()
    editors = {e.id: e for e in everything(Editor)}
    by_name = {e.name: e for e in editors.values()}
    for table in (ArticleEvent.__table__, ChangeReview.__table__, RevisionDiff.__table__, notice_report,
                  NoticeVersion.__table__, Event.__table__, Report.__table__, Notice.__table__):
        db.session.execute(table.delete())
    # Every article back to its first text: the updates are made again below.
    first = {r.article_id: r for r in db.session.scalars(select(ArticleRevision).where(ArticleRevision.number == 1))}
    for article in db.session.scalars(select(Article)):
        revision = first[article.id]
        article.body, article.body_text, article.current_revision_id = revision.body, revision.body_text, revision.id
        article.updated_at = article.published_at
    db.session.flush()
    db.session.execute(ArticleRevision.__table__.delete().where(ArticleRevision.number > 1))
    db.session.commit()

    clock = [NOW]
    for module in (workflow, publishing, content, revisions_module, unannounced):
        monkeypatch.setattr(module, "utcnow", lambda: clock[0])
    again: dict[int, int] = {}  # gen-fake's id of a report or notice: the id the app gives it now
    notices_again: dict[int, int] = {}
    for moment, _, key, (what, *details) in happened:
        clock[0] = moment
        if what == "file":
            article_id, created, client, spam_reason, receipt, data = details
            filed = submit_report(db.session.get(Article, article_id), data, client=client, spam_reason=spam_reason,
                                  receipt=receipt)
            again[key] = filed.id
            db.session.execute(update(Event).where(Event.report_id == filed.id).values(created_at=created))
        elif what == "event":
            report_id, kind, actor_id, to, comment = details
            report, by = db.session.get(Report, again[report_id]), editors[actor_id]
            if kind == "assign":
                workflow.assign(report, by_name[to], by=by)
            elif kind == "note":
                workflow.add_note(report, comment, by=by)
            elif to == "rejected":
                workflow.reject(report, comment, by=by)
            elif to == "duplicate":
                original = db.session.scalar(select(Report).where(
                    Report.reference == comment.removeprefix("Duplicate of ").removesuffix(".")))
                workflow.mark_duplicate(report, original, by=by)
            else:
                workflow.move(report, to, by=by, comment=comment)
        elif what == "change":
            article_id, title, body, by_name_ = details
            content.change_text(db.session.get(Article, article_id), title, body, source="dashboard", by=by_name_)
        elif what == "excuse":
            article_id, reason, by_name_ = details
            change = db.session.scalar(select(ChangeReview).where(ChangeReview.article_id == article_id))
            unannounced.excuse(change, reason, by=by_name[by_name_])
        elif what == "publish":
            article_id, kind, by_id, first_text, report_ids, revision_number = details[1:]
            article = db.session.get(Article, article_id)
            notice = publishing.publish(article, kind, first_text, by=editors[by_id],
                                        reports=[db.session.get(Report, again[r]) for r in report_ids],
                                        revision=revisions_module.by_number(article, revision_number)
                                        if revision_number else None)
            db.session.flush()
            notice.published_at = moment
            notices_again[details[0]] = notice.id
        else:
            notice_id, new_text, replaced_by, note = details
            publishing.amend(db.session.get(Notice, notices_again[notice_id]), new_text, by=by_name[replaced_by],
                             note=note)
        db.session.commit()
    assert_same(stored_rows(), made)


def assert_same(again: tuple, made: tuple) -> None:
    """Row by row, naming the first report, history or notice that differs and how."""
    for reference, row in made[0].items():
        mine = again[0][reference]
        assert mine == row, (reference, {key: (value, mine[key]) for key, value in row.items() if mine[key] != value})
    assert again[0].keys() == made[0].keys()
    for reference, history in made[1].items():
        assert again[1][reference] == history, reference
    assert again[2] == made[2]
    assert again[3] == made[3]


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

    notice = everything(Notice)[0]
    slug = db.session.get(Article, notice.article_id).slug
    for url in (f"/articles/{slug}", f"/editor/articles/{slug}"):
        page = client.get(url) if url.startswith("/articles") else editor_client.get(url)
        assert page.status_code == 200
        assert notice.text in html.unescape(page.get_data(as_text=True))
    for url in ("/", "/corrections", "/corrections.atom", f"/articles/{slug}/corrections.atom"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert notice.text[:40] in html.unescape(page.get_data(as_text=True)) or url == "/"


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


def test_command_leaves_the_database_as_a_running_server_would_find_it(runner, app):
    """Statistics gathered after the load, and on PostgreSQL the tables vacuumed: the tallies' rows are updated
    once per report, and until a VACUUM each read visits their dead versions and no index-only scan is possible
    (autovacuum is off on CI's server, and would come later anywhere)."""
    sent = []

    def record(conn, cursor, statement, *rest):
        sent.append(statement)

    sql_events.listen(db.engine, "before_cursor_execute", record)
    try:
        result = runner.invoke(args=["gen-fake", "--articles", "4", "--reports", "60", "--no-desks", "--no-clocks"])
    finally:
        sql_events.remove(db.engine, "before_cursor_execute", record)
    assert result.exit_code == 0, result.output
    last = sent[-1].strip().upper()
    assert last == ("ANALYZE" if db.engine.dialect.name == "sqlite" else "VACUUM ANALYZE"), sent[-3:]


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


# --- Planted errors (--plant-errors): the data bench/repeats.py measures the sweep and the check with.

def one_spaced(text: str) -> str:
    return " ".join(text.split())


def generate_planted():
    return fake.generate(4, 20, seed=2, now=NOW, plant_errors=3).planted


@pytest.fixture
def planted(built_data, request):
    """The errors generate_planted planted (made once per database, its rows copied for each test), and the app."""
    made = built_data(generate_planted)
    request.getfixturevalue("app")
    return made


def test_a_planted_error_is_corrected_as_the_report_page_corrects_one(planted):
    assert len(planted) == 3
    for error in planted:
        notice = db.session.get(Notice, error.notice_id)
        article = notice.article
        assert (notice.kind, notice.article_id, notice.wrong_text, notice.right_text) == (
            "correction", error.article_id, error.wrong_text, error.right_text)
        # The text fixed in a revision of its own, which the notice goes with; its words are what that change
        # removed and added, and pass the checks the publish form makes.
        first, fixed = revisions_module.all_for(article)
        assert notice.revision_id == fixed.id == article.current_revision_id and fixed.source == "dashboard"
        assert error.wrong in first.body_text and error.wrong not in fixed.body_text
        assert error.right in article.body_text
        assert publishing.change_words(first, fixed) == (error.wrong_text, error.right_text)
        assert publishing.check_words(article, notice.wrong_text, notice.right_text, revision=fixed) == (
            error.wrong_text, error.right_text)
        assert error.wrong_text != error.right_text and len(error.wrong_text.split()) >= 8
        # A reader's report on the wrong sentence, accepted, then corrected by the notice.
        (report,) = notice.reports
        assert (report.status, report.passage, report.passage_found, report.suggested_correction) == (
            "corrected", error.wrong, True, error.right)
        moves = [event.to_value for event in report.events if event.kind == "status"]
        assert moves[-2:] == ["accepted", "corrected"]
        assert all(after in MOVES[before] for before, after in zip(["new", *moves], moves, strict=False))
        # The change to the published text is answered by the notice.
        (review,) = db.session.scalars(select(ChangeReview).where(ChangeReview.article_id == article.id))
        assert (review.outcome, review.notice_id, review.to_revision_id) == ("notice", notice.id, fixed.id)


def test_planted_errors_are_carried_by_other_articles_as_listed(planted):
    for error in planted:
        kinds = Counter(kind for _, _, kind, _ in error.articles)
        assert kinds == dict(fake.SIBLINGS)
        for article_id, slug, kind, sentence in error.articles:
            article = db.session.get(Article, article_id)
            text = one_spaced(article.body_text)
            assert article.slug == slug and article.current_revision.number == 1
            assert (article.source_type, article.generator) == fake.PLANTED_PROVENANCE
            if kind == "verbatim":
                assert sentence == error.wrong and error.wrong_text in text
            elif kind == "right":
                assert sentence == error.right and error.right_text in text and error.wrong_text not in text
            elif kind == "near_miss":
                assert sentence == error.near_miss and error.wrong_text not in text
            else:
                assert sentence != error.wrong and one_spaced(sentence) in text
                # Reworded: the figures and names kept.
                assert re.findall(r"\d+(?:[.,]\d+)*", error.wrong) == re.findall(r"\d+(?:[.,]\d+)*", sentence)


def test_planted_errors_come_out_the_same_for_the_same_seed(app):
    first = [error.as_json() for error in fake.generate(3, 10, seed=7, now=NOW, plant_errors=2).planted]
    rows = digest()
    empty_database()
    assert [error.as_json() for error in fake.generate(3, 10, seed=7, now=NOW, plant_errors=2).planted] == first
    assert digest() == rows
    empty_database()
    assert [error.as_json() for error in fake.generate(3, 10, seed=8, now=NOW, plant_errors=2).planted] != first


def test_command_prints_what_it_planted_and_writes_where(runner, tmp_path):
    truth = tmp_path / "truth.json"
    result = runner.invoke(args=["gen-fake", "--articles", "3", "--reports", "10", "--plant-errors", "2",
                                 "--plant-errors-truth", str(truth)])
    assert result.exit_code == 0, result.output
    assert "Made 17 articles" in result.output and "Planted 2 errors in 14 articles" in result.output
    written = json.loads(truth.read_text(encoding="utf-8"))
    assert written["version"] == 1 and len(written["errors"]) == 2
    for error in written["errors"]:
        notice = db.session.get(Notice, error["notice_id"])
        assert (notice.wrong_text, notice.right_text) == (error["wrong_text"], error["right_text"])
        assert f"correction {notice.id} on article {notice.article_id}: “{notice.wrong_text}”" in result.output
        assert len(error["articles"]) == 6


@pytest.mark.parametrize("args, message", [
    (["--plant-errors", "-1"], "Invalid value for '--plant-errors': -1 is not in the range 0<=x<=10000"),
    (["--plant-errors", "10001"], "'--plant-errors': 10001 is not in the range"),
    (["--plant-errors", "some"], "'some' is not a valid integer"),
    (["--plant-errors-truth", "truth.json"], "--plant-errors-truth needs --plant-errors N"),
    (["--plant-errors", "2", "--plant-errors-truth", "/no/such/folder/truth.json"],
     "Invalid value for '--plant-errors-truth': the folder of /no/such/folder/truth.json does not exist."),
])
def test_command_refuses_bad_plant_errors(runner, args, message):
    result = runner.invoke(args=["gen-fake", "--articles", "3", "--reports", "10", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert db.session.scalar(select(func.count(Article.id))) == 0
