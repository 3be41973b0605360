"""Corrections per 100 articles by how the articles were made: exact against a recount of the rows, on metrics and
/transparency."""

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from corrections.extensions import db
from corrections.figures import sources, transparency
from corrections.models import Article, Notice, utcnow
from corrections.vocabulary import SOURCE_GROUPS, source_group
from tests.helpers import make_article

SOURCE_TYPES = ("trainedAlgorithmicMedia", "dataDrivenMedia", "compositeWithTrainedAlgorithmicMedia",
                "digitalCreation", "humanEdits", None)


def make_archive(now: datetime, seed: int = 3) -> None:
    """Articles of every source published over the last 14 months, and notices on them, some withdrawn, some before
    the window."""
    rng = random.Random(seed)
    articles = [make_article(source_type=SOURCE_TYPES[i % len(SOURCE_TYPES)],
                             published_at=now - timedelta(days=rng.uniform(0, 420))) for i in range(30)]
    for _ in range(60):
        published = now - timedelta(days=rng.uniform(0, 420))
        withdrawn = min(published + timedelta(hours=1), now) if rng.random() < 0.2 else None
        db.session.add(Notice(article=rng.choice(articles), kind="correction", text="A notice text here.",
                              published_at=published, withdrawn_at=withdrawn, withdrawn_by="x" if withdrawn else ""))
    db.session.commit()


def recount(start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
    """(articles, notices) of each group, the slow and obvious way."""
    db.session.expire_all()
    counts = {group: [0, 0] for group in SOURCE_GROUPS}
    for article in db.session.scalars(select(Article)):
        if start <= article.published_at <= end:
            counts[source_group(article.source_type)][0] += 1
    for notice in db.session.scalars(select(Notice)):
        if notice.withdrawn_at is None and start <= notice.published_at <= end:
            counts[source_group(notice.article.source_type)][1] += 1
    return {group: tuple(n) for group, n in counts.items()}


def test_corrections_per_100_articles_by_source_match_a_recount(app):
    now = utcnow()
    make_archive(now)
    start = now - timedelta(days=90)

    found = sources.compute(start, now)
    public = transparency.compute(now)

    assert {f.group: (f.articles, f.notices) for f in found} == recount(start, now)
    assert {f.group: (f.articles, f.notices) for f in public.by_source} == recount(public.start, public.end)
    assert sum(f.notices for f in public.by_source) == public.notices
    for f in found:
        assert f.per_hundred == (round(100 * f.notices / f.articles, 1) if f.articles else None)


def test_metrics_and_transparency_show_the_split(editor_client):
    now = utcnow()
    machine = make_article(source_type="trainedAlgorithmicMedia", published_at=now - timedelta(days=2))
    for _ in range(3):
        make_article(source_type="digitalCreation", published_at=now - timedelta(days=3))
    db.session.add(Notice(article=machine, kind="correction", text="A notice text here.",
                          published_at=now - timedelta(days=1)))
    db.session.commit()

    for url in ("/editor/metrics", "/transparency"):
        page = editor_client.get(url).get_data(as_text=True)
        table = page.split('id="by-source"', 1)[1].split("</section>", 1)[0]
        assert '<th scope="row">Machine-generated</th><td class="num">1</td><td class="num">1</td>' \
               '<td class="num">100</td>' in table, url
        assert '<th scope="row">Written by people</th><td class="num">3</td><td class="num">0</td>' \
               '<td class="num">0</td>' in table, url
        assert '<th scope="row">Machine-assisted</th><td class="num">0</td><td class="num">0</td>' \
               '<td class="num">—</td>' in table, url
