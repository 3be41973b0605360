"""The `corrections` commands: import-articles, seed-demo, create-api-token and the console script itself."""

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from corrections import PROJECT_ROOT, main
from corrections.access import api_tokens
from corrections.extensions import db
from corrections.models import ApiToken, Article, Report
from corrections.seed.demo_content import DEMO_ARTICLES, DEMO_REPORTS
from tests.helpers import all_reports


def story(n: int, **fields) -> dict:
    item = {
        "title": f"Harbour story {n}",
        "canonical_url": f"https://news.example.org/harbour/story-{n}",
        "body": f"First paragraph of story {n}.\n\nSecond paragraph.",
    }
    item.update(fields)
    return {k: v for k, v in item.items() if v is not None}


def line(item) -> bytes:
    return json.dumps(item, ensure_ascii=False).encode()


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


# Line numbers below are what the command must report.
MIXED = [
    line(story(1, slug="harbour-one", byline="By Ann Writer", section="Local",
               published_at="2026-11-20T09:00:00+00:00")),                           # 1 good
    b"",                                                                                  # 2 blank
    b'{"title": "Broken',                                                                 # 3
    b'["not", "an", "object"]',                                                           # 4
    line(story(5, title=None)),                                                           # 5
    line(story(6, canonical_url="ftp://news.example.org/story-6")),                       # 6
    line(story(7, slug="Not A Slug")),                                                    # 7
    line(story(8, published_at="last Tuesday")),                                          # 8
    line(story(9, author="Ann Writer")),                                                  # 9
    line(story(10)).replace(b"Harbour story 10", b"Caf\xe9 story 10"),                    # 10
    line(story(11, body="<p>Safe paragraph.</p><script>alert(1)</script>")),              # 11 good
    line(story(12)),                                                                      # 12 good
]
MIXED_ERRORS = {
    3: "not valid JSON (",
    4: "expected a JSON object",
    5: "title is required",
    6: "canonical_url must be an http(s) URL",
    7: "slug may hold only lowercase letters, digits and single hyphens",
    8: "published_at must be an ISO 8601 date-time",
    9: "unknown field(s): 'author'",
    10: "not valid UTF-8 (byte 15)",
}


def import_file(runner, path):
    return runner.invoke(args=["import-articles", str(path)])


def stored_articles() -> list[Article]:
    db.session.expire_all()
    return list(db.session.scalars(select(Article).order_by(Article.id)))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


# --- import-articles -------------------------------------------------------------------------


def test_import_stores_the_good_lines_of_a_mixed_file(runner, tmp_path):
    import_file(runner, write_lines(tmp_path / "articles.jsonl", MIXED))
    articles = stored_articles()
    assert [a.title for a in articles] == ["Harbour story 1", "Harbour story 11", "Harbour story 12"]
    first = articles[0]
    assert (first.slug, first.byline, first.section) == ("harbour-one", "By Ann Writer", "Local")
    assert first.published_at.isoformat() == "2026-11-20T09:00:00+00:00"
    assert articles[2].slug == "harbour-story-12"


@pytest.mark.databases("sqlite")
def test_import_reports_each_bad_line_with_file_and_line_number(runner, tmp_path):
    path = write_lines(tmp_path / "articles.jsonl", MIXED)
    result = import_file(runner, path)
    reported = [text for text in result.stderr.splitlines() if text]
    assert len(reported) == len(MIXED_ERRORS)
    for text, (number, message) in zip(reported, MIXED_ERRORS.items(), strict=True):
        assert text.startswith(f"{path}:{number}: {message}")


@pytest.mark.databases("sqlite")
def test_import_with_bad_lines_exits_1_with_a_summary(runner, tmp_path):
    result = import_file(runner, write_lines(tmp_path / "articles.jsonl", MIXED))
    assert result.exit_code == 1
    assert result.stdout.strip() == "3 created, 0 updated, 0 unchanged, 8 bad lines skipped."


@pytest.mark.databases("sqlite")
def test_clean_import_exits_0(runner, tmp_path):
    result = import_file(runner, write_lines(tmp_path / "articles.jsonl", [line(story(1))]))
    assert result.exit_code == 0
    assert result.output.strip() == "1 created, 0 updated, 0 unchanged, 0 bad lines skipped."


@pytest.mark.databases("sqlite")
def test_imported_script_never_reaches_the_page(runner, tmp_path, client):
    import_file(runner, write_lines(tmp_path / "articles.jsonl", MIXED))
    [article] = [a for a in stored_articles() if a.title == "Harbour story 11"]
    assert article.body == "<p>Safe paragraph.</p>"
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "Safe paragraph." in page
    assert "alert(1)" not in page


def test_importing_the_same_file_again_changes_nothing(runner, tmp_path):
    path = write_lines(tmp_path / "articles.jsonl", MIXED)
    import_file(runner, path)
    before = {a.canonical_url: a.updated_at for a in stored_articles()}
    result = import_file(runner, path)
    assert result.stdout.strip() == "0 created, 0 updated, 3 unchanged, 8 bad lines skipped."
    assert {a.canonical_url: a.updated_at for a in stored_articles()} == before


def test_edited_line_updates_its_article(runner, tmp_path):
    import_file(runner, write_lines(tmp_path / "articles.jsonl", [line(story(n)) for n in (1, 2, 3)]))
    edited = [line(story(1)), line(story(2, body="A corrected second story.")), line(story(3))]
    result = import_file(runner, write_lines(tmp_path / "edited.jsonl", edited))
    assert result.exit_code == 0
    assert result.output.strip() == "0 created, 1 updated, 2 unchanged, 0 bad lines skipped."
    assert [a.body for a in stored_articles()][1] == "<p>A corrected second story.</p>"
    assert count(Article) == 3


class Stdin(io.BytesIO):
    """Standard input as a terminal or pipe gives it: with the name error lines start with."""

    name = "<stdin>"


@pytest.mark.databases("sqlite")
def test_import_reads_standard_input(runner):
    data = b"\n".join([line(story(1)), line(story(2)), b"{oops"]) + b"\n"
    result = runner.invoke(args=["import-articles", "-"], input=Stdin(data))
    assert result.exit_code == 1
    assert result.stdout.strip() == "2 created, 0 updated, 0 unchanged, 1 bad line skipped."
    assert result.stderr.startswith("<stdin>:3: not valid JSON")
    assert count(Article) == 2


@pytest.mark.databases("sqlite")
def test_import_accepts_a_byte_order_mark_and_windows_line_endings(runner, tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + line(story(1)) + b"\r\n" + line(story(2)) + b"\r\n")
    result = import_file(runner, path)
    assert result.output.strip() == "2 created, 0 updated, 0 unchanged, 0 bad lines skipped."


def test_import_refuses_a_slug_that_belongs_to_another_article(runner, tmp_path):
    lines = [line(story(1, slug="harbour")), line(story(2, slug="harbour"))]
    path = write_lines(tmp_path / "articles.jsonl", lines)
    result = import_file(runner, path)
    assert result.exit_code == 1
    assert f"{path}:2: slug 'harbour' already belongs to https://news.example.org/harbour/story-1" in result.stderr
    assert count(Article) == 1


@pytest.mark.databases("sqlite")
def test_import_of_a_missing_file_says_so(runner, tmp_path):
    result = runner.invoke(args=["import-articles", str(tmp_path / "nowhere.jsonl")])
    assert result.exit_code == 2
    assert "No such file or directory" in result.output


def test_import_reports_a_date_out_of_range_and_keeps_the_good_lines(runner, tmp_path):
    lines = [line(story(1)), line(story(2, published_at="0001-01-01T00:00:00+14:00")), line(story(3))]
    path = write_lines(tmp_path / "articles.jsonl", lines)
    result = import_file(runner, path)
    assert result.exit_code == 1
    assert f"{path}:2: published_at" in result.stderr
    assert count(Article) == 2


# --- seed-demo -------------------------------------------------------------------------------


def test_seed_demo_adds_the_demo_articles_and_reports(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert result.output.strip() == (
        f"Demo content: {len(DEMO_ARTICLES)} articles added, {len(DEMO_REPORTS)} reports added."
    )
    assert sorted(a.slug for a in stored_articles()) == sorted(item["slug"] for item in DEMO_ARTICLES)
    assert count(Report) == len(DEMO_REPORTS)


def test_seed_demo_if_empty_adds_nothing_to_a_database_with_articles(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already holds articles; no demo content added" in result.output
    assert count(Article) == len(DEMO_ARTICLES)
    assert count(Report) == len(DEMO_REPORTS)


def test_seed_demo_if_empty_seeds_an_empty_database(runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert count(Article) == len(DEMO_ARTICLES)


def test_seeding_the_demo_twice_files_no_report_twice(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["seed-demo"])
    assert result.output.strip() == "Demo content: 0 articles added, 0 reports added."
    assert count(Report) == len(DEMO_REPORTS)


def test_demo_reports_have_the_statuses_the_demo_content_lists(runner):
    runner.invoke(args=["seed-demo"])
    stored = sorted((r.article.slug, r.description, r.status) for r in all_reports())
    listed = sorted((item["article_slug"], item["description"], item["status"]) for item in DEMO_REPORTS)
    assert stored == listed


@pytest.mark.databases("sqlite")
def test_demo_passage_in_another_quote_style_is_found(runner):
    runner.invoke(args=["seed-demo"])
    [report] = [r for r in all_reports() if r.passage.startswith('"It\'s the one night of the year')]
    assert report.passage_found is True


@pytest.mark.databases("sqlite")
def test_demo_passage_not_in_the_article_is_flagged(runner):
    runner.invoke(args=["seed-demo"])
    [report] = [r for r in all_reports() if r.passage == "Pelling scored twice in the second half"]
    assert report.passage_found is False
    assert all(r.passage_found for r in all_reports() if r is not report)


@pytest.mark.databases("sqlite")
def test_every_demo_article_page_opens(runner, client):
    runner.invoke(args=["seed-demo"])
    for item in DEMO_ARTICLES:
        response = client.get(f"/articles/{item['slug']}")
        assert response.status_code == 200, item["slug"]
        assert item["title"] in response.get_data(as_text=True)


# --- the console script ----------------------------------------------------------------------


@pytest.fixture
def console(monkeypatch, tmp_path):
    """Run `corrections ...` as the console script does, on a temporary instance folder and database."""
    for name in [n for n in os.environ if n.startswith("CORRECTIONS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CORRECTIONS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CORRECTIONS_DATABASE_URL", f"sqlite:///{tmp_path / 'console.sqlite3'}")
    # FlaskGroup sets this for the rest of the process; monkeypatch puts it back afterwards.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")
    project_instance = sorted(p.name for p in (PROJECT_ROOT / "instance").iterdir())

    def invoke(*args, **kwargs):
        return CliRunner().invoke(main, list(args), **kwargs)

    yield invoke
    assert sorted(p.name for p in (PROJECT_ROOT / "instance").iterdir()) == project_instance


def test_console_script_lists_its_commands_and_flasks(console):
    result = console("--help")
    assert result.exit_code == 0, result.output
    assert "Reader reports and published corrections for news publishers." in result.output
    for command in ("serve", "seed-demo", "import-articles", "db", "routes", "shell"):
        assert f"\n  {command} " in result.output, command


def test_console_script_upgrades_then_imports_into_the_configured_database(console, tmp_path):
    assert console("db", "upgrade").exit_code == 0
    path = write_lines(tmp_path / "articles.jsonl", [line(story(1)), line(story(2))])
    result = console("import-articles", str(path))
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 0 bad lines skipped." in result.output
    assert (tmp_path / "console.sqlite3").exists()
    assert (tmp_path / "instance" / "secret_key").exists()


# --- create-api-token

def test_create_api_token_prints_only_a_working_secret_on_stdout(runner):
    result = runner.invoke(args=["create-api-token", "  Newsroom   pipeline "])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert result.stdout == secret + "\n" and secret.startswith(api_tokens.PREFIX)
    assert "Newsroom pipeline" in result.stderr and secret not in result.stderr
    token = api_tokens.verify(secret)
    assert (token.name, token.created_by) == ("Newsroom pipeline", api_tokens.COMMAND_LINE)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("name, words", [
    ("   ", "Give the token a name"),
    ("x" * 201, "under 200 characters"),
    ("Newsroom pipeline", "A live token is named “Newsroom pipeline” already"),
    ("system", "names the reader or the app itself"),
])
def test_create_api_token_refuses_a_bad_or_taken_name_with_status_2(runner, name, words):
    assert runner.invoke(args=["create-api-token", "Newsroom pipeline"]).exit_code == 0
    result = runner.invoke(args=["create-api-token", name])
    assert result.exit_code == 2
    assert result.stdout == "" and words in result.stderr
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


@pytest.mark.databases("sqlite")
def test_a_token_made_on_the_command_line_says_so_on_the_admin_page(runner, admin_client):
    assert runner.invoke(args=["create-api-token", "Pipeline"]).exit_code == 0
    page = admin_client.get("/editor/admin/tokens").get_data(as_text=True)
    assert "by Command line" in page
