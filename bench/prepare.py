"""Picks the real URLs the benchmark drives, inside the app (run by bench/run.py with the server's environment).

Publishes correction notices through the app's own code when too few articles have any (seed-demo has
none), then prints one JSON line: the warm article, the list of articles for the cold runs and the report
POSTs (each with a passage from its own text), a report id, the queue's filter, search word and deep page
(a keyset cursor nine tenths of the way down the open reports).
"""

import json
import random
import re
import sys
from collections import Counter

from sqlalchemy import func, select

from corrections import create_app
from corrections.access import accounts
from corrections.extensions import db
from corrections.models import Article, Notice, Report
from corrections.notices import publishing
from corrections.reports.passages import locate_passage
from corrections.triage import queue
from corrections.vocabulary import OPEN

WANT_WITH_NOTICES = 20  # at least this many articles with notices (or every article, if fewer)
COLD_MAX = 20_000  # longest list of articles for the cold runs
COLD_MARGIN = 500  # the cold list must be this much longer than the app's page cache
POST_MAX = 200  # articles the report POSTs rotate over
NOTICE_TEXTS = [
    ("correction", "An earlier version of this article gave the wrong figure for the grant. It was £42,000."),
    ("clarification", "This article has been updated to make clear that the figures are the council's own."),
]


def page_cache_size() -> int:
    """How many article pages the app keeps rendered per process (0 before it had a page cache)."""
    try:
        from corrections.infra import page_cache
    except ImportError:
        return 0
    return int(getattr(page_cache, "MAX_PAGES", 0))


def passage_of(article: Article) -> str:
    """Six words from the middle of the article's text, which the passage matcher will find."""
    words = article.body_text.split()
    if not words:
        return ""
    middle = max(0, len(words) // 2 - 3)
    passage = " ".join(words[middle:middle + 6])
    return passage if locate_passage(passage, article.body_text) else ""


def main(editor_email: str) -> None:
    app = create_app()
    with app.app_context(), app.test_request_context():
        editor = accounts.find_by_email(editor_email)
        shown = (select(Notice.article_id, func.count(Notice.id).label("n"))
                 .where(Notice.withdrawn_at.is_(None)).group_by(Notice.article_id))
        with_notices = dict(db.session.execute(shown).all())
        article_count = db.session.scalar(select(func.count(Article.id)))
        published = 0
        want = min(WANT_WITH_NOTICES, article_count)
        if len(with_notices) < want:
            bare = db.session.scalars(select(Article).where(Article.id.not_in(list(with_notices) or [0]))
                                      .order_by(Article.id).limit(want - len(with_notices)))
            for number, article in enumerate(bare):
                for kind, text in NOTICE_TEXTS[: 1 + number % 2]:
                    publishing.publish(article, kind, text, by=editor)
                    published += 1
            db.session.commit()
            with_notices = dict(db.session.execute(shown).all())

        # Warm: the article with the median number of notices (a typical page, not the heaviest).
        ranked = sorted(with_notices.items(), key=lambda item: (item[1], item[0]))
        warm = db.session.get(Article, ranked[len(ranked) // 2][0])
        # Cold: the articles in turn, more of them than the app's page cache holds, so that every request misses
        # a least-recently-used cache. Articles with notices if there are enough of them, else every article.
        cache_pages = page_cache_size()
        cold_ids = sorted(with_notices)
        if len(cold_ids) <= cache_pages + COLD_MARGIN:
            cold_ids = list(db.session.scalars(select(Article.id).order_by(Article.id)))
        random.Random(1).shuffle(cold_ids)
        cold_ids = cold_ids[:COLD_MAX]
        slugs = dict(db.session.execute(select(Article.id, Article.slug)).all())
        posts = []
        post_ids = [i for i in cold_ids if i in with_notices][:POST_MAX]
        for article in db.session.scalars(select(Article).where(Article.id.in_(post_ids))):
            posts.append({"slug": article.slug, "passage": passage_of(article)})

        # The report page: an open report from the middle of the id range (else any report).
        max_id = db.session.scalar(select(func.max(Report.id))) or 0
        report_id = (db.session.scalar(select(Report.id).where(Report.status.in_(OPEN), Report.id >= max_id // 2)
                                       .order_by(Report.id).limit(1))
                     or db.session.scalar(select(Report.id).order_by(Report.id.desc()).limit(1)))
        report = db.session.get(Report, report_id) if report_id else None

        # The queue: a filter by the commonest open category, a search for a word from a real report,
        # and the deepest full page of the default view.
        categories = Counter(dict(db.session.execute(
            select(Report.category, func.count(Report.id)).where(Report.status.in_(OPEN)).group_by(Report.category)
        ).all()))
        category = categories.most_common(1)[0][0] if categories else "factual"
        words = re.findall(r"[A-Za-z]{6,}", report.description if report else "") or ["wrong"]
        search = max(words, key=len).lower()
        # The queue pages by key: a deep page starts after an open report nine tenths of the way down
        # the default view (newest first), which is what an editor reaches by following "Older".
        open_count = sum(categories.values())
        deep_after = db.session.scalar(
            select(Report.id).where(Report.status.in_(OPEN)).order_by(Report.id.desc())
            .offset(open_count * 9 // 10).limit(1)
        )
        deep_args = queue.QueueFilter(after=(deep_after,)).args() if deep_after else {}
        deep_page = queue.queue_page(queue.QueueFilter(after=(deep_after,)) if deep_after else queue.QueueFilter(),
                                      editor, app.config["QUEUE_PER_PAGE"])

        print(json.dumps({
            "articles": article_count,
            "reports": db.session.scalar(select(func.count(Report.id))),
            "open_reports": sum(categories.values()),
            "corrections": db.session.scalar(select(func.count(Notice.id))),
            "articles_with_notices": len(with_notices),
            "notices_published_here": published,
            "warm_slug": warm.slug,
            "warm_url": warm.canonical_url,
            "warm_notices": with_notices[warm.id],
            "cold_slugs": [slugs[i] for i in cold_ids],
            "cold_with_notices": sum(1 for i in cold_ids if i in with_notices),
            "page_cache_pages": cache_pages,
            "posts": posts,
            "report_id": report_id,
            "queue_category": category,
            "queue_search": search,
            "queue_deep_args": deep_args,
            "queue_deep_groups": len(deep_page.groups),
            "queue_deep_depth": open_count * 9 // 10,
        }))


if __name__ == "__main__":
    main(sys.argv[1])
