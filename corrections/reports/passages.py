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


def find_passage(passage: str, text: str) -> re.Match | None:
    """The passage in the original text (not the normalised one), for highlighting it."""
    words = unicodedata.normalize("NFKC", passage).strip().strip("\"'‘’“”«» ").split()
    if not words:
        return None
    pattern = r"\s+".join(
        "".join(QUOTE_CLASS if ch in QUOTE_CHARS else re.escape(ch) for ch in word) for word in words
    )
    return re.search(pattern, unicodedata.normalize("NFKC", text), re.IGNORECASE)


def passage_in_text(passage: str, text: str) -> bool:
    return locate_passage(passage, text) is not None


def passage_key(passage: str) -> str:
    """What reports on the same words share, whatever their case, spacing and quotes; "" without a passage."""
    needle = passage_needle(passage)
    return hashlib.sha256(needle.encode()).hexdigest() if needle else ""
