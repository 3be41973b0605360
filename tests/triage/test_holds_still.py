"""A queue that holds still: the snapshot a queue page keeps, the bar of new reports, reports other
editors acted on, and the report page's walk through the queue as the editor saw it."""

import html
import re

import pytest

from corrections import transaction, vocabulary
from corrections.extensions import db
from corrections.models import Report
from corrections.reports import workflow
from tests.helpers import count_queries, csrf_token, file_report, form_tokens, make_article, make_editor
from tests.triage.queue_pages import page_of, references
from tests.triage.test_queue import busy_queue, expected_leads  # noqa: F401 (busy_queue is a fixture)


def snapshot_url(page: str) -> str:
    """The queue's own address with its snapshot, as its report links carry it in `back`."""
    back = re.search(r'<a href="/editor/reports/\d+\?back=([^"]+)" class="reference"', page).group(1)
    from urllib.parse import unquote

    return unquote(html.unescape(back))


def report_links(page: str) -> dict[str, str]:
    """The report page's queue links: queue, previous, next."""
    found = re.findall(r'<a href="([^"]*)"(?: rel="\w+")? data-key-(queue|previous|next)>', page)
    return {name: html.unescape(href) for href, name in found}


def test_new_reports_wait_behind_a_bar(editor_client, editor):
    article = make_article()
    old = [file_report(article, description=f"Old report {n} is about a figure.") for n in range(3)]
    page = page_of(editor_client, "/editor/")
    assert re.search(r"data-new-reports\s+hidden", page)
    url = snapshot_url(page)
    assert re.search(r"upto=\d+&seen=\d+", url)

    newer = [file_report(article, description=f"New report {n} is about a figure.") for n in range(2)]
    again = page_of(editor_client, url)
    # What the editor looks at stays as it was; the bar says what waits.
    assert references(again) == [r.reference for r in reversed(old)]
    assert "2 new reports" in again and not re.search(r"data-new-reports\s+hidden", again)
    show = html.unescape(re.search(r'<a href="([^"]*)" data-key-new>Show them</a>', again).group(1))
    assert "upto" not in show
    assert references(page_of(editor_client, show)) == [r.reference for r in reversed(old + newer)]
    # The counts are live whatever the snapshot.
    assert "New <strong>5</strong>" in again


def test_the_bar_and_the_marks_come_without_a_reload(app, editor_client, editor):
    article = make_article()
    mine, theirs, untouched = (file_report(article, description=f"Report {n} is about a figure.") for n in "abc")
    other = make_editor("sam@example.org", "Sam Other")
    url = snapshot_url(page_of(editor_client, "/editor/"))
    changes = url.replace("/editor/?", "/editor/queue/changes?") + f"&ids={mine.id},{theirs.id},{untouched.id}"

    assert editor_client.get(changes).get_json() == {"new": 0, "more": False,
                                                     "said": "0 new reports since you loaded the queue.", "changed": {}}
    transaction.commit(lambda: workflow.move(theirs, "spam", by=other), report=theirs)
    transaction.commit(lambda: workflow.assign(mine, editor, by=editor), report=mine)
    file_report(article)
    response = editor_client.get(changes)
    assert response.headers["Cache-Control"] == "no-store"
    # Only what others did is news.
    said = "Sam Other moved it to spam since you loaded the queue"
    assert response.get_json() == {"new": 1, "more": False, "said": "1 new report since you loaded the queue.",
                                   "changed": {str(theirs.id): {"who": "Sam Other", "said": said}}}

    # On a reload with the snapshot (as after a bulk action) the mark is on the page; acting on the report
    # from this page is refused with who and when.
    transaction.commit(lambda: workflow.assign(untouched, other, by=other), report=untouched)
    page = page_of(editor_client, url)
    assert (f'<span class="ref">{untouched.reference}</span>: Sam Other assigned it to Sam Other since you loaded '
            "the queue") in page
    stale = re.search(rf'value="({untouched.id}:\d+)"', page).group(1)
    db.session.expire_all()
    fresh_version = db.session.get(Report, untouched.id).version
    transaction.commit(lambda: workflow.move(untouched, "in_review", by=other), report=untouched)
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": form_tokens(page)["csrf_token"], "action": "spam", "back": url, "selected": [stale]},
        follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert ("Refused because Sam Other changed it since you loaded the queue: "
            f'<span class="ref">{untouched.reference}</span>') in page
    db.session.expire_all()
    assert db.session.get(Report, untouched.id).status == "in_review"
    assert db.session.get(Report, untouched.id).version > fresh_version


@pytest.mark.databases("sqlite")
def test_changes_with_nonsense_arguments_answer_nothing_new(editor_client):
    response = editor_client.get("/editor/queue/changes?upto=x&seen=-1&ids=a,,9999999999,3")
    assert response.status_code == 200
    assert response.get_json() == {"new": 0, "more": False, "said": "0 new reports since you loaded the queue.",
                                   "changed": {}}


def test_the_bar_counts_only_up_to_its_cap(app, editor_client, monkeypatch):
    from corrections.triage import snapshot

    monkeypatch.setattr(snapshot, "NEW_CAP", 2)
    article = make_article()
    file_report(article)
    url = snapshot_url(page_of(editor_client, "/editor/"))
    for _ in range(4):
        file_report(article)
    assert "More than 2 new reports" in page_of(editor_client, url)
    changes = editor_client.get(url.replace("/editor/?", "/editor/queue/changes?")).get_json()
    assert changes["more"] is True and changes["new"] == 2


def test_the_queue_page_stays_bounded_in_queries(editor_client, editor):
    for n in range(3):
        file_report(make_article(), description=f"Report {n} is about a figure.")
    few = count_queries(editor_client, snapshot_url(page_of(editor_client, "/editor/")))
    other = make_editor("sam@example.org", "Sam Other")
    reports = [file_report(make_article(), description=f"More {n} is about a figure.") for n in range(15)]
    url = snapshot_url(page_of(editor_client, "/editor/"))
    for report in reports:
        transaction.commit(lambda r=report: workflow.assign(r, other, by=other), report=report)
    file_report(make_article())
    assert page_of(editor_client, url).count("since you loaded the queue</span>") == 15
    assert count_queries(editor_client, url) <= few
    # A fresh look costs one query more: the snapshot's ids.
    assert count_queries(editor_client, "/editor/") <= few + 1


def walk_reports(client, url: str, rel: str = "next") -> list[str]:
    """Open the first report of the queue page at `url`, then follow the report page's `rel` links."""
    page = page_of(client, url)
    first = html.unescape(re.search(r'<a href="(/editor/reports/[^"]+)" class="reference"', page).group(1))
    seen = []
    while first:
        report_page = page_of(client, first)
        seen.append(re.search(r'<h1><span class="ref">(R-\w+)</span>', report_page).group(1))
        first = report_links(report_page).get(rel)
        assert len(seen) < 100
    return seen


def test_next_walks_the_queue_as_its_pages_list_it(busy_queue):  # noqa: F811 (the imported fixture)
    client, reports = busy_queue
    for url, shown, newest_first in [
        ("/editor/", lambda r: r.status in vocabulary.OPEN, True),
        ("/editor/?sort=oldest", lambda r: r.status in vocabulary.OPEN, False),
        ("/editor/?category=typo&status=all", lambda r: r.category == "typo", True),
    ]:
        expected = expected_leads(reports, shown, newest_first)
        assert walk_reports(client, url) == expected, url


def test_deciding_a_report_goes_on_to_the_next_one(editor_client, editor):
    article = make_article()
    first, second, third = (file_report(make_article(), description=f"Report {n} is about a figure.")
                            for n in range(3))
    queue = page_of(editor_client, "/editor/?sort=oldest")
    back = snapshot_url(queue)
    late = file_report(article, description="Arrived after the queue was loaded.")

    def act(report, action, **data):
        page = page_of(editor_client, f"/editor/reports/{report.id}?back={back}")
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        return editor_client.post(f"/editor/reports/{report.id}/{action}", data={
            "csrf_token": form_tokens(page)["csrf_token"], "version": version, "back": back, **data})

    # Review keeps the editor on the report; a note and an assignment too.
    response = act(first, "move", to="in_review")
    assert response.headers["Location"].startswith(f"/editor/reports/{first.id}?back=")
    assert act(first, "note", text="Checking the minutes.").headers["Location"].startswith(
        f"/editor/reports/{first.id}?")
    # Accepting with a key goes on to the next report of the queue, carrying the queue along.
    response = act(first, "move", to="accepted", onward="1")
    assert response.headers["Location"].startswith(f"/editor/reports/{second.id}?back=")
    # A decision clicked (no "onward") stays on the report: the editor may want to publish, or look again.
    assert act(second, "reject", reason=workflow.REJECT_REASONS[0]).headers["Location"].startswith(
        f"/editor/reports/{second.id}?back=")
    # The last one of the snapshot goes back to the queue (the late report was not in it).
    response = act(third, "move", to="spam", onward="1")
    assert response.headers["Location"] == f"{back}#report-{third.id}"  # at the row it decided
    page = page_of(editor_client, back)
    assert references(page) == [] and "1 new report" in page
    assert late.status == "new"


@pytest.mark.databases("sqlite")
def test_a_back_address_that_is_not_the_queue_is_ignored(editor_client):
    report = file_report(make_article())
    for back in ("https://evil.example/editor/", "//evil.example/editor/", "/editor/metrics", "/editor/?upto=zz"):
        page = page_of(editor_client, f"/editor/reports/{report.id}?back={back}")
        links = report_links(page)
        # The way back lands at the report's row (#report-N) of the queue, or of the whole queue.
        assert links["queue"] in ("/editor/", f"{back}#report-{report.id}")
        assert "evil" not in links["queue"]
    token = csrf_token(editor_client, f"/editor/reports/{report.id}")
    response = editor_client.post(f"/editor/reports/{report.id}/move", data={
        "csrf_token": token, "version": str(report.version), "to": "spam", "back": "https://evil.example/editor/"})
    assert response.status_code == 302, re.findall(r"flash[^>]*>([^<]*)", response.get_data(as_text=True))
    assert response.headers["Location"] == f"/editor/reports/{report.id}"


def test_bulk_accept_takes_reports_in_review_and_says_what_it_refused(editor_client, editor):
    article = make_article()
    reviewed, new = file_report(article), file_report(make_article())
    transaction.commit(lambda: workflow.move(reviewed, "in_review", by=editor), report=reviewed)
    response = editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "accepted", "back": "/editor/",
        "selected": [f"{reviewed.id}:", f"{new.id}:"]}, follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "1 done; 1 refused because it is still new: move it to review first?" in page
    assert f'Done: <span class="ref">{reviewed.reference}</span></li>' in page
    assert f'Refused because it is still new: <span class="ref">{new.reference}</span>' in page
