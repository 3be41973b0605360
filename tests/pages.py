"""Every page of the app, as a browser gets it: the inventory the HTML validator and axe-core check.

`built_inventory(folder, sqlite_template)` gives an app on a database of its own and its pages (a module-scoped
fixture builds it once for a test file). `inventory(app)` seeds the demo and a little more (a canned answer, a
desk, clock targets, a token, a webhook, a policy, a saved view, an unannounced change, a duplicate), then
fetches each page with the Flask test client: reader pages as a reader, dashboard pages as an admin, forms sent
back with errors, and the error pages. It fails naming any GET route of the app that has no page here, unless
NOT_HTML lists it, so a new page cannot escape the checks: add it below (with its states: empty, with a form
error) when you add a route.
"""

import contextlib
import html
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from corrections.access import accounts, api_tokens
from corrections.articles.content import ArticleData, change_text, get_by_slug, upsert_article
from corrections.extensions import db
from corrections.infra import webhooks
from corrections.models import ChangeReview, Editor, OutboxMessage, Report, utcnow
from corrections.notices import policies, publishing
from corrections.repeats import sweep
from corrections.reports import canned_answers, clocks, desks, tokens, workflow
from corrections.seed import demo
from corrections.triage import queue, saved_views
from tests.conftest import building_apps
from tests.helpers import file_report, form_tokens, login, make_editor

# GET routes that answer something other than an HTML page, by endpoint: no page of the inventory for them.
NOT_HTML = {
    "static": "stylesheet, scripts and images",
    "public.embed_js": "the script a CMS page includes",
    "public.favicon": "the site's icon",
    "public.healthz": "a tiny JSON body",
    "ops.metrics": "Prometheus text format",
    "feeds.all_corrections": "Atom feed",
    "feeds.article_corrections": "Atom feed",
    "editor.export_csv": "the queue as CSV",
    "editor.queue_changes": "JSON for the queue page's script",
    "editor.presence_of_reports": "JSON for the queue page's presence tags",
}
# The whole JSON API (api.*) answers JSON.
NOT_HTML_BLUEPRINTS = ("api",)

WITH_NOTICE = "seagrass-meadows-recovery"  # a demo article with a published notice and two revisions
BRIDGE = "quay-street-bridge-repairs-delayed"  # three demo reports on one passage
MANY_NOTICES = "eastbank-ferry-fares-rise"  # given more notices than its pages show at once


@dataclass(frozen=True)
class Page:
    """One page: what it is (`name`), the request that got it, and the answer."""

    name: str
    method: str
    url: str
    endpoint: str
    status: int
    html: str
    # Which side of the app: "reader", "editor", "admin" or "login and errors" (the inventory's functions below).
    part: str = ""

    def __str__(self) -> str:
        return f"{self.name} ({self.method} {self.url}, {self.status})"


class Pages:
    """Collects the pages, checking that each is an HTML answer with the status expected."""

    def __init__(self, app: Flask):
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.pages: list[Page] = []
        self.part = ""

    def add(self, name: str, client: FlaskClient, url: str, *, status: int = 200, data: dict | None = None,
            form_from: str | None = None, csrf: bool = True, follow: bool = False) -> Page:
        """GET `url`, or POST `data` to it (with the CSRF token of `form_from`, or of `url` itself, as a browser
        sends it back) when data is given."""
        if data is None:
            response = client.get(url, follow_redirects=follow)
            method = "GET"
        else:
            if csrf:
                data = {**form_tokens(client.get(form_from or url).get_data(as_text=True)), **data}
            response = client.post(url, data=data, follow_redirects=follow)
            method = "POST"
        html = response.get_data(as_text=True)
        assert response.status_code == status, f"{name}: {method} {url} answered {response.status_code}, not {status}"
        assert response.mimetype == "text/html", f"{name}: {method} {url} answered {response.mimetype}"
        path = response.request.path if follow else url.split("?")[0]
        try:
            endpoint, _ = self.adapter.match(path, method="GET" if follow else method)
        except Exception:  # an error page's address matches no route, or not for this method
            endpoint = ""
        page = Page(name, method, response.request.path if follow else url, endpoint, status, html, self.part)
        self.pages.append(page)
        return page


def html_get_endpoints(app: Flask) -> set[str]:
    """The endpoints of the app's GET routes that answer HTML pages."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in NOT_HTML
            and rule.endpoint.partition(".")[0] not in NOT_HTML_BLUEPRINTS}


def missing_pages(app: Flask, pages: list[Page]) -> set[str]:
    """The HTML GET endpoints of the app no page of the inventory was fetched from."""
    return html_get_endpoints(app) - {page.endpoint for page in pages if page.method == "GET"}


def seed(admin) -> dict:
    """The demo, and what it lacks for every page to show its lists and tables filled."""
    demo.seed()
    with_notice = get_by_slug(WITH_NOTICE)
    bridge = get_by_slug(BRIDGE)
    canned = canned_answers.save(None, name="Opinion, not fact", to_state="rejected",
                                 text="This is the writer's opinion, which we do not correct.")
    accepting = canned_answers.save(None, name="Typo fixed", to_state="accepted", text="Thanks.",
                                    notice_template="An earlier version misspelt “{passage}”.")
    desk = desks.create_desk("Sport desk", [admin.id])
    desks.set_route("Sport", desk)
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(60, 24 * 60), "typo": clocks.Targets(30, 120)})
    api_tokens.create("CMS import", by=admin)
    endpoint, _ = webhooks.create_endpoint("https://hooks.example.org/corrections", ["correction.published"],
                                           description="Newsroom chat", by=admin)
    db.session.flush()
    webhooks.ping(endpoint, by=admin)
    policies.save("corrections", "", "We correct errors of fact promptly and say what changed.", by=admin)
    saved_views.create(admin, "Bridge reports", "category=factual&q=bridge", shared=True)
    db.session.commit()
    # An unannounced change: the bridge article edited with no notice, past its grace period.
    change_text(bridge, bridge.title, bridge.body.replace("</p>", " (Updated.)</p>", 1), source="edit", by="Ada")
    review = db.session.scalars(select(ChangeReview).order_by(ChangeReview.id.desc())).first()
    review.due_at = utcnow() - timedelta(minutes=1)
    # A reader who wants to hear back (a confirmation e-mail waits in the outbox) and a duplicate of their report.
    wants_news = file_report(with_notice, passage="Gull Point", description="The survey site is called Gull Head.",
                             email="reader@example.org", notify=True, name="Ada Reader")
    duplicate = file_report(with_notice, passage="Gull Point", description="Gull Head, surely.")
    workflow.mark_duplicate(duplicate, wants_news, by=admin)
    to_reject = file_report(get_by_slug("lantern-parade-returns"), description="The parade starts at six.")
    db.session.commit()
    # More notices than the article's pages show: its public page folds the older ones, its dashboard page and its
    # log page them.
    many = get_by_slug(MANY_NOTICES)
    resolving = [file_report(many, description=f"The fare in paragraph {n} is wrong.") for n in range(7)]
    notices = [publishing.publish(many, ("correction", "clarification", "update")[n % 3],
                                  f"Notice {n}: an earlier version gave the wrong fare for the crossing.", by=admin,
                                  reports=resolving if n == 0 else ()) for n in range(26)]
    db.session.commit()
    publishing.amend(notices[0], "Notice 0: an earlier version gave the wrong fare; it is £2.40.", by=admin)
    db.session.commit()
    # The same wrong sentence in two more articles, one corrected: the sweep lists the other.
    wrong = "The new ferry terminal at Eastbank will cost £48 million and open in May 2027"
    twins = [upsert_article(ArticleData(title=f"Ferry terminal plans ({n})", canonical_url=f"https://news.example.org/"
                                        f"ferry-terminal-{n}", body=f"<p>{wrong}, the council said.</p>"))[0]
             for n in (1, 2)]
    db.session.flush()
    corrected_there = publishing.publish(twins[0], "correction", "An earlier version gave the wrong cost of the "
                                         "terminal.", by=admin, wrong_text=wrong)
    db.session.flush()
    [repeat] = sweep.sweep(corrected_there).found
    db.session.commit()
    bridge_reports = db.session.scalars(select(Report).where(Report.article_id == bridge.id)
                                        .order_by(Report.id)).all()
    corrected = db.session.scalars(select(Report).where(Report.status == "corrected")).first()
    link = re.search(r"/confirm-address/(\S+)", db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.body.like("%/confirm-address/%"))).first().body).group(1)
    return {"with_notice": with_notice, "bridge": bridge, "canned": canned, "accepting": accepting, "desk": desk,
            "endpoint": endpoint, "review": review, "wants_news": wants_news, "duplicate": duplicate,
            "bridge_reports": bridge_reports, "corrected": corrected, "link": link,
            "to_reject": to_reject, "many": many, "oldest_notice": notices[0], "repeat": repeat}


def reader_pages(pages: Pages, reader: FlaskClient, data: dict) -> None:
    slug = data["with_notice"].slug
    pages.add("home", reader, "/")
    pages.add("article with a notice", reader, f"/articles/{slug}")
    # The demo's match report says a machine wrote it: the page tells readers so.
    pages.add("article written by a machine", reader, "/articles/rovers-reach-county-cup-semi-final")
    pages.add("report form", reader, f"/articles/{slug}/report")
    pages.add("report form with errors", reader, f"/articles/{slug}/report", status=400, data={
        "category": "factual", "description": "short", "email": "not an address", "source_url": "ftp://x"})
    pages.add("report form sent with an expired token", reader, f"/articles/{slug}/report", status=400,
              csrf=False, data={"category": "factual", "description": "The figure in this sentence is wrong."})
    pages.add("status page just after sending", reader, f"/articles/{slug}/report", follow=True, data={
        "category": "typo", "passage": "Gull Point", "description": "The word is misspelt here.",
        "email": "ben@example.org", "notify": "y"})
    status_url = tokens.status_url(data["corrected"]).removeprefix("http://localhost")
    pages.add("status page of a corrected report", reader, status_url)
    pages.add("status page of a duplicate", reader, tokens.status_url(data["duplicate"]).removeprefix("http://localhost"))
    wants_news = tokens.status_url(data["wants_news"]).removeprefix("http://localhost")
    pages.add("status page of a reader waiting to confirm", reader, wants_news)
    pages.add("status page with the forget form unticked", reader, wants_news + "/forget", status=400,
              data={}, form_from=wants_news)
    pages.add("status page of a report being filed", reader, f"/reports/{tokens.new_receipt().token}")
    pages.add("confirm address", reader, f"/confirm-address/{data['link']}")
    pages.add("confirm address, unknown link", reader, "/confirm-address/" + "x" * 43, status=404)
    pages.add("corrections log", reader, "/corrections")
    many = data["many"].slug
    pages.add("article with older notices folded", reader, f"/articles/{many}")
    log = pages.add("corrections log of one article", reader, f"/corrections?article={many}")
    older = re.search(r'<a rel="next" href="([^"]+)"', log.html)[1]
    pages.add("corrections log of one article, older notices", reader, html.unescape(older))
    pages.add("transparency", reader, "/transparency")
    pages.add("policy", reader, "/policies/corrections")
    pages.add("revisions", reader, f"/articles/{slug}/revisions")
    pages.add("revision diff", reader, f"/articles/{slug}/revisions/1/2")


def editor_pages(pages: Pages, admin: FlaskClient, data: dict) -> None:
    in_review, new = data["bridge_reports"][0], data["bridge_reports"][1]
    report_url = f"/editor/reports/{new.id}"
    pages.add("queue", admin, "/editor/")
    pages.add("queue filtered", admin, "/editor/?category=factual&sort=oldest")
    pages.add("queue filtered by source", admin, "/editor/?source=machine_assisted")
    pages.add("queue with nothing to show", admin, "/editor/?q=nothing-matches-this")
    pages.add("report page, new", admin, report_url)
    pages.add("report page, in review in a group", admin,
              f"/editor/reports/{in_review.id}?back=/editor/%3Fcategory%3Dfactual")
    pages.add("report page, accepted with a canned answer's draft", admin,
              f"/editor/reports/{data['wants_news'].id}?answer={data['accepting'].id}")
    pages.add("report page, corrected", admin, f"/editor/reports/{data['corrected'].id}")
    pages.add("report page, duplicate", admin, f"/editor/reports/{data['duplicate'].id}")
    pages.add("report page with an empty note", admin, f"{report_url}/note", status=400, form_from=report_url,
              data={"version": str(new.version), "text": ""})
    pages.add("report page with a bad duplicate reference", admin, f"{report_url}/duplicate", status=400,
              form_from=report_url, data={"version": str(new.version), "original": "R-NOPE"})
    pages.add("report page sent from an older page (409)", admin, f"{report_url}/move", status=409,
              form_from=report_url, data={"version": str(new.version - 1), "to": "in_review"})
    pages.add("preview of a correction that fixes the article", admin, f"{report_url}/publish", form_from=report_url,
              data={"kind": "correction", "text": "An earlier version gave the wrong year of opening.", "fix": "y",
                    "replacement": "1878", "link": str(new.id)})
    pages.add("report page after a decision", admin, f"{report_url}/move", follow=True, form_from=report_url,
              data={"version": str(new.version), "to": "in_review"})
    rejected = f"/editor/reports/{data['to_reject'].id}"
    pages.add("report page after a rejection, with its undo notice", admin, f"{rejected}/reject", follow=True,
              form_from=rejected, data={"version": str(data["to_reject"].version), "reason_text": "Checked: seven."})
    slug = data["with_notice"].slug
    pages.add("article", admin, f"/editor/articles/{slug}")
    pages.add("article with an empty notice", admin, f"/editor/articles/{slug}/corrections", status=400,
              form_from=f"/editor/articles/{slug}", data={"kind": "correction", "text": ""})
    many, oldest = data["many"].slug, data["oldest_notice"]
    first_page = pages.add("article with a page of its notices", admin, f"/editor/articles/{many}")
    older = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', first_page.html).group(1))
    pages.add("article, a page of older notices", admin, older)
    pages.add("article with a refused amendment of an older notice", admin,
              f"/editor/articles/{many}/corrections/{oldest.id}/amend", status=400,
              form_from=f"/editor/articles/{many}",
              data={f"amend-{oldest.id}-kind": "correction", f"amend-{oldest.id}-text": "short"})
    with pytest.MonkeyPatch.context() as patch:
        # A group past the reports a checkbox lists one by one (50): the row carries the group.
        patch.setattr(queue, "SELECTION_LISTED", 2)
        pages.add("queue filtered to one article, with a big group", admin,
                  f"/editor/?article={data['bridge'].slug}&status=all")
        # A report's page lists the first of its group's others (25) and counts the rest.
        patch.setattr("corrections.editor.report.GROUP_LISTED", 1)
        pages.add("report page in a big group", admin, f"/editor/reports/{data['bridge_reports'][0].id}")
    # Linking the rest of a group to a notice, a step at a time (the notice was published with the group's first).
    editor = db.session.scalars(select(Editor).where(Editor.is_admin)).first()
    notice = publishing.publish(data["bridge"], "update", "An update on the figures of this article, for the record.",
                                by=editor)
    db.session.commit()
    newest = max(r.id for r in data["bridge_reports"])
    pages.add("report page linking the rest of its group", admin,
              f"/editor/reports/{data['bridge_reports'][0].id}?notice={notice.id}&upto={newest}")
    assert 'id="link-group"' in pages.pages[-1].html
    pages.add("article edit", admin, f"/editor/articles/{slug}/edit")
    pages.add("article edit with no headline", admin, f"/editor/articles/{slug}/edit", status=400,
              data={"title": "", "body": "Text.", "revision": "2"})
    pages.add("revisions (editor)", admin, f"/editor/articles/{slug}/revisions")
    pages.add("revision diff (editor)", admin, f"/editor/articles/{slug}/revisions/1/2")
    review = data["review"]
    pages.add("unannounced changes", admin, "/editor/changes")
    pages.add("one change", admin, f"/editor/changes/{review.id}")
    pages.add("one change, whole text", admin, f"/editor/changes/{review.id}?whole=1")
    pages.add("one change with no reason given", admin, f"/editor/changes/{review.id}/no-notice", status=400,
              form_from=f"/editor/changes/{review.id}", data={"reason_text": ""})
    item = data["repeat"]
    pages.add("same error elsewhere", admin, "/editor/elsewhere")
    pages.add("same error elsewhere, one notice's items", admin, f"/editor/elsewhere?notice={item.notice_id}")
    pages.add("same error elsewhere with nothing to show", admin, "/editor/elsewhere?state=dismissed")
    pages.add("one item of same error elsewhere", admin, f"/editor/elsewhere/{item.id}")
    pages.add("one item of same error elsewhere with no reason given", admin, f"/editor/elsewhere/{item.id}/dismiss",
              status=400, form_from=f"/editor/elsewhere/{item.id}", data={"reason_text": ""})
    pages.add("metrics", admin, "/editor/metrics")
    pages.add("account", admin, "/editor/account")
    pages.add("account with a wrong password", admin, "/editor/account/password", status=400,
              form_from="/editor/account", data={"current": "wrong", "password": "x", "repeat": "y"})
    pages.add("saved views", admin, "/editor/views")
    pages.add("saved views with no name", admin, "/editor/views", status=400, data={"name": "", "query": ""})


def admin_pages(pages: Pages, admin: FlaskClient, data: dict) -> None:
    pages.add("admin hub", admin, "/editor/admin")
    pages.add("editors", admin, "/editor/admin/editors")
    pages.add("editors with errors", admin, "/editor/admin/editors", status=400,
              data={"email": "nope", "password": "short"})
    pages.add("canned answers", admin, "/editor/admin/answers")
    pages.add("canned answers, new with errors", admin, "/editor/admin/answers", status=400,
              data={"name": "", "to_state": "rejected", "text": ""})
    answer = f"/editor/admin/answers/{data['canned'].id}"
    pages.add("canned answer", admin, answer)
    pages.add("canned answer with errors", admin, answer, status=400, data={"name": "", "to_state": "rejected"})
    pages.add("desks", admin, "/editor/admin/desks")
    pages.add("desks, new with no name", admin, "/editor/admin/desks", status=400, data={"name": ""})
    desk = f"/editor/admin/desks/{data['desk'].id}"
    pages.add("desk", admin, desk)
    pages.add("desk with no name", admin, desk, status=400, data={"name": ""})
    pages.add("clocks", admin, "/editor/admin/clocks")
    pages.add("clocks with errors", admin, "/editor/admin/clocks", status=400,
              data={"first_default": "soon", "resolution_typo": "x" * 41})
    pages.add("API tokens", admin, "/editor/admin/tokens")
    pages.add("API token just created", admin, "/editor/admin/tokens", status=201, data={"name": "Newsletter"})
    pages.add("API tokens, new with no name", admin, "/editor/admin/tokens", status=400, data={"name": ""})
    pages.add("outbox", admin, "/editor/admin/outbox")
    pages.add("webhooks", admin, "/editor/admin/webhooks")
    pages.add("webhooks, new with errors", admin, "/editor/admin/webhooks", status=400,
              data={"url": "ftp://nowhere", "events": ["correction.published"]})
    webhook = f"/editor/admin/webhooks/{data['endpoint'].id}"
    pages.add("webhook", admin, webhook)
    pages.add("webhook with errors", admin, webhook, status=400, data={"url": ""})
    pages.add("policies", admin, "/editor/admin/policies")
    pages.add("policies with errors", admin, "/editor/admin/policies", status=400,
              data={"corrections_url": "not a url", "corrections_text": ""})


def login_and_error_pages(pages: Pages, reader: FlaskClient, editor: FlaskClient, admin: FlaskClient,
                          data: dict) -> None:
    pages.add("login", reader, "/editor/login")
    pages.add("login with a wrong password", reader, "/editor/login", status=400,
              data={"email": "admin@example.org", "password": "not the password"})
    pages.add("404", reader, "/no-such-page", status=404)
    pages.add("404 in the dashboard", admin, "/editor/reports/999999", status=404)
    pages.add("403 (an admin page for an editor)", editor, "/editor/admin/editors", status=403)
    pages.add("405", admin, "/editor/logout", status=405)
    report_url = f"/editor/reports/{data['bridge_reports'][2].id}"
    pages.add("400 (expired form)", admin, f"{report_url}/note", status=400, csrf=False, data={"text": "Hi"})


def inventory(app: Flask) -> list[Page]:
    """Every page, from an app with an empty database (in its app context), as described at the top."""
    admin_account = make_editor("admin@example.org", "Ada Admin", is_admin=True)
    make_editor()
    data = seed(admin_account)
    reader, editor, admin = app.test_client(), app.test_client(), app.test_client()
    assert login(admin, "admin@example.org").status_code == 302
    assert login(editor, "editor@example.org").status_code == 302
    pages = Pages(app)
    pages.part = "reader"
    reader_pages(pages, reader, data)
    pages.part = "editor"
    editor_pages(pages, admin, data)
    pages.part = "admin"
    admin_pages(pages, admin, data)
    pages.part = "login and errors"
    login_and_error_pages(pages, reader, editor, admin, data)
    missing = missing_pages(app, pages.pages)
    assert not missing, (f"No page in tests/pages.py for {', '.join(sorted(missing))}: add the page (and its states) "
                         "to the inventory, or the endpoint to NOT_HTML if it answers no HTML page")
    return pages.pages



@contextlib.contextmanager
def built_inventory(folder: Path, sqlite_template: Path, **settings):
    """An app on a copy of the migrated SQLite template (with these settings, if any), inside its app context, and
    its pages."""
    path = folder / "pages.sqlite3"
    shutil.copyfile(sqlite_template, path)
    with building_apps(f"sqlite:///{path}", folder) as build, pytest.MonkeyPatch.context() as patch:
        # One-round password hashes, as the tests' quick_password_hashes fixture gives each test (scrypt: 0.1 s
        # for each of the five accounts and three logins).
        quick = partial(generate_password_hash, method="pbkdf2:sha256:1")
        patch.setattr(accounts, "hash_password", quick)
        patch.setattr(accounts, "_DUMMY_HASH", quick("not anyone's password"))
        app = build(**settings)
        with app.app_context():
            yield app, inventory(app)
