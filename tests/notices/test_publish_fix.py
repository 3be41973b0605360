"""Publishing from the report page can correct the article's text in the same step: the editor sees the change
word by word first (without JavaScript), then one commit stores the new revision and the notice linked to it;
a refusal keeps what was typed and stores neither. The way back leads to the queue the editor came from."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from corrections.articles import content
from corrections.extensions import db
from corrections.models import Article, ArticleRevision, ChangeReview, Notice, Report
from corrections.reports import workflow
from tests.helpers import csrf_token, file_report, make_article
from tests.reports.test_undo import undo_form

TEXT = "An earlier version of this article said the vote was 31 to 12. It was 31 to 14."
BACK = "/editor/?status=new&sort=oldest"


@pytest.fixture
def report(app):
    return file_report(make_article(), passage="31 votes to 12", suggested_correction="31 votes to 14")


def publish(client, report, step=None, **fields):
    data = {"csrf_token": csrf_token(client, f"/editor/reports/{report.id}"), "kind": "correction", "text": TEXT,
            "link": [str(report.id)], "fix": "y", "replacement": "31 votes to 14", **fields}
    if step:
        data["step"] = step
    return client.post(f"/editor/reports/{report.id}/publish", data=data)


def stored(article_id: int) -> tuple[int, int, str]:
    """The article's revisions, its notices and its text, as committed."""
    db.session.expire_all()
    return (db.session.scalar(select(func.count(ArticleRevision.id)).where(ArticleRevision.article_id == article_id)),
            db.session.scalar(select(func.count(Notice.id))), db.session.get_one(Article, article_id).body_text)


def hidden(page: str, name: str) -> str:
    return unescape(re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page).group(1))


@pytest.mark.databases("sqlite")
def test_the_report_page_offers_to_correct_the_article_with_the_readers_suggestion(editor_client, report):
    assert f'<tr id="report-{report.id}"' in editor_client.get(BACK).get_data(as_text=True)
    page = editor_client.get(f"/editor/reports/{report.id}", query_string={"back": BACK}).get_data(as_text=True)
    assert (f'href="{BACK.replace("&", "&amp;")}#report-{report.id}" data-key-queue>'
            '<span class="arrow-back" aria-hidden="true">←</span> Queue</a>') in page
    assert re.search(r'<input checked id="fix" name="fix" type="checkbox" value="y">', page)
    assert re.search(r'<textarea[^>]*name="replacement"[^>]*>\s*31 votes to 14</textarea>', page)


@pytest.mark.databases("sqlite")
def test_a_suggestion_that_is_no_new_version_of_the_passage_leaves_the_box_unticked(editor_client):
    report = file_report(make_article(), passage="31 votes to 12", suggested_correction="Check the minutes")
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert re.search(r'<input id="fix" name="fix" type="checkbox" value="y">', page)
    assert re.search(r'<textarea[^>]*name="replacement"[^>]*>\s*31 votes to 12</textarea>', page)


@pytest.mark.databases("sqlite")
def test_the_preview_shows_the_word_diff_keeps_what_was_typed_and_stores_nothing(editor_client, report):
    response = publish(editor_client, report, back=BACK)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Check the change before publishing" in page
    assert "<del>12</del><ins>14</ins>" in page
    assert (hidden(page, "text"), hidden(page, "replacement"), hidden(page, "revision"), hidden(page, "back")) == (
        TEXT, "31 votes to 14", "1", BACK)
    assert stored(report.article_id)[:2] == (1, 0)
    assert db.session.get_one(Report, report.id).status == "new"


@pytest.mark.databases("sqlite")
def test_change_something_shows_the_form_again_as_typed(editor_client, report):
    response = publish(editor_client, report, step="edit", replacement="31 votes to 15")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="replacement"[^>]*>\s*31 votes to 15</textarea>', page)
    assert f"{TEXT}</textarea>" in page
    assert stored(report.article_id)[:2] == (1, 0)


def test_confirming_stores_the_revision_and_the_notice_linked_to_it_together(editor_client, client, report):
    response = publish(editor_client, report, step="confirm", revision="1", back=BACK)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"/editor/articles/{report.article.slug}?")
    assert f"report={report.id}" in location and "#correction-" in location
    revisions, notices, text = stored(report.article_id)
    assert (revisions, notices) == (2, 1)
    assert "by 31 votes to 14." in text
    notice = db.session.scalar(select(Notice))
    assert notice.revision.number == 2 and notice.revision.created_by == "Maya Okafor"
    assert notice.reports[0].status == "corrected"
    # The article's public page has the new text, and its notice links to the change.
    public = client.get(f"/articles/{report.article.slug}").get_data(as_text=True)
    assert "by 31 votes to 14." in public and "31 votes to 12" not in public
    assert f'href="/articles/{report.article.slug}/revisions/1/2"' in public
    # The way back: to the report, and to the queue at its row.
    page = editor_client.get(location).get_data(as_text=True)
    assert "Correction published on the article and the article’s text corrected (revision 2)" in page
    assert (f'href="{BACK.replace("&", "&amp;")}#report-{report.id}">'
            '<span class="arrow-back" aria-hidden="true">←</span> Queue</a>') in page


def test_the_revision_is_announced_by_its_notice(editor_client, editor, report):
    publish(editor_client, report, step="confirm", revision="1")
    db.session.expire_all()
    [review] = db.session.scalars(select(ChangeReview)).all()
    notice = db.session.scalar(select(Notice))
    assert (review.outcome, review.answered_by, review.notice_id) == ("notice", editor.name, notice.id)
    assert review.to_revision_id == notice.revision_id


REFUSALS = [
    ({"replacement": " "}, 400, "Write the words that replace the passage"),
    ({"replacement": "x" * 2001}, 400, "At most 2,000 characters"),
    ({"replacement": "31 votes  to 12"}, 400, "the same as the passage"),
    ({"kind": "editors_note"}, 400, "An editor’s note does not announce a change to the text"),
    ({"step": "confirm", "revision": "7"}, 409, "since you saw the change"),
]


def test_a_refused_fix_keeps_what_was_typed_and_stores_nothing(editor_client, report):
    # One app for the cases (each a request of its own): building an app per case costs more than the requests.
    for fields, status, message in REFUSALS:
        response = publish(editor_client, report, **fields)
        page = response.get_data(as_text=True)
        assert (response.status_code, message in page) == (status, True), fields
        assert f"{TEXT}</textarea>" in page
        assert stored(report.article_id)[:2] == (1, 0)
        assert db.session.get_one(Report, report.id).status == "new"


def test_a_passage_changed_since_the_preview_is_refused_at_confirming(editor_client, editor, report):
    article = db.session.get_one(Article, report.article_id)
    content.edit(article, article.title, article.body.replace("31 votes to 12", "30 votes to 12"), seen_revision=1,
                 by="Tom Reyes")
    db.session.commit()
    response = publish(editor_client, report, step="confirm", revision="2")
    assert response.status_code == 400
    assert "not in the article’s current text" in response.get_data(as_text=True)
    assert stored(report.article_id)[:2] == (2, 0)


def test_a_refusal_after_the_article_was_changed_keeps_neither(editor_client, editor, report):
    """The article's text is changed first, then the notice is refused (a linked report can no longer be linked):
    the one commit is not made, and neither the revision nor the notice is kept."""
    same = file_report(db.session.get_one(Article, report.article_id), passage="31 votes to 12")
    workflow.reject(same, "Not an error.", by=editor)
    db.session.commit()
    response = publish(editor_client, report, step="confirm", revision="1", link=[str(report.id), str(same.id)])
    assert response.status_code == 400
    assert f"{same.reference} is rejected" in response.get_data(as_text=True)
    revisions, notices, text = stored(report.article_id)
    assert (revisions, notices) == (1, 0) and "31 votes to 12" in text
    assert db.session.scalar(select(func.count(ChangeReview.id))) == 0
    assert db.session.get_one(Report, report.id).status == "new"


def test_an_undone_publication_leaves_the_corrected_text_as_a_change_to_answer(editor_client, report):
    """Undo takes the notice back; the revision stays (no revision is ever deleted), so its change is open again
    for editors to answer, with a notice or a reason."""
    page = publish(editor_client, report, step="confirm", revision="1").headers["Location"]
    page = editor_client.get(page).get_data(as_text=True)
    action, fields = undo_form(page)
    assert editor_client.post(action, data=fields).status_code == 302
    revisions, notices, text = stored(report.article_id)
    assert (revisions, notices) == (2, 0) and "31 votes to 14" in text
    [review] = db.session.scalars(select(ChangeReview)).all()
    assert (review.outcome, review.to_revision.number) == ("", 2)
    assert db.session.get_one(Report, report.id).status == "new"


@pytest.mark.databases("sqlite")
def test_a_form_without_the_replacement_field_is_refused_at_that_field(editor_client, report):
    for step in (None, "confirm"):
        data = {"csrf_token": csrf_token(editor_client, f"/editor/reports/{report.id}"), "kind": "correction",
                "text": TEXT, "link": [str(report.id)], "fix": "y", "revision": "1"}
        if step:
            data["step"] = step
        response = editor_client.post(f"/editor/reports/{report.id}/publish", data=data)
        assert response.status_code == 400, step
        assert "Write the words that replace the passage" in response.get_data(as_text=True)
    assert stored(report.article_id)[:2] == (1, 0)
