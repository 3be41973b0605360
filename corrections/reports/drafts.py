"""Drafts from a report for the editor to start from: the notice's first wording, and the words that replace the
reported passage in the article's text.

A draft quotes the article's own words (the passage as found in its text, anchors.place), not the reader's
typing, and reads as a clean sentence: no quotes inside quotes, no doubled spaces, no doubled stop after a
quotation that ends a sentence of its own.
"""

import re
from difflib import SequenceMatcher

from flask_babel import gettext

from corrections.languages import speaking
from corrections.models import Report
from corrections.reports import anchors
from corrections.reports.passages import QUOTE_CHARS

# Quotes a reader (or an article) puts around a quotation, double and single, straight and curly.
DOUBLE_QUOTES = '"“”„‟«»″'
SINGLE_QUOTES = "'‘’‚‛‹›′`´"
# Curly quotes keep their direction: double ones become the single ones of the same side.
CURLY = {"“": "‘", "”": "’", "‘": "‘", "’": "’"}
OPENING_BEFORE = set(" \t\n([{—–-/")
# How much a suggestion must share with the passage (by words, difflib's ratio) to be read as its replacement
# rather than a remark about it ("said the group's chair, Martin Gale" suggested for a quotation).
REPLACEMENT_LIKENESS = 0.5
SENTENCE_END = ".!?…؟"

# Runs of spaces, but the no-break spaces French typography puts inside « » and before : ; ? ! (kept as typed).
SPACES = re.compile(r"[^\S\n\u00a0\u202f]+")
SPACE_BEFORE_PUNCTUATION = re.compile(r" +([,.;:!?])")
# Closing quotes of the catalogs' languages: ” ’ (English), “ ‘ (German), » › (French, Spanish, Arabic).
CLOSING = "”’“‘»›\"')"
# Commas, semicolons and colons, Arabic's (، ؛) too.
PAUSES = ",;:،؛"
# A stop after a quotation that already ended its sentence ("…earlier.”."), or after a comma, semicolon or
# colon left at its end ("…turns out,”.").
STOP_AFTER_END = re.compile(rf"(?<!\.)(\.{{3}}|[{SENTENCE_END}])((?:[\u00a0\u202f]?[{CLOSING}])*)\.(?!\.)")
STOP_AFTER_PAUSE = re.compile(rf"[{PAUSES}]((?:[\u00a0\u202f]?[{CLOSING}])*)\.(?!\.)")
DOUBLED_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def quotable(words: str) -> str:
    """Words made ready to sit inside “…”: spacing collapsed, the outer quotes someone put around them removed,
    the quotes inside made single curly ones (‘…’, and ’ for an apostrophe), no comma, semicolon or colon left
    at the end (it belonged to the sentence they were cut from)."""
    text = one_spaced(words)
    text = strip_outer_quotes(text)
    text = text.rstrip(PAUSES + " ")
    out = []
    for index, char in enumerate(text):
        if char in CURLY:
            out.append(CURLY[char])
        elif char in DOUBLE_QUOTES or char in SINGLE_QUOTES:
            # A straight quote (or another style's) opens after a space or an opening bracket, else closes.
            before = text[index - 1] if index else " "
            out.append("‘" if before in OPENING_BEFORE or before in "‘“" else "’")
        else:
            out.append(char)
    return "".join(out).strip()


def one_spaced(text: str) -> str:
    """Text on one line with single spaces between words, its no-break spaces kept."""
    return SPACES.sub(" ", text.replace("\n", " ")).strip()


def strip_outer_quotes(text: str) -> str:
    """The text without the quotes someone put around it: a pair at both ends with no quote of its kind inside
    (an apostrophe within a word does not count), or a double quote at one end that closes or opens nothing
    inside. An apostrophe that starts or ends a word stays."""
    text = text.strip()
    while len(text) > 1:
        kind = DOUBLE_QUOTES if text[0] in DOUBLE_QUOTES else SINGLE_QUOTES if text[0] in SINGLE_QUOTES else ""
        inner = text[1:-1]
        if not kind or text[-1] not in kind or any(
                char in kind and not (0 < i < len(inner) - 1 and inner[i - 1].isalnum() and inner[i + 1].isalnum())
                for i, char in enumerate(inner)):
            break
        text = inner.strip()
    if sum(char in DOUBLE_QUOTES for char in text) % 2:
        if text[:1] in DOUBLE_QUOTES:
            text = text[1:].strip()
        elif text[-1:] in DOUBLE_QUOTES:
            text = text[:-1].strip()
    return text


def tidy(text: str) -> str:
    """A drafted text as a clean sentence: single spaces, no space before punctuation, no doubled stop."""
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    text = SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    text = STOP_AFTER_END.sub(r"\1\2", text)
    text = STOP_AFTER_PAUSE.sub(r"\1.", text)
    return DOUBLED_STOP.sub(".", text)


def notice_text(quoted: str, suggestion: str) -> str:
    """The first draft of a notice: what the article said (`quoted`, its own words) and what the reader
    suggested instead; only the suggestion when nothing was quoted, "" without a suggestion."""
    quoted, suggestion = quotable(quoted), quotable(suggestion)
    if quoted and suggestion:
        # Translators: the first draft of a correction notice, for the editor to edit; %(quoted)s is the article's
        # words, %(suggestion)s the reader's. Quotes inside them are made single curly ones (‘…’).
        return tidy(gettext("An earlier version of this article said “%(quoted)s”. It should have said "
                            "“%(suggestion)s”.", quoted=quoted, suggestion=suggestion))
    return tidy(suggestion) if suggestion else ""


def fill_template(template: str, *, passage: str, suggestion: str, article: str) -> str:
    """A canned answer's notice template with the words filled in (plain replacement, not str.format: a template
    is text, never code that reaches into objects), tidied as a drafted notice is."""
    values = {"{passage}": quotable(passage), "{suggestion}": quotable(suggestion), "{article}": article}
    # One pass over the template: a value that holds a placeholder's name stays as it is.
    pattern = re.compile("|".join(re.escape(name) for name in values))
    return tidy(pattern.sub(lambda match: values[match.group(0)], template))


def replacement_text(found: str, suggestion: str) -> str:
    """The words that replace the passage in the article: the reader's suggestion when it reads as a new version
    of the passage (it shares most of its words), otherwise the passage itself, for the editor to rewrite."""
    suggestion = strip_outer_quotes(one_spaced(suggestion))
    found = one_spaced(found)
    if suggestion and suggestion != found and likeness(found, suggestion) >= REPLACEMENT_LIKENESS:
        return suggestion
    return found


def likeness(a: str, b: str) -> float:
    """How alike two texts are, word by word, ignoring case and quote style (0 to 1)."""
    def words(text: str) -> list[str]:
        return "".join(" " if char in QUOTE_CHARS else char for char in text.casefold()).split()
    return SequenceMatcher(None, words(a), words(b), autojunk=False).ratio()


def found_words(report: Report, place: anchors.PassagePlace | None = None) -> str:
    """The reported passage in the article's own words (as its current text, or its headline, has them), or the
    reader's typing when it is not found there. `place` is anchors.place(report), when the caller has it already."""
    if not report.passage:
        return ""
    place = place or anchors.place(report)
    if place.span is not None:
        start, end = place.span
        return place.text[start:end]
    if place.title_span is not None:
        start, end = place.title_span
        return place.title[start:end]
    return report.passage


def notice_for(report: Report, place: anchors.PassagePlace | None = None) -> str:
    """The publish form's first text for a report: the article's words and the reader's suggestion, in the
    article's language (its readers read the notice)."""
    with speaking(report.article.language):
        return notice_text(found_words(report, place), report.suggested_correction)
