"""Drafted notices read as clean sentences that quote the article's own words; the reader's suggestion becomes
the replacement of the passage only when it reads as a new version of it."""

import pytest

from corrections.models import CannedAnswer
from corrections.reports import canned_answers, drafts
from tests.helpers import file_report, make_article

# Drafts are text made from the article's words in Python: the same on every database.
pytestmark = pytest.mark.databases("sqlite")

LANTERN = ("<blockquote>“It’s the one night of the year when the whole town turns out,” said organiser "
           "Bethan Lowry.</blockquote>")
BUDGET = ("<p>Opposition leader Colin Ferraday argued the council had recieved “more than enough warning” and "
          "should have made savings earlier. His group’s amendment was defeated.</p>")


@pytest.mark.parametrize(("quoted", "suggestion", "expected"), [
    # A quotation that ends its own sentence takes no second stop.
    ("should have made savings earlier.", "should have made savings sooner.",
     "An earlier version of this article said “should have made savings earlier.” "
     "It should have said “should have made savings sooner.”"),
    # The reader's quotes around the passage go; the article's own apostrophe stays; the comma the quotation was
    # cut with goes; spacing is collapsed.
    ("“It’s the one night of the year  when the whole town turns out,”", "said Harbour Lights chair Martin Gale",
     "An earlier version of this article said “It’s the one night of the year when the whole town turns out”. "
     "It should have said “said Harbour Lights chair Martin Gale”."),
    # Quotes inside the quotation become single curly quotes.
    ('the mayor called it "a disgrace"', 'the mayor called it "a shame"',
     "An earlier version of this article said “the mayor called it ‘a disgrace’”. "
     "It should have said “the mayor called it ‘a shame’”."),
    ("the council had recieved", "'the council had received'",
     "An earlier version of this article said “the council had recieved”. "
     "It should have said “the council had received”."),
    ("Did it pass?", "It did not pass!",
     "An earlier version of this article said “Did it pass?” It should have said “It did not pass!”"),
    # Without a quotation, the suggestion alone; without a suggestion, nothing to start from.
    ("", "  by 29  votes to 14 ", "by 29 votes to 14"),
    ("31 votes to 12", "", ""),
])
def test_drafted_notice_is_a_clean_sentence(quoted, suggestion, expected):
    assert drafts.notice_text(quoted, suggestion) == expected


@pytest.mark.parametrize(("words", "expected"), [
    ('"It\'s the one night,"', "It’s the one night"),
    ("‘the best’", "the best"),
    ("'It's fine'", "It’s fine"),
    ('"A" and "B"', "‘A’ and ‘B’"),
    ('the "best', "the ‘best"),
    ('the best"', "the best"),
    ("rock 'n' roll", "rock ‘n’ roll"),
    ("’90s music", "’90s music"),
    ("he said “no” twice;", "he said ‘no’ twice"),
    ("  spaced \n  out  ", "spaced out"),
])
def test_quotable_words(words, expected):
    assert drafts.quotable(words) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("said “savings earlier.”.", "said “savings earlier.”"),
    ("said “turns out,”.", "said “turns out”."),
    # The closing quotes of the other catalogs' languages: German, Spanish and French.
    ("hieß es „vier.“.", "hieß es „vier.“"),
    ("decía «cuatro.».", "decía «cuatro.»"),
    # French: the no-break spaces inside « » and before a colon are kept.
    ("disait «\u00a0plus tôt.\u00a0».", "disait «\u00a0plus tôt.\u00a0»"),
    ("Note\u00a0:  il  disait.", "Note\u00a0: il disait."),
    ("قال «لا،».", "قال «لا»."),
    ("قال «لماذا؟».", "قال «لماذا؟»"),
    ("It is wrong..  Really .", "It is wrong. Really."),
    ("Wait... what?", "Wait... what?"),
    ("First line  \n  second   line.", "First line\nsecond line."),
])
def test_tidy(text, expected):
    assert drafts.tidy(text) == expected


@pytest.mark.parametrize(("found", "suggestion", "expected"), [
    ("the council had recieved", "the council had received", "the council had received"),
    ("sealed the 3-2 victory in stoppage time", "“sealed the 3-1 victory in stoppage time”",
     "sealed the 3-1 victory in stoppage time"),
    # A remark about the passage, not a new version of it: the passage itself, for the editor to rewrite.
    ("It’s the one night of the year when the whole town turns out,", "said Harbour Lights chair Martin Gale",
     "It’s the one night of the year when the whole town turns out,"),
    ("31 votes to 12", "", "31 votes to 12"),
])
def test_replacement_is_the_suggestion_only_when_it_rewrites_the_passage(found, suggestion, expected):
    assert drafts.replacement_text(found, suggestion) == expected


def test_the_draft_quotes_the_article_not_the_readers_typing(app):
    article = make_article(body=LANTERN)
    report = file_report(article, passage="\"It's the one night of the year  when the Whole town turns out,\"",
                         suggested_correction="said Harbour Lights chair Martin Gale")
    assert drafts.notice_for(report) == (
        "An earlier version of this article said “It’s the one night of the year when the whole town turns out”. "
        "It should have said “said Harbour Lights chair Martin Gale”.")


def test_a_passage_from_the_headline_is_quoted_as_the_headline_has_it(app):
    report = file_report(make_article(title="Council backs £48.6m budget"), passage="council BACKS £48.6m",
                         suggested_correction="Council backs £46.8m")
    assert drafts.notice_for(report) == (
        "An earlier version of this article said “Council backs £48.6m”. It should have said “Council backs £46.8m”.")


def test_a_passage_not_in_the_article_is_quoted_as_the_reader_typed_it(app):
    report = file_report(make_article(), passage="“Pelling scored twice”", suggested_correction="Pelling scored once")
    assert drafts.notice_for(report) == (
        "An earlier version of this article said “Pelling scored twice”. It should have said “Pelling scored once”.")


def test_a_canned_answer_drafts_with_the_same_cleaning(app):
    report = file_report(make_article(body=BUDGET), passage="made  savings Earlier.",
                         suggested_correction="made savings sooner.")
    answer = CannedAnswer(name="Wording", to_state="accepted",
                          notice_template="We said “{passage}”.  We meant “{suggestion}”.")
    assert canned_answers.draft_notice(answer, report) == (
        "We said “made savings earlier.” We meant “made savings sooner.”")
