"""The article page cache: one query when warm, 304 on revalidation, never stale, never another visitor's page."""

from corrections import notices
from corrections.articles import ArticleData, upsert_article
from corrections.extensions import db

from .helpers import count_queries, make_article

TEXT = "An earlier version of this article gave the wrong vote count. It was 31 to 12."


def test_a_warm_article_page_takes_one_query(client):
    article = make_article()
    url = f"/articles/{article.slug}"
    cold = count_queries(client, url)
    assert count_queries(client, url) == 1 < cold


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
    notices.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    after = client.get(f"/articles/{article.slug}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert TEXT in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_amending_and_withdrawing_change_the_page(client, editor, admin):
    article = make_article()
    correction = notices.publish(article, "correction", TEXT, by=editor)
    db.session.commit()
    client.get(f"/articles/{article.slug}")
    notices.amend(correction, TEXT + " The minutes say so.", by=editor)
    db.session.commit()
    assert "The minutes say so." in client.get(f"/articles/{article.slug}").get_data(as_text=True)
    notices.withdraw(correction, "Wrong article.", by=admin)
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

        notices.publish(db.session.get(Article, article.id), "correction", TEXT, by=db.session.get(Editor, editor.id))
        db.session.commit()
    with second.app_context():
        assert TEXT in second.test_client().get(f"/articles/{slug}").get_data(as_text=True)
