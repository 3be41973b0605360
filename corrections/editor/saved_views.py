"""Saved views: save the queue's filters under a name, rename, share, delete."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext

from corrections.editor.blueprint import bp, me
from corrections.editor.forms import ChangeViewForm, SaveViewForm
from corrections.extensions import db
from corrections.models import SavedView
from corrections.transaction import save
from corrections.triage import saved_views


def render_views(save_form: SaveViewForm | None = None, errors: dict[int, ChangeViewForm] | None = None,
                 status: int = 200):
    editor = me()
    views = saved_views.visible_to(editor)
    forms = {v.id: ChangeViewForm(formdata=None, prefix=f"view-{v.id}", name=v.name, shared=v.shared)
             for v in views if saved_views.can_change(v, editor)}
    forms.update(errors or {})
    return render_template("editor/views.html", views=views, forms=forms,
                           save_form=save_form or SaveViewForm(formdata=None)), status


@bp.get("/views")
def views():
    return render_views()


@bp.post("/views")
def save_view():
    form = SaveViewForm()
    if form.validate_on_submit():
        outcome = save(lambda: saved_views.create(me(), form.name.data, form.query.data or "", shared=form.shared.data),
                       form=form)
        if outcome.done:
            view = outcome.result
            flash(gettext("View “%(name)s” saved and shared with every editor.", name=view.name) if view.shared
                  else gettext("View “%(name)s” saved.", name=view.name), "success")
            return redirect(url_for("editor.queue") + (f"?{view.query}" if view.query else ""))
    return render_views(save_form=form, status=400)


def load_view(view_id: int) -> SavedView:
    """A view the editor may see (another editor's private view is as good as missing)."""
    view = db.session.get(SavedView, view_id)
    if view is None or not saved_views.can_see(view, me()):
        abort(404)
    return view


@bp.post("/views/<int:view_id>")
def change_view(view_id: int):
    view = load_view(view_id)
    if not saved_views.can_change(view, me()):
        abort(403)
    form = ChangeViewForm(prefix=f"view-{view.id}")
    if form.validate_on_submit() and save(lambda: saved_views.change(view, me(), name=form.name.data,
                                                                     shared=form.shared.data), form=form).done:
        flash(gettext("View “%(name)s” saved.", name=view.name), "success")
        return redirect(url_for("editor.views"))
    return render_views(errors={view.id: form}, status=400)


@bp.post("/views/<int:view_id>/delete")
def delete_view(view_id: int):
    view = load_view(view_id)
    if not saved_views.can_change(view, me()):
        abort(403)
    name = view.name
    if save(lambda: saved_views.delete(view, me())).done:
        flash(gettext("View “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("editor.views"))
