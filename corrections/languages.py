"""Which language a page, a form message or an e-mail speaks, and the time zone its dates are shown in.

Ground floor: Flask-Babel bound to the app, the settings that choose languages (LANGUAGE, LANGUAGES, TIMEZONE),
and the one rule for a request's language: what a view decided (an article's own language, the language a
reader filed a report in), else a logged-in editor's choice, else the best match of the browser's
Accept-Language among LANGUAGES. Dates people read go through Babel here (templating.py's filters use these);
machine-readable dates stay UTC ISO 8601 and never come here.
"""

import functools
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    format_time,
    format_timedelta,
    get_timezone,
    get_timezone_name,
)
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from babel.support import Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, Domain, force_locale, get_locale, gettext
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from wtforms.i18n import messages_path

# The language the code's own strings are written in: it needs no catalog.
SOURCE_LANGUAGE = "en"
# The languages whose catalogs ship in the package (corrections/translations/<language>/LC_MESSAGES), the
# source language first. Adding one: README, "How to add a language"; tests/test_catalogs.py checks each.
SHIPPED = ("en", "hu", "de", "fr", "es", "ar")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
CATALOG_DOMAIN = "messages"

# The product's own date patterns where the language's usual ones are not the house style: English pages have
# always read "6 December 2026" and "6 December 2026, 18:18 UTC". Other languages use Babel's (CLDR's) long date.
DATE_PATTERNS = {"en": "d MMMM y"}
DATETIME_PATTERNS = {"en": "d MMMM y, HH:mm zzz"}
TIME_PATTERNS = {"en": "HH:mm:ss zzz"}
DAY_PATTERNS = {"en": "EEE d MMM"}


class LanguageError(ValueError):
    """A language or time zone setting is wrong; the message names it and says what would be right."""


# A language tag as an article may carry it (BCP 47's shape: "hu", "pt-BR", "zh-Hant-TW"), whether or not the app
# has a catalog for it: an article's language is a fact about the article. The API's document states the same rule.
TAG_PATTERN = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}"
TAG_MAX = 35

# --- Language tags ------------------------------------------------------------------------------------------------


def parse(tag: str) -> Locale:
    """A language tag as people write it ("pt-BR", "pt_BR", "hu") as Babel's Locale; UnknownLocaleError or
    ValueError when it names no language CLDR knows."""
    if not isinstance(tag, str) or not tag.strip():
        raise ValueError("empty")
    return Locale.parse(tag.strip().replace("-", "_"))


def normalised(tag: str) -> str | None:
    """The tag in the one spelling the app keeps ("pt_BR", "hu"), or None when it names no known language."""
    try:
        return str(parse(tag))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def html_lang(tag: str) -> str:
    """The BCP 47 spelling HTML's lang attribute takes: "pt-BR"."""
    return tag.replace("_", "-")


def text_direction(tag: str) -> str:
    """"rtl" for the languages written right to left (Arabic, Hebrew, Persian, Urdu, ...), "ltr" for the rest."""
    try:
        return "rtl" if parse(tag).character_order == "right-to-left" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def display_name(tag: str) -> str:
    """A language's name in that language, as a menu of languages shows it ("magyar", "Deutsch")."""
    locale = parse(tag)
    name = locale.get_display_name(locale) or tag
    return name[:1].upper() + name[1:]


def best_match(wanted: Iterable[str], offered: Iterable[str]) -> str | None:
    """The first of `wanted` that one of `offered` serves: the same tag, else the same language ("en-GB" is served
    by "en", and "pt" by "pt_BR" when no plain "pt" is offered)."""
    offered = list(offered)
    exact = {tag.lower(): tag for tag in offered}
    by_language: dict[str, str] = {}
    for tag in offered:
        by_language.setdefault(tag.split("_")[0].lower(), tag)
    for tag in wanted:
        tag = tag.replace("-", "_").lower()
        if tag in exact:
            return exact[tag]
        found = by_language.get(tag.split("_")[0])
        if found is not None:
            return found
    return None


def negotiate(accept_language: str | None, offered: list[str], default: str) -> str:
    """The language of `offered` that best fits an Accept-Language header (`default` when none fits)."""
    if len(offered) < 2 or not accept_language:
        return default
    accepted = parse_accept_header(accept_language, LanguageAccept)
    return best_match([tag for tag, quality in accepted if quality > 0 and tag != "*"], offered) or default


def N_(message: str) -> str:
    """Marks a message for the catalog where it is written; it is translated where it is shown."""
    return message


def with_canned_words(reason: str, canned: Iterable[str]) -> str:
    """A reason kept as one of the `canned` messages (marked with N_, kept in English) and what the editor added
    after it, as the reader of the page reads it: the canned words in the current language, the editor's own as
    typed. A reason kept otherwise (an editor's words, or one stored already in some language) stays as it is."""
    for message in canned:
        if reason == message or reason.startswith(message + " "):
            return f"{gettext(message)}{reason[len(message):]}"
    return reason


class FieldMessage:
    """A form field's message, translated when WTForms fills in its own values (%(length)s, %(max)s) or when shown,
    with numbers of its own written in the page's language ("5,000")."""

    def __init__(self, message: str, **numbers: int):
        self.message = message
        self.numbers = numbers

    def _words(self, values: Mapping[str, Any]) -> str:
        return gettext(self.message, **{name: number(value) for name, value in self.numbers.items()}, **values)

    def __mod__(self, values: Mapping[str, Any]) -> str:
        return self._words(values)

    def __str__(self) -> str:
        return self._words({})


# --- Settings -----------------------------------------------------------------------------------------------------


def catalog_folders(config: Mapping[str, Any]) -> list[Path]:
    """Where catalogs are read from: the package's own, then EXTRA_CATALOGS (folders of the same layout)."""
    extra = config.get("EXTRA_CATALOGS") or []
    if isinstance(extra, str):
        extra = [part for part in extra.split(os.pathsep) if part]
    return [TRANSLATIONS, *(Path(folder) for folder in extra)]


def has_catalog(tag: str, folders: Iterable[Path]) -> bool:
    return any((folder / tag / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.mo").is_file() for folder in folders)


def check_settings(config: dict[str, Any]) -> None:
    """Read LANGUAGE, LANGUAGES and TIMEZONE, keep them in the app's spelling, or raise LanguageError.

    A language must be the source language or have a compiled catalog; LANGUAGES (a list, or JSON text of one)
    must hold the site's own language.
    """
    folders = catalog_folders(config)

    def known(value: Any, setting: str) -> str:
        tag = normalised(value) if isinstance(value, str) else None
        if tag is None:
            raise LanguageError(f"CORRECTIONS_{setting} must be a language tag such as \"en\" or \"hu\", "
                                f"not {value!r}.")
        if tag != SOURCE_LANGUAGE and not has_catalog(tag, folders):
            available = ", ".join(sorted({SOURCE_LANGUAGE, *available_languages(folders)}))
            raise LanguageError(f"CORRECTIONS_{setting}: there is no catalog for {value!r}; "
                                f"the languages available are {available}.")
        return tag

    site = known(config.get("LANGUAGE"), "LANGUAGE")
    offered = config.get("LANGUAGES")
    if offered is None:
        offered = [site]
    if isinstance(offered, str):
        # From the environment a value that is not JSON arrives as text: "en,hu" or "en".
        offered = [part.strip() for part in offered.split(",") if part.strip()]
    if not isinstance(offered, list | tuple) or not offered:
        raise LanguageError(f"CORRECTIONS_LANGUAGES must be a list of language tags, such as [\"en\", \"hu\"], "
                            f"not {config.get('LANGUAGES')!r}.")
    tags = list(dict.fromkeys(known(value, "LANGUAGES") for value in offered))
    if site not in tags:
        raise LanguageError(f"CORRECTIONS_LANGUAGES must include the site's language, CORRECTIONS_LANGUAGE "
                            f"({site!r}): {tags!r} does not.")
    zone = config.get("TIMEZONE")
    try:
        get_timezone(zone if isinstance(zone, str) and zone else "not a zone")
    except LookupError:
        raise LanguageError(f"CORRECTIONS_TIMEZONE must be an IANA time zone name, such as \"UTC\" or "
                            f"\"Europe/Budapest\", not {zone!r}.") from None
    config["LANGUAGE"], config["LANGUAGES"] = site, tags
    # Flask-Babel's own settings, derived.
    config["BABEL_DEFAULT_LOCALE"] = site
    config["BABEL_DEFAULT_TIMEZONE"] = zone
    config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(folder) for folder in folders)


def available_languages(folders: Iterable[Path]) -> list[str]:
    """The languages with a compiled catalog in these folders."""
    found = set()
    for folder in folders:
        if folder.is_dir():
            found.update(child.name for child in folder.iterdir() if has_catalog(child.name, [folder]))
    return sorted(found)


# --- The request's language ---------------------------------------------------------------------------------------

DECIDED = "page_language"
NEGOTIATED = "language_negotiated"


def decide(tag: str | None) -> bool:
    """A view says which language its page speaks (an article's own, the one a report was filed in), when it is
    one readers may get. Returns whether it decided; otherwise the usual rule applies. Call it before anything
    on the page is translated."""
    offered = current_app.config["LANGUAGES"]
    chosen = best_match([tag], offered) if tag else None
    if chosen is None:
        return False
    setattr(g, DECIDED, chosen)
    # Anything already looked up (a flash message in another language) is looked up again.
    babel_context = getattr(g, "_flask_babel", None)
    if babel_context is not None:
        for key in ("babel_locale", "babel_translations"):
            if hasattr(babel_context, key):
                delattr(babel_context, key)
    return True


def settle(tag: str | None) -> str:
    """The page's language as `decide` and the usual rule make it, for an answer that translates nothing (a 304)
    yet must tell caches what the page tells them (mark_vary)."""
    decide(tag)
    return language()


def editor_language(editor: Any) -> str:
    """An editor's language: their choice while readers may still get it, the site's otherwise."""
    choice = getattr(editor, "language", None)
    return choice if choice in current_app.config["LANGUAGES"] else current_app.config["LANGUAGE"]


def select_language() -> str:
    """Flask-Babel's locale selector: the rule in this module's docstring."""
    config = current_app.config
    decided = getattr(g, DECIDED, None)
    if decided is not None:
        return decided
    if not has_request_context():
        return config["LANGUAGE"]
    return visitors_language()


def visitors_language() -> str:
    """The language the request's visitor chose: a logged-in editor's own setting, else the best match of the
    browser's Accept-Language (the page's, unless a view decides)."""
    config = current_app.config
    if config["SESSION_COOKIE_NAME"] in request.cookies:
        # Only a visitor with a session can be an editor; for anyone else no session is read.
        if current_user.is_authenticated:
            return editor_language(current_user)
    offered = config["LANGUAGES"]
    if len(offered) > 1:
        setattr(g, NEGOTIATED, True)
    return negotiate(request.headers.get("Accept-Language"), offered, config["LANGUAGE"])


@contextmanager
def speaking(tag: str | None) -> Iterator[str]:
    """Inside, words and dates speak `tag` where readers may get it, else the site's language: a reader's e-mail
    in the language they filed their report in, whoever's request queues it."""
    chosen = (best_match([tag], current_app.config["LANGUAGES"]) if tag else None) or current_app.config["LANGUAGE"]
    with force_locale(chosen):
        yield chosen


def visitors_tag() -> str:
    """The language the visitor chose (visitors_language), for ETags ("" when only one language is offered): a page
    in another language must not pass for the one the client holds, nor an editor's page in the language they
    had before they changed it on their account page."""
    if len(current_app.config["LANGUAGES"]) < 2:
        return ""
    return visitors_language()


def language() -> str:
    """The current page's (or e-mail's) language; outside an app, the source language."""
    locale = get_locale()
    if locale is not None:
        return str(locale)
    return current_app.config["LANGUAGE"] if has_app_context() else SOURCE_LANGUAGE


def mark_vary(response):
    """A page whose language came from Accept-Language says so to caches; one whose language was decided (or
    could only be one) does not."""
    if getattr(g, NEGOTIATED, False) and getattr(g, DECIDED, None) is None:
        response.vary.add("Accept-Language")
    return response


# --- Dates people read --------------------------------------------------------------------------------------------


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _zone():
    return get_timezone(current_app.config["TIMEZONE"] if has_app_context() else "UTC")


def long_date(value: datetime) -> str:
    """The day, in the page's language and the site's time zone: "6 December 2026", "2026. december 6."."""
    return _long_day(_aware(value).astimezone(_zone()).date(), language())


# A page names the same few days again and again (a queue's rows, a chart's 365 days), and Babel takes about
# 0.1 ms to spell each: each day is spelt once per language.
@functools.lru_cache(maxsize=4096)
def _long_day(day: date, tag: str) -> str:
    return format_date(day, DATE_PATTERNS.get(tag.split("_")[0], "long"), locale=tag)


def long_datetime(value: datetime) -> str:
    """The day and minute, with the zone: "6 December 2026, 18:18 UTC"."""
    tag = language()
    pattern = DATETIME_PATTERNS.get(tag.split("_")[0])
    if pattern is None:
        locale = Locale.parse(tag)
        date_pattern = locale.date_formats["long"].pattern
        time_pattern = locale.time_formats["short"].pattern
        pattern = str(locale.datetime_formats["long"]).replace("{1}", date_pattern).replace("{0}", time_pattern)
        pattern += " zzz"
    return format_datetime(_aware(value), pattern, tzinfo=_zone(), locale=tag)


def zone_name() -> str:
    """The site's time zone as people know it, in the page's language: CLDR's name for it where it has one
    ("Central European Time", "közép-európai idő"), else its IANA name ("UTC", "Etc/GMT+3"), for which CLDR has
    only "Unknown Region (UTC) Time"."""
    zone = current_app.config["TIMEZONE"] if has_app_context() else "UTC"
    if get_global("meta_zones").get(get_global("zone_aliases").get(zone, zone)) is None:
        return zone
    return get_timezone_name(_zone(), "long", zone_variant="generic", locale=language())


def _zoneinfo() -> ZoneInfo:
    # Not Babel's zone (pytz's, whose zones placed in a datetime's tzinfo keep their first offset in history).
    return ZoneInfo(current_app.config["TIMEZONE"] if has_app_context() else "UTC")


def local_month(moment: datetime) -> date:
    """The calendar month (its first day) a moment falls in, in the site's time zone."""
    zoned = _aware(moment).astimezone(_zoneinfo())
    return date(zoned.year, zoned.month, 1)


def month_start(month: date) -> datetime:
    """The UTC instant a calendar month (given by any of its days) begins in the site's time zone: what queries of
    stored UTC times compare with, so that months are index ranges and no row's time is converted."""
    return datetime(month.year, month.month, 1, tzinfo=_zoneinfo()).astimezone(UTC)


def next_month(month: date) -> date:
    """The first day of the month after `month`'s."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def time_of_day(value: datetime) -> str:
    """The time to the second, with the zone, as when a wait ends: "18:18:05 UTC"."""
    tag = language()
    pattern = TIME_PATTERNS.get(tag.split("_")[0]) or Locale.parse(tag).time_formats["medium"].pattern + " zzz"
    return format_time(_aware(value), pattern, tzinfo=_zone(), locale=tag)


def short_day(value: date) -> str:
    """A day with its weekday, short, as a chart's row names it: "Mon 7 Dec"."""
    return _short_day(value, language())


@functools.lru_cache(maxsize=4096)
def _short_day(value: date, tag: str) -> str:
    pattern = DAY_PATTERNS.get(tag.split("_")[0])
    if pattern is None:
        return format_skeleton("MMMEd", value, locale=tag)
    return format_date(value, pattern, locale=tag)


def short_time(value: datetime) -> str:
    """The hour and minute of a moment of today, with the zone: "18:18 UTC" (the page's language's own way)."""
    tag = language()
    pattern = "HH:mm zzz" if tag.split("_")[0] == "en" else Locale.parse(tag).time_formats["short"].pattern + " zzz"
    return format_time(_aware(value), pattern, tzinfo=_zone(), locale=tag)


def word_list(items: Iterable[str], style: str = "standard") -> str:
    """Items joined as the page's language lists them: "Ada, Bea and Cy", "Ada, Bea és Cy"; with the style "or",
    alternatives: "7, 30, 90 or 365"."""
    tag = language()
    # The house style in English has no comma before "and" or "or" (CLDR's "en" has one; its "en_GB" does not).
    return format_list(list(items), style=style, locale="en_GB" if tag == "en" else tag)


def month_year(value: date, short: bool = False) -> str:
    """A calendar month as the page's language names it: "December 2026" ("Dec 2026" short), "2026. december"."""
    return format_skeleton("yMMM" if short else "yMMMM", value, locale=language())


def number(value: int | float) -> str:
    """A count as the page's language writes it: "1,234", "1 234", "1.234"."""
    return _decimal(value, language())


# Babel formats a number in about a tenth of a millisecond, and a queue page writes a few hundred (page numbers,
# group sizes, counts): the same few values, each formatted once per language.
@functools.lru_cache(maxsize=4096, typed=True)
def _decimal(value: int | float, tag: str) -> str:
    return format_decimal(value, locale=tag)


def percent(share: float) -> str:
    """A share (0.42) as a whole percentage in the page's language: "42%", "42 %"."""
    return format_percent(share, locale=language())


def duration(span: timedelta, threshold: float = 0.85) -> str:
    """A length of time in words of the page's language: "2 hours", "3 days"."""
    return format_timedelta(span, threshold=threshold, locale=language())


class FormMessages:
    """WTForms' own words (the name of a field without a label, a validator's default sentence) in the page's
    language at the moment they are asked for. Flask-WTF reads WTForms' catalog from disk on every request that
    builds a form (every form has a field without a label) and keeps it for the request even after a view decided
    the page's language; this reads each language's once for the process."""

    def __init__(self) -> None:
        self.loaded: dict[str, Translations] = {}

    def _catalog(self) -> Translations:
        tag = language()
        found = self.loaded.get(tag)
        if found is None:
            found = self.loaded[tag] = Translations.load(messages_path(), [tag], domain="wtforms")
        return found

    def ugettext(self, message: str) -> str:
        return self._catalog().ugettext(message)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ungettext(singular, plural, n)


class PageDomain(Domain):
    """Flask-Babel's catalogs, the one in use kept for the request while its language stays. Flask-Babel finds it
    again for every message (the request's context three times, the locale and its name, its own cache): a tenth
    of the CPU time of a page with fifty messages. Kept where Flask-Babel's own code expects the request's
    catalog (babel_translations), which force_locale empties and restores around its block, and refresh and
    `decide` clear with the locale."""

    def get_translations(self):
        context = getattr(g, "_flask_babel", None) if has_app_context() else None
        kept = getattr(context, "babel_translations", None)
        if kept is None:
            kept = super().get_translations()
            if context is not None:
                context.babel_translations = kept
        return kept


def register(app: Flask) -> Babel:
    """Bind Flask-Babel (its Jinja2 `_`, `gettext`, `ngettext`) with this module's language rule."""
    babel = Babel(app, locale_selector=select_language, timezone_selector=lambda: current_app.config["TIMEZONE"])
    babel.domain_instance = PageDomain(domain=CATALOG_DOMAIN)
    app.after_request(mark_vary)
    form_messages = FormMessages()

    @app.before_request
    def form_messages_of_the_page() -> None:
        # Where Flask-WTF looks for the request's WTForms catalog before it loads one (flask_wtf/i18n.py).
        request.wtforms_translations = form_messages

    @app.context_processor
    def page_language() -> dict:
        tag = language()
        return {"page_lang": html_lang(tag), "page_dir": text_direction(tag)}

    return babel
