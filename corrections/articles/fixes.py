"""Correcting a passage in place: the words a report is about, replaced by the editor's in the article's body.

The body is HTML; a passage is found in its text (as `plain_text` gives it, in NFKC, the form reports'
passages are kept in) and replaced where it stands, every tag around it kept. A passage that runs across
markup (a link, emphasis, a paragraph break) is not cut through: the editor edits the article instead. The
new text is stored through `content.change_text`, as every change is, so it is a revision like any other.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from corrections.articles import content, revisions
from corrections.errors import Refusal
from corrections.languages import number, short_time
from corrections.models import Article, ArticleRevision, utcnow
from corrections.text import clean_text
from corrections.vocabulary import BODY_MAX, REPLACEMENT_MAX

TAG_OR_ENTITY = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")
# Tags after which the text that follows is another block: a passage found across one crosses a paragraph.
BLOCK_TAG = re.compile(r"</?\s*(p|div|h[1-6]|li|ul|ol|blockquote|figure|figcaption|br)\b", re.IGNORECASE)


class FixError(Refusal):
    """A refused correction of the article's text; the sentence is for the editor, at the replacement's field."""

    field = "replacement"


class ArticleChanged(FixError):
    """The article's text changed after the editor saw the change they confirm."""


@dataclass(frozen=True)
class Passage:
    """Words of the article's text (`exact`, as comparable text has them) and the text just before and after
    them, which picks the right place when the words occur more than once (as a report's anchor does)."""

    exact: str
    prefix: str = ""
    suffix: str = ""


def text_map(body: str) -> tuple[str, list[tuple[int, int]]]:
    """The visible text of an HTML body, in NFKC, and for each of its characters the part of `body` it comes
    from. A block tag counts as one space (taken from the tag itself), so words of two paragraphs do not join."""
    text: list[str] = []
    where: list[tuple[int, int]] = []

    def add(chars: str, start: int, end: int) -> None:
        for char in unicodedata.normalize("NFKC", chars):
            text.append(char)
            where.append((start, end))

    position = 0
    for match in TAG_OR_ENTITY.finditer(body):
        for index in range(position, match.start()):
            add(body[index], index, index + 1)
        token = match.group(0)
        if token.startswith("<"):
            if BLOCK_TAG.match(token):
                text.append(" ")
                where.append(match.span())
        else:
            add(html.unescape(token), *match.span())
        position = match.end()
    for index in range(position, len(body)):
        add(body[index], index, index + 1)
    return "".join(text), where


def _score(text: str, start: int, end: int, passage: Passage) -> int:
    """How well the text around a place matches the passage's prefix and suffix (spacing ignored)."""
    before = " ".join(text[max(0, start - 2 * len(passage.prefix)):start].split())
    after = " ".join(text[end:end + 2 * len(passage.suffix)].split())
    prefix, suffix = " ".join(passage.prefix.split()), " ".join(passage.suffix.split())
    n = 0
    while n < min(len(before), len(prefix)) and before[-1 - n] == prefix[-1 - n]:
        n += 1
    m = 0
    while m < min(len(after), len(suffix)) and after[m] == suffix[m]:
        m += 1
    return n + m


def locate(passage: Passage, text: str) -> tuple[int, int] | None:
    """Where the passage's words are in `text` (any spacing between them), the place whose surroundings best
    match its prefix and suffix; None when they are not there."""
    words = passage.exact.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    found = [(match.start(), match.end()) for match in pattern.finditer(text)]
    if not found:
        return None
    return max(found, key=lambda span: (_score(text, *span, passage), -span[0]))


def clean_replacement(replacement: str) -> str:
    """The editor's words as they go into the text: one line, single spaces."""
    return " ".join(clean_text(replacement or "").split())  # a field left out of the form is an empty one


def fixed_body(body: str, passage: Passage, replacement: str) -> str:
    """The body with the passage replaced by `replacement` (plain text, escaped into the HTML), every tag kept.

    Pure; raises FixError when the replacement is empty, too long or the same words, or the passage is not in
    the body or runs across markup."""
    replacement = clean_replacement(replacement)
    if not replacement:
        raise FixError(gettext("Write the words that replace the passage, or untick “Also correct the article”."))
    if len(replacement) > REPLACEMENT_MAX:
        raise FixError(gettext("The replacement has at most %(most)s characters (it has %(length)s).",
                               most=number(REPLACEMENT_MAX), length=number(len(replacement))))
    text, where = text_map(body)
    span = locate(passage, text)
    if span is None:
        raise FixError(gettext("The passage is no longer in the article’s text: it was changed since the report. "
                               "Publish without correcting the article, or edit the article itself."))
    start, end = span
    if " ".join(text[start:end].split()) == replacement:
        raise FixError(gettext("The replacement is the same as the passage: the article would not change. Write the "
                               "corrected words."))
    html_start, html_end = where[start][0], where[end - 1][1]
    if "<" in body[html_start:html_end]:
        raise FixError(gettext("The passage runs across a link, emphasis or a paragraph break in the article: correct "
                               "it with “Edit the article”, then publish the notice."))
    new_body = body[:html_start] + html.escape(replacement, quote=False) + body[html_end:]
    if len(new_body) > BODY_MAX:
        raise FixError(gettext("The article would be longer than %(most)s characters.", most=number(BODY_MAX)))
    return new_body


@dataclass(frozen=True)
class Proposed:
    """The article's text as it would be after a fix, not stored: what revisions.Comparison needs of the newer
    side (a revision's number, time, title and text)."""

    number: int
    created_at: datetime
    title: str
    body_text: str


def preview(article: Article, passage: Passage, replacement: str) -> revisions.Comparison:
    """The change a fix would make, compared word by word with the current revision as the diff pages show it.
    Changes nothing; raises FixError as `fixed_body` does."""
    current = article.current_revision
    body = fixed_body(article.body, passage, replacement)
    new = Proposed(current.number + 1, utcnow(), article.title, content.plain_text(body))
    return revisions.compare_with(current, new)


def check_unchanged(article: Article, seen_revision: int | None) -> None:
    """Refuse a fix confirmed from a preview of an older text than the article's current one."""
    current = article.current_revision
    if current is not None and seen_revision != current.number:
        who = current.created_by or revisions.SOURCES.get(current.source, current.source)
        raise ArticleChanged(gettext("The article was changed by %(who)s at %(time)s since you saw the change; "
                                     "nothing was published. Look at the change again before confirming.",
                                     who=who, time=short_time(current.created_at)))


def fix(article: Article, passage: Passage, replacement: str, *, seen_revision: int | None,
        by: str) -> ArticleRevision:
    """Replace the passage in the article's text and store the new revision (content.change_text: a change to a
    published article is kept for editors to answer unless a notice follows). `seen_revision` is the number of
    the revision the editor's preview was made from: a change made since is refused (ArticleChanged).
    Flushes; does not commit."""
    check_unchanged(article, seen_revision)
    revision = content.change_text(article, article.title, fixed_body(article.body, passage, replacement),
                                   source="dashboard", by=by)
    if revision is None:  # fixed_body refuses a replacement that changes nothing; kept as a guard
        raise FixError(gettext("The article would not change."))
    return revision
