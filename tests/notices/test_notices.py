"""Publishing, amending and withdrawing corrections, and where readers see them."""

import html
import json
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from corrections.extensions import db
from corrections.models import Editor, Notice, NoticeVersion, Report
from corrections.notices import publishing
from corrections.reports import workflow
from tests.helpers import (
    changed_at_the_same_moment,
    count_queries,
    csrf_token,
    file_report,
    form_tokens,
    make_article,
    make_editor,
    post_report,
    recorded_statements,
    valid_report,
)

TEXT = "An earlier version of this article said the vote was 21 to 12. It was 31 to 12."


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def json_ld(page: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    return json.loads(block)


def test_publishing_moves_linked_reports_to_corrected_through_the_workflow(app, editor):
    article = make_article()
    new, reviewing, accepted = (file_report(article) for _ in range(3))
    workflow.move(reviewing, "in_review", by=editor)
    workflow.move(accepted, "in_review", by=editor)
    workflow.move(accepted, "accepted", by=editor)
    db.session.commit()
    notice = publishing.publish(article, "correction", TEXT, by=editor, reports=[new, reviewing, accepted])
    db.session.commit()
    for report in (new, reviewing, accepted):
        stored = fresh(Report, report.id)
        assert stored.status == "corrected"
        assert stored.events[-1].to_value == "corrected" and TEXT in stored.events[-1].comment
    assert [e.to_value for e in fresh(Report, new.id).events] == ["new", "in_review", "accepted", "corrected"]
    assert {r.id for r in fresh(Notice, notice.id).reports} == {new.id, reviewing.id, accepted.id}


def test_closed_reports_or_reports_on_another_article_cannot_be_linked(app, editor):
    article = make_article()
    rejected = file_report(article)
    workflow.reject(rejected, "Opinion.", by=editor)
    elsewhere = file_report(make_article())
    with pytest.raises(publishing.NoticeError, match="only open or accepted reports"):
        publishing.publish(article, "correction", TEXT, by=editor, reports=[rejected])
    with pytest.raises(publishing.NoticeError, match="another article"):
        publishing.publish(article, "correction", TEXT, by=editor, reports=[elsewhere])


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("kind, text, message", [
    ("apology", TEXT, "Choose the kind"),
    ("correction", "short", "between 10 and 5,000"),
    ("correction", "x" * 5001, "between 10 and 5,000"),
])
def test_bad_notices_are_refused(app, editor, kind, text, message):
    with pytest.raises(publishing.NoticeError, match=message):
        publishing.publish(make_article(), kind, text, by=editor)


def test_amending_keeps_the_earlier_text_and_marks_the_update(app, editor):
    article = make_article()
    notice = publishing.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    publishing.amend(notice, TEXT + " The minutes were published on Friday.", by=editor, note="added the source")
    db.session.commit()
    stored = fresh(Notice, notice.id)
    assert stored.updated_at is not None
    [earlier] = stored.versions
    assert (earlier.text, earlier.note, earlier.replaced_by) == (TEXT, "added the source", editor.name)
    with pytest.raises(publishing.NoticeError, match="Nothing changed"):
        publishing.amend(stored, stored.text, by=editor)


@pytest.mark.databases("sqlite")
def test_only_an_admin_withdraws_and_the_reason_is_kept(app, editor, admin, admin_client):
    article = make_article()
    report = file_report(article)
    notice = publishing.publish(article, "correction", TEXT, by=editor, reports=[report])
    db.session.commit()
    with pytest.raises(publishing.NoticeError, match="Only an admin"):
        publishing.withdraw(notice, "Wrong article.", by=editor)
    with pytest.raises(publishing.NoticeError, match="Give the reason"):
        publishing.withdraw(notice, " ", by=admin)
    publishing.withdraw(notice, "Published on the wrong article.", by=admin)
    db.session.commit()
    stored = fresh(Notice, notice.id)
    assert (stored.withdrawn_by, stored.withdrawn_reason) == (admin.name, "Published on the wrong article.")
    assert db.session.scalars(publishing.log_query(publishing.LogFilter(), article)).all() == []
    note = fresh(Report, report.id).events[-1]
    assert (note.kind, note.to_value, note.comment) == ("note", "correction", "Published on the wrong article.")
    said = "The correction linked to this report was withdrawn: Published on the wrong article."
    assert said in admin_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    with force_locale("hu"):  # worded in the language of the editor who reads it, whoever withdrew it
        assert publishing.withdrawal_note(note.to_value, note.comment) == (
            "A bejelentéshez kapcsolt helyesbítést visszavonták. Indok: Published on the wrong article.")


def test_article_shows_corrections_at_the_top_and_other_notices_at_the_foot(client, editor):
    article = make_article()
    publishing.publish(article, "correction", TEXT, by=editor)
    publishing.publish(article, "clarification", "This article has been clarified to say who voted.", by=editor)
    db.session.commit()
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True).split("<main", 1)[1]
    body_at = page.index('id="article-body"')
    assert page.index(TEXT) < body_at < page.index("This article has been clarified")
    assert re.search(r'<strong>Correction</strong>, <time datetime="\d{4}-\d\d-\d\dT[^"]+">', page)


def test_amended_notice_says_updated_and_keeps_the_earlier_wording(client, editor):
    article = make_article()
    notice = publishing.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    publishing.amend(notice, "The vote was 31 to 12; an earlier version said 21 to 12.", by=editor)
    db.session.commit()
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "· updated <time" in page
    assert "Earlier wording" in page and TEXT in page


@pytest.mark.databases("sqlite")
def test_json_ld_lists_corrections_and_is_safe_against_script_injection(client, editor):
    article = make_article()
    hostile = "The mayor said </script><script>alert(1)</script> & <!-- nothing -->."
    publishing.publish(article, "correction", hostile, by=editor)
    publishing.publish(article, "update", TEXT, by=editor)
    db.session.commit()
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "</script><script>alert(1)" not in page
    data = json_ld(page)
    assert data["@type"] == "NewsArticle"
    assert [c["@type"] for c in data["correction"]] == ["CorrectionComment"] * 2
    assert [c["text"] for c in data["correction"]] == [hostile, TEXT]
    assert all(c["datePublished"] for c in data["correction"])
    assert data["dateModified"] >= data["correction"][-1]["datePublished"]


@pytest.mark.databases("sqlite")
def test_article_without_notices_has_no_correction_in_json_ld(client):
    article = make_article()
    assert "correction" not in json_ld(client.get(f"/articles/{article.slug}").get_data(as_text=True))


def test_public_log_lists_newest_first_with_links_and_filters(client, editor):
    first, second = make_article(), make_article()
    publishing.publish(first, "correction", "First correction, about the budget vote.", by=editor)
    db.session.commit()
    publishing.publish(second, "clarification", "Second notice, a clarification of the date.", by=editor)
    db.session.commit()
    page = client.get("/corrections").get_data(as_text=True)
    assert page.index("Second notice") < page.index("First correction")
    assert f'href="/articles/{second.slug}#correction-' in page
    only = client.get("/corrections?kind=correction").get_data(as_text=True)
    assert "First correction" in only and "Second notice" not in only
    month = db.session.scalar(select(Notice.published_at)).strftime("%Y-%m")
    assert "First correction" in client.get(f"/corrections?month={month}").get_data(as_text=True)
    assert "No corrections match" in client.get("/corrections?month=1999-01").get_data(as_text=True)


def test_public_log_pages_and_query_count_stay_bounded(make_app):
    app = make_app(LOG_PER_PAGE=3)
    with app.app_context():
        from tests.helpers import make_editor

        editor = make_editor()
        articles = [make_article() for _ in range(4)]
        for n in range(7):
            publishing.publish(articles[n % 4], "correction", f"Correction number {n} of this test.", by=editor)
        db.session.commit()
        client = app.test_client()
        first = client.get("/corrections").get_data(as_text=True)
        assert 'rel="next"' in first and 'rel="prev"' not in first
        assert client.get("/corrections?page=9").status_code == 404
        few = count_queries(client, "/corrections")
        for n in range(10):
            publishing.publish(articles[n % 4], "update", f"Another update number {n} here.", by=editor)
        db.session.commit()
        assert count_queries(client, "/corrections") == few
        # A page deep in the log costs what the first does: read from its key on, nothing counted.
        url = "/corrections"
        for _ in range(4):
            url = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', client.get(url).get_data(as_text=True))[1])
        with recorded_statements() as statements:
            assert count_queries(client, url) == few
        assert not [s for s in statements if "count(" in s.lower()], statements


@pytest.mark.databases("sqlite")
def test_reader_status_page_shows_the_correction_and_the_reason(client, editor):
    article = make_article()
    corrected_link = post_report(client, article.slug, **valid_report()).headers["Location"]
    rejected_link = post_report(client, article.slug, **valid_report(passage="Work starts")).headers["Location"]
    first, second = db.session.scalars(select(Report).order_by(Report.id)).all()
    publishing.publish(article, "correction", TEXT, by=editor, reports=[first])
    workflow.reject(second, "The article already gives the date.", by=editor)
    db.session.commit()
    corrected = client.get(corrected_link).get_data(as_text=True)
    assert "Status: Corrected" in corrected and TEXT in corrected
    rejected = client.get(rejected_link).get_data(as_text=True)
    assert "Reviewed, no change" in rejected and "The article already gives the date." in rejected


def test_duplicate_of_a_corrected_report_reads_as_corrected(client, editor):
    article = make_article()
    original_link = post_report(client, article.slug, **valid_report()).headers["Location"]
    copy_link = post_report(client, article.slug, **valid_report()).headers["Location"]
    original, copy = db.session.scalars(select(Report).order_by(Report.id)).all()
    workflow.mark_duplicate(copy, original, by=editor)
    publishing.publish(article, "correction", TEXT, by=editor, reports=[original])
    db.session.commit()
    assert original_link != copy_link
    page = client.get(copy_link).get_data(as_text=True)
    assert "Status: Corrected" in page and TEXT in page


def test_editor_publishes_from_the_report_page_with_the_group_linked(editor_client):
    article = make_article()
    report = file_report(article, passage="31 votes to 12", suggested_correction="31 votes to 14")
    same = file_report(article, passage="votes to 12")
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    # The draft comes from the reader's suggestion; both reports of the group are ticked.
    assert "It should have said “31 votes to 14”." in page
    assert f'name="link" value="{same.id}" checked' in page
    response = editor_client.post(f"/editor/reports/{report.id}/publish", data={
        "csrf_token": form_tokens(page)["csrf_token"], "kind": "correction", "text": TEXT,
        "link": [str(report.id), str(same.id)]})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/editor/articles/{article.slug}#correction-")
    assert {fresh(Report, r.id).status for r in (report, same)} == {"corrected"}


@pytest.mark.databases("sqlite")
def test_publish_with_a_bad_text_keeps_what_was_typed(editor_client):
    report = file_report(make_article())
    response = editor_client.post(f"/editor/reports/{report.id}/publish", data={
        "csrf_token": csrf_token(editor_client, f"/editor/reports/{report.id}"), "kind": "correction",
        "text": "too short", "link": [str(report.id)]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "too short</textarea>" in page and "Between 10 and 5,000 characters" in page
    assert fresh(Report, report.id).status == "new"


@pytest.mark.parametrize("page", ["report", "article"])
def test_a_notice_linking_a_report_another_editor_changes_at_that_moment_is_refused_like_a_stale_page(
        app, editor_client, page):
    """Maya publishes, linking a report Tom changes at the same moment: from the report page as from the article
    page, nothing is published, she is told who changed the report and when, and her text stays on screen."""
    tom_id = make_editor("tom@example.org", "Tom Reyes").id
    article = make_article()
    report = file_report(article)
    url = f"/editor/reports/{report.id}/publish" if page == "report" else f"/editor/articles/{article.slug}/corrections"
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")

    def tom_notes(same):
        workflow.add_note(same, "Checking the minutes first.", by=db.session.get_one(Editor, tom_id))

    with changed_at_the_same_moment(app, report.id, tom_notes) as raced:
        response = editor_client.post(url, data={"csrf_token": token, "kind": "correction", "text": TEXT,
                                                 "link": [str(report.id)]})
    assert raced
    page_text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(rf"{report.reference} was changed by Tom Reyes at \d\d:\d\d UTC", page_text)
    assert "Reload" in page_text
    assert f"{TEXT}</textarea>" in page_text
    assert db.session.scalar(select(Notice)) is None
    stored = fresh(Report, report.id)
    assert stored.status == "new"
    assert [e.kind for e in stored.events] == ["received", "note"]


def test_editor_amends_and_admin_withdraws_from_the_article_page(editor_client, admin_client, editor):
    article = make_article()
    notice = publishing.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    url = f"/editor/articles/{article.slug}"
    token = csrf_token(editor_client, url)
    amended = "The vote was 31 to 12. An earlier version gave the wrong figure."
    response = editor_client.post(f"{url}/corrections/{notice.id}/amend", data={
        "csrf_token": token, f"amend-{notice.id}-kind": "correction", f"amend-{notice.id}-text": amended,
        f"amend-{notice.id}-note": "clearer"})
    assert response.status_code == 302
    assert fresh(Notice, notice.id).text == amended
    # A plain editor may not withdraw; an admin may, with a reason.
    assert editor_client.post(f"{url}/corrections/{notice.id}/withdraw", data={
        "csrf_token": token, f"withdraw-{notice.id}-reason": "Wrong"}).status_code == 403
    admin_token = csrf_token(admin_client, url)
    response = admin_client.post(f"{url}/corrections/{notice.id}/withdraw", data={
        "csrf_token": admin_token, f"withdraw-{notice.id}-reason": ""})
    assert response.status_code == 400 and "Give the reason" in response.get_data(as_text=True)
    admin_client.post(f"{url}/corrections/{notice.id}/withdraw", data={
        "csrf_token": admin_token, f"withdraw-{notice.id}-reason": "Belongs to another article."})
    assert fresh(Notice, notice.id).withdrawn_reason == "Belongs to another article."
    page = admin_client.get(url).get_data(as_text=True)
    assert "Withdrawn" in page and "Belongs to another article." in page
    assert len(db.session.scalars(select(NoticeVersion)).all()) == 1
