"""Readers' personal data: withdrawing contact details on request, and erasing them from closed reports.

A report keeps what it says and its history; only who sent it goes (name, e-mail, the consent to be
e-mailed), along with the copies of the address and the greeting in the outbox, and whether the address
was confirmed once no report holds it any more. Each erasure is an
Event that says what was erased, never the erased values. The keyed client hash stays: it names no one
and is what spots a flood of reports from one client.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext, ngettext
from sqlalchemy import func, or_, select

from corrections.extensions import db
from corrections.languages import N_, number
from corrections.models import Event, OutboxMessage, Report, utcnow
from corrections.reports import consent
from corrections.vocabulary import CLOSED

# Reports erased per transaction by purge_batch: short transactions, bounded memory.
BATCH = 200
UNSENT = ("pending", "held")
# What an erasure took and why, one sentence each, worded when the report's history is shown (erasure_comment).
ERASED = {
    "reader": {
        "name": N_("Name erased at the reader’s request."),
        "email": N_("E-mail address erased at the reader’s request."),
        "name_email": N_("Name and e-mail address erased at the reader’s request."),
        "contact": N_("Contact details erased at the reader’s request."),
    },
    "system": {
        "name": N_("Name erased by the system."),
        "email": N_("E-mail address erased by the system."),
        "name_email": N_("Name and e-mail address erased by the system."),
        "contact": N_("Contact details erased by the system."),
    },
}
CLEANED_UP = {
    "name": lambda days: ngettext(
        "Name erased by the personal-data clean-up (closed more than %(count)s day ago).",
        "Name erased by the personal-data clean-up (closed more than %(count)s days ago).", days, count=number(days)),
    "email": lambda days: ngettext(
        "E-mail address erased by the personal-data clean-up (closed more than %(count)s day ago).",
        "E-mail address erased by the personal-data clean-up (closed more than %(count)s days ago).", days,
        count=number(days)),
    "name_email": lambda days: ngettext(
        "Name and e-mail address erased by the personal-data clean-up (closed more than %(count)s day ago).",
        "Name and e-mail address erased by the personal-data clean-up (closed more than %(count)s days ago).", days,
        count=number(days)),
    "contact": lambda days: ngettext(
        "Contact details erased by the personal-data clean-up (closed more than %(count)s day ago).",
        "Contact details erased by the personal-data clean-up (closed more than %(count)s days ago).", days,
        count=number(days)),
}


@dataclass
class Erased:
    """What one erasure did (or, in a dry run, would do)."""

    reports: int = 0
    messages_cancelled: int = 0
    messages_blanked: int = 0

    def add(self, other: "Erased") -> None:
        self.reports += other.reports
        self.messages_cancelled += other.messages_cancelled
        self.messages_blanked += other.messages_blanked


def has_contact(report: Report) -> bool:
    """Whether the report still holds anything that says who sent it or how to reach them."""
    return bool(report.reporter_name or report.reporter_email or report.notify)


def _messages_with_data(report: Report) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.report_id == report.id, or_(OutboxMessage.to_address != "", OutboxMessage.body != ""))
        .order_by(OutboxMessage.id)
    ))


def _erase(report: Report, *, actor: str, why: str | int, dry_run: bool = False) -> Erased:
    """Blank the report's contact fields and its outbox copies, and record a privacy event. `why`: "reader" (they
    asked), "system", or the clean-up's number of days."""
    name, email = bool(report.reporter_name), bool(report.reporter_email)
    what = "name_email" if name and email else "name" if name else "email" if email else "contact"
    messages = _messages_with_data(report)
    # Held messages (waiting for the address to be confirmed) are unsent too.
    cancelled = [m for m in messages if m.status in UNSENT]
    blanked = [m for m in messages if m.status not in UNSENT]
    result = Erased(reports=1, messages_cancelled=len(cancelled), messages_blanked=len(blanked))
    if dry_run:
        return result
    report.reporter_name = ""
    report.reporter_email = ""
    report.notify = False
    for message in cancelled:
        # Never sent: the sender picks only pending messages, and a confirmation releases only held ones.
        message.status = "cancelled"
    for message in messages:
        message.to_address = ""
        message.body = ""
    # What happened, worded when the history is shown (erasure_comment): never the erased values.
    comment = {"erased": what, "why": why, "cancelled": len(cancelled), "blanked": len(blanked)}
    db.session.add(Event(report=report, actor=actor, kind="privacy", comment=json.dumps(comment)))
    return result


def erasure_comment(comment: str) -> str:
    """A privacy event's comment in the page's language: what was erased and why, and what became of the
    e-mails. A comment stored as an English sentence (before erasures were recorded as what happened) as it is."""
    try:
        done = json.loads(comment) if comment.startswith("{") else None
        what, why = done["erased"], done["why"]
        cancelled, blanked = int(done["cancelled"]), int(done["blanked"])
        erased = CLEANED_UP[what] if isinstance(why, int) else ERASED[why][what]
    except (ValueError, TypeError, KeyError):
        return comment
    said = [erased(why) if isinstance(why, int) else gettext(erased)]
    if cancelled:
        said.append(ngettext("%(count)s unsent e-mail cancelled.", "%(count)s unsent e-mails cancelled.", cancelled,
                             count=number(cancelled)))
    if blanked:
        said.append(ngettext("Address and text of %(count)s e-mail already sent erased from the outbox.",
                             "Address and text of %(count)s e-mails already sent erased from the outbox.", blanked,
                             count=number(blanked)))
    return " ".join(said)


def forget_contact(report: Report, by_reader: bool) -> Erased:
    """Erase the reporter's name and e-mail from a report (whatever its status) and from its outbox messages.

    by_reader: the reader asked from their status page (the event's actor is "reader"); otherwise
    the system did it. Pending outcome e-mails are cancelled and no later one is queued, since the
    report no longer has an address or consent. Returns what was erased (nothing when there was no
    contact data left). Does not commit.
    """
    if not has_contact(report) and not _messages_with_data(report):
        return Erased()
    why = "reader" if by_reader else "system"
    address = report.reporter_email
    erased = _erase(report, actor="reader" if by_reader else "system", why=why)
    db.session.flush()
    consent.forget_unused([address])
    return erased


def purgeable(older_than_days: int, now: datetime | None = None):
    """The query for closed reports, closed more than `older_than_days` ago, that still hold contact data.

    A closed report with no closed_at (closed before that column was kept) counts from when it was filed.
    Open reports are never included: an editor may still need to ask the reader.
    """
    if older_than_days < 0:
        raise ValueError("older_than_days must be zero or more")
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    return (
        select(Report)
        .where(Report.status.in_(CLOSED),
               func.coalesce(Report.closed_at, Report.created_at) < cutoff,
               or_(Report.reporter_name != "", Report.reporter_email != "", Report.notify.is_(True)))
        .order_by(Report.id)
    )


@dataclass
class PurgedBatch:
    """One batch of purge_batch: what was erased, the last report looked at, and the addresses erased."""

    erased: Erased
    last_id: int
    addresses: set[str]


def purge_batch(older_than_days: int, after_id: int, now: datetime, *, dry_run: bool = False) -> PurgedBatch | None:
    """Erase name and e-mail from the next BATCH closed reports (ids above `after_id`) closed more than
    `older_than_days` days before `now`; None when there are none left. Does not commit: the caller commits
    each batch, so transactions stay short and memory bounded, and reads a batch again should an editor
    change one of its reports meanwhile (perhaps reopening it).

    The reports and their history stay; each erased report gets a privacy event from "system", and its outbox
    messages lose their address and text (unsent ones are cancelled). With dry_run nothing changes and the
    counts say what would be erased. The addresses erased are forgotten by consent.forget_unused once every
    batch is done. Raises ValueError for a negative number of days.
    """
    batch = list(db.session.scalars(purgeable(older_than_days, now).where(Report.id > after_id).limit(BATCH)))
    if not batch:
        return None
    done = Erased()
    addresses = {report.reporter_email for report in batch}
    for report in batch:
        done.add(_erase(report, actor="system", dry_run=dry_run, why=older_than_days))
    return PurgedBatch(done, batch[-1].id, addresses)
