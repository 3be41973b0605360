"""A bulk step is one transaction, one commit, whose reads do not grow with its reports: the workflow's own
functions change each report in memory (workflow.batch), what they set off is looked up once, and the rows are
written at the end. Events, status counts, webhooks, e-mail and undo stay exact."""

import itertools

import pytest
from sqlalchemy import event, func, select, update

from corrections.extensions import db
from corrections.infra import webhooks
from corrections.models import (
    CannedAnswer,
    Decision,
    DecisionReport,
    Event,
    MailAddress,
    OutboxMessage,
    Report,
    ReportCount,
    WebhookDelivery,
    utcnow,
)
from corrections.reports import workflow
from corrections.triage import queue
from tests.helpers import csrf_token, file_report, make_article, make_editor

READER = "reader{n}@example.net"
READERS = itertools.count()


@pytest.fixture
def hooked(app):
    """An endpoint that wants every status change, so each report of a step queues a delivery."""
    webhooks.create_endpoint("https://hooks.example.org/corrections", ["report.status_changed"],
                             by=make_editor("ada@example.org", "Ada Admin", is_admin=True))
    db.session.commit()


def reports(n: int, status: str = "new") -> list[Report]:
    """n reports on one article, every other one from a reader who asked for e-mail and confirmed the address."""
    article = make_article()
    made, addresses = [], []
    for i in range(n):
        wants_mail = {}
        if i % 2:
            addresses.append(READER.format(n=next(READERS)))
            wants_mail = {"email": addresses[-1], "notify": True}
        made.append(file_report(article, **wants_mail))
    # As if each reader had followed the link sent when the report was filed.
    db.session.execute(update(MailAddress).where(MailAddress.address.in_(addresses)).values(confirmed_at=utcnow()))
    db.session.commit()
    if status != "new":
        with workflow.batch():
            for report in made:
                workflow.move(report, status, by=None)
        db.session.commit()
    return made


def step(client, chosen: list[Report], action: str, **fields) -> tuple[int, int, int]:
    """POST the bulk action; returns the statements it ran other than row writes (reads, deletes, the session's
    own), the rows it wrote (INSERT, UPDATE: a statement a row, see workflow.batch) and the commits."""
    statements, commits = [], []
    listen = [("before_cursor_execute", lambda *args: statements.append(args[2].lstrip())),
              ("commit", lambda *args: commits.append(True))]
    data = {"csrf_token": csrf_token(client), "action": action, "back": "/editor/?status=all",
            "selected": [f"{r.id}:{r.version}" for r in chosen], **fields}
    for name, listener in listen:
        event.listen(db.engine, name, listener)
    try:
        assert client.post("/editor/bulk", data=data).status_code == 302
    finally:
        for name, listener in listen:
            event.remove(db.engine, name, listener)
    writes = sum(1 for statement in statements if statement.startswith(("INSERT", "UPDATE")))
    return len(statements) - writes, writes, len(commits)


def counted_by_status() -> dict[str, int]:
    """The status counts the triggers keep, against a recount of the table."""
    kept = dict(db.session.execute(select(ReportCount.status, func.sum(ReportCount.n))
                                   .group_by(ReportCount.status)).all())
    recount = dict(db.session.execute(select(Report.status, func.count()).group_by(Report.status)).all())
    assert {s: n for s, n in kept.items() if n} == recount
    return recount


@pytest.mark.parametrize("action, setup, fields", [
    ("in_review", "new", {}),
    ("reject", "in_review", {"reason": "The article is accurate as published."}),
    ("accepted", "in_review", {}),
    ("spam", "new", {}),
    ("assign_me", "new", {}),
    ("duplicate", "new", {}),
])
def test_a_bulk_step_reads_the_same_and_commits_once_whatever_its_size(
        editor_client, hooked, action, setup, fields):
    step(editor_client, reports(2, setup), action, **fields)  # both measured steps follow one, as in use
    few_reads, few_writes, few_commits = step(editor_client, reports(3, setup), action, **fields)
    many_reads, many_writes, many_commits = step(editor_client, reports(24, setup), action, **fields)
    # No read, delete or commit per report: what grows is the rows written, the report's and what it sets off
    # (its event, the endpoint's delivery, its line of the decision, the reader's e-mail), and nothing else.
    assert many_reads == few_reads
    assert few_commits == many_commits == 1
    assert many_writes - few_writes <= (24 - 3) * 5


def test_a_canned_answer_step_runs_the_same_statements_whatever_its_size(editor_client, hooked):
    answer = CannedAnswer(name="Accurate", to_state="rejected", text="The article is accurate as published.")
    db.session.add(answer)
    db.session.commit()
    step(editor_client, reports(2), "answer", answer=str(answer.id))
    few = step(editor_client, reports(3), "answer", answer=str(answer.id))
    many = step(editor_client, reports(24), "answer", answer=str(answer.id))
    assert many[0] == few[0] and few[2] == many[2] == 1


def test_a_bulk_step_records_what_one_by_one_would(editor_client, editor, hooked):
    chosen = reports(10, "in_review")
    db.session.expire_all()
    events_before = db.session.scalar(select(func.count(Event.id)))
    step(editor_client, chosen, "reject", reason="The article is accurate as published.")
    db.session.expire_all()

    assert [db.session.get(Report, r.id).status for r in chosen] == ["rejected"] * 10
    assert all(db.session.get(Report, r.id).reject_reason == "The article is accurate as published." for r in chosen)
    # One event each, saying who and what; one delivery each; an e-mail to each reader who asked (confirmed).
    assert db.session.scalar(select(func.count(Event.id))) == events_before + 10
    last = [db.session.scalars(select(Event).where(Event.report_id == r.id).order_by(Event.id.desc())).first()
            for r in chosen]
    assert {(e.kind, e.from_value, e.to_value, e.actor) for e in last} == {("status", "in_review", "rejected",
                                                                            editor.name)}
    deliveries = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event == "report.status_changed",
                                                                  WebhookDelivery.body.contains('"to":"rejected"')))
    assert sorted(d.body.count(r.reference) for d in deliveries for r in chosen if r.reference in d.body) == [1] * 10
    mail = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.startswith("An editor reviewed"))))
    assert sorted(m.to_address for m in mail) == sorted(r.reporter_email for r in chosen if r.notify)
    assert len(mail) == 5
    counted_by_status()
    # One decision, undone as one, holding back what it queued until then.
    decision = db.session.scalars(select(Decision).order_by(Decision.id.desc())).first()
    assert {row.report_id for row in db.session.scalars(select(DecisionReport).where(
        DecisionReport.decision_id == decision.id))} == {r.id for r in chosen}
    held = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.body.contains('"to":"rejected"')))
    assert {(d.decision_id, d.next_attempt_at > decision.undo_until) for d in held} == {(decision.id, True)}


def test_a_refused_report_is_left_as_it_was_and_the_others_are_changed(editor_client, editor, hooked):
    chosen = reports(4, "in_review")
    other_article = file_report(make_article())
    db.session.expire_all()
    # Duplicates of a report about another article are refused one by one, by the workflow's own check.
    original = db.session.get(Report, other_article.id)
    step(editor_client, [*chosen, db.session.get(Report, chosen[0].id)], "duplicate", original=original.reference)
    db.session.expire_all()
    assert [db.session.get(Report, r.id).status for r in chosen] == ["in_review"] * 4
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    counted_by_status()


def test_a_bulk_step_is_undone_as_one(editor_client, editor, hooked):
    chosen = reports(6, "in_review")
    step(editor_client, chosen, "accepted")
    decision = db.session.scalars(select(Decision).order_by(Decision.id.desc())).first()
    response = editor_client.post(f"/editor/decisions/{decision.id}/undo",
                                  data={"csrf_token": csrf_token(editor_client), "then": "/editor/"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Report, r.id).status for r in chosen] == ["in_review"] * 6
    assert db.session.scalar(select(func.count(WebhookDelivery.id)).where(
        WebhookDelivery.body.contains('"to":"accepted"'), WebhookDelivery.status != "cancelled")) == 0
    counted_by_status()
    assert queue.reports_by_id([r.id for r in chosen])
