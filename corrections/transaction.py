"""The delivery side's one way to change data: run a domain change and commit it, or keep nothing of it.

Domain functions change the session and never commit. A view hands its change to `save`: the change is
committed, or, when a domain rule refuses it (errors.Refusal), rolled back and its sentence shown at the form
field it belongs to, or at the top of the page when it names none. Commands and the API call `commit`,
which raises the refusal (after rolling back) for them to answer in their own way.

A change made from a page older than a report it changes is refused the same way everywhere (the report's
version column, optimistic locking): the editor is told who changed the report and when, and the page is
answered with 409. That covers a page loaded before another editor's change, and another editor's commit
landing between this request's reading and its writing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash
from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from corrections.errors import ManyRefusals, Refusal
from corrections.extensions import db
from corrections.infra import outage
from corrections.models import Report
from corrections.reports import workflow

Result = TypeVar("Result")

# What PostgreSQL answers when two transactions cross (each waits on a row the other holds: the kept counts of
# the most-reported order are updated in place) or could not be run one after the other: it aborts one of them,
# which running the change again mends.
CROSSED = {"40P01", "40001"}  # deadlock_detected, serialization_failure


def commit(change: Callable[[], Result], *, report: Report | None = None, seen_version: int | None = None,
           reports: Iterable[Report] = (), keep_refused: bool = False,
           retry: tuple[type[Exception], ...] = (), tries: int = 2) -> Result:
    """Run `change` (domain calls that change the session) and commit; returns what it returned.

    A Refusal rolls everything back and is raised again: nothing is half-written (nor on any other error).
    With `keep_refused` what the change did before it was refused is committed instead (a wrong password
    counts although the login is refused).

    `report` is the report the page showed, at `seen_version`: a change from an older page is refused with
    workflow.StaleReport before anything changes. `reports` are others the change writes (the reports linked
    to a notice). When another request's commit to one of them lands first (the version check of the UPDATE),
    the change is rolled back and refused with a StaleReport naming it, as for an older page.

    `retry`: errors of a race that running the change again mends (the row another request created at the
    same moment); after `tries` runs the last one is raised. A transaction the database aborted because it
    crossed another (CROSSED) is run again too; after `tries` runs it is refused as a change made at the same
    moment as another editor's.
    """
    watched = [r for r in (report, *reports) if r is not None]
    versions = {r.id: r.version for r in watched}
    for attempt in range(1, tries + 1):
        try:
            if report is not None:
                workflow.check_fresh(report, seen_version)
            result = change()
            db.session.commit()
            return result
        except Refusal:
            if keep_refused:
                db.session.commit()
            else:
                db.session.rollback()
            raise
        except retry:
            db.session.rollback()
            if attempt == tries:
                raise
        except StaleDataError:
            db.session.rollback()
            raise raced(watched, versions) from None
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) not in CROSSED:
                outage.forget_transaction()
                raise
            db.session.rollback()
            if attempt == tries:
                raise raced(watched, versions) from None
        except Exception:
            # Whatever else went wrong, nothing of the change is kept (and the page that says so can read).
            outage.forget_transaction()
            raise
    raise AssertionError("unreachable: the last try returns or raises")


def raced(watched: list[Report], versions: dict[int, int]) -> workflow.StaleReport:
    """What an editor is told when another editor's change to one of these reports was committed first."""
    for report in watched:
        db.session.refresh(report)
        if report.version != versions[report.id]:
            return workflow.changed_since(report)
    return workflow.StaleReport(gettext("Another editor changed this at the same moment; nothing was changed. "
                                        "Reload to see the latest."))


@dataclass(frozen=True)
class Outcome(Generic[Result]):
    """What came of a change a view asked for: its result, or the refusal shown instead."""

    result: Result | None = None
    refusal: Refusal | None = None

    @property
    def done(self) -> bool:
        return self.refusal is None

    @property
    def status(self) -> int:
        """The status of the page shown again after a refusal: 409 when it was older than a report it changed."""
        return 409 if isinstance(self.refusal, workflow.StaleReport) else 400


def save(change: Callable[[], Result], *, form: FlaskForm | None = None, field: str | None = None,
         **how) -> Outcome[Result]:
    """Make a view's change and commit it (see `commit`, which takes the same keywords as `how`).

    On a refusal nothing of the change is kept and its sentence is shown: at the field of `form` it names, or
    at `field` when it names none, or else at the top of the page (a flashed message), for the view to show
    the page again with the form as typed.
    """
    try:
        return Outcome(commit(change, **how))
    except Refusal as refusal:
        show(refusal, form, field)
        return Outcome(refusal=refusal)


def show(refusal: Refusal, form: FlaskForm | None, field: str | None = None) -> None:
    """Put the refusal's sentence at its field of the form (or at `field`), or at the top of the page."""
    if isinstance(refusal, ManyRefusals):
        for each in refusal.refusals:
            show(each, form, field)
        return
    name = refusal.field if form is not None and refusal.field in form else field
    if form is not None and name and name in form:
        form[name].errors = [*form[name].errors, str(refusal)]
    else:
        flash(str(refusal), "error")
