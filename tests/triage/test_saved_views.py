"""Saved views: an editor saves the queue's filters under a name, personal or shared with every editor."""

import html
import re

import pytest

from corrections.extensions import db
from corrections.models import SavedView
from corrections.triage import saved_views
from tests.helpers import count_queries, csrf_token, file_report, login, make_article, make_editor

# Saving and listing views by name; the queue's queries they open are tested on both databases in test_queue.py.
pytestmark = pytest.mark.databases("sqlite")


def save(client, name: str, query: str, shared: bool = False):
    data = {"csrf_token": csrf_token(client), "name": name, "query": query}
    if shared:
        data["shared"] = "y"
    return client.post("/editor/views", data=data)


def view_links(page: str) -> dict[str, str]:
    nav = re.search(r'<nav class="saved-views".*?</nav>', page, re.S).group(0)
    return {html.unescape(re.sub(r"<[^>]+>.*", "", name, flags=re.S).strip()): html.unescape(href)
            for href, name in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', nav, re.S) if "views" not in href}


def test_an_editor_saves_the_filters_shown_and_finds_them_above_the_queue(editor_client, editor):
    article = make_article()
    typo = file_report(article, category="typo")
    file_report(article, category="factual")
    page = editor_client.get("/editor/?category=typo&sort=oldest").get_data(as_text=True)
    # The save form carries the filters shown.
    assert 'name="query" type="hidden" value="category=typo&amp;sort=oldest"' in page
    response = save(editor_client, "Typos, oldest first", "category=typo&sort=oldest")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/editor/?category=typo&sort=oldest")
    links = view_links(editor_client.get("/editor/").get_data(as_text=True))
    assert links == {"Typos, oldest first": "/editor/?category=typo&sort=oldest"}
    shown = editor_client.get(links["Typos, oldest first"]).get_data(as_text=True)
    assert re.findall(r'class="reference">(R-[0-9A-Z]{6})<', shown) == [typo.reference]
    assert 'aria-current="page"' in re.search(r'<nav class="saved-views".*?</nav>', shown, re.S).group(0)


def test_the_query_is_kept_as_the_queue_writes_it(app, editor):
    view = saved_views.create(editor, "Odd", "/editor/?page=3&sort=nonsense&q=+budget+&category=typo&evil=1")
    assert view.query == "category=typo&q=budget"
    assert saved_views.create(editor, "Everything", "").query == ""


def test_shared_views_are_listed_for_everyone_private_ones_only_for_their_owner(app, editor_client, editor):
    other = make_editor("tom@example.org", "Tom Reyes")
    saved_views.create(other, "Tom's typos", "category=typo", shared=True)
    saved_views.create(other, "Tom's private", "category=factual")
    saved_views.create(editor, "Mine", "status=all")
    db.session.commit()
    links = view_links(editor_client.get("/editor/").get_data(as_text=True))
    assert list(links) == ["Mine", "Tom's typos"]
    page = editor_client.get("/editor/views").get_data(as_text=True)
    assert "by Tom Reyes" in page and "Tom&#39;s private" not in page


def test_owner_renames_and_shares_a_view(editor_client, editor):
    view = saved_views.create(editor, "Typos", "category=typo")
    db.session.commit()
    prefix = f"view-{view.id}-"
    response = editor_client.post(f"/editor/views/{view.id}", data={
        "csrf_token": csrf_token(editor_client), prefix + "name": "All typos", prefix + "shared": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    view = db.session.get(SavedView, view.id)
    assert (view.name, view.shared) == ("All typos", True)


def test_names_are_checked_and_what_was_typed_stays(editor_client, editor):
    saved_views.create(editor, "Typos", "category=typo")
    db.session.commit()
    response = save(editor_client, "TYPOS", "category=typo&sort=oldest")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "You already have a view called" in page and 'value="TYPOS"' in page
    assert "category=typo&amp;sort=oldest" in page
    response = save(editor_client, "   ", "category=typo")
    assert response.status_code == 400 and "Give the view a name" in response.get_data(as_text=True)
    # Another editor may use the same name.
    other = make_editor("tom@example.org", "Tom Reyes")
    assert saved_views.create(other, "Typos", "").name == "Typos"


def test_only_the_owner_or_an_admin_changes_or_deletes_a_shared_view(app, editor_client, admin_client, editor):
    other = make_editor("tom@example.org", "Tom Reyes")
    shared = saved_views.create(other, "Tom's typos", "category=typo", shared=True)
    private = saved_views.create(other, "Tom's private", "category=factual")
    db.session.commit()
    shared_id = shared.id
    token = csrf_token(editor_client)
    assert editor_client.post(f"/editor/views/{shared.id}/delete", data={"csrf_token": token}).status_code == 403
    assert editor_client.post(f"/editor/views/{shared.id}", data={
        "csrf_token": token, f"view-{shared.id}-name": "Mine now"}).status_code == 403
    # Another editor's private view is as good as missing.
    assert editor_client.post(f"/editor/views/{private.id}/delete", data={"csrf_token": token}).status_code == 404
    response = admin_client.post(f"/editor/views/{shared.id}/delete", data={"csrf_token": csrf_token(admin_client)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SavedView, shared_id) is None
    own = saved_views.create(editor, "Mine", "")
    db.session.commit()
    assert editor_client.post(f"/editor/views/{own.id}/delete", data={"csrf_token": token}).status_code == 302
    assert [v.name for v in saved_views.visible_to(editor)] == []


def test_queue_queries_do_not_grow_with_saved_views(app, editor_client, editor):
    file_report(make_article())
    saved_views.create(editor, "V0", "category=typo")
    db.session.commit()
    few = count_queries(editor_client, "/editor/")
    for n in range(1, 20):
        owner = make_editor(f"e{n}@example.org", f"Editor {n}") if n % 2 else editor
        saved_views.create(owner, f"V{n}", f"q=word{n}", shared=True)
        db.session.commit()
    assert count_queries(editor_client, "/editor/") == few
    assert count_queries(editor_client, "/editor/views") <= 6


def test_a_deleted_owner_account_is_deactivated_not_removed_so_views_stay(app, editor):
    # Accounts are deactivated, never deleted: a shared view outlives its owner's access.
    view = saved_views.create(editor, "Typos", "category=typo", shared=True)
    db.session.commit()
    editor.active = False
    db.session.commit()
    client = app.test_client()
    tom = make_editor("tom@example.org", "Tom Reyes")
    assert login(client, tom.email).status_code == 302
    assert view.name in view_links(client.get("/editor/").get_data(as_text=True))
