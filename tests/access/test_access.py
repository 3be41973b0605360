"""Who may use which address: every route of the app, for a reader, an editor and an admin.

ACCESS below is the one place the access decisions are written down. A route that is not in it fails
the sweep, so a new page cannot ship without someone deciding who may see it.
"""

import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from corrections.articles.content import change_text
from corrections.extensions import db
from corrections.infra import webhooks
from corrections.models import ChangeReview, OutboxMessage, Repeat
from corrections.notices import policies, publishing
from corrections.reports import canned_answers, decisions, desks
from corrections.triage import saved_views
from tests.helpers import all_reports, csrf_token, login, make_article, make_editor, post_report, valid_report

# Who may open which address is decided before any query: the same on every database.
pytestmark = pytest.mark.databases("sqlite")

ANONYMOUS, EDITOR, ADMIN = "anonymous", "editor", "admin"
ROLES = (ANONYMOUS, EDITOR, ADMIN)

# What each role gets at each endpoint: "ok" (allowed), "login" (sent to the login page), "forbidden" (403),
# "token" (401 asking for an API token: a dashboard login does not count), "hidden" (404 for everyone: /metrics
# exists only for the clients its settings name, which tests/infra/test_ops.py checks).
ACCESS = {
    "api.corrections": ("ok", "ok", "ok"),
    "api.article_corrections": ("ok", "ok", "ok"),
    "api.notices_for_page": ("ok", "ok", "ok"),
    "api.create_report": ("ok", "ok", "ok"),
    "api.upsert_article": ("token", "token", "token"),
    "api.publish_notice": ("token", "token", "token"),
    "api.check_text": ("token", "token", "token"),
    "api.notice_elsewhere": ("token", "token", "token"),
    "api.feedback_records": ("token", "token", "token"),
    "api.feedback_schema": ("ok", "ok", "ok"),
    "api.openapi": ("ok", "ok", "ok"),
    "editor.tokens": ("login", "forbidden", "ok"),
    "editor.create_token": ("login", "forbidden", "ok"),
    "editor.revoke_token": ("login", "forbidden", "ok"),
    "static": ("ok", "ok", "ok"),
    "public.index": ("ok", "ok", "ok"),
    "public.article": ("ok", "ok", "ok"),
    "public.report": ("ok", "ok", "ok"),
    "public.report_status": ("ok", "ok", "ok"),
    "public.forget_contact": ("ok", "ok", "ok"),
    "public.ask_confirmation_again": ("ok", "ok", "ok"),
    "public.confirm_address": ("ok", "ok", "ok"),
    "public.confirm_address_post": ("ok", "ok", "ok"),
    "public.healthz": ("ok", "ok", "ok"),
    "public.embed_js": ("ok", "ok", "ok"),
    "public.favicon": ("ok", "ok", "ok"),
    "auth.login": ("ok", "ok", "ok"),
    "auth.logout": ("login", "ok", "ok"),
    "editor.queue": ("login", "ok", "ok"),
    "editor.bulk": ("login", "ok", "ok"),
    "editor.export_csv": ("login", "ok", "ok"),
    "editor.queue_changes": ("login", "ok", "ok"),
    "editor.presence_beat": ("login", "ok", "ok"),
    "editor.presence_leave": ("login", "ok", "ok"),
    "editor.presence_of_reports": ("login", "ok", "ok"),
    "editor.metrics": ("login", "ok", "ok"),
    "editor.report": ("login", "ok", "ok"),
    "editor.move": ("login", "ok", "ok"),
    "editor.reject": ("login", "ok", "ok"),
    "editor.assign": ("login", "ok", "ok"),
    "editor.duplicate": ("login", "ok", "ok"),
    "editor.note": ("login", "ok", "ok"),
    "editor.account": ("login", "ok", "ok"),
    "editor.change_password": ("login", "ok", "ok"),
    "editor.choose_language": ("login", "ok", "ok"),
    "editor.editors": ("login", "forbidden", "ok"),
    "editor.add_editor": ("login", "forbidden", "ok"),
    "editor.set_active": ("login", "forbidden", "ok"),
    "editor.clear_wrong_passwords": ("login", "forbidden", "ok"),
    "editor.outbox": ("login", "forbidden", "ok"),
    "editor.admin": ("login", "forbidden", "ok"),
    "public.corrections_log": ("ok", "ok", "ok"),
    "feeds.all_corrections": ("ok", "ok", "ok"),
    "feeds.article_corrections": ("ok", "ok", "ok"),
    "editor.publish": ("login", "ok", "ok"),
    "editor.link_group": ("login", "ok", "ok"),
    "editor.article": ("login", "ok", "ok"),
    "editor.publish_on_article": ("login", "ok", "ok"),
    "editor.amend_notice": ("login", "ok", "ok"),
    "editor.withdraw_notice": ("login", "forbidden", "ok"),
    "editor.apply_answer": ("login", "ok", "ok"),
    "editor.answers": ("login", "forbidden", "ok"),
    "editor.add_answer": ("login", "forbidden", "ok"),
    "editor.answer": ("login", "forbidden", "ok"),
    "editor.change_answer": ("login", "forbidden", "ok"),
    "editor.delete_answer": ("login", "forbidden", "ok"),
    "editor.desks_page": ("login", "forbidden", "ok"),
    "editor.add_desk": ("login", "forbidden", "ok"),
    "editor.desk": ("login", "forbidden", "ok"),
    "editor.change_desk": ("login", "forbidden", "ok"),
    "editor.delete_desk": ("login", "forbidden", "ok"),
    "editor.route_section": ("login", "forbidden", "ok"),
    "editor.clocks_page": ("login", "forbidden", "ok"),
    "editor.set_clocks": ("login", "forbidden", "ok"),
    "editor.views": ("login", "ok", "ok"),
    "editor.save_view": ("login", "ok", "ok"),
    # The world's view was shared by another editor: an editor may use it, only its owner or an admin change it.
    "editor.change_view": ("login", "forbidden", "ok"),
    "editor.delete_view": ("login", "forbidden", "ok"),
    "editor.webhooks_page": ("login", "forbidden", "ok"),
    "editor.create_webhook": ("login", "forbidden", "ok"),
    "editor.webhook": ("login", "forbidden", "ok"),
    "editor.update_webhook": ("login", "forbidden", "ok"),
    "editor.set_webhook_active": ("login", "forbidden", "ok"),
    "editor.rotate_webhook_secret": ("login", "forbidden", "ok"),
    "editor.ping_webhook": ("login", "forbidden", "ok"),
    "editor.delete_webhook": ("login", "forbidden", "ok"),
    "editor.resend_delivery": ("login", "forbidden", "ok"),
    "ops.metrics": ("hidden", "hidden", "hidden"),
    "public.transparency_page": ("ok", "ok", "ok"),
    "public.policy": ("ok", "ok", "ok"),
    "editor.policies_page": ("login", "forbidden", "ok"),
    "editor.save_policies": ("login", "forbidden", "ok"),
    "public.revision_list": ("ok", "ok", "ok"),
    "public.revision_diff": ("ok", "ok", "ok"),
    "editor.revision_list": ("login", "ok", "ok"),
    "editor.revision_diff": ("login", "ok", "ok"),
    "editor.edit_article": ("login", "ok", "ok"),
    "editor.changes": ("login", "ok", "ok"),
    "editor.change": ("login", "ok", "ok"),
    "editor.repeats": ("login", "ok", "ok"),
    "editor.repeat": ("login", "ok", "ok"),
    "editor.confirm_repeat": ("login", "ok", "ok"),
    "editor.dismiss_repeat": ("login", "ok", "ok"),
    "editor.answer_change_with_notice": ("login", "ok", "ok"),
    "editor.answer_change_without_notice": ("login", "ok", "ok"),
    # Any editor may ask; only the one who decided gets it done (tests/reports/test_undo.py).
    "editor.undo": ("login", "ok", "ok"),
}

READER_EMAIL = "reader.private@example.net"
CSRF_FAILED = "The form had expired"


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def rules(app) -> list:
    # Logging out ends the sweeping client's session, so it comes last.
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))


@pytest.fixture
def world(app, client):
    """Real objects for every URL argument: an article, a report filed through the form, an editor to manage."""
    article = make_article()
    managed = make_editor("managed@example.org", "Manny Managed")
    endpoint, _ = webhooks.create_endpoint("https://hooks.example.org/in", list(webhooks.EVENTS), by=managed)
    db.session.commit()
    response = post_report(client, article.slug, **valid_report(email=READER_EMAIL))
    assert response.status_code == 303
    token = urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1]
    [report] = all_reports()
    # The reader's address is asked to confirm: the link is in that e-mail only.
    [confirmation] = db.session.scalars(select(OutboxMessage)).all()
    link = re.search(r"/confirm-address/(\S+)", confirmation.body).group(1)
    [delivery] = endpoint.deliveries
    policies.save("corrections", "", "We correct errors promptly.", by=managed)
    change_text(article, article.title, article.body.replace("31 votes", "32 votes"), source="api", by="CMS")
    notice = publishing.publish(article, "correction", "The vote was 31 to 12, not 21 to 12.", by=managed)
    db.session.commit()
    canned_answer = canned_answers.save(None, name="Opinion", to_state="rejected", text="A matter of opinion.")
    desk = desks.create_desk("Local", [managed.id])
    view = saved_views.create(managed, "Typos", "category=typo", shared=True)
    decision = decisions.start(managed, "rejected")
    db.session.add(decision)
    # An item of the same error elsewhere (as the sweep would open it).
    repeat = Repeat(notice_id=notice.id, article_id=article.id, revision_id=article.current_revision_id,
                    match_start=0, match_end=3, matched_text=article.body_text[:3], score=1.0)
    db.session.add(repeat)
    db.session.commit()
    return {
        "answer_id": canned_answer.id,
        "desk_id": desk.id,
        "view_id": view.id,
        "correction_id": notice.id,
        "slug": article.slug,
        "token": token,
        "link": link,
        "report_id": report.id,
        "editor_id": managed.id,
        "filename": "style.css",
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
        "name": "corrections",
        "old": 1,
        "new": 2,
        "change_id": db.session.scalar(select(ChangeReview.id)),
        "decision_id": decision.id,
        "repeat_id": repeat.id,
        "notice_id": notice.id,
    }


@pytest.fixture
def clients(app, world):
    """One client per role; the editor and the admin are logged in."""
    make_editor("editor@example.org", "Maya Okafor")
    make_editor("admin@example.org", "Ada Admin", is_admin=True)
    by_role = {ANONYMOUS: app.test_client(), EDITOR: app.test_client(), ADMIN: app.test_client()}
    assert login(by_role[EDITOR], "editor@example.org").status_code == 302
    assert login(by_role[ADMIN], "admin@example.org").status_code == 302
    return by_role


def token_for(client) -> str:
    """A CSRF token for this client's session; anonymous clients read it from the login page."""
    return csrf_token(client, "/editor/login") if client.get("/editor/").status_code == 302 else csrf_token(client)


def url_for_rule(rule, values: dict) -> str:
    missing = [name for name in rule.arguments if name not in values]
    assert not missing, f"no test value for URL argument(s) {missing} of {rule.rule} ({rule.endpoint})"
    _, path = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)
    return path


def send(client, method: str, url: str, token: str):
    if method == "POST":
        # Only the access decision matters here: minimal form data, but a valid CSRF token.
        return client.post(url, data={"csrf_token": token})
    return client.open(url, method=method)


def is_login_redirect(response, path: str) -> bool:
    """Flask-Login's refusal: a redirect to the login page that remembers where the editor was going."""
    if response.status_code != 302:
        return False
    target = urlsplit(response.headers["Location"])
    return target.path == "/editor/login" and parse_qs(target.query).get("next") == [path]


def check(outcome: str, response, method: str, url: str) -> str | None:
    """What is wrong with the response for the expected outcome, or None."""
    path = urlsplit(url).path
    seen = f"{response.status_code} {response.headers.get('Location', '')}".strip()
    body = response.get_data().decode("utf-8", "replace")  # the favicon is binary
    if method == "POST" and CSRF_FAILED in body:
        return f"the CSRF token was refused ({seen}), so access was not tested"
    if outcome == "login":
        # GETs and POSTs alike: the app redirects to the login page (never 401 or 403 for a missing login).
        return None if is_login_redirect(response, path) else f"expected a redirect to the login page, got {seen}"
    if outcome == "forbidden":
        return None if response.status_code == 403 else f"expected 403, got {seen}"
    if outcome == "hidden":
        return None if response.status_code == 404 else f"expected 404, got {seen}"
    if outcome == "token":
        challenged = response.headers.get("WWW-Authenticate", "").startswith("Bearer")
        return None if response.status_code == 401 and challenged else f"expected a 401 Bearer challenge, got {seen}"
    if outcome == "ok":
        if response.status_code in (401, 403, 404, 405, 500) or is_login_redirect(response, path):
            return f"expected access, got {seen}"
        return None
    raise AssertionError(f"unknown outcome {outcome!r}")


def test_every_route_has_an_access_decision_and_keeps_it(app, clients, world):
    undecided = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - ACCESS.keys())
    assert not undecided, f"new route without an access decision: {', '.join(undecided)} (add it to ACCESS)"

    tokens = {role: token_for(client) for role, client in clients.items()}
    failures, public_pages = [], []
    for rule in rules(app):
        url = url_for_rule(rule, world)
        for method in methods(rule):
            for role, outcome in zip(ROLES, ACCESS[rule.endpoint], strict=True):
                response = send(clients[role], method, url, tokens[role])
                problem = check(outcome, response, method, url)
                if problem:
                    failures.append(f"{role} {method} {url} ({rule.endpoint}): {problem}")
                if not rule.rule.startswith("/editor"):
                    public_pages.append((f"{role} {method} {url}", response.get_data().decode("utf-8", "replace")))

    assert not failures, "\n".join(failures)
    leaks = [where for where, body in public_pages if READER_EMAIL in body]
    assert not leaks, f"the reporter's e-mail appears on public pages: {leaks}"


def test_every_editor_address_except_login_refuses_an_anonymous_client(app, client, world):
    token = csrf_token(client, "/editor/login")
    refused = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/editor/") or rule.endpoint == "auth.login":
            continue
        url = url_for_rule(rule, world)
        for method in methods(rule):
            response = send(client, method, url, token)
            if not is_login_redirect(response, urlsplit(url).path):
                refused.append(f"{method} {url}: {response.status_code}")
    assert not refused, f"open to anonymous clients: {refused}"


def test_every_admin_address_refuses_a_plain_editor(app, clients, world):
    client = clients[EDITOR]
    token = token_for(client)
    admin_only = {endpoint for endpoint, outcomes in ACCESS.items() if outcomes[ROLES.index(EDITOR)] == "forbidden"}
    admin_rules = [rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/editor/admin/") or rule.endpoint in admin_only]
    assert admin_rules
    let_in = []
    for rule in admin_rules:
        url = url_for_rule(rule, world)
        for method in methods(rule):
            response = send(client, method, url, token)
            if response.status_code != 403:
                let_in.append(f"{method} {url}: {response.status_code}")
    assert not let_in, f"admin addresses a plain editor reached: {let_in}"


def test_unknown_report_ids_give_404_to_editors(app, clients, world):
    client = clients[EDITOR]
    token = token_for(client)
    report_rules = [rule for rule in app.url_map.iter_rules() if "report_id" in rule.arguments]
    assert report_rules
    wrong = []
    for rule in report_rules:
        url = url_for_rule(rule, {**world, "report_id": world["report_id"] + 1000})
        for method in methods(rule):
            response = send(client, method, url, token)
            if response.status_code != 404:
                wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, f"unknown report ids not answered with 404: {wrong}"


def test_status_page_for_a_random_token_is_404(client, world):
    assert client.get(f"/reports/{secrets.token_urlsafe(32)}").status_code == 404


def test_status_page_for_the_real_token_masks_the_reporter_email(client, world):
    response = client.get(f"/reports/{world['token']}")

    assert response.status_code == 200
    assert READER_EMAIL not in response.get_data(as_text=True)


def must_not_be_stored(rule, method: str) -> bool:
    """Answers that may carry personal data: the dashboard, every POST's answer, the reader's status page."""
    return rule.rule.startswith("/editor") or method != "GET" or rule.endpoint == "public.report_status"


def test_no_answer_carrying_personal_data_may_be_stored(app, clients, world):
    tokens = {role: token_for(client) for role, client in clients.items()}
    stored, checked = [], set()
    for rule in rules(app):
        url = url_for_rule(rule, world)
        for method in methods(rule):
            if not must_not_be_stored(rule, method):
                continue
            for role in ROLES:
                response = send(clients[role], method, url, tokens[role])
                checked.add(response.status_code // 100)
                if "no-store" not in response.headers.get("Cache-Control", ""):
                    stored.append(f"{role} {method} {url}: {response.status_code} "
                                  f"Cache-Control: {response.headers.get('Cache-Control')}")
    # Pages, redirects (the login page's and after a form) and refusals were all among them.
    assert checked >= {2, 3, 4}
    assert not stored, "answers a browser or a cache may keep:\n" + "\n".join(stored)
    # Public pages stay cacheable.
    assert "no-store" not in clients[ANONYMOUS].get(f"/articles/{world['slug']}").headers["Cache-Control"]


def test_the_csv_export_and_the_dashboards_json_are_not_stored(clients, world):
    for url in ("/editor/export.csv", "/editor/queue/changes?ids=1", "/editor/login"):
        assert clients[EDITOR].get(url).headers["Cache-Control"] == "no-store", url

