"""Checking a draft before it is published: the known errors it repeats (`corrections check-text`, POST /api/v1/check).

A known error is what a published correction fixed: a notice's `wrong_text` (with its `right_text`, when it names
one), as long as the notice is not withdrawn and its words are particular enough to look for
(matching.matchable). Each process keeps one `matching.Index` of them per app (`KnownErrors`), built on its first
check and built again only when the notices changed: every check first reads the notices' version (their count,
newest id and newest publication, amendment and withdrawal: one short query), so each of several servers sees a
change at its next check. The index keeps each error's tokens under its notice's id, not its words (a third of
its memory): a finding reads the words of the notices found.

Compiling the errors is the costly part, so it is done once for all processes: the compiled errors are kept in
the database (models.NoticePattern, one row a notice, written here by the check that compiled them), and a new
process, as every `check-text` run is, reads them back (30,000 in about a second of CPU rather than eight). A
stored pattern is used only while its fingerprint is the one the notice's words and the matcher's rule give now
(matching.fingerprint): an amended notice, or a matcher changed since, is compiled again and its row replaced; a
deleted notice takes its row with it. A rebuild keeps the patterns of the errors that did not change, so
publishing a correction costs the next check a read of the known errors, not a compilation of them all.

A finding says where the error is in the text as it was given: start and end are offsets in Python's sense,
Unicode code points (not bytes, not UTF-16 units), into the HTML source for HTML (whose `text` is the passage as
a reader sees it, markup left out) and into the plain text otherwise.
"""

import logging
import re
import threading
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from corrections.extensions import db
from corrections.models import Article, Notice, NoticePattern, Repeat
from corrections.repeats.matching import (
    Index,
    KnownError,
    Match,
    Pattern,
    align,
    compile_error,
    fingerprint,
    html_text,
    tokenise,
)
from corrections.vocabulary import CHECK_TEXT_MAX

logger = logging.getLogger(__name__)

# The notices whose wrong words are known errors.
_KNOWN = (Notice.withdrawn_at.is_(None), Notice.wrong_text != "")
# Their words, with the pattern stored for each (if any: a NULL fingerprint when none is).
KNOWN_ERRORS = (select(Notice.id, Notice.wrong_text, Notice.right_text, NoticePattern.fingerprint,
                       NoticePattern.pattern)
                .outerjoin(NoticePattern, NoticePattern.notice_id == Notice.id).where(*_KNOWN))
# How long storing compiled patterns waits for a lock before it gives up (they are compiled again next time).
STORE_WAIT_MS = 500
# Rows read at a time: the words of every known error are never all in memory at once beside the index.
READ_AT_A_TIME = 500
# What changes whenever the known errors may have: a notice published (a new highest id and publication time),
# amended (its words may have changed), withdrawn, or taken back by an undo moments after it was published (the
# count falls; its id may be taken again on SQLite, by a notice published later). Each max() is a step down an
# index; the count reads the smallest index.
VERSION = select(
    select(func.count(Notice.id)).scalar_subquery(),
    select(func.max(Notice.id)).scalar_subquery(),
    select(func.max(Notice.published_at)).scalar_subquery(),
    select(func.max(Notice.updated_at)).scalar_subquery(),
    select(func.max(Notice.withdrawn_at)).scalar_subquery(),
)

# Markup that says a text is HTML: a doctype, a comment, or a start or end tag of an element articles are written
# with. Plain text rarely has any of them ("a <b" or "x < 3 > 2" are not tags); one that quotes HTML is checked as
# text with format "text" (--text).
_HTML_SIGNS = re.compile(
    r"<!doctype\s+html|<!--|</?(?:p|div|span|a|b|i|u|s|em|strong|small|mark|q|cite|abbr|time|sup|sub|code|pre|br|hr"
    r"|h[1-6]|ul|ol|li|dl|dt|dd|table|thead|tbody|tr|td|th|blockquote|figure|figcaption|img|picture|section"
    r"|article|aside|header|footer|main|nav|html|head|body|title|meta|link|script|style)(?:\s[^<>]*)?/?>",
    re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether a text of unknown format (format "auto") is HTML: it has a tag of an element articles are written
    with, a doctype or a comment."""
    return _HTML_SIGNS.search(text) is not None


@dataclass(frozen=True)
class Finding:
    """A known error found in a text: the notice that corrected it, the article it was corrected in, where in the
    text (start:end, code points into the text as given), the passage as it reads there, the passage put right
    (None when the notice names no right words) and how alike it is to the wrong words (0-1)."""

    notice_id: int
    notice_kind: str
    notice_url: str
    wrong_text: str
    right_text: str
    article_slug: str
    article_title: str
    article_url: str
    text: str
    start: int
    end: int
    suggestion: str | None
    score: float

    def as_json(self) -> dict:
        """The finding as the command prints it and the API answers it (the document's CheckFinding)."""
        return {
            "correction": {"id": self.notice_id, "kind": self.notice_kind, "url": self.notice_url,
                           "wrong_text": self.wrong_text, "right_text": self.right_text},
            "article": {"slug": self.article_slug, "title": self.article_title, "url": self.article_url},
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "suggestion": self.suggestion,
            "score": self.score,
        }


class KnownErrors:
    """One process's index of the known errors (of one app), built again when the notices' version changes."""

    def __init__(self) -> None:
        self.version: tuple | None = None
        self.index = Index.build(())
        # Each known error's fingerprint (as a number: smaller than its text), by notice: what the pattern the
        # index has for it (or its being ignored) was made from.
        self.made_from: dict[int, int] = {}
        # Rebuilds one at a time: a check that finds the index stale waits for the rebuild under way.
        self.lock = threading.Lock()
        self.builds = 0  # for the tests

    def current(self) -> Index:
        """The index of the known errors as the database has them now."""
        version = tuple(db.session.execute(VERSION).one())
        if version == self.version:
            return self.index
        with self.lock:
            if version != self.version:
                self._rebuild(version)
            return self.index

    def _rebuild(self, version: tuple) -> None:
        # The version is read before the words: a notice published in between makes the next check rebuild again,
        # never leaves this index without it.
        kept = {pattern.error.id: pattern for pattern in self.index.patterns}
        patterns: list[Pattern] = []
        ignored: list[KnownError] = []
        made_from: dict[int, int] = {}
        compiled: list[dict] = []  # to store
        rows = db.session.execute(KNOWN_ERRORS.execution_options(yield_per=READ_AT_A_TIME)).tuples()
        for notice_id, wrong, right, stored_fingerprint, stored in rows:
            error = KnownError(notice_id, wrong, right)
            words_and_rule = fingerprint(error)
            made_from[notice_id] = number = int(words_and_rule, 16)
            # The index keeps the tokens, not the words (a third of its memory): a finding reads them (check).
            known = KnownError(notice_id, "", "")
            if self.made_from.get(notice_id) == number:  # unchanged: what this process made of it before
                pattern = kept.get(notice_id)
            elif stored_fingerprint == words_and_rule:
                pattern = Pattern.from_stored(known, stored) if stored is not None else None
            else:  # none stored, or from other words or by another rule (another version of the code, too)
                pattern = compile_error(error)
                stored = pattern.stored() if pattern else None
                compiled.append({"notice_id": notice_id, "fingerprint": words_and_rule, "pattern": stored})
                pattern = Pattern.from_stored(known, stored) if pattern else None
            (patterns.append(pattern) if pattern else ignored.append(known))
        self.index = Index.build(patterns, ignored)
        self.made_from = made_from
        self.version = version
        self.builds += 1
        store_patterns(compiled)


def store_patterns(rows: list[dict]) -> None:
    """Keep compiled patterns (notice_id, fingerprint, pattern) for the next process, replacing stale ones, in a
    transaction of its own: a check changes nothing a reader of the notices sees, whatever its caller does with
    its own transaction. It waits at most STORE_WAIT_MS for a lock: a caller whose own transaction holds one
    (SQLite's one writer, a notice being deleted) must not wait for itself. A failure (that, a notice deleted
    meanwhile, a database that takes no writes) is logged and leaves the patterns to be compiled again next time."""
    if not rows:
        return
    try:
        with db.engine.connect() as connection:
            on_sqlite = connection.dialect.name == "sqlite"
            waited = None
            try:
                with connection.begin():
                    if on_sqlite:  # a setting of the connection, put back before it goes back to the pool
                        waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                        connection.exec_driver_sql(f"PRAGMA busy_timeout = {STORE_WAIT_MS}")
                    else:  # for this transaction only
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{STORE_WAIT_MS}ms'")
                    statement = (sqlite if on_sqlite else postgresql).insert(NoticePattern)
                    connection.execute(statement.on_conflict_do_update(
                        index_elements=[NoticePattern.notice_id],
                        set_={"fingerprint": statement.excluded.fingerprint, "pattern": statement.excluded.pattern}),
                        rows)
            finally:
                if waited is not None:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited)}")
    except SQLAlchemyError:
        logger.warning("%d compiled known errors could not be stored; they will be compiled again", len(rows),
                       exc_info=True)


def known_errors() -> KnownErrors:
    """This process's known errors for the current app."""
    known = current_app.extensions.get("corrections.known_errors")
    if known is None:
        # Two threads may both get here: setdefault keeps one.
        known = current_app.extensions.setdefault("corrections.known_errors", KnownErrors())
    return known


def check(text: str, is_html: bool, *, absolute_urls: bool = True) -> list[Finding]:
    """The known errors the text repeats, in the order of the text (several may share a passage, best first).

    `is_html`: the text is HTML (its visible text is checked; start and end point into the HTML). The text holds
    at most CHECK_TEXT_MAX characters (the caller refuses longer ones). `absolute_urls`: the notices' addresses
    with the site's host (in a request, or with BASE_URL), or else as paths."""
    if len(text) > CHECK_TEXT_MAX:
        raise ValueError(f"a text to check holds at most {CHECK_TEXT_MAX} characters")
    index = known_errors().current()
    source = html_text(text) if is_html else None
    matches = index.find(source.text if source else text)
    if not matches:
        return []
    notices = _notices({match.error.id for match in matches})
    # A notice published by confirming an item of "same error elsewhere" names its original's error again: left
    # out beside the original (and named while the original is withdrawn).
    echoes = {fixed_by: original for fixed_by, original in db.session.execute(
        select(Repeat.fixed_by_id, Repeat.notice_id).where(Repeat.fixed_by_id.in_(notices)))}
    findings = []
    for match in matches:
        notice = notices.get(match.error.id)
        if notice is None or echoes.get(notice.id) in notices:  # withdrawn since the index was read; an echo
            continue
        # Named with its words as they are now (amended in the moment since the index was read: the next check
        # reads it again).
        match = replace(match, error=KnownError(notice.id, notice.wrong_text, notice.right_text))
        start, end = source.source_span(match.start, match.end) if source else (match.start, match.end)
        findings.append(Finding(
            notice_id=notice.id, notice_kind=notice.kind,
            notice_url=url_for("public.article", slug=notice.slug, _anchor=f"correction-{notice.id}",
                               _external=absolute_urls),
            wrong_text=match.error.wrong, right_text=match.error.right, article_slug=notice.slug,
            article_title=notice.title, article_url=notice.canonical_url, text=match.text, start=start, end=end,
            suggestion=suggestion(match), score=match.score))
    return findings


def _notices(ids: set) -> dict:
    rows = db.session.execute(
        select(Notice.id, Notice.kind, Notice.wrong_text, Notice.right_text, Article.slug, Article.title,
               Article.canonical_url)
        .join(Article, Article.id == Notice.article_id).where(Notice.id.in_(ids), *_KNOWN))
    return {row.id: row for row in rows}


# --- The passage put right.

def suggestion(match: Match) -> str | None:
    """The matched passage with the words the correction replaced put right, or None when it names no right words.

    The right words may be the whole corrected sentence or only its changed part with a word or two around it
    (matching's rule): the wrong words they differ in are found in the passage, where a rewording may have kept
    them, and replaced there, the passage's other words left as they are. When the passage does not keep them
    together and unchanged, the suggestion is the notice's own corrected sentence."""
    wrong, right = match.error.wrong, match.error.right
    if not right:
        return None
    wrong_tokens, right_tokens, passage = tokenise(wrong), tokenise(right), tokenise(match.text)
    if not wrong_tokens.words or not right_tokens.words:
        return right
    first, last = _stretch(wrong_tokens.words, right_tokens.words)
    changes = [op for op in SequenceMatcher(None, wrong_tokens.words[first:last], right_tokens.words,
                                            autojunk=False).get_opcodes() if op[0] != "equal"]
    whole = first == 0 and last == len(wrong_tokens.words)
    corrected = right if whole else wrong[:wrong_tokens.starts[first]] + right + wrong[wrong_tokens.ends[last - 1]:]
    if not changes:  # the same words, written otherwise
        return corrected
    # wrong_tokens[a:b] became right_tokens[c:d]: from the first change to the last.
    a, b = first + changes[0][1], first + changes[-1][2]
    c, d = changes[0][3], changes[-1][4]
    replacement = right[right_tokens.starts[c]:right_tokens.ends[d - 1]] if d > c else ""
    kept = {}  # a wrong word's place -> its place in the passage, where the passage has it unchanged
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, wrong_tokens.words, passage.words, autojunk=False).get_opcodes():
        if tag == "equal":
            kept.update(zip(range(i1, i2), range(j1, j2), strict=True))
    text = match.text
    if b > a:
        if any(i not in kept for i in range(a, b)) or kept[b - 1] - kept[a] != b - 1 - a:
            return corrected
        start, end = passage.starts[kept[a]], passage.ends[kept[b - 1]]
        if not replacement:  # words dropped: and a space with them
            while end < len(text) and text[end].isspace():
                end += 1
    elif a - 1 in kept:  # words added after a word the passage kept
        start = end = passage.ends[kept[a - 1]]
        replacement = " " + replacement
    elif a in kept:  # or before one
        start = end = passage.starts[kept[a]]
        replacement += " "
    else:
        return corrected
    return text[:start] + replacement + text[end:]


def _stretch(wrong: list[str], right: list[str]) -> tuple[int, int]:
    """The stretch of the wrong words (first, last) the right ones stand for, as the matcher reads them: one that
    begins with their first word and ends with their last, the most alike; failing that, the one they align with
    best, when most of them are in it; else all of them."""
    def unlike(first: int, last: int) -> int:
        same = sum(block.size for block in SequenceMatcher(None, wrong[first:last], right,
                                                           autojunk=False).get_matching_blocks())
        return last - first + len(right) - 2 * same

    stretches = [(unlike(first, last + 1), abs(last + 1 - first - len(right)), first, last + 1)
                 for first, word in enumerate(wrong) if word == right[0]
                 for last in range(first, len(wrong)) if wrong[last] == right[-1]]
    if stretches:
        _, _, first, last = min(stretches)
        return first, last
    cost, first, last = align(right, wrong)
    # Stricter than the matcher (which needs one word in common): a suggestion is read by people.
    return (first, last) if 2 * cost < len(right) else (0, len(wrong))

