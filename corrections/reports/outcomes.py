"""What the reader is told: the words of their status page, and the e-mail about what became of their report.

The e-mail is queued (infra/mail.py carries it) in the transaction of the decision it reports, only when the
reader asked for one; to an address whose owner has not confirmed it yet, it is held until they do (consent.py).
"""

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from corrections import languages
from corrections.infra import mail
from corrections.languages import N_
from corrections.models import OutboxMessage, Report
from corrections.reports import consent
from corrections.reports.tokens import status_url

# What the reader sees on their status page. A report held as spam reads as received:
# a reader wrongly caught by the filter should not be told so, and a spammer learns nothing.
READER_STATUS = {
    "new": (_l("Received"), _l("Your report has arrived and is waiting for an editor.")),
    "spam": (_l("Received"), _l("Your report has arrived and is waiting for an editor.")),
    "in_review": (_l("Being reviewed"), _l("An editor is looking into your report.")),
    "accepted": (_l("Accepted"), _l("An editor agreed that something needs fixing; a correction is being prepared.")),
    "rejected": (_l("Reviewed, no change"),
                 _l("An editor reviewed your report and decided the article stays as it is.")),
    "duplicate": (_l("Already reported"), _l("Another reader reported the same thing; it is being handled there.")),
    "corrected": (_l("Corrected"), _l("The article has been corrected. Thank you for your help.")),
}

# A duplicate reads as what became of the report it joined, once that was decided.
DUPLICATE_OF = {
    "corrected": READER_STATUS["corrected"],
    "rejected": (_l("Already reported"), _l("Another reader reported the same thing; an editor reviewed it and "
                                            "decided the article stays as it is.")),
    "accepted": (_l("Already reported"), _l("Another reader reported the same thing; an editor agreed that "
                                            "something needs fixing, and a correction is being prepared.")),
}

# What the status page promises about e-mail to a reader who asked for it and confirmed their address: what
# they will be written to about next (OUTCOMES), or that they were.
UNDECIDED_MAIL = _l("we will e-mail you when an editor has decided")
MAIL_PROMISE = {
    "new": UNDECIDED_MAIL,
    "spam": UNDECIDED_MAIL,
    "in_review": UNDECIDED_MAIL,
    "accepted": _l("we will e-mail you when the correction is published"),
    "rejected": _l("we e-mailed you the editor’s decision"),
    "duplicate": _l("we will e-mail you if the report it joined leads to a correction"),
    "corrected": _l("we e-mailed you the correction"),
}
DUPLICATE_MAIL = {
    "corrected": MAIL_PROMISE["corrected"],
    "rejected": _l("the decision is above: no e-mail follows"),
}


@dataclass(frozen=True)
class ReaderStatus:
    """The words of a reader's status page: its status, what that means, and what e-mail to expect."""

    title: str
    explanation: str
    mail: str


def reader_status(report: Report) -> ReaderStatus:
    """What the reader's status page says of their report (a duplicate by what became of the one it joined)."""
    original = report.duplicate_of if report.status == "duplicate" else None
    if original is not None and original.status in DUPLICATE_OF:
        words = (*DUPLICATE_OF[original.status], DUPLICATE_MAIL.get(original.status, MAIL_PROMISE["duplicate"]))
    else:
        words = (*READER_STATUS[report.status], MAIL_PROMISE[report.status])
    # In the language of the page that shows them.
    return ReaderStatus(*(str(word) for word in words))


# The canned reasons an editor may give for rejecting a report (the forms offer them in the page's language). One is
# stored in its English words, followed by the editor's own if they added some, and worded when it is read:
# the reader reads it in the language of their report, an editor in theirs (given_reason).
REJECT_REASONS = (
    N_("The article is accurate as published."),
    N_("This is a matter of opinion or interpretation, not of fact."),
    N_("We could not verify the claim with the information given."),
    N_("The article already says this, or has already been corrected."),
)


def given_reason(reason: str) -> str:
    """A report's reason for rejecting as its reader or an editor reads it: a canned reason at its start in the
    current language, the editor's own words as they typed them (a reason kept before canned reasons were worded
    when read, already in some language, stays as it is)."""
    return languages.with_canned_words(reason, REJECT_REASONS)


# The outcomes a reader is written to about, with the e-mail's subject.
OUTCOMES = {
    "corrected": _l("Your report led to a correction"),
    "rejected": _l("An editor reviewed your report"),
    "duplicate_corrected": _l("The error you reported has been corrected"),
}


def queue_outcome(report: Report, outcome: str, notice=None) -> OutboxMessage | None:
    """Queue the e-mail telling a reader what became of their report, if they asked for one. Does not commit.

    To an address whose owner has not confirmed it yet, the message is held (and a confirmation asked
    for) until they do: see consent.py. It speaks the language the reader filed the report in.
    """
    if not (report.notify and report.reporter_email):
        return None
    return _queue(report, outcome, notice, consent.is_confirmed(report.reporter_email))


def queue_outcomes(told: list[tuple[Report, str, object]]) -> None:
    """queue_outcome for each (report, outcome, notice) of one change of many reports, reading whether their
    addresses are confirmed in one query. An address not confirmed yet still costs a few statements of its own:
    its row is locked while its reader is asked to confirm it (consent.hold_outcome). Does not commit."""
    wanted = [(report, outcome, notice) for report, outcome, notice in told if report.notify and report.reporter_email]
    if not wanted:
        return
    confirmed = consent.confirmed_among({report.reporter_email for report, _, _ in wanted})
    for report, outcome, notice in wanted:
        _queue(report, outcome, notice, consent.address_key(report.reporter_email) in confirmed)


def _queue(report: Report, outcome: str, notice, confirmed: bool) -> OutboxMessage:
    # In the language the reader filed the report in, whoever's request decided it.
    with languages.speaking(report.language):
        body = render_template("mail/outcome.txt", report=report, outcome=outcome, notice=notice,
                               reject_reason=given_reason(report.reject_reason),
                               status_url=status_url(report), site_name=current_app.config["SITE_NAME"])
        subject = gettext("%(subject)s (%(reference)s)", subject=OUTCOMES[outcome], reference=report.reference)
    if not confirmed:
        return consent.hold_outcome(report, subject, body)
    return mail.enqueue(consent.address_key(report.reporter_email), subject, body, report_id=report.id)
