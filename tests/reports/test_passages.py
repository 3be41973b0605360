"""Passage matching: a reader's quote is found in the article whatever its case, spacing and quote style."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrections.reports.passages import QUOTE_CHARS, QUOTE_CLASS, find_passage, passage_in_text


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


def one_pattern_search(passage: str, text: str) -> tuple[int, int] | None:
    """The passage's words joined by \\s+ in one case-blind pattern: what find_passage must find."""
    words = unicodedata.normalize("NFKC", passage).strip().strip("\"'‘’“”«» ").split()
    if not words:
        return None
    pattern = r"\s+".join("".join(QUOTE_CLASS if ch in QUOTE_CHARS else re.escape(ch) for ch in word) for word in words)
    found = re.search(pattern, unicodedata.normalize("NFKC", text), re.IGNORECASE)
    return found.span() if found else None


PIECES = st.sampled_from(["the", "The", "THE", "mayor", "said", "“", "”", '"', "'", "’", "it’s", "It's", "ß", "SS",
                          "ﬁ", "ǅ", "£2.4", "(", ".*", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "\x1c", "é", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40), st.lists(PIECES, min_size=1, max_size=6))
def test_find_passage_finds_what_one_pattern_of_the_words_would_find(text_pieces, passage_pieces):
    text, passage = "".join(text_pieces), "".join(passage_pieces)
    assert find_passage(passage, text) == one_pattern_search(passage, text)
    # A passage taken from the text is found, at its first place.
    assert find_passage(text[3:20], text) == one_pattern_search(text[3:20], text)
