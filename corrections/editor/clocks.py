"""Admin page: the target times for first action and for resolution, by category."""

from flask import flash, redirect, render_template, url_for
from flask_babel import ngettext

from corrections.editor.blueprint import admin_required, bp
from corrections.editor.forms import clock_form
from corrections.languages import number
from corrections.reports import clocks
from corrections.transaction import save
from corrections.vocabulary import CATEGORIES

ROWS = {clocks.DEFAULT: clocks.DEFAULT_LABEL, **CATEGORIES}


def field_names(key: str) -> tuple[str, str]:
    return f"first_{key or 'default'}", f"resolution_{key or 'default'}"


def render_clocks(form, status: int = 200):
    rows = [(key, label, *(form[name] for name in field_names(key))) for key, label in ROWS.items()]
    return render_template("editor/clocks.html", form=form, rows=rows), status


@bp.get("/admin/clocks")
@admin_required
def clocks_page():
    table = clocks.all_targets()
    data = {}
    for key in ROWS:
        first, resolution = field_names(key)
        targets = table.get(key, clocks.Targets())
        data[first] = clocks.duration_text(targets.first_action)
        data[resolution] = clocks.duration_text(targets.resolution)
    return render_clocks(clock_form(CATEGORIES, formdata=None, data=data))


@bp.post("/admin/clocks")
@admin_required
def set_clocks():
    form = clock_form(CATEGORIES)
    if not form.validate_on_submit():
        return render_clocks(form, 400)
    wanted, failed = {}, False
    for key in ROWS:
        minutes = []
        for name in field_names(key):
            try:
                minutes.append(clocks.parse_duration(form[name].data or ""))
            except clocks.ClockError as error:
                form[name].errors.append(str(error))
                failed = True
                minutes.append(None)
        wanted[key] = clocks.Targets(*minutes)
    if failed:
        return render_clocks(form, 400)
    outcome = save(lambda: clocks.set_targets(wanted), form=form)
    if not outcome.done:
        return render_clocks(form, 400)
    flash(ngettext("Targets saved; the deadline of the %(count)s open report follows them.",
                   "Targets saved; the deadlines of the %(count)s open reports follow them.",
                   outcome.result, count=number(outcome.result)), "success")
    return redirect(url_for("editor.clocks_page"))
