"""Jinja filters and globals: dates people read and machines parse, report references that never break."""

import re
from datetime import UTC, datetime

from flask import Flask
from markupsafe import Markup, escape

from corrections.text import one_line
from corrections.vocabulary import STATUS_LABELS


def human_date(value: datetime) -> str:
    return f"{value.day} {value:%B %Y}"


def human_datetime(value: datetime) -> str:
    return f"{value.day} {value:%B %Y, %H:%M} UTC"


def machine_datetime(value: datetime) -> str:
    """The moment in UTC to the second, e.g. 2026-12-06T18:18:00Z: what <time datetime> accepts (HTML allows at most
    three digits of a second's fraction, and isoformat() gives six). A naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_tag(value: datetime, with_time: bool = False) -> Markup:
    """<time datetime="2026-12-06T18:18:00Z">readable</time>"""
    shown = human_datetime(value) if with_time else human_date(value)
    # Both values are escaped before they are marked safe.
    return Markup(f'<time datetime="{escape(machine_datetime(value))}">{escape(shown)}</time>')  # nosec B704


# A report's reference as reports/tokens.py spells it: "R-" and six letters of Crockford's alphabet.
REFERENCE = re.compile(r"\bR-[0-9A-HJKMNP-TV-Z]{6}\b")


def ref(reference: str) -> Markup:
    """A report's reference kept on one line: a browser would break "R-0RWBDH" after its hyphen."""
    return Markup(f'<span class="ref">{escape(reference)}</span>')  # nosec B704: escaped


def refs(text: str) -> Markup:
    """A text (a history comment) with each report reference in it kept on one line; the rest escaped."""
    escaped = str(escape(text))
    return Markup(REFERENCE.sub(lambda found: str(ref(found.group(0))), escaped))  # nosec B704: escaped


def register(app: Flask) -> None:
    app.add_template_filter(human_date)
    app.add_template_filter(time_tag)
    app.add_template_filter(ref)
    app.add_template_filter(refs)
    # Names and titles in e-mails: one line, whatever was typed (mail/*.txt).
    app.add_template_filter(one_line)
    app.add_template_global(STATUS_LABELS, "STATUS_LABELS")
