"""The editor's own account: changing their password."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user

from corrections.access import accounts
from corrections.auth import password_sources
from corrections.editor.blueprint import bp, me
from corrections.editor.forms import ChangePasswordForm
from corrections.transaction import save


def render_account(form: ChangePasswordForm, status: int = 200):
    # Password fields never send their value back into the page, not even after a mistake.
    return render_template("editor/account.html", form=form), status


@bp.get("/account")
def account():
    return render_account(ChangePasswordForm(formdata=None))


@bp.post("/account/password")
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_account(form, 400)
    editor = me()
    client, device = password_sources(editor.email)
    # A wrong current password counts even though the change is refused.
    outcome = save(lambda: accounts.change_own_password(editor, form.current.data, form.password.data, client=client,
                                                        device=device), form=form, keep_refused=True)
    if isinstance(outcome.refusal, accounts.LoginThrottled):
        return render_account(form, 429)[0], 429, {"Retry-After": str(outcome.refusal.seconds)}
    if not outcome.done:
        return render_account(form, 400)
    # Every other session ended with the old token; this one goes on with the new one.
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(editor, remember=remembered)
    flash("Your password has been changed, and you were logged out everywhere else.", "success")
    return redirect(url_for("editor.account"))
