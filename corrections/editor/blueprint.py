"""The dashboard's blueprint and what its pages share: everything under /editor/ needs a login, admin pages an
admin. The pages (the other modules of this package) add their routes to `bp`."""

from functools import wraps

from flask import Blueprint, abort, has_request_context, request, url_for
from flask_login import current_user, login_required

bp = Blueprint("editor", __name__, url_prefix="/editor")


@bp.before_request
@login_required
def require_login():
    """Every dashboard page needs an editor; the login page lives in the auth blueprint."""


def me():
    """The logged-in editor as a model object (current_user is a proxy the ORM cannot store)."""
    return current_user._get_current_object()


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# The header's links to a part of the dashboard, and the addresses each covers (a report's page is part of the
# queue; every page under /editor/admin is part of Admin).
HEADER_PARTS = (("changes", "editor.changes"), ("elsewhere", "editor.repeats"), ("metrics", "editor.metrics"),
                ("admin", "editor.admin"),
                ("account", "editor.account"))


def header_part() -> str | None:
    """The header link the page is part of: "latest", "corrections", one of HEADER_PARTS, "queue" for the other
    dashboard pages, or None."""
    if request.blueprint == "public":
        return {"public.index": "latest", "public.corrections_log": "corrections"}.get(request.endpoint or "")
    if request.blueprint != "editor":
        return None
    for part, endpoint in HEADER_PARTS:
        address = url_for(endpoint)
        if request.path == address or request.path.startswith(address.rstrip("/") + "/"):
            return part
    return "queue"


@bp.app_context_processor
def header():
    """What base.html needs to mark the current page in the header (for every page, public ones too)."""
    return {"header_part": header_part() if has_request_context() else None}
