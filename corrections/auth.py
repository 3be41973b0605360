"""Editor login and logout."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import InputRequired, Length

from . import accounts
from .extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__, url_prefix="/editor")


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired(message="Enter your e-mail."), Length(max=320)])
    password = PasswordField("Password", validators=[InputRequired(message="Enter your password."),
                                                     Length(max=accounts.PASSWORD_MAX)])
    remember = BooleanField("Keep me logged in on this device")
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
        try:
            editor = accounts.authenticate(form.email.data, form.password.data)
        except accounts.AccountError as error:
            form.password.errors.append(str(error))
        else:
            login_user(editor, remember=form.remember.data)
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    # Ends this editor's sessions everywhere, not only this cookie: a copy of it, or of the remember
    # cookie, left on a shared computer or read from a backup, must not open the dashboard again.
    editor = current_user._get_current_object()
    accounts.end_sessions(editor)
    db.session.commit()
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))
