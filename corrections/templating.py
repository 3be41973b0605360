"""Jinja filters and globals: dates people read (in the page's language and the site's time zone, languages.py) and
machines parse (UTC), report references that never break."""

import re
from datetime import UTC, date, datetime
from typing import NamedTuple

from flask import Flask, current_app
from markupsafe import Markup, escape
from wtforms.widgets import core as wtforms_widgets

from corrections.languages import (
    html_lang,
    long_date,
    long_datetime,
    month_year,
    number,
    percent,
    short_day,
    short_time,
    text_direction,
    time_of_day,
    word_list,
    zone_name,
)
from corrections.text import one_line
from corrections.vocabulary import STATUS_LABELS, actor_name


def machine_datetime(value: datetime) -> str:
    """The moment in UTC to the second, e.g. 2026-12-06T18:18:00Z: what <time datetime> accepts (HTML allows at most
    three digits of a second's fraction, and isoformat() gives six). A naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_tag(value: datetime, with_time: bool = False) -> Markup:
    """<time datetime="2026-12-06T18:18:00Z">readable</time>"""
    shown = long_datetime(value) if with_time else long_date(value)
    # Both values are escaped before they are marked safe.
    return Markup(f'<time datetime="{escape(machine_datetime(value))}">{escape(shown)}</time>')  # nosec B704


def written_in(tag: str | None) -> Markup:
    """The lang and dir attributes of text written in language `tag` (an article's own; the site's when it has
    none): an English article on an Arabic page keeps its left-to-right order, and the reverse."""
    tag = tag or current_app.config["LANGUAGE"]
    return Markup(f' lang="{escape(html_lang(tag))}" dir="{text_direction(tag)}"')  # nosec B704: escaped


# A report's reference as reports/tokens.py spells it: "R-" and six letters of Crockford's alphabet.
REFERENCE = re.compile(r"\bR-[0-9A-HJKMNP-TV-Z]{6}\b")


def html_list(items) -> Markup:
    """Items (text or markup) joined as the page's language lists them, each escaped unless it is markup."""
    return Markup(word_list([str(escape(item)) for item in items]))  # nosec B704: each item escaped


def ref(reference: str) -> Markup:
    """A report's reference kept on one line: a browser would break "R-0RWBDH" after its hyphen."""
    return Markup(f'<span class="ref">{escape(reference)}</span>')  # nosec B704: escaped


def ltr(address: str) -> Markup:
    """An address (e-mail, web) kept in its own left-to-right order among the words of a right-to-left page, where a
    digit at its start or a slash at its end would otherwise be carried to the other side."""
    return Markup(f'<bdi dir="ltr">{escape(address)}</bdi>')  # nosec B704: escaped


def refs(text: str) -> Markup:
    """A text (a history comment) with each report reference in it kept on one line; the rest escaped."""
    escaped = str(escape(text))
    return Markup(REFERENCE.sub(lambda found: str(ref(found.group(0))), escaped))  # nosec B704: escaped


def day_label(day: date) -> str:
    """A UTC day as a chart's or table's row names it, in the page's language: "Mon 7 Dec", "dec. 7., H"."""
    return short_day(day)


class Bar(NamedTuple):
    """One row of a bar chart, placed (templates/macros/charts.html draws it)."""

    label: str  # whole, for the tooltip
    shown: str  # cut to the chart's max_label
    value_text: str
    y: int
    text_y: float  # the baseline of the label and value beside the bar
    width: str  # percent of the chart's width, two decimals
    value_x: str  # where the value is written: the bar's end
    inside: bool  # the value is written inside the bar's end (a long bar), not after it


# A bar longer than this share of the chart's room has its value written inside its end.
INSIDE_FROM = 0.6


def chart_bars(rows, top, bar_x, bar_room, row_height, bar_height, label_room, max_label) -> list[Bar]:
    """The bar chart macro's rows, computed here: a chart of a year's days has hundreds of rows, and the same
    arithmetic in the template cost a dozen filter calls a row."""
    bars = []
    for index, row in enumerate(rows):
        label, value = row[0], row[1]
        value_text = row[2] if len(row) > 2 else value
        y = row_height * index + label_room
        width = (value / top * bar_room) if top else 0
        # A value above zero always shows, however small next to the largest.
        width = (width if width > 0.5 else 0.5) if value else 0
        label = str(label)
        shown = label if len(label) <= max_label else label[:max_label - 1] + "…"
        # On a phone the room after the longest bars is too narrow for a value like "2 h 20 min": theirs is
        # written inside the bar's end instead.
        inside = width > bar_room * INSIDE_FROM
        bars.append(Bar(label, shown, str(value_text), y, y + bar_height * 0.75, f"{width:.2f}",
                        f"{bar_x + width:.2f}", inside))
    return bars


# WTForms' own, kept to compare with (tests/test_templating.py).
WTFORMS_HTML_PARAMS = wtforms_widgets.html_params


def html_params(**attributes) -> Markup:
    """A form control's attributes as WTForms' widgets write them (wtforms.widgets.core.html_params: sorted, `class_`
    and `for_` without the underscore, `data_`/`aria_` names with hyphens, True bare, False left out, values escaped
    with a double quote as &quot;), in a quarter of the time. WTForms builds each attribute with Markup.format, which
    goes through string.Formatter: a page of forms (the report page, an article's notices with their amend and
    withdraw forms) spent a tenth to a quarter of its rendering there."""
    written = []
    for key, value in sorted(attributes.items()):
        key = wtforms_widgets.clean_key(key)
        if value is True:
            written.append(str(escape(key)))
        elif value is not False:
            written.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(written))  # nosec B704: every key and value escaped above


def register(app: Flask) -> None:
    # WTForms' widgets call the html_params of their module: this module's, the same markup.
    wtforms_widgets.html_params = html_params
    app.add_template_filter(long_date, "human_date")
    app.add_template_filter(long_datetime, "human_datetime")
    app.add_template_filter(short_time)
    app.add_template_filter(html_list, "word_list")
    app.add_template_filter(month_year)
    app.add_template_filter(lambda value: month_year(value, short=True), "short_month_year")
    # Counts and shares in the page's language (Flask-Babel's own filters read its locale the same way).
    app.add_template_filter(number)
    app.add_template_filter(percent)
    app.add_template_filter(time_tag)
    app.add_template_filter(time_of_day)
    app.add_template_filter(ref)
    app.add_template_filter(refs)
    app.add_template_filter(ltr)
    app.add_template_filter(day_label)
    # Who acted, named: an editor's name, or the reader or the system in the page's language.
    app.add_template_filter(actor_name, "actor")
    app.add_template_global(chart_bars)
    app.add_template_global(zone_name)
    app.add_template_global(written_in)
    # Names and titles in e-mails: one line, whatever was typed (mail/*.txt).
    app.add_template_filter(one_line)
    app.add_template_global(STATUS_LABELS, "STATUS_LABELS")
