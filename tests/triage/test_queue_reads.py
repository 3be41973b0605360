"""How the queue reads its pages at volume: one article's pages from its own indexes, each group's listed reports one
short index range per group and state, group sizes from the kept counts; checked against a recount."""

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import select, text, update
from werkzeug.datastructures import MultiDict

from corrections.extensions import db
from corrections.models import Article, Editor, Report
from corrections.reports import workflow
from corrections.triage import queue
from corrections.vocabulary import OPEN
from tests.helpers import count_queries, file_report, login, make_article, make_editor, recorded_statements
from tests.planner import planned_at_a_million_reports, statements_run
from tests.triage.queue_pages import links, page_of, walk_both_ways
from tests.triage.test_most_reported import plans_of

PASSAGES = ["31 votes to 12", "Work starts in March", "extra £2.4 million", "the bridge opened in 1998", ""]


def recount_groups(shown, upto: int | None = None) -> dict[int, list[Report]]:
    """The matching reports of each group, oldest first, from the reports themselves."""
    groups = defaultdict(list)
    for report in db.session.scalars(select(Report).order_by(Report.id)):
        if shown(report) and (upto is None or report.id <= upto) and report.cluster_id is not None:
            groups[report.cluster_id].append(report)
    return groups


def filter_of(url: str) -> queue.QueueFilter:
    return queue.QueueFilter.from_args(MultiDict(parse_qsl(urlsplit(url).query)))


def check_rows_against_a_recount(url: str, shown, editor: Editor, per_page: int = 50) -> list[queue.Group]:
    """Each row of the queue at `url`: its size and its listed reports are those of a recount."""
    f = filter_of(url)
    page = queue.queue_page(f, editor, per_page)
    groups = recount_groups(shown, f.upto)
    assert page.groups
    for group in page.groups:
        matching = groups[group.cluster_id]
        assert group.size == len(matching), group.cluster_id
        assert [r.id for r in group.reports] == [r.id for r in matching[:queue.LISTED_PER_GROUP]]
        if len(matching) <= queue.SELECTION_LISTED:
            assert group.selection == ",".join(f"{r.id}:{r.version}" for r in matching)
    return page.groups


def build_mostly_decided() -> list[int]:
    """A group of 40 reports of which 36 are rejected, 3 new and 1 in review, and small groups on another article;
    the big group's ids."""
    editor = make_editor()
    article, other = make_article(), make_article()
    big = [file_report(article, passage=PASSAGES[0], description=f"Report {n} says the vote is wrong.")
           for n in range(40)]
    for report in big[:36]:
        workflow.reject(report, "Not an error.", by=editor)
    workflow.move(big[36], "in_review", by=editor)
    for n in range(8):
        file_report(other, passage=PASSAGES[n % 4 + 1], description=f"Report {n} says the date is wrong.")
    db.session.commit()
    return [report.id for report in big]


@pytest.fixture
def mostly_decided(built_data, make_app):
    """build_mostly_decided's data (built once, copied for each test), and an editor logged in."""
    big = built_data(build_mostly_decided)
    app = make_app()
    with app.app_context():
        client = app.test_client()
        login(client, "editor@example.org")
        editor = db.session.scalar(select(Editor).where(Editor.email == "editor@example.org"))
        yield client, editor, list(db.session.scalars(select(Report).where(Report.id.in_(big)).order_by(Report.id)))


@pytest.mark.parametrize(("query", "shown"), [
    ("", lambda r: r.status in OPEN),
    ("&status=new", lambda r: r.status == "new"),
    ("&status=rejected", lambda r: r.status == "rejected"),
    ("&status=all", lambda r: True),
])
@pytest.mark.parametrize("sort", ["most_reported", "newest"])
def test_each_row_lists_and_counts_its_groups_matching_reports_as_a_recount_does(mostly_decided, query, shown, sort):
    client, editor, big = mostly_decided
    check_rows_against_a_recount(f"/editor/?sort={sort}{query}", shown, editor)


def test_a_groups_reports_are_read_one_index_range_per_group_and_state(mostly_decided):
    client, editor, big = mostly_decided
    f = queue.QueueFilter.from_args(MultiDict({"sort": "most_reported"}))
    plans = plans_of(lambda: queue.queue_page(f, editor, 50), "report AS member")
    assert len(plans) == 1
    # One statement of two parts (the small groups' every matching report, the big ones' first few), each taking the
    # lists of groups and states as one parameter and reading each group's reports in each open state from the index
    # on (cluster_id, status, id): never a read of a group's every report (the big group's 36 rejected ones) to find
    # the few in the states shown.
    if db.engine.dialect.name == "sqlite":
        lines = plans[0].splitlines()
        reads = [line for line in lines if line.startswith("SEARCH member")]
        assert len(reads) == 2, plans[0]
        assert all("ix_report_cluster_id_status_id (cluster_id=? AND status=?)" in line for line in reads), plans[0]
        assert lines.count("SEARCH report USING INTEGER PRIMARY KEY (rowid=?)") == 2, plans[0]
        assert not [line for line in lines if line.startswith("SCAN") and "VIRTUAL TABLE" not in line], plans[0]
    else:
        # A lateral read a group and state at a time. Which index is PostgreSQL's choice by its statistics, a toss-up
        # on a test's few rows (on 30,000 generated reports: (cluster_id, status, id), both values in its condition).
        assert plans[0].count("Function Scan on unnest") == 4 and "Seq Scan" not in plans[0], plans[0]
        scans = [line for line in plans[0].splitlines() if "on report member" in line]
        assert len(scans) == 2 and all("Index Scan using ix_report_cluster_id_" in line for line in scans), plans[0]
        assert len(re.findall(r"Index Cond: \(+cluster_id = anon_", plans[0])) == 2, plans[0]
    db.session.rollback()
    # As many statements however many reports the group has in other states.
    few = count_queries(client, "/editor/?sort=most_reported")
    more = [file_report(big[0].article, passage=PASSAGES[0], description=f"Report {n} says the vote is wrong.")
            for n in range(10)]
    for report in more:
        workflow.move(report, "spam", by=editor)
    db.session.commit()
    assert count_queries(client, "/editor/?sort=most_reported") == few


def build_hot_article() -> int:
    """An article with 36 reports in six groups, in every state and with and without deadlines, whose reports arrived
    between another article's (so a walk of the table by id passes the other's); the article's id."""
    editor = make_editor()
    hot, other = make_article(), make_article()
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    for n in range(72):
        article = hot if n % 2 else other
        report = file_report(article, passage=PASSAGES[n % 5 if article is hot else 0],
                             description=f"Report {n} says the figure is wrong.")
        if n % 3 == 0:
            workflow.move(report, "in_review", by=editor)
        if n % 4 == 1:
            workflow.reject(report, "Not an error.", by=editor)
        # Deadlines in no order of arrival, none on some.
        report.due_at = None if n % 6 == 5 else start + timedelta(minutes=(n * 37) % 50)
    db.session.commit()
    return hot.id


@pytest.fixture
def hot_article(built_data, make_app):
    """build_hot_article's data (built once, copied for each test), an editor logged in; three rows a page."""
    hot = built_data(build_hot_article)
    app = make_app(QUEUE_PER_PAGE=3)
    with app.app_context():
        client = app.test_client()
        login(client, "editor@example.org")
        editor = db.session.scalar(select(Editor).where(Editor.email == "editor@example.org"))
        yield client, editor, db.session.get_one(Article, hot)


def expected_rows(article_id: int | None, shown, sort: str) -> list[str]:
    """Each group's lead (its oldest matching report) in the queue's order, from a recount (of one article's
    groups, if given)."""
    groups = [members for members in recount_groups(shown).values()
              if article_id is None or members[0].article_id == article_id]
    if sort == "due":
        def place(members):
            return min((r.due_at or queue.NO_DEADLINE, r.id) for r in members)
        ordered = sorted(groups, key=place)
    else:
        pick = max if sort == "newest" else min
        ordered = sorted(groups, key=lambda members: pick(r.id for r in members), reverse=sort == "newest")
    return [members[0].reference for members in ordered]


@pytest.mark.parametrize("sort", ["newest", "oldest", "due"])
@pytest.mark.parametrize(("status", "shown"), [("all", lambda r: True), ("open", lambda r: r.status in OPEN)])
def test_one_articles_pages_over_every_status_follow_a_recount_both_ways(hot_article, sort, status, shown):
    client, editor, hot = hot_article
    url = f"/editor/?article={hot.slug}&status={status}&sort={sort}"
    pages, back = walk_both_ways(client, url)
    assert sum(pages, []) == expected_rows(hot.id, shown, sort)
    assert len(pages) > 1 and all(len(page) == 3 for page in pages[:-1])
    assert sum(reversed(back), []) == sum(pages, [])
    check_rows_against_a_recount(url, shown, editor)


@pytest.mark.parametrize(("status", "shown"), [("all", lambda r: True), ("open", lambda r: r.status in OPEN),
                                               ("rejected", lambda r: r.status == "rejected")])
def test_due_first_over_every_article_follows_a_recount_both_ways(hot_article, status, shown):
    client, editor, hot = hot_article
    url = f"/editor/?status={status}&sort=due"
    pages, back = walk_both_ways(client, url)
    assert sum(pages, []) == expected_rows(None, shown, "due")
    assert sum(reversed(back), []) == sum(pages, [])


@pytest.mark.parametrize("sort", ["newest", "due"])
def test_one_articles_next_page_is_read_from_the_articles_index(hot_article, sort):
    client, editor, hot = hot_article
    second = links(page_of(client, f"/editor/?article={hot.slug}&status=all&sort={sort}"))["next"]
    f = filter_of(second)
    # The statement that finds the page's rows (the only one that looks for an earlier report of each group).
    plans = plans_of(lambda: queue.queue_page(f, editor, 3), "earlier")
    assert len(plans) == 1
    # Bounded by the cursor in the article's own index: a row comparison led by the article's id, which no plan
    # can meet by walking the whole table in the key's order (a range of the index on (article_id, id), or on
    # (article_id, due_at, id), whichever the database takes on a test's few rows).
    if db.engine.dialect.name == "sqlite":
        reads = [line for line in plans[0].splitlines() if "SEARCH report " in line or "SCAN report " in line]
        assert reads and all("ix_report_article_id_" in line and "article_id=?" in line for line in reads), plans[0]
    else:
        lines = plans[0].splitlines()
        bounded = [n for n, line in enumerate(lines) if "Index Cond: ((ROW(article_id" in line]
        assert bounded and all("Index Scan" in lines[n - 1] and "using ix_report_article_id_" in lines[n - 1]
                               for n in bounded), plans[0]
    db.session.rollback()


def test_group_sizes_come_from_the_kept_counts_less_what_arrived_after_the_page(hot_article):
    client, editor, hot = hot_article
    first = page_of(client, f"/editor/?article={hot.slug}&status=all")
    snapshot = filter_of(links(first)["next"])
    url = f"/editor/?article={hot.slug}&status=all&upto={snapshot.upto}&seen={snapshot.seen}"
    lead = db.session.scalar(select(Report).where(Report.article_id == hot.id).order_by(Report.id.desc()).limit(1))
    # After the page was loaded: a report arrives in a shown group, another moves to a state not shown.
    file_report(hot, passage=lead.passage, description="A newer report says the figure is wrong.")
    db.session.execute(update(Report).where(Report.id == lead.id).values(status="spam"))
    db.session.commit()
    with recorded_statements() as statements:
        check_rows_against_a_recount(url, lambda r: True, editor, per_page=3)
        check_rows_against_a_recount(url.replace("status=all", "status=open"), lambda r: r.status in OPEN, editor,
                                     per_page=3)
    # The sizes from the kept counts: no statement counts a group's reports from the group's start.
    sizes = [s for s in statements if "group_report_count" in s]
    assert len(sizes) == 2 and all("count(*)" in s and "> " in s.split("count(*)")[1] for s in sizes), sizes


@pytest.mark.databases("postgresql")
def test_statements_are_planned_for_their_parameters_every_time(hot_article):
    client, editor, hot = hot_article
    # psycopg would prepare a statement run 5 times on a connection, and PostgreSQL then plan it once for any article.
    with db.engine.connect() as connection:
        for _ in range(8):
            connection.execute(select(Report.id).where(Report.article_id == hot.id).limit(1)).all()
        assert connection.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0


@pytest.mark.databases("sqlite")  # the planner whose estimate this is about
@pytest.mark.parametrize("args", [{"status": "rejected", "desk": "none"}, {"desk": "1"},
                                  {"status": "spam", "desk": "1"}])
def test_a_desks_reports_in_a_status_are_one_range_of_the_desks_index(app, args):
    """The queue filtered to a desk (or none) in a status read that status's reports and kept the desk's: at a
    million reports "no desk, rejected" read 337,000 to count 1,001 (0.1 to 1 s on SQLite)."""
    editor = make_editor()
    run = statements_run(lambda: queue.queue_page(queue.QueueFilter.from_args(MultiDict(args)), editor, 50),
                         "desk_id")
    assert run
    for statement, parameters in run:
        plan = planned_at_a_million_reports(statement, parameters)
        assert "ix_report_desk_id_status_id (desk_id=? AND status" in plan, plan


@pytest.mark.parametrize("status", ["open", "all", "rejected"])
def test_the_most_reported_pages_statements_are_the_same_however_many_groups_they_show(hot_article, status):
    # The lists of articles, groups and states a page reads are bound as one parameter each (triage/lists.py): a page
    # of more groups runs the statements compiled for a page of fewer, where one subquery per group and state made a
    # new statement, built, keyed and compiled anew, for each number of groups.
    client, editor, hot = hot_article
    f = queue.QueueFilter.from_args(MultiDict({"sort": "most_reported", "status": status}))
    cache = db.engine._compiled_cache
    first = queue.queue_page(f, editor, 1)
    following = filter_of("/editor/?" + urlencode(first.next))
    queue.queue_page(following, editor, 1)
    compiled = len(cache)
    bigger = queue.queue_page(f, editor, 50), queue.queue_page(following, editor, 50)
    assert len(first.groups) == 1 and len(bigger[0].groups) > 2 and len(bigger[1].groups) > 1
    assert len(cache) == compiled
