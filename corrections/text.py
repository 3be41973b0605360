"""Small text rules shared by forms, imports and the API."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from email_validator import validate_email
from flask_babel import gettext

from corrections.languages import N_

# NUL and other control characters break PostgreSQL text columns and terminals; tabs and newlines stay.
# Lone surrogates (which JSON can carry) cannot be stored as UTF-8 at all.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Normalise line endings and drop control characters."""
    return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


# The same rules as regular expressions, for the API's OpenAPI document. JSON Schema patterns follow JavaScript,
# whose \s differs from Python's str.isspace() (\x1c-\x1f, \x85, \ufeff), so the spaces are spelled out.
SPACES = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# min_length_pattern is anchored at the first visible character and has no alternations, so that checking and
# generating long texts stays quick.
_VISIBLE = rf"[^{SPACES}\x00-\x1f\x7f]"  # kept by clean_text and not removed by strip()
_INVISIBLE = rf"[{SPACES}\x00-\x1f\x7f]"
_UNCOUNTED = r"[\x00-\x08\x0b-\x1f\x7f]"  # removed by clean_text, and CR (CR LF counts as one line break)
_COUNTED = r"[^\x00-\x08\x0b-\x1f\x7f]"


def min_length_pattern(minimum: int) -> str:
    """A pattern for texts at least `minimum` (1 or more) characters long once cleaned and stripped.

    Forms and the API measure text after clean_text() and strip(), so "   " is empty; the API's document states
    that rule with this pattern beside its minLength. It counts a CR LF line break once, and a lone CR (which
    clean_text makes a line break) not at all: stricter than the code only for old Mac line endings.
    """
    if minimum <= 1:
        return _VISIBLE
    return f"^{_INVISIBLE}*{_VISIBLE}(?:{_UNCOUNTED}*{_COUNTED}){{{minimum - 2}}}[\\s\\S]*{_VISIBLE}"


# Characters that reorder what follows them (bidi embeddings, overrides, isolates): in a one-line value they
# only serve to make it read as something else.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def one_line(value: str) -> str:
    """The value as one line: whitespace runs (line breaks too) become one space, control characters go.

    For what someone typed that goes into an e-mail header or a line of a message (a name, a title).
    """
    kept = "".join(c for c in str(value).translate(BIDI_CONTROLS)
                   if c.isspace() or unicodedata.category(c) not in ("Cc", "Cs"))
    return " ".join(kept.split())


def deliverable_email(address: str) -> str:
    """The address in the form every SMTP server takes, when there is one: the domain in ASCII (IDNA).

    A local part that is not ASCII stays as it is: such an address genuinely needs a server with
    SMTPUTF8. Raises email_validator.EmailNotValidError when the value is not an address.
    """
    checked = validate_email(address, check_deliverability=False)
    return checked.ascii_email or checked.normalized


# email-validator's reasons, read by what they are about, each with what a person can do about it: the
# library's own sentences speak of "@-signs", "IDNA" and "special-use names". First match wins.
DOMAIN_EXAMPLE = N_("the part after @ should be a domain like example.com")
EMAIL_PROBLEMS = (
    ("too long", N_("it is too long: check it, or give a shorter address")),
    ("at-sign (@) character instead", N_("its @ is not the usual @ sign; type it again")),
    ("must have an @-sign", N_("it needs an @, as in name@example.com")),
    ("something before the @-sign", N_("your name or mailbox should come before the @, as in name@example.com")),
    ("something after the @-sign", DOMAIN_EXAMPLE),
    ("display name", N_("give the address alone, as in name@example.com, without a name or brackets around it")),
    ("angle bracket", N_("give the address alone, as in name@example.com, without a name or brackets around it")),
    ("anything after the email", N_("give the address alone, as in name@example.com, with nothing after it")),
    ("quoting", N_("give the address without quotation marks, as in name@example.com")),
    ("should have a period", DOMAIN_EXAMPLE),
    ("hyphen", N_("the part after @ should be a domain like example.com, without a hyphen next to the @ or a dot, "
                  "or at the end")),
    ("two periods in a row", N_("it has two dots in a row")),
    ("period", N_("a dot is out of place (an address cannot start or end with one, or have one next to the @)")),
    ("unsafe characters", N_("it has an invisible or unusual character in it; type it again")),
    ("after the @-sign", DOMAIN_EXAMPLE),
    ("before the @-sign", N_("the part before the @ has a character an address cannot have")),
)
EMAIL_PROBLEM_CHARACTERS = re.compile(r"characters[^:]*: (.+)\.$")


def email_problem(error: Exception) -> str:
    """What is wrong with an address that email-validator refused, in words a reader can act on: a clause to
    follow "Check the e-mail address:" (or to say after the address), naming the characters to take out; in the
    page's language."""
    reason = str(error)
    lowered = reason.lower()
    problem = next((plain for key, plain in EMAIL_PROBLEMS if key in lowered),
                   N_("write it as name@example.com"))
    found = EMAIL_PROBLEM_CHARACTERS.search(reason)
    if found and "@-sign" in reason and problem in (DOMAIN_EXAMPLE, EMAIL_PROBLEMS[-1][1]):
        where = "after" if "after the @-sign" in reason or "part after" in lowered else "before"
        shown = [piece[1:-1] if len(piece) >= 3 and piece[0] == piece[-1] == "'" else piece.lower()
                 for piece in found.group(1).split(", ")]
        named = [gettext("a space") if piece == "space" else gettext("“%(character)s”", character=piece)
                 for piece in shown]
        listed = named[0]
        for more in named[1:]:
            listed = gettext("%(first)s or %(next)s", first=listed, next=more)
        if where == "after":
            return gettext("the part after @ should be a domain like example.com, without %(characters)s",
                           characters=listed)
        return gettext("the part before the @ cannot have %(characters)s in it", characters=listed)
    return gettext(problem)


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    # No spaces or control characters: they are never part of an address (the API checks addresses as sent).
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)
            and not CONTROL.search(value))


# Row ids fit PostgreSQL's INTEGER; anything longer, or digits that are not ASCII ("²"), is no id.
ID_PATTERN = re.compile(r"[0-9]{1,9}")


def parse_id(value: str | None) -> int | None:
    """An id from a form or query value, or None when it is not one."""
    return int(value) if value and ID_PATTERN.fullmatch(value) else None


def parse_ids(values: Iterable[str]) -> list[int]:
    """The ids among the values, in order, without repeats."""
    return list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))


def hash_token(token: str) -> str:
    """How a secret token (a status link, a confirmation link, an API key) is stored: its SHA-256, in hex.

    A copy of the table gives nobody a working link or key; the token itself is random enough that no salt or
    slow hash is needed.
    """
    return hashlib.sha256(token.encode()).hexdigest()
