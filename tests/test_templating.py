"""Template filters as pages use them: report references that never break across lines, dates machines parse."""

import re
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from markupsafe import Markup

from corrections import folder
from corrections.extensions import db
from corrections.reports import workflow
from corrections.templating import WTFORMS_HTML_PARAMS, html_params, time_tag
from tests.helpers import file_report, make_article, post_report, valid_report

REFERENCE = re.compile(r"R-[0-9A-Z]{6}")


class ShownReferences(HTMLParser):
    """The references a page shows as text, each with whether an element around it keeps it on one line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []
        self.found: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "input", "img", "meta", "link", "hr"):
            classes = (dict(attrs).get("class") or "").split()
            self.open.append((tag, "ref" in classes or "reference" in classes))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(tag in ("title", "script", "style") for tag, _ in self.open):
            return
        kept = any(nowrap for _, nowrap in self.open)
        self.found.extend((found, kept) for found in REFERENCE.findall(data))


def broken_references(page: str) -> list[str]:
    """The references on the page that a browser may break after their hyphen."""
    parser = ShownReferences()
    parser.feed(page)
    assert parser.found, "no reference shown"
    return [reference for reference, kept in parser.found if not kept]


@pytest.mark.databases("sqlite")
def test_references_never_break_on_editor_and_reader_pages(app, client, editor_client, editor):
    article = make_article()
    response = post_report(client, article.slug, **valid_report())
    status_path = urlsplit(response.headers["Location"]).path
    first = file_report(article, passage="31 votes to 12")
    second = file_report(article, passage="votes to 12")
    workflow.mark_duplicate(second, first, by=editor)
    db.session.commit()
    for path in ("/editor/", "/editor/?status=all", f"/editor/reports/{first.id}", f"/editor/reports/{second.id}",
                 f"/editor/articles/{article.slug}"):
        assert broken_references(editor_client.get(path).get_data(as_text=True)) == [], path
    # The reader's pages: right after sending, and later.
    assert broken_references(client.get(status_path).get_data(as_text=True)) == []
    assert broken_references(client.get(status_path).get_data(as_text=True)) == []
    stylesheet = (folder("static") / "style.css").read_text()
    assert re.search(r"\.ref\b[^{]*\{\s*white-space:\s*nowrap", stylesheet)


def test_time_tag_gives_utc_to_the_second_without_the_microseconds_html_refuses():
    moment = datetime(2026, 12, 6, 18, 18, 0, 410476, tzinfo=UTC)

    assert str(time_tag(moment, with_time=True)) == (
        '<time datetime="2026-12-06T18:18:00Z">6 December 2026, 18:18 UTC</time>')


def test_time_tag_turns_another_zone_and_a_naive_value_into_utc():
    in_new_york = datetime(2026, 12, 6, 13, 18, 5, tzinfo=timezone(timedelta(hours=-5)))

    assert 'datetime="2026-12-06T18:18:05Z"' in time_tag(in_new_york)
    assert 'datetime="2026-12-06T18:18:05Z"' in time_tag(datetime(2026, 12, 6, 18, 18, 5))


def ngettext_calls(source: str) -> list[str]:
    """Each ngettext(...) call of a template, its parentheses matched (strings may hold parentheses)."""
    calls = []
    for start in (found.end() for found in re.finditer(r"\bngettext\(", source)):
        depth, quote, at = 1, None, start
        while depth:
            char = source[at]
            if quote:
                quote = None if char == quote else quote
            elif char in "'\"":
                quote = char
            else:
                depth += {"(": 1, ")": -1}.get(char, 0)
            at += 1
        calls.append(source[start:at - 1])
    return calls


@pytest.mark.databases("sqlite")
def test_every_count_a_template_puts_in_a_sentence_is_written_in_the_pages_language():
    # Jinja's ngettext fills %(num)s with the raw count ("1234") unless the call passes num= itself ("1 234").
    raw = [f"{path.name}: {call[:80]}" for path in sorted(folder("templates").rglob("*.*"))
           for call in ngettext_calls(path.read_text()) if "%(num)s" in call and "num=" not in call]
    assert raw == []


@pytest.mark.parametrize("attributes", [
    {"id": "amend-3-text", "name": "amend-3-text", "required": True, "maxlength": 2000, "class_": "wide"},
    {"for_": "email", "readonly": False, "value": 'say "hi" & <b>bye</b>', "data_shortcut_key": "j"},
    {"aria_describedby": "passage-hint", "value": Markup('already "marked" <i>up</i>'), "checked": None},
    {"value": 0, "min": -1.5, "title": "l’été\u202e\x00", "data_x": ""},
    {},
])
def test_form_attributes_are_written_as_wtforms_writes_them(attributes):
    assert html_params(**attributes) == WTFORMS_HTML_PARAMS(**attributes)
    assert isinstance(html_params(**attributes), Markup)


@pytest.mark.databases("sqlite")
def test_form_controls_render_through_the_quicker_attributes(app):
    from wtforms.widgets import core

    assert core.html_params is html_params
