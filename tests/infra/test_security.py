"""Browser-facing hardening: headers on every response, no inline script, cookie flags."""

import re

import pytest

from tests.helpers import file_report, login, make_article, make_editor

# Headers and cookies are the same whatever database the rows come from.
pytestmark = pytest.mark.databases("sqlite")

PAGES = ["/", "/corrections", "/editor/login", "/articles/{slug}", "/articles/{slug}/report", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_a_strict_content_security_policy(client, path):
    article = make_article()
    response = client.get(path.format(slug=article.slug))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize("path", ["/healthz", "/corrections.atom", "/static/style.css"])
def test_data_responses_allow_nothing_to_run(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_no_page_has_inline_script_or_event_handlers(editor_client, editor):
    article = make_article()
    report = file_report(article, passage="31 votes to 12")
    for path in ["/", f"/articles/{article.slug}", f"/articles/{article.slug}/report", "/corrections", "/editor/",
                 f"/editor/reports/{report.id}", f"/editor/articles/{article.slug}", "/editor/metrics"]:
        page = editor_client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or 'type="application/ld+json"' in tag, (path, tag)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", page), path
        assert "javascript:" not in page, path


def test_session_cookie_is_httponly_and_samesite_lax(client, editor):
    response = login(client, editor.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http, as in development


def test_session_cookie_is_secure_over_https(app):
    make_editor()
    client = app.test_client()
    page = client.get("/editor/login", base_url="https://localhost")
    assert "Secure" in page.headers["Set-Cookie"]
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")


def test_forced_secure_cookie_setting_wins(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        response = app.test_client().get("/editor/login")
        assert "Secure" in response.headers["Set-Cookie"]
        assert "Strict-Transport-Security" not in response.headers


def test_public_pages_for_visitors_without_a_session_do_not_vary_by_cookie(client, editor):
    article = make_article()
    for path in ["/", f"/articles/{article.slug}", "/corrections", "/corrections.atom", "/api/v1/corrections"]:
        response = client.get(path)
        assert "Cookie" not in response.headers.get("Vary", ""), path


def test_a_logged_in_editor_still_sees_the_dashboard_links_on_public_pages(editor_client):
    page = editor_client.get("/").get_data(as_text=True)
    assert "Log out Maya Okafor" in page
