"""Editor login and logout."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import InputRequired, Length

from corrections.access import accounts, login_throttle
from corrections.extensions import limiter, login_manager
from corrections.reports import tokens
from corrections.transaction import save

bp = Blueprint("auth", __name__, url_prefix="/editor")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(message=_l("Enter your e-mail.")), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[InputRequired(message=_l("Enter your password.")),
                                                         Length(max=accounts.PASSWORD_MAX)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


@login_manager.user_loader
def load_editor(session_id: str):
    return accounts.load_session_editor(session_id)


def safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or protocol-relative URL could send the editor elsewhere."""
    fallback = url_for("editor.queue")
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")))
        form.next.data = request.args.get("next", "")
    elif form.validate_on_submit():
        email = form.email.data
        client, device = password_sources(email)
        # A wrong password counts even though the login is refused.
        outcome = save(lambda: accounts.authenticate(email, form.password.data, client=client, device=device),
                       form=form, keep_refused=True)
        if isinstance(outcome.refusal, accounts.LoginThrottled):
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(outcome.refusal.seconds)}
        if outcome.done:
            editor = outcome.result
            login_user(editor, remember=form.remember.data)
            response = redirect(safe_next(form.next.data))
            remember_device(response, email)
            return response
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


def password_sources(email: str) -> tuple[str, str | None]:
    """Where a password for this account comes from: the client's keyed hash, and the browser's device
    source if the editor logged in from it before (login_throttle)."""
    client = tokens.client_hash(request.remote_addr or "", current_app.config["SECRET_KEY"])
    return client, login_throttle.device_source(request.cookies.get(login_throttle.DEVICE_COOKIE), email)


def remember_device(response, email: str) -> None:
    """Mark this browser as one the editor logs in from: guesses from anywhere else never slow it down."""
    response.set_cookie(
        # The dashboard's whole path: the password change form asks for the password too.
        login_throttle.DEVICE_COOKIE, login_throttle.new_device_cookie(email),
        max_age=login_throttle.DEVICE_COOKIE_DAYS * 86400, path="/editor/",
        secure=current_app.session_interface.get_cookie_secure(current_app), httponly=True, samesite="Lax",
    )


@bp.post("/logout")
@login_required
def logout():
    # Ends this editor's sessions everywhere, not only this cookie: a copy of it, or of the remember
    # cookie, left on a shared computer or read from a backup, must not open the dashboard again.
    editor = current_user._get_current_object()
    save(lambda: accounts.end_sessions(editor))
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
