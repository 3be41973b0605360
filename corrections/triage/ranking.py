"""The queue's most-reported order, read from the counts the report table's triggers keep.

Articles come by how many reports they have in the statuses shown (most first, then the newer article), and
within an article its groups by theirs (most first, then the newer group). Both counts are kept, one row per key,
in ArticleReportCount and GroupReportCount, so a page is read in the order of their indexes from the place the
previous page ended, whatever the number of reports: a group's place is the key (article's reports, article id,
group's reports, group id).
"""

from sqlalchemy import select, tuple_, union_all
from sqlalchemy.orm import aliased

from corrections.extensions import db
from corrections.models import ArticleReportCount, GroupReportCount
from corrections.triage.lists import bound_list, each_first

# A group's place in the order: (its article's reports, article id, its own reports, cluster id).
Key = tuple[int, int, int, int]


def ranked(shown: str, cursor: Key | None, backwards: bool, limit: int, *, inclusive: bool = False,
           article_id: int | None = None) -> list[Key]:
    """The keys of the first `limit` groups after `cursor` in the order (before it, nearest first, going
    `backwards`; at it too if `inclusive`), counting the reports in `shown` ("open", "all" or a state); only
    the groups of `article_id` if given.

    Two index range reads: the next `limit` articles from the cursor's, then up to `limit` groups of each of them
    (each article but the cursor's, whose groups may all be behind it, has at least one group with reports: one
    article more than `limit` is enough).
    """
    articles = _articles(shown, cursor, backwards, limit + 1, article_id)
    if not articles:
        return []

    def first(groups, *where):
        order = [c.asc() if backwards else c.desc() for c in (groups.n, groups.cluster_id)]
        return (select(groups.n, groups.cluster_id, groups.article_id)
                .where(groups.status == shown, groups.n > 0, *where).order_by(*order).limit(limit))

    # The cursor's own article: its groups past the cursor's. Every other: its first groups, read in one statement of
    # the same text however many articles (lists.py).
    parts = []
    others = [article for article_n, article in articles]
    if cursor is not None and tuple(cursor[:2]) in articles:
        others.remove(cursor[1])
        beyond = _beyond(tuple_(GroupReportCount.n, GroupReportCount.cluster_id), cursor[2:], backwards, inclusive)
        parts.append(select(first(GroupReportCount, GroupReportCount.article_id == cursor[1], beyond).subquery()))
    listed, groups = bound_list(others), aliased(GroupReportCount, name="groups")
    parts.append(each_first(listed, first(groups, groups.article_id == listed.c.value), GroupReportCount, groups))
    counts = dict((article, article_n) for article_n, article in articles)
    rows = db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
    keys = sorted(((counts[article], article, n, cluster_id) for n, cluster_id, article in rows),
                  reverse=not backwards)
    return keys[:limit]


def _articles(shown: str, cursor: Key | None, backwards: bool, limit: int,
              article_id: int | None) -> list[tuple[int, int]]:
    """(reports, article id) of the next `limit` articles from the cursor's article on, in the order."""
    counts = ArticleReportCount
    query = select(counts.n, counts.article_id).where(counts.status == shown, counts.n > 0)
    if article_id is not None:
        query = query.where(counts.article_id == article_id)
    if cursor is not None:
        # The cursor's own article too: its groups past the cursor's come next.
        query = query.where(_beyond(tuple_(counts.n, counts.article_id), cursor[:2], backwards, inclusive=True))
    order = (counts.n, counts.article_id)
    query = query.order_by(*(c.asc() if backwards else c.desc() for c in order)).limit(limit)
    return [(n, article) for n, article in db.session.execute(query)]


def _beyond(key, values: tuple, backwards: bool, inclusive: bool):
    """Keys past `values` in the order (most first): lower ones, or higher going backwards."""
    bound = tuple_(*values)
    if backwards:
        return key >= bound if inclusive else key > bound
    return key <= bound if inclusive else key < bound


def group_size(cluster_id: int, shown: str = "all") -> int:
    """How many reports of the group are in `shown` now."""
    return db.session.scalar(select(GroupReportCount.n).where(GroupReportCount.cluster_id == cluster_id,
                                                              GroupReportCount.status == shown)) or 0


def group_sizes(cluster_ids: list[int], shown: str) -> dict[int, int]:
    """How many reports each of these groups has in `shown` now (a group with none is left out)."""
    if not cluster_ids:
        return {}
    return dict(db.session.execute(select(GroupReportCount.cluster_id, GroupReportCount.n).where(
        GroupReportCount.cluster_id.in_(cluster_ids), GroupReportCount.status == shown, GroupReportCount.n > 0)).all())
