"""The editors' queue: counts, filters, groups, sorting, pages, bulk actions, CSV export."""

import csv
import html
import io
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from corrections import transaction, vocabulary
from corrections.editor import queue as editor_queue
from corrections.extensions import db
from corrections.models import Editor, Event, Report
from corrections.reports import workflow
from corrections.templating import machine_datetime
from corrections.triage import queue
from tests.helpers import count_queries, csrf_token, file_report, make_article, make_editor, recorded_statements
from tests.triage.queue_pages import links, page_of, references, walk, walk_both_ways

PASSAGE = "31 votes to 12"






def set_status(report: Report, status: str) -> None:
    report.status = status
    db.session.commit()


def test_default_view_shows_open_reports_with_exact_counts(editor_client):
    article = make_article()
    new = file_report(article, description="A new report about the budget.")
    reviewing = file_report(article, description="Under review about the budget.")
    set_status(reviewing, "in_review")
    closed = file_report(article, description="Rejected one about the budget.")
    set_status(closed, "rejected")
    page = page_of(editor_client)
    assert set(references(page)) == {new.reference, reviewing.reference}
    assert re.search(r"Open <strong>2</strong>", page)
    assert re.search(r"New <strong>1</strong>", page)
    assert re.search(r"In review <strong>1</strong>", page)
    assert re.search(r"Rejected <strong>1</strong>", page)
    assert re.search(r"All <strong>3</strong>", page)


def test_status_filter_shows_one_state(editor_client):
    article = make_article()
    file_report(article)
    closed = file_report(article)
    set_status(closed, "rejected")
    assert references(page_of(editor_client, "/editor/?status=rejected")) == [closed.reference]
    assert len(references(page_of(editor_client, "/editor/?status=all"))) == 2


def test_category_article_and_text_filters(editor_client):
    first, second = make_article(), make_article()
    typo = file_report(first, category="typo", description="Spelling of Harbourford is wrong.")
    fact = file_report(second, category="factual", description="The bridge opened in 1878.",
                       suggested_correction="opened in 1878")
    assert references(page_of(editor_client, "/editor/?category=typo")) == [typo.reference]
    assert references(page_of(editor_client, f"/editor/?article={second.slug}")) == [fact.reference]
    assert references(page_of(editor_client, "/editor/?q=1878")) == [fact.reference]
    assert references(page_of(editor_client, "/editor/?q=HARBOURFORD")) == [typo.reference]
    # Wildcards typed by the editor are searched for literally.
    assert references(page_of(editor_client, "/editor/?q=%25")) == []


def test_source_filter_by_how_the_article_was_made(editor_client):
    written = {source_type: file_report(make_article(source_type=source_type)).reference for source_type in
               ("trainedAlgorithmicMedia", "dataDrivenMedia", "compositeWithTrainedAlgorithmicMedia", "digitalCreation",
                None)}

    def shown(source: str) -> set[str]:
        return set(references(page_of(editor_client, f"/editor/?source={source}")))

    assert shown("machine_generated") == {written["trainedAlgorithmicMedia"], written["dataDrivenMedia"]}
    assert shown("machine_assisted") == {written["compositeWithTrainedAlgorithmicMedia"]}
    assert shown("human") == {written["digitalCreation"]}
    assert shown("not_said") == {written[None]}
    # With another filter, and kept by the links of the page.
    assert shown("human&category=typo") == set()
    assert 'source=machine_assisted' in page_of(editor_client, "/editor/?source=machine_assisted&sort=oldest")


def test_assignee_filter(editor_client, editor):
    article = make_article()
    mine = file_report(article)
    theirs = file_report(article)
    nobody = file_report(article)
    other = make_editor("tom@example.org", "Tom Reyes")
    workflow.assign(mine, editor, by=editor)
    workflow.assign(theirs, other, by=editor)
    db.session.commit()
    assert references(page_of(editor_client, "/editor/?assignee=me")) == [mine.reference]
    assert references(page_of(editor_client, "/editor/?assignee=unassigned")) == [nobody.reference]


def test_date_range_filter(editor_client):
    article = make_article()
    old = file_report(article)
    old.created_at = datetime(2026, 1, 10, 12, tzinfo=UTC)
    recent = file_report(article)
    recent.created_at = datetime(2026, 3, 5, 12, tzinfo=UTC)
    db.session.commit()
    assert references(page_of(editor_client, "/editor/?since=2026-03-01")) == [recent.reference]
    assert references(page_of(editor_client, "/editor/?until=2026-01-10")) == [old.reference]


def test_nonsense_in_the_address_is_ignored_and_said(editor_client):
    file_report(make_article())
    page = page_of(editor_client, "/editor/?status=bogus&since=yesterday&sort=random&page=-4")
    assert "Ignored in the address" in page
    assert "status “bogus”" in page and "since “yesterday”" in page
    assert len(references(page)) == 1


def test_sorting_newest_oldest_and_most_reported(editor_client):
    quiet, busy = make_article(), make_article()
    base = datetime(2026, 11, 1, tzinfo=UTC)
    reports = []
    for n, (article, passage) in enumerate([(quiet, ""), (busy, "budget"), (busy, "Work starts"), (busy, "mayor")]):
        report = file_report(article, passage=passage)
        report.created_at = base + timedelta(hours=n)
        reports.append(report)
    db.session.commit()
    refs = [r.reference for r in reports]
    assert references(page_of(editor_client, "/editor/")) == refs[::-1]
    assert references(page_of(editor_client, "/editor/?sort=oldest")) == refs
    assert references(page_of(editor_client, "/editor/?sort=most_reported"))[-1] == refs[0]






def test_pages_hold_the_filter(make_app):
    app = make_app(QUEUE_PER_PAGE=2)
    with app.app_context():
        from tests.helpers import login

        make_editor()
        article = make_article()
        typos = [file_report(article, category="typo", description=f"Typo number {n} in the text.") for n in range(5)]
        file_report(article, category="factual")
        client = app.test_client()
        login(client, "editor@example.org")
        first = page_of(client, "/editor/?category=typo")
        assert "5 reports match" in first
        assert re.search(r'rel="next" href="/editor/\?category=typo&amp;after=\d+&amp;upto=\d+&amp;seen=\d+"', first)
        pages = walk(client, "/editor/?category=typo")
        assert pages == [[typos[4].reference, typos[3].reference], [typos[2].reference, typos[1].reference],
                         [typos[0].reference]]
        # And back again from the last page.
        last = page_of(client, links(page_of(client, links(first)["next"]))["next"])
        assert walk(client, links(last)["prev"], "prev") == pages[1::-1]
        assert "First page" in last


def expected_leads(reports: list[Report], shown, newest_first: bool = True) -> list[str]:
    """Lead reference of each group, in the queue's order: a group comes where its newest (or oldest)
    matching report comes; each row is led by the group's oldest matching report."""
    groups = defaultdict(list)
    for report in reports:
        if shown(report):
            groups[report.cluster_id].append(report)
    pick = max if newest_first else min
    ordered = sorted(groups.values(), key=lambda members: pick(r.id for r in members), reverse=newest_first)
    return [min(members, key=lambda r: r.id).reference for members in ordered]


def build_busy_queue() -> list[int]:
    """A queue of 40 reports in groups of one to five, some closed, many received in the same second; their ids."""
    make_editor()
    articles = [make_article() for _ in range(3)]
    passages = ["31 votes to 12", "Work starts in March", "extra £2.4 million", ""]
    same_second = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    reports = []
    for n in range(40):
        report = file_report(articles[n % 3], passage=passages[n % 4], category=("typo", "factual")[n % 2],
                             description=f"Report {n} says the {'budget' if n % 3 else 'bridge'} is wrong.")
        report.created_at = same_second if n % 2 else same_second + timedelta(seconds=n)
        if n % 5 == 0:
            report.status = "rejected"
        reports.append(report)
    db.session.commit()
    return [report.id for report in reports]


@pytest.fixture
def busy_queue(built_data, make_app):
    """build_busy_queue's data (built once, copied for each test), an editor logged in; three rows a page."""
    filed = built_data(build_busy_queue)
    app = make_app(QUEUE_PER_PAGE=3)
    with app.app_context():
        from tests.helpers import login

        client = app.test_client()
        login(client, "editor@example.org")
        yield client, list(db.session.scalars(select(Report).where(Report.id.in_(filed)).order_by(Report.id)))


@pytest.mark.parametrize(("url", "shown", "newest_first"), [
    ("/editor/", lambda r: r.status in vocabulary.OPEN, True),
    ("/editor/?sort=oldest", lambda r: r.status in vocabulary.OPEN, False),
    ("/editor/?status=all", lambda r: True, True),
    ("/editor/?category=typo", lambda r: r.status in vocabulary.OPEN and r.category == "typo", True),
    ("/editor/?q=budget", lambda r: r.status in vocabulary.OPEN and "budget" in r.description, True),
    ("/editor/?status=all&q=bridge&sort=oldest", lambda r: "bridge" in r.description, False),
])
def test_browsing_the_pages_loses_and_repeats_no_group(busy_queue, url, shown, newest_first):
    client, reports = busy_queue
    pages, backwards = walk_both_ways(client, url)
    assert [len(page) for page in pages[:-1]] == [3] * (len(pages) - 1)
    assert sum(pages, []) == expected_leads(reports, shown, newest_first)
    # Back from the last page to the first, through the "previous" links.
    assert sum(reversed(backwards), []) == sum(pages, [])


def test_a_group_split_by_a_page_boundary_shows_once(make_app):
    app = make_app(QUEUE_PER_PAGE=1)
    with app.app_context():
        from tests.helpers import login

        make_editor()
        article = make_article()
        first = file_report(article, passage=PASSAGE, description="The bridge is older.")
        other = file_report(article, description="Another bridge report.")
        last = file_report(article, passage=PASSAGE, description="The bridge date is wrong.")
        assert first.cluster_id == last.cluster_id != other.cluster_id
        client = app.test_client()
        login(client, "editor@example.org")
        for query in ["", "&q=bridge", "&sort=oldest", "&sort=oldest&q=bridge"]:
            pages = walk(client, "/editor/?status=open" + query)
            assert sorted(sum(pages, [])) == sorted([first.reference, other.reference]), query
            assert len(pages) == 2, query


def test_a_group_moves_out_of_the_pages_without_hiding_another(busy_queue):
    client, reports = busy_queue
    first = page_of(client, "/editor/")
    second_url = links(first)["next"]
    second = references(page_of(client, second_url))
    # An editor closes the groups of the first page meanwhile: the second page still shows what followed.
    for reference in references(first):
        for report in reports:
            if report.cluster_id == next(r for r in reports if r.reference == reference).cluster_id:
                report.status = "spam"
    db.session.commit()
    assert references(page_of(client, second_url)) == second


def test_a_page_past_the_end_shows_the_last_full_page(busy_queue):
    client, reports = busy_queue
    pages = walk(client, "/editor/")
    last_url = "/editor/"
    for _ in pages[1:]:
        last_url = links(page_of(client, last_url))["next"]
    # A bulk action closes everything on the last page: coming back there shows the page before it.
    for report in reports:
        if report.status in vocabulary.OPEN and any(
                report.cluster_id == r.cluster_id for r in reports if r.reference in pages[-1]):
            report.status = "rejected"
    db.session.commit()
    page = page_of(client, last_url)
    assert references(page) == pages[-2]
    assert "next" not in links(page)


def test_cursors_that_make_no_sense_are_ignored_and_said(editor_client):
    report = file_report(make_article())
    for bad in ("after=abc", "before=-3", "after=1_2", "after=99999999999999"):
        page = page_of(editor_client, f"/editor/?{bad}")
        assert "Ignored in the address" in page and references(page) == [report.reference], bad


def test_views_with_more_matching_reports_than_counted_say_more_than(make_app, monkeypatch):
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    app = make_app(QUEUE_PER_PAGE=2)
    with app.app_context():
        from tests.helpers import login

        make_editor()
        article = make_article()
        for _ in range(5):
            file_report(article, category="typo", description="A typo in the headline here.")
        file_report(article)
        client = app.test_client()
        login(client, "editor@example.org")
        assert "More than 3 reports match" in page_of(client, "/editor/?category=typo")
        # Counts by status alone are exact whatever their size; a search is not counted past its page.
        assert "6 reports match" in page_of(client, "/editor/")
        assert "searches are not counted" in page_of(client, "/editor/?q=headline")
        # When everything fits on the page, the page counts it.
        assert "1 report in 1 group" in page_of(client, "/editor/?category=factual")


def test_reports_on_the_same_or_overlapping_passage_form_one_group(editor_client):
    article = make_article()
    a = file_report(article, passage="31 votes to 12")
    b = file_report(article, passage="by 31 VOTES to 12.")  # overlaps, other case
    c = file_report(article, passage="approved the new budget on Tuesday by 31")  # overlaps the start
    elsewhere = file_report(article, passage="Work starts in March")
    no_passage = file_report(article)
    assert a.cluster_id == b.cluster_id == c.cluster_id == a.id
    assert elsewhere.cluster_id == elsewhere.id and no_passage.cluster_id == no_passage.id
    page = page_of(editor_client)
    assert "3 reports</span>" in page
    assert sorted(references(page)) == sorted([a.reference, elsewhere.reference, no_passage.reference])
    assert "All 3 reports in this group" in page
    assert "5 reports in 3 groups" in page


def test_passages_not_in_the_article_group_when_they_are_the_same(editor_client):
    article = make_article()
    first = file_report(article, passage="Pelling scored twice")
    second = file_report(article, passage="  pelling   SCORED twice ")
    assert first.passage_found is False and second.cluster_id == first.cluster_id


def test_spam_is_never_grouped_with_real_reports(app):
    article = make_article()
    real = file_report(article, passage=PASSAGE)
    from corrections.reports.filing import ReportInput, submit_report

    filed = submit_report(article, ReportInput("factual", "Buy cheap watches now!!", passage=PASSAGE),
                          client="x", spam_reason="honeypot")
    spam = db.session.get_one(Report, filed.id)
    assert spam.cluster_id == spam.id != real.cluster_id



def test_queue_runs_a_bounded_number_of_queries(app, editor_client, editor):
    article = make_article()
    for n in range(3):
        workflow.assign(file_report(article, passage=PASSAGE if n else ""), editor, by=editor)
    db.session.commit()
    few = count_queries(editor_client, "/editor/")
    # Seven times as many reports, in more groups and on four more articles: a statement a row or an article shows.
    for n in range(20):
        other = make_article() if n % 5 == 0 else article
        workflow.assign(file_report(other, passage=PASSAGE if n % 2 else ""), editor, by=editor)
    db.session.commit()
    many = count_queries(editor_client, "/editor/")
    assert few == many
    # The page, its groups and counts; the lists of its forms (editors, canned answers, desks, saved views); the
    # count of unannounced changes waiting for an answer; who else has the listed reports open (without Redis).
    assert many <= 15
    # Sorted by deadline, on the editor's desk: no more.
    assert count_queries(editor_client, "/editor/?sort=due&desk=mine") <= many


def test_bulk_reject_of_a_group_gives_each_report_its_own_event(editor_client, editor):
    article = make_article()
    group = [file_report(article, passage=PASSAGE) for _ in range(3)]
    selection = ",".join(f"{r.id}:{r.version}" for r in group)
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "selected": selection, "action": "reject",
        "reason": workflow.REJECT_REASONS[0], "reason_text": "The vote was 31 to 12.", "back": "/editor/",
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "3 done." in page
    db.session.expire_all()
    for report in group:
        stored = db.session.get(Report, report.id)
        assert stored.status == "rejected"
        assert stored.reject_reason == f"{workflow.REJECT_REASONS[0]} The vote was 31 to 12."
        assert [e.kind for e in stored.events] == ["received", "status"]
        assert stored.events[-1].actor == editor.name


def test_bulk_refusals_do_not_undo_the_others_and_are_shown(editor_client):
    article = make_article()
    fine = file_report(article)
    accepted = file_report(article)
    accepted.status = "accepted"
    db.session.commit()
    stale = file_report(article)
    stale_version = stale.version
    transaction.commit(lambda: workflow.move(stale, "in_review", by=None), report=stale)
    selection = [f"{fine.id}:{fine.version}", f"{accepted.id}:{accepted.version}", f"{stale.id}:{stale_version}",
                 "999999:1"]
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "selected": selection, "action": "spam", "back": "/editor/",
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    # One summary: what was done, then each reason once with the references it refused.
    assert ("1 done; 1 refused because it is already accepted; 1 refused because System changed it since you "
            "loaded the queue; 1 refused because it no longer exists.") in page
    assert f'Done: <span class="ref">{fine.reference}</span></li>' in page
    assert (f'Refused because it is already accepted: <span class="ref">{accepted.reference}</span></li>'
            in page)
    assert ('Refused because System changed it since you loaded the queue: '
            f'<span class="ref">{stale.reference}</span></li>') in page
    assert 'Refused because it no longer exists: <span class="ref">#999999</span></li>' in page
    assert "flash-error" not in page
    db.session.expire_all()
    assert [db.session.get(Report, r.id).status for r in (fine, accepted, stale)] == ["spam", "accepted", "in_review"]


@pytest.mark.databases("sqlite")
def test_a_bulk_refusal_names_nobody_when_the_report_has_no_history(editor_client, monkeypatch):
    stale = file_report(make_article())
    stale_version = stale.version
    transaction.commit(lambda: workflow.move(stale, "in_review", by=None), report=stale)
    # A history that names nobody (none kept): "someone", in a sentence of its own.
    monkeypatch.setattr(workflow, "last_event", lambda report: None)
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "selected": [f"{stale.id}:{stale_version}"], "action": "spam",
        "back": "/editor/"}, follow_redirects=True)
    assert ('Refused because someone changed it since you loaded the queue: '
            f'<span class="ref">{stale.reference}</span></li>') in response.get_data(as_text=True)


def test_bulk_duplicate_marks_the_others_as_duplicates_of_the_oldest(editor_client):
    article = make_article()
    oldest, newer, newest = (file_report(article, passage=PASSAGE) for _ in range(3))
    editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "selected": [f"{r.id}:{r.version}" for r in (newest, oldest, newer)],
        "action": "duplicate", "back": "/editor/",
    })
    db.session.expire_all()
    assert db.session.get(Report, oldest.id).status == "new"
    for report in (newer, newest):
        stored = db.session.get(Report, report.id)
        assert (stored.status, stored.duplicate_of_id) == ("duplicate", oldest.id)


def test_bulk_assign_to_me_and_move_to_review(editor_client, editor):
    report = file_report(make_article())
    token = csrf_token(editor_client)
    editor_client.post("/editor/bulk", data={"csrf_token": token, "selected": f"{report.id}:{report.version}",
                                             "action": "assign_me", "back": "/editor/"})
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert report.assignee_id == editor.id
    editor_client.post("/editor/bulk", data={"csrf_token": token, "selected": f"{report.id}:{report.version}",
                                             "action": "in_review", "back": "/editor/"})
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "in_review"


def test_bulk_without_action_or_reason_changes_nothing_and_says_why(editor_client):
    report = file_report(make_article())
    token = csrf_token(editor_client)
    page = editor_client.post("/editor/bulk", data={"csrf_token": token, "selected": f"{report.id}:{report.version}",
                                                    "action": "", "back": "/editor/"},
                              follow_redirects=True).get_data(as_text=True)
    assert "Choose an action to apply." in page
    page = editor_client.post("/editor/bulk", data={"csrf_token": token, "selected": f"{report.id}:{report.version}",
                                                    "action": "reject", "back": "/editor/"},
                              follow_redirects=True).get_data(as_text=True)
    assert "Give a reason for rejecting" in page
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "new"
    assert db.session.scalars(select(Event.kind).where(Event.report_id == report.id)).all() == ["received"]


def test_bulk_returns_to_the_filtered_queue_but_never_off_site(editor_client):
    report = file_report(make_article())
    token = csrf_token(editor_client)
    data = {"csrf_token": token, "selected": f"{report.id}:{report.version}", "action": "assign_me"}
    assert editor_client.post("/editor/bulk", data={**data, "back": "/editor/?category=typo"}).headers[
        "Location"] == "/editor/?category=typo"
    assert editor_client.post("/editor/bulk", data={**data, "back": "https://evil.example/"}).headers[
        "Location"] == "/editor/"


def test_csv_export_follows_the_filter_and_neutralises_formulas(editor_client):
    article = make_article()
    hostile = file_report(article, description="=HYPERLINK(\"http://evil.example\",\"click\")",
                          name="@SUM(A1)", email="reader@example.org")
    file_report(article, category="typo", description="+Harmless typo report here.")
    response = editor_client.get("/editor/export.csv?category=factual")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["reference"] for row in rows] == [hostile.reference]
    assert rows[0]["description"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert rows[0]["reporter_name"] == "'@SUM(A1)"
    assert rows[0]["reporter_email"] == "reader@example.org"
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())


def test_newest_first_shows_when_the_report_that_places_each_row_arrived(editor_client):
    article = make_article()
    first = file_report(article, passage="31 votes to 12")
    between = file_report(article, passage="Work starts in March")
    latest = file_report(article, passage="votes to 12")  # joins the first one's group, and places it first
    page = page_of(editor_client, "/editor/?sort=newest")
    assert references(page) == [first.reference, between.reference]
    received = re.findall(r'<td><time datetime="([^"]+)">[^<]*</time>((?:(?!</td>).)*)</td>\s*</tr>', page)
    assert [when for when, _ in received] == [machine_datetime(r.created_at) for r in (latest, between)]
    assert f'<span class="ref">{latest.reference}</span>' in received[0][1] and received[1][1] == ""
    oldest = page_of(editor_client, "/editor/?sort=oldest")
    assert re.findall(r'<td><time datetime="([^"]+)">', oldest)[-2:] == [
        machine_datetime(first.created_at), machine_datetime(between.created_at)]


def test_csv_export_streams_in_batches_whatever_the_number_of_reports(app, editor_client, monkeypatch):
    article = make_article()
    editor = db.session.scalar(select(Editor))
    monkeypatch.setattr(queue, "EXPORT_BATCH", 4)

    def export():
        with recorded_statements() as statements:
            # Unbuffered, as a server sends it (the isolated client buffers: see tests/conftest.py): lines go out as
            # they are read, not gathered first.
            response = FlaskClient.open(editor_client, "/editor/export.csv?status=all", buffered=False)
            assert response.is_streamed
            rows = list(csv.DictReader(io.StringIO(b"".join(response.response).decode())))
            response.close()
        return rows, len(statements)

    filed = [file_report(article) for _ in range(3)]
    export()  # the first request of the session reads what later ones do not
    few, few_queries = export()
    filed += [file_report(article, category="typo") for _ in range(20)]
    workflow.assign(filed[-1], editor, by=editor)
    db.session.commit()
    many, many_queries = export()

    assert [row["reference"] for row in few] == [r.reference for r in filed[:3]]
    # Read 4 at a time, every report comes out once, in the order they arrived; one query whatever their number.
    assert [row["reference"] for row in many] == [r.reference for r in filed]
    assert many[-1]["assignee"] == editor.name and many[0]["assignee"] == ""
    assert many_queries == few_queries


def big_group_row(page: str, lead: Report) -> tuple[str, str]:
    """The checkbox value of the row whose first report is `lead`, and the bulk form’s way back (the queue’s filter
    and snapshot)."""
    row = page[page.index(f'id="report-{lead.id}"'):]
    value = html.unescape(re.search(r'name="selected" value="([^"]*)"', row).group(1))
    back = html.unescape(re.search(r'<input id="back" name="back" type="hidden" value="([^"]*)"', page).group(1))
    return value, back


def test_a_big_group_is_selected_as_the_group_and_its_page_does_not_grow(editor_client, monkeypatch):
    monkeypatch.setattr(queue, "SELECTION_LISTED", 3)
    article = make_article()
    group = [file_report(article, passage=PASSAGE) for _ in range(5)]
    url = f"/editor/?article={article.slug}&status=all"
    page = editor_client.get(url).get_data(as_text=True)
    value, _ = big_group_row(page, group[0])
    # Past SELECTION_LISTED the row carries its first report and the group, not each report.
    assert value == f"{group[0].id}:{group[0].version},{queue.GROUP_MARK}{group[0].cluster_id}"
    assert "5 reports" in page
    for _ in range(7):
        file_report(article, passage=PASSAGE)
    few, size = count_queries(editor_client, url), len(editor_client.get(url).get_data(as_text=True))
    for _ in range(18):
        file_report(article, passage=PASSAGE)
    page = editor_client.get(url).get_data(as_text=True)
    assert "30 reports" in page
    assert count_queries(editor_client, url) == few
    # Past ten the row lists the same first ten reports, whatever the group's size: the page grows by digits only.
    assert len(page) - size < 20


def test_the_bulk_action_on_a_big_group_takes_its_reports_as_the_editor_saw_them(editor_client, editor,
                                                                                 monkeypatch):
    monkeypatch.setattr(queue, "SELECTION_LISTED", 3)
    article = make_article()
    group = [file_report(article, passage=PASSAGE) for _ in range(6)]
    spam = group[1]
    transaction.commit(lambda: workflow.move(spam, "spam", by=editor), report=spam)
    page = editor_client.get(f"/editor/?article={article.slug}").get_data(as_text=True)
    value, back = big_group_row(page, group[0])
    assert f"{queue.GROUP_MARK}{group[0].cluster_id}" in value and "upto=" in back and "seen=" in back
    # After the page was loaded: another editor moves one of the group, and a new report joins it.
    moved = group[2]
    transaction.commit(lambda: workflow.move(moved, "in_review", by=None), report=moved)
    late = file_report(article, passage=PASSAGE)
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "selected": value, "action": "reject",
        "reason": workflow.REJECT_REASONS[0], "reason_text": "Checked.", "back": back}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "4 done; 1 refused because System changed it since you loaded the queue." in page
    db.session.expire_all()
    statuses = {r.id: db.session.get(Report, r.id).status for r in [*group, late]}
    # The open reports of the group as the queue showed them: not the spam one (not shown), not the one another
    # editor moved since, not the one that arrived since.
    assert statuses == {**{r.id: "rejected" for r in group}, spam.id: "spam", moved.id: "in_review", late.id: "new"}


def test_a_group_mark_selects_only_what_the_queue_it_came_from_shows(editor_client):
    one, other = make_article(), make_article()
    theirs = [file_report(other, passage=PASSAGE) for _ in range(2)]
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "selected": f"{queue.GROUP_MARK}{theirs[0].cluster_id}",
        "action": "spam", "back": f"/editor/?article={one.slug}"}, follow_redirects=True)
    assert "Select at least one report" in response.get_data(as_text=True)
    db.session.expire_all()
    assert {db.session.get(Report, r.id).status for r in theirs} == {"new"}


def test_article_counts_stop_one_past_the_cap_in_each_state(app, editor):
    article = make_article()
    reports = [file_report(article) for _ in range(5)]
    transaction.commit(lambda: workflow.move(reports[0], "in_review", by=editor), report=reports[0])
    assert queue.article_counts(article.id, cap=10) == {"new": 4, "in_review": 1}
    assert queue.article_counts(article.id, cap=2) == {"new": 3, "in_review": 1}


def test_a_bulk_action_takes_a_big_group_a_step_at_a_time_and_only_what_the_editor_saw(editor_client, editor,
                                                                                     monkeypatch):
    monkeypatch.setattr(queue, "SELECTION_LISTED", 3)
    monkeypatch.setattr(editor_queue, "BULK_MAX", 4)
    article = make_article()
    group = [file_report(article, passage=PASSAGE) for _ in range(10)]
    spam = file_report(article, passage=PASSAGE)
    transaction.commit(lambda: workflow.move(spam, "spam", by=editor), report=spam)
    elsewhere = [file_report(article, passage="another passage entirely") for _ in range(2)]
    page = editor_client.get(f"/editor/?article={article.slug}&status=new").get_data(as_text=True)
    value, back = big_group_row(page, group[0])
    late = file_report(article, passage=PASSAGE)

    def assigned() -> set[int]:
        db.session.expire_all()
        return {r.id for r in [*group, spam, late, *elsewhere] if db.session.get(Report, r.id).assignee_id}

    sentences = []
    for _ in range(3):
        page = editor_client.post("/editor/bulk", data={
            "csrf_token": csrf_token(editor_client), "selected": value, "action": "assign_me", "back": back},
            follow_redirects=True).get_data(as_text=True)
        sentences.append(re.search(r'<div class="bulk-summary" role="status">\s*<p><strong>([^<]*)', page).group(1))
        # Each step takes at most the cap, the oldest first.
        assert assigned() == {r.id for r in group[:4 * len(sentences)]}
    # The reports stay in the filter ("new"): the steps go on from where the last one stopped, and each says so.
    assert sentences == ["4 of 10 selected taken: apply again for the rest (6 left). 4 done.",
                         "4 of 6 selected taken: apply again for the rest (2 left). 4 done.",
                         "2 done."]
    # Nothing outside the group, the filter (spam) or the snapshot (a report that came after the page) was touched.
    assert not assigned() & {spam.id, late.id, *(r.id for r in elsewhere)}


def test_reports_by_id_reads_many_ids_a_batch_at_a_time(app, monkeypatch):
    monkeypatch.setattr(queue, "IDS_AT_A_TIME", 2)
    filed = [file_report(make_article()) for _ in range(5)]
    ids = [r.id for r in filed] + [10**9]
    with recorded_statements() as statements:
        found = queue.reports_by_id(ids)
    assert set(found) == {r.id for r in filed}
    assert len([s for s in statements if "FROM report" in s]) == 3


@pytest.mark.databases("sqlite")
def test_the_rows_links_are_those_url_for_builds(app):
    # The queue builds its hundreds of links to reports and articles once for each set of arguments (editor/queue.py).
    f = queue.QueueFilter(status="all", sort="most_reported", upto=12, seen=40)
    with app.test_request_context("/editor/"):
        links = editor_queue.Links(f)
        back = url_for("editor.queue", **f.args(q="a&b c/é"))
        for report_id in (1, 12, 987654321, 2**40):
            assert links.report(report_id) == url_for("editor.report", report_id=report_id)
            assert links.report(report_id, back=back) == url_for("editor.report", report_id=report_id, back=back)
        for slug in ("a-slug", "another-slug-2", "a-slug"):
            assert links.article(slug) == url_for("editor.queue", **f.first_page(article=slug))
