"""The catalogs, as the tests read and make them: a fresh extraction of the code's marked strings, the checks every
shipped catalog must pass, and the pseudo-locale (every message of messages.pot transformed) the sweeps render in.
"""

import os
import re
import shlex
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from corrections import PROJECT_ROOT, languages

TEMPLATE = languages.TRANSLATIONS / "messages.pot"
# A named placeholder as the code fills it in: %(name)s, %(num)d.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# What a translation must keep as it is: placeholders, HTML tags and entities, a literal %%.
KEPT = re.compile(r"%\(\w+\)[sd]|%%|<[^>]*>|&\w+;|&#\d+;")
# The pseudo-locale's brackets: text between them went through the catalog.
OPEN, CLOSE = "⟦", "⟧"
ACCENTED = str.maketrans("AaBbCcDdEeGgHhIiJjKkLlNnOoRrSsTtUuWwYyZz",
                         "ÅåƁƀÇçĐđÉéĜĝĤĥÎîĴĵĶķĹĺÑñÖöŘřŠšŢţÛûŴŵÝýŽž")


def extract_options() -> list[str]:
    """`pybabel extract`'s options, as the Makefile's `messages` target gives them (one place to change them)."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    found = re.search(r"^EXTRACT_OPTIONS := (.*?)(?<!\\)$", makefile, re.MULTILINE | re.DOTALL)
    assert found, "the Makefile defines EXTRACT_OPTIONS"
    return shlex.split(found.group(1).replace("\\\n", " "))


def extract(output: Path) -> Catalog:
    """A fresh `pybabel extract` of the checkout into `output`, read back (run from the checkout's top level, as
    `make messages` is, so that the source files are named as in messages.pot)."""
    here = os.getcwd()
    os.chdir(PROJECT_ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", "extract", *extract_options(), "-o", str(output), "."])
    finally:
        os.chdir(here)
    with output.open("rb") as f:
        return read_po(f)


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def messages_of(catalog: Catalog) -> dict:
    """What a catalog asks translators for: each message's id (and plural), context and source files."""
    return {(message.id, message.context): sorted({location for location, _ in message.locations})
            for message in catalog if message.id}


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def catalog_problems(po: Path, template: Catalog) -> list[str]:
    """What is wrong with a language's messages.po against the template: a message missing or untranslated,
    fuzzy, a placeholder dropped, renamed or added, or a plural form left empty."""
    catalog = read_catalog(po)
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        name = message.id if isinstance(message.id, str) else message.id[0]
        if found is None:
            problems.append(f"missing: {name!r}")
            continue
        if found.fuzzy:
            problems.append(f"fuzzy: {name!r}")
        strings = found.string if isinstance(found.string, tuple | list) else (found.string,)
        if not all(strings):
            problems.append(f"untranslated: {name!r}")
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        wanted = sorted(set().union(*(placeholders(i) for i in ids)))
        for string in strings:
            # A plural form may leave out %(num)s ("one day" for 1), nothing else.
            got = sorted(set(placeholders(string)))
            if got != wanted and sorted(set(got) | {"num"}) != sorted(set(wanted) | {"num"}):
                problems.append(f"placeholders {got} instead of {wanted}: {name!r}")
    return problems


def _plain(text: str | tuple | list) -> str | tuple:
    """A message's id or string as one comparable value: a .mo gives a plural's forms as a list, a .po as a tuple."""
    return tuple(text) if isinstance(text, tuple | list) else text


def mo_problems(po: Path) -> list[str]:
    """Where a compiled messages.mo says other than its messages.po (or is missing)."""
    mo = po.with_suffix(".mo")
    if not mo.is_file():
        return [f"{mo.name} is missing: run make catalogs"]
    with mo.open("rb") as f:
        compiled = {_plain(message.id): _plain(message.string) for message in read_mo(f) if message.id}
    source = {_plain(message.id): _plain(message.string) for message in read_catalog(po)
              if message.id and not message.fuzzy
              and all(message.string if isinstance(message.string, tuple | list) else (message.string,))}
    if compiled != source:
        return [f"{mo} differs from its messages.po: run make catalogs"]
    return []


def pseudo(text: str) -> str:
    """A message as the pseudo-locale shows it: bracketed and accented, its placeholders and markup kept."""
    kept = KEPT.findall(text)
    pieces = KEPT.split(text)
    out = pieces[0].translate(ACCENTED)
    for keep, piece in zip(kept, pieces[1:], strict=True):
        out += keep + piece.translate(ACCENTED)
    return f"{OPEN}{out}{CLOSE}"


def write_pseudo_catalog(folder: Path, tag: str) -> Path:
    """Compile the pseudo-locale from messages.pot into folder/<tag>/LC_MESSAGES/messages.mo (a folder for
    EXTRA_CATALOGS), every message transformed; returns the .mo."""
    template = read_catalog(TEMPLATE)
    catalog = Catalog(locale=tag)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            string = tuple(pseudo(message.id[min(n, 1)]) for n in range(catalog.num_plurals))
        else:
            string = pseudo(message.id)
        catalog[message.id] = Message(message.id, string, context=message.context)
    target = folder / tag / "LC_MESSAGES" / f"{languages.CATALOG_DOMAIN}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    target.write_bytes(buffer.getvalue())
    return target
