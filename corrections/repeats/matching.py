"""Finding a known error's wrong words in a text, verbatim or lightly reworded, and never its right words.

A published correction knows the words it fixed (`wrong`, "Turnover rose 6 per cent to £4.2bn") and often the
words that replaced them (`right`, "rose 10.5 per cent"). Texts are compared as tokens, words and numbers, each
folded (NFKC, lower case, thousands separators and invisible joiners gone), so case, quotes, dashes, spacing and
punctuation never matter; every token remembers where it stands, so a match is reported at its place in the text
as given (and, for HTML, in the HTML: `html_text`).

A passage of a text repeats a known error when
- it aligns with the wrong words with few changes: a Levenshtein distance on tokens (the passage's ends free) of
  at most (1 - SIMILARITY) of the wrong words' length, so a few words may be changed, added or dropped;
- it carries every *required* token: the wrong words' numbers and names (words with a capital inside the
  sentence: people, places, days) and the words the correction replaced ("6");
- it does not align at least as well with the corrected words (the wrong words with the right ones put in):
  "Turnover rose 10.5 per cent to £4.2bn" is the right version, not a rewording of the wrong one.
So numbers, names and the words that differ between wrong and right decide; the rest may be reworded. A wrong
text too short or common to say anything (MIN_TOKENS, MIN_CONTENT_TOKENS) is never matched: `compile_error` gives
None, and `Index.build` keeps such errors aside (`Index.ignored`).

A compiled error can be kept as a line of text (`Pattern.stored`, read back by `Pattern.from_stored` in a fraction of
the time compiling takes) with the `fingerprint` of the words and rule it was compiled from.

`Index.build(errors).find(text)` checks a text against many known errors (a draft before it is published): each
error is filed under one or a few of its rarest tokens, so a text only looks at the errors that share one with it.
`match_one(error, text)` scores one error against one text (the sweep of the archive), after `quick_test` and a
database prefilter (`prefilter_terms`) have left out the texts that cannot match. Everything here is pure.
bench/repeats.py measures recall, precision and time (bench/README.md, "Repeated errors").
"""

import functools
import hashlib
import html
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

# The least share of the wrong words' tokens a passage must keep in place (bench/README.md: how it was chosen).
SIMILARITY = 0.75
# Shorter or commoner wrong texts would match everywhere ("rose 6 per cent"): they are not matched at all.
MIN_TOKENS = 5
MIN_CONTENT_TOKENS = 3

# Characters that may sit inside a word without splitting it: soft hyphen, zero-width spaces and joiners, BOM,
# and combining marks (a decomposed "é" is e + U+0301).
JOINERS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_JOINERS_GONE = dict.fromkeys(map(ord, JOINERS))
# A token: a number (1,200 / 4.2 / 3,5), a word (letters, any script), or a currency or per cent sign.
# (Runs of letters are taken a run at a time: the same tokens as one letter at a time, read faster.)
TOKEN = re.compile(rf"\d+(?:[.,]\d+)*|(?:[^\W\d_]+|[{JOINERS}\u0300-\u036f])+|[£$€¥%]")
THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
# Words too common to tell one sentence from another: a wrong text needs MIN_CONTENT_TOKENS others.
STOPWORDS = frozenset("""
a an the and or but of to in on at by for with from as into onto over under about after before than then
is are was were be been being has have had do does did will would shall should can could may might must
it its it's this that these those there their they them he she his her him we our us you your i me my
not no so if who whom which what when where why how all any some more most such very also just up out
said says say per cent s
""".split())


# --- Tokens.

@functools.lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """A token as it is compared: NFKC, lower case (as SQLite FTS5 and PostgreSQL fold it, so the prefilter's
    terms are the index's), no joiners; numbers in ASCII digits without thousands separators."""
    token = unicodedata.normalize("NFKC", token).lower()
    if not token.isascii():
        token = token.translate(_JOINERS_GONE)
        if token[:1].isdigit():
            token = "".join(str(unicodedata.decimal(char, char)) for char in token)
    if THOUSANDS.fullmatch(token):
        token = token.replace(",", "")
    return token


class Tokens(NamedTuple):
    """A text's tokens, folded, each with the place in the text it was read from."""

    words: list[str]
    starts: list[int]
    ends: list[int]


# Words that write the same number another way ("6 per cent" is "6%", "£4.2 billion" is "£4.2bn"): one token.
SAME_AS = {"percent": "%", "billion": "bn", "million": "m", "trillion": "tn"}
TWO_WORDS_SAME_AS = {("per", "cent"): "%"}


_SECOND_WORDS = frozenset(second for _, second in TWO_WORDS_SAME_AS)


@functools.lru_cache(maxsize=65536)
def _token(raw: str) -> str:
    """A token as read from the text: folded, and as SAME_AS writes it ("" when nothing is left)."""
    word = fold(raw)
    return SAME_AS.get(word, word)


def tokenise(text: str, start: int = 0, end: int | None = None) -> Tokens:
    """The tokens of the text (or of text[start:end], which should not cut a word), with their places in it."""
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for found in TOKEN.finditer(text, start, len(text) if end is None else end):
        word = _token(found.group())
        if not word:
            continue
        if word in _SECOND_WORDS and words and (words[-1], word) in TWO_WORDS_SAME_AS:
            words[-1] = TWO_WORDS_SAME_AS[words[-1], word]
            ends[-1] = found.end()
            continue
        words.append(word)
        first, last = found.span()
        starts.append(first)
        ends.append(last)
    return Tokens(words, starts, ends)


def _has_joiner(text: str) -> bool:
    return any(joiner in text for joiner in JOINERS)  # quicker than a regular expression's character class


def _without_joiners(text: str) -> str:
    for joiner in JOINERS:
        text = text.replace(joiner, "")  # quicker than str.translate on long texts
    return text


def is_number(token: str) -> bool:
    return token[:1].isdigit()


def normalise(text: str) -> str:
    """A text as the matcher sees it: its folded tokens, one space apart."""
    return " ".join(tokenise(text).words)


# --- HTML.

# Comments, elements whose content no reader sees (with that content), tags, and character references.
_MARKUP = re.compile(r"<!--.*?(?:-->|$)|<(script|style|template)\b[^>]*>.*?(?:</\1\s*>|$)|</?[a-zA-Z][^>]*>?"
                     r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?", re.DOTALL | re.IGNORECASE)
# Tags after which the text that follows is another block: they part words (and passages) as a blank line does.
_BLOCK = re.compile(r"</?\s*(p|div|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|figure|figcaption|br|hr|tr|td|th|table|"
                    r"section|article|header|footer|pre)\b", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlText:
    """The text a reader sees in some HTML, and for each of its characters where in the HTML it comes from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Where the text's characters start:end (end > start) come from in the HTML."""
        return self.starts[start], self.ends[end - 1]


def html_text(source: str) -> HtmlText:
    """The visible text of an HTML page or fragment, with a map back to the HTML: markup dropped (a block tag
    parts paragraphs with a blank line), character references read, scripts, styles and comments left out."""
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0

    def add(chars: str, start: int, end: int) -> None:
        text.append(chars)
        starts.extend([start] * len(chars))
        ends.extend([end] * len(chars))

    for markup in _MARKUP.finditer(source):
        for index in range(position, markup.start()):
            add(source[index], index, index + 1)
        token = markup.group(0)
        if token.startswith("&"):
            add(html.unescape(token), *markup.span())
        elif _BLOCK.match(token) and text and text[-1] != "\n\n":
            add("\n\n", *markup.span())
        position = markup.end()
    for index in range(position, len(source)):
        add(source[index], index, index + 1)
    if text and text[-1] == "\n\n":  # a last block's end parts it from nothing
        text.pop()
        del starts[-2:], ends[-2:]
    return HtmlText("".join(text), tuple(starts), tuple(ends))


# --- Known errors.

@dataclass(frozen=True, slots=True)
class KnownError:
    """A corrected error: its id (a notice's, for instance), the wrong words it fixed and the right ones.

    Once compiled, a pattern needs only its tokens: a caller that keeps many (repeats/checks) may give the patterns
    it reads back (Pattern.from_stored) an error with its words left out ("") and look the words up by id for
    what it finds."""

    id: Hashable
    wrong: str
    right: str = ""


@dataclass(frozen=True)
class Match:
    """A known error found in a text: where (start:end in the text searched), the words there, how alike (0-1)."""

    error: KnownError
    start: int
    end: int
    text: str
    score: float


class Pattern:
    """A known error ready to be looked for (compile_error), or read back from its stored form (from_stored).

    Many are kept at once (an Index of every known error), so a pattern holds only what finding it needs, its
    tokens shared with the other patterns' (sys.intern); the rest is worked out when asked for."""

    __slots__ = ("error", "wrong", "required", "edits", "_fix", "_strings")

    def __init__(self, error: KnownError, wrong: tuple[str, ...], corrected: tuple[str, ...],
                 required: Iterable[str], edits: int) -> None:
        self.error = error
        self.wrong = wrong
        # Tokens every match carries: the wrong words' numbers and names, and the words the correction replaced.
        self.required: tuple[str, ...] = tuple(sorted(set(required)))
        # How many token changes (Levenshtein) a match may have.
        self.edits = edits
        # The corrected words as the wrong ones with wrong[start:end] replaced by `words`: (start, end, *words),
        # None without right words. Most of a corrected sentence is the wrong one's: only what differs is kept.
        if corrected:
            start, end, words = _difference(wrong, corrected)
            self._fix: tuple | None = (start, end, *words)
        else:
            self._fix = None
        self._strings: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # quick_test's, once asked for

    @property
    def corrected(self) -> tuple[str, ...]:
        """The wrong words with the right ones put in; empty without right words."""
        if self._fix is None:
            return ()
        start, end, *words = self._fix
        return self.wrong[:start] + tuple(words) + self.wrong[end:]

    @property
    def distinct(self) -> frozenset[str]:
        return frozenset(self.wrong)

    def stored(self) -> str:
        """The pattern as a line of text, for a database to keep (from_stored reads it back, several times quicker
        than JSON would be): compiling is the costly part of building an Index, reading this back is not.

        Its parts (edits, where the right words go, the wrong, required and right tokens) are parted by
        _PARTS and the tokens by _TOKENS: control characters, which a token never holds."""
        start, end, *words = self._fix if self._fix else ("", "")
        return _PARTS.join((str(self.edits), str(start), str(end), _TOKENS.join(self.wrong),
                            _TOKENS.join(self.required), _TOKENS.join(words)))

    @classmethod
    def from_stored(cls, error: KnownError, stored: str) -> "Pattern":
        """The pattern `stored` gave, for the error it was compiled from: the caller knows it is that one (it
        was stored with the error's `fingerprint`, and the fingerprint is the same)."""
        edits, start, end, wrong, required, words = stored.split(_PARTS)
        pattern = cls.__new__(cls)
        pattern.error = error
        pattern.wrong = tuple(map(sys.intern, wrong.split(_TOKENS)))
        pattern.required = tuple(map(sys.intern, required.split(_TOKENS))) if required else ()
        pattern.edits = int(edits)
        pattern._fix = (int(start), int(end), *map(sys.intern, words.split(_TOKENS) if words else ())) if (
            start) else None
        pattern._strings = None
        return pattern

    def _corrected_longer_by(self) -> int:
        """How many tokens longer the corrected words are than the wrong ones (without making them)."""
        if self._fix is None:
            return 0
        start, end = self._fix[:2]
        return len(self._fix) - 2 - (end - start)

    def _to_find(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """quick_test's strings: what every match has (the required numbers' digits and words), and the other
        words a text writes as they are here, longest (likely rarest) first."""
        if self._strings is None:
            found_as_written = [word for word in self.distinct
                                if word[0].isalpha() and word not in WRITTEN_OTHERWISE]
            every = tuple(_digits_to_find(token) for token in self.required if is_number(token)) + tuple(
                word for word in found_as_written if word in self.required)
            others = tuple(sorted((word for word in found_as_written if word not in self.required), key=len,
                                  reverse=True))
            self._strings = every, others
        return self._strings

    def find(self, text: str, tokens: Tokens | None = None,
             positions: dict[str, list[int]] | None = None) -> list[Match]:
        """Every place in `text` that repeats the error, in order (tokens and positions: the text's, if known).

        Without its tokens, only the parts of the text around a required word or number are read."""
        if tokens is None:
            regions = self._regions(text)
            if regions is not None:
                return [match for start, end in regions for match in self.find(text, tokenise(text, start, end))]
            tokens = tokenise(text)
        positions = positions or _positions(tokens.words)
        for token in self.required:
            if token not in positions:
                return []
        distinct = self.distinct
        if sum(word in positions for word in distinct) < len(distinct) - self.edits:
            return []
        found: list[Match] = []
        for low, high in self._windows(positions, len(tokens.words)):
            match = self._match_in(text, tokens, low, high)
            if match is None:
                continue
            if found and match.start < found[-1].end:  # the same place seen from two anchors: the better
                if match.score > found[-1].score:
                    found[-1] = match
            else:
                found.append(match)
        return found

    def best(self, text: str) -> Match | None:
        """The place in `text` most like the error, or None when nothing there repeats it."""
        return max(self.find(text), key=lambda match: match.score, default=None)

    def quick_test(self, lowered_text: str) -> bool:
        """False when `lowered_text` (a text's .lower()) cannot hold a match, without reading its tokens: a
        required number or word is missing, or too many of the other words are. True says nothing for sure.

        It looks for the strings as written here: a text that writes them in full-width or other compatibility
        forms, or with digits of another script, may be left out by it."""
        if _has_joiner(lowered_text):
            lowered_text = _without_joiners(lowered_text)
        every, others = self._to_find()
        if not all(string in lowered_text for string in every):
            return False
        missing = 0
        for word in others:
            if word not in lowered_text:
                missing += 1
                if missing > self.edits:
                    return False
        return True

    def _regions(self, text: str) -> list[tuple[int, int]] | None:
        """The parts of the text a match could be in, cut between words: around each place of the required
        string the text has fewest of, as far as three times the wrong words' length and 100 characters
        either way. None when there is no such string, or when folding would move the text's characters
        (joiners inside words, NFKC forms of another length): then the whole text is read."""
        every, _ = self._to_find()
        if not every or _has_joiner(text):
            return None
        lowered = unicodedata.normalize("NFKC", text).lower()
        if len(lowered) != len(text):
            return None
        anchor = min(every, key=lowered.count)
        reach = 3 * len(self.error.wrong) + 100
        regions: list[tuple[int, int]] = []
        place = lowered.find(anchor)
        while place >= 0:
            start, end = max(0, place - reach), min(len(text), place + len(anchor) + reach)
            while start > 0 and not text[start - 1].isspace():
                start -= 1
            while end < len(text) and not text[end].isspace():
                end += 1
            if regions and start <= regions[-1][1]:
                regions[-1] = (regions[-1][0], end)
            else:
                regions.append((start, end))
            place = lowered.find(anchor, place + 1)
        return regions

    def _windows(self, positions: dict[str, list[int]], length: int) -> list[tuple[int, int]]:
        """The stretches of the text's tokens a match could lie in, in order: around each place of an anchor.

        Anchors: the required token the text has fewest of, which every match carries; without required tokens,
        the edits + 1 tokens of the wrong words the text has fewest of, one of which every match carries. Of
        tokens the text has as often, the first in sorted order: the same windows in every process."""
        if self.required:
            anchors = [min(self.required, key=lambda word: len(positions[word]))]
        else:
            anchors = sorted(self.distinct, key=lambda word: (len(positions.get(word, ())), word))[:self.edits + 1]
        slack = self.edits + max(0, self._corrected_longer_by())
        return sorted({(max(0, place - index - slack), min(length, place + len(self.wrong) - index + slack))
                       for anchor in anchors for index, word in enumerate(self.wrong) if word == anchor
                       for place in positions.get(anchor, ())})

    def _match_in(self, text: str, tokens: Tokens, low: int, high: int) -> Match | None:
        window = tokens.words[low:high]
        # Each token of the wrong words found nowhere in the window is a change at least: a quick lower bound.
        present = set(window)
        if sum(token not in present for token in self.wrong) > self.edits:
            return None
        cost, first, last = align(self.wrong, window, self.edits)
        score = 1 - cost / len(self.wrong)
        if cost > self.edits or first == last:
            return None
        required = Counter(token for token in self.wrong if token in self.required)
        if required - Counter(window[first:last]):  # each required token as often as in the error
            return None
        corrected = self.corrected
        if corrected:
            right_cost, _, _ = align(corrected, window)
            if 1 - right_cost / len(corrected) >= score:
                return None
        start, end = tokens.starts[low + first], tokens.ends[low + last - 1]
        return Match(self.error, start, end, text[start:end], round(score, 3))


# Separators of a stored pattern: control characters, which no token holds (TOKEN reads none, and NFKC makes
# none of what it reads).
_PARTS, _TOKENS = "\x1e", "\x1f"


def fingerprint(error: KnownError) -> str:
    """What a pattern compiled from the error depends on: its wrong and right words and the rule that compiles
    them (this module's code and settings, and the Unicode data that folds tokens), as a digest. A pattern
    stored with the same fingerprint is what compile_error would make of the error now."""
    digest = _rule_digest(SIMILARITY, MIN_TOKENS, MIN_CONTENT_TOKENS).copy()
    digest.update(f"{error.wrong}\x00{error.right}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def _rule_digest(*settings: object):
    rule = f"{_source_digest()} {settings} {unicodedata.unidata_version} {sys.version_info[:2]}"
    return hashlib.blake2b(rule.encode(), digest_size=16)


@functools.cache
def _source_digest() -> str:
    """This module's source, as a digest: any change to the rules here (tokens, names, the corrected words)
    changes every fingerprint, so patterns stored by an earlier version are compiled again."""
    try:
        return hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16).hexdigest()
    except OSError:  # no source to read (a frozen build): the version of the package stands for it
        return version("corrections")


def _positions(words: list[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = defaultdict(list)
    for index, word in enumerate(words):
        positions[word].append(index)
    return positions


def _digits_to_find(number: str) -> str:
    """What a text holding this folded number has among its characters: its last three digits when thousands
    separators may have been folded away (1200 from "1,200"), else the number as it is."""
    return number[-3:] if number.isdigit() else number


def align(pattern: tuple[str, ...] | list[str], window: list[str], limit: int | None = None) -> tuple[int, int, int]:
    """The fewest token changes (substitutions, insertions, deletions) that turn some stretch of `window` into
    `pattern`, and that stretch (first, last: window[first:last]). Its ends are free: Sellers' algorithm.

    With a limit, a cost above it may be given as limit + 1 (the work stops when no stretch can do better)."""
    columns = len(window)
    previous = [0] * (columns + 1)
    previous_start = list(range(columns + 1))
    for row, token in enumerate(pattern, 1):
        current = [row] + [0] * columns
        current_start = [0] * (columns + 1)
        for column in range(1, columns + 1):
            cost = previous[column - 1] + (token != window[column - 1])
            start = previous_start[column - 1]
            if previous[column] + 1 < cost:
                cost, start = previous[column] + 1, previous_start[column]
            if current[column - 1] + 1 < cost:
                cost, start = current[column - 1] + 1, current_start[column - 1]
            current[column] = cost
            current_start[column] = start
        previous, previous_start = current, current_start
        if limit is not None and min(current) > limit:
            return limit + 1, 0, 0
    # Of equally good stretches, the longest: a changed last word is part of the passage, not left out of it.
    last = min(range(columns + 1), key=lambda column: (previous[column], -column))
    return previous[last], previous_start[last], last


def _corrected(wrong: tuple[str, ...], right: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The wrong words with the right ones put in where they differ, and the wrong words the right ones replace.

    The right words may be the whole corrected sentence or only its changed part with a word or two around it
    ("rose 10.5 per cent"): they replace the stretch of the wrong words that begins with their first word and
    ends with their last, the most alike if there are several; failing such a stretch, the one they align
    with best. Right words with nothing in common with the wrong ones stand for the whole corrected text."""
    # Candidates by the least distance they could have (their difference in length), so that most are ruled
    # out by that alone or after a few rows of the distance's table: the one chosen is the same.
    candidates = sorted((abs(last + 1 - first - len(right)), first, last + 1)
                        for first, word in enumerate(wrong) if word == right[0]
                        for last in range(first, len(wrong)) if wrong[last] == right[-1])
    best = None
    for length_difference, first, last in candidates:
        if best is not None and length_difference > best[0]:
            break
        distance = _distance(right, wrong[first:last], None if best is None else best[0])
        if best is None or (distance, length_difference, first, last) < best:
            best = (distance, length_difference, first, last)
    if best is not None:
        _, _, first, last = best
    else:
        cost, first, last = align(right, list(wrong))
        if cost >= len(right):
            return right, frozenset()
    return wrong[:first] + right + wrong[last:], frozenset(wrong[first:last]) - frozenset(right)


def _distance(one: tuple[str, ...], other: tuple[str, ...], limit: int | None = None) -> int:
    """Levenshtein's distance between two sequences of tokens; with a limit, a distance above it may be given as
    limit + 1 (the work stops when it cannot be the limit or less)."""
    # What both begin and end with costs nothing: only the rest is compared.
    start, one_end, other = _difference(one, other)
    one = one[start:one_end]
    if not one or not other:
        return len(one) + len(other)
    if limit is not None and abs(len(one) - len(other)) > limit:
        return limit + 1
    previous = list(range(len(other) + 1))
    for row, token in enumerate(one, 1):
        current = [row]
        for column, other_token in enumerate(other, 1):
            current.append(min(previous[column] + 1, current[column - 1] + 1,
                               previous[column - 1] + (token != other_token)))
        previous = current
        if limit is not None and min(current) > limit:
            return limit + 1
    return previous[-1]


def _difference(wrong: tuple[str, ...], corrected: tuple[str, ...]) -> tuple[int, int, tuple[str, ...]]:
    """(start, end, words): the corrected tokens are the wrong ones with wrong[start:end] replaced by words."""
    start, wrong_end, corrected_end = 0, len(wrong), len(corrected)
    while start < wrong_end and start < corrected_end and wrong[start] == corrected[start]:
        start += 1
    while wrong_end > start and corrected_end > start and wrong[wrong_end - 1] == corrected[corrected_end - 1]:
        wrong_end -= 1
        corrected_end -= 1
    return start, wrong_end, corrected[start:corrected_end]


def matchable(wrong: str | Iterable[str]) -> bool:
    """Whether wrong words are long and particular enough to be looked for (MIN_TOKENS, MIN_CONTENT_TOKENS)."""
    tokens = tokenise(wrong).words if isinstance(wrong, str) else list(wrong)
    content = {token for token in tokens if token not in STOPWORDS and (len(token) > 1 or is_number(token))}
    return len(tokens) >= MIN_TOKENS and len(content) >= MIN_CONTENT_TOKENS


# What may come before a word that starts a sentence (so its capital says nothing).
SENTENCE_START = re.compile(r"[.!?:;\"“”‘’'«»(\[—–-]\s*$")


def names(text: str, tokens: Tokens) -> frozenset[str]:
    """The folded words written with a capital inside a sentence: names of people, places, organisations, days
    and months, which tell one fact from another as numbers do. None in a text written all in capitals or
    all in lower case."""
    raw = [text[start:end] for start, end in zip(tokens.starts, tokens.ends, strict=True)]
    letters = "".join(word for word in raw if word[0].isalpha())
    if letters.isupper() or letters.islower():
        return frozenset()
    found = set()
    for number, word in enumerate(raw):
        folded = tokens.words[number]
        if not word[0].isupper() or folded in STOPWORDS or len(folded) < 2 or number == 0:
            continue
        if not SENTENCE_START.search(text, tokens.ends[number - 1], tokens.starts[number]):
            found.add(folded)
    return frozenset(found)


def compile_error(error: KnownError) -> Pattern | None:
    """The error ready to be looked for, or None when its wrong words are too short or common (matchable)."""
    read = tokenise(error.wrong)
    wrong = tuple(map(sys.intern, read.words))  # shared with every other pattern's
    if not matchable(wrong):
        return None
    right = tuple(map(sys.intern, tokenise(error.right).words)) if error.right else ()
    corrected, replaced = _corrected(wrong, right) if right else ((), frozenset())
    if corrected == wrong:
        corrected = ()
    required = frozenset(token for token in wrong if is_number(token)) | names(error.wrong, read) | replaced
    edits = int((1 - SIMILARITY) * len(wrong) + 1e-9)
    return Pattern(error, wrong, corrected, required, edits)


def match_one(error: KnownError | Pattern, text: str) -> Match | None:
    """The best place in `text` that repeats the error, or None (the archive sweep's test of one article)."""
    pattern = error if isinstance(error, Pattern) else compile_error(error)
    return pattern.best(text) if pattern is not None else None


class Prefilter(NamedTuple):
    """Words a text must have to hold a match: every one of `all_of` and at least one of `any_of` (empty: no
    such condition). Folded as SQLite FTS5 (unicode61) and PostgreSQL's "simple" configuration fold words; a
    number with a decimal point or comma is one term here but two words to FTS5 (quote it: a phrase)."""

    all_of: tuple[str, ...]
    any_of: tuple[str, ...]


def prefilter_terms(error: KnownError | Pattern, frequency: Callable[[str], int] | None = None,
                    indexed: Callable[[str], bool] | None = None) -> Prefilter | None:
    """What a database's full-text index can be asked for, to read only the articles that may repeat the
    error: its required tokens, and edits + 1 of its other words (at most `edits` are missing from a match, so
    one of them is there), the rarest by `frequency` (documents per word, when the index can tell) or else the
    longest, of the words the index holds as this module reads them (`indexed`, when it holds only some). Numbers
    of four digits or more, which the text may write with thousands separators, and signs (£, %) are left out.
    None when the error is never matched."""
    pattern = error if isinstance(error, Pattern) else compile_error(error)
    if pattern is None:
        return None
    searchable = [token for token in pattern.distinct
                  if token[0].isalnum() and not _may_be_grouped(token) and token not in WRITTEN_OTHERWISE]
    all_of = tuple(sorted(token for token in searchable if token in pattern.required))
    others = [token for token in searchable if token not in pattern.required and (indexed is None or indexed(token))]
    # Stopwords only when there are not enough other words: they narrow nothing down.
    rarity = (lambda token: (token in STOPWORDS, frequency(token), -len(token), token)) if frequency else (
        lambda token: (token in STOPWORDS, -len(token), token))
    any_of = tuple(sorted(others, key=rarity)[:pattern.edits + 1])
    # Fewer than edits + 1 words cannot promise that one of them is in every match.
    return Prefilter(all_of, any_of if len(any_of) == pattern.edits + 1 else ())


# Tokens a text may write otherwise (SAME_AS): not words an index of the text's own words can be asked for.
WRITTEN_OTHERWISE = frozenset(SAME_AS.values()) | frozenset(TWO_WORDS_SAME_AS.values())


def _may_be_grouped(token: str) -> bool:
    return token.isdigit() and len(token) > 3


# --- Many known errors at once.

@dataclass(frozen=True, slots=True)
class Index:
    """Many known errors, each filed under a few of its tokens, ready to be found in a text (Index.build)."""

    patterns: tuple[Pattern, ...]
    # token -> the patterns (their indexes) filed under it; a text only looks at those filed under its tokens.
    postings: dict[str, tuple[int, ...]]
    # The known errors left out: their wrong words are too short or common (matchable).
    ignored: tuple[KnownError, ...] = ()

    @classmethod
    def build(cls, errors: Iterable[KnownError | Pattern], ignored: Iterable[KnownError] = ()) -> "Index":
        """Each error filed where it costs the text least to look: under the one required token fewest errors
        share (every match carries it), or else under the edits + 1 tokens of its wrong words fewest errors share
        (every match carries one of them), whichever makes fewer errors share its postings.

        Errors may come compiled already (a Pattern, from an earlier index's `patterns` or read back from its
        stored form), and those known to be too short or common may come as `ignored`: an index built again
        after a few errors changed compiles only those."""
        patterns, ignored = [], list(ignored)
        for error in errors:
            pattern = error if isinstance(error, Pattern) else compile_error(error)
            (patterns.append(pattern) if pattern else ignored.append(error))
        shared: Counter = Counter()
        for pattern in patterns:
            shared.update(set(pattern.wrong))
        # Every token's place in the order fewest shared first (then by the token): a pattern's rarest tokens
        # are its tokens sorted by it.
        rank = {token: place for place, token in enumerate(sorted(shared, key=lambda token: (shared[token], token)))}
        postings: dict[str, list[int]] = defaultdict(list)
        for number, pattern in enumerate(patterns):
            for key in _keys(pattern, shared, rank):
                postings[key].append(number)
        return cls(tuple(patterns), {key: tuple(found) for key, found in postings.items()}, tuple(ignored))

    def __len__(self) -> int:
        return len(self.patterns)

    def find(self, text: str) -> list[Match]:
        """Every known error the text repeats, where, in the order of the text."""
        tokens = tokenise(text)
        positions = _positions(tokens.words)
        candidates = set()
        for word in positions:
            candidates.update(self.postings.get(word, ()))
        found = [match for number in candidates for match in self.patterns[number].find(text, tokens, positions)]
        return sorted(found, key=lambda match: (match.start, -match.score, str(match.error.id)))


def _keys(pattern: Pattern, shared: Counter, rank: dict[str, int]) -> tuple[str, ...]:
    rarest = sorted(set(pattern.wrong), key=rank.__getitem__)[:pattern.edits + 1]
    if pattern.required:
        required = min(pattern.required, key=rank.__getitem__)
        if shared[required] <= sum(map(shared.__getitem__, rarest)):
            return (required,)
    return tuple(rarest)
