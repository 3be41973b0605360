"""Passage matching: a reader's quote is found in the article whatever its case, spacing and quote style."""

import pytest

from corrections.reports.passages import passage_in_text


@pytest.mark.parametrize("passage", [
    "the mayor said the “extra £2.4 million”",
    'THE MAYOR SAID THE "EXTRA £2.4 MILLION"',
    "the  mayor\nsaid   the \"extra £2.4 million\"",
    "“the mayor said”",
    "It's true",
])
def test_passage_matching_ignores_case_spacing_and_quote_style(passage):
    text = "It’s true. The mayor said the “extra £2.4 million” would go to road repairs."
    assert passage_in_text(passage, text)


@pytest.mark.parametrize("passage", ["the extra £3 million", "", "  ", '""'])
def test_passage_not_in_the_text_is_not_found(passage):
    assert not passage_in_text(passage, "The mayor said the “extra £2.4 million” would go to road repairs.")
