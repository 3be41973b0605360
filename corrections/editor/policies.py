"""Admin page: the organisation's policies (publishing principles, corrections, reader feedback)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField, URLField

from corrections.editor.blueprint import admin_required, bp, me
from corrections.notices import policies
from corrections.transaction import save


class PoliciesForm(FlaskForm):
    """A URL and a text for each policy (fields `<key>_url` and `<key>_text`); the rules live in policies.save."""


for _kind in policies.POLICIES:
    setattr(PoliciesForm, f"{_kind.key}_url", URLField(
        _l("Address of the policy on your site"), description=_l("Linked from the JSON-LD when set.")))
    setattr(PoliciesForm, f"{_kind.key}_text", TextAreaField(
        # Translators: %(address)s is the address on this site where the policy's text is served.
        _l("Or its text, served at %(address)s", address=f"/policies/{_kind.slug}"),
        description=_l("Paragraphs separated by a blank line; simple HTML (links, lists, emphasis) is kept.")))


def render(form: PoliciesForm, status: int = 200):
    return render_template("editor/policies.html", form=form, kinds=policies.POLICIES, stored=policies.stored(),
                           link=policies.link), status


@bp.get("/admin/policies")
@admin_required
def policies_page():
    stored = policies.stored()
    values = {}
    for kind in policies.POLICIES:
        found = stored.get(kind.key)
        values[f"{kind.key}_url"] = found.url if found else ""
        values[f"{kind.key}_text"] = found.text if found else ""
    return render(PoliciesForm(formdata=None, data=values))


@bp.post("/admin/policies")
@admin_required
def save_policies():
    form = PoliciesForm()
    if not form.validate_on_submit():
        return render(form, 400)
    wanted = {
        kind.key: (form[f"{kind.key}_url"].data or "", form[f"{kind.key}_text"].data or "")
        for kind in policies.POLICIES
        # One not on the page that was sent is left as it is (the page always sends both).
        if f"{kind.key}_url" in request.form or f"{kind.key}_text" in request.form
    }
    if not save(lambda: policies.save_all(wanted, by=me()), form=form).done:
        return render(form, 400)
    flash(_("Policies saved. The home page’s JSON-LD links to them."), "success")
    return redirect(url_for("editor.policies_page"))
