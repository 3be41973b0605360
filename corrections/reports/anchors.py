"""Text-quote anchors: a reported passage found again in an article's text after the article changed.

A report keeps its passage as the W3C Web Annotation TextQuoteSelector does: the exact text as it stood in
the revision the reader saw, and up to CONTEXT characters before (prefix) and after (suffix). In a later text
the exact words are looked for; where they occur more than once, the occurrence whose surroundings best match
the prefix and suffix wins. When they are gone, the report page says when the passage changed and links to
the diff: often the error was fixed in the meantime.
"""

from dataclasses import dataclass

from sqlalchemy import select

from corrections.articles.fixes import Passage
from corrections.extensions import db
from corrections.models import ArticleRevision, Report
from corrections.reports.passages import find_passage, nfkc_text

CONTEXT = 32


@dataclass(frozen=True)
class Anchor:
    exact: str
    prefix: str
    suffix: str


def comparable(text: str) -> str:
    """The form of an article's text that anchors are taken from and looked for in."""
    return nfkc_text(text)


def make_anchor(passage: str, text: str) -> Anchor | None:
    """The anchor of a reader's passage in an article's text, or None when the passage is not there."""
    text = comparable(text)
    found = find_passage(passage, text) if passage else None
    if found is None:
        return None
    start, end = found
    return Anchor(text[start:end], text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def locate(anchor: Anchor, text: str) -> tuple[int, int] | None:
    """Where the anchored passage is in `text` (comparable form), or None when its exact words are gone."""
    if not anchor.exact:
        return None
    best, best_score = None, -1
    start = text.find(anchor.exact)
    while start >= 0:
        end = start + len(anchor.exact)
        score = (_common_suffix(text[max(0, start - len(anchor.prefix)):start], anchor.prefix)
                 + _common_prefix(text[end:end + len(anchor.suffix)], anchor.suffix))
        if score > best_score:
            best, best_score = (start, end), score
        start = text.find(anchor.exact, start + 1)
    return best


def of_report(report) -> Anchor | None:
    """The anchor a report was filed with (None for a report without a found passage, or filed before anchors)."""
    if not report.passage_exact:
        return None
    return Anchor(report.passage_exact, report.passage_prefix or "", report.passage_suffix or "")


@dataclass(frozen=True)
class PassagePlace:
    """Where a report's passage is in the article's current text, or when it changed."""

    span: tuple[int, int] | None  # in comparable(article.body_text); None when not found
    text: str  # comparable(article.body_text)
    # Set when the passage's exact words are gone: the revisions before and at the change.
    changed_from: ArticleRevision | None = None
    changed_in: ArticleRevision | None = None
    # The article changed since the report, but the passage is still there (maybe moved).
    moved: bool = False
    # A passage quoted from the headline: where it is in comparable(article.title), and that title.
    title_span: tuple[int, int] | None = None
    title: str = ""


def place(report: Report) -> PassagePlace:
    """The report's passage in the current text: by its anchor when the article changed since, else as quoted;
    a passage that is not in the text but in the headline is placed there (title_span)."""
    article = report.article
    text = comparable(article.body_text)
    anchor = of_report(report)
    if anchor is None or report.revision_id in (None, article.current_revision_id):
        span = find_passage(report.passage, text) if report.passage else None
        if span is None and report.passage:
            title = comparable(article.title)
            return PassagePlace(None, text, title_span=find_passage(report.passage, title), title=title)
        return PassagePlace(span, text)
    span = locate(anchor, text)
    if span is not None:
        return PassagePlace(span, text, moved=True)
    # Walk the revisions since the report's to the first one without the passage.
    later = db.session.scalars(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id, ArticleRevision.number > report.revision.number)
        .order_by(ArticleRevision.number))
    before = report.revision
    for revision in later:
        if locate(anchor, comparable(revision.body_text)) is None:
            return PassagePlace(None, text, changed_from=before, changed_in=revision)
        before = revision
    return PassagePlace(None, text)


def passage_in_text(report: Report, found: PassagePlace | None = None) -> Passage | None:
    """The report's passage as the article's current text has it, with the text around it, for correcting it in
    place (articles.fixes); None when it is not there. `found` is place(report), when the caller has it."""
    found = found or place(report)
    if found.span is None:
        return None
    start, end = found.span
    return Passage(found.text[start:end], found.text[max(0, start - CONTEXT):start], found.text[end:end + CONTEXT])
