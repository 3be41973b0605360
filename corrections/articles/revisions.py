"""Article revisions: every change to an article's title or body is stored, and compared word by word.

`articles.change_text` is the one function that changes an article's text; it calls `record` here, which
stores the new revision and points the article at it. Revisions are never changed or deleted.
"""

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from corrections.articles import diffing
from corrections.extensions import db
from corrections.models import Article, ArticleRevision, RevisionDiff, utcnow

# Where a revision's text came from, as editors read it ("Revision 3 came from the API").
SOURCES = {
    # Translators: the name of the command that imports articles: keep it as it is.
    "import": _l("import-articles"),
    "api": _l("the API"),
    "dashboard": _l("the dashboard"),
    "demo": _l("the demo"),
    "migration": _l("the text when revisions began"),
}
# Words, runs of spacing, and single other characters: the units the diff marks.
TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# Paragraphs and the blank lines between them (articles.plain_text), the units of a diff by paragraph.
PARAGRAPHS = re.compile(r"(\n\s*\n)")
# What a change must touch to matter: words, numbers with the points and commas inside them (2.4 is not 24),
# and symbols such as £, + or % (see significant_words); spacing, other punctuation and letter case do not count.
SIGNIFICANT = re.compile(r"\d+(?:[.,:/]\d+)*|\w+|[^\w\s]")
MEANINGFUL_PUNCTUATION = {"%", "‰", "#", "&", "@"}
# Unchanged words kept either side of a change when a diff is shortened.
CONTEXT_WORDS = 25


def content_hash(title: str, body: str) -> str:
    """The hash stored with each revision (the migration computes the same one in SQL)."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def revision_values(article, previous: ArticleRevision | None, *, source: str, by: str, at: datetime) -> dict:
    """The article's current title and body as its revision after `previous` (None: its first), as
    ArticleRevision's columns, with the provenance the text was written with. Pure: `article` is an Article or anything
    with its id, title, body, body_text, source_type and generator."""
    return {"article_id": article.id, "number": previous.number + 1 if previous else 1, "title": article.title,
            "body": article.body, "body_text": article.body_text,
            "content_hash": content_hash(article.title, article.body), "source": source, "created_by": by,
            "created_at": at, "source_type": article.source_type, "generator": article.generator}


_when_recorded: list[Callable[[ArticleRevision], object]] = []


def when_recorded(hook: Callable[[ArticleRevision], object]) -> Callable[[ArticleRevision], object]:
    """Have every new revision call `hook(revision)` too, in the same change (a decorator): the check of a new
    text for errors corrected before queues itself so (repeats/sweep.py)."""
    if hook not in _when_recorded:
        _when_recorded.append(hook)
    return hook


def record(article: Article, *, source: str, by: str = "") -> ArticleRevision | None:
    """Store the article's current title and body as its newest revision, unless they are the stored ones.

    Returns the new revision, or None when the text is the current revision's. Its diff from the previous
    revision is computed and stored with it. Flushes; does not commit.
    """
    previous = db.session.get(ArticleRevision, article.current_revision_id) if article.current_revision_id else None
    values = revision_values(article, previous, source=source, by=by, at=utcnow())
    if previous is not None and previous.content_hash == values["content_hash"]:
        return None
    revision = ArticleRevision(**values)
    db.session.add(revision)
    db.session.flush()
    article.current_revision_id = revision.id
    if previous is not None:
        # Compared now, once, rather than by the first readers of "see what changed", all at the same time.
        stored_diff(previous, revision)
    for hook in _when_recorded:
        hook(revision)
    return revision


def all_for(article: Article) -> list[ArticleRevision]:
    """The article's revisions, oldest first."""
    return list(db.session.scalars(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id).order_by(ArticleRevision.number)))


def latest(article: Article, limit: int) -> list[ArticleRevision]:
    """The article's newest `limit` revisions, newest first, without their texts (for a list to choose from)."""
    return list(db.session.scalars(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id)
        .options(load_only(ArticleRevision.id, ArticleRevision.number, ArticleRevision.created_at))
        .order_by(ArticleRevision.number.desc()).limit(limit)))


def by_number(article: Article, number: int) -> ArticleRevision | None:
    return db.session.scalar(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id, ArticleRevision.number == number))


def count_for(article_id: int) -> int:
    return db.session.scalar(select(func.count(ArticleRevision.id)).where(ArticleRevision.article_id == article_id))


# --- Comparing two texts ----------------------------------------------------------------------------------

def significant_words(text: str) -> list[str]:
    """The words, numbers and symbols of a text, in lower case, without spacing or punctuation."""
    return [token for token in SIGNIFICANT.findall(unicodedata.normalize("NFKC", text).casefold())
            if token[0].isalnum() or token[0] == "_" or token in MEANINGFUL_PUNCTUATION
            or unicodedata.category(token)[0] == "S"]


def is_minor(old: ArticleRevision, new: ArticleRevision) -> bool:
    """True when the change touches only spacing, punctuation or letter case (of the title and the text)."""
    return (significant_words(old.title) == significant_words(new.title)
            and significant_words(old.body_text) == significant_words(new.body_text))


@dataclass(frozen=True)
class Piece:
    """A run of the compared text: "equal", "insert", "delete", or "skip" (unchanged words left out)."""

    op: str
    text: str


def word_diff(old: str, new: str, budget: diffing.Budget | None = None) -> list[Piece]:
    """The pieces that turn `old` into `new`, word by word (spacing kept as it is in the texts).

    Raises diffing.TooCostly when the comparison would take more than its budget of work."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    return _pieces(a, b, diffing.opcodes(a, b, budget))


def paragraph_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn `old` into `new`, whole paragraphs at a time: always in bounded time."""
    a, b = PARAGRAPHS.split(old), PARAGRAPHS.split(new)
    try:
        steps = diffing.opcodes(a, b)
    except diffing.TooCostly:
        # Thousands of identical paragraphs shuffled: keep what is the same at both ends, the rest changed.
        same_start, same_end, shorter = 0, 0, min(len(a), len(b))
        while same_start < shorter and a[same_start] == b[same_start]:
            same_start += 1
        while same_end < shorter - same_start and a[-1 - same_end] == b[-1 - same_end]:
            same_end += 1
        steps = [("equal", 0, same_start, 0, same_start),
                 ("replace", same_start, len(a) - same_end, same_start, len(b) - same_end),
                 ("equal", len(a) - same_end, len(a), len(b) - same_end, len(b))]
    return _pieces(a, b, steps)


def text_diff(old: str, new: str) -> tuple[list[Piece], bool]:
    """The pieces that turn `old` into `new`, word by word, or paragraph by paragraph when comparing words
    would take too long (many changes scattered across a long text); the flag says which (True: paragraphs)."""
    try:
        return word_diff(old, new), False
    except diffing.TooCostly:
        return paragraph_diff(old, new), True


def _pieces(a: list[str], b: list[str], steps: list[diffing.Opcode]) -> list[Piece]:
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in steps:
        if op == "equal":
            if i2 > i1:
                pieces.append(Piece("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("delete", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("insert", "".join(b[j1:j2])))
    return pieces


def shortened(pieces: list[Piece], context: int = CONTEXT_WORDS) -> list[Piece]:
    """Long unchanged stretches cut down to `context` words either side of each change."""
    result: list[Piece] = []
    for index, piece in enumerate(pieces):
        if piece.op != "equal" or len(pieces) == 1:
            result.append(piece)
            continue
        tokens = TOKEN.findall(piece.text)
        keep = 2 * context  # a word and the space after it are two tokens
        first, last = index == 0, index == len(pieces) - 1
        head = "" if first else "".join(tokens[:keep])
        tail = "" if last else "".join(tokens[-keep:])
        if len(tokens) <= (0 if first else keep) + (0 if last else keep) + 2:
            result.append(piece)
            continue
        if head:
            result.append(Piece("equal", head))
        result.append(Piece("skip", "…"))
        if tail:
            result.append(Piece("equal", tail))
    return result


def diff_html(old: str, new: str, *, whole: bool = False) -> Markup:
    """The diff as HTML: <del> for what was removed, <ins> for what was added, every piece escaped."""
    return pieces_html(text_diff(old, new)[0], whole=whole)


def pieces_html(pieces: list[Piece], *, whole: bool = False) -> Markup:
    """Pieces as HTML (see diff_html); unless `whole`, long unchanged stretches are shortened."""
    if not whole:
        pieces = shortened(pieces)
    tags = {"insert": "ins", "delete": "del"}
    out = []
    skipped = gettext("Unchanged text left out")
    for piece in pieces:
        if piece.op == "skip":
            out.append(f'<span class="diff-skip" title="{escape(skipped)}"> […] </span>')
        elif piece.op in tags:
            out.append(f"<{tags[piece.op]}>{escape(piece.text)}</{tags[piece.op]}>")
        else:
            out.append(str(escape(piece.text)))
    # Every piece of text was escaped above.
    return Markup("".join(out))  # nosec B704


def stored_diff(old: ArticleRevision, new: ArticleRevision) -> RevisionDiff:
    """The diff of the two revisions' texts, computed the first time it is asked for and stored (added to the
    session; the caller commits)."""
    found = db.session.get(RevisionDiff, (old.id, new.id))
    if found is not None:
        return found
    stored = RevisionDiff(**diff_values(old, new, at=utcnow()))
    db.session.add(stored)
    return stored


def diff_values(old, new, *, at: datetime) -> dict:
    """RevisionDiff's columns for two revisions (anything with their id and body_text), compared at `at`. Pure."""
    pieces, by_paragraph = text_diff(old.body_text, new.body_text)
    return {"old_revision_id": old.id, "new_revision_id": new.id, "by_paragraph": by_paragraph,
            "pieces": json.dumps([[piece.op, piece.text] for piece in pieces]), "created_at": at}


# Where widening stops: the end of a sentence or a paragraph.
SENTENCE_ENDS = ".!?…؟\n"
# Quotes and brackets opening or closing the words around a change, and a sentence's stops: not part of the words.
OPENING_MARKS = "\"'“‘„«‹(["
CLOSING_MARKS = ".,;:!?…؟\"'”’»›)]"
# Where one sentence or paragraph gives way to the next: a stop (and the quotes closing after it) before a space, or a
# line break. A stop inside a number ("6.5") is none.
SENTENCE_BREAK = re.compile(r"[.!?…؟][\"'”’»›)\]]*\s|\n")
# What may close a sentence after its stop: "It was agreed.” The next..." ends at the quote.
AFTER_STOP = "\"'”’»›)]"


def changed_words(old: str, new: str) -> tuple[str, str] | None:
    """What a change replaced and what replaced it: the words of `old` from its first change to its last, and
    the words of `new` in their place, on one line each, as (wrong, right). Widened to whole words, then with the
    same unchanged words on both sides to the whole sentence (not past a stop or a line break), so that `old` with
    wrong replaced by right reads as `new`. A lone figure ("6") cannot be told from the right one elsewhere, and
    eight words of a sentence are often shared by a sentence about another fact: the whole sentence, its names
    and figures, is what the search for the same error elsewhere tells apart (bench/README.md, "Repeated
    errors"). None when nothing but spacing changed, when the change
    only added a sentence or a paragraph (nothing was wrong: the words around it are no error), or the comparison
    would take more than the diff's budget of work."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    try:
        steps = [step for step in diffing.opcodes(a, b) if step[0] != "equal"]
    except diffing.TooCostly:
        return None
    if not steps:
        return None
    a0, a1 = sum(map(len, a[:steps[0][1]])), sum(map(len, a[:steps[-1][2]]))
    b0, b1 = sum(map(len, b[:steps[0][3]])), sum(map(len, b[:steps[-1][4]]))
    # old[:a0] is new[:b0] and old[a1:] is new[b1:]: what the words grow by is the same on both sides.
    changed_from, changed_to = a0, a1
    while a0 > 0 and not old[a0 - 1].isspace():
        a0, b0 = a0 - 1, b0 - 1
    while a1 < len(old) and not old[a1].isspace():
        a1, b1 = a1 + 1, b1 + 1
    while True:
        grew = False
        before = old[:a0].rstrip()
        if before and not _ends_sentence(before) and "\n" not in old[len(before):a0]:
            start = len(before)
            while start > 0 and not old[start - 1].isspace():
                start -= 1
            a0, b0, grew = start, b0 - (a0 - start), True
        after = old[a1:]
        gap = len(after) - len(after.lstrip())
        if after.strip() and (a1 == 0 or not _ends_sentence(old[:a1])) and "\n" not in after[:gap]:
            end = a1 + gap
            while end < len(old) and not old[end].isspace():
                end += 1
            a1, b1, grew = end, b1 + (end - a1), True
        if not grew:
            break
    while a1 > changed_to and old[a1 - 1] in CLOSING_MARKS:
        a1, b1 = a1 - 1, b1 - 1
    while a0 < changed_from and old[a0] in OPENING_MARKS:
        a0, b0 = a0 + 1, b0 + 1
    only_added = all(step[0] == "insert" for step in steps)
    if only_added and len(SENTENCE_BREAK.findall(new[b0:b1])) > len(SENTENCE_BREAK.findall(old[a0:a1])):
        return None
    wrong, right = " ".join(old[a0:a1].split()), " ".join(new[b0:b1].split())
    return (wrong, right) if wrong and wrong != right else None


def _ends_sentence(text: str) -> bool:
    """Whether a text ends with a stop, or a stop and the quotes or brackets closing after it."""
    closed = text.rstrip(AFTER_STOP)
    return bool(closed) and closed[-1] in SENTENCE_ENDS


def changed_in(old: ArticleRevision, new) -> tuple[str, str] | None:
    """What the change from one revision to another (`new`: a revision, or fixes.Proposed) replaced, as
    changed_words: in the text, or in the headline when only that changed. None when neither did."""
    return changed_words(old.body_text, new.body_text) or changed_words(old.title, new.title)


@dataclass(frozen=True)
class Comparison:
    """Two revisions of an article and what changed between them, as the diff pages show it."""

    old: ArticleRevision
    new: ArticleRevision
    title: Markup | None  # None when the title did not change
    body: Markup
    minor: bool
    changed_at: datetime
    by_paragraph: bool  # the text is compared paragraph by paragraph (comparing words would take too long)


@functools.lru_cache(maxsize=32)
def passing_diff(old_id: int, new_id: int, old_text: str, new_text: str) -> tuple[tuple[Piece, ...], bool]:
    """The diff of a pair that is not stored, kept for the next readers of this process (revisions never change,
    so a kept diff is never out of date; the texts are part of the key all the same)."""
    pieces, by_paragraph = text_diff(old_text, new_text)
    return tuple(pieces), by_paragraph


def compare(old: ArticleRevision, new: ArticleRevision, *, whole: bool = False, keep: bool = False) -> Comparison:
    """The two revisions compared.

    The text's diff is stored (stored_diff: the caller commits) for consecutive revisions, for a pair already
    stored, and when `keep` (an editor asked for it). Any other pair is one a reader picked: an article with
    R revisions has R·(R−1)/2 of them, and storing each would let anyone fill the database, so they are
    computed within the diff's work budget and kept in this process's bounded cache.
    """
    title = diff_html(old.title, new.title, whole=True) if old.title != new.title else None
    if keep or new.number == old.number + 1 or db.session.get(RevisionDiff, (old.id, new.id)) is not None:
        body = stored_diff(old, new)
        pieces, by_paragraph = [Piece(op, text) for op, text in json.loads(body.pieces)], body.by_paragraph
    else:
        kept, by_paragraph = passing_diff(old.id, new.id, old.body_text, new.body_text)
        pieces = list(kept)
    return Comparison(old, new, title, pieces_html(pieces, whole=whole), is_minor(old, new), new.created_at,
                      by_paragraph)


def compare_with(old: ArticleRevision, new) -> Comparison:
    """A revision compared with a text not stored yet (`new` has a revision's number, created_at, title and
    body_text: fixes.Proposed), for a preview; computed within the diff's work budget and stored nowhere."""
    title = diff_html(old.title, new.title, whole=True) if old.title != new.title else None
    pieces, by_paragraph = text_diff(old.body_text, new.body_text)
    return Comparison(old, new, title, pieces_html(pieces), is_minor(old, new), new.created_at, by_paragraph)
