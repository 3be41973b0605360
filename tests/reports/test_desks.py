"""Desks: admins group editors and route sections to them; new reports of a routed section get the desk."""

import re

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from corrections.extensions import db
from corrections.models import Desk, Report, SectionRoute
from corrections.reports import desks
from corrections.triage import queue
from tests.helpers import count_queries, csrf_token, file_report, make_article, make_editor
from tests.triage.test_report_page import open_page


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/editor/admin/desks"), **data})


def test_admin_creates_a_desk_with_members_and_routes_a_section(admin_client, admin):
    maya = make_editor("maya@example.org", "Maya Okafor")
    make_article(section="Local")
    response = post(admin_client, "/editor/admin/desks", name="Local desk", members=[str(maya.id), str(admin.id)])
    assert response.status_code == 302
    [desk] = desks.all_desks()
    assert [m.name for m in desk.members] == ["Ada Admin", "Maya Okafor"]

    page = admin_client.get("/editor/admin/desks").get_data(as_text=True)
    assert "Local desk" in page and "<td>Ada Admin and Maya Okafor</td>" in page  # listed as the language does
    assert '<input type="hidden" name="section" value="Local">' in page  # a section articles have
    response = post(admin_client, "/editor/admin/routes", section="Local", desk=str(desk.id))
    assert response.status_code == 302
    assert "New reports about “Local” go to the desk “Local desk”." in admin_client.get(
        response.headers["Location"]).get_data(as_text=True)

    report = file_report(make_article(section="LOCAL "))  # case and spacing do not matter
    assert report.desk_id == desk.id
    assert file_report(make_article(section="Sport")).desk_id is None


@pytest.mark.databases("sqlite")
def test_report_page_shows_the_desk(editor_client):
    desk = desks.create_desk("Politics", [])
    desks.set_route("Politics", desk)
    db.session.commit()
    report = file_report(make_article(section="Politics"))
    assert "desk: Politics" in open_page(editor_client, report)


def test_rerouting_applies_to_new_reports_only(app):
    first, second = desks.create_desk("Local", []), desks.create_desk("Metro", [])
    desks.set_route("Local", first)
    db.session.commit()
    earlier = file_report(make_article(section="Local"))
    desks.set_route("local", second)  # the same section, another spelling: replaces the route
    db.session.commit()
    assert db.session.scalars(db.select(SectionRoute.section)).all() == ["local"]
    later = file_report(make_article(section="Local"))
    assert (earlier.desk_id, later.desk_id) == (first.id, second.id)
    desks.set_route("Local", None)
    db.session.commit()
    assert file_report(make_article(section="Local")).desk_id is None


def test_editing_a_desk_renames_it_and_changes_its_members(admin_client, admin):
    maya = make_editor("maya@example.org", "Maya Okafor")
    desk = desks.create_desk("Local", [admin.id])
    db.session.commit()
    page = admin_client.get(f"/editor/admin/desks/{desk.id}").get_data(as_text=True)
    assert f'value="{admin.id}" checked' in page
    response = post(admin_client, f"/editor/admin/desks/{desk.id}", name="Local news", members=[str(maya.id)])
    assert response.status_code == 302
    db.session.expire_all()
    desk = db.session.get(Desk, desk.id)
    assert desk.name == "Local news" and [m.id for m in desk.members] == [maya.id]


@pytest.mark.databases("sqlite")
def test_bad_desks_and_routes_are_refused_with_what_was_typed_kept(admin_client):
    desks.create_desk("Local", [])
    db.session.commit()
    response = post(admin_client, "/editor/admin/desks", name="LOCAL")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is already a desk called" in page and 'value="LOCAL"' in page
    response = post(admin_client, "/editor/admin/desks", name="Sport", members=["424242"])
    assert response.status_code == 400 and "does not exist" in response.get_data(as_text=True)
    response = post(admin_client, "/editor/admin/routes", section="Weather", desk="999")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "That desk no longer exists." in page and 'value="Weather"' in page
    response = post(admin_client, "/editor/admin/routes", section="   ", desk="")
    assert response.status_code == 400 and "Name the section." in response.get_data(as_text=True)
    assert len(desks.all_desks()) == 1


def test_deleting_a_desk_keeps_its_reports_without_a_desk(admin_client):
    desk = desks.create_desk("Local", [])
    desks.set_route("Local", desk)
    db.session.commit()
    report = file_report(make_article(section="Local"))
    response = post(admin_client, f"/editor/admin/desks/{desk.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).desk_id is None
    assert db.session.scalars(db.select(SectionRoute)).all() == []


def test_desks_page_runs_the_same_queries_for_few_or_many(admin_client, admin):
    make_article(section="Local")
    desks.set_route("Local", desks.create_desk("D0", [admin.id]))
    db.session.commit()
    few = count_queries(admin_client, "/editor/admin/desks")
    for n in range(1, 15):
        editor = make_editor(f"e{n}@example.org", f"Editor {n}")
        desk = desks.create_desk(f"D{n}", [editor.id, admin.id])
        make_article(section=f"Section {n}")
        desks.set_route(f"Section {n}", desk)
        db.session.commit()
    assert count_queries(admin_client, "/editor/admin/desks") == few <= 8


def test_editor_belongs_to_desks(app, editor):
    one, two = desks.create_desk("One", [editor.id]), desks.create_desk("Two", [])
    assert desks.desk_ids_of(editor) == [one.id]
    assert two.id not in desks.desk_ids_of(editor)


def test_queue_filters_by_my_desk_a_desk_or_none_and_saves_it_as_a_view(editor_client, editor):
    from corrections.triage import saved_views
    from tests.triage.queue_pages import page_of, references

    local, sport = desks.create_desk("Local desk", [editor.id]), desks.create_desk("Sport desk", [])
    desks.set_route("Local", local)
    desks.set_route("Sport", sport)
    db.session.commit()
    mine = file_report(make_article(section="Local"))
    theirs = file_report(make_article(section="Sport"))
    nobodys = file_report(make_article(section="Weather"))

    page = page_of(editor_client, "/editor/")
    assert '<option value="mine" >My desk</option>' in page
    assert f'<option value="{sport.id}" >Sport desk</option>' in page
    assert references(page_of(editor_client, "/editor/?desk=mine")) == [mine.reference]
    assert references(page_of(editor_client, f"/editor/?desk={sport.id}")) == [theirs.reference]
    assert references(page_of(editor_client, "/editor/?desk=none")) == [nobodys.reference]
    page = page_of(editor_client, "/editor/?desk=elsewhere")
    assert "desk “elsewhere”" in page and len(references(page)) == 3

    # "My desk" is a filter like the others: saved in a view, which shows it for whoever opens it.
    view = saved_views.create(editor, "My desk, due first", "/editor/?desk=mine&sort=due&page=4", shared=True)
    db.session.commit()
    assert view.query == "desk=mine&sort=due"
    page = page_of(editor_client, "/editor/?desk=mine&sort=due")
    assert re.search(r'aria-current="page"[^>]*>My desk, due first', page)
    assert '<option value="mine" selected>My desk</option>' in page


@pytest.mark.databases("sqlite")
def test_an_unknown_desk_in_the_address_is_named_by_its_parameter_in_every_language(app):
    # "desk" is the address's word, which the editor typed or follows: it is not translated.
    with app.test_request_context(), force_locale("hu"):
        assert queue.QueueFilter.from_args(MultiDict({"desk": "elsewhere"})).ignored == ("desk: „elsewhere”",)
