"""Error pages that say what happened and what to do, sharing base.html."""

import math
import time

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from corrections.extensions import db, limiter, login_manager
from corrections.forms import ReportForm
from corrections.infra import ops, outage, page_cache
from corrections.public import article_for_form, render_form

MESSAGES = {
    400: (_l("Something was wrong with that request"), _l("Please go back, check what you sent and try again.")),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Page not found"),
          _l("There is nothing at this address. The link may be mistyped or the page may have moved.")),
    405: (_l("Not allowed here"), _l("This address does not accept that kind of request.")),
    413: (_l("That was too large"),
          _l("What you sent is larger than this site accepts. Please shorten it and try again.")),
    429: (_l("Too many requests"), _l("You have sent many requests in a short time.")),
    500: (_l("Something went wrong on our side"), _l("The error has been logged. Please try again in a moment.")),
    503: (_l("Temporarily unavailable"), _l("Part of our system is not answering just now, so this page cannot be "
                                            "shown. Please try again in a minute.")),
}


def error_page(status: int, detail: str = "", retry_after: int | None = None):
    title, message = MESSAGES.get(status, (_("Error %(status)s", status=status), ""))
    return render_template(
        "errors/error.html", status=status, title=title, message=message, detail=detail, retry_after=retry_after
    ), status


def seconds_until_reset() -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


def in_words(seconds: int) -> str:
    if seconds < 90:
        return ngettext("%(num)s second", "%(num)s seconds", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("%(num)s minute", "%(num)s minutes", minutes)


def report_form_again(status: int, alert: str):
    """On the report form, an error keeps everything the reader typed on screen."""
    if request.method != "POST":
        return None
    article = article_for_form((request.view_args or {}).get("slug", ""))
    if article is None:
        return None
    form = ReportForm()
    form.validate()
    # The form is shown again with a fresh token (rendering makes one); the old token's error is not the reader's.
    form.csrf_token.errors = []
    form._errors = None
    return render_form(article, form, status=status, alert=alert)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        alert = _("This form had expired or was sent from another page, so nothing was saved yet. "
                  "Your text is kept below: check it and send again.")
        if request.endpoint == "public.report":
            return report_form_again(400, alert) or error_page(400, alert)
        return error_page(400, _("The form had expired. Please reload the page and try again."))

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded):
        wait = seconds_until_reset()
        alert = _("You have sent several reports in a short time. Please try again in %(wait)s. "
                  "Your text is kept below.", wait=in_words(wait))
        response = None
        if request.endpoint == "public.report":
            response = report_form_again(429, alert)
        if response is None:
            response = error_page(429, _("Please try again in %(wait)s.", wait=in_words(wait)), retry_after=wait)
        body, status = response
        return body, status, {"Retry-After": str(wait)}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return error_page(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if outage.is_unavailable(error):
            return database_unavailable(error)
        app.logger.exception("Unhandled error on %s %s (request id %s)", request.method, ops.logged_path(),
                             ops.request_id())
        # The page itself reads the database (the logged-in editor): start from a clean transaction.
        db.session.rollback()
        return error_page(500)


def note_outage(error: Exception) -> None:
    """Log a request the database's outage failed (a line, not a traceback: no bug) and end its transaction."""
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
    current_app.logger.warning("The database does not answer: %s %s gets a 503 (request id %s): %s", request.method,
                               ops.logged_path(), ops.request_id(), first_line)
    outage.forget_transaction()


def database_unavailable(error: Exception):
    """A 503 page with Retry-After while the database cannot be reached, or the public page as last rendered."""
    note_outage(error)
    # Readers with a session (one who sent a report, an editor) bypass the page cache; it has the page all the same.
    stale = page_cache.for_app(current_app).stale(request.environ) if request.method in ("GET", "HEAD") else None
    if stale is not None:
        response = current_app.response_class(stale.body, status=stale.status, headers=stale.headers)
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    # Saying that the database is down must not need it: the page header looks up no editor.
    g._login_user = login_manager.anonymous_user()
    wait = outage.RETRY_AFTER_SECONDS
    body, status = error_page(503, retry_after=wait)
    return body, status, {"Retry-After": str(wait)}
