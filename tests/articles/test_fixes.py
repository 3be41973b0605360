"""Correcting a passage in place: the words replaced where they stand in the HTML body, every tag kept, or a
refusal that says why."""

import pytest

from corrections.articles import fixes
from corrections.articles.fixes import FixError, Passage, fixed_body
from corrections.extensions import db
from tests.helpers import make_article

BODY = ("<p>Tom &amp; Jerry had recieved   the “prize” on <em>Tuesday</em>.</p>"
        "<p>The jury had recieved it late.</p>")


@pytest.mark.parametrize(("passage", "replacement", "expected"), [
    # Spacing in the body and in the passage may differ; the markup around the words stays.
    (Passage("had recieved the “prize”"), "had received the “prize”",
     "<p>Tom &amp; Jerry had received the “prize” on <em>Tuesday</em>.</p><p>The jury had recieved it late.</p>"),
    # An entity in the body is one character of its text; the editor's words are text, escaped into the HTML.
    (Passage("Tom & Jerry"), "Tom <and> Jerry",
     "<p>Tom &lt;and&gt; Jerry had recieved   the “prize” on <em>Tuesday</em>.</p>"
     "<p>The jury had recieved it late.</p>"),
    # Words found twice: the place whose surroundings match the passage's.
    (Passage("had recieved", prefix="The jury ", suffix=" it late."), "had received",
     "<p>Tom &amp; Jerry had recieved   the “prize” on <em>Tuesday</em>.</p><p>The jury had received it late.</p>"),
    (Passage("Tuesday"), "  Wednesday \n",
     "<p>Tom &amp; Jerry had recieved   the “prize” on <em>Wednesday</em>.</p><p>The jury had recieved it late.</p>"),
])
def test_the_passage_is_replaced_where_it_stands(passage, replacement, expected):
    assert fixed_body(BODY, passage, replacement) == expected


@pytest.mark.parametrize(("passage", "replacement", "message"), [
    (Passage("had recieved"), "   ", "Write the words that replace the passage"),
    (Passage("had recieved"), "x" * 2001, "at most 2,000 characters"),
    (Passage("had  recieved"), "had recieved", "the same as the passage"),
    (Passage("had never recieved"), "had received", "no longer in the article’s text"),
    (Passage("on Tuesday"), "on Wednesday", "runs across a link, emphasis or a paragraph break"),
    (Passage("Tuesday. The jury"), "Tuesday; the jury", "runs across a link, emphasis or a paragraph break"),
])
def test_a_fix_that_cannot_be_made_is_refused_at_the_replacement(passage, replacement, message):
    with pytest.raises(FixError, match=message) as refused:
        fixed_body(BODY, passage, replacement)
    assert refused.value.field == "replacement"


def test_a_fix_from_an_older_text_than_the_articles_is_refused_and_stores_nothing(app):
    article = make_article()
    with pytest.raises(fixes.ArticleChanged, match="since you saw the change"):
        fixes.fix(article, Passage("31 votes to 12"), "31 votes to 14", seen_revision=0, by="Maya Okafor")
    db.session.rollback()
    assert article.current_revision.number == 1
    revision = fixes.fix(article, Passage("31 votes to 12"), "31 votes to 14", seen_revision=1, by="Maya Okafor")
    assert (revision.number, revision.created_by, revision.source) == (2, "Maya Okafor", "dashboard")
    assert "by 31 votes to 14." in article.body_text


@pytest.mark.databases("sqlite")
def test_the_preview_compares_with_the_current_revision_and_stores_nothing(app):
    article = make_article()
    comparison = fixes.preview(article, Passage("31 votes to 12"), "29 votes to 14")
    assert (comparison.old.number, comparison.new.number) == (1, 2)
    assert "<del>31</del><ins>29</ins>" in comparison.body and "<del>12</del><ins>14</ins>" in comparison.body
    db.session.expire_all()
    assert article.current_revision.number == 1 and "31 votes to 12" in article.body
