"""API tokens: the keys a CMS uses to write through the API. Only their hash is ever stored."""

import secrets
from dataclasses import dataclass

from flask_babel import gettext, ngettext
from sqlalchemy import select

from corrections.errors import Refusal
from corrections.extensions import db
from corrections.models import ApiToken, Editor, utcnow
from corrections.text import hash_token
from corrections.vocabulary import ACTORS

# Recognisable in a config file or a leaked log, so secret scanners and people can tell what it is.
PREFIX = "cor_"
# What the admin page shows to tell tokens apart: the prefix and the first few random characters.
DISPLAY_LENGTH = 12
NAME_MAX = 200
TOKEN_MAX = 200


# Who made a token where no editor did (`corrections create-api-token`), kept as the code vocabulary.ACTORS words.
COMMAND_LINE = "command_line"


class TokenError(Refusal):
    """A refused token operation; the message is for the admin (at the name field of the form)."""

    field = "name"


@dataclass(frozen=True)
class Automation:
    """A token acting where an editor would (publishing through the API): recorded by the token's name, with no
    editor's id, in the notice and the reports' histories."""

    name: str
    id: None = None
    is_admin: bool = False


def acting(token: ApiToken) -> Automation:
    return Automation(token.name)


def create(name: str, *, by: Editor | None) -> tuple[ApiToken, str]:
    """Make a token named for what uses it; returns it and the full secret, which is never stored (the caller
    commits before showing it, so the secret is shown only once the token is really usable). `by` is the admin,
    or None from the command line (recorded as COMMAND_LINE). Refused: an empty or overlong name, one a live
    token has (what the token does is recorded by its name), and the words kept for the reader and the system."""
    name = " ".join(name.split())
    if not name:
        raise TokenError(gettext("Give the token a name that says what uses it, e.g. “CMS production”."))
    if len(name) > NAME_MAX:
        raise TokenError(ngettext("Please keep the name under %(num)s character.",
                                  "Please keep the name under %(num)s characters.", NAME_MAX))
    if name in ACTORS:
        raise TokenError(gettext("“%(name)s” names the reader or the app itself in histories: choose a name that "
                                 "says what uses the token.", name=name))
    if db.session.scalar(select(ApiToken.id).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)).limit(1)):
        raise TokenError(gettext("A live token is named “%(name)s” already: choose another name, or revoke that "
                                 "token first.", name=name))
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=hash_token(raw), prefix=raw[:DISPLAY_LENGTH],
                     created_by=by.name if by is not None else COMMAND_LINE)
    db.session.add(token)
    return token, raw


def revoke(token: ApiToken, *, by: Editor) -> None:
    """Stop a token from working, for good; it stays listed with the date."""
    if token.revoked_at is not None:
        raise TokenError(gettext("The token “%(name)s” was already revoked.", name=token.name))
    token.revoked_at = utcnow()


def verify(raw: str) -> ApiToken | None:
    """The live token with this secret, or None; records when it was last used."""
    if not raw or len(raw) > TOKEN_MAX or not raw.startswith(PREFIX):
        return None
    digest = hash_token(raw)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    # The look-up found it by its hash; comparing again in constant time costs nothing and keeps
    # the check honest should the look-up ever change (a prefix search, a cache).
    if token is None or not secrets.compare_digest(token.token_hash, digest) or token.revoked_at is not None:
        return None
    token.last_used_at = utcnow()
    return token


def all_tokens() -> list[ApiToken]:
    """Every token for the admin page: live ones first, newest first."""
    return list(db.session.scalars(
        select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ))
