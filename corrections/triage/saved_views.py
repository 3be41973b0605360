"""Saved views: named queue filters, an editor's own or shared with every editor."""

from urllib.parse import parse_qsl, urlencode

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from corrections.errors import Refusal
from corrections.extensions import db
from corrections.languages import number
from corrections.models import Editor, SavedView
from corrections.text import clean_text
from corrections.triage import queue

NAME_MAX = 100
QUERY_MAX = 2000


class ViewError(Refusal):
    """A refused change to a saved view; the message is for the editor (at the name field of the form)."""

    field = "name"


def normalise_query(query: str) -> str:
    """The filter part of a queue address, as the queue itself writes it (unknown or bad values dropped)."""
    query = query.strip().lstrip("?")
    if "?" in query:
        query = query.split("?", 1)[1]
    f = queue.QueueFilter.from_args(MultiDict(parse_qsl(query[:QUERY_MAX * 2], keep_blank_values=False)))
    return urlencode(f.args(page=1))


def visible_to(editor: Editor) -> list[SavedView]:
    """The editor's own views, then the views others shared, each by name (one query)."""
    mine = SavedView.owner_id == editor.id
    return list(db.session.scalars(
        select(SavedView).where(or_(mine, SavedView.shared))
        .options(joinedload(SavedView.owner))
        .order_by(mine.desc(), func.lower(SavedView.name), SavedView.id)
    ))


def can_change(view: SavedView, editor: Editor) -> bool:
    return view.owner_id == editor.id or editor.is_admin


def can_see(view: SavedView, editor: Editor) -> bool:
    return view.shared or view.owner_id == editor.id


def _check_name(name: str, owner_id: int, view: SavedView | None = None) -> str:
    name = " ".join(clean_text(name).split())
    if not name:
        raise ViewError(gettext("Give the view a name, e.g. “Typos on Sport”."))
    if len(name) > NAME_MAX:
        raise ViewError(gettext("A view’s name has at most %(most)s characters.", most=number(NAME_MAX)))
    taken = db.session.scalar(
        select(SavedView.id).where(SavedView.owner_id == owner_id, func.lower(SavedView.name) == name.lower())
    )
    if taken is not None and (view is None or taken != view.id):
        raise ViewError(gettext("You already have a view called “%(name)s”: choose another name, or delete that one.",
                                name=name))
    return name


def create(owner: Editor, name: str, query: str, *, shared: bool = False) -> SavedView:
    """Save the queue filter in `query` under a name."""
    view = SavedView(owner=owner, name=_check_name(name, owner.id), query=normalise_query(query), shared=shared)
    db.session.add(view)
    return view


def change(view: SavedView, by: Editor, *, name: str, shared: bool) -> None:
    """Rename a view or share it (or stop sharing it): its owner or an admin."""
    if not can_change(view, by):
        raise ViewError(gettext("Only the editor who saved this view, or an admin, can change it."))
    view.name = _check_name(name, view.owner_id, view)
    view.shared = shared


def delete(view: SavedView, by: Editor) -> None:
    if not can_change(view, by):
        raise ViewError(gettext("Only the editor who saved this view, or an admin, can delete it."))
    db.session.delete(view)
