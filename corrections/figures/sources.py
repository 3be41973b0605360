"""Corrections per 100 articles by how the articles were made: machine-generated, machine-assisted, written by people,
or not said (vocabulary.SOURCE_GROUPS), for a window of time. Metrics and /transparency both show it.

For each group: the articles published in the window, the notices published in it (and not withdrawn) on articles of
the group, whenever those were published, and the notices per 100 articles. The articles are counted from the index
on article (published_at, source_type) alone, in one grouped query: the window's entries of that index, never an
article's row.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from corrections.extensions import db
from corrections.models import Article, Notice
from corrections.vocabulary import SOURCE_GROUPS, source_group


@dataclass(frozen=True)
class SourceFigures:
    group: str  # a key of SOURCE_GROUPS
    label: str
    articles: int
    notices: int

    @property
    def per_hundred(self) -> float | None:
        """Notices per 100 articles, to one decimal place; None when the group has no article in the window."""
        return round(100 * self.notices / self.articles, 1) if self.articles else None


def articles_by_type(start: datetime, end: datetime) -> Counter:
    """Articles published from `start` to `end` (both included), by source type (None: not said)."""
    return Counter(dict(db.session.execute(
        select(Article.source_type, func.count())
        .where(Article.published_at >= start, Article.published_at <= end)
        .group_by(Article.source_type)).all()))


def notices_by_type(start: datetime, end: datetime) -> Counter:
    """Notices published from `start` to `end` (both included) and not withdrawn, by their article's source type."""
    return Counter(dict(db.session.execute(
        select(Article.source_type, func.count()).select_from(Notice).join(Article, Article.id == Notice.article_id)
        .where(Notice.withdrawn_at.is_(None), Notice.published_at >= start, Notice.published_at <= end)
        .group_by(Article.source_type)).all()))


def by_group(articles: Counter, notices: Counter) -> list[SourceFigures]:
    """Every group's figures, in SOURCE_GROUPS' order, from counts by source type."""
    article_groups: Counter = Counter()
    notice_groups: Counter = Counter()
    for source_type, n in articles.items():
        article_groups[source_group(source_type)] += n
    for source_type, n in notices.items():
        notice_groups[source_group(source_type)] += n
    return [SourceFigures(group, label, article_groups[group], notice_groups[group])
            for group, label in SOURCE_GROUPS.items()]


def compute(start: datetime, end: datetime) -> list[SourceFigures]:
    """The figures of every group for the window from `start` to `end`: two grouped queries."""
    return by_group(articles_by_type(start, end), notices_by_type(start, end))
