"""`corrections check-text FILE`: known errors in a draft, one JSON line each; exit 1 found, 0 none, 2 bad input."""

import json

import pytest

from corrections.extensions import db
from corrections.notices import publishing
from corrections.repeats import checks
from tests.helpers import make_article, make_editor

pytestmark = pytest.mark.databases("sqlite")

WRONG = "The council approved the new budget on Tuesday by 31 votes to 12."
DRAFT = "Budget news. The council passed the new budget on Tuesday by 31 votes to 12, the clerk said.\n"


@pytest.fixture
def notice(app):
    made = publishing.publish(make_article(), "correction", "The vote was 31 to 14, not 31 to 12.",
                              by=make_editor(), wrong_text=WRONG, right_text="by 31 votes to 14")
    db.session.commit()
    return made


def test_a_draft_with_a_known_error_prints_it_as_a_json_line_and_exits_1(runner, notice, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")

    result = runner.invoke(args=["check-text", str(draft)])

    assert result.exit_code == 1, result.output
    [line] = result.stdout.splitlines()
    found = json.loads(line)
    assert found == checks.check(DRAFT, is_html=False, absolute_urls=False)[0].as_json()
    assert found["correction"]["id"] == notice.id
    # No BASE_URL: the site's address is not known to a command, so the notice's address is a path.
    assert found["correction"]["url"] == f"/articles/{notice.article.slug}#correction-{notice.id}"
    assert DRAFT[found["start"]:found["end"]] == found["text"]
    assert found["suggestion"].endswith("by 31 votes to 14")


def test_a_clean_draft_prints_nothing_and_exits_0(runner, notice, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("The council approved the new budget on Tuesday by 31 votes to 14.", encoding="utf-8")

    result = runner.invoke(args=["check-text", str(draft)])

    assert (result.exit_code, result.stdout) == (0, "")


def test_html_from_standard_input_gives_offsets_into_the_html(runner, notice):
    draft = "<p>Budget news.</p><p>The council <b>passed</b> the new budget on Tuesday by 31 votes to 12.</p>"

    result = runner.invoke(args=["check-text", "-"], input=draft.encode())

    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)
    assert draft[found["start"]:found["end"]] == "The council <b>passed</b> the new budget on Tuesday by 31 votes to 12"
    assert found["text"] == "The council passed the new budget on Tuesday by 31 votes to 12"
    # Read as plain text on request: the markup is part of the passage.
    as_text = runner.invoke(args=["check-text", "--text", "-"], input=draft.encode())
    assert "passed</b>" in json.loads(as_text.stdout)["text"]


def test_with_base_url_the_notice_address_is_absolute(make_app, tmp_path):
    app = make_app(BASE_URL="https://corrections.example.org")
    with app.app_context():
        article = make_article()
        notice = publishing.publish(article, "correction", "The vote was 31 to 14, not 31 to 12.",
                                    by=make_editor(), wrong_text=WRONG)
        db.session.commit()
        expected = f"https://corrections.example.org/articles/{article.slug}#correction-{notice.id}"
        result = app.test_cli_runner().invoke(args=["check-text", "-"], input=DRAFT.encode())
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["correction"]["url"] == expected
    assert json.loads(result.stdout)["suggestion"] is None  # the notice names no right words


@pytest.mark.parametrize("content, message", [
    (None, "Error: cannot read {file}: No such file or directory."),
    (b"The council \xff passed the budget.", "Error: {file} is not UTF-8 text (byte 0xff at offset 12)."),
    (b" \n\t\n", "Error: {file} is empty: there is nothing to check."),
    (b"x" * 500_001, "Error: {file} is too long to check: at most 500,000 characters."),
])
def test_bad_input_exits_2_saying_why(runner, tmp_path, content, message):
    draft = tmp_path / "draft.txt"
    if content is not None:
        draft.write_bytes(content)

    result = runner.invoke(args=["check-text", str(draft)])

    assert result.exit_code == 2
    assert (result.stdout, result.stderr.strip()) == ("", message.format(file=draft))


def test_a_database_that_does_not_answer_is_neither_found_nor_bad_input(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'corrections.sqlite3'}")

    result = app.test_cli_runner().invoke(args=["check-text", "-"], input=DRAFT.encode())

    assert result.exit_code == 3
    assert result.stderr.startswith("Error: the known errors could not be read from the database: ")
