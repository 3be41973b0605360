"""Admin page: the hub listing the admin pages, a line each, so that the header needs one "Admin" link for all of
them; the admin pages show the same list as a row of links of their own (templates/editor/_admin_nav.html)."""

from typing import NamedTuple

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l

from corrections.editor.blueprint import admin_required, bp


class AdminPage(NamedTuple):
    endpoint: str
    label: str  # lazy translations, read when a page shows them
    line: str


PAGES = (
    AdminPage("editor.editors", _l("Editors"), _l("Editor accounts: add one, make an admin, deactivate, clear wrong "
                                                  "passwords.")),
    AdminPage("editor.answers", _l("Answers"), _l("Canned answers editors apply to one report or many: reasons and "
                                                  "drafted notices.")),
    AdminPage("editor.desks_page", _l("Desks"), _l("Groups of editors, and the sections whose new reports go to "
                                                   "each.")),
    AdminPage("editor.clocks_page", _l("Clocks"), _l("Target times for the first action on a report and for its "
                                                     "outcome.")),
    AdminPage("editor.tokens", _l("API tokens"), _l("Tokens a CMS or a generating system uses for the JSON API.")),
    AdminPage("editor.outbox", _l("Outbox"), _l("E-mail to readers: held, waiting, sent or failed.")),
    AdminPage("editor.webhooks_page", _l("Webhooks"), _l("Other systems told when reports and notices change, and "
                                                         "their deliveries.")),
    AdminPage("editor.policies_page", _l("Policies"), _l("The corrections policy and publishing principles readers "
                                                         "and search engines find.")),
)


def current_admin_page() -> str | None:
    """The endpoint of the admin page the request is on or under (a desk's page is under Desks), if any."""
    for page in PAGES:
        address = url_for(page.endpoint)
        if request.path == address or request.path.startswith(address + "/"):
            return page.endpoint
    return None


@bp.get("/admin")
@admin_required
def admin():
    return render_template("editor/admin.html", pages=PAGES)


@bp.context_processor
def admin_pages():
    """What the admin pages' row of links needs (only dashboard pages ask for it)."""
    return {"admin_pages": PAGES, "current_admin_page": current_admin_page}
