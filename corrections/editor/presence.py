"""Presence for the page's script (static/presence.js): an open report's heartbeat, its leaving, and who has the
queue's reports open. The sentences are the pages' own (templates/editor/_presence.html)."""

from flask import abort, current_app, get_template_attribute, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from corrections.editor.blueprint import bp, me
from corrections.errors import Refusal
from corrections.extensions import client_address, db, limiter
from corrections.models import Report
from corrections.text import parse_ids
from corrections.transaction import commit
from corrections.triage import presence

NO_STORE = {"Cache-Control": "no-store"}
# The most report ids one queue page asks about.
MAX_IDS = 500


def presence_rate_limit() -> str:
    return current_app.config["PRESENCE_RATE_LIMIT"]


def per_editor() -> str:
    """Counted per editor, not per address: a newsroom's editors often share one."""
    return f"editor:{current_user.id}" if current_user.is_authenticated else client_address()


limited = limiter.shared_limit(presence_rate_limit, scope="presence", key_func=per_editor)


def macro(name: str):
    return get_template_attribute("editor/_presence.html", name)


def report_id_or_404(report_id: int) -> int:
    return db.session.scalar(select(Report.id).where(Report.id == report_id)) or abort(404)


@bp.post("/reports/<int:report_id>/presence")
@limited
def presence_beat(report_id: int):
    """This tab has the report open (`answering`: 1 while a decision form is in use; `hidden`: 1 in the
    background); the others on it."""
    report_id = report_id_or_404(report_id)
    tab, answering, hidden = (request.form.get("tab", ""), request.form.get("answering") == "1",
                              request.form.get("hidden") == "1")
    editor = me()
    try:
        # commit: with the database store the heartbeat is a row (Redis writes at once).
        # A deadlock of two heartbeats removing the same expired rows is run again.
        people = commit(lambda: presence.beat(report_id, editor, tab, answering=answering, hidden=hidden),
                        retry=(OperationalError,))
    except Refusal as refusal:
        return {"error": str(refusal)}, 400, NO_STORE
    return {
        "viewers": str(macro("viewers")(people)),
        "warning": str(macro("warning")(people)),
        "heartbeat_seconds": presence.heartbeat_seconds(),
    }, 200, NO_STORE


@bp.post("/reports/<int:report_id>/presence/leave")
@limited
def presence_leave(report_id: int):
    """The tab closed or left the report (sent with navigator.sendBeacon)."""
    report_id = report_id_or_404(report_id)
    editor = me()
    commit(lambda: presence.leave(report_id, editor, request.form.get("tab", "")))
    return "", 204, NO_STORE


@bp.get("/presence")
@limited
def presence_of_reports():
    """Who else has these reports (`ids`, separated by commas) open: for each, the queue row's tags."""
    ids = parse_ids((request.args.get("ids") or "").split(","))[:MAX_IDS]
    found = presence.others_on(ids, me())
    tags = macro("tags")
    return {"reports": {str(report_id): str(tags(found.get(report_id, []))) for report_id in ids}}, 200, NO_STORE
