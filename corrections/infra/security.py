"""Browser-facing hardening: security headers on every response and the session cookie's flags."""

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

# No inline script anywhere: scripts and styles come from our own files. JSON-LD blocks are data,
# which CSP does not govern. Pages may not be framed; the embed is a script, not a frame.
PAGE_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# JSON, feeds, scripts and files render nothing of their own.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"


class SessionInterface(SecureCookieSessionInterface):
    """`Secure` session cookies whenever the request came over HTTPS (directly or through a trusted
    proxy), unless SESSION_COOKIE_SECURE says otherwise: development on http://127.0.0.1 still works."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config.get("SESSION_COOKIE_SECURE")
        return request.is_secure if configured is None else bool(configured)

    def save_session(self, app: Flask, session, response) -> None:
        # A visitor who brought no session cookie got a page that depends on no cookie: without
        # "Vary: Cookie" shared caches may keep public pages. Extensions look into the (empty)
        # session on every request, which alone would add the header.
        if self.get_cookie_name(app) not in request.cookies and not session.modified:
            session.accessed = False
        super().save_session(app, session, response)


# Answers under /editor/ show readers' reports and contact details; a POST's answer echoes what was typed
# (or, for a report, links to its private status page); the status page is the reader's own.
PRIVATE_ENDPOINTS = {"public.report_status"}


def is_private_answer() -> bool:
    """Whether this answer may carry personal data, so no browser or shared cache may keep a copy."""
    return (request.path == "/editor" or request.path.startswith("/editor/")
            or request.method not in ("GET", "HEAD") or request.endpoint in PRIVATE_ENDPOINTS)


def add_security_headers(response):
    headers = response.headers
    if is_private_answer():
        # Set, not defaulted: pages, files, JSON, redirects and error pages alike.
        headers["Cache-Control"] = "no-store"
    html = response.mimetype == "text/html"
    headers.setdefault("Content-Security-Policy", PAGE_POLICY if html else DATA_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.after_request(add_security_headers)
