"""Passages: finding the words a reader quoted in an article's text, whatever their case, spacing and quotes.

A report's passage is kept with where it sits in the article (filing.py), grouped with earlier reports on the
same words (its key), and anchored to the revision it was filed against (anchors.py).
"""

import functools
import hashlib
import re
import unicodedata

QUOTES_MAP = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‹": "'", "›": "'",
}
QUOTES = str.maketrans(QUOTES_MAP)
QUOTES_FROM = tuple(QUOTES_MAP)
QUOTE_CHARS = set(QUOTES_FROM) | {"'", '"'}


def normalise_for_match(text: str) -> str:
    """Fold case, spacing and quote style so a quoted passage matches the article text."""
    text = unicodedata.normalize("NFKC", text).translate(QUOTES).casefold()
    return " ".join(text.split())


def passage_needle(passage: str) -> str:
    """The passage as it is searched for: normalised, without the quotes readers put around it."""
    return normalise_for_match(passage).strip("\"' ")


@functools.lru_cache(maxsize=512)
def normalised_text(text: str) -> str:
    """normalise_for_match of an article's text, kept for the articles reported on lately.

    Keyed by the text itself, so an edited article is normalised afresh and nothing is ever stale.
    """
    return normalise_for_match(text)


def locate_passage(passage: str, text: str) -> tuple[int, int] | None:
    """Where the passage sits in the normalised text, or None when it is not there."""
    needle = passage_needle(passage)
    start = normalised_text(text).find(needle) if needle else -1
    return (start, start + len(needle)) if start >= 0 else None


QUOTE_CLASS = "[" + re.escape("'\"`´" + "".join(QUOTES_FROM)) + "]"
SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=512)
def nfkc_text(text: str) -> str:
    """An article's text in NFKC, the form passages are found in, kept for the articles reported on lately."""
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=4096)
def _word_pattern(word: str) -> re.Pattern:
    return re.compile("".join(QUOTE_CLASS if ch in QUOTE_CHARS else re.escape(ch) for ch in word), re.IGNORECASE)


def find_passage(passage: str, text: str) -> tuple[int, int] | None:
    """Where the passage is in the original text (NFKC, not the normalised one), for anchoring and highlighting
    it: its words in order, each ignoring case and quote style, with any spacing between them; the first place.

    As re.search would find the words joined by \\s+ in one pattern, without compiling a pattern for each
    passage (most passages are new; their words are not): a word never starts with a space, so the spacing
    between two words is all of the spacing there.
    """
    words = unicodedata.normalize("NFKC", passage).strip().strip("\"'‘’“”«» ").split()
    if not words:
        return None
    text = nfkc_text(text)
    first, rest = _word_pattern(words[0]), [_word_pattern(word) for word in words[1:]]
    found = first.search(text)
    while found is not None:
        end = found.end()
        for pattern in rest:
            spacing = SPACES.match(text, end)
            word = pattern.match(text, spacing.end()) if spacing else None
            if word is None:
                break
            end = word.end()
        else:
            return found.start(), end
        found = first.search(text, found.start() + 1)
    return None


def passage_in_text(passage: str, text: str) -> bool:
    return locate_passage(passage, text) is not None


def passage_key(passage: str) -> str:
    """What reports on the same words share, whatever their case, spacing and quotes; "" without a passage."""
    needle = passage_needle(passage)
    return hashlib.sha256(needle.encode()).hexdigest() if needle else ""
