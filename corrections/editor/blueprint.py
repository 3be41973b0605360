"""The dashboard's blueprint and what its pages share: everything under /editor/ needs a login, admin pages an
admin. The pages (the other modules of this package) add their routes to `bp`."""

from functools import wraps

from flask import Blueprint, abort
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
