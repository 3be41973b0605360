"""The editors' queue: filters read from the URL, grouped pages, counts and exports."""

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    String,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased, defer, joinedload

from corrections.extensions import db
from corrections.models import (
    Article,
    Editor,
    Event,
    GroupReportCount,
    Report,
    ReportCount,
    UTCDateTime,
    desk_member,
)
from corrections.reports import clocks
from corrections.text import parse_id
from corrections.triage import ranking, search
from corrections.triage.lists import bound_list, each_first
from corrections.vocabulary import CATEGORIES, NOT_SAID, OPEN, SOURCE_GROUPS, SOURCE_TYPES, STATES

ASSIGNEES = {"": _l("Anyone"), "me": _l("Assigned to me"), "unassigned": _l("Unassigned")}
# The desk filter: these, or one desk by its id.
DESKS = {"": _l("Any desk"), "mine": _l("My desk"), "none": _l("No desk")}
# The source filter: reports on articles of one group of how they were made (vocabulary.SOURCE_GROUPS).
SOURCES = {"": _l("Any source"), **SOURCE_GROUPS}
SEARCH_MAX = 200
# Above this many matching reports a filtered view says "more than" instead of counting them all.
COUNT_CAP = 1000
# Reports of a group listed in its row; the bulk selection still takes every one of them.
LISTED_PER_GROUP = 10
# Rows of report_count above which status_counts folds them into one per status.
FOLD_AT = 1000
# A group's checkbox carries each of its reports (id and version seen) up to this many; a bigger group carries the
# group itself ("g" and its cluster id, after its first report), which the bulk action reads back as the group's
# matching reports in the snapshot (group_selection): a page the same size however big its groups grow.
SELECTION_LISTED = 50
GROUP_MARK = "g"


@dataclass(frozen=True)
class Order:
    """A keyset order: a group comes where its first matching report in this order comes.

    Reports are ordered by `column` (a Report attribute; None for none), then by id, which is the order
    they arrived in. Pages carry the key of their last (or first) group's report in the URL, so a deep
    page costs what the first one does. A column that may be NULL names a stand-in that sorts after every
    real value (`last`): a NULL in a row comparison compares to nothing, so it would drop out of the pages.
    """

    label: str
    descending: bool
    column: str | None = None
    last: datetime | None = None

    def key(self, entity) -> list:
        if self.column is None:
            return [entity.id]
        value = getattr(entity, self.column)
        if self.last is not None:
            value = func.coalesce(value, literal(self.last, value.type)).label(f"{self.column}_key")
        return [value, entity.id]

    def bound(self, values: tuple) -> list:
        """A key's values as parameters of the key's own types (a datetime stored as text on SQLite)."""
        return [literal(value, part.type) for value, part in zip(values, self.key(Report), strict=True)]

    def encode(self, values: tuple) -> str:
        return "_".join(v.isoformat() if isinstance(v, datetime) else str(v) for v in values)

    def decode(self, raw: str) -> tuple | None:
        """The key in a URL, or None when it is not one."""
        parts = raw.rsplit("_", len(self.key(Report)) - 1)
        if len(parts) != len(self.key(Report)):
            return None
        values = []
        for part, attribute in zip(parts, self.key(Report), strict=True):
            if isinstance(attribute.type, UTCDateTime):
                try:
                    value = datetime.fromisoformat(part)
                except ValueError:
                    value = None
                value = value if value is not None and value.tzinfo is not None else None
            else:
                value = parse_id(part)
            if value is None:
                return None
            values.append(value)
        return tuple(values)


# Reports with no deadline come after every report with one in the "due first" order.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
ORDERS = {
    "newest": Order(_l("Newest first"), descending=True),
    "oldest": Order(_l("Oldest first"), descending=False),
    # The next deadline of each report (Report.due_at): overdue ones first, then the soonest due.
    "due": Order(_l("Due first"), descending=False, column="due_at", last=NO_DEADLINE),
}
# Groups of the articles with the most matching reports first, then the biggest groups of each. Filtered by status
# (and article) only, it is read from the counts the report table's triggers keep, a page after a key at a time
# (ranking.py); any other filter needs every matching report counted, and pages by number (README, "The queue at
# volume").
MOST_REPORTED = "most_reported"
SORTS = {**{name: order.label for name, order in ORDERS.items()}, MOST_REPORTED: _l("Most-reported articles first")}


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; every field round-trips through the URL so a view can be shared."""

    status: str = "open"  # "open", "all" or one state
    category: str = ""
    article: str = ""  # slug
    assignee: str = ""  # "", "me", "unassigned"
    desk: str = ""  # "", "mine" (the desks the editor belongs to), "none", or a desk's id
    source: str = ""  # "", or a group of how the article was made (SOURCES)
    since: date | None = None
    until: date | None = None
    q: str = ""
    sort: str = "newest"
    # Where the page starts: after (or before) the group of the report with this key; page numbers only
    # for the most-reported order.
    after: tuple | None = None
    before: tuple | None = None
    page: int = 1
    # The snapshot the editor is looking at: the newest report id and event id when the queue was first
    # loaded. Reports that arrived since stay out (a bar counts them), so the queue holds still.
    upto: int | None = None
    seen: int | None = None
    ignored: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        """Read the filter from query arguments; values that make no sense are ignored and listed."""
        ignored = []

        def choice(name: str, allowed, default: str) -> str:
            value = (args.get(name) or "").strip()
            if value and value not in allowed:
                ignored.append(gettext("%(name)s “%(value)s”", name=name, value=value[:40]))
                return default
            return value or default

        def day(name: str) -> date | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            try:
                day = date.fromisoformat(value)
                if not 1900 <= day.year <= 9000:
                    raise ValueError
                return day
            except ValueError:
                ignored.append(gettext("%(name)s “%(value)s” (use YYYY-MM-DD)", name=name, value=value[:40]))
                return None

        def desk() -> str:
            value = (args.get("desk") or "").strip()
            if value in DESKS:
                return value
            desk_id = parse_id(value)
            if desk_id is None:
                ignored.append(gettext("%(name)s “%(value)s”", name="desk", value=value[:40]))
                return ""
            return str(desk_id)

        sort = choice("sort", SORTS, "newest")

        def cursor(name: str) -> tuple | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            found = ORDERS[sort].decode(value) if sort in ORDERS else _decode_rank(value)
            if found is None:
                ignored.append(gettext("%(name)s “%(value)s”", name=name, value=value[:40]))
            return found

        page = args.get("page", 1, type=int) or 1
        found = cls(
            status=choice("status", ("open", "all", *STATES), "open"),
            category=choice("category", CATEGORIES, ""),
            article=(args.get("article") or "").strip()[:200],
            assignee=choice("assignee", ASSIGNEES, ""),
            desk=desk(),
            source=choice("source", SOURCES, ""),
            since=day("since"),
            until=day("until"),
            q=(args.get("q") or "").strip()[:SEARCH_MAX],
            sort=sort,
            after=cursor("after"),
            before=cursor("before") if not args.get("after") else None,
            page=min(max(page, 1), 100_000) if sort == MOST_REPORTED else 1,
            upto=parse_id(args.get("upto")),
            seen=parse_id(args.get("seen")),
            ignored=tuple(ignored),
        )
        if found.sort != MOST_REPORTED:
            return found
        # The most-reported order pages by key where the kept counts rank it, by number where it counts.
        if found.ranked_from_kept_counts:
            return replace(found, page=1)
        return replace(found, after=None, before=None)

    def args(self, **changes) -> dict[str, Any]:
        """URL arguments for this filter (with changes), leaving out defaults to keep links short."""
        current = replace(self, **changes)
        order = ORDERS.get(current.sort)
        values = {
            "status": current.status if current.status != "open" else None,
            "category": current.category,
            "article": current.article,
            "assignee": current.assignee,
            "desk": current.desk,
            "source": current.source,
            "since": current.since.isoformat() if current.since else None,
            "until": current.until.isoformat() if current.until else None,
            "q": current.q,
            "sort": current.sort if current.sort != "newest" else None,
            "after": _encode(order, current.after),
            "before": _encode(order, current.before),
            "page": current.page if current.page != 1 else None,
            "upto": current.upto,
            "seen": current.seen,
        }
        return {k: v for k, v in values.items() if v}

    def first_page(self, **changes) -> dict[str, Any]:
        """URL arguments for the first page of this filter with changes (a changed filter starts over,
        with the reports as they are now)."""
        return self.args(**{"upto": None, "seen": None, **changes}, after=None, before=None, page=1)

    @property
    def is_default(self) -> bool:
        return not self.first_page()

    @property
    def is_first_page(self) -> bool:
        return not (self.after or self.before or self.page > 1)

    @property
    def sized_by_kept_counts(self) -> bool:
        """Whether the counts the report table's triggers keep per group and status say how many reports of a group
        match: nothing but the status and the article narrows the view (a group's reports are on one article)."""
        return not (self.category or self.assignee or self.desk or self.source or self.since or self.until or self.q)

    @property
    def ranked_from_kept_counts(self) -> bool:
        """Whether the most-reported order can be read from the kept counts (sized_by_kept_counts)."""
        return self.sort == MOST_REPORTED and self.sized_by_kept_counts

    @property
    def statuses(self) -> tuple[str, ...] | None:
        """The statuses shown, or None for all of them."""
        if self.status == "all":
            return None
        return OPEN if self.status == "open" else (self.status,)

    @property
    def by_status_only(self) -> bool:
        """Whether nothing but the status narrows the view (so the status counts say how many match)."""
        return not set(self.first_page(status="open")) - {"sort"}

    @property
    def search(self) -> search.Query:
        return search.Query.parse(self.q)


def _encode(order: Order | None, key: tuple | None) -> str | None:
    if not key:
        return None
    return order.encode(key) if order else "_".join(map(str, key))


def _decode_rank(raw: str) -> ranking.Key | None:
    """A key of the most-reported order in a URL (ranking.Key), or None when it is not one."""
    parts = [parse_id(part) for part in raw.split("_")]
    if len(parts) != 4 or None in parts:
        return None
    return tuple(parts)


def conditions(f: QueueFilter, me: Editor, entity=Report, *, with_text: bool = True,
               with_snapshot: bool = True, after: int | None = None) -> list:
    """The WHERE clauses of a filter, on Report or an alias of it: shared by the queue, its counts and the
    CSV export. `with_text=False` leaves out the text search, for a query driven from the search index;
    `with_snapshot=False` the snapshot's limit, and `after` only reports with a higher id: to count what
    arrived since."""
    where = []
    if f.upto and with_snapshot:
        where.append(entity.id <= f.upto)
    if after is not None:
        where.append(entity.id > after)
    if f.status == "open":
        where.append(entity.status.in_(OPEN))
    elif f.status != "all":
        where.append(entity.status == f.status)
    if f.category:
        where.append(entity.category == f.category)
    if f.article:
        article_id = _article_id(f.article)
        where.append(entity.article_id == article_id if article_id is not None else false())
    if f.assignee == "me":
        where.append(entity.assignee_id == me.id)
    elif f.assignee == "unassigned":
        where.append(entity.assignee_id.is_(None))
    if f.desk == "mine":
        desk_ids = _desk_ids(me)
        where.append(entity.desk_id.in_(desk_ids) if desk_ids else false())
    elif f.desk == "none":
        where.append(entity.desk_id.is_(None))
    elif f.desk:
        where.append(entity.desk_id == int(f.desk))
    if f.source:
        where.append(entity.article_id.in_(select(Article.id).where(_made(f.source))))
    if f.since:
        where.append(entity.created_at >= datetime.combine(f.since, time.min, UTC))
    if f.until:
        where.append(entity.created_at < datetime.combine(f.until + timedelta(days=1), time.min, UTC))
    if f.q and with_text:
        # Words typed are matched as words; a search with none (only punctuation) matches nothing.
        where.append(search.matches(entity, f.search, after=after) if f.search else false())
    return where


def _made(group: str):
    """Articles of one group of how they were made (SOURCE_GROUPS): by their source types."""
    if group == NOT_SAID:
        # A type the vocabulary no longer has says nothing either (vocabulary.source_group).
        return Article.source_type.is_(None) | Article.source_type.not_in(SOURCE_TYPES)
    return Article.source_type.in_([term for term, in_group in SOURCE_TYPES.items() if in_group == group])


def _desk_ids(me: Editor) -> list[int]:
    """The desks the editor belongs to, read once per session (a request): with their ids PostgreSQL plans "my desk"
    by what it knows of those desks, and an editor of no desk matches nothing without a look at a report, where a
    subquery left it reading a status's every report to find none."""
    known = db.session.info.setdefault("queue_desk_ids", {})
    if me.id not in known:
        known[me.id] = sorted(db.session.scalars(select(desk_member.c.desk_id).where(desk_member.c.editor_id == me.id)))
    return known[me.id]


def _article_id(slug: str) -> int | None:
    """The id of the article with this slug, read once per session (a request): PostgreSQL plans a query with the
    article's id by what it knows of that article (a hot one has a hundred thousand reports), where a subquery
    would leave it guessing a few hundred."""
    known = db.session.info.setdefault("queue_article_ids", {})
    if slug not in known:
        known[slug] = db.session.scalar(select(Article.id).where(Article.slug == slug))
    return known[slug]


# Made once: an alias of the report table's forty columns costs a request a few milliseconds to make.
MEMBER = aliased(Report, name="member")


def _first_of_groups(clusters, states: tuple[str, ...] | None, where_on, limit: int):
    """The first `limit` reports (id, version, cluster id) by id of each of these groups in each of these states (all:
    None) that meet `where_on(entity)`: one short range of the index on (cluster_id, status, id) per group and state,
    however many reports a group has, in a statement of the same text however many groups and states."""
    groups = bound_list(clusters)
    froms = groups
    entity = MEMBER
    where = [entity.cluster_id == groups.c.value, *where_on(entity)]
    if states:
        listed = bound_list(states, String)
        froms = froms.join(listed, true())
        where.append(entity.status == listed.c.value)
    first = select(entity.id, entity.version, entity.cluster_id).where(*where).order_by(entity.id).limit(limit)
    return each_first(froms, first, Report, entity)


@dataclass
class Group:
    """Reports on the same article and the same or an overlapping passage, shown as one row."""

    cluster_id: int
    size: int
    # The first LISTED_PER_GROUP matching reports, oldest first; `selection` covers every one (listed, or past
    # SELECTION_LISTED as the group).
    reports: list[Report]
    selection: str
    # The matching report that puts the row where it is in the order (newest first: the group's newest), whose
    # received time the row shows; None: the lead.
    placed_by: Report | None = None

    @property
    def lead(self) -> Report:
        return self.reports[0]

    @property
    def received(self) -> Report:
        """The report whose arrival the row's "Received" shows: the one that places the row in the order."""
        return self.placed_by or self.lead

    @property
    def clock(self) -> clocks.Clock | None:
        """The soonest running deadline among the listed reports (the row's "Due")."""
        running = [c for c in map(clocks.running_clock, self.reports) if c is not None]
        return min(running, key=lambda c: c.due, default=None)


@dataclass
class QueuePage:
    groups: list[Group]
    # URL arguments of the neighbouring pages, None where there is none.
    previous: dict[str, Any] | None
    next: dict[str, Any] | None
    # How many reports match: exact when `counted_all`, else "more than" it; None when not counted
    # (a text search over more than one page).
    matching: int | None
    counted_all: bool


# The matching reports of groups, by cluster id: (id, version) oldest first, all of a group up to SELECTION_LISTED,
# the first LISTED_PER_GROUP of a bigger one. Filled as a page is worked out.
Members = dict[int, list[tuple[int, int]]]


def queue_page(f: QueueFilter, me: Editor, per_page: int, counts: dict[str, int] | None = None) -> QueuePage:
    """One page of groups matching the filter, in a handful of queries whatever the page or the data size.

    `counts` (from status_counts) gives the number of matching reports when only the status narrows
    the view; otherwise up to COUNT_CAP matching reports are counted, except in a text search.
    """
    members: Members = {}
    known = None
    if f.ranked_from_kept_counts:
        leads, previous, following, known = _ranked(f, per_page)
    elif f.sort == MOST_REPORTED:
        leads, previous, following = _most_reported(f, me, per_page)
    else:
        leads, previous, following = _keyset(f, me, ORDERS[f.sort], per_page, members)
    groups = _groups(f, me, leads, members, known)
    if not previous and not following:
        # Everything is on this page.
        matching, counted_all = sum(group.size for group in groups), True
    elif counts is not None and f.by_status_only:
        matching, counted_all = sum(counts[s] for s in (f.statuses or STATES)), True
    elif f.q:
        # Counting a common word's hits means visiting each of them.
        matching, counted_all = None, False
    else:
        matching = _count(f, me)
        matching, counted_all = min(matching, COUNT_CAP), matching <= COUNT_CAP
    return QueuePage(groups, previous, following, matching, counted_all)


def _from_search_index(f: QueueFilter, order: Order | None = None) -> bool:
    """Whether to drive the query from SQLite's search index, which hands out hits by id (arrival order)."""
    return bool(f.q) and bool(f.search) and (order is None or order.column is None) and not search.postgres()


def _hits():
    """SQLite: reports joined to the search index's hits, for a query driven from the index."""
    return search.fts.join(Report, Report.id == search.fts.c.rowid)


def _keyset(f: QueueFilter, me: Editor, order: Order, per_page: int, members: Members):
    """The leading report of each group on the page, and the neighbouring pages' URL arguments.

    A report leads its group when no matching report of the same group comes before it in the order;
    the page is the next `per_page` leading reports after (or before) the cursor.
    """
    find_leading = _leading_hits if _from_search_index(f, order) else leading
    backwards = f.before is not None
    rows = find_leading(f, me, order, f.before or f.after, backwards, per_page + 1, members=members)
    past_end = not rows and f.after is not None
    if past_end:
        # Nothing after the cursor any more (a bulk action emptied the last page): the page ending there.
        backwards = True
        rows = find_leading(f, me, order, f.after, backwards, per_page + 1, inclusive=True, members=members)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
        if not more:
            # Back at the top: show the first page as it is now, full.
            return _keyset(replace(f, before=None, after=None), me, order, per_page, members)
    previous = f.args(after=None, before=rows[0]) if rows and (backwards or f.after) else None
    following = None
    if rows and (not past_end if backwards else more):
        following = f.args(before=None, after=rows[-1])
    # The id is the key's last part.
    return [row[-1] for row in rows], previous, following


def leading(f: QueueFilter, me: Editor, order: Order, cursor: tuple | None, backwards: bool, limit: int,
            inclusive: bool = False, members: Members | None = None, extra: list | tuple = ()):
    """The keys of the reports leading their groups after the cursor (and at it, if inclusive), in the
    order, or in reverse going backwards; `extra` narrows the reports further (the report page's
    neighbours leave out its own group)."""
    ahead_first = order.descending != backwards  # whether higher keys come first in this scan
    earlier = aliased(Report, name="earlier")
    ahead = (tuple_(*order.key(earlier)) > tuple_(*order.key(Report)) if order.descending
             else tuple_(*order.key(earlier)) < tuple_(*order.key(Report)))
    # A group's reports are all on one article: the article filter adds nothing to the look for an earlier report of
    # the group but a way to plan it badly (PostgreSQL read the hot article's every report for each row).
    same_group = [earlier.cluster_id == Report.cluster_id, *conditions(replace(f, article=""), me, earlier)]
    article_id = _article_id(f.article) if f.article else None

    def led(part: str | None) -> list:
        """Whether a matching report of the row's group comes before it in the order (then the row leads nothing):
        any of these.

        For a key on a column that may be NULL (ascending, with its stand-in `order.last`), the stand-in is left out
        of the comparison, so that it is a range of the index on (cluster_id, column, id): before a row with a value
        come only the group's reports with a smaller value (or the same and a smaller id); before a row without one,
        every report with a value and those without that arrived earlier. Compared through the stand-in, the database
        read each row's whole group (tens of thousands of reports in a hot article's). Over every status only: in
        some states the look goes through the group's reports in those states (the index on (cluster_id, status, id)),
        which is where a look for one with a value would go too, report by report."""
        if part is None or order.descending or f.statuses:
            return [exists().where(*same_group, ahead)]
        column, own = getattr(earlier, order.column), getattr(Report, order.column)
        # The snapshot's bound ("+ 0") is no range SQLite may read the group's index on (cluster_id, id) by instead.
        by_key = [earlier.cluster_id == Report.cluster_id,
                  *conditions(replace(f, article=""), me, earlier, with_snapshot=False),
                  *([earlier.id + 0 <= f.upto] if f.upto else [])]
        if part == "set":
            return [exists().where(*by_key, column.is_not(None), tuple_(column, earlier.id) < tuple_(own, Report.id))]
        # Two looks, each a step into the index (as one, OR-ed, PostgreSQL hashed every report with a value).
        return [exists().where(*by_key, column.is_not(None)),
                exists().where(*by_key, column.is_(None), earlier.id < Report.id)]

    def scan(extra: list, part: str | None = None):
        """One ordered index scan. A key on a column that may be NULL is read in two parts, each in an index's
        order: the rows with a value by (column, id), then those without by id (their key is `order.last`)."""
        key = order.key(Report)
        query = select(*key).where(*(~ahead_of_it for ahead_of_it in led(part)), *extra)
        sort = key
        # The key's columns and the cursor's values that bound the scan (none: from the start).
        bound = (key, order.bound(cursor)) if cursor is not None else None
        if part == "set":
            column = getattr(Report, order.column)
            query = query.where(column.is_not(None))
            sort = [column, Report.id]
            bound = (sort, bound[1]) if bound else None
        elif part == "unset":
            column = getattr(Report, order.column)
            query = query.where(column.is_(None))
            # In id order; sorted by the (NULL) column too, so that the index on (status, column, id) gives it.
            sort = [column, Report.id]
            if cursor is not None and cursor[0] == order.last:
                bound = ([Report.id], [literal(cursor[-1])])
            elif cursor is not None:
                # Every row without a value comes after the cursor: all of them ahead, none behind.
                bound = None
                if ahead_first:
                    query = query.where(false())
        if bound is not None:
            columns, values = bound
            if article_id is not None:
                # One article's reports from the cursor on: led by the article's id, the bound is a range of an
                # index on (article_id, key) alone. On the key alone PostgreSQL may walk the whole table in the
                # key's order from the cursor, passing every other article's reports.
                columns, values = [Report.article_id, *columns], [literal(article_id), *values]
            key_, cursor_ = tuple_(*columns), tuple_(*values)
            if ahead_first:
                query = query.where(key_ <= cursor_ if inclusive else key_ < cursor_)
            else:
                query = query.where(key_ >= cursor_ if inclusive else key_ > cursor_)
        return query.order_by(*(c.desc() if ahead_first else c.asc() for c in sort)).limit(limit)

    statuses = f.statuses
    parts = ("set", "unset") if order.last is not None else (None,)
    if (not statuses or len(statuses) == 1) and parts == (None,):
        return [tuple(row) for row in db.session.execute(scan([*conditions(f, me), *extra]))]
    # One ordered index scan per status (and per part of a nullable key), merged: an index on (status, id)
    # cannot give two statuses in id order. Every status by a nullable key: its two parts, each in the order of
    # an index on (column, id) (by status, the leaders of groups whose earlier reports are in another status,
    # such as duplicates, would be looked for through every report of that status).
    branches = [scan([*([Report.status == status] if status else []), *conditions(f, me), *extra], part).subquery()
                for status in (statuses or (None,)) for part in parts]
    merged = union_all(*(select(branch) for branch in branches)).subquery()
    key = [merged.c[c.key] for c in order.key(Report)]
    query = select(merged).order_by(*(c.desc() if ahead_first else c.asc() for c in key)).limit(limit)
    return [tuple(row) for row in db.session.execute(query)]


def _leading_hits(f: QueueFilter, me: Editor, order: Order, cursor: tuple | None, backwards: bool, limit: int,
                  inclusive: bool = False, members: Members | None = None):
    """leading() for a text search on SQLite, where a look-up of one report in the search index is dear.

    Walks the index's hits from the cursor in id order, a chunk at a time. A hit leads its group when
    it is the group's newest (or oldest) matching report. Walking forward, that is the first hit of its
    group in the walk, unless the group has hits on the other side of the cursor; walking back, it is
    the group's last hit on this side. One more index look-up per chunk tells those.
    """
    newest_first = order.descending != backwards
    start = None
    if cursor is not None:
        start = cursor[-1] + (1 if newest_first else -1) if inclusive else cursor[-1]
    chunk_size = 4 * limit
    found, seen, position = [], set(), start
    while len(found) < limit:
        query = _hit_query(f, me, select(Report.id, Report.cluster_id)).limit(chunk_size)
        query = query.order_by(search.fts.c.rowid.desc() if newest_first else search.fts.c.rowid.asc())
        if position is not None:
            query = query.where(search.fts.c.rowid < position if newest_first else search.fts.c.rowid > position)
        chunk = db.session.execute(query).all()
        new = {cluster_id for _, cluster_id in chunk} - seen
        # Each new group's leading report among its hits from the start on the side where groups lead
        # (walking forward, the start itself is on that side: it led a group on the page before).
        beyond = {}
        if new and start is not None:
            pick, rowid = (func.max if order.descending else func.min), search.fts.c.rowid
            if order.descending:
                side = rowid > start if backwards else rowid >= start
            else:
                side = rowid < start if backwards else rowid <= start
            query = (_hit_query(f, me, select(Report.cluster_id, pick(Report.id)), clusters=new)
                     .where(side).group_by(Report.cluster_id))
            beyond = dict(db.session.execute(query).all())
        for report_id, cluster_id in chunk:
            if backwards:
                leads = beyond.get(cluster_id) == report_id
            else:
                leads = cluster_id not in seen and cluster_id not in beyond
            seen.add(cluster_id)
            if leads:
                found.append((report_id,))
        if len(chunk) < chunk_size:
            break
        position = chunk[-1][0]
    return found[:limit]


def _hit_query(f: QueueFilter, me: Editor, query, clusters=()):
    """SQLite: a query driven from the search index's hits for this filter (of these groups, if given)."""
    return (query.select_from(_hits())
            .where(search.fts.c[search.SQLITE_TABLE].match(f.search.fts5(f.statuses, sorted(clusters))),
                   *conditions(f, me, with_text=False)))


def _add_members(f: QueueFilter, me: Editor, sizes: dict[int, int], members: Members) -> None:
    """Add the matching reports of these groups (cluster ids and how many of their reports match) to `members`,
    oldest first: every one of a group up to SELECTION_LISTED, the first LISTED_PER_GROUP of a bigger one."""
    clusters = {cluster_id for cluster_id in sizes if cluster_id not in members}
    if not clusters:
        return
    columns = select(Report.id, Report.version, Report.cluster_id)
    small = {cluster_id for cluster_id in clusters if sizes[cluster_id] <= SELECTION_LISTED}
    big = sorted(clusters - small)
    # A big group's first few: one short range of the index on (cluster_id, status, id) per group and state shown
    # (each state's, when several are), however many reports it has.
    if _from_search_index(f):
        states = f.statuses if f.statuses and len(f.statuses) > 1 else (f.status,)
        # The hits of the words typed, few whatever the size of the groups.
        parts = [_hit_query(f, me, columns, small)] if small else []
        parts += [select(_hit_query(replace(f, status=state), me, columns, {cluster_id}).order_by(Report.id)
                         .limit(LISTED_PER_GROUP).subquery()) for cluster_id in big for state in states]
        merged = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    else:
        # The small groups' every matching report, the big ones' first few, by group and state from the index on
        # (cluster_id, status, id): a group with few reports in the states shown may have thousands in others. A group's
        # reports are all on one article: an article filter adds nothing here but a read of each row. One statement
        # of the same text whatever the groups (both parts even when one has none).
        def where_on(entity):
            return conditions(replace(f, article="", status="all"), me, entity)

        merged = union_all(_first_of_groups(sorted(small), f.statuses, where_on, SELECTION_LISTED),
                           _first_of_groups(big, f.statuses, where_on, LISTED_PER_GROUP)).subquery()
    for report_id, version, cluster_id in db.session.execute(select(merged).order_by(merged.c.id)):
        group = members.setdefault(cluster_id, [])
        if cluster_id in small or len(group) < LISTED_PER_GROUP:
            group.append((report_id, version))


def _leads_and_sizes(f: QueueFilter, me: Editor, leads: list[int], members: Members,
                     known: dict[int, tuple[int, int]] | None = None) -> tuple[dict, dict]:
    """The group (cluster id) of each leading report, and how many reports of each group match the filter.

    Without a text search the sizes come with the groups, counted from the index alone; a text search's hits
    are read in full (the words typed bound them) and counted here. `known` gives both for each lead (the
    most-reported order read them from the kept counts)."""
    if known is not None:
        sizes = {cluster_id: size for cluster_id, size in known.values()}
        _add_members(f, me, sizes, members)
        return {lead: cluster_id for lead, (cluster_id, _) in known.items()}, sizes
    if _from_search_index(f):
        clusters = dict(db.session.execute(select(Report.id, Report.cluster_id).where(Report.id.in_(leads))).all())
        found = {cluster_id for cluster_id in clusters.values() if cluster_id is not None}
        _add_members(f, me, dict.fromkeys(found, 0), members)
        return clusters, {cluster_id: len(members.get(cluster_id, [])) for cluster_id in found}
    if f.sized_by_kept_counts:
        # The kept count of each group in the statuses shown, less its reports that arrived after the snapshot (a short
        # range of the group's index from the snapshot on): where counting read every matching report of the group,
        # tens of thousands in a hot article's.
        kept, newer = aliased(GroupReportCount), aliased(Report, name="newer")
        arrived = literal(0)
        if f.upto:
            states = [newer.status.in_(f.statuses)] if f.statuses else []
            arrived = (select(func.count()).where(newer.cluster_id == Report.cluster_id, newer.id > f.upto, *states)
                       .correlate(Report).scalar_subquery())
        rows = db.session.execute(
            select(Report.id, Report.cluster_id, func.coalesce(kept.n, 0) - arrived)
            .outerjoin(kept, (kept.cluster_id == Report.cluster_id) & (kept.status == f.status))
            .where(Report.id.in_(leads))).all()
        sizes = {cluster_id: n for _, cluster_id, n in rows if cluster_id is not None}
        _add_members(f, me, sizes, members)
        return {report_id: cluster_id for report_id, cluster_id, _ in rows}, sizes
    member = aliased(Report, name="member")
    # A group's reports are all on one article: an article filter adds nothing here but a read of each row.
    size = (select(func.count()).where(member.cluster_id == Report.cluster_id,
                                       *conditions(replace(f, article=""), me, member))
            .correlate(Report).scalar_subquery())
    rows = db.session.execute(select(Report.id, Report.cluster_id, size).where(Report.id.in_(leads))).all()
    sizes = {cluster_id: n for _, cluster_id, n in rows if cluster_id is not None}
    _add_members(f, me, sizes, members)
    return {report_id: cluster_id for report_id, cluster_id, _ in rows}, sizes


def group_selection(f: QueueFilter, me: Editor, cluster_ids: list[int]) -> tuple[list[tuple[int, int]], set[int]]:
    """What a big group's checkbox (GROUP_MARK) selects: the group's reports matching the queue's filter in the
    editor's snapshot, oldest first, each with its version now, except those another editor acted on since the
    snapshot, which carry version 0 so that the action refuses them as it refuses a report changed since the page
    was loaded. Those this editor acted on since the snapshot are left out, and returned apart: an earlier step of
    the same bulk action took them (a step takes at most BULK_MAX reports, the editor applies it again for the
    rest)."""
    if not cluster_ids:
        return [], set()
    query = (_hit_query(f, me, select(Report.id, Report.version), set(cluster_ids)) if _from_search_index(f)
             else select(Report.id, Report.version).where(Report.cluster_id.in_(cluster_ids), *conditions(f, me)))
    found = db.session.execute(query.order_by(Report.id)).all()
    changed, mine = set(), set()
    if f.seen:
        # Events since the snapshot are few, whatever the size of the groups: read from there.
        for report_id, by_me in db.session.execute(
            select(Event.report_id, Event.actor_id == me.id).join(Report, Report.id == Event.report_id)
            .where(Event.id > f.seen, Report.cluster_id.in_(cluster_ids), Event.kind != "received")
        ):
            (mine if by_me else changed).add(report_id)
    mine -= changed
    return [(report_id, 0 if report_id in changed else version) for report_id, version in found
            if report_id not in mine], mine


def _ranked(f: QueueFilter, per_page: int, *, past_end: bool = False):
    """The most-reported order from the kept counts (ranking.py): the page's leading reports, the neighbouring
    pages' URL arguments, and each lead's group and size.

    A group's row is led, and its received time shown, by its newest matching report in the snapshot; its size
    is its kept count less the matching reports that arrived after the snapshot. The order itself is the counts'
    as they are now."""
    article_id = _article_id(f.article) if f.article else None
    if f.article and article_id is None:
        return [], None, None, {}
    backwards = f.before is not None or past_end
    cursor = f.before or f.after
    keys = ranking.ranked(f.status, cursor, backwards, per_page + 1, inclusive=past_end, article_id=article_id)
    if not keys and f.after is not None and not past_end:
        # Nothing after the cursor any more (a bulk action emptied the last page): the page ending there.
        return _ranked(f, per_page, past_end=True)
    more = len(keys) > per_page
    keys = keys[:per_page]
    if backwards:
        keys.reverse()
        if not more:
            # Back at the top: show the first page as it is now, full.
            return _ranked(replace(f, before=None, after=None), per_page)
    previous = f.args(after=None, before=keys[0]) if keys and (backwards or f.after) else None
    following = f.args(before=None, after=keys[-1]) if keys and (not past_end if backwards else more) else None
    clusters = [key[-1] for key in keys]
    leads = _newest_matching(f, clusters)
    newer = _arrived_since(f, clusters)
    known = {leads[key[-1]]: (key[-1], key[2] - newer.get(key[-1], 0)) for key in keys if key[-1] in leads}
    return [leads[c] for c in clusters if c in leads], previous, following, known


def _newest_matching(f: QueueFilter, clusters: list[int]) -> dict[int, int]:
    """The newest report in the snapshot of each of these groups in the statuses shown, by cluster id: one step
    back along an index per group and status, in one statement of the same text however many groups."""
    if not clusters:
        return {}
    groups = bound_list(clusters)
    froms, where = groups, [Report.cluster_id == groups.c.value, *([Report.id <= f.upto] if f.upto else [])]
    if f.statuses:
        states = bound_list(f.statuses, String)
        froms = froms.join(states, true())
        where.append(Report.status == states.c.value)
    newest = select(Report.id).where(*where).order_by(Report.id.desc()).limit(1).scalar_subquery()
    found: dict[int, int] = {}
    for cluster_id, report_id in db.session.execute(select(groups.c.value, newest).select_from(froms)):
        if report_id is not None:
            found[cluster_id] = max(found.get(cluster_id, 0), report_id)
    return found


def _arrived_since(f: QueueFilter, clusters: list[int]) -> dict[int, int]:
    """How many reports of each group in the statuses shown arrived after the snapshot (the kept counts have them)."""
    if not f.upto or not clusters:
        return {}
    states = [Report.status.in_(f.statuses)] if f.statuses else []
    # Read from the reports after the snapshot (a short range of ids), not through the groups, which may hold tens of
    # thousands each: "+ 0" keeps the database from looking the groups up by their index, and from grouping in the
    # order of that index (SQLite read all of it).
    group = Report.cluster_id + 0
    return dict(db.session.execute(
        select(group, func.count()).where(Report.id > f.upto, group.in_(clusters), *states).group_by(group)).all())


def _most_reported(f: QueueFilter, me: Editor, per_page: int):
    """Groups of the articles with the most matching reports first, by page number: counts every matching
    report (filters the kept counts do not answer)."""
    where = conditions(f, me)
    grouped = (
        select(
            Report.cluster_id.label("cluster_id"),
            func.count(Report.id).label("size"),
            func.max(Report.id).label("last_id"),
            func.min(Report.article_id).label("article_id"),
        )
        .where(*where)
        .group_by(Report.cluster_id)
        .subquery()
    )
    per_article = (
        select(Report.article_id, func.count(Report.id).label("article_reports"))
        .where(*where).group_by(Report.article_id).subquery()
    )
    rows = db.session.execute(
        select(grouped.c.last_id)
        .join(per_article, per_article.c.article_id == grouped.c.article_id)
        .order_by(per_article.c.article_reports.desc(), grouped.c.size.desc(), grouped.c.last_id.desc())
        .limit(per_page + 1).offset((f.page - 1) * per_page)
    ).scalars().all()
    previous = (f.args(page=f.page - 1) if rows else f.first_page()) if f.page > 1 else None
    following = f.args(page=f.page + 1) if len(rows) > per_page else None
    return list(rows[:per_page]), previous, following


# What a queue row never shows of a report: left unread, as a page of 50 groups loads up to 550 reports.
UNSHOWN = [defer(column) for column in (
    Report.token_nonce, Report.token_hash, Report.suggested_correction, Report.source_url, Report.reporter_name,
    Report.reporter_email, Report.client_hash, Report.reject_reason, Report.passage_key, Report.passage_exact,
    Report.passage_prefix, Report.passage_suffix)]


def _groups(f: QueueFilter, me: Editor, leads: list[int], members: Members,
            known: dict[int, tuple[int, int]] | None = None) -> list[Group]:
    """The groups of these leading reports: their first matching reports loaded, how many match, and what their
    checkboxes select."""
    if not leads:
        return []
    clusters, sizes = _leads_and_sizes(f, me, leads, members, known)
    listed = [report_id for lead in leads for report_id, _ in members.get(clusters.get(lead), [])[:LISTED_PER_GROUP]]
    listed += leads
    loaded = {
        report.id: report
        for report in db.session.scalars(
            select(Report).where(Report.id.in_(listed))
            # The row names its article: its body (the bulk of an article) would come again with each report.
            # Of the earlier report a resurfaced one points to, the row shows its reference and status: its every
            # column would double the row's.
            .options(joinedload(Report.article).load_only(Article.id, Article.slug, Article.title),
                     joinedload(Report.assignee),
                     joinedload(Report.resurfaced_from).load_only(Report.id, Report.reference, Report.status),
                     *UNSHOWN)
        )
    }
    groups = []
    for lead in leads:
        cluster_id = clusters.get(lead)
        group = members.get(cluster_id)
        if group:
            first_id, first_version = group[0]
            big = sizes[cluster_id] > SELECTION_LISTED
            groups.append(Group(
                cluster_id=clusters[lead],
                size=sizes[cluster_id],
                reports=[loaded[report_id] for report_id, _ in group[:LISTED_PER_GROUP]],
                selection=(f"{first_id}:{first_version},{GROUP_MARK}{cluster_id}" if big
                           else ",".join(f"{report_id}:{version}" for report_id, version in group)),
                placed_by=loaded.get(lead),
            ))
    return groups


def _count(f: QueueFilter, me: Editor) -> int:
    """How many reports match, counting no further than one past COUNT_CAP."""
    matching = select(Report.id).where(*conditions(f, me))
    return db.session.scalar(select(func.count()).select_from(matching.limit(COUNT_CAP + 1).subquery()))


def status_counts() -> dict[str, int]:
    """How many reports are in each state, exact, from the rows the report table's triggers keep."""
    rows = db.session.execute(
        select(ReportCount.status, func.sum(ReportCount.n), func.count()).group_by(ReportCount.status)
    ).all()
    counts = dict.fromkeys(STATES, 0)
    counts.update({status: int(total) for status, total, _ in rows if status in counts})
    if sum(n for _, _, n in rows) > FOLD_AT:
        fold_counts()
    return counts


def article_counts(article_id: int, cap: int = COUNT_CAP) -> dict[str, int]:
    """How many reports of the article are in each state, counting no further than one past `cap` in each
    (an article's page says "more than" past it): one short index range per state, however many reports the
    article has, and whether or not the database can count from the index alone."""
    branches = [select(Report.status).where(Report.article_id == article_id, Report.status == status)
                .limit(cap + 1).subquery() for status in STATES]
    counted = union_all(*(select(branch) for branch in branches)).subquery()
    return dict(db.session.execute(select(counted.c.status, func.count()).group_by(counted.c.status)).all())


def fold_counts() -> None:
    """Replace report_count's rows by one per status with their sum, in a transaction of its own.

    Only rows seen by the statement that deletes them are summed, so changes made meanwhile by other
    transactions stay as rows of their own and nothing is counted twice or lost.
    """
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(
                "WITH gone AS (DELETE FROM report_count RETURNING status, n) "
                "INSERT INTO report_count (status, n) SELECT status, sum(n) FROM gone GROUP BY status "
                "HAVING sum(n) <> 0"
            ))
            return
        # SQLite: one writer at a time, so the two statements see the same rows up to `last`.
        last = conn.scalar(select(func.max(ReportCount.id)))
        if last is None:
            return
        conn.execute(insert(ReportCount).from_select(
            ["status", "n"],
            select(ReportCount.status, func.sum(ReportCount.n)).where(ReportCount.id <= last)
            .group_by(ReportCount.status).having(func.sum(ReportCount.n) != 0),
        ))
        conn.execute(delete(ReportCount).where(ReportCount.id <= last))


# Rows the CSV export fetches at a time: its memory stays the same whatever the number of reports.
EXPORT_BATCH = 1000
EXPORT_COLUMNS = (
    Report.reference, Report.created_at, Report.status, Report.category, Article.slug.label("article_slug"),
    Article.title.label("article_title"), Article.canonical_url.label("article_url"), Report.passage,
    Report.passage_found, Report.description, Report.suggested_correction, Report.source_url, Report.reporter_name,
    Report.reporter_email, Report.notify, Editor.name.label("assignee"), Report.reject_reason,
)


def filtered_reports(f: QueueFilter, me: Editor):
    """Every report matching the filter, oldest first, as rows of EXPORT_COLUMNS fetched EXPORT_BATCH at a time
    (a server-side cursor on PostgreSQL): plain rows, no report object held, for the CSV export."""
    columns = select(*EXPORT_COLUMNS)
    query = _hit_query(f, me, columns) if _from_search_index(f) else columns.where(*conditions(f, me))
    query = (query.join(Article, Article.id == Report.article_id)
             .outerjoin(Editor, Editor.id == Report.assignee_id)
             .order_by(Report.created_at, Report.id))
    result = db.session.execute(query, execution_options={"yield_per": EXPORT_BATCH})
    for batch in result.partitions():
        yield from batch


def same_passage(report: Report, limit: int) -> list[Report]:
    """The first `limit` other reports grouped with this one, whatever their state, oldest first (in the order they
    arrived, which is their ids': one short range of the group's index, where sorting by arrival time walked every
    report received since the group began)."""
    if report.cluster_id is None:
        return []
    return list(db.session.scalars(
        select(Report)
        .where(Report.cluster_id == report.cluster_id, Report.id != report.id)
        .options(joinedload(Report.assignee))
        .order_by(Report.id)
        .limit(limit)
    ))


def group_extent(report: Report) -> tuple[int, int]:
    """How many other reports are grouped with this one (the kept count: a big group holds tens of thousands), and
    the newest id of its group (what a page showed)."""
    if report.cluster_id is None:
        return 0, report.id
    newest = db.session.scalar(select(func.max(Report.id)).where(Report.cluster_id == report.cluster_id))
    return max(ranking.group_size(report.cluster_id) - 1, 0), max(newest or 0, report.id)


def in_group(report: Report, ids: list[int]) -> list[Report]:
    """The reports among `ids` that are this one or grouped with it, in the order given."""
    found = reports_by_id(ids)
    return [found[i] for i in ids if i in found and (i == report.id or (
        report.cluster_id is not None and found[i].cluster_id == report.cluster_id))]


def group_in_states(report: Report, upto: int, statuses: tuple[str, ...], limit: int) -> list[Report]:
    """The first `limit` reports of this report's group up to id `upto` (the newest its page showed) in `statuses`,
    oldest first."""
    if report.cluster_id is None:
        return [report] if report.status in statuses else []
    return list(db.session.scalars(
        select(Report).where(Report.cluster_id == report.cluster_id, Report.id <= upto,
                             Report.status.in_(statuses)).order_by(Report.id).limit(limit)))


def count_group_in_states(report: Report, upto: int, statuses: tuple[str, ...]) -> int:
    """How many reports of this report's group up to id `upto` are in `statuses`: a range of the index on
    (cluster_id, status, id) per state, read from the index alone."""
    if report.cluster_id is None:
        return int(report.status in statuses)
    return db.session.scalar(select(func.count()).where(
        Report.cluster_id == report.cluster_id, Report.id <= upto, Report.status.in_(statuses)))


def find_by_reference(reference: str) -> Report | None:
    reference = reference.strip().upper()
    if not reference.startswith("R-"):
        reference = "R-" + reference
    return db.session.scalar(select(Report).where(Report.reference == reference))


def selected_groups(values: list[str]) -> list[int]:
    """The big groups (GROUP_MARK and a cluster id) among checkbox values, in order, without repeats."""
    found = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            cluster_id = parse_id(item[len(GROUP_MARK):]) if item.startswith(GROUP_MARK) else None
            if cluster_id is not None and cluster_id not in found:
                found.append(cluster_id)
    return found


def parse_selection(values: list[str]) -> list[tuple[int, int | None]]:
    """Checkbox values "12:3,15:2" into (report id, version seen) pairs, in order, without repeats."""
    seen: dict[int, int | None] = {}
    for value in values:
        for item in value.split(","):
            report_id, _, version = item.strip().partition(":")
            report_id = parse_id(report_id)
            if report_id is not None and report_id not in seen:
                seen[report_id] = parse_id(version)
    return list(seen.items())


# Ids a query names at a time: well under any database's limit on parameters (PostgreSQL's is 65,535).
IDS_AT_A_TIME = 1000


def reports_by_id(ids: list[int]) -> dict[int, Report]:
    """The reports of these ids that exist, read IDS_AT_A_TIME at a time."""
    found = {}
    for start in range(0, len(ids), IDS_AT_A_TIME):
        batch = ids[start:start + IDS_AT_A_TIME]
        found.update((report.id, report) for report in db.session.scalars(
            select(Report).where(Report.id.in_(batch)).options(joinedload(Report.assignee))))
    return found

