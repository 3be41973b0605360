"""Admin pages: the editors' accounts."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from corrections.access import accounts, login_throttle
from corrections.editor.blueprint import admin_required, bp, me
from corrections.editor.forms import NewEditorForm
from corrections.extensions import db
from corrections.models import Editor, utcnow
from corrections.transaction import save


def render_editors(form: NewEditorForm, status: int = 200):
    editors = db.session.scalars(select(Editor).order_by(Editor.active.desc(), Editor.name)).all()
    troubles = login_throttle.troubles([e.email for e in editors], utcnow())
    return render_template("editor/editors.html", editors=editors, form=form, troubles=troubles), status


@bp.get("/admin/editors")
@admin_required
def editors():
    return render_editors(NewEditorForm(formdata=None))


@bp.post("/admin/editors")
@admin_required
def add_editor():
    form = NewEditorForm()
    if form.validate_on_submit():
        outcome = save(lambda: accounts.create_editor(form.email.data, form.password.data, name=form.name.data or "",
                                                      is_admin=form.is_admin.data), form=form)
        if outcome.done:
            flash(_("Account created for %(name)s (%(email)s).", name=outcome.result.name, email=outcome.result.email),
                  "success")
            return redirect(url_for("editor.editors"))
    form.password.data = ""
    return render_editors(form, 400)


@bp.post("/admin/editors/<int:editor_id>/wrong-passwords/clear")
@admin_required
def clear_wrong_passwords(editor_id: int):
    editor = db.session.get(Editor, editor_id)
    if editor is None:
        flash(_("That editor does not exist."), "error")
    else:
        save(lambda: accounts.clear_login_failures(editor))
        flash(_("%(name)s's wrong passwords are forgotten: they can log in again at once, from anywhere.",
                name=editor.name), "success")
    return redirect(url_for("editor.editors"))


@bp.post("/admin/editors/<int:editor_id>/active")
@admin_required
def set_active(editor_id: int):
    editor = db.session.get(Editor, editor_id)
    if editor is None:
        flash(_("That editor does not exist."), "error")
        return redirect(url_for("editor.editors"))
    activate = request.form.get("active") == "1"
    if save(lambda: accounts.set_active(editor, activate, by=me())).done:
        flash(_("%(name)s reactivated.", name=editor.name) if activate
              else _("%(name)s deactivated: signed out everywhere.", name=editor.name), "success")
    return redirect(url_for("editor.editors"))
