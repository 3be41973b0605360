"""Desks: groups of editors, and the routing of new reports by their article's section."""

from flask_babel import gettext, ngettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from corrections.errors import Refusal
from corrections.extensions import db
from corrections.models import Article, Desk, Editor, Report, SectionRoute, desk_member
from corrections.text import clean_text

NAME_MAX = 100
SECTION_MAX = 100


class DeskError(Refusal):
    """A refused change to desks or routes; the message is for the admin, at `field` in a form."""

    field = "name"


def section_key(section: str) -> str:
    """Sections match without regard to case or spacing: "Local", "local " and "LOCAL" are one."""
    return " ".join(section.split()).casefold()


def all_desks() -> list[Desk]:
    """Every desk with its members and routes, by name (three queries)."""
    return list(db.session.scalars(
        select(Desk).options(selectinload(Desk.members), selectinload(Desk.routes)).order_by(Desk.name)
    ))


def desk_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Desk.id, Desk.name).order_by(Desk.name)).tuples())


def _check_name(name: str, desk: Desk | None = None) -> str:
    name = " ".join(clean_text(name).split())
    if not name:
        raise DeskError(gettext("Give the desk a name."))
    if len(name) > NAME_MAX:
        raise DeskError(ngettext("A desk's name has at most %(num)s character.",
                                 "A desk's name has at most %(num)s characters.", NAME_MAX))
    taken = db.session.scalar(select(Desk.id).where(func.lower(Desk.name) == name.lower()))
    if taken is not None and (desk is None or taken != desk.id):
        raise DeskError(gettext("There is already a desk called “%(name)s”.", name=name))
    return name


def _editors(ids: list[int]) -> list[Editor]:
    if not ids:
        return []
    found = list(db.session.scalars(select(Editor).where(Editor.id.in_(ids)).order_by(Editor.name)))
    if len(found) != len(set(ids)):
        raise DeskError(gettext("One of the chosen editors does not exist."), "members")
    return found


def create_desk(name: str, member_ids: list[int]) -> Desk:
    desk = Desk(name=_check_name(name), members=_editors(member_ids))
    db.session.add(desk)
    return desk


def update_desk(desk: Desk, name: str, member_ids: list[int]) -> Desk:
    desk.name = _check_name(name, desk)
    desk.members = _editors(member_ids)
    return desk


def delete_desk(desk: Desk) -> None:
    """Remove a desk and its routes; its reports stay, with no desk."""
    db.session.execute(update(Report).where(Report.desk_id == desk.id).values(desk_id=None)
                       .execution_options(synchronize_session=False))
    db.session.delete(desk)


def set_route(section: str, desk: Desk | None) -> str:
    """Route new reports of a section to a desk (None: to no desk). Returns the section as stored."""
    section = " ".join(clean_text(section).split())
    if not section:
        raise DeskError(gettext("Name the section."), "section")
    if len(section) > SECTION_MAX:
        raise DeskError(ngettext("A section's name has at most %(num)s character.",
                                 "A section's name has at most %(num)s characters.", SECTION_MAX), "section")
    key = section_key(section)
    existing = [r for r in db.session.scalars(select(SectionRoute)) if section_key(r.section) == key]
    for route in existing:
        db.session.delete(route)
    db.session.flush()
    if desk is not None:
        db.session.add(SectionRoute(section=section, desk=desk))
    return section


# Built once: every report filed reads the routes, and building the statement costs more than running it.
ROUTES = select(SectionRoute.section, SectionRoute.desk_id)


def routing_table() -> dict[str, int]:
    """Where new reports go: the desk id by section key (section_key) of every routed section (one small query)."""
    table: dict[str, int] = {}
    # On the session's connection: the ORM's handling costs more than the query (nothing here is pending).
    for route_section, desk_id in db.session.connection().execute(ROUTES):
        table.setdefault(section_key(route_section), desk_id)
    return table


def route_for(section: str, table: dict[str, int] | None = None) -> int | None:
    """The desk new reports about an article of this section go to, if any. Pure when given `table`
    (routing_table()); otherwise reads it."""
    key = section_key(section or "")
    if not key:
        return None
    return (routing_table() if table is None else table).get(key)


def known_sections(limit: int = 500) -> list[str]:
    """The sections articles have, for the routing form (the most common spelling of each)."""
    rows = db.session.execute(
        select(Article.section, func.count(Article.id)).where(Article.section != "")
        .group_by(Article.section).order_by(func.count(Article.id).desc()).limit(limit)
    )
    found: dict[str, str] = {}
    for section, _count in rows:
        found.setdefault(section_key(section), section)
    return sorted(found.values(), key=str.casefold)


def desk_ids_of(editor: Editor) -> list[int]:
    """The desks the editor belongs to (for "my desk")."""
    return list(db.session.scalars(select(desk_member.c.desk_id).where(desk_member.c.editor_id == editor.id)))
