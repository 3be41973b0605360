"""Admin page: the organisation's policies (publishing principles, corrections, reader feedback)."""

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import TextAreaField, URLField

from corrections.editor.blueprint import admin_required, bp, me
from corrections.extensions import db
from corrections.notices import policies


class PoliciesForm(FlaskForm):
    """A URL and a text for each policy (fields `<key>_url` and `<key>_text`); the rules live in policies.save."""


for _kind in policies.POLICIES:
    setattr(PoliciesForm, f"{_kind.key}_url", URLField(
        "Address of the policy on your site", description="Linked from the JSON-LD when set."))
    setattr(PoliciesForm, f"{_kind.key}_text", TextAreaField(
        "Or its text, served at " + f"/policies/{_kind.slug}",
        description="Paragraphs separated by a blank line; simple HTML (links, lists, emphasis) is kept."))


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
    failed = False
    for kind in policies.POLICIES:
        if f"{kind.key}_url" not in request.form and f"{kind.key}_text" not in request.form:
            continue  # not on the page that was sent: left as it is (the page always sends both)
        try:
            policies.save(kind.key, form[f"{kind.key}_url"].data or "", form[f"{kind.key}_text"].data or "", by=me())
        except policies.PolicyError as error:
            form[error.field].errors = [*form[error.field].errors, str(error)]
            failed = True
    if failed:
        db.session.rollback()
        return render(form, 400)
    db.session.commit()
    flash("Policies saved. The home page’s JSON-LD links to them.", "success")
    return redirect(url_for("editor.policies_page"))
