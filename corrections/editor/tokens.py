"""Admin page: the API tokens CMSs use to write articles."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from corrections.access import api_tokens
from corrections.editor.blueprint import admin_required, bp, me
from corrections.extensions import db
from corrections.models import ApiToken
from corrections.text import parse_id
from corrections.transaction import save


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(message=_l("Give the token a name that says what uses it.")),
            Length(max=api_tokens.NAME_MAX, message=lazy_ngettext(
                "Please keep the name under %(num)s character.", "Please keep the name under %(num)s characters.",
                api_tokens.NAME_MAX)),
        ],
        description=_l("What uses it, e.g. “CMS production”, so you know which one to revoke."),
    )


def render_tokens(form: NewTokenForm, status: int = 200, new_token: str = "", new_name: str = ""):
    return render_template("editor/tokens.html", tokens=api_tokens.all_tokens(), form=form,
                           new_token=new_token, new_name=new_name), status


@bp.get("/admin/tokens")
@admin_required
def tokens():
    return render_tokens(NewTokenForm(formdata=None))


@bp.post("/admin/tokens")
@admin_required
def create_token():
    form = NewTokenForm()
    if form.validate_on_submit():
        outcome = save(lambda: api_tokens.create(form.name.data, by=me()), form=form)
        if outcome.done:
            token, secret = outcome.result
            # Shown in this response only: never put in the session (a cookie) or a redirect.
            body, status = render_tokens(NewTokenForm(formdata=None), 201, new_token=secret, new_name=token.name)
            return body, status, {"Cache-Control": "no-store"}
    return render_tokens(form, 400)


@bp.post("/admin/tokens/revoke")
@admin_required
def revoke_token():
    # The id comes in the form, not the path: one address for every token's revoke button.
    token_id = request.form.get("token_id", "")
    token = db.session.get(ApiToken, parse_id(token_id)) if parse_id(token_id) else None
    if token is None:
        flash(_("That token does not exist."), "error")
        return redirect(url_for("editor.tokens"))
    if save(lambda: api_tokens.revoke(token, by=me())).done:
        flash(_("Token “%(name)s” revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("editor.tokens"))
