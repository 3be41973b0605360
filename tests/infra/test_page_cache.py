"""The article page cache: one query when warm (none on PostgreSQL while it hears the database's change
notifications), 304 on revalidation, never stale, never another visitor's page."""

import time

import pytest

from corrections.articles.content import ArticleData, upsert_article
from corrections.extensions import db
from corrections.infra import page_cache
from corrections.notices import publishing
from tests.helpers import count_queries, make_article

TEXT = "An earlier version of this article gave the wrong vote count. It was 31 to 12."


def warm_queries() -> int:
    """A warm page checks its version: one query on SQLite; none on PostgreSQL, which notifies changes."""
    return 0 if db.engine.dialect.name == "postgresql" else 1


def test_a_warm_article_page_takes_one_query(client):
    article = make_article()
    url = f"/articles/{article.slug}"
    cold = count_queries(client, url)
    assert count_queries(client, url, cached=True) == warm_queries() < cold


@pytest.mark.databases("sqlite")
def test_revalidation_gets_a_304_without_rendering(client, monkeypatch):
    article = make_article()
    first = client.get(f"/articles/{article.slug}")
    etag = first.headers["ETag"]
    import corrections.public as public

    monkeypatch.setattr(public, "render_template", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rendered")))
    again = client.get(f"/articles/{article.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag


def test_publishing_a_notice_changes_the_page_and_its_etag(client, editor):
    article = make_article()
    before = client.get(f"/articles/{article.slug}")
    publishing.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    after = client.get(f"/articles/{article.slug}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert TEXT in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_amending_and_withdrawing_change_the_page(client, editor, admin):
    article = make_article()
    notice = publishing.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    client.get(f"/articles/{article.slug}")
    publishing.amend(notice, TEXT + " The minutes say so.", by=editor)
    db.session.commit()
    assert "The minutes say so." in client.get(f"/articles/{article.slug}").get_data(as_text=True)
    publishing.withdraw(notice, "Wrong article.", by=admin)
    db.session.commit()
    assert TEXT not in client.get(f"/articles/{article.slug}").get_data(as_text=True)


def test_an_article_update_changes_the_page(client):
    article = make_article()
    client.get(f"/articles/{article.slug}")
    upsert_article(ArticleData(title="A new headline", canonical_url=article.canonical_url, body="New body text.",
                               slug=article.slug, published_at=article.published_at))
    db.session.commit()
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "A new headline" in page and "New body text." in page


@pytest.mark.databases("sqlite")
def test_an_editors_page_is_their_own_and_not_served_to_readers(client, editor_client):
    article = make_article()
    assert "Log out Maya Okafor" in editor_client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "Log out" not in client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "Log out Maya Okafor" in editor_client.get(f"/articles/{article.slug}").get_data(as_text=True)


def test_another_process_never_serves_a_stale_page(make_app, editor):
    first, second = make_app(), make_app()
    with first.app_context():
        article = make_article()
        slug = article.slug
        first.test_client().get(f"/articles/{slug}")
    with second.app_context():
        second.test_client().get(f"/articles/{slug}")
    with first.app_context():
        from corrections.models import Article, Editor

        by = db.session.get(Editor, editor.id)
        publishing.publish(db.session.get(Article, article.id), "correction", TEXT, by=by)
        db.session.commit()
    with second.app_context():
        # On PostgreSQL the other process learns of the change from the database's notification, which
        # reaches it a moment after the commit (well under a millisecond here; the test allows two seconds).
        deadline = time.monotonic() + 2
        while TEXT not in (page := second.test_client().get(f"/articles/{slug}").get_data(as_text=True)):
            assert time.monotonic() < deadline, "the other process still serves the page without the notice"
            time.sleep(0.01)
        assert TEXT in page


def test_without_its_notifications_a_process_checks_every_request(make_app, editor):
    first, second = make_app(), make_app()
    with first.app_context():
        article = make_article()
        slug, url = article.slug, f"/articles/{article.slug}"
    with second.app_context():
        client = second.test_client()
        client.get(url)
        cache = page_cache.for_app(second)
        if cache.feed is None:
            return  # SQLite: every request checks anyway (test_a_warm_article_page_takes_one_query)
        assert count_queries(client, url, cached=True) == 0
        # The database drops the listening connection: the next requests check the version each time,
        # and the connection is opened again after a pause.
        cache.feed.connection.close()
        assert count_queries(client, url, cached=True) == 1
        assert cache.feed.connection is None
    with first.app_context():
        from corrections.models import Article, Editor

        by = db.session.get(Editor, editor.id)
        publishing.publish(db.session.get(Article, article.id), "correction", TEXT, by=by)
        db.session.commit()
    with second.app_context():
        # Heard nothing, yet serves the change at once: it checked.
        assert TEXT in client.get(url).get_data(as_text=True)
        assert count_queries(client, url, cached=True) == 1
        cache.feed.retry_at = 0
        client.get(url)
        assert cache.feed.connection is not None
        assert count_queries(client, url, cached=True) == 0
        assert TEXT in client.get(f"/articles/{slug}").get_data(as_text=True)


def test_feeds_api_log_and_home_are_served_warm_with_one_query(client, editor):
    article = make_article()
    publishing.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    for url in ["/", "/corrections", "/corrections.atom", f"/articles/{article.slug}/corrections.atom",
                f"/api/v1/notices?url={article.canonical_url}"]:
        assert count_queries(client, url) > 1, url
        assert count_queries(client, url, cached=True) == warm_queries(), url


def test_site_wide_pages_change_with_any_notice_or_article(client, editor, admin):
    article = make_article()
    for url in ["/corrections", "/corrections.atom"]:
        assert TEXT not in client.get(url).get_data(as_text=True)
    notice = publishing.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    for url in ["/corrections", "/corrections.atom"]:
        assert TEXT in client.get(url).get_data(as_text=True)
    publishing.amend(notice, "Amended: the vote was 31 to 12.", by=editor)
    db.session.commit()
    for url in ["/corrections", "/corrections.atom"]:
        assert "Amended: the vote" in client.get(url).get_data(as_text=True)
    upsert_article(ArticleData(title="Retitled after the vote", canonical_url=article.canonical_url,
                               body="Body.", slug=article.slug, published_at=article.published_at))
    db.session.commit()
    assert "Retitled after the vote" in client.get("/corrections.atom").get_data(as_text=True)
    fresh = make_article(title="A brand new story on the front page")
    db.session.commit()
    assert fresh.title in client.get("/").get_data(as_text=True)
    publishing.withdraw(notice, "Published on the wrong article.", by=admin)
    db.session.commit()
    assert "Amended: the vote" not in client.get("/corrections").get_data(as_text=True)


@pytest.mark.databases("sqlite")
def test_a_cached_feed_answers_conditional_requests_with_304(client, editor):
    article = make_article()
    publishing.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    first = client.get("/corrections.atom")
    assert client.get("/corrections.atom").data == first.data  # now served from the cache
    by_etag = client.get("/corrections.atom", headers={"If-None-Match": first.headers["ETag"]})
    by_date = client.get("/corrections.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.data == b"" and by_etag.headers["ETag"] == first.headers["ETag"]


@pytest.mark.databases("sqlite")
def test_head_requests_get_the_headers_without_a_body(client):
    article = make_article()
    page = client.get(f"/articles/{article.slug}")
    head = client.head(f"/articles/{article.slug}")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == page.headers["ETag"]
    assert head.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]


@pytest.mark.databases("sqlite")
def test_each_origin_scheme_and_host_gets_its_own_answer(make_app):
    app = make_app(CORS_ORIGINS=["https://cms.example.org", "https://blog.example.org"])
    with app.app_context():
        article = make_article()
        client = app.test_client()
        url = f"/api/v1/notices?url={article.canonical_url}"
        origins = [None, "https://cms.example.org", "https://elsewhere.example", "https://blog.example.org"]

        def allowed(origin):
            headers = {"Origin": origin} if origin else {}
            return client.get(url, headers=headers).headers.get("Access-Control-Allow-Origin")

        fresh = [allowed(origin) for origin in origins]
        assert fresh[1:] == ["https://cms.example.org", None, "https://blog.example.org"]
        assert [allowed(origin) for origin in reversed(origins)] == list(reversed(fresh))  # now from the cache
        assert "Strict-Transport-Security" not in client.get(f"/articles/{article.slug}").headers
        secure = client.get(f"/articles/{article.slug}", base_url="https://localhost")
        assert "Strict-Transport-Security" in secure.headers
        feed = client.get("/corrections.atom", base_url="https://localhost").get_data(as_text=True)
        assert "https://localhost/corrections.atom" in feed


@pytest.mark.databases("sqlite")
def test_an_unknown_article_is_not_kept(client):
    assert client.get("/articles/no-such-story").status_code == 404
    article = make_article(slug="no-such-story")
    db.session.commit()
    assert article.title in client.get("/articles/no-such-story").get_data(as_text=True)


@pytest.mark.databases("sqlite")
def test_odd_paths_and_addresses_go_to_the_app(client):
    article = make_article(slug="café-budget")
    assert article.title in client.get("/articles/caf%C3%A9-budget").get_data(as_text=True)
    assert article.title in client.get("/articles/caf%C3%A9-budget").get_data(as_text=True)  # cached
    assert client.get("/articles/caf%E9-budget").status_code == 404
    assert client.get("/articles/a%00b").status_code == 404
    assert client.get("/articles/a%00b/corrections.atom").status_code == 404
    assert client.get("/api/v1/notices?url=https://x.example/%00").status_code in (200, 400)
    assert client.get("/api/v1/notices?url=https://x.example/%E9").status_code in (200, 400)


@pytest.mark.databases("sqlite")
def test_the_cache_keeps_within_its_page_and_byte_budgets(client):
    cache = page_cache.for_app(client.application)
    cache.max_pages = 3
    articles = [make_article() for _ in range(5)]
    for article in articles:
        client.get(f"/articles/{article.slug}")
    assert len(cache.pages) == 3
    assert cache.bytes == sum(len(page.body) for page in cache.pages.values())
    cache.max_bytes = cache.bytes - 1  # one page less fits
    client.get(f"/articles/{articles[0].slug}")
    assert len(cache.pages) == 2 and cache.bytes <= cache.max_bytes
    # the newest page stays: it was the last one asked for
    assert any(key[2] == f"/articles/{articles[0].slug}" for key in cache.pages)
