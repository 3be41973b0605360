"""Editor accounts: creating them, checking passwords (slowing guessers down), ending sessions."""

import math
import secrets
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext, ngettext
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from corrections.access import login_throttle
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.languages import time_of_day
from corrections.models import Editor, utcnow
from corrections.text import email_problem, parse_id

PASSWORD_MIN = 10
PASSWORD_MAX = 200
NAME_MAX = 200
# Checked when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


def login_refused() -> str:
    return ngettext("The e-mail or the password is wrong. After %(num)s wrong password, each further try has to "
                    "wait a little longer than the one before.",
                    "The e-mail or the password is wrong. After %(num)s wrong passwords, each further try has to "
                    "wait a little longer than the one before.", login_throttle.FREE_FAILURES)


class AccountError(Refusal):
    """Bad account data or a refused login; the message is shown to the person, at `field` in a form."""

    field = "email"


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(gettext("“%(email)s” is not a valid e-mail address: %(problem)s.", email=email,
                                   problem=email_problem(error))) from None


def check_password_rules(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(ngettext("The password must have at least %(num)s character.",
                                    "The password must have at least %(num)s characters.", PASSWORD_MIN), "password")
    if len(password) > PASSWORD_MAX:
        raise AccountError(ngettext("The password may have at most %(num)s character.",
                                    "The password may have at most %(num)s characters.", PASSWORD_MAX), "password")


def hash_password(password: str) -> str:
    # Werkzeug's current default (scrypt), salted.
    return generate_password_hash(password)


def find_by_email(email: str) -> Editor | None:
    return db.session.scalar(select(Editor).where(func.lower(Editor.email) == email.strip().lower()))


def create_editor(email: str, password: str, *, name: str = "", is_admin: bool = False) -> Editor:
    """Create an editor account; raises AccountError on a bad or taken address or a weak password."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise AccountError(gettext("An editor with the e-mail %(email)s already exists.", email=email))
    check_password_rules(password)
    name = " ".join(name.split()) or email.split("@")[0]
    if len(name) > NAME_MAX:
        raise AccountError(ngettext("The name may have at most %(num)s character.",
                                    "The name may have at most %(num)s characters.", NAME_MAX), "name")
    editor = Editor(email=email, name=name, password_hash=hash_password(password), is_admin=is_admin,
                    session_token=secrets.token_hex(16))
    db.session.add(editor)
    return editor


def wait_message(wait: login_throttle.Wait, now: datetime) -> str:
    seconds = seconds_to_wait(wait, now)
    if seconds < 120:
        when = ngettext("%(num)s second", "%(num)s seconds", seconds)
    else:
        when = ngettext("%(num)s minute", "%(num)s minutes", round(seconds / 60))
    if wait.everywhere:
        # Translators: %(wait)s is a length of time ("15 minutes"), %(time)s the time it ends ("18:18:05 UTC").
        return gettext("Too many wrong passwords for this account from many places, so every browser this account "
                       "has not logged in from before waits. You can try again in %(wait)s (at %(time)s). An admin "
                       "can let you in sooner.", wait=when, time=time_of_day(wait.until))
    return gettext("Too many wrong passwords for this account from here. You can try again in %(wait)s (at "
                   "%(time)s). An admin can let you in sooner.", wait=when, time=time_of_day(wait.until))


def seconds_to_wait(wait: login_throttle.Wait, now: datetime) -> int:
    return max(1, math.ceil((wait.until - now).total_seconds()))


class LoginThrottled(AccountError):
    """A login refused unchecked, because its source must still wait; `seconds` says how long."""

    def __init__(self, wait: login_throttle.Wait, now: datetime, field: str = "password"):
        super().__init__(wait_message(wait, now), field)
        self.seconds = seconds_to_wait(wait, now)


def authenticate(email: str, password: str, *, client: str, device: str | None = None,
                 now: datetime | None = None) -> Editor:
    """The editor with these credentials; raises AccountError with a message safe to show.

    `client` is the keyed hash of the client's address, `device` the source of a valid device cookie
    (login_throttle.device_source). Wrong passwords are counted in the session: the caller commits
    whatever happens.
    """
    now = now or utcnow()
    account = login_throttle.account_key(email)
    counted = login_throttle.sources(client, device)
    login_throttle.take_turn(account, now)
    # Unknown addresses are counted and throttled exactly like known ones, and a waiting source is
    # refused before any password is checked: nothing tells anyone which addresses have accounts.
    wait = login_throttle.waiting(account, counted, now)
    if wait is not None:
        raise LoginThrottled(wait, now)
    editor = find_by_email(email) if email else None
    if editor is None:
        check_password_hash(_DUMMY_HASH, password)
    if editor is None or not check_password_hash(editor.password_hash, password):
        login_throttle.count_failure(account, counted, now)
        wait = login_throttle.waiting(account, counted, now)
        raise AccountError(login_refused() if wait is None else f"{login_refused()} {wait_message(wait, now)}",
                           "password")
    if not editor.active:
        raise AccountError(gettext("This account has been deactivated. Ask an admin if you need it again."), "password")
    login_throttle.clear_source(account, counted)
    editor.last_login_at = now
    return editor


def clear_login_failures(editor: Editor) -> None:
    """An admin's decision: forget the editor's wrong passwords, so every client may try again at once."""
    login_throttle.clear_account(editor.email)


def end_sessions(editor: Editor) -> None:
    """Sign the editor out on every device and every server.

    Each request checks the token in the session (Flask-Login's `_user_id`, "<id>:<token>") and in the
    remember cookie (the same id, signed) against the stored one, so a new token makes every earlier
    session cookie and remember cookie of this editor worthless, wherever it was copied to.
    """
    editor.session_token = secrets.token_hex(16)


def set_active(editor: Editor, active: bool, *, by: Editor) -> None:
    if editor.id == by.id:
        if not active:
            raise AccountError(gettext("You cannot deactivate your own account."))
        return  # already active, since they are acting
    if editor.active == active:
        return
    editor.active = active
    end_sessions(editor)


def set_password(editor: Editor, password: str) -> None:
    """Give the editor a new password; every session and remember cookie they had stops working, and
    the wrong passwords counted against the account are forgotten."""
    check_password_rules(password)
    editor.password_hash = hash_password(password)
    end_sessions(editor)
    clear_login_failures(editor)


def change_own_password(editor: Editor, current: str, new: str, *, client: str, device: str | None = None,
                        now: datetime | None = None) -> None:
    """An editor's own change: the current password first, so a session left open is not enough. Wrong
    current passwords count like wrong logins (see authenticate), so an open session cannot be used to
    guess the password either; the caller commits whatever happens."""
    now = now or utcnow()
    account = login_throttle.account_key(editor.email)
    counted = login_throttle.sources(client, device)
    login_throttle.take_turn(account, now)
    wait = login_throttle.waiting(account, counted, now)
    if wait is not None:
        raise LoginThrottled(wait, now, "current")
    if not check_password_hash(editor.password_hash, current):
        login_throttle.count_failure(account, counted, now)
        raise AccountError(gettext("That is not your current password: nothing was changed."), "current")
    set_password(editor, new)


def choose_language(editor: Editor, language: str, offered: list[str]) -> None:
    """The language an editor's dashboard speaks: one of those `offered` (CORRECTIONS_LANGUAGES)."""
    if language not in offered:
        raise AccountError(gettext("Choose one of the languages listed."), "language")
    editor.language = language


def load_session_editor(session_id: str) -> Editor | None:
    """Flask-Login's user loader: "<id>:<session token>", for active editors only."""
    editor_id, _, token = session_id.partition(":")
    if parse_id(editor_id) is None or not token:
        return None
    editor = db.session.get(Editor, parse_id(editor_id))
    if editor is None or not editor.active or not secrets.compare_digest(editor.session_token, token):
        return None
    return editor


def active_editors() -> list[Editor]:
    return list(db.session.scalars(select(Editor).where(Editor.active.is_(True)).order_by(Editor.name)))
