"""What the reader is told: the words of their status page, and the e-mail about what became of their report.

The e-mail is queued (infra/mail.py carries it) in the transaction of the decision it reports, only when the
reader asked for one; to an address whose owner has not confirmed it yet, it is held until they do (consent.py).
"""

from flask import current_app, render_template

from corrections.infra import mail
from corrections.models import OutboxMessage, Report
from corrections.reports import consent
from corrections.reports.tokens import status_url
from corrections.vocabulary import NOTICE_KINDS

# What the reader sees on their status page. A report held as spam reads as received:
# a reader wrongly caught by the filter should not be told so, and a spammer learns nothing.
READER_STATUS = {
    "new": ("Received", "Your report has arrived and is waiting for an editor."),
    "spam": ("Received", "Your report has arrived and is waiting for an editor."),
    "in_review": ("Being reviewed", "An editor is looking into your report."),
    "accepted": ("Accepted", "An editor agreed that something needs fixing; a correction is being prepared."),
    "rejected": ("Reviewed, no change", "An editor reviewed your report and decided the article stays as it is."),
    "duplicate": ("Already reported", "Another reader reported the same thing; it is being handled there."),
    "corrected": ("Corrected", "The article has been corrected. Thank you for your help."),
}

# The outcomes a reader is written to about, with the e-mail's subject.
OUTCOMES = {
    "corrected": "Your report led to a correction",
    "rejected": "An editor reviewed your report",
    "duplicate_corrected": "The error you reported has been corrected",
}


def queue_outcome(report: Report, outcome: str, notice=None) -> OutboxMessage | None:
    """Queue the e-mail telling a reader what became of their report, if they asked for one. Does not commit.

    To an address whose owner has not confirmed it yet, the message is held (and a confirmation asked
    for) until they do: see consent.py.
    """
    if not (report.notify and report.reporter_email):
        return None
    body = render_template("mail/outcome.txt", report=report, outcome=outcome, notice=notice,
                           kinds=NOTICE_KINDS,
                           status_url=status_url(report), site_name=current_app.config["SITE_NAME"])
    subject = f"{OUTCOMES[outcome]} ({report.reference})"
    if not consent.is_confirmed(report.reporter_email):
        return consent.hold_outcome(report, subject, body)
    return mail.enqueue(consent.address_key(report.reporter_email), subject, body, report_id=report.id)
