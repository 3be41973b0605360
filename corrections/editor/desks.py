"""Admin pages: desks (groups of editors) and the routing of sections to them."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from corrections.access import accounts
from corrections.editor.actions import delete_then_list
from corrections.editor.blueprint import admin_required, bp
from corrections.editor.forms import DeskForm, RouteForm
from corrections.extensions import db
from corrections.languages import N_, number
from corrections.models import Desk
from corrections.reports import desks
from corrections.text import parse_id
from corrections.transaction import save


def member_choices() -> list[tuple[str, str]]:
    return [(str(e.id), e.name) for e in accounts.active_editors()]


def desk_form(**kwargs) -> DeskForm:
    form = DeskForm(**kwargs)
    form.members.choices = member_choices()
    return form


def route_form(**kwargs) -> RouteForm:
    form = RouteForm(**kwargs)
    form.desk.choices = [("", _("No desk"))] + [(str(i), name) for i, name in desks.desk_choices()]
    return form


def render_desks(form: DeskForm | None = None, route: RouteForm | None = None, status: int = 200):
    all_desks = desks.all_desks()
    routed = {desks.section_key(r.section): (r.section, d) for d in all_desks for r in d.routes}
    sections = [(s, routed.get(desks.section_key(s), (s, None))[1]) for s in desks.known_sections()]
    seen = {desks.section_key(s) for s, _ in sections}
    # Routes set for sections no article has yet are listed too.
    sections += [(section, desk) for key, (section, desk) in sorted(routed.items()) if key not in seen]
    return render_template(
        "editor/desks.html", desks=all_desks, sections=sections,
        form=form or desk_form(formdata=None), route_form=route or route_form(formdata=None),
    ), status


@bp.get("/admin/desks")
@admin_required
def desks_page():
    return render_desks()


@bp.post("/admin/desks")
@admin_required
def add_desk():
    form = desk_form()
    if form.validate_on_submit():
        outcome = save(lambda: desks.create_desk(form.name.data, form.member_ids()), form=form)
        if outcome.done:
            members = len(outcome.result.members)
            flash(ngettext("Desk “%(name)s” created with %(count)s member.",
                           "Desk “%(name)s” created with %(count)s members.", members,
                           name=outcome.result.name, count=number(members)), "success")
            return redirect(url_for("editor.desks_page"))
    return render_desks(form=form, status=400)


def load_desk(desk_id: int) -> Desk:
    return db.session.get(Desk, desk_id) or abort(404)


def render_desk(desk: Desk, form: DeskForm, status: int = 200):
    return render_template("editor/desk.html", desk=desk, form=form), status


@bp.get("/admin/desks/<int:desk_id>")
@admin_required
def desk(desk_id: int):
    found = load_desk(desk_id)
    form = desk_form(formdata=None, name=found.name, members=[str(m.id) for m in found.members])
    return render_desk(found, form)


@bp.post("/admin/desks/<int:desk_id>")
@admin_required
def change_desk(desk_id: int):
    found = load_desk(desk_id)
    form = desk_form()
    if not (form.validate_on_submit()
            and save(lambda: desks.update_desk(found, form.name.data, form.member_ids()), form=form).done):
        return render_desk(load_desk(desk_id), form, 400)
    flash(_("Desk “%(name)s” saved.", name=found.name), "success")
    return redirect(url_for("editor.desks_page"))


@bp.post("/admin/desks/<int:desk_id>/delete")
@admin_required
def delete_desk(desk_id: int):
    return delete_then_list(db.session.get(Desk, desk_id), desks.delete_desk,
                            gone=N_("That desk no longer exists."),
                            done=N_("Desk “%(name)s” deleted; its reports stay, with no desk, and its sections are "
                                    "no longer routed."),
                            to="editor.desks_page")


@bp.post("/admin/routes")
@admin_required
def route_section():
    form = route_form()
    if form.validate_on_submit():
        desk_id = parse_id(form.desk.data)
        target = db.session.get(Desk, desk_id) if desk_id else None
        if form.desk.data and target is None:
            form.desk.errors.append(_("That desk no longer exists."))
        else:
            outcome = save(lambda: desks.set_route(form.section.data, target), form=form)
            if outcome.done:
                if target:
                    flash(_("New reports about “%(section)s” go to the desk “%(desk)s”.", section=outcome.result,
                            desk=target.name), "success")
                else:
                    flash(_("New reports about “%(section)s” go to no desk.", section=outcome.result), "success")
                return redirect(url_for("editor.desks_page"))
    return render_desks(route=form, status=400)
