"""The report workflow: allowed moves, refused moves, events, optimistic locking."""

import pytest
from sqlalchemy import select, text

from corrections import transaction, vocabulary
from corrections.extensions import db
from corrections.models import Event, Report
from corrections.reports import workflow
from tests.helpers import file_report, make_article, make_editor

ALLOWED = [
    ("new", "in_review"), ("new", "rejected"), ("new", "duplicate"), ("new", "spam"),
    ("in_review", "accepted"), ("in_review", "rejected"), ("in_review", "duplicate"), ("in_review", "spam"),
    ("accepted", "corrected"),
    ("rejected", "in_review"), ("duplicate", "in_review"), ("spam", "in_review"),
]


def report_in(status: str, article=None) -> Report:
    report = file_report(article or make_article())
    report.status = status  # set directly: these tests start from each state
    db.session.commit()
    return report


def test_the_moves_are_exactly_those_of_the_spec():
    table = {(a, b) for a, targets in workflow.MOVES.items() for b in targets}
    assert table == set(ALLOWED)


REFUSED = [(a, b) for a in vocabulary.STATES for b in vocabulary.STATES
           if (a, b) not in ALLOWED and b not in workflow.NEEDS_MORE]


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("start, to", REFUSED)
def test_every_move_outside_the_table_is_refused_with_a_message(app, start, to):
    report = report_in(start)
    with pytest.raises(workflow.WorkflowError, match=r"cannot be moved to"):
        workflow.move(report, to, by=None)
    db.session.rollback()
    assert db.session.get(Report, report.id).status == start


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("start, to", [m for m in ALLOWED if m[1] not in workflow.NEEDS_MORE])
def test_allowed_move_changes_status_and_records_one_event(app, start, to):
    editor = make_editor()
    report = report_in(start)
    workflow.move(report, to, by=editor, comment="checked the minutes")
    db.session.commit()
    event = db.session.scalars(select(Event).where(Event.report_id == report.id).order_by(Event.id.desc())).first()
    assert (event.kind, event.from_value, event.to_value, event.actor, event.actor_id) == (
        "status", start, to, editor.name, editor.id)
    assert event.comment == "checked the minutes"
    assert db.session.get(Report, report.id).status == to


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("to, message", [
    ("rejected", "Give a reason"),
    ("duplicate", "Say which report"),
    ("corrected", "when a correction linked to it is published"),
])
def test_moves_that_need_more_than_a_comment_are_refused_by_move(app, to, message):
    report = report_in("accepted" if to == "corrected" else "new")
    with pytest.raises(workflow.WorkflowError, match=message):
        workflow.move(report, to, by=None)


@pytest.mark.databases("sqlite")
def test_a_cycle_of_duplicates_cannot_loop(app):
    editor = make_editor()
    article = make_article()
    first, second, third = (file_report(article) for _ in range(3))
    # Two editors racing could leave first and second pointing at each other; following them must end.
    first.status, first.duplicate_of = "duplicate", second
    db.session.commit()
    second.status, second.duplicate_of = "duplicate", first
    db.session.commit()
    workflow.mark_duplicate(third, first, by=editor)
    assert third.duplicate_of in (first, second)


@pytest.mark.databases("sqlite")
def test_unknown_status_is_refused(app):
    with pytest.raises(workflow.WorkflowError, match="is not a report status"):
        workflow.move(report_in("new"), "archived", by=make_editor())


@pytest.mark.databases("sqlite")
def test_reject_needs_a_reason_and_keeps_it_for_the_reader(app):
    editor = make_editor()
    report = report_in("new")
    with pytest.raises(workflow.WorkflowError, match="Give a reason"):
        workflow.reject(report, "   ", by=editor)
    workflow.reject(report, "The article is accurate as published.", by=editor)
    db.session.commit()
    assert report.status == "rejected"
    assert report.reject_reason == "The article is accurate as published."
    assert report.closed_at is not None


@pytest.mark.databases("sqlite")
def test_reopening_clears_the_earlier_outcome(app):
    editor = make_editor()
    report = report_in("new")
    workflow.reject(report, "Opinion, not fact.", by=editor)
    workflow.move(report, "in_review", by=editor)
    db.session.commit()
    assert (report.status, report.reject_reason, report.closed_at) == ("in_review", "", None)


@pytest.mark.databases("sqlite")
def test_duplicate_points_at_the_first_report_of_a_chain(app):
    editor = make_editor()
    article = make_article()
    first, second, third = (file_report(article) for _ in range(3))
    workflow.mark_duplicate(second, first, by=editor)
    workflow.mark_duplicate(third, second, by=editor)
    db.session.commit()
    assert third.duplicate_of_id == first.id
    # The original's reference is kept; the history words it in the editor's language.
    assert third.events[-1].comment == first.reference
    assert workflow.comment_words(third.events[-1]) == f"Duplicate of {first.reference}."


@pytest.mark.databases("sqlite")
def test_duplicate_of_itself_or_of_another_article_is_refused(app):
    editor = make_editor()
    report = file_report(make_article())
    elsewhere = file_report(make_article())
    with pytest.raises(workflow.WorkflowError, match="itself"):
        workflow.mark_duplicate(report, report, by=editor)
    with pytest.raises(workflow.WorkflowError, match="another article"):
        workflow.mark_duplicate(report, elsewhere, by=editor)


@pytest.mark.databases("sqlite")
def test_assignment_and_notes_are_events_too(app):
    editor = make_editor()
    other = make_editor("tom@example.org", "Tom Reyes")
    report = report_in("new")
    workflow.assign(report, other, by=editor)
    assert workflow.assign(report, other, by=editor) is None  # no change, no event
    workflow.assign(report, None, by=editor)
    workflow.add_note(report, "Called the council press office.", by=editor)
    db.session.commit()
    kinds = [(e.kind, e.from_value, e.to_value, e.comment) for e in report.events]
    assert kinds[1:] == [
        ("assign", "", "Tom Reyes", ""),
        ("assign", "Tom Reyes", "", ""),
        ("note", "", "", "Called the council press office."),
    ]


def test_first_editor_action_is_timed(app):
    editor = make_editor()
    report = report_in("new")
    assert report.first_action_at is None
    workflow.add_note(report, "Looking.", by=editor)
    db.session.commit()
    first = report.first_action_at
    workflow.move(report, "in_review", by=editor)
    db.session.commit()
    assert first is not None and report.first_action_at == first


def test_change_from_a_stale_page_is_refused_with_who_and_when(app):
    maya = make_editor()
    tom = make_editor("tom@example.org", "Tom Reyes")
    report = report_in("new")
    seen = report.version
    transaction.commit(lambda: workflow.move(report, "in_review", by=tom), report=report, seen_version=seen)
    with pytest.raises(workflow.StaleReport, match=r"changed by Tom Reyes at \d\d:\d\d UTC.*Reload"):
        transaction.commit(lambda: workflow.move(report, "spam", by=maya), report=report, seen_version=seen)
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "in_review"


def test_concurrent_commit_is_caught_by_the_version_column(make_app):
    """Two sessions load the same version; the second commit loses and changes nothing."""
    app = make_app()
    with app.app_context():
        maya, tom = make_editor(), make_editor("tom@example.org", "Tom Reyes")
        report_id = report_in("new").id
        maya_id, tom_id = maya.id, tom.id
    with app.app_context():
        mine = db.session.get(Report, report_id)
        seen = mine.version
        with app.app_context():
            # Another request commits in between.
            theirs = db.session.get(Report, report_id)
            transaction.commit(lambda: workflow.move(theirs, "in_review", by=db.session.get(type(maya), tom_id)),
                               report=theirs, seen_version=seen)
        editor = db.session.get(type(maya), maya_id)
        with pytest.raises(workflow.StaleReport, match="changed by Tom Reyes"):
            transaction.commit(lambda: workflow.move(mine, "spam", by=editor), report=mine)
    with app.app_context():
        final = db.session.get(Report, report_id)
        assert final.status == "in_review"
        assert [e.kind for e in final.events] == ["received", "status"]


def crossing(times: int):
    """A change that PostgreSQL aborts as a deadlock the first `times` runs, then moves a report to review."""
    runs = []

    def change(report, editor):
        runs.append(1)
        if len(runs) <= times:
            db.session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'crossed' USING ERRCODE = '40P01'; END $$"))
        workflow.move(report, "in_review", by=editor)

    return change, runs


@pytest.mark.databases("postgresql")  # SQLite has one writer at a time: no deadlock
def test_a_change_the_database_aborted_as_a_deadlock_is_run_again(app):
    editor, report = make_editor(), report_in("new")
    change, runs = crossing(1)
    transaction.commit(lambda: change(report, editor), report=report, seen_version=report.version)
    db.session.expire_all()
    assert len(runs) == 2 and db.session.get(Report, report.id).status == "in_review"


@pytest.mark.databases("postgresql")
def test_a_change_aborted_as_a_deadlock_every_time_is_refused_not_a_500(app):
    editor, report = make_editor(), report_in("new")
    change, runs = crossing(2)
    with pytest.raises(workflow.StaleReport, match="at the same moment"):
        transaction.commit(lambda: change(report, editor), report=report, seen_version=report.version)
    db.session.expire_all()
    assert len(runs) == 2 and db.session.get(Report, report.id).status == "new"


def test_no_code_path_deletes_or_edits_events():
    import pathlib
    import re

    source = "\n".join(p.read_text() for p in pathlib.Path(workflow.__file__).parents[1].rglob("*.py"))
    assert not re.search(r"delete\(\s*Event|update\(\s*Event|session\.delete\(\s*event", source)
