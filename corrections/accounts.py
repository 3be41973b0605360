"""Editor accounts: creating them, checking passwords, locking out guessers."""

import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import Editor, utcnow
from .text import parse_id

PASSWORD_MIN = 10
PASSWORD_MAX = 200
NAME_MAX = 200
# After this many wrong passwords in a row the account waits LOCK_MINUTES before it accepts another try.
FAILED_LOGINS_BEFORE_LOCK = 5
LOCK_MINUTES = 15
# Checked when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


LOGIN_REFUSED = (f"The e-mail or the password is wrong. After {FAILED_LOGINS_BEFORE_LOCK} wrong passwords in a row "
                 f"an account waits {LOCK_MINUTES} minutes before it accepts another try; an admin can unlock it.")


def is_locked(editor: Editor, now: datetime | None = None) -> bool:
    return editor.locked_until is not None and editor.locked_until > (now or utcnow())


def unlock(editor: Editor) -> None:
    editor.locked_until = None
    editor.failed_logins = 0
    db.session.commit()


class AccountError(ValueError):
    """Bad account data or a refused login; the message is shown to the person, at `field` in a form."""

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"“{email}” is not a valid e-mail address: {error}") from None


def check_password_rules(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"The password must have at least {PASSWORD_MIN} characters.", "password")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"The password may have at most {PASSWORD_MAX} characters.", "password")


def hash_password(password: str) -> str:
    # Werkzeug's current default (scrypt), salted.
    return generate_password_hash(password)


def find_by_email(email: str) -> Editor | None:
    return db.session.scalar(select(Editor).where(func.lower(Editor.email) == email.strip().lower()))


def create_editor(email: str, password: str, *, name: str = "", is_admin: bool = False) -> Editor:
    """Create an editor account; raises AccountError on a bad or taken address or a weak password."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise AccountError(f"An editor with the e-mail {email} already exists.")
    check_password_rules(password)
    name = " ".join(name.split()) or email.split("@")[0]
    if len(name) > NAME_MAX:
        raise AccountError(f"The name may have at most {NAME_MAX} characters.", "name")
    editor = Editor(email=email, name=name, password_hash=hash_password(password), is_admin=is_admin,
                    session_token=secrets.token_hex(16))
    db.session.add(editor)
    db.session.commit()
    return editor


def authenticate(email: str, password: str, now: datetime | None = None) -> Editor:
    """The editor with these credentials; raises AccountError with a message safe to show."""
    now = now or utcnow()
    editor = find_by_email(email) if email else None
    # Unknown, locked and wrong answer alike, in words and in time, so no one learns which addresses exist.
    if editor is None:
        check_password_hash(_DUMMY_HASH, password)
        raise AccountError(LOGIN_REFUSED)
    if is_locked(editor, now):
        check_password_hash(_DUMMY_HASH, password)
        raise AccountError(LOGIN_REFUSED)
    if not check_password_hash(editor.password_hash, password):
        # Counted in the database by one UPDATE, so guesses sent at once, to one server or several, all count.
        failed = db.session.execute(
            update(Editor).where(Editor.id == editor.id).values(failed_logins=Editor.failed_logins + 1)
            .returning(Editor.failed_logins)
        ).scalar_one()
        if failed >= FAILED_LOGINS_BEFORE_LOCK:
            db.session.execute(update(Editor).where(Editor.id == editor.id)
                               .values(locked_until=now + timedelta(minutes=LOCK_MINUTES), failed_logins=0))
        db.session.commit()
        raise AccountError(LOGIN_REFUSED)
    if not editor.active:
        raise AccountError("This account has been deactivated. Ask an admin if you need it again.")
    editor.failed_logins = 0
    editor.locked_until = None
    editor.last_login_at = now
    db.session.commit()
    return editor


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
            raise AccountError("You cannot deactivate your own account.")
        return  # already active, since they are acting
    if editor.active == active:
        return
    editor.active = active
    end_sessions(editor)


def set_password(editor: Editor, password: str) -> None:
    """Give the editor a new password; every session and remember cookie they had stops working."""
    check_password_rules(password)
    editor.password_hash = hash_password(password)
    end_sessions(editor)


def change_own_password(editor: Editor, current: str, new: str) -> None:
    """An editor's own change: the current password first, so a session left open is not enough."""
    if not check_password_hash(editor.password_hash, current):
        raise AccountError("That is not your current password: nothing was changed.", "current")
    set_password(editor, new)


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
