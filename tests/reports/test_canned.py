"""Canned answers: admins keep them; editors apply them to one report or to many, through the workflow."""

import re

import pytest
from sqlalchemy import select

from corrections.extensions import db
from corrections.models import CannedAnswer, OutboxMessage, Report
from corrections.reports import canned_answers
from tests.helpers import confirm_addresses, count_queries, csrf_token, file_report, make_article
from tests.triage.test_report_page import fresh, open_page, post_action

PASSAGE = "31 votes to 12"


def add_canned_answer(client, **fields):
    data = {"csrf_token": csrf_token(client, "/editor/admin/answers"), "name": "Opinion, not fact",
            "to_state": "rejected", "text": "This is a matter of opinion, not of fact.", "correction_template": ""}
    data.update(fields)
    return client.post("/editor/admin/answers", data=data)


def test_admin_adds_lists_edits_and_deletes_an_answer(admin_client):
    assert add_canned_answer(admin_client).status_code == 302
    [canned_answer] = canned_answers.all_canned_answers()
    assert (canned_answer.name, canned_answer.to_state, canned_answer.text) == (
        "Opinion, not fact", "rejected", "This is a matter of opinion, not of fact.")
    page = admin_client.get("/editor/admin/answers").get_data(as_text=True)
    assert "Opinion, not fact" in page and "Reject" in page

    edit = admin_client.get(f"/editor/admin/answers/{canned_answer.id}").get_data(as_text=True)
    assert "This is a matter of opinion, not of fact." in edit
    response = admin_client.post(f"/editor/admin/answers/{canned_answer.id}", data={
        "csrf_token": csrf_token(admin_client, "/editor/admin/answers"), "name": "Opinion",
        "to_state": "rejected", "text": "Opinion, not fact."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CannedAnswer, canned_answer.id).name == "Opinion"

    response = admin_client.post(f"/editor/admin/answers/{canned_answer.id}/delete",
                                 data={"csrf_token": csrf_token(admin_client, "/editor/admin/answers")})
    assert response.status_code == 302
    assert canned_answers.all_canned_answers() == []


@pytest.mark.databases("sqlite")
def test_bad_answers_are_refused_at_their_field_and_what_was_typed_stays(admin_client):
    add_canned_answer(admin_client)
    response = add_canned_answer(admin_client, name="opinion, NOT fact", text="Typed words stay here.")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is already an answer called" in page and "Typed words stay here." in page

    response = add_canned_answer(admin_client, name="No reason", text="")
    assert "A rejection needs the reason the reader will be given." in response.get_data(as_text=True)
    response = add_canned_answer(admin_client, name="Spam with a draft", to_state="spam",
                                 correction_template="We erred.")
    assert "Only an answer that accepts a report can draft a correction." in response.get_data(as_text=True)
    response = add_canned_answer(admin_client, name="Odd", to_state="corrected")
    assert response.status_code == 400 and "Choose what the answer does" in response.get_data(as_text=True)
    assert len(canned_answers.all_canned_answers()) == 1


@pytest.mark.databases("sqlite")
def test_applying_a_rejection_gives_the_reader_the_reason(editor_client, editor):
    canned_answer = canned_answers.save(None, name="Opinion", to_state="rejected",
                                        text="A matter of opinion, not of fact.")
    db.session.commit()
    confirm_addresses("ada@example.org")
    report = file_report(make_article(), email="ada@example.org", notify=True)
    page = open_page(editor_client, report)
    assert "Opinion (reject)" in page
    response = post_action(editor_client, report, "answer", page, answer=str(canned_answer.id))
    assert response.status_code == 302
    stored = fresh(report)
    assert (stored.status, stored.reject_reason) == ("rejected", "A matter of opinion, not of fact.")
    assert stored.events[-1].actor == editor.name
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.report_id == report.id))
    assert "A matter of opinion, not of fact." in mail.body


def test_accepting_a_new_report_goes_through_review_and_drafts_the_correction(editor_client, editor):
    canned_answer = canned_answers.save(None, name="Wrong figure", to_state="accepted",
                                        text="Checked against the minutes.",
                         notice_template="An earlier version said “{passage}”; it is “{suggestion}”.")
    db.session.commit()
    report = file_report(make_article(), passage=PASSAGE, suggested_correction="29 votes to 14")
    response = post_action(editor_client, report, "answer", answer=str(canned_answer.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/editor/reports/{report.id}?answer={canned_answer.id}#publish")
    stored = fresh(report)
    assert stored.status == "accepted"
    assert [(e.from_value, e.to_value) for e in stored.events if e.kind == "status"] == [
        ("new", "in_review"), ("in_review", "accepted")]
    assert stored.events[-1].comment == "Canned answer “Wrong figure”: Checked against the minutes."
    page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    draft = re.search(r'<textarea[^>]*name="text"[^>]*>\s*([^<]*)</textarea>', page).group(1)
    assert draft == "An earlier version said “31 votes to 12”; it is “29 votes to 14”."


@pytest.mark.databases("sqlite")
def test_template_placeholders_are_text_not_code(app):
    canned_answer = CannedAnswer(name="x", to_state="accepted", notice_template="{passage.__class__} {0} {suggestion}")
    report = file_report(make_article(), passage=PASSAGE, suggested_correction="{passage}")
    assert canned_answers.draft_notice(canned_answer, report) == "{passage.__class__} {0} {passage}"


@pytest.mark.databases("sqlite")
def test_an_answer_that_does_not_fit_the_state_is_not_offered_and_is_refused(editor_client):
    canned_answer = canned_answers.save(None, name="Opinion", to_state="rejected", text="A matter of opinion.")
    db.session.commit()
    report = file_report(make_article())
    report.status = "corrected"
    db.session.commit()
    page = open_page(editor_client, report)
    assert "Opinion (reject)" not in page
    response = post_action(editor_client, report, "answer", page, answer=str(canned_answer.id))
    assert response.status_code == 400
    assert "“Opinion” (reject) cannot be applied to it." in response.get_data(as_text=True)
    assert fresh(report).status == "corrected"


@pytest.mark.databases("sqlite")
def test_a_deleted_or_unknown_answer_is_refused_with_a_message(editor_client):
    report = file_report(make_article())
    response = post_action(editor_client, report, "answer", answer="999")
    assert response.status_code == 400
    assert "That canned answer no longer exists" in response.get_data(as_text=True)
    response = post_action(editor_client, report, "answer", answer="")
    assert response.status_code == 400 and "Choose a canned answer." in response.get_data(as_text=True)
    assert fresh(report).status == "new"


def test_an_answer_applied_from_a_stale_page_is_refused(editor_client, editor):
    canned_answer = canned_answers.save(None, name="Review", to_state="in_review", text="")
    db.session.commit()
    report = file_report(make_article())
    page = open_page(editor_client, report)
    post_action(editor_client, report, "note", text="Looking.")
    response = post_action(editor_client, report, "answer", page, answer=str(canned_answer.id))
    assert response.status_code == 409
    assert fresh(report).status == "new"


def test_bulk_applies_an_answer_to_each_report_and_says_what_was_refused(editor_client):
    canned_answer = canned_answers.save(None, name="Opinion", to_state="rejected", text="A matter of opinion.")
    db.session.commit()
    article = make_article()
    group = [file_report(article, passage=PASSAGE) for _ in range(3)]
    closed = file_report(article)
    closed.status = "corrected"
    db.session.commit()
    page = editor_client.get("/editor/").get_data(as_text=True)
    assert "Opinion (reject)" in page
    selection = [",".join(f"{r.id}:{r.version}" for r in group), f"{closed.id}:{closed.version}"]
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "answer", "answer": str(canned_answer.id),
        "selected": selection, "back": "/editor/"})
    assert response.status_code == 302
    page = editor_client.get("/editor/").get_data(as_text=True)
    assert "3 done; 1 refused because it is already corrected." in page
    assert (f'Refused because it is already corrected: <span class="ref">{closed.reference}</span></li>'
            in page)
    db.session.expire_all()
    assert [db.session.get(Report, r.id).status for r in group] == ["rejected"] * 3
    assert all(db.session.get(Report, r.id).reject_reason == "A matter of opinion." for r in group)


@pytest.mark.databases("sqlite")
def test_bulk_without_a_chosen_answer_changes_nothing(editor_client):
    report = file_report(make_article())
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "answer", "answer": "",
        "selected": f"{report.id}:{report.version}", "back": "/editor/"})
    assert response.status_code == 302
    assert "Choose the canned answer to apply" in editor_client.get("/editor/").get_data(as_text=True)
    assert fresh(report).status == "new"


def test_answers_page_runs_the_same_queries_for_few_or_many(admin_client):
    canned_answers.save(None, name="A0", to_state="spam", text="")
    db.session.commit()
    few = count_queries(admin_client, "/editor/admin/answers")
    for n in range(1, 30):
        canned_answers.save(None, name=f"A{n}", to_state="rejected", text=f"Reason {n}.")
        db.session.commit()
    assert count_queries(admin_client, "/editor/admin/answers") == few <= 6


def test_report_page_queries_do_not_grow_with_answers(editor_client):
    report = file_report(make_article())
    few = count_queries(editor_client, f"/editor/reports/{report.id}")
    for n in range(20):
        canned_answers.save(None, name=f"A{n}", to_state="rejected", text=f"Reason {n}.")
        db.session.commit()
    assert count_queries(editor_client, f"/editor/reports/{report.id}") == few
