"""Reading the items of "same error elsewhere" back: the editors' page (one state, newest first, a page after an
id at a time), a notice's items (its pages, the API), how many are open per notice, and an item's passage in its
context."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from corrections.extensions import db
from corrections.models import ArticleRevision, Notice, Repeat, Report, notice_report


@dataclass(frozen=True)
class ItemsPage:
    items: list[Repeat]
    # The id the next (older) page starts after; None on the last page.
    older: int | None
    total: int


def _with_what_pages_show(query):
    return query.options(joinedload(Repeat.article), joinedload(Repeat.notice).joinedload(Notice.article),
                         selectinload(Repeat.revision).load_only(ArticleRevision.number, ArticleRevision.body_text),
                         selectinload(Repeat.fixed_by))


def page(state: str, per_page: int, after: int | None = None, notice_id: int | None = None) -> ItemsPage:
    """The items in `state` ("" for every state), of one notice if given, newest first, `per_page` of them after
    the item `after`."""
    where = [Repeat.state == state] if state else []
    if notice_id is not None:
        where.append(Repeat.notice_id == notice_id)
    query = select(Repeat).where(*where)
    if after is not None:
        query = query.where(Repeat.id < after)
    items = list(db.session.scalars(_with_what_pages_show(query.order_by(Repeat.id.desc()).limit(per_page + 1))))
    older = items[per_page - 1].id if len(items) > per_page else None
    total = db.session.scalar(select(func.count(Repeat.id)).where(*where))
    return ItemsPage(items[:per_page], older, total)


def counts() -> dict[str, int]:
    """How many items are in each state."""
    return dict(db.session.execute(select(Repeat.state, func.count(Repeat.id)).group_by(Repeat.state)).all())


def for_notice(notice: Notice, limit: int, after: int = 0) -> list[Repeat]:
    """The notice's items in the order they were found, `limit` of them after the item `after`."""
    return list(db.session.scalars(
        select(Repeat).where(Repeat.notice_id == notice.id, Repeat.id > after)
        .options(joinedload(Repeat.article), selectinload(Repeat.fixed_by))
        .order_by(Repeat.id).limit(limit)))


def open_counts(notice_ids: list[int]) -> dict[int, int]:
    """How many open items each of these notices has (those with none left out)."""
    if not notice_ids:
        return {}
    return dict(db.session.execute(
        select(Repeat.notice_id, func.count(Repeat.id))
        .where(Repeat.notice_id.in_(notice_ids), Repeat.state == "open").group_by(Repeat.notice_id)).all())


def get(repeat_id: int) -> Repeat | None:
    return db.session.scalar(_with_what_pages_show(select(Repeat).where(Repeat.id == repeat_id)))


@dataclass(frozen=True)
class InContext:
    """The matched words and the text around them, cut between words, with "…" where the text goes on."""

    before: str
    matched: str
    after: str


def in_context(repeat: Repeat, reach: int = 240) -> InContext:
    """The item's passage as it stood in the revision it was found in, with up to `reach` characters either side."""
    text = repeat.revision.body_text
    start, end = repeat.match_start, repeat.match_end
    low, high = max(0, start - reach), min(len(text), end + reach)
    while low > 0 and not text[low - 1].isspace() and low < start:
        low += 1
    while high < len(text) and not text[high].isspace() and high > end:
        high -= 1
    before = ("…" if low > 0 else "") + text[low:start]
    after = text[end:high] + ("…" if high < len(text) else "")
    return InContext(before, text[start:end], after)


def reports_of(notice: Notice, limit: int) -> tuple[list[Report], int]:
    """The first `limit` reports the notice resolves, and how many it resolves in all."""
    first = list(db.session.scalars(select(Report).join(notice_report, notice_report.c.report_id == Report.id)
                                    .where(notice_report.c.correction_id == notice.id).order_by(Report.id)
                                    .limit(limit)))
    total = db.session.scalar(select(func.count()).select_from(notice_report)
                              .where(notice_report.c.correction_id == notice.id))
    return first, total
