"""Small builders shared by the tests."""

import contextlib
import html
import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from corrections.articles.content import ArticleData, upsert_article
from corrections.extensions import db
from corrections.infra import page_cache
from corrections.models import Article, Report

BODY = (
    "The council approved the new budget on Tuesday by 31 votes to 12.\n\n"
    "The mayor said the “extra £2.4 million” would go to road repairs. "
    "Work starts in March."
)


def make_article(**fields) -> Article:
    n = db.session.scalar(select(func.count(Article.id))) + 1
    data = ArticleData(
        title=fields.pop("title", f"Council approves budget {n}"),
        canonical_url=fields.pop("canonical_url", f"https://news.example.org/local/budget-{n}"),
        body=fields.pop("body", BODY),
        slug=fields.pop("slug", f"budget-{n}"),
        byline=fields.pop("byline", "By Test Writer"),
        section=fields.pop("section", "Local"),
        published_at=fields.pop("published_at", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        language=fields.pop("language", None),
        source_type=fields.pop("source_type", None),
        generator=fields.pop("generator", None),
    )
    assert not fields, f"unknown fields {fields}"
    article, _ = upsert_article(data)
    db.session.commit()
    return article


def form_tokens(page: str) -> dict:
    """The hidden fields a browser would send back: the CSRF token and the served-at stamp."""
    found = dict(re.findall(r'<input[^>]*name="(csrf_token|served)"[^>]*value="([^"]*)"', page))
    return {name: html.unescape(value) for name, value in found.items()}


def valid_report(**fields) -> dict:
    report = {
        "passage": "31 votes to 12",
        "category": "factual",
        "description": "The vote was 29 to 14 according to the minutes.",
        "suggested_correction": "by 29 votes to 14",
        "source_url": "https://council.example.org/minutes/2026-11-18",
        "name": "Ada Reader",
        "email": "ada@example.org",
        "notify": "y",
    }
    report.update(fields)
    return {k: v for k, v in report.items() if v is not None}


def post_report(client, slug: str, **fields):
    """Open the form as a reader would, then send it with the given fields."""
    page = client.get(f"/articles/{slug}/report")
    return client.post(f"/articles/{slug}/report", data={**form_tokens(page.get_data(as_text=True)), **fields})


def all_reports() -> list[Report]:
    db.session.expire_all()
    return list(db.session.scalars(select(Report).order_by(Report.id)))


PASSWORD = "correct horse battery"


def make_editor(email: str = "editor@example.org", name: str = "Maya Okafor", is_admin: bool = False):
    from corrections.access.accounts import create_editor

    editor = create_editor(email, PASSWORD, name=name, is_admin=is_admin)
    db.session.commit()
    return editor


def login(client, email: str, password: str = PASSWORD):
    page = client.get("/editor/login").get_data(as_text=True)
    return client.post("/editor/login", data={**form_tokens(page), "email": email, "password": password})


def csrf_token(client, url: str = "/editor/") -> str:
    """A CSRF token for this client's session, read from a page with a form."""
    return form_tokens(client.get(url).get_data(as_text=True))["csrf_token"]


def file_report(article: Article, **fields) -> Report:
    """A report filed through the same domain function the form uses."""
    from corrections.reports.filing import ReportInput, submit_report

    data = {"category": "factual", "description": "The figure in this sentence is wrong."}
    data.update(fields)
    filed = submit_report(article, ReportInput(**data), client="test")
    db.session.commit()
    return db.session.get_one(Report, filed.id)


def confirm_addresses(*addresses: str) -> None:
    """Addresses whose owners have confirmed that they want our e-mail, as if they had followed the link."""
    from corrections.models import MailAddress, utcnow

    db.session.add_all(MailAddress(address=address, confirmed_at=utcnow()) for address in addresses)
    db.session.commit()


@contextlib.contextmanager
def changed_at_the_same_moment(app, report_id: int, change):
    """Inside the block, another request makes `change(report)` to the report and commits it at the moment a
    request of the block first writes to that report, after it read it: two editors acting at once."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    done = []

    def other_request(session, flush_context, instances):
        if done or not any(isinstance(o, Report) and o.id == report_id for o in session.dirty):
            return
        done.append(True)
        with app.app_context():
            change(db.session.get_one(Report, report_id))
            db.session.commit()

    event.listen(Session, "before_flush", other_request)
    try:
        yield done
    finally:
        event.remove(Session, "before_flush", other_request)


@contextlib.contextmanager
def recorded_statements():
    """The SQL statements run through the engine inside the block, as a list filled while it runs."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def count_queries(client, url: str, cached: bool = False) -> int:
    """How many SQL statements one GET of `url` runs: through the engine, and the page cache's own.

    The public page cache is emptied first, so the page is rendered, unless `cached` asks for what a
    page already in the cache costs.
    """
    cache = page_cache.for_app(client.application)
    if not cached:
        cache.clear()
    cache_runs = cache.query_runs()
    with recorded_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements) + cache.query_runs() - cache_runs
