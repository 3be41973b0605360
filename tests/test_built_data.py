"""built_data (tests/conftest.py): rows built once, and each test given a copy of them as they were built."""

import pytest

from corrections.extensions import db
from corrections.reports import workflow
from tests.helpers import all_reports, file_report, login, make_article, make_editor
from tests.triage.queue_pages import page_of, references
from tests.triage.test_most_reported import kept, recount


def build_a_group_and_a_decision() -> list[int]:
    editor = make_editor()
    article = make_article()
    first = file_report(article, passage="31 votes to 12", description="The vote was 29 to 14.")
    second = file_report(article, passage="31 votes to 12", description="The Harbourford bridge is older.")
    workflow.reject(first, "Not an error.", by=editor)
    db.session.commit()
    return [first.id, second.id]


@pytest.mark.parametrize("turn", ["builds", "copies", "copies again"])
def test_each_test_gets_the_rows_as_they_were_built(built_data, make_app, turn):
    filed = built_data(build_a_group_and_a_decision)
    app = make_app()
    with app.app_context():
        reports = all_reports()
        # What the previous test added (below) is not there.
        assert [r.id for r in reports] == filed
        assert [r.status for r in reports] == ["rejected", "new"] and reports[0].cluster_id == reports[1].cluster_id
        # The kept counts as the triggers kept them, not counted again on the copy.
        assert kept() == recount()
        # The text search's index: SQLite's FTS table, PostgreSQL's generated column.
        client = app.test_client()
        login(client, "editor@example.org")
        assert references(page_of(client, "/editor/?q=Harbourford")) == [reports[1].reference]
        # The sequences go on from where the build left them.
        assert file_report(reports[0].article, description="One more.").id == filed[-1] + 1
        assert kept() == recount()


def test_it_refuses_to_copy_under_an_app_already_connected(app, built_data):
    with pytest.raises(AssertionError, match="before the test's app"):
        built_data(build_a_group_and_a_decision)
