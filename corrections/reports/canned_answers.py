"""Canned answers: reusable outcomes an admin keeps, applied to reports through the workflow in one step."""

from flask_babel import gettext, ngettext, pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from corrections.errors import Refusal
from corrections.extensions import db
from corrections.languages import number
from corrections.models import CannedAnswer, Editor, Report
from corrections.reports import anchors, drafts, workflow
from corrections.text import clean_text
from corrections.vocabulary import NOTICE_TEXT_MAX

NAME_MAX = 100
TEXT_MAX = 2000
# The outcomes a canned answer can give. A duplicate needs the report it duplicates, and a correction is
# published with its text (which an answer can draft): both stay decisions made report by report.
STATES = {
    "accepted": _l("Accept"),
    "rejected": _l("Reject"),
    "in_review": _l("Move to review"),
    "spam": _l("Mark spam"),
}
# Why an answer cannot be applied, by the report's status (one sentence each: a status is not filled in).
NOT_APPLICABLE = {
    "new": _l("%(reference)s is new: “%(answer)s” (%(does)s) cannot be applied to it."),
    "in_review": _l("%(reference)s is in review: “%(answer)s” (%(does)s) cannot be applied to it."),
    "accepted": _l("%(reference)s is accepted: “%(answer)s” (%(does)s) cannot be applied to it."),
    "rejected": _l("%(reference)s is rejected: “%(answer)s” (%(does)s) cannot be applied to it."),
    "duplicate": _l("%(reference)s is a duplicate: “%(answer)s” (%(does)s) cannot be applied to it."),
    "spam": _l("%(reference)s is spam: “%(answer)s” (%(does)s) cannot be applied to it."),
    "corrected": _l("%(reference)s is corrected: “%(answer)s” (%(does)s) cannot be applied to it."),
}
# Words in a correction template that are filled from the report.
PLACEHOLDERS = {
    "{passage}": _l("the passage the reader quoted"),
    "{suggestion}": _l("the reader’s suggested correction"),
    "{article}": _l("the article’s title"),
}


class CannedAnswerError(Refusal):
    """A refused canned answer; the message is for the admin, at `field` in the form."""

    field = "name"


def all_canned_answers() -> list[CannedAnswer]:
    return list(db.session.scalars(select(CannedAnswer).order_by(func.lower(CannedAnswer.name), CannedAnswer.id)))


def save(canned_answer: CannedAnswer | None, *, name: str, to_state: str, text: str, notice_template: str = "",
         ) -> CannedAnswer:
    """Create (answer None) or change a canned answer after checking it."""
    name = " ".join(clean_text(name).split())
    text, notice_template = clean_text(text).strip(), clean_text(notice_template).strip()
    if not name:
        raise CannedAnswerError(gettext("Give the answer a name editors will recognise, e.g. “Opinion, not fact”."))
    if len(name) > NAME_MAX:
        raise CannedAnswerError(ngettext("A name has at most %(num)s character.",
                                         "A name has at most %(num)s characters.", NAME_MAX))
    taken = db.session.scalar(select(CannedAnswer.id).where(func.lower(CannedAnswer.name) == name.lower()))
    if taken is not None and (canned_answer is None or taken != canned_answer.id):
        raise CannedAnswerError(gettext("There is already an answer called “%(name)s”.", name=name))
    if to_state not in STATES:
        raise CannedAnswerError(gettext("Choose what the answer does: accept, reject, move to review or mark spam."),
                                "to_state")
    if len(text) > TEXT_MAX:
        raise CannedAnswerError(gettext("The text has at most %(most)s characters.", most=number(TEXT_MAX)), "text")
    if to_state == "rejected" and not text:
        raise CannedAnswerError(gettext("A rejection needs the reason the reader will be given."), "text")
    if notice_template and to_state != "accepted":
        raise CannedAnswerError(gettext("Only an answer that accepts a report can draft a correction."),
                                "notice_template")
    if len(notice_template) > NOTICE_TEXT_MAX:
        raise CannedAnswerError(gettext("The template has at most %(most)s characters.", most=number(NOTICE_TEXT_MAX)),
                                "notice_template")
    if canned_answer is None:
        canned_answer = CannedAnswer()
        db.session.add(canned_answer)
    canned_answer.name, canned_answer.to_state, canned_answer.text = name, to_state, text
    canned_answer.notice_template = notice_template
    return canned_answer


def state_in_text(to_state: str) -> str:
    """What an answer does, as a sentence names it in parentheses after the answer's name: "“Opinion” (reject)"."""
    return {
        "accepted": pgettext("what a canned answer does, in parentheses", "accept"),
        "rejected": pgettext("what a canned answer does, in parentheses", "reject"),
        "in_review": pgettext("what a canned answer does, in parentheses", "move to review"),
        "spam": pgettext("what a canned answer does, in parentheses", "mark spam"),
    }[to_state]


def delete(canned_answer: CannedAnswer) -> None:
    """Remove a canned answer; the reports it was applied to keep their history."""
    db.session.delete(canned_answer)


def usable_on(canned_answer: CannedAnswer, report: Report) -> bool:
    """Whether applying the answer to the report is a move the workflow allows (accepting goes through review)."""
    if canned_answer.to_state == "accepted" and report.status == "new":
        return True
    return workflow.can_move(report, canned_answer.to_state)


def apply(canned_answer: CannedAnswer, report: Report, *, by: Editor) -> None:
    """Give the report the answer's outcome, each step through the workflow. Does not commit.

    Accepting a new report moves it to review first, as an editor would; a rejection gives the reader
    the answer's text as the reason (and e-mails it when asked); other moves record it as the comment.
    """
    if not usable_on(canned_answer, report):
        raise workflow.WorkflowError(str(NOT_APPLICABLE[report.status]) % {
            "reference": report.reference, "answer": canned_answer.name, "does": state_in_text(canned_answer.to_state)})
    # The history's comment, in the language of the editor who applied it.
    said = (gettext("Canned answer “%(name)s”: %(text)s", name=canned_answer.name, text=canned_answer.text)
            if canned_answer.text else gettext("Canned answer “%(name)s”.", name=canned_answer.name))
    if canned_answer.to_state == "rejected":
        workflow.reject(report, canned_answer.text, by=by)
        return
    if canned_answer.to_state == "accepted" and report.status == "new":
        workflow.move(report, "in_review", by=by, comment=gettext("Canned answer “%(name)s”.", name=canned_answer.name))
    workflow.move(report, canned_answer.to_state, by=by, comment=said)


def draft_notice(canned_answer: CannedAnswer, report: Report, place: anchors.PassagePlace | None = None) -> str:
    """The answer's correction template with the report's words filled in ("" without a template): the passage
    in the article's own words, tidied as every drafted notice is (drafts.fill_template)."""
    if not canned_answer.notice_template:
        return ""
    return drafts.fill_template(canned_answer.notice_template, passage=drafts.found_words(report, place),
                                suggestion=report.suggested_correction, article=report.article.title)
