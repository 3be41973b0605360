"""Rendered article pages kept in memory, each checked against the database before it is served.

An article page changes when the article or its notices change. One indexed query reads that
state (its "version"); a page rendered for the same version is served as it is, and its ETag lets
a browser or proxy revalidate with a 304. Each process keeps its own copies, and because every
request checks the version against the shared database, processes never serve a stale page.
Only pages for visitors without a session are kept: an editor's page shows their own header.
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from .extensions import db
from .models import Article, Correction

MAX_PAGES = 2000


@dataclass(frozen=True)
class CachedPage:
    version: str
    body: bytes


class PageCache:
    """The pages of one app, the least recently used dropped first."""

    def __init__(self, max_pages: int = MAX_PAGES):
        self.max_pages = max_pages
        self.pages: OrderedDict[str, CachedPage] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, slug: str, version: str) -> bytes | None:
        with self.lock:
            page = self.pages.get(slug)
            if page is None or page.version != version:
                return None
            self.pages.move_to_end(slug)
            return page.body

    def put(self, slug: str, version: str, body: bytes) -> None:
        with self.lock:
            self.pages[slug] = CachedPage(version, body)
            self.pages.move_to_end(slug)
            while len(self.pages) > self.max_pages:
                self.pages.popitem(last=False)


def for_app() -> PageCache:
    return current_app.extensions.setdefault("page_cache", PageCache())


def article_version(slug: str) -> str | None:
    """The article's state as a short string, or None when there is no such article (one query)."""
    of_article = Correction.article_id == Article.id
    changed = (
        select(func.max(func.coalesce(Correction.withdrawn_at, Correction.updated_at, Correction.published_at)))
        .where(of_article).correlate(Article).scalar_subquery()
    )
    count = select(func.count(Correction.id)).where(of_article).correlate(Article).scalar_subquery()
    row = db.session.execute(
        select(Article.id, Article.updated_at, count, changed).where(Article.slug == slug)
    ).first()
    if row is None:
        return None
    return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:32]
