"""Articles: sanitising bodies, creating and importing articles."""

import html
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import nh3
from flask_babel import gettext
from sqlalchemy import Connection, Row, bindparam, select

from corrections.articles import revisions, unannounced
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.languages import TAG_MAX, TAG_PATTERN, long_date, short_time
from corrections.models import Article, ArticleRevision, utcnow
from corrections.text import clean_text, is_http_url
from corrections.vocabulary import (
    ARTICLE_URL_MAX,
    BODY_MAX,
    BYLINE_MAX,
    GENERATOR_MAX,
    SECTION_MAX,
    SLUG_MAX,
    SOURCE_TYPE_MAX,
    SOURCE_TYPE_URI,
    SOURCE_TYPES,
    TITLE_MAX,
    YEAR_MAX,
    YEAR_MIN,
    source_group,
    source_type_term,
)

ALLOWED_TAGS = {
    "p", "br", "a", "em", "strong", "i", "b", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "figure", "figcaption", "q", "cite", "sub", "sup", "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "q": {"cite"}}
BLOCK_TAG = re.compile(r"<\s*(p|div|h[1-6]|ul|ol|blockquote|figure)\b", re.IGNORECASE)
ANY_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
BLOCK_END = re.compile(r"</\s*(p|div|h[1-6]|li|blockquote|figure|figcaption)\s*>|<br\s*/?>", re.IGNORECASE)
# Elements whose content a browser never shows: the sanitiser drops them whole, and no reader's text is lost.
HIDDEN_CONTENT = {"script", "style", "template"}
# Where the text that follows begins a new paragraph, when a body's text is kept as plain paragraphs.
PARAGRAPH_BREAKS = {
    "p", "div", "br", "hr", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure",
    "figcaption", "table", "tr", "td", "th", "pre", "section", "article", "header", "footer", "ul", "ol", "dl",
}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
WORD = re.compile(r"\w+")

IMPORT_BATCH = 500
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def sanitise_body(raw: str) -> str:
    """Turn a submitted body (plain paragraphs or HTML) into safe HTML paragraphs, losing none of its text.

    Some hostile markup (MathML or SVG mixed with HTML, as in `<math><mtext><table><mglyph><style>`) makes the
    sanitiser drop everything inside it, legitimate text around it included. When the sanitised body lacks
    text the submitted one shows, each top-level element is sanitised on its own, and those that would still
    lose text keep it as plain (escaped) paragraphs.
    """
    raw = clean_text(raw).strip()
    plain = False
    if not BLOCK_TAG.search(raw):
        # Paragraphs separated by blank lines, in plain text or with inline markup only.
        has_markup = bool(ANY_TAG.search(raw))
        plain = not has_markup
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
        raw = "".join(
            "<p>" + (p if has_markup else html.escape(p)).replace("\n", "<br>") + "</p>" for p in paragraphs
        )
    cleaned = _clean(raw)
    # Escaped plain text in paragraphs of our own making cannot lose text; only submitted markup is compared.
    if plain or not _loses_text(raw, cleaned):
        return cleaned
    pieces = []
    for piece in _VisibleText.read(raw).pieces():
        cleaned = _clean(piece)
        pieces.append(_plain_paragraphs(piece) if _loses_text(piece, cleaned) else cleaned)
    return "".join(pieces)


# The sanitised body's block elements (and line breaks): whitespace next to their tags shows nowhere.
CONTAINERS = ("ul", "ol", "blockquote", "figure")
BLOCK_TAGS = re.compile(r"\s*(<(/?)(p|h[2-4]|li|figcaption|ul|ol|blockquote|figure|br)\b[^<>]*>)\s*")


def compact_blocks(body_html: str) -> str:
    """A sanitised body without the whitespace next to its block tags: how bodies that show the same are
    compared, whatever their layout."""
    return BLOCK_TAGS.sub(r"\1", body_html).strip()


def editable_body(body_html: str) -> str:
    """A sanitised body laid out for the editor's text box: one block element a line, a blank line between
    top-level blocks, the items of a list (or quote, or figure) each on a line of their own. compact_blocks
    of it is compact_blocks of the body, so saving it unchanged changes nothing."""
    out: list[str] = []
    depth = 0  # how many blocks are open around the current place
    pos = 0
    compact = compact_blocks(body_html)
    for tag in BLOCK_TAGS.finditer(compact):
        out.append(compact[pos:tag.start()])
        pos = tag.end()
        closing, name = tag.group(2) == "/", tag.group(3).lower()
        if name == "br":
            out.append(tag.group(1) + "\n")
            continue
        if not closing:
            if "".join(out).strip():
                out.append("\n\n" if depth == 0 else "\n")
            depth += 1
        else:
            depth = max(0, depth - 1)
            if name in CONTAINERS:
                out.append("\n")
        out.append(tag.group(1))
    out.append(compact[pos:])
    return "".join(out)


def _clean(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


class _VisibleText(HTMLParser):
    """What a reader sees of some HTML, read by a forgiving tokenizer independent of the sanitiser's parser:
    its text by paragraph (without the content of script, style and template), and where its top-level
    elements start."""

    def __init__(self, raw: str):
        super().__init__(convert_charrefs=True)
        self.raw = raw
        self.paragraphs: list[list[str]] = [[]]
        self.starts: list[int] = []  # offsets in `raw` of the top-level elements' start tags
        self.depth = 0
        self.hidden = 0
        self.line_offsets = [0] + [m.end() for m in re.finditer("\n", raw)]

    @classmethod
    def read(cls, raw: str) -> "_VisibleText":
        reader = cls(raw)
        reader.feed(raw)
        reader.close()
        return reader

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.depth == 0:
            line, column = self.getpos()
            self.starts.append(self.line_offsets[line - 1] + column)
        if tag in PARAGRAPH_BREAKS:
            self.paragraphs.append([])
        if tag in HIDDEN_CONTENT:
            self.hidden += 1
        if tag not in VOID_TAGS:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in PARAGRAPH_BREAKS:
            self.paragraphs.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in PARAGRAPH_BREAKS:
            self.paragraphs.append([])
        if tag in HIDDEN_CONTENT:
            self.hidden = max(self.hidden - 1, 0)
        self.depth = max(self.depth - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.paragraphs[-1].append(data)

    def texts(self) -> list[str]:
        joined = (" ".join("".join(parts).split()) for parts in self.paragraphs)
        return [text for text in joined if text]

    def words(self) -> Counter:
        return Counter(word for text in self.texts() for word in WORD.findall(text))

    def pieces(self) -> list[str]:
        """The HTML cut before each top-level element (text between elements goes with the one before)."""
        cuts = sorted({0, *self.starts, len(self.raw)})
        return [self.raw[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if self.raw[a:b].strip()]


def _loses_text(raw: str, cleaned: str) -> bool:
    """Whether words a reader sees in `raw` are missing from its sanitised HTML `cleaned`."""
    kept = Counter(WORD.findall(plain_text(cleaned)))
    return bool(_VisibleText.read(raw).words() - kept)


def _plain_paragraphs(raw: str) -> str:
    """The visible text of some HTML as escaped paragraphs: no markup of it is kept, none of its text is lost."""
    return "".join(f"<p>{html.escape(text)}</p>" for text in _VisibleText.read(raw).texts())


def plain_text(body_html: str) -> str:
    """The reader-visible text of a sanitised body, paragraphs separated by blank lines."""
    marked = BLOCK_END.sub(lambda m: m.group(0) + "\n\n", body_html)
    text = html.unescape(nh3.clean(marked, tags=set()))
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def lede(body_html: str, limit: int = 200) -> str:
    """The article's first paragraph as one line of at most `limit` characters, cut after a word (with "…"):
    its summary for search results and link previews (<meta name="description">)."""
    first = plain_text(body_html).split("\n\n", 1)[0]
    line = " ".join(first.split())
    if len(line) <= limit:
        return line
    return line[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–-") + "…"


def disclosure(source_type: str | None, generator: str | None) -> str | None:
    """The line that tells readers a machine wrote the article, or helped write it, in the page's language, naming
    the system when it is known; None for an article written by people or that does not say."""
    group = source_group(source_type)
    if group == "machine_generated":
        if generator:
            return gettext("This article was generated automatically by %(generator)s.", generator=generator)
        return gettext("This article was generated automatically.")
    if group == "machine_assisted":
        if generator:
            return gettext("This article was written with the help of an automated system, %(generator)s.",
                           generator=generator)
        return gettext("This article was written with the help of an automated system.")
    return None


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX - 10].strip("-") or "article"


def unique_slug(base: str, exclude_id: int | None = None) -> str:
    """The base slug, or base-2, base-3, ... if another article already has it."""
    taken = set(db.session.scalars(
        select(Article.slug).where(Article.slug.like(f"{base}%"), Article.id != (exclude_id or 0))
    ))
    return free_slug(base, taken)


def free_slug(base: str, taken: Container[str]) -> str:
    """The base slug, or base-2, base-3, ..., the first that is not taken."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# Built once: most requests look an article up, and building the statement costs as much as running it.
ARTICLE_BY_SLUG = select(Article).where(Article.slug == bindparam("slug"))


LANGUAGE_TAG = re.compile(TAG_PATTERN)


def get_by_slug(slug: str) -> Article | None:
    return db.session.scalar(ARTICLE_BY_SLUG, {"slug": slug})


def language_of(slug: str) -> str | None:
    """An article's own language (None when it has none, or there is no such article)."""
    return db.session.scalar(select(Article.language).where(Article.slug == slug))


# What the public article page shows of an article (see for_page).
PAGE_ARTICLE = select(
    Article.id, Article.slug, Article.canonical_url, Article.title, Article.byline, Article.section, Article.body,
    Article.published_at, Article.updated_at, Article.language, Article.source_type, Article.generator,
    # The current revision's number: past 1, the page links to the revisions.
    select(ArticleRevision.number).where(ArticleRevision.id == Article.current_revision_id).scalar_subquery()
    .label("revision_number"),
).where(Article.slug == bindparam("slug"))


def for_page(connection: Connection, slug: str) -> Row | None:
    """The article as the public page shows it, read on a Core connection (attributes as on Article).

    Every reader opens article pages, and a page the cache does not hold yet is read this way: the
    ORM session costs several times the queries themselves (about 0.7 ms against 0.1).
    """
    return connection.execute(PAGE_ARTICLE, {"slug": slug}).first()


class ArticleError(Refusal):
    """Bad article data; the message says what to fix, `fields` the same per field (for the API). An editor's
    edit is refused at the text of the form (the headline has a rule of its own in the form)."""

    field = "body"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}


@dataclass
class ArticleData:
    title: str
    canonical_url: str
    body: str
    slug: str | None = None
    byline: str = ""
    section: str = ""
    published_at: datetime | None = None
    language: str | None = None
    # How it was made (vocabulary.SOURCE_TYPES' bare term) and by what system; None: not said.
    source_type: str | None = None
    generator: str | None = None


# The fields of an article as imported or sent to the API.
FIELDS = ("title", "canonical_url", "body", "slug", "byline", "section", "published_at", "language", "source_type",
          "generator")
# What a refused source_type is told to send instead.
SOURCE_TYPE_RULE = (f"source_type must be a term of the IPTC digital source type vocabulary that describes a text "
                    f"({', '.join(SOURCE_TYPES)}), or its URI ({SOURCE_TYPE_URI}<term>, http or https)")


def parse_article(item: Any) -> ArticleData:
    """Check one article from an import line or an API call; raises ArticleError."""
    if not isinstance(item, dict):
        raise ArticleError("expected a JSON object")
    problems: list[tuple[str, str]] = []

    def problem(field: str, message: str) -> None:
        problems.append((field, message))

    def text_field(name: str, limit: int, required: bool = False) -> str:
        value = item.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            problem(name, f"{name} must be a string")
            return ""
        # Measured as sent, so the sender can count it (the API's maxLength); cleaning only shortens it.
        too_long = len(value) > limit
        value = clean_text(value).strip()
        if required and not value:
            problem(name, f"{name} is required")
        elif too_long:
            problem(name, f"{name} is longer than {limit:,} characters")
        return value

    title = " ".join(text_field("title", TITLE_MAX, required=True).split())
    canonical_url = text_field("canonical_url", ARTICLE_URL_MAX, required=True)
    if canonical_url and not is_http_url(canonical_url):
        problem("canonical_url", "canonical_url must be an http(s) URL")
    body = text_field("body", BODY_MAX, required=True)
    slug = text_field("slug", SLUG_MAX) or None
    if slug and not SLUG_PATTERN.match(slug):
        problem("slug", "slug may hold only lowercase letters, digits and single hyphens")
    byline = text_field("byline", BYLINE_MAX)
    section = text_field("section", SECTION_MAX)
    language = text_field("language", TAG_MAX) or None
    if language and not LANGUAGE_TAG.fullmatch(language):
        problem("language", "language must be a language tag such as en, hu or pt-BR")
    given_source_type = text_field("source_type", SOURCE_TYPE_MAX)
    source_type = source_type_term(given_source_type) if given_source_type else None
    if given_source_type and source_type is None and "source_type" not in dict(problems):
        problem("source_type", SOURCE_TYPE_RULE)
    generator = " ".join(text_field("generator", GENERATOR_MAX).split()) or None
    published_at = None
    raw_date = item.get("published_at")
    if raw_date not in (None, ""):
        try:
            published_at = datetime.fromisoformat(str(raw_date))
            # The year as written, so the API's document can state the range (YEAR_PATTERN).
            if not YEAR_MIN <= published_at.year <= YEAR_MAX:
                raise ValueError("year out of range")
            if published_at.tzinfo is None:
                published_at = published_at.replace(tzinfo=UTC)
            published_at = published_at.astimezone(UTC)
        except (ValueError, OverflowError):
            published_at = None
            problem("published_at", f"published_at must be an ISO 8601 date-time between the years {YEAR_MIN} and "
                                    f"{YEAR_MAX}, e.g. 2026-11-24T09:30:00+00:00")
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        # repr() shows odd keys escaped: nothing in a key reaches the operator's terminal as a control code.
        problem("", "unknown field(s): " + ", ".join(repr(key) for key in unknown))
        for key in unknown:
            problems.append((key, "This is not a field of an article."))
    if problems:
        fields: dict[str, list[str]] = {}
        for field, message in problems:
            if field:
                fields.setdefault(field, []).append(message)
        message = "; ".join(m for f, m in problems if f not in unknown)
        raise ArticleError(message, fields)
    return ArticleData(title, canonical_url, body, slug, byline, section, published_at, language, source_type,
                       generator)


def new_article_values(data: ArticleData, body: str, *, slug: str, now: datetime) -> dict:
    """A new article's columns, from checked data and its sanitised body (sanitise_body(data.body)): published
    `now` unless the data says when."""
    published_at = data.published_at or now
    return {"slug": slug, "canonical_url": data.canonical_url, "title": data.title, "byline": data.byline,
            "section": data.section, "body": body, "body_text": plain_text(body), "published_at": published_at,
            "updated_at": published_at, "language": data.language, "source_type": data.source_type,
            "generator": data.generator}


def upsert_article(data: ArticleData, *, source: str = "import", by: str = "") -> tuple[Article, str]:
    """Create or update the article with this canonical URL; returns it and "created", "updated" or "unchanged".

    `source` and `by` say where a new text came from, for its revision (revisions.SOURCES).
    """
    article = db.session.scalar(select(Article).where(Article.canonical_url == data.canonical_url))
    if data.slug:
        holder = get_by_slug(data.slug)
        if holder is not None and holder is not article:
            raise ArticleError(f"slug {data.slug!r} already belongs to {holder.canonical_url}")
    body = sanitise_body(data.body)
    if article is None:
        article = Article(**new_article_values(data, body, slug=data.slug or unique_slug(slugify(data.title)),
                                               now=utcnow()))
        db.session.add(article)
        db.session.flush()
        revisions.record(article, source=source, by=by)
        return article, "created"

    changes = {
        "byline": data.byline,
        "section": data.section,
        "language": data.language,
        "source_type": data.source_type,
        "generator": data.generator,
        "slug": data.slug or article.slug,
        "published_at": data.published_at or article.published_at,
    }
    changed = {k: v for k, v in changes.items() if getattr(article, k) != v}
    # Before the text: a new revision keeps the provenance it was written with.
    for key, value in changed.items():
        setattr(article, key, value)
    text_changed = change_text(article, data.title, body, source=source, by=by) is not None
    if not changed and not text_changed:
        return article, "unchanged"
    article.updated_at = utcnow()
    db.session.flush()
    return article, "updated"


def change_text(article: Article, title: str, body: str, *, source: str, by: str = "") -> ArticleRevision | None:
    """Give an existing article a new title and sanitised body: the one way an article's text changes.

    Stores the revision (none when the text is the same), keeps a change to a published article for editors
    to answer unless a notice follows (unannounced.note_change), and moves updated_at, so the public page cache
    serves the new text at once. Returns the new revision, or None. Flushes; does not commit.
    """
    if title == article.title and body == article.body:
        return None
    article.title = title
    article.body = body
    article.body_text = plain_text(body)
    article.updated_at = utcnow()
    db.session.flush()
    previous = db.session.get(ArticleRevision, article.current_revision_id) if article.current_revision_id else None
    revision = revisions.record(article, source=source, by=by)
    if revision is not None and previous is not None:
        unannounced.note_change(article, previous, revision)
    return revision


def edit(article: Article, title: str, body: str, *, seen_revision: int | None, by: str) -> ArticleRevision | None:
    """An editor's new title and body (from the dashboard); None when nothing changed. Raises ArticleError.

    `seen_revision` is the revision number the editor's form started from: a change made since is not
    overwritten.
    """
    current = article.current_revision
    if current is not None and seen_revision != current.number:
        who = current.created_by or revisions.SOURCES.get(current.source, current.source)
        raise ArticleError(gettext("The article was changed by %(who)s at %(time)s on %(date)s since you opened it; "
                                   "nothing was saved. Reload to edit the latest text.", who=who,
                                   time=short_time(current.created_at), date=long_date(current.created_at)))
    title = " ".join(clean_text(title).split())
    body = clean_text(body).strip()
    if not title or not body:
        raise ArticleError(gettext("The article needs a headline and a text."))
    body = compact_blocks(sanitise_body(body))
    if title == article.title and body == compact_blocks(article.body):
        return None  # the same text laid out as the edit form shows it
    return change_text(article, title, body, source="dashboard", by=by)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_lines(lines: Iterable[bytes], *, start: int = 1, result: ImportResult | None = None) -> ImportResult:
    """Import JSON Lines (numbered from `start`): each good line is upserted, each bad one reported by number.

    Does not commit: the caller commits batches of IMPORT_BATCH lines. Adds to `result` when given.
    """
    result = ImportResult() if result is None else result
    for number, raw in enumerate(lines, start=start):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            # Every check runs before anything is written, so a bad line leaves no trace.
            _, outcome = upsert_article(parse_article(json.loads(line)))
        except UnicodeDecodeError as error:
            result.errors.append((number, f"not valid UTF-8 (byte {error.start + 1})"))
            continue
        except json.JSONDecodeError as error:
            result.errors.append((number, f"not valid JSON ({error.msg} at column {error.colno})"))
            continue
        except ArticleError as error:
            result.errors.append((number, str(error)))
            continue
        except ValueError:
            # json.loads refuses integers of more than 4,300 digits with a plain ValueError.
            result.errors.append((number, "not valid JSON (a number is too long)"))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result
