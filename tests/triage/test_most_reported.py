"""The queue's most-reported order: the counts the report table's triggers keep, and pages read from them."""

import re
from collections import Counter

import pytest
from sqlalchemy import delete, func, select, update

from corrections.extensions import db
from corrections.models import Article, ArticleReportCount, Event, GroupReportCount, Report
from corrections.reports import workflow
from corrections.triage import ranking
from corrections.vocabulary import OPEN
from tests.helpers import count_queries, file_report, login, make_article, make_editor, recorded_statements
from tests.planner import statements_run
from tests.triage.queue_pages import links, page_of, references, walk, walk_both_ways

PASSAGES = ["31 votes to 12", "Work starts in March", "extra £2.4 million", ""]


def recount() -> tuple[Counter, Counter]:
    """(article, status) and (group, status) counts from the reports themselves, for every key kept."""
    articles, groups = Counter(), Counter()
    for article_id, cluster_id, status in db.session.execute(select(Report.article_id, Report.cluster_id,
                                                                    Report.status)):
        for key in (status, "all", *(["open"] if status in OPEN else [])):
            articles[article_id, key] += 1
            if cluster_id is not None:
                groups[cluster_id, key] += 1
    return articles, groups


def kept() -> tuple[Counter, Counter]:
    return (Counter({(a, s): n for a, s, n in db.session.execute(
                select(ArticleReportCount.article_id, ArticleReportCount.status, ArticleReportCount.n))}),
            Counter({(c, s): n for c, s, n in db.session.execute(
                select(GroupReportCount.cluster_id, GroupReportCount.status, GroupReportCount.n))}))


def test_the_kept_counts_follow_every_kind_of_change(app, editor):
    first, second = make_article(), make_article()
    reports = [file_report((first, second)[n % 2], passage=PASSAGES[n % 4]) for n in range(12)]
    assert kept() == recount()
    workflow.move(reports[0], "in_review", by=editor)
    workflow.move(reports[1], "spam", by=editor)
    workflow.move(reports[2], "in_review", by=editor)
    workflow.reject(reports[2], "Not an error.", by=editor)
    db.session.commit()
    assert kept() == recount()
    # Several reports in one statement, a report moved to another group and another article, one deleted.
    db.session.execute(update(Report).where(Report.id.in_([r.id for r in reports[4:8]])).values(status="in_review"))
    db.session.execute(update(Report).where(Report.id == reports[8].id).values(cluster_id=reports[3].cluster_id))
    db.session.execute(update(Report).where(Report.id == reports[9].id).values(article_id=first.id))
    db.session.execute(delete(Event).where(Event.report_id == reports[10].id))
    db.session.execute(delete(Report.__table__).where(Report.id == reports[10].id))
    db.session.commit()
    assert kept() == recount()
    # No key is kept at 0.
    assert db.session.scalar(select(func.count()).select_from(GroupReportCount).where(GroupReportCount.n <= 0)) == 0
    assert db.session.scalar(select(func.count()).select_from(ArticleReportCount)
                             .where(ArticleReportCount.n <= 0)) == 0










def expected(shown, article_id: int | None = None) -> list[str]:
    """Each group's row (its oldest matching report), most-reported first, from a plain recount: articles by
    their matching reports (then the newer article), within one its groups by theirs (then the newer group)."""
    matching = [r for r in db.session.scalars(select(Report).order_by(Report.id))
                if shown(r) and (article_id is None or r.article_id == article_id)]
    per_article = Counter(r.article_id for r in matching)
    groups: dict[int, list[Report]] = {}
    for report in matching:
        groups.setdefault(report.cluster_id, []).append(report)
    order = sorted(groups.values(), reverse=True, key=lambda members: (
        per_article[members[0].article_id], members[0].article_id, len(members), members[0].cluster_id))
    return [members[0].reference for members in order]


def build_ranked_queue() -> list[int]:
    """Four articles with 2 to 23 reports in groups of one to seven, in every state; the articles' ids."""
    editor = make_editor()
    articles = [make_article() for _ in range(4)]
    for n in range(40):
        article = articles[0 if n % 5 < 3 else 1 + n % 3]
        report = file_report(article, passage=PASSAGES[n % 4 if n % 7 else 0],
                             description=f"Report {n} says the figure is wrong.")
        if n % 3 == 1:
            workflow.move(report, "in_review", by=editor)
        if n % 6 == 2:
            workflow.reject(report, "Not an error.", by=editor)
    db.session.commit()
    return [article.id for article in articles]


@pytest.fixture
def ranked_queue(built_data, make_app):
    """build_ranked_queue's data (built once, copied for each test), an editor logged in; two reports a page."""
    articles = built_data(build_ranked_queue)
    app = make_app(QUEUE_PER_PAGE=2)
    with app.app_context():
        client = app.test_client()
        login(client, "editor@example.org")
        yield client, [db.session.get_one(Article, article) for article in articles]


@pytest.mark.parametrize(("query", "shown"), [
    ("", lambda r: r.status in OPEN),
    ("&status=all", lambda r: True),
    ("&status=rejected", lambda r: r.status == "rejected"),
    ("&status=in_review", lambda r: r.status == "in_review"),
])
def test_most_reported_pages_follow_a_recount_both_ways(ranked_queue, query, shown):
    client, articles = ranked_queue
    url = f"/editor/?sort=most_reported{query}"
    pages, back = walk_both_ways(client, url)
    assert sum(pages, []) == expected(shown)
    assert all(len(page) == 2 for page in pages[:-1])
    # Pages go by key, not number; back from the last through the "previous" links.
    first = page_of(client, url)
    assert re.search(r'rel="next" href="/editor/\?[^"]*after=\d+_\d+_\d+_\d+', first)
    assert sum(reversed(back), []) == sum(pages, [])


@pytest.mark.parametrize("status", ["", "&status=all"])
def test_most_reported_of_one_article_follows_a_recount(ranked_queue, status):
    client, articles = ranked_queue
    hottest = articles[0]
    shown = (lambda r: True) if status else (lambda r: r.status in OPEN)
    pages = walk(client, f"/editor/?sort=most_reported&article={hottest.slug}{status}")
    assert sum(pages, []) == expected(shown, hottest.id)


def test_a_group_row_says_how_many_of_its_reports_match(ranked_queue):
    client, articles = ranked_queue
    page = page_of(client, "/editor/?sort=most_reported&status=all")
    biggest = max(Counter(db.session.scalars(select(Report.cluster_id).where(
        Report.article_id == articles[0].id))).values())
    assert f"{biggest} reports" in page


def test_reports_arrived_since_the_page_was_loaded_stay_out_of_its_rows(ranked_queue):
    client, articles = ranked_queue
    first = page_of(client, "/editor/?sort=most_reported&status=all")
    snapshot = re.search(r"upto=(\d+)&amp;seen=(\d+)", first).groups()
    before = references(first)
    newer = file_report(articles[0], passage=PASSAGES[0])
    again = page_of(client, f"/editor/?sort=most_reported&status=all&upto={snapshot[0]}&seen={snapshot[1]}")
    assert newer.reference not in again
    assert references(again) == before


def test_most_reported_runs_as_many_queries_on_every_page(ranked_queue):
    client, articles = ranked_queue
    first = page_of(client, "/editor/?sort=most_reported&status=all")
    url = links(first)["next"]
    counted = []
    for _ in range(4):
        counted.append(count_queries(client, url))
        url = links(page_of(client, url))["next"]
    # The first visit also reads the snapshot (newest report and event) its links carry.
    assert counted == [count_queries(client, "/editor/?sort=most_reported&status=all") - 1] * 4


def test_a_cursor_past_the_last_group_shows_the_last_page(ranked_queue):
    client, articles = ranked_queue
    pages = walk(client, "/editor/?sort=most_reported&status=all")
    page = page_of(client, "/editor/?sort=most_reported&status=all&after=1_1_1_1")
    assert references(page) == pages[-1]


def test_other_filters_rank_by_counting_and_page_by_number(ranked_queue):
    client, articles = ranked_queue
    page = page_of(client, "/editor/?sort=most_reported&category=factual")
    assert re.search(r'rel="next" href="/editor/\?category=factual&amp;sort=most_reported&amp;page=2', page)


def plans_of(call, marker: str = "report_count") -> list[str]:
    """The query plans of the statements `call` runs that hold `marker` (by default: on the ranking's tables), with
    their own parameters."""
    run = statements_run(call, marker)
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        return ["\n".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + s, p))
                for s, p in run]
    # A test's tables are tiny: ask whether an index gives the order, not whether it is worth it here.
    # (A sort or a bitmap scan is still chosen where no index gives the order: they are only made dearer.)
    # The statistics are the data's own first: rows copied in (built_data) have none until autovacuum happens
    # to analyze them, and the plan then depended on whether it had (an index by id with a filter, once).
    connection.exec_driver_sql("ANALYZE; SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; "
                               "SET LOCAL enable_bitmapscan = off")
    return ["\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + s, p)) for s, p in run]


def test_the_ranking_reads_in_the_order_of_its_indexes(ranked_queue):
    client, articles = ranked_queue
    top = ranking.ranked("all", None, False, 1)[0]
    plans = plans_of(lambda: ranking.ranked("all", top, False, 3))
    assert len(plans) == 2
    assert "ix_article_report_count_status_n_article_id" in plans[0]
    assert "ix_group_report_count_status_article_id_n_cluster_id" in plans[1]
    for shown in plans:
        # Read in the index's order: nothing sorted.
        assert "TEMP B-TREE" not in shown and "Sort" not in shown, shown
    db.session.rollback()


def test_my_desk_for_an_editor_of_no_desk_looks_at_no_report(ranked_queue):
    client, articles = ranked_queue
    with recorded_statements() as statements:
        page = page_of(client, "/editor/?status=rejected&desk=mine")
    assert references(page) == []
    # The editor's desks are read first: none, so no report is read by desk (a subquery there had the database
    # read every rejected report to find none).
    assert not [s for s in statements if "desk_id" in s and "FROM report" in s]


def test_a_report_page_lists_its_group_from_the_group_index(ranked_queue):
    client, articles = ranked_queue
    biggest = db.session.scalar(select(GroupReportCount.cluster_id).where(GroupReportCount.status == "all")
                                .order_by(GroupReportCount.n.desc()).limit(1))
    members = list(db.session.scalars(select(Report.reference).where(Report.cluster_id == biggest)
                                      .order_by(Report.id)))
    page = page_of(client, f"/editor/reports/{biggest}")
    # The others in the order they arrived, and how many there are, from the kept count.
    listed = [ref for ref in re.findall(r"R-[0-9A-Z]{6}", page) if ref in members[1:]]
    assert list(dict.fromkeys(listed)) == members[1:len(dict.fromkeys(listed)) + 1]
    assert f"Other reports on the same passage ({len(members) - 1:,})" in page
    report = db.session.get(Report, biggest)
    from corrections.triage import queue

    plans = plans_of(lambda: queue.same_passage(report, 10), "FROM report")
    assert "ix_report_cluster_id_id" in plans[0] and "TEMP B-TREE" not in plans[0] and "Sort" not in plans[0], plans
    db.session.rollback()
