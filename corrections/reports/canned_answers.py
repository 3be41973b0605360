"""Canned answers: reusable outcomes an admin keeps, applied to reports through the workflow in one step."""

from sqlalchemy import func, select

from corrections.errors import Refusal
from corrections.extensions import db
from corrections.models import CannedAnswer, Editor, Report
from corrections.reports import workflow
from corrections.text import clean_text
from corrections.vocabulary import NOTICE_TEXT_MAX, STATUS_LABELS

NAME_MAX = 100
TEXT_MAX = 2000
# The outcomes a canned answer can give. A duplicate needs the report it duplicates, and a correction is
# published with its text (which an answer can draft): both stay decisions made report by report.
STATES = {
    "accepted": "Accept",
    "rejected": "Reject",
    "in_review": "Move to review",
    "spam": "Mark spam",
}
# Words in a correction template that are filled from the report.
PLACEHOLDERS = {
    "{passage}": "the passage the reader quoted",
    "{suggestion}": "the reader's suggested correction",
    "{article}": "the article's title",
}


class CannedError(Refusal):
    """A refused canned answer; the message is for the admin, at `field` in the form."""

    field = "name"


def all_answers() -> list[CannedAnswer]:
    return list(db.session.scalars(select(CannedAnswer).order_by(func.lower(CannedAnswer.name), CannedAnswer.id)))


def save(answer: CannedAnswer | None, *, name: str, to_state: str, text: str, correction_template: str = "",
         ) -> CannedAnswer:
    """Create (answer None) or change a canned answer after checking it."""
    name = " ".join(clean_text(name).split())
    text, correction_template = clean_text(text).strip(), clean_text(correction_template).strip()
    if not name:
        raise CannedError("Give the answer a name editors will recognise, e.g. “Opinion, not fact”.")
    if len(name) > NAME_MAX:
        raise CannedError(f"A name has at most {NAME_MAX} characters.")
    taken = db.session.scalar(select(CannedAnswer.id).where(func.lower(CannedAnswer.name) == name.lower()))
    if taken is not None and (answer is None or taken != answer.id):
        raise CannedError(f"There is already an answer called “{name}”.")
    if to_state not in STATES:
        raise CannedError("Choose what the answer does: accept, reject, move to review or mark spam.", "to_state")
    if len(text) > TEXT_MAX:
        raise CannedError(f"The text has at most {TEXT_MAX:,} characters.", "text")
    if to_state == "rejected" and not text:
        raise CannedError("A rejection needs the reason the reader will be given.", "text")
    if correction_template and to_state != "accepted":
        raise CannedError("Only an answer that accepts a report can draft a correction.", "correction_template")
    if len(correction_template) > NOTICE_TEXT_MAX:
        raise CannedError(f"The template has at most {NOTICE_TEXT_MAX:,} characters.", "correction_template")
    if answer is None:
        answer = CannedAnswer()
        db.session.add(answer)
    answer.name, answer.to_state, answer.text = name, to_state, text
    answer.correction_template = correction_template
    return answer


def delete(answer: CannedAnswer) -> None:
    """Remove a canned answer; the reports it was applied to keep their history."""
    db.session.delete(answer)


def usable_on(answer: CannedAnswer, report: Report) -> bool:
    """Whether applying the answer to the report is a move the workflow allows (accepting goes through review)."""
    if answer.to_state == "accepted" and report.status == "new":
        return True
    return workflow.can_move(report, answer.to_state)


def apply(answer: CannedAnswer, report: Report, *, by: Editor) -> None:
    """Give the report the answer's outcome, each step through the workflow. Does not commit.

    Accepting a new report moves it to review first, as an editor would; a rejection gives the reader
    the answer's text as the reason (and e-mails it when asked); other moves record it as the comment.
    """
    if not usable_on(answer, report):
        raise workflow.WorkflowError(
            f"{report.reference} is {STATUS_LABELS[report.status].lower()}: "
            f"“{answer.name}” ({STATES[answer.to_state].lower()}) cannot be applied to it.")
    said = f"Canned answer “{answer.name}”" + (f": {answer.text}" if answer.text else ".")
    if answer.to_state == "rejected":
        workflow.reject(report, answer.text, by=by)
        return
    if answer.to_state == "accepted" and report.status == "new":
        workflow.move(report, "in_review", by=by, comment=f"Canned answer “{answer.name}”.")
    workflow.move(report, answer.to_state, by=by, comment=said)


def draft_correction(answer: CannedAnswer, report: Report) -> str:
    """The answer's correction template with the report's words filled in ("" without a template)."""
    text = answer.correction_template
    # Plain replacement, not str.format: a template is text, never code that reaches into objects.
    values = {"{passage}": report.passage, "{suggestion}": report.suggested_correction,
              "{article}": report.article.title}
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text
