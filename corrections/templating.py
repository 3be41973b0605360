"""Jinja filters and globals: dates people read and machines parse."""

from datetime import datetime

from flask import Flask
from markupsafe import Markup, escape

from corrections.text import one_line
from corrections.vocabulary import STATUS_LABELS


def human_date(value: datetime) -> str:
    return f"{value.day} {value:%B %Y}"


def human_datetime(value: datetime) -> str:
    return f"{value.day} {value:%B %Y, %H:%M} UTC"


def time_tag(value: datetime, with_time: bool = False) -> Markup:
    """<time datetime="ISO">readable</time>"""
    shown = human_datetime(value) if with_time else human_date(value)
    # Both values are escaped before they are marked safe.
    return Markup(f'<time datetime="{escape(value.isoformat())}">{escape(shown)}</time>')  # nosec B704


def register(app: Flask) -> None:
    app.add_template_filter(human_date)
    app.add_template_filter(time_tag)
    # Names and titles in e-mails: one line, whatever was typed (mail/*.txt).
    app.add_template_filter(one_line)
    app.add_template_global(STATUS_LABELS, "STATUS_LABELS")
