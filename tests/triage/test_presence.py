"""Presence: who else has a report open, kept in the database (SQLite, PostgreSQL) or in Redis, shared by
several app servers."""

import uuid
from datetime import timedelta

import pytest
import redis
from sqlalchemy import func, select

from corrections import create_app
from corrections.config import ConfigError
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.infra import presence_store
from corrections.models import Editor, Presence, utcnow
from corrections.triage import presence
from tests.conftest import building_apps, empty_postgres, redis_test_url, unavailable
from tests.helpers import file_report, make_article, make_editor

REDIS_URL = redis_test_url()
TAB_A, TAB_B, TAB_A2 = "tab-aaaa-1", "tab-bbbb-1", "tab-aaaa-2"


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def store(request, tmp_path, sqlite_template):
    """build(name): an app with instance folder `name`, all of them on one database and one presence store:
    the database's table, or (for "redis") a key prefix of this test's own in the suite's Redis."""
    settings = {"PRESENCE_HEARTBEAT_SECONDS": 2}
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        empty_postgres(url)
    else:
        path = tmp_path / "test.sqlite3"
        path.write_bytes(sqlite_template.read_bytes())
        url = f"sqlite:///{path}"
    client = None
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        try:
            client.ping()
        except redis.RedisError as error:
            unavailable(f"Redis does not answer at {REDIS_URL}: {error}")
        settings |= {"PRESENCE_STORAGE_URL": REDIS_URL, "PRESENCE_KEY_PREFIX": f"test-presence-{uuid.uuid4().hex}"}
    with building_apps(url, tmp_path) as build:
        yield lambda name="instance": build(name, **settings)
    if client is not None:
        keys = client.keys(settings["PRESENCE_KEY_PREFIX"] + ":*")
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def desk(store):
    """An app, two editors and a report, inside the app's context."""
    app = store()
    with app.app_context():
        ana = make_editor("ana@example.org", "Ana Lopez")
        ben = make_editor("ben@example.org", "Ben Ode")
        report = file_report(make_article())
        yield app, ana, ben, report.id


def beat(report_id, editor, tab, answering=False, now=None):
    people = presence.beat(report_id, editor, tab, answering=answering, now=now)
    db.session.commit()
    return people


@pytest.mark.databases("sqlite")
def test_the_store_is_redis_when_the_rate_limits_use_it_and_the_database_otherwise(store):
    assert presence_store.redis_url({"RATELIMIT_STORAGE_URL": "memory://"}) is None
    assert presence_store.redis_url({"RATELIMIT_STORAGE_URL": "redis://cache:6379/2"}) == "redis://cache:6379/2"
    assert presence_store.redis_url({"RATELIMIT_STORAGE_URL": "redis+unix:///run/redis.sock"}) == \
        "unix:///run/redis.sock"
    assert presence_store.redis_url({"RATELIMIT_STORAGE_URL": "redis://cache", "PRESENCE_STORAGE_URL": "database"}) \
        is None
    app = store()
    expected = presence_store.RedisStore if app.config["PRESENCE_STORAGE_URL"] else presence_store.DatabaseStore
    assert isinstance(app.extensions["presence_store"], expected)


def test_an_editor_sees_who_else_has_the_report_open_but_not_themselves(desk):
    app, ana, ben, report_id = desk
    assert beat(report_id, ana, TAB_A) == []
    ben_sees = beat(report_id, ben, TAB_B)
    assert [(p.name, p.answering) for p in ben_sees] == [("Ana Lopez", False)]
    assert ben_sees[0].since.microsecond == 0 and utcnow() - ben_sees[0].since < timedelta(seconds=5)
    assert [p.name for p in presence.others_on([report_id], ana)[report_id]] == ["Ben Ode"]
    assert presence.others_on([report_id, report_id + 1], ben) == {report_id: ben_sees}


def test_a_tab_that_stops_beating_no_longer_counts_after_three_heartbeats(desk):
    app, ana, ben, report_id = desk
    start = utcnow()
    beat(report_id, ana, TAB_A, now=start)
    assert presence.expiry_seconds() == 6  # three heartbeats of 2 s
    assert presence.others_on([report_id], ben, now=start + timedelta(seconds=5.9))
    assert presence.others_on([report_id], ben, now=start + timedelta(seconds=6)) == {}
    # A beat in time keeps the tab, since its first opening.
    beat(report_id, ana, TAB_A, now=start + timedelta(seconds=5))
    [ana_seen] = presence.others_on([report_id], ben, now=start + timedelta(seconds=10))[report_id]
    assert ana_seen.since == start.replace(microsecond=0)


def test_a_tab_in_the_background_counts_longer_as_browsers_slow_its_heartbeats(desk):
    app, ana, ben, report_id = desk
    app.config["PRESENCE_HIDDEN_EXPIRY_SECONDS"] = 61
    start = utcnow()
    presence.beat(report_id, ana, TAB_A, answering=True, hidden=True, now=start)
    db.session.commit()
    [seen] = presence.others_on([report_id], ben, now=start + timedelta(seconds=60))[report_id]
    assert seen.answering
    assert presence.others_on([report_id], ben, now=start + timedelta(seconds=61)) == {}
    # Back in front, it keeps the short expiry again.
    presence.beat(report_id, ana, TAB_A, answering=False, hidden=False, now=start + timedelta(seconds=30))
    db.session.commit()
    assert presence.others_on([report_id], ben, now=start + timedelta(seconds=36)) == {}


def test_a_tab_that_leaves_no_longer_counts_at_once(desk):
    app, ana, ben, report_id = desk
    beat(report_id, ana, TAB_A)
    beat(report_id, ana, TAB_A2)
    presence.leave(report_id, ana, TAB_A)
    db.session.commit()
    assert [p.name for p in presence.others_on([report_id], ben)[report_id]] == ["Ana Lopez"]
    presence.leave(report_id, ana, TAB_A2)
    db.session.commit()
    assert presence.others_on([report_id], ben) == {}


def test_answering_keeps_its_start_while_it_lasts_and_ends_when_the_form_is_left(desk):
    app, ana, ben, report_id = desk
    start = utcnow()
    beat(report_id, ana, TAB_A, now=start)
    beat(report_id, ana, TAB_A, answering=True, now=start + timedelta(seconds=1))
    beat(report_id, ana, TAB_A, answering=True, now=start + timedelta(seconds=3))
    [seen] = beat(report_id, ben, TAB_B, now=start + timedelta(seconds=4))
    assert seen.answering and seen.answering_since == (start + timedelta(seconds=1)).replace(microsecond=0)
    assert presence.answering([seen]) == [seen]
    beat(report_id, ana, TAB_A, answering=False, now=start + timedelta(seconds=5))
    [seen] = beat(report_id, ben, TAB_B, now=start + timedelta(seconds=6))
    assert not seen.answering and presence.answering([seen]) == []
    assert seen.since == start.replace(microsecond=0)


def test_two_tabs_of_one_editor_count_once_from_the_first_and_answering_if_either_is(desk):
    app, ana, ben, report_id = desk
    start = utcnow()
    beat(report_id, ana, TAB_A, now=start)
    beat(report_id, ana, TAB_A2, answering=True, now=start + timedelta(seconds=2))
    [seen] = presence.others_on([report_id], ben, now=start + timedelta(seconds=3))[report_id]
    assert seen.since == start.replace(microsecond=0)
    assert seen.answering_since == (start + timedelta(seconds=2)).replace(microsecond=0)


@pytest.mark.databases("sqlite")
def test_a_tab_name_the_page_did_not_make_is_refused(desk):
    app, ana, ben, report_id = desk
    for tab in ("", "short", "x" * 41, "tab with spaces", "tab:colon-1"):
        with pytest.raises(Refusal):
            presence.beat(report_id, ana, tab, answering=False)
    assert presence.others_on([report_id], ben) == {}


def test_two_app_servers_share_one_store(store):
    """Each editor's heartbeats go to another server: each still sees the other."""
    first, second = store("server-1"), store("server-2")
    with first.app_context():
        ana = make_editor("ana@example.org", "Ana Lopez")
        ben_id = make_editor("ben@example.org", "Ben Ode").id
        report_id = file_report(make_article()).id
        beat(report_id, ana, TAB_A, answering=True)
        ana_id = ana.id
    with second.app_context():
        [seen] = beat(report_id, db.session.get(Editor, ben_id), TAB_B)
        assert (seen.name, seen.answering) == ("Ana Lopez", True)
    with first.app_context():
        assert [p.name for p in presence.others_on([report_id], db.session.get(Editor, ana_id))[report_id]] == \
            ["Ben Ode"]


def test_expired_tabs_are_removed_from_the_store_by_the_next_heartbeat(desk):
    app, ana, ben, report_id = desk
    start = utcnow()
    beat(report_id, ana, TAB_A, now=start - timedelta(seconds=60))
    beat(report_id, ben, TAB_B, now=start)
    stored = app.extensions["presence_store"]
    if isinstance(stored, presence_store.RedisStore):
        fields = stored.client.hkeys(stored.key(report_id))
        assert fields == [f"{ben.id}:{TAB_B}".encode()]
        # The whole hash goes with its last tab.
        assert 0 < stored.client.ttl(stored.key(report_id)) <= 7
    else:
        assert db.session.scalar(select(func.count()).select_from(Presence)) == 1


def test_with_redis_down_nobody_is_shown_and_nothing_fails(tmp_path, sqlite_template):
    path = tmp_path / "test.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    from tests.live import free_port

    with building_apps(f"sqlite:///{path}", tmp_path) as build:
        app = build(PRESENCE_STORAGE_URL=f"redis://127.0.0.1:{free_port()}/0")
        with app.app_context():
            ana = make_editor("ana@example.org", "Ana Lopez")
            report_id = file_report(make_article()).id
            assert beat(report_id, ana, TAB_A) == []
            assert presence.others_on([report_id], ana) == {}
            # Until it is asked again a few seconds later, Redis is not waited for on every page.
            store = app.extensions["presence_store"]
            assert not store.answering()
            store.client = None  # any call would fail now
            assert presence.others_on([report_id], ana) == {}


def test_the_intervals_are_read_from_the_settings_and_a_wrong_one_stops_the_app_at_start(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}
    with create_app({**base, "PRESENCE_HEARTBEAT_SECONDS": 0.5}).app_context():
        assert (presence.heartbeat_seconds(), presence.expiry_seconds()) == (0.5, 1.5)
    # The expiry can be set apart from the heartbeat.
    with create_app({**base, "PRESENCE_EXPIRY_SECONDS": 4}).app_context():
        assert (presence.heartbeat_seconds(), presence.expiry_seconds()) == (5, 4)
    for key, wrong in [("PRESENCE_HEARTBEAT_SECONDS", "five"), ("PRESENCE_HEARTBEAT_SECONDS", 0),
                       ("PRESENCE_EXPIRY_SECONDS", -1), ("PRESENCE_HIDDEN_EXPIRY_SECONDS", True)]:
        with pytest.raises(ConfigError, match=f"CORRECTIONS_{key} must be a number of seconds above 0"):
            create_app({**base, key: wrong})
