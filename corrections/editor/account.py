"""The editor's own account: changing their password, choosing the dashboard's language."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user

from corrections import languages
from corrections.access import accounts
from corrections.auth import password_sources
from corrections.editor.blueprint import bp, me
from corrections.editor.forms import ChangePasswordForm, LanguageForm
from corrections.transaction import save


def language_form(formdata=None) -> LanguageForm:
    """The languages readers may get, each named in itself; the editor's own chosen."""
    offered = current_app.config["LANGUAGES"]
    form = LanguageForm(formdata=formdata, data={"language": languages.editor_language(me())})
    form.language.choices = [(tag, languages.display_name(tag)) for tag in offered]
    return form


def render_account(form: ChangePasswordForm, status: int = 200, chosen: LanguageForm | None = None):
    # Password fields never send their value back into the page, not even after a mistake.
    # A choice of language only where there is one to make.
    several = len(current_app.config["LANGUAGES"]) > 1
    return render_template("editor/account.html", form=form,
                           language_form=(chosen or language_form()) if several else None), status


@bp.get("/account")
def account():
    return render_account(ChangePasswordForm(formdata=None))


@bp.post("/account/language")
def choose_language():
    form = language_form(request.form)
    if not form.validate_on_submit():
        return render_account(ChangePasswordForm(formdata=None), 400, form)
    editor = me()
    if not save(lambda: accounts.choose_language(editor, form.language.data, current_app.config["LANGUAGES"]),
                form=form).done:
        return render_account(ChangePasswordForm(formdata=None), 400, form)
    # This answer already speaks the new language.
    languages.decide(editor.language)
    flash(_("The dashboard now speaks %(language)s.", language=languages.display_name(editor.language)), "success")
    return redirect(url_for("editor.account"))


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
    flash(_("Your password has been changed, and you were logged out everywhere else."), "success")
    return redirect(url_for("editor.account"))
