"""Deciding an item of "same error elsewhere": confirming corrects the article and publishes the notice in one step,
dismissing keeps the reason; both are lines of the article's history, and neither happens twice."""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from corrections import cli
from corrections.extensions import db
from corrections.figures import elsewhere
from corrections.models import ArticleEvent, Notice, Repeat, RepeatSweep, utcnow
from corrections.notices import publishing
from corrections.repeats import decisions
from tests.helpers import csrf_token, file_report
from tests.repeats.test_sweep import RIGHT, WRONG, make_siblings


@pytest.fixture
def swept(app, editor):
    articles = make_siblings()
    report = file_report(articles["original"], passage=WRONG)
    notice = publishing.publish(articles["original"], "correction", "An earlier version gave the wrong growth: it "
                                "was 10.5 per cent.", by=editor, wrong_text=WRONG, right_text=RIGHT, reports=[report])
    db.session.commit()
    cli.sweep_due()
    items = {repeat.article.slug.removeprefix("acme-"): repeat for repeat in db.session.scalars(select(Repeat))}
    return articles, notice, items


def box(page: str, name: str) -> str:
    return unescape(re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1))


def events(article) -> list[ArticleEvent]:
    return list(db.session.scalars(select(ArticleEvent).where(ArticleEvent.article_id == article.id)))


def test_the_page_lists_open_items_with_the_words_marked(swept, editor_client):
    articles, notice, items = swept
    page = editor_client.get("/editor/elsewhere").get_data(as_text=True)
    assert "Acme results (verbatim)" in page and "Acme results (reworded)" in page
    assert "Acme results (right)" not in page
    assert "<mark>Acme Corp said its turnover grew 6 percent to £4.2bn in the year to March</mark>" in page
    one = editor_client.get(f"/editor/elsewhere/{items['reworded'].id}").get_data(as_text=True)
    # The form starts from the original notice and the words it changed, changed the same way here.
    assert box(one, "text") == notice.text
    assert box(one, "replacement") == "Acme Corp said its turnover grew 10.5 percent to £4.2bn in the year to March"
    assert notice.reports[0].reference in one
    # The original report and article say how many other articles carry the error, and link here.
    for page in (f"/editor/reports/{notice.reports[0].id}", f"/editor/articles/{articles['original'].slug}"):
        said = editor_client.get(page).get_data(as_text=True)
        assert "2 other articles carry this error" in said and f"/editor/elsewhere?notice={notice.id}" in said


def test_confirming_corrects_the_article_and_publishes_the_notice_in_one_step(swept, editor_client, app):
    articles, notice, items = swept
    item = items["reworded"]
    url = f"/editor/elsewhere/{item.id}"
    replacement = "Acme Corp said its turnover grew 10.5 percent to £4.2bn in the year to March"
    response = editor_client.post(url + "/confirm", data={
        "csrf_token": csrf_token(editor_client, url), "kind": "correction", "text": notice.text,
        "replacement": replacement, "revision": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)

    db.session.expire_all()
    article = articles["reworded"]
    assert replacement in article.body_text and "grew 6 percent" not in article.body_text
    published = db.session.scalar(select(Notice).where(Notice.article_id == article.id))
    assert (published.wrong_text, published.right_text) == (item.matched_text, replacement)
    assert published.revision.number == 2
    assert (item.state, item.fixed_by_id, item.decided_by) == ("confirmed", published.id, "Maya Okafor")
    # The change is announced by the notice (the unannounced change's line) and the item decided (this one's).
    [event] = [event for event in events(article) if event.kind == "same_error_fixed"]
    assert (event.revision_id, event.actor) == (published.revision_id, "Maya Okafor")
    # The new notice sweeps nothing again.
    history = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert "As corrected in “Acme results (original)”" in history
    assert db.session.scalar(select(RepeatSweep).where(RepeatSweep.notice_id == published.id)) is None
    # Twice is refused.
    again = editor_client.post(url + "/confirm", data={
        "csrf_token": csrf_token(editor_client, url), "kind": "correction", "text": notice.text,
        "replacement": replacement, "revision": "2"})
    assert again.status_code == 400 and "corrected this article already" in again.get_data(as_text=True)


@pytest.mark.databases("sqlite")
def test_confirming_without_a_replacement_publishes_the_notice_alone(swept, editor_client):
    articles, notice, items = swept
    url = f"/editor/elsewhere/{items['verbatim'].id}"
    body = articles["verbatim"].body
    response = editor_client.post(url + "/confirm", data={
        "csrf_token": csrf_token(editor_client, url), "kind": "clarification", "text": notice.text,
        "replacement": "", "revision": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert articles["verbatim"].body == body
    assert db.session.scalar(select(Notice.kind).where(Notice.article_id == articles["verbatim"].id)) == \
        "clarification"


def test_confirming_from_an_older_text_is_refused(swept, editor_client):
    articles, notice, items = swept
    url = f"/editor/elsewhere/{items['verbatim'].id}"
    response = editor_client.post(url + "/confirm", data={
        "csrf_token": csrf_token(editor_client, url), "kind": "correction", "text": notice.text,
        "replacement": "the right words", "revision": "0"})
    assert response.status_code == 400
    assert "changed by" in response.get_data(as_text=True)
    db.session.expire_all()
    assert items["verbatim"].state == "open" and db.session.scalar(select(Notice).where(
        Notice.article_id == articles["verbatim"].id)) is None


def test_dismissing_needs_a_reason_and_keeps_it_in_the_history(swept, editor_client):
    articles, notice, items = swept
    url = f"/editor/elsewhere/{items['verbatim'].id}"
    empty = editor_client.post(url + "/dismiss", data={"csrf_token": csrf_token(editor_client, url)})
    assert empty.status_code == 400 and "Say why" in empty.get_data(as_text=True)

    response = editor_client.post(url + "/dismiss", data={
        "csrf_token": csrf_token(editor_client, url), "reason": "Right as it stands: a quotation, or true in its "
        "context.", "reason_text": "A quote from the 2019 report."})
    assert response.status_code == 302
    db.session.expire_all()
    item = items["verbatim"]
    assert item.state == "dismissed"
    assert item.reason == "Right as it stands: a quotation, or true in its context. A quote from the 2019 report."
    [event] = events(articles["verbatim"])
    assert event.kind == "same_error_dismissed"
    assert "A quote from the 2019 report." in editor_client.get(url).get_data(as_text=True)
    dismissed = editor_client.get("/editor/elsewhere?state=dismissed").get_data(as_text=True)
    assert "Acme results (verbatim)" in dismissed and "Acme results (reworded)" not in dismissed


def test_the_figures_count_what_was_found_decided_and_how_long_the_sweep_took(swept, editor, editor_client, client):
    articles, notice, items = swept
    decisions.dismiss(items["verbatim"], "Corrected already in another way.", by=editor)
    db.session.commit()
    figures = elsewhere.compute(notice.published_at - timedelta(days=1), utcnow())
    assert (figures.found_by_sweep, figures.came_back, figures.dismissed, figures.open, figures.sweeps) == \
        (2, 0, 1, 1, 1)
    assert timedelta(0) <= figures.median_sweep < timedelta(minutes=1)
    metrics = editor_client.get("/editor/metrics").get_data(as_text=True)
    assert "Found in other articles by the archive sweep" in metrics
    assert "Corrected errors found again in other articles" in client.get("/transparency").get_data(as_text=True)
