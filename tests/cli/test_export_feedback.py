"""`corrections export-feedback`: the decided reports as JSON Lines, on standard output or into a file replaced only
once complete; a bad date or a file it cannot write is exit status 2 with a message, leaving nothing behind.

What the records hold, and how the stream is read, is tested with the domain (tests/reports/test_feedback.py); the
command's own rules happen outside the database, so these run on SQLite."""

import json

import pytest

from corrections.reports import feedback
from tests.reports.test_feedback import VALIDATOR, decide_some

pytestmark = pytest.mark.databases("sqlite")


@pytest.fixture
def exports(tmp_path):
    """A folder of its own for the exports (the test's database is in tmp_path)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def lines_of(text: str) -> list[dict]:
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_the_records_go_to_standard_output_one_a_line(runner, editor):
    decided = [r.reference for r in decide_some(editor).records]

    result = runner.invoke(args=["export-feedback"])

    assert result.exit_code == 0, result.output
    records = lines_of(result.stdout)
    assert [r["reference"] for r in records] == decided
    for record in records:
        VALIDATOR.validate(record)
    assert result.stderr.startswith("Exported 3 records decided up to ")


def test_since_leaves_out_what_was_decided_before(runner, editor):
    made = decide_some(editor)
    since = made.corrected.closed_at.isoformat()

    result = runner.invoke(args=["export-feedback", "--since", since])

    assert result.exit_code == 0, result.output
    assert [r["reference"] for r in lines_of(result.stdout)] == [made.corrected.reference]


def test_output_replaces_the_file_once_complete(runner, editor, exports):
    decided = [r.reference for r in decide_some(editor).records]
    path = exports / "feedback.jsonl"
    path.write_text("last week's export\n")

    result = runner.invoke(args=["export-feedback", "--output", str(path)])

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert [r["reference"] for r in lines_of(path.read_text(encoding="utf-8"))] == decided
    assert str(path) in result.stderr
    assert [p.name for p in exports.iterdir()] == ["feedback.jsonl"]


def test_an_export_that_fails_midway_leaves_the_file_as_it_was(runner, editor, exports, monkeypatch):
    decide_some(editor)
    path = exports / "feedback.jsonl"
    path.write_text("last week's export\n")

    def failing(**kwargs):
        yield [{"schema_version": 1}]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(feedback, "pages", failing)
    result = runner.invoke(args=["export-feedback", "--output", str(path)])

    assert result.exit_code != 0
    assert path.read_text() == "last week's export\n"
    assert [p.name for p in exports.iterdir()] == ["feedback.jsonl"]


@pytest.mark.parametrize("since", ["yesterday", "2026-02-30", "2026-11-24T09:30:00", "24/11/2026"])
def test_a_bad_date_is_exit_status_2_with_what_to_give(runner, exports, since):
    path = exports / "feedback.jsonl"

    result = runner.invoke(args=["export-feedback", "--since", since, "--output", str(path)])

    assert result.exit_code == 2
    assert "--since" in result.stderr and "2026-11-24T09:30:00Z" in result.stderr
    assert result.stdout == ""
    assert list(exports.iterdir()) == []


@pytest.mark.parametrize("where", ["missing/feedback.jsonl", "."])
def test_a_file_that_cannot_be_written_is_exit_status_2_leaving_nothing(runner, editor, exports, where):
    decide_some(editor)

    result = runner.invoke(args=["export-feedback", "--output", str(exports / where)])

    assert result.exit_code == 2
    assert f"{exports / where}" in result.stderr and ("Cannot write" in result.stderr or "is a directory" in
                                                      result.stderr)
    assert list(exports.iterdir()) == []
