"""Atom feeds of published notices, for feed readers and the publisher's own systems.

Feed readers poll often, so each request first works out the feed's validators (ETag and
Last-Modified) from a couple of small aggregate queries, and answers 304 before loading or
building anything when the reader already has the current feed.
"""

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import gettext
from sqlalchemy import func, select
from werkzeug.http import is_resource_modified

from corrections import languages
from corrections.articles import content
from corrections.extensions import db
from corrections.infra import page_cache
from corrections.models import Article, Notice
from corrections.notices import publishing
from corrections.vocabulary import NOTICE_KINDS

bp = Blueprint("feeds", __name__)

FEED_SIZE = 50
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
CACHE_CONTROL = "public, max-age=60"
# Part of every ETag: bump it when the feed's markup changes, so readers fetch the new form.
FORMAT_VERSION = "2"
# The date an empty site-wide feed says it was updated (Atom requires one).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF):
# lxml refuses them, so they are dropped rather than failing the whole feed.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    return NOT_XML.sub("", value)


@bp.get("/corrections.atom")
def all_corrections():
    return feed_response(None)


@bp.get("/articles/<slug>/corrections.atom")
def article_corrections(slug: str):
    article = content.get_by_slug(slug) or abort(404)
    languages.decide(article.language)
    return feed_response(article)


def feed_response(article: Article | None) -> Response:
    """The feed, or 304 Not Modified when the reader's copy is current (without building it)."""
    shown, articles_changed = shown_summary(article)
    last_change = publishing.latest_change(article)
    last_modified = max(t for t in (last_change, articles_changed, EPOCH) if t is not None)
    etag = feed_etag(article, last_change, shown, articles_changed)

    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        response = Response(status=304)
    else:
        # The newest FEED_SIZE, for one article as for the site: a hot article may have thousands.
        items = publishing.newest(FEED_SIZE, article)
        response = Response(build_feed(article, items, last_modified), content_type=CONTENT_TYPE)
    response.set_etag(etag)
    response.last_modified = last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def shown_summary(article: Article | None) -> tuple[int, datetime | None]:
    """How many notices are shown, and when an article they are on last changed (its title is in the feed)."""
    if article is not None:
        count = db.session.scalar(select(func.count(Notice.id)).where(
            Notice.article_id == article.id, Notice.withdrawn_at.is_(None)))
        return count, article.updated_at
    count, changed = db.session.execute(
        select(func.count(Notice.id), func.max(Article.updated_at))
        .join(Article, Notice.article_id == Article.id)
        .where(Notice.withdrawn_at.is_(None))
    ).one()
    return count, changed


def feed_etag(article: Article | None, last_change: datetime | None, shown: int,
              articles_changed: datetime | None) -> str:
    """Changes whenever the feed's content can: a notice published, amended or withdrawn, an article retitled."""
    scope = f"article:{article.id}" if article is not None else "all"
    parts = [FORMAT_VERSION, scope, str(shown), stamp(last_change), stamp(articles_changed),
             current_app.config["SITE_NAME"], page_cache.links_tag(), languages.language()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def stamp(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment is not None else "-"


def build_feed(article: Article | None, items: list[Notice], updated: datetime) -> bytes:
    """The Atom document for these notices (newest first)."""
    site = xml_text(current_app.config["SITE_NAME"])
    feed = FeedGenerator()
    if article is None:
        self_url = url_for("feeds.all_corrections", _external=True)
        if "public.corrections_log" in current_app.view_functions:
            alternate = url_for("public.corrections_log", _external=True)
        else:
            alternate = url_for("public.index", _external=True)
        feed.title(gettext("Corrections and clarifications — %(site)s", site=site))
    else:
        self_url = url_for("feeds.article_corrections", slug=article.slug, _external=True)
        alternate = url_for("public.article", slug=article.slug, _external=True)
        feed.title(gettext("Corrections to “%(title)s” — %(site)s", title=xml_text(article.title), site=site))
    feed.id(self_url)
    feed.language(languages.html_lang(languages.language()))
    feed.updated(updated)
    feed.author(name=site)
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=alternate, rel="alternate", type="text/html")

    host = urlsplit(self_url).hostname or "localhost"
    for notice in items:
        shown_on = article if article is not None else notice.article
        label = str(NOTICE_KINDS.get(notice.kind, notice.kind))
        entry = feed.add_entry(order="append")
        # A tag: URI does not change if the article's slug or the site's scheme does.
        entry.id(f"tag:{host},{notice.published_at:%Y-%m-%d}:correction-{notice.id}")
        entry.title(gettext("%(kind)s: %(title)s", kind=label, title=xml_text(shown_on.title)))
        entry.content(xml_text(notice.text), type="text")
        entry.published(notice.published_at)
        entry.updated(notice.updated_at or notice.published_at)
        entry.link(href=url_for("public.article", slug=shown_on.slug, _anchor=f"correction-{notice.id}",
                                _external=True), rel="alternate", type="text/html")
        entry.category(term=notice.kind, label=label)
    return feed.atom_str(pretty=True, encoding="UTF-8")
