"""The catalogs keep up with the code: messages.pot is what the code marks, every shipped language's catalog is
complete with its placeholders intact, and each compiled .mo says what its .po says. The checks themselves are
shown to fail on catalogs made wrong on purpose."""

from io import BytesIO

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from corrections import languages
from tests.catalogs import (
    TEMPLATE,
    catalog_problems,
    extract,
    messages_of,
    mo_problems,
    placeholders,
    pseudo,
    read_catalog,
)

TRANSLATED = [tag for tag in languages.SHIPPED if tag != languages.SOURCE_LANGUAGE]


@pytest.fixture(scope="module")
def template():
    return read_catalog(TEMPLATE)


def test_the_catalog_template_is_what_the_code_marks(template, tmp_path):
    fresh = extract(tmp_path / "fresh.pot")

    now, kept = messages_of(fresh), messages_of(template)

    assert sorted(now.keys() - kept.keys(), key=str) == [], "marked but not in messages.pot: run make messages"
    assert sorted(kept.keys() - now.keys(), key=str) == [], "in messages.pot but no longer marked: run make messages"
    assert now == kept, "messages moved between files: run make messages"


def test_the_source_language_ships_first():
    assert languages.SHIPPED[0] == languages.SOURCE_LANGUAGE


def test_the_translations_folder_holds_the_shipped_languages_only():
    folders = sorted(p.name for p in languages.TRANSLATIONS.iterdir() if p.is_dir() and p.name != "__pycache__")

    assert folders == sorted(TRANSLATED)


def test_every_shipped_catalog_is_complete_with_its_placeholders_and_compiled(template):
    problems = {}
    for tag in TRANSLATED:
        po = languages.TRANSLATIONS / tag / "LC_MESSAGES" / "messages.po"
        found = catalog_problems(po, template) + mo_problems(po)
        if found:
            problems[tag] = found

    assert problems == {}


def test_the_checks_find_a_missing_fuzzy_or_broken_translation(template, tmp_path):
    catalog = Catalog(locale="hu")
    messages = [m for m in template if m.id and isinstance(m.id, str)]
    with_name = next(m for m in messages if placeholders(m.id) == ["name"])
    with_two = next(m for m in messages if m.id.count("%(") >= 2)
    fuzzy = next(m for m in messages if "%(" not in m.id)
    for message in messages:
        catalog.add(message.id, pseudo(message.id))
    catalog[with_name.id].string = with_name.id.replace("%(name)s", "%(nev)s")
    catalog[with_two.id].string = "no placeholders left"
    catalog[fuzzy.id].flags.add("fuzzy")
    dropped = next(m for m in messages if m.id not in {with_name.id, with_two.id, fuzzy.id})
    del catalog[dropped.id]
    po = tmp_path / "messages.po"
    with po.open("wb") as f:
        write_po(f, catalog)

    problems = catalog_problems(po, template)

    assert f"missing: {dropped.id!r}" in problems
    assert f"fuzzy: {fuzzy.id!r}" in problems
    assert any(p.startswith("placeholders ['nev'] instead of ['name']") for p in problems)
    assert any(p.endswith(f"{with_two.id!r}") and p.startswith("placeholders []") for p in problems)


def test_the_checks_find_a_compiled_catalog_out_of_date(template, tmp_path):
    catalog = Catalog(locale="hu")
    catalog.add("Corrections", "Helyesbítések")
    catalog.add(("%(num)s day", "%(num)s days"), ("%(num)s nap", "%(num)s nap"))
    po = tmp_path / "messages.po"
    with po.open("wb") as f:
        write_po(f, catalog)
    assert mo_problems(po) == ["messages.mo is missing: run make catalogs"]
    buffer = BytesIO()
    write_mo(buffer, catalog)
    po.with_suffix(".mo").write_bytes(buffer.getvalue())
    assert mo_problems(po) == []

    catalog["Corrections"].string = "Javítások"
    with po.open("wb") as f:
        write_po(f, catalog)

    assert mo_problems(po) == [f"{po.with_suffix('.mo')} differs from its messages.po: run make catalogs"]


def test_the_pseudo_locale_keeps_placeholders_and_markup():
    shown = pseudo('In “<a href="%(url)s">%(title)s</a>”. An editor reads every report.')

    assert shown.startswith("⟦") and shown.endswith("⟧")
    assert '<a href="%(url)s">%(title)s</a>' in shown
    assert "editor" not in shown
    assert shown % {"url": "/x", "title": "T"}
