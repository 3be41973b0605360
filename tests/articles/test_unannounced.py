"""Unannounced changes: a change to a published article with no notice within the grace period is listed for
editors (time moved by the test, never slept), answered with a notice or a reason, recorded in the history,
and announced once to webhooks."""

import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from corrections import transaction
from corrections.articles import unannounced
from corrections.articles.content import change_text
from corrections.extensions import db
from corrections.infra import webhooks
from corrections.models import ArticleEvent, ChangeReview, Notice, WebhookDelivery, utcnow
from corrections.notices import publishing
from tests.helpers import csrf_token, file_report, make_article, make_editor

CHANGED = "<p>The council approved the new budget on Wednesday by 29 votes to 14.</p>"


@pytest.fixture
def clock(monkeypatch):
    """The time unannounced changes and the webhook sender see: now, until the test moves it on."""
    now = [utcnow()]

    def move(**delta):
        now[0] += timedelta(**delta)

    monkeypatch.setattr(unannounced, "utcnow", lambda: now[0])
    monkeypatch.setattr(webhooks, "utcnow", lambda: now[0])
    return move


def changed_article(body: str = CHANGED, **fields):
    article = make_article(**fields)
    change_text(article, article.title, body, source="import")
    db.session.commit()
    return article


def listed(client) -> str:
    """The changes waiting for an answer (not those recently answered, listed below them)."""
    return client.get("/editor/changes").get_data(as_text=True).split("Recently answered")[0]


def test_a_change_without_a_notice_is_listed_once_the_grace_period_is_over(editor_client, clock):
    article = changed_article()
    [review] = db.session.scalars(select(ChangeReview)).all()
    assert (review.from_revision.number, review.to_revision.number) == (1, 2)
    assert review.due_at == review.changed_at + timedelta(minutes=60)

    clock(minutes=59)
    assert article.title not in listed(editor_client)
    assert "unannounced" not in editor_client.get("/editor/").get_data(as_text=True)
    clock(minutes=2)
    assert article.title in listed(editor_client)
    queue_page = editor_client.get("/editor/").get_data(as_text=True)
    assert "1 unannounced change</a> to published articles is waiting" in queue_page
    page = editor_client.get(f"/editor/changes/{review.id}").get_data(as_text=True)
    assert "<del>Tuesday</del><ins>Wednesday</ins>" in page and "<del>31</del><ins>29</ins>" in page


def test_the_grace_period_comes_from_the_settings(make_app, clock):
    app = make_app(SILENT_EDIT_GRACE_MINUTES=5)
    with app.app_context():
        changed_article()
        [review] = db.session.scalars(select(ChangeReview)).all()
        assert review.due_at - review.changed_at == timedelta(minutes=5)


def test_minor_changes_and_changes_before_publication_are_not_listed(editor_client, clock):
    minor = make_article()
    change_text(minor, minor.title, minor.body.replace("Tuesday", "tuesday").replace("March.", "March!"), source="api")
    unpublished = make_article(published_at=datetime(2099, 1, 1, tzinfo=UTC))
    change_text(unpublished, unpublished.title, CHANGED, source="api")
    db.session.commit()
    clock(days=1)
    assert db.session.scalars(select(ChangeReview)).all() == []
    assert "No unannounced change" in listed(editor_client)
    revisions_page = editor_client.get(f"/editor/articles/{minor.slug}/revisions").get_data(as_text=True)
    assert ">minor</span>" in revisions_page


def test_a_notice_published_within_the_grace_period_settles_the_change(editor_client, editor, clock):
    article = changed_article()
    clock(minutes=30)
    publishing.publish(article, "update", "This article was updated with the final vote count.", by=editor)
    db.session.commit()
    clock(hours=2)
    assert article.title not in listed(editor_client)
    assert "settled by a notice published since" in editor_client.get("/editor/changes").get_data(as_text=True)
    [review] = db.session.scalars(select(ChangeReview)).all()
    assert (review.outcome, review.answered_by) == ("notice", "system")
    [event] = db.session.scalars(select(ArticleEvent)).all()
    assert event.kind == "settled" and "final vote count" in event.comment
    # Settled by no editor: the pages name nobody ("system" is a code, not a name).
    change_page = editor_client.get(f"/editor/changes/{review.id}").get_data(as_text=True)
    article_page = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert "Answered: settled by a notice published since, <time" in change_page and "system" not in change_page
    assert "(system)" not in article_page and "· System: settled by a notice published since" in article_page


def test_an_editors_note_does_not_settle_a_change(editor_client, editor, clock):
    article = changed_article()
    publishing.publish(article, "editors_note", "This article is part of our budget coverage.", by=editor)
    db.session.commit()
    clock(hours=2)
    assert article.title in listed(editor_client)


def test_an_editor_answers_with_a_correction_linked_to_the_revision(editor_client, clock, client):
    article = changed_article()
    clock(hours=2)
    [review] = db.session.scalars(select(ChangeReview)).all()
    response = editor_client.post(f"/editor/changes/{review.id}/notice", data={
        "csrf_token": csrf_token(editor_client), "kind": "correction",
        "text": "An earlier version of this article gave the vote as 31 to 12. It was 29 to 14."})
    assert response.status_code == 302
    assert article.title not in listed(editor_client)
    notice = db.session.scalar(select(Notice))
    assert notice.revision.number == 2
    db.session.refresh(review)
    assert (review.outcome, review.answered_by, review.notice_id) == ("notice", "Maya Okafor", notice.id)
    [event] = db.session.scalars(select(ArticleEvent)).all()
    assert (event.kind, event.actor, event.revision_id) == ("notice", "Maya Okafor", review.to_revision_id)
    history = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert "Maya Okafor: answered with a notice (revision 2)" in history

    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert f'href="/articles/{article.slug}/revisions/1/2">See what changed</a>' in page
    api = client.get(f"/api/v1/articles/{article.slug}/corrections").json
    assert api["corrections"][0]["revision_url"] == f"http://localhost/articles/{article.slug}/revisions/1/2"
    assert api["corrections"][0]["published_at"]


def test_a_notice_from_a_change_page_older_than_another_editors_answer_is_refused_and_kept(editor_client, clock):
    """Maya opens the change; Tom answers it meanwhile: her notice is refused with who answered and when, nothing
    is published, and her text stays on screen."""
    changed_article()
    clock(hours=2)
    [review] = db.session.scalars(select(ChangeReview)).all()
    token = csrf_token(editor_client, f"/editor/changes/{review.id}")
    unannounced.excuse(review, "Typo or formatting only.", by=make_editor("tom@example.org", "Tom Reyes"))
    db.session.commit()
    text = "This article now gives the final vote count, 29 to 14."
    response = editor_client.post(f"/editor/changes/{review.id}/notice", data={
        "csrf_token": token, "kind": "correction", "text": text})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"already answered by Tom Reyes at \d\d:\d\d UTC", page)
    assert f"{text}</textarea>" in page
    assert db.session.scalar(select(Notice)) is None


def test_an_editor_records_why_no_notice_is_needed_once(editor_client, clock):
    article = changed_article()
    clock(hours=2)
    [review] = db.session.scalars(select(ChangeReview)).all()
    token = csrf_token(editor_client)
    empty = editor_client.post(f"/editor/changes/{review.id}/no-notice", data={"csrf_token": token, "reason": "other"})
    assert empty.status_code == 400 and "Say why no notice is needed" in empty.get_data(as_text=True)
    answered = editor_client.post(f"/editor/changes/{review.id}/no-notice", data={
        "csrf_token": token, "reason": unannounced.NO_NOTICE_REASONS[0], "reason_text": "Only a comma moved."})
    assert answered.status_code == 302
    assert article.title not in listed(editor_client)
    [event] = db.session.scalars(select(ArticleEvent)).all()
    assert (event.kind, event.comment) == ("no_notice", "Typo or formatting only. Only a comma moved.")
    again = editor_client.post(f"/editor/changes/{review.id}/notice", data={
        "csrf_token": token, "kind": "correction", "text": "A correction for an answered change."})
    assert again.status_code == 400 and "already answered by Maya Okafor" in again.get_data(as_text=True)
    assert db.session.scalar(select(Notice)) is None


def test_the_change_is_announced_to_webhooks_once_when_it_is_due(app, clock):
    admin = make_editor("hooks@example.org", "Hook Admin", is_admin=True)
    webhooks.create_endpoint("https://hooks.example.org/never", ["article.unannounced_change"], by=admin)
    db.session.commit()
    article = changed_article()
    assert unannounced.announce_due_changes() == 0
    clock(minutes=61)
    assert unannounced.announce_due_changes() == 1
    assert unannounced.announce_due_changes() == 0
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    change = json.loads(delivery.body)["data"]["change"]
    assert delivery.event == "article.unannounced_change"
    assert (change["article"]["slug"], change["from_revision"], change["to_revision"]) == (article.slug, 1, 2)
    assert change["diff_url"] == f"http://localhost/editor/articles/{article.slug}/revisions/1/2"


def test_a_sending_run_keeps_the_announcement_it_queued(app, clock, monkeypatch):
    # The domain's hook does not commit: the sending run keeps what it marked and queued before it sends.
    admin = make_editor("hooks@example.org", "Hook Admin", is_admin=True)
    webhooks.create_endpoint("https://hooks.example.org/never", ["article.unannounced_change"], by=admin)
    db.session.commit()
    changed_article()
    clock(minutes=61)
    monkeypatch.setattr(webhooks, "post", lambda delivery: 200)
    webhooks.send_due()
    db.session.rollback()
    assert db.session.scalar(select(ChangeReview)).announced_at is not None
    assert [d.event for d in db.session.scalars(select(WebhookDelivery))] == ["article.unannounced_change"]
    webhooks.send_due()
    assert len(db.session.scalars(select(WebhookDelivery)).all()) == 1


def test_an_answered_change_is_never_announced(app, editor, clock):
    admin = make_editor("hooks@example.org", "Hook Admin", is_admin=True)
    webhooks.create_endpoint("https://hooks.example.org/never", ["article.unannounced_change"], by=admin)
    db.session.commit()
    changed_article()
    unannounced.excuse(db.session.scalar(select(ChangeReview)), "Typo or formatting only.", by=editor)
    db.session.commit()
    clock(hours=3)
    assert unannounced.announce_due_changes() == 0
    assert db.session.scalars(select(WebhookDelivery)).all() == []


@pytest.mark.databases("postgresql")  # SQLite has one writer at a time: the race is PostgreSQL's
def test_two_processes_announcing_at_once_announce_a_change_once(make_app, database_url, clock):
    app = make_app()
    with app.app_context():
        admin = make_editor("hooks@example.org", "Hook Admin", is_admin=True)
        webhooks.create_endpoint("https://hooks.example.org/never", ["article.unannounced_change"], by=admin)
        db.session.commit()
        changed_article()
    clock(hours=2)
    start, counts = threading.Barrier(4), []

    def announce():
        with app.app_context():
            start.wait()
            counts.append(transaction.commit(unannounced.announce_due_changes))
            db.session.remove()

    threads = [threading.Thread(target=announce) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 0, 0, 1]
    with app.app_context():
        assert len(db.session.scalars(select(WebhookDelivery)).all()) == 1


def test_a_notice_published_from_the_article_page_naming_the_revision_answers_its_change(editor_client, clock):
    article = changed_article()
    clock(hours=2)
    response = editor_client.post(f"/editor/articles/{article.slug}/corrections", data={
        "csrf_token": csrf_token(editor_client), "kind": "clarification", "revision": "2",
        "text": "This article now gives the final vote count, 29 to 14."})
    assert response.status_code == 302
    review = db.session.scalar(select(ChangeReview))
    db.session.refresh(review)
    assert (review.outcome, review.answered_by) == ("notice", "Maya Okafor")
    assert db.session.scalar(select(Notice)).revision.number == 2
    unknown = editor_client.post(f"/editor/articles/{article.slug}/corrections", data={
        "csrf_token": csrf_token(editor_client), "kind": "update", "revision": "7",
        "text": "A notice for a revision that does not exist."})
    assert unknown.status_code == 400 and "The article has no revision 7." in unknown.get_data(as_text=True)


def test_a_text_corrected_with_its_notice_is_no_unannounced_change(editor_client, editor, clock):
    """Publishing from a report that corrects the passage in the article: the change is answered by the notice
    published with it, never listed and never announced to webhooks."""
    article = make_article()
    report = file_report(article, passage="31 votes to 12")
    notice = publishing.publish_fixing(report, "correction", "The vote was 31 to 14, not 31 to 12.", by=editor,
                                       reports=[report], replacement="31 votes to 14", seen_revision=1)
    db.session.commit()
    clock(hours=2)
    assert article.title not in listed(editor_client)
    [review] = db.session.scalars(select(ChangeReview)).all()
    assert (review.outcome, review.answered_by, review.notice_id) == ("notice", editor.name, notice.id)
    assert review.to_revision_id == notice.revision_id
    assert unannounced.announce_due_changes() == 0


def test_a_notice_answering_a_change_is_worded_in_the_language_of_whoever_reads_it(editor_client, editor, app,
                                                                                    clock):
    article = changed_article()
    text = "This article was updated with the final vote count."
    clock(minutes=30)
    with force_locale("hu"):  # published from a Hungarian page: nothing of its language is stored
        notice = publishing.publish(article, "update", text, by=editor)
    db.session.commit()
    [review] = db.session.scalars(select(ChangeReview)).all()
    [event] = db.session.scalars(select(ArticleEvent)).all()
    assert (review.reason, review.notice_kind) == (text, "update")
    assert (event.comment, event.notice_kind) == (text, "update")
    assert f"Update published: {text}" in editor_client.get(f"/editor/changes/{review.id}").get_data(as_text=True)
    assert f"Update published: {text}" in editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    with force_locale("hu"):
        assert unannounced.answer_reason(review) == f"Frissítés közzétéve: {text}"

    with force_locale("hu"):
        publishing.unpublish(notice, by=editor)
    db.session.commit()
    reopened = db.session.scalars(select(ArticleEvent).where(ArticleEvent.kind == "reopened")).one()
    assert (reopened.comment, reopened.notice_kind) == ("", "update")
    history = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert "The update was undone by Maya Okafor." in history
    with force_locale("hu"):
        assert unannounced.event_comment(reopened) == "A frissítést visszavonta: Maya Okafor."


def test_history_written_before_the_notice_kind_was_kept_shows_as_stored(editor_client, editor):
    article = changed_article()
    review = db.session.scalars(select(ChangeReview)).one()
    db.session.add(ArticleEvent(article_id=article.id, actor=editor.name, kind="reopened",
                                revision_id=review.to_revision_id, comment="The correction was undone by Maya."))
    db.session.commit()
    history = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert "The correction was undone by Maya." in history
