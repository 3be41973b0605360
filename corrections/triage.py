"""The editors' queue: filters read from the URL, grouped pages, counts and exports."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import Article, Editor, Report
from .reports import CATEGORIES
from .text import parse_id
from .workflow import OPEN, STATES

SORTS = {"newest": "Newest first", "oldest": "Oldest first", "most_reported": "Most-reported articles first"}
ASSIGNEES = {"": "Anyone", "me": "Assigned to me", "unassigned": "Unassigned"}
SEARCH_MAX = 200


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; every field round-trips through the URL so a view can be shared."""

    status: str = "open"  # "open", "all" or one state
    category: str = ""
    article: str = ""  # slug
    assignee: str = ""  # "", "me", "unassigned"
    since: date | None = None
    until: date | None = None
    q: str = ""
    sort: str = "newest"
    page: int = 1
    ignored: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        """Read the filter from query arguments; values that make no sense are ignored and listed."""
        ignored = []

        def choice(name: str, allowed, default: str) -> str:
            value = (args.get(name) or "").strip()
            if value and value not in allowed:
                ignored.append(f"{name} “{value[:40]}”")
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
                ignored.append(f"{name} “{value[:40]}” (use YYYY-MM-DD)")
                return None

        page = args.get("page", 1, type=int) or 1
        return cls(
            status=choice("status", ("open", "all", *STATES), "open"),
            category=choice("category", CATEGORIES, ""),
            article=(args.get("article") or "").strip()[:200],
            assignee=choice("assignee", ASSIGNEES, ""),
            since=day("since"),
            until=day("until"),
            q=(args.get("q") or "").strip()[:SEARCH_MAX],
            sort=choice("sort", SORTS, "newest"),
            page=min(max(page, 1), 100_000),
            ignored=tuple(ignored),
        )

    def args(self, **changes) -> dict[str, Any]:
        """URL arguments for this filter (with changes), leaving out defaults to keep links short."""
        current = replace(self, **changes)
        values = {
            "status": current.status if current.status != "open" else None,
            "category": current.category,
            "article": current.article,
            "assignee": current.assignee,
            "since": current.since.isoformat() if current.since else None,
            "until": current.until.isoformat() if current.until else None,
            "q": current.q,
            "sort": current.sort if current.sort != "newest" else None,
            "page": current.page if current.page != 1 else None,
        }
        return {k: v for k, v in values.items() if v}

    @property
    def is_default(self) -> bool:
        return not self.args(page=1)


def conditions(f: QueueFilter, me: Editor) -> list:
    """The WHERE clauses of a filter, shared by the queue, its counts and the CSV export."""
    where = []
    if f.status == "open":
        where.append(Report.status.in_(OPEN))
    elif f.status != "all":
        where.append(Report.status == f.status)
    if f.category:
        where.append(Report.category == f.category)
    if f.article:
        where.append(Report.article_id == select(Article.id).where(Article.slug == f.article).scalar_subquery())
    if f.assignee == "me":
        where.append(Report.assignee_id == me.id)
    elif f.assignee == "unassigned":
        where.append(Report.assignee_id.is_(None))
    if f.since:
        where.append(Report.created_at >= datetime.combine(f.since, time.min, UTC))
    if f.until:
        where.append(Report.created_at < datetime.combine(f.until + timedelta(days=1), time.min, UTC))
    if f.q:
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(
            Report.description.ilike(pattern, escape="\\"),
            Report.passage.ilike(pattern, escape="\\"),
            Report.suggested_correction.ilike(pattern, escape="\\"),
        ))
    return where


@dataclass
class Group:
    """Reports on the same article and the same or an overlapping passage, shown as one row."""

    cluster_id: int
    size: int
    reports: list[Report]

    @property
    def lead(self) -> Report:
        return self.reports[0]

    @property
    def selection(self) -> str:
        """The checkbox value: each report with the version the editor saw."""
        return ",".join(f"{r.id}:{r.version}" for r in self.reports)


@dataclass
class QueuePage:
    groups: list[Group]
    total_groups: int
    total_reports: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_groups // self.per_page))


def queue_page(f: QueueFilter, me: Editor, per_page: int) -> QueuePage:
    """One page of groups matching the filter, in three queries whatever the page size."""
    where = conditions(f, me)
    grouped = (
        select(
            Report.cluster_id.label("cluster_id"),
            func.count(Report.id).label("size"),
            func.min(Report.created_at).label("first_at"),
            func.max(Report.created_at).label("last_at"),
            func.min(Report.article_id).label("article_id"),
        )
        .where(*where)
        .group_by(Report.cluster_id)
    )
    counted = grouped.subquery()
    totals = db.session.execute(select(func.count(), func.coalesce(func.sum(counted.c.size), 0))).one()
    ordered = _sorted(grouped, f, where)
    rows = db.session.execute(ordered.limit(per_page).offset((f.page - 1) * per_page)).all()
    order = [row.cluster_id for row in rows]
    sizes = {row.cluster_id: row.size for row in rows}
    members: dict[int, list[Report]] = defaultdict(list)
    if order:
        for report in db.session.scalars(
            select(Report)
            .where(Report.cluster_id.in_(order), *where)
            .options(joinedload(Report.article), joinedload(Report.assignee))
            .order_by(Report.created_at, Report.id)
        ):
            members[report.cluster_id].append(report)
    groups = [Group(cid, sizes[cid], members[cid]) for cid in order if members[cid]]
    return QueuePage(groups, totals[0], int(totals[1]), f.page, per_page)


def _sorted(grouped: Select, f: QueueFilter, where: list) -> Select:
    sub = grouped.subquery()
    if f.sort == "oldest":
        return select(sub).order_by(sub.c.first_at, sub.c.cluster_id)
    if f.sort == "most_reported":
        per_article = (
            select(Report.article_id, func.count(Report.id).label("article_reports"))
            .where(*where).group_by(Report.article_id).subquery()
        )
        return (
            select(sub)
            .join(per_article, per_article.c.article_id == sub.c.article_id)
            .order_by(per_article.c.article_reports.desc(), sub.c.size.desc(), sub.c.last_at.desc())
        )
    return select(sub).order_by(sub.c.last_at.desc(), sub.c.cluster_id.desc())


def status_counts() -> dict[str, int]:
    """How many reports are in each state, exact."""
    counts = dict.fromkeys(STATES, 0)
    counts.update(db.session.execute(select(Report.status, func.count(Report.id)).group_by(Report.status)).all())
    return counts


def filtered_reports(f: QueueFilter, me: Editor):
    """Every report matching the filter, oldest first, streamed (for the CSV export)."""
    return db.session.scalars(
        select(Report)
        .where(*conditions(f, me))
        .options(joinedload(Report.article), joinedload(Report.assignee))
        .order_by(Report.created_at, Report.id)
        .execution_options(yield_per=500)
    )


def same_passage(report: Report) -> list[Report]:
    """The other reports grouped with this one, whatever their state."""
    if report.cluster_id is None:
        return []
    return list(db.session.scalars(
        select(Report)
        .where(Report.cluster_id == report.cluster_id, Report.id != report.id)
        .options(joinedload(Report.assignee))
        .order_by(Report.created_at, Report.id)
    ))


def find_by_reference(reference: str) -> Report | None:
    reference = reference.strip().upper()
    if not reference.startswith("R-"):
        reference = "R-" + reference
    return db.session.scalar(select(Report).where(Report.reference == reference))


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


def reports_by_id(ids: list[int]) -> dict[int, Report]:
    if not ids:
        return {}
    found = db.session.scalars(select(Report).where(Report.id.in_(ids)).options(joinedload(Report.assignee)))
    return {report.id: report for report in found}

