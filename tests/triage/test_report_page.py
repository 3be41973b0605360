"""One report in the dashboard: what it shows and the actions taken from it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from corrections.extensions import db
from corrections.models import Notice, Report
from corrections.reports import canned_answers, workflow
from tests.helpers import (
    PASSWORD,
    count_queries,
    file_report,
    form_tokens,
    login,
    make_article,
    make_editor,
    recorded_statements,
)

PASSAGE = "31 votes to 12"


def open_page(client, report: Report):
    response = client.get(f"/editor/reports/{report.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_action(client, report: Report, action: str, page: str | None = None, **data):
    """Send one of the page's forms with the CSRF token and version the page carried."""
    page = page or open_page(client, report)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    fields = {"csrf_token": form_tokens(page)["csrf_token"], "version": version, **data}
    return client.post(f"/editor/reports/{report.id}/{action}", data=fields)


def fresh(report: Report) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report.id)


def test_page_shows_every_field_the_contact_and_the_history(editor_client):
    report = file_report(make_article(), passage=PASSAGE, suggested_correction="29 votes to 14",
                         source_url="https://council.example.org/minutes", name="Ada Reader",
                         email="ada@example.org", notify=True)
    page = open_page(editor_client, report)
    for text in (report.reference, "Council approves budget", "The figure in this sentence is wrong.",
                 "29 votes to 14", "https://council.example.org/minutes", "Ada Reader", "ada@example.org",
                 "wants to hear the outcome", "sent the report"):
        assert text in page


@pytest.mark.databases("sqlite")
def test_passage_is_highlighted_in_the_article_text(editor_client):
    report = file_report(make_article(), passage="the MAYOR said")
    page = open_page(editor_client, report)
    assert '<mark id="passage">The mayor said</mark>' in page


@pytest.mark.databases("sqlite")
def test_passage_not_in_the_article_is_said(editor_client):
    report = file_report(make_article(), passage="by 40 votes to 3")
    assert "Passage not found in the article." in open_page(editor_client, report)


def test_other_reports_on_the_same_passage_are_listed(editor_client):
    article = make_article()
    first = file_report(article, passage=PASSAGE)
    second = file_report(article, passage="votes to 12")
    unrelated = file_report(article, passage="Work starts")
    page = open_page(editor_client, first)
    assert "Other reports on the same passage (1)" in page
    assert second.reference in page and unrelated.reference not in page


def test_accept_goes_through_review(editor_client, editor):
    report = file_report(make_article())
    response = post_action(editor_client, report, "move", to="accepted")
    assert response.status_code == 400
    assert "cannot be moved to accepted" in response.get_data(as_text=True)
    assert post_action(editor_client, report, "move", to="in_review").status_code == 302
    assert post_action(editor_client, report, "move", to="accepted").status_code == 302
    stored = fresh(report)
    assert stored.status == "accepted"
    assert [(e.from_value, e.to_value, e.actor) for e in stored.events[1:]] == [
        ("new", "in_review", editor.name), ("in_review", "accepted", editor.name)]


@pytest.mark.databases("sqlite")
def test_reject_with_a_canned_reason(editor_client):
    report = file_report(make_article())
    response = post_action(editor_client, report, "reject", reason=workflow.REJECT_REASONS[1])
    assert response.status_code == 302
    assert fresh(report).reject_reason == workflow.REJECT_REASONS[1]


@pytest.mark.databases("sqlite")
def test_reject_with_own_words_only(editor_client):
    report = file_report(make_article())
    post_action(editor_client, report, "reject", reason="other", reason_text="The minutes confirm 31 to 12.")
    assert fresh(report).reject_reason == "The minutes confirm 31 to 12."


@pytest.mark.databases("sqlite")
def test_reject_without_reason_is_refused_and_keeps_nothing_half_done(editor_client):
    report = file_report(make_article())
    response = post_action(editor_client, report, "reject", reason="other", reason_text="  ")
    assert response.status_code == 400
    assert "Give a reason for rejecting" in response.get_data(as_text=True)
    assert fresh(report).status == "new"


@pytest.mark.databases("sqlite")
def test_assign_to_me_and_to_another_editor(editor_client, editor):
    other = make_editor("tom@example.org", "Tom Reyes")
    report = file_report(make_article())
    post_action(editor_client, report, "assign", to_me="1")
    assert fresh(report).assignee_id == editor.id
    post_action(editor_client, report, "assign", assignee=str(other.id))
    assert fresh(report).assignee_id == other.id
    page = open_page(editor_client, report)
    assert "assigned it to Tom Reyes (was Maya Okafor)" in page


def test_mark_duplicate_by_reference(editor_client):
    article = make_article()
    original = file_report(article, passage=PASSAGE)
    copy = file_report(article, passage=PASSAGE)
    assert post_action(editor_client, copy, "duplicate", original=original.reference.lower()).status_code == 302
    stored = fresh(copy)
    assert (stored.status, stored.duplicate_of_id) == ("duplicate", original.id)


@pytest.mark.databases("sqlite")
def test_duplicate_of_an_unknown_reference_is_explained_at_the_field(editor_client):
    report = file_report(make_article())
    response = post_action(editor_client, report, "duplicate", original="R-NOSUCH")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No report has the reference R-NOSUCH." in page
    assert 'value="R-NOSUCH"' in page


@pytest.mark.databases("sqlite")
def test_internal_note_is_added_to_the_history(editor_client):
    report = file_report(make_article())
    post_action(editor_client, report, "note", text="Asked the reporter for the minutes.")
    assert "Asked the reporter for the minutes." in open_page(editor_client, report)
    assert fresh(report).events[-1].kind == "note"


def form_of(page: str, action: str) -> str:
    """The HTML of the page's form that posts to an address ending in `action`."""
    return re.search(rf'<form[^>]*action="[^"]*/{action}"[^>]*>.*?</form>', page, re.S).group(0)


@pytest.mark.databases("sqlite")
def test_the_internal_note_label_points_at_the_note_box_not_at_the_public_notice(editor_client):
    """The note box and the notice box both send `text`: each label must lead to its own box, or a click on
    "Internal note" puts the editor's remark into the text readers will see."""
    page = open_page(editor_client, file_report(make_article(), passage=PASSAGE, suggested_correction="29 to 14"))
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert not {i for i in ids if ids.count(i) > 1}, "ids used twice"

    for action, label in (("note", "Internal note"), ("publish", "Text of the notice")):
        form = form_of(page, action)
        box = re.search(r'<label for="([^"]+)">' + label, form).group(1)
        assert re.search(rf'<textarea[^>]*\sid="{box}"[^>]*\sname="text"', form), f"{label} leads out of its form"
    assert form_of(page, "note").count("<label") == 1


@pytest.mark.databases("sqlite")
def test_the_scrolling_article_box_is_reachable_by_keyboard_and_named(editor_client):
    page = open_page(editor_client, file_report(make_article(), passage=PASSAGE))

    box = re.search(r'<div class="article-text"[^>]*>', page).group(0)
    assert 'tabindex="0"' in box and 'role="region"' in box
    title = re.search(r'aria-labelledby="([^"]+)"', box).group(1)
    assert re.search(rf'<h2 id="{title}">The article, with the passage marked</h2>', page)


def test_two_editors_at_once_the_second_is_told_and_loses_nothing(app, editor_client, editor):
    """Maya and Tom open the same report; Tom rejects it; Maya's note from her older page is refused."""
    make_editor("tom@example.org", "Tom Reyes")
    tom = app.test_client()
    login(tom, "tom@example.org", PASSWORD)
    report = file_report(make_article())
    maya_page = open_page(editor_client, report)
    tom_page = open_page(tom, report)

    assert post_action(tom, report, "reject", page=tom_page, reason=workflow.REJECT_REASONS[0]).status_code == 302
    response = post_action(editor_client, report, "note", page=maya_page, text="I think the reader is right.")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(r"was changed by Tom Reyes at \d\d:\d\d UTC", page)
    assert "Reload" in page
    assert "I think the reader is right.</textarea>" in page  # her note is still on screen
    stored = fresh(report)
    assert stored.status == "rejected"
    assert [e.kind for e in stored.events] == ["received", "status"]


@pytest.mark.databases("sqlite")
def test_unknown_report_is_404(editor_client):
    assert editor_client.get("/editor/reports/999999").status_code == 404


def test_report_page_runs_a_bounded_number_of_queries(app, editor_client, editor):
    article = make_article()
    report = file_report(article, passage=PASSAGE)

    def queries() -> int:
        return count_queries(editor_client, f"/editor/reports/{report.id}")

    few = queries()
    for n in range(15):
        workflow.add_note(report, f"note {n}", by=editor)
        file_report(article, passage=PASSAGE)
    db.session.commit()
    assert queries() == few


@pytest.mark.databases("sqlite")
def test_the_way_back_to_the_filtered_queue_is_kept_after_a_note_and_a_canned_answer(editor_client):
    back = "/editor/?status=open&category=factual"
    answer = canned_answers.save(None, name="Wrong figure", to_state="accepted", text="Checked.",
                                 notice_template="We said “{passage}”.")
    db.session.commit()
    report = file_report(make_article(), passage=PASSAGE)
    page = editor_client.get(f"/editor/reports/{report.id}", query_string={"back": back}).get_data(as_text=True)
    noted = urlsplit(post_action(editor_client, report, "note", page, text="Checking.", back=back).headers["Location"])
    assert (noted.path, parse_qs(noted.query)) == (f"/editor/reports/{report.id}", {"back": [back]})
    page = editor_client.get(noted.geturl()).get_data(as_text=True)
    answered = urlsplit(post_action(editor_client, report, "answer", page, answer=str(answer.id),
                                    back=back).headers["Location"])
    assert (answered.path, parse_qs(answered.query), answered.fragment) == (
        f"/editor/reports/{report.id}", {"answer": [str(answer.id)], "back": [back]}, "publish")
    page = editor_client.get(answered.geturl()).get_data(as_text=True)
    assert (f'href="/editor/?status=open&amp;category=factual#report-{report.id}" data-key-queue>'
            '<span class="arrow-back" aria-hidden="true">←</span> Queue</a>') in page
    assert page.count('<input type="hidden" name="back" value="/editor/?status=open&amp;category=factual">') >= 3


def test_a_report_page_lists_a_few_of_its_group_and_links_the_whole_group(editor_client, monkeypatch):
    monkeypatch.setattr("corrections.editor.report.GROUP_LISTED", 3)
    article = make_article()
    group = [file_report(article, passage=PASSAGE) for _ in range(6)]
    url = f"/editor/reports/{group[0].id}"
    page = open_page(editor_client, group[0])
    few, size = count_queries(editor_client, url), len(page)
    assert "And 2 more in this group" in page and f"article={article.slug}" in page
    group += [file_report(article, passage=PASSAGE) for _ in range(20)]
    page = open_page(editor_client, group[0])
    # The page lists the same first three others whatever the group's size: it grows by digits only.
    assert "And 22 more in this group" in page
    assert page.count('name="link"') == 4
    assert len(page) - size < 20 and count_queries(editor_client, url) == few

    # Linking the group links all of it as the page showed it: not a report that came after the page.
    late = file_report(article, passage=PASSAGE)
    upto = re.search(r'name="link_group" value="(\d+)"', page).group(1)
    response = editor_client.post(f"/editor/reports/{group[0].id}/publish", data={
        "csrf_token": form_tokens(page)["csrf_token"], "kind": "correction",
        "text": "The vote was 31 to 12, not 13 to 12.", "link": [str(group[0].id)], "link_group": upto})
    assert response.status_code == 302, response.status_code
    db.session.expire_all()
    assert {db.session.get(Report, r.id).status for r in group} == {"corrected"}
    assert db.session.get(Report, late.id).status == "new"


def test_linking_a_big_group_goes_a_bounded_step_at_a_time(editor_client, monkeypatch):
    monkeypatch.setattr("corrections.editor.report.BULK_MAX", 4)
    monkeypatch.setattr("corrections.editor.report.GROUP_LISTED", 3)
    article = make_article()
    group = [file_report(article, passage=PASSAGE) for _ in range(11)]
    rejected = file_report(article, passage=PASSAGE)
    workflow.reject(rejected, "Not an error.", by=make_editor("ada@example.org", "Ada"))
    db.session.commit()
    page = open_page(editor_client, group[0])
    upto = re.search(r'name="link_group" value="(\d+)"', page).group(1)
    late = file_report(article, passage=PASSAGE)
    response = editor_client.post(f"/editor/reports/{group[0].id}/publish", data={
        "csrf_token": form_tokens(page)["csrf_token"], "kind": "correction",
        "text": "The vote was 31 to 12, not 13 to 12.", "link": [str(group[0].id)], "link_group": upto})
    assert response.status_code == 302 and response.headers["Location"].endswith("#link-group")

    def corrected() -> list[int]:
        db.session.expire_all()
        return [r.id for r in group if db.session.get(Report, r.id).status == "corrected"]

    # The notice is published with the group's first four, the rest left for the steps that follow.
    assert corrected() == [r.id for r in group[:4]]
    statements = []
    for before, linked in ((4, 8), (8, 11)):
        page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
        assert f"{before} of 11 reports of this group are linked" in " ".join(page.split())
        step = re.search(r'<form method="post" action="([^"]+/link-group)"(.*?)</form>', page, re.S)
        fields = dict(re.findall(r'name="(csrf_token|notice|upto)"[^>]*value="([^"]*)"', step.group(2)))
        assert fields.keys() == {"csrf_token", "notice", "upto"}
        with recorded_statements() as run:
            response = editor_client.post(step.group(1), data=fields)
        statements.append(len(run))
        assert response.status_code == 302
        assert corrected() == [r.id for r in group[:linked]]
    # The last step goes to the notice on the article's page: every report of the group as the page showed it.
    assert f"/editor/articles/{article.slug}#correction-" in response.headers["Location"]
    assert "every report of the group is linked" in editor_client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert db.session.get(Report, late.id).status == "new" and db.session.get(Report, rejected.id).status == "rejected"
    # A step costs the same statements whatever is left of the group (the last one fewer reports, no more queries).
    assert statements[1] <= statements[0]
    # Nothing is left to link: a step sent again links nothing and says so.
    response = editor_client.post(step.group(1), data=fields)
    assert response.status_code == 302
    assert "Nothing was linked" in editor_client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_linking_step_is_undone_with_its_links_and_the_notice_waits_for_it(editor_client, monkeypatch):
    from tests.reports.test_undo import undo_form

    monkeypatch.setattr("corrections.editor.report.BULK_MAX", 2)
    monkeypatch.setattr("corrections.editor.report.GROUP_LISTED", 1)
    article = make_article()
    group = [file_report(article, passage=PASSAGE) for _ in range(5)]
    page = open_page(editor_client, group[0])
    response = editor_client.post(f"/editor/reports/{group[0].id}/publish", data={
        "csrf_token": form_tokens(page)["csrf_token"], "kind": "correction", "text": "The vote was 31 to 12.",
        "link": [str(group[0].id)], "link_group": re.search(r'name="link_group" value="(\d+)"', page).group(1)})
    publication = undo_form(editor_client.get(response.headers["Location"]).get_data(as_text=True))
    page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    step = re.search(r'<form method="post" action="([^"]+/link-group)"(.*?)</form>', page, re.S)
    fields = dict(re.findall(r'name="(csrf_token|notice|upto)"[^>]*value="([^"]*)"', step.group(2)))
    page = editor_client.post(step.group(1), data=fields, follow_redirects=True).get_data(as_text=True)
    notice_id = db.session.scalar(select(Notice.id).order_by(Notice.id.desc()))

    def linked() -> list[int]:
        db.session.expire_all()
        return [r.id for r in db.session.get(Notice, notice_id).reports]

    assert linked() == [r.id for r in group[:4]]
    # The publication cannot be undone while a later step's reports are linked to its notice.
    url, data = publication
    refused = editor_client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "More reports were linked to the notice since it was published" in refused
    assert linked() == [r.id for r in group[:4]]
    # The step is undone with its links: its reports are open again and the notice no longer links them.
    url, data = undo_form(page)
    editor_client.post(url, data=data)
    assert linked() == [r.id for r in group[:2]]
    assert [fresh(r).status for r in group] == ["corrected", "corrected", "new", "new", "new"]
    # Then the publication itself can be undone.
    url, data = publication
    editor_client.post(url, data=data)
    db.session.expire_all()
    assert db.session.get(Notice, notice_id) is None
    assert {fresh(r).status for r in group} == {"new"}
