"""A bulk action explains itself: one summary, refusals grouped by reason with each reference once, the way
forward offered as a button, and the ticked rows still ticked after the POST."""

import html
import re

import pytest

from corrections import transaction
from corrections.editor import actions
from corrections.extensions import db
from corrections.models import Report
from corrections.reports import workflow
from tests.helpers import csrf_token, file_report, make_article


def summary_of(page: str) -> str:
    """The summary's text, as a person reads it."""
    found = re.search(r'<div class="bulk-summary" role="status">(.*?)</div>', page, re.S)
    assert found, "no summary on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()).replace(" ,", ",")


def ticked(page: str) -> set[int]:
    """The reports whose rows are ticked, by the first report of each row."""
    return {int(value) for value in re.findall(r'name="selected" value="(\d+):[^"]*" checked', page)}


def statuses(reports: list[Report]) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Report, r.id).status for r in reports]


@pytest.mark.databases("sqlite")
def test_bulk_accept_says_once_what_it_refused_and_offers_the_way_forward(editor_client, editor):
    reviewed = [file_report(make_article()) for _ in range(4)]
    for report in reviewed:
        transaction.commit(lambda report=report: workflow.move(report, "in_review", by=editor), report=report)
    new = [file_report(make_article()) for _ in range(3)]
    every = reviewed + new
    back = "/editor/?status=open&sort=oldest"
    page = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "accepted", "back": back,
        "selected": [f"{r.id}:{r.version}" for r in every]}, follow_redirects=True).get_data(as_text=True)

    summary = summary_of(page)
    assert summary.startswith("4 done; 3 refused because they are still new: move them to review first?")
    for report in every:
        assert summary.count(report.reference) == 1
    # Listed as the page's language lists: "R-1, R-2 and R-3".
    assert f"Refused because they are still new: {new[0].reference}, {new[1].reference} and {new[2].reference}" \
        in summary
    assert page.count('class="flash flash-error"') == 0
    # Every row ticked for the action is ticked still (the accepted ones left the open queue).
    assert ticked(page) == {r.id for r in new}

    # The way forward moves exactly the refused reports to review; then the same action takes them.
    way = re.search(r'<form method="post" action="/editor/bulk" class="inline">(.*?)</form>', page, re.S).group(1)
    fields = {name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', way)}
    assert fields["action"] == "in_review" and fields["back"].startswith("/editor/?sort=oldest")
    assert "Move them to review</button>" in way
    page = editor_client.post("/editor/bulk", data=fields, follow_redirects=True).get_data(as_text=True)
    assert summary_of(page).startswith("3 done.")
    assert statuses(every) == ["accepted"] * 4 + ["in_review"] * 3
    assert ticked(page) == {r.id for r in new}
    db.session.expire_all()
    page = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "accepted", "back": back,
        "selected": [f"{r.id}:{db.session.get(Report, r.id).version}" for r in new]},
        follow_redirects=True).get_data(as_text=True)
    assert summary_of(page).startswith("3 done.")
    assert statuses(every) == ["accepted"] * 7
    # Once shown, the summary and the ticks are gone from the next load.
    page = editor_client.get(back).get_data(as_text=True)
    assert 'class="bulk-summary"' not in page and not ticked(page)


@pytest.mark.databases("sqlite")
def test_refusals_for_different_reasons_are_grouped_each_with_its_references(editor_client, editor):
    article = make_article()
    rejected = [file_report(article) for _ in range(2)]
    for report in rejected:
        transaction.commit(lambda report=report: workflow.reject(report, "Accurate.", by=editor), report=report)
    fine = file_report(article)
    page = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "spam", "back": "/editor/?status=all",
        "selected": [f"{r.id}:{r.version}" for r in (*rejected, fine)] + ["999999:1"]},
        follow_redirects=True).get_data(as_text=True)
    summary = summary_of(page)
    assert summary.startswith("1 done; 2 refused because they are already rejected; 1 refused because it no "
                              "longer exists.")
    assert f"Refused because they are already rejected: {rejected[0].reference} and {rejected[1].reference}" in summary
    # Nothing to offer: a rejected report is not moved to review behind the editor's back.
    assert "to review" not in summary
    assert ticked(page) == {r.id for r in (*rejected, fine)}


def test_a_step_the_database_ran_twice_names_each_refused_report_once(editor_client, editor, monkeypatch):
    """transaction.commit runs a step again when the database aborted it (a deadlock): what the workflow refused in
    the run that was rolled back is not counted again."""
    chosen = [file_report(make_article()) for _ in range(3)]
    for report in chosen:
        transaction.commit(lambda report=report: workflow.move(report, "in_review", by=editor), report=report)
    # Duplicates of a report about another article are refused one by one, by the workflow's own check.
    original = file_report(make_article())
    real = actions.commit

    def aborted_once(change, **how):
        change()
        db.session.rollback()
        return real(change, **how)

    monkeypatch.setattr(actions, "commit", aborted_once)
    page = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "duplicate", "original": original.reference,
        "back": "/editor/?status=all", "selected": [f"{r.id}:{r.version}" for r in chosen]},
        follow_redirects=True).get_data(as_text=True)

    summary = summary_of(page)
    assert "3 refused" in summary, summary
    for report in chosen:
        assert summary.count(report.reference) == 1, summary


@pytest.mark.databases("sqlite")
def test_references_past_those_listed_are_counted_as_the_last_of_the_list(editor_client, monkeypatch):
    monkeypatch.setattr(actions, "LISTED", 2)
    reports = [file_report(make_article()) for _ in range(3)]
    page = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "in_review", "back": "/editor/",
        "selected": [f"{r.id}:{r.version}" for r in reports]}, follow_redirects=True).get_data(as_text=True)
    assert f"Done: {reports[0].reference}, {reports[1].reference} and 1 more" in summary_of(page)


@pytest.mark.databases("sqlite")
def test_the_article_page_lists_its_reports_by_status_as_the_language_lists(editor_client, editor):
    article = make_article()
    reports = [file_report(article) for _ in range(3)]
    transaction.commit(lambda: workflow.move(reports[0], "in_review", by=editor), report=reports[0])
    page = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert "Reports: New 2 and In review 1" in page
