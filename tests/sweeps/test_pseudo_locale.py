"""Every word the app's pages and reader e-mails show goes through the catalog.

The inventory (tests/pages.py) is rendered with the site's language set to a pseudo-locale: messages.pot with every
message bracketed and accented (tests/catalogs.py). Whatever a page shows outside the brackets must then be data
(an article, a notice, what a reader typed, a name: any text stored in the database, or the site's name), a number,
a date Babel wrote, or an address; any other word is text that bypassed the catalog, and the test names it.

The pseudo-locale borrows the tag of Georgian, a language the product does not ship, whose Babel dates are in
Georgian script: a date formatted without Babel shows as English words and is caught too.

MARKED_PARTS names the inventory's parts the sweep reads: all of them. A page added to the inventory is swept
with its part.
"""

import html
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import String, Text, select

from corrections import languages
from corrections.extensions import db
from corrections.models import OutboxMessage
from tests.catalogs import CLOSE, OPEN, pseudo, write_pseudo_catalog
from tests.pages import Page, built_inventory

PSEUDO = "ka"
# The inventory's parts (tests/pages.py) and single pages whose words are marked.
# Every part of the inventory: the reader's, the editors' desk, the admins' pages, the login and error pages.
MARKED_PARTS = {"reader", "editor", "admin", "login and errors"}
# What the inventory's forms send that a page shows back before anything is stored (the preview of a fix).
TYPED = ("An earlier version gave the wrong year of opening.",)
# Not words of the product: time zone abbreviations Babel writes in every language, "https" of a typed address.
ALLOWED = {"UTC", "GMT", "http", "https", "www"}
WORD = re.compile(r"[A-Za-z]{2,}")
# A report's reference: the receipt of one still being filed is nowhere stored yet.
REFERENCE = re.compile(r"\bR-[0-9A-Z]{6}\b")
ADDRESS = re.compile(r"\S+@\S+|https?://\S+|\b[\w.-]+\.(?:org|com|example)\S*")


def is_marked(page: Page) -> bool:
    return page.part in MARKED_PARTS


@pytest.fixture(scope="module")
def pseudo_inventory(tmp_path_factory, sqlite_template):
    assert PSEUDO not in languages.SHIPPED
    catalogs = tmp_path_factory.mktemp("pseudo-catalogs")
    write_pseudo_catalog(catalogs, PSEUDO)
    with built_inventory(tmp_path_factory.mktemp("pseudo"), sqlite_template, LANGUAGE=PSEUDO,
                         LANGUAGES=[PSEUDO], EXTRA_CATALOGS=[str(catalogs)]) as (app, pages):
        yield app, pages, "\n".join([stored_texts(), *TYPED])


def stored_texts() -> str:
    """Every text the database holds (HTML reduced to its text), one a line: what pages may show untranslated."""
    texts = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for value in row:
                if value:
                    texts.append(" ".join(visible_text(str(value))))
    return "\n".join(texts)


class Visible(HTMLParser):
    """A page's visible text: text nodes outside scripts and styles, and attributes people read or hear. What a
    text box holds is what the visitor typed, not the page's words; what <code> holds is code (a command, a header,
    an event's name), the same in every language."""

    READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
    HIDDEN = ("script", "style", "textarea", "code")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag in self.HIDDEN:
            self.hidden += 1
        for name in self.READ_ATTRIBUTES:
            if found.get(name):
                self.texts.append(found[name])
        if tag == "meta" and found.get("name") == "description":
            self.texts.append(found.get("content") or "")
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.texts.append(found["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data)


def visible_text(page: str) -> list[str]:
    parser = Visible()
    parser.feed(page)
    # Text the parser still holds back (a stored text ending in "&q=bridge" might be the start of a reference).
    parser.close()
    return [" ".join(text.split()) for text in parser.texts]


def through_catalog_removed(text: str) -> str:
    """The text without what the pseudo-locale's brackets hold (innermost first: a message within a message)."""
    innermost = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while True:
        shorter = innermost.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


def untranslated(texts: list[str], stored: str, site_name: str) -> list[str]:
    """The words of these texts (in page order) that neither went through the catalog nor are data.

    The brackets are matched across the whole page, as a message may hold elements (a <time>, a link).
    """
    rest = through_catalog_removed("\n".join(texts))
    found = []
    for line in rest.splitlines():
        line = " ".join(line.split())
        if not WORD.search(line) or line in stored:
            continue
        line = REFERENCE.sub(" ", ADDRESS.sub(" ", line.replace(site_name, " ")))
        # What is left may be data next to data ("Ada Reader · Local"), or data cut short ("…"): each piece found
        # stored is data.
        for piece in re.split(r"[·,:;()“”\"|—–←→…]", line):
            piece = piece.strip()
            if WORD.search(piece) and piece not in stored:
                found.extend(word for word in WORD.findall(piece) if word not in ALLOWED)
    return found


def test_the_pseudo_locale_is_the_pages_language(pseudo_inventory):
    _, pages, _ = pseudo_inventory

    page = next(p for p in pages if p.name == "report form")

    assert f'<html lang="{PSEUDO}" dir="ltr">' in page.html
    assert pseudo("Report an inaccuracy") in page.html
    assert "Report an inaccuracy" not in page.html


def test_every_marked_page_shows_only_words_from_the_catalog_or_data(pseudo_inventory):
    app, pages, stored = pseudo_inventory
    checked = [page for page in pages if is_marked(page)]
    assert {page.part for page in pages} <= MARKED_PARTS and len(checked) == len(pages)

    problems = {}
    for page in checked:
        words = untranslated(visible_text(page.html), stored, app.config["SITE_NAME"])
        if words:
            problems[str(page)] = sorted(set(words))

    assert problems == {}, "\n".join(f"{page}: {' '.join(words)}" for page, words in problems.items())


def test_every_e_mail_to_a_reader_speaks_the_catalog(pseudo_inventory):
    app, _, stored = pseudo_inventory
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert messages, "the inventory queues confirmation and outcome e-mails"

    problems = {}
    for message in messages:
        texts = [message.subject, *message.body.splitlines()]
        # The message itself is stored text: only what the catalog gave may be left out.
        others = stored.replace(message.body, "").replace(message.subject, "")
        words = untranslated([html.unescape(t) for t in texts if t.strip()], others, app.config["SITE_NAME"])
        if words:
            problems[message.subject] = sorted(set(words))

    assert problems == {}


def test_the_sweep_finds_a_word_that_bypassed_the_catalog():
    stored = "Council approves budget\nAda Reader"
    page = (f"<html><head><title>{OPEN}Ŗéƥöŗţ{CLOSE}</title></head><body><h1>Council approves budget</h1>"
            f"<p>{OPEN}Šéñţ{CLOSE} 6 December 2026</p><button>Send report</button>"
            f'<a aria-label="Close this">x</a><p>Ada Reader · {OPEN}Ýöûŗ ñåɱé{CLOSE}</p></body></html>')

    words = untranslated(visible_text(page), stored, "Newsroom")

    assert sorted(words) == ["Close", "December", "Send", "report", "this"]
