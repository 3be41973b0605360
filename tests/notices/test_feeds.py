"""Atom feeds of published notices: content, escaping and conditional requests."""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from sqlalchemy import select

from corrections import feeds
from corrections.articles.content import ArticleData, upsert_article
from corrections.extensions import db
from corrections.models import Article, Notice
from corrections.notices import publishing
from tests.helpers import count_queries, make_article

SITE_FEED = "/corrections.atom"
DAY = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def publish(article: Article, by, text: str = "An earlier version of this article gave the wrong vote count.",
            kind: str = "correction", at: datetime = DAY) -> Notice:
    """A notice published at a known time, so order and dates can be checked."""
    notice = publishing.publish(article, kind, text, by=by, reports=[])
    notice.published_at = at
    db.session.commit()
    return notice


def article_feed(article: Article) -> str:
    return f"/articles/{article.slug}/corrections.atom"


def fetch(client, url: str, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return response, parsed


def test_site_feed_lists_shown_notices_newest_first(client, editor):
    council = make_article(title="Council approves budget")
    schools = make_article(title="Schools reopen")
    older = publish(council, editor, at=DAY)
    newer = publish(schools, editor, "The head teacher’s name was misspelled.", kind="clarification",
                    at=DAY + timedelta(hours=3))

    _, parsed = fetch(client, SITE_FEED)

    assert [e.title for e in parsed.entries] == ["Clarification: Schools reopen", "Correction: Council approves budget"]
    first, second = parsed.entries
    assert first.id == f"tag:localhost,2026-11-21:correction-{newer.id}"
    assert second.id == f"tag:localhost,2026-11-21:correction-{older.id}"
    assert first.link == f"http://localhost/articles/{schools.slug}#correction-{newer.id}"
    assert second.link == f"http://localhost/articles/{council.slug}#correction-{older.id}"
    assert first.content[0].value == "The head teacher’s name was misspelled."
    assert first.content[0].type == "text/plain"
    assert first.published == "2026-11-21T13:00:00+00:00"
    assert first.updated == "2026-11-21T13:00:00+00:00"
    assert [e.tags[0].term for e in parsed.entries] == ["clarification", "correction"]
    assert first.tags[0].label == "Clarification"


@pytest.mark.databases("sqlite")
def test_site_feed_describes_itself(client, app, editor):
    publish(make_article(), editor, at=DAY)

    response, parsed = fetch(client, SITE_FEED)

    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert parsed.feed.id == "http://localhost/corrections.atom"
    assert app.config["SITE_NAME"] in parsed.feed.title
    assert parsed.feed.author == app.config["SITE_NAME"]
    assert parsed.feed.updated == "2026-11-21T10:00:00+00:00"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == "http://localhost/corrections.atom"
    expected = "/corrections" if "public.corrections_log" in app.view_functions else "/"
    assert links["alternate"] == "http://localhost" + expected


def test_site_feed_keeps_the_fifty_newest(client, editor):
    article = make_article()
    published = [publish(article, editor, f"Notice number {n} corrected a figure.", at=DAY + timedelta(minutes=n))
                 for n in range(feeds.FEED_SIZE + 5)]

    _, parsed = fetch(client, SITE_FEED)

    newest = sorted(published, key=lambda c: c.published_at, reverse=True)[: feeds.FEED_SIZE]
    assert [e.id.rsplit("-", 1)[1] for e in parsed.entries] == [str(c.id) for c in newest]


def test_article_feed_keeps_the_fifty_newest(client, editor):
    article = make_article()
    published = [publish(article, editor, f"Notice number {n} corrected a figure.", at=DAY + timedelta(minutes=n))
                 for n in range(feeds.FEED_SIZE + 5)]

    _, parsed = fetch(client, f"/articles/{article.slug}/corrections.atom")

    newest = sorted(published, key=lambda c: c.published_at, reverse=True)[: feeds.FEED_SIZE]
    assert [e.id.rsplit("-", 1)[1] for e in parsed.entries] == [str(c.id) for c in newest]


def test_amended_notice_shows_new_text_and_updated_date(client, editor):
    article = make_article()
    notice = publish(article, editor, at=DAY)
    publishing.amend(notice, "The vote was 29 to 14, not 31 to 12 as first reported.", by=editor)
    notice.updated_at = DAY + timedelta(days=1)
    db.session.commit()

    for url in (SITE_FEED, article_feed(article)):
        _, parsed = fetch(client, url)
        (entry,) = parsed.entries
        assert entry.content[0].value == "The vote was 29 to 14, not 31 to 12 as first reported."
        assert entry.published == "2026-11-21T10:00:00+00:00"
        assert entry.updated == "2026-11-22T10:00:00+00:00"
        assert parsed.feed.updated == "2026-11-22T10:00:00+00:00"


def test_withdrawn_notice_leaves_both_feeds(client, editor, admin):
    article = make_article()
    kept = publish(article, editor, at=DAY)
    dropped = publish(article, editor, "A notice that should not have been published.", at=DAY + timedelta(hours=1))
    before = {url: client.get(url).headers["ETag"] for url in (SITE_FEED, article_feed(article))}

    publishing.withdraw(db.session.get(Notice, dropped.id), "Published on the wrong article.", by=admin)
    db.session.commit()

    for url, etag in before.items():
        response, parsed = fetch(client, url, **{"If-None-Match": etag})
        assert [e.id for e in parsed.entries] == [f"tag:localhost,2026-11-21:correction-{kept.id}"]
        assert response.headers["ETag"] != etag


def test_article_feed_has_only_that_articles_notices(client, app, editor):
    article = make_article(title="Council approves budget")
    other = make_article(title="Schools reopen")
    own = publish(article, editor, at=DAY)
    publish(other, editor, "Another article’s notice, not this one’s.", at=DAY + timedelta(hours=1))

    _, parsed = fetch(client, article_feed(article))

    assert [e.id for e in parsed.entries] == [f"tag:localhost,2026-11-21:correction-{own.id}"]
    assert "Council approves budget" in parsed.feed.title
    assert parsed.feed.id == f"http://localhost/articles/{article.slug}/corrections.atom"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["alternate"] == f"http://localhost/articles/{article.slug}"
    assert links["self"] == f"http://localhost/articles/{article.slug}/corrections.atom"


@pytest.mark.databases("sqlite")
def test_unknown_article_feed_is_404(client):
    response = client.get("/articles/no-such-article/corrections.atom")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.databases("sqlite")
def test_empty_feeds_are_valid_atom(client):
    article = make_article(published_at=datetime(2026, 11, 1, 8, 30, tzinfo=UTC))

    _, site = fetch(client, SITE_FEED)
    _, own = fetch(client, article_feed(article))

    assert site.entries == [] and own.entries == []
    assert site.feed.updated == "1970-01-01T00:00:00+00:00"
    assert own.feed.updated == "2026-11-01T08:30:00+00:00"


HOSTILE = "<script>alert('x')</script> ]]> & &amp; \u202eevil\u202c שלום 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 “quotes”"


def test_hostile_text_is_escaped_and_parses_back_intact(client, editor):
    article = make_article(title=f"Title {HOSTILE}")
    publish(article, editor, f"Notice {HOSTILE}")

    for url in (SITE_FEED, article_feed(article)):
        response, parsed = fetch(client, url)
        assert b"<script>" not in response.data
        (entry,) = parsed.entries
        assert entry.title == f"Correction: Title {HOSTILE}"
        assert entry.content[0].value == f"Notice {HOSTILE}"


def test_characters_xml_cannot_carry_are_dropped_not_fatal(client, editor):
    article = make_article(title="Bell\x07 and vertical\x0b tab")
    publish(article, editor, "Form feed\x0c and escape\x1b in a notice text.")

    _, parsed = fetch(client, SITE_FEED)

    (entry,) = parsed.entries
    assert entry.title == "Correction: Bell and vertical tab"
    assert entry.content[0].value == "Form feed and escape in a notice text."


def refuse_to_build(*args, **kwargs):
    raise AssertionError("a 304 must not build the feed")


@pytest.mark.databases("sqlite")
def test_if_none_match_gets_304_without_building_the_feed(client, editor, monkeypatch):
    article = make_article()
    publish(article, editor)

    for url in (SITE_FEED, article_feed(article)):
        first = client.get(url)
        etag = first.headers["ETag"]
        assert etag.startswith('"')
        with monkeypatch.context() as patch:
            patch.setattr(feeds, "build_feed", refuse_to_build)
            again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == "public, max-age=60"
        assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_if_modified_since_gets_304_without_building_the_feed(client, editor, monkeypatch):
    article = make_article()
    publish(article, editor, at=DAY)

    for url in (SITE_FEED, article_feed(article)):
        first = client.get(url)
        assert first.headers["Last-Modified"] == "Sat, 21 Nov 2026 10:00:00 GMT"
        with monkeypatch.context() as patch:
            patch.setattr(feeds, "build_feed", refuse_to_build)
            again = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert again.status_code == 304
        older = client.get(url, headers={"If-Modified-Since": "Fri, 20 Nov 2026 10:00:00 GMT"})
        assert older.status_code == 200


def test_new_notice_changes_the_etag_and_ends_the_304(client, editor):
    article = make_article()
    publish(article, editor, at=DAY)
    urls = (SITE_FEED, article_feed(article))
    before = {url: client.get(url).headers for url in urls}

    publish(article, editor, "A second notice, published a day later.", at=DAY + timedelta(days=1))

    for url, headers in before.items():
        by_etag = client.get(url, headers={"If-None-Match": headers["ETag"]})
        by_date = client.get(url, headers={"If-Modified-Since": headers["Last-Modified"]})
        assert by_etag.status_code == 200 and by_date.status_code == 200
        assert by_etag.headers["ETag"] != headers["ETag"]
        assert by_etag.headers["Last-Modified"] == "Sun, 22 Nov 2026 10:00:00 GMT"
        assert len(feedparser.parse(by_etag.data).entries) == 2


def test_retitled_article_changes_the_feed_and_its_etag(client, editor):
    article = make_article(title="Council approves budget")
    publish(article, editor, at=DAY)
    urls = (SITE_FEED, article_feed(article))
    before = {url: client.get(url).headers["ETag"] for url in urls}

    upsert_article(ArticleData(title="Council approves revised budget", canonical_url=article.canonical_url,
                               body=article.body, slug=article.slug))
    db.session.commit()

    for url, etag in before.items():
        response, parsed = fetch(client, url, **{"If-None-Match": etag})
        assert response.headers["ETag"] != etag
        assert parsed.entries[0].title == "Correction: Council approves revised budget"


def test_feed_queries_do_not_grow_with_the_notices(client, editor):
    first = make_article()
    publish(first, editor)
    few = {url: count_queries(client, url) for url in (SITE_FEED, article_feed(first))}

    for n in range(12):
        publish(make_article(), editor, f"Notice {n} on an article of its own.", at=DAY + timedelta(minutes=n))
        publish(first, editor, f"Notice {n} on the first article.", at=DAY + timedelta(minutes=n))
    many = {url: count_queries(client, url) for url in (SITE_FEED, article_feed(first))}

    assert many == few
    assert all(count <= 6 for count in many.values())
    assert len(db.session.scalars(select(Notice)).all()) == 25
