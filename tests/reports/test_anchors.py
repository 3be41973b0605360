"""Reports meet revisions: a report remembers its revision and its passage as a text-quote anchor, which finds
the passage again after an edit that moves it, or says when the passage changed."""

import re

import pytest

from corrections.articles.content import change_text
from corrections.extensions import db
from corrections.reports import anchors
from tests.helpers import file_report, make_article

BODY = ("<p>The council approved the new budget on Tuesday by 31 votes to 12.</p>"
        "<p>The mayor said the extra money would go to road repairs. Work starts in March.</p>")


def marked(page: str) -> str:
    """The marked passage with 20 characters either side, as the report page shows it."""
    found = re.search(r'(.{0,20})<mark id="passage">(.*?)</mark>(.{0,20})', page, re.DOTALL)
    assert found, "no passage marked"
    return "".join(found.groups())


@pytest.mark.databases("sqlite")
def test_a_report_keeps_its_revision_and_a_text_quote_anchor(app):
    article = make_article(body=BODY)
    report = file_report(article, passage="road  repairs")
    assert report.revision_id == article.current_revision_id
    assert report.passage_exact == "road repairs"
    assert report.passage_prefix == "aid the extra money would go to "  # 32 characters
    assert report.passage_suffix.startswith(". Work starts in March.")
    unfound = file_report(article, passage="words that are not there")
    assert unfound.passage_exact is None and unfound.revision_id == article.current_revision_id


@pytest.mark.databases("sqlite")
def test_the_passage_is_found_again_after_an_edit_that_moves_it(editor_client):
    article = make_article(body=BODY)
    report = file_report(article, passage="31 votes to 12")
    # A new first paragraph quotes the same words elsewhere; the reported sentence moves down.
    change_text(article, article.title, "<p>Last year the plan passed by 31 votes to 12 as well.</p>" + BODY,
                source="import")
    db.session.commit()
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert marked(page) == "udget on Tuesday by 31 votes to 12.\n\nThe mayor said th"
    assert "the passage is marked where it is now" in page
    assert "This passage was changed" not in page


def test_a_changed_passage_says_when_and_links_to_the_diff(editor_client):
    article = make_article(body=BODY)
    report = file_report(article, passage="31 votes to 12")
    change_text(article, article.title, BODY.replace("March", "April"), source="api", by="CMS")
    change_text(article, article.title, BODY.replace("31 votes to 12", "29 votes to 14"), source="api", by="CMS")
    db.session.commit()
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert "This passage was changed on" in page and "(revision 3)" in page
    assert f'href="/editor/articles/{article.slug}/revisions/2/3">see what changed</a>' in page
    assert "<mark" not in page and "Passage not found in the article." not in page


def test_locate_prefers_the_occurrence_whose_surroundings_match():
    anchor = anchors.Anchor("31 votes", "passed by ", " to 12 on Tuesday")
    text = "It had 31 votes in 2025. The budget passed by 31 votes to 12 on Tuesday. Then 31 votes again."
    start, end = anchors.locate(anchor, text)
    assert text[start - 10:end + 6] == "passed by 31 votes to 12"
    assert anchors.locate(anchor, "Nothing like it here.") is None


@pytest.mark.databases("sqlite")
def test_a_passage_quoted_from_the_headline_is_found_and_marked_there(editor_client):
    article = make_article(title="Council approves £2.4m road budget", body=BODY)
    report = file_report(article, passage="approves  £2.4M road")
    assert report.passage_found is True
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert "Passage not found" not in page
    assert '<strong class="headline">Council <mark id="passage">approves £2.4m road</mark> budget</strong>' in page
    assert page.count('<mark id="passage">') == 1
    queue = editor_client.get("/editor/").get_data(as_text=True)
    assert "passage not found" not in queue
