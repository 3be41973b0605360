"""Reports per status: kept by triggers in the same transaction as every change, exact at every moment."""

import threading

from sqlalchemy import func, select

from corrections import transaction, vocabulary
from corrections.extensions import db
from corrections.models import Event, Report, ReportCount
from corrections.reports import workflow
from corrections.triage import queue
from tests.helpers import csrf_token, file_report, make_article


def truth() -> dict[str, int]:
    counts = dict.fromkeys(vocabulary.STATES, 0)
    counts.update(db.session.execute(select(Report.status, func.count()).group_by(Report.status)).all())
    return counts


def test_counts_follow_filing_moves_bulk_actions_and_deletes(editor_client, editor):
    article = make_article()
    reports = [file_report(article) for _ in range(6)]
    assert queue.status_counts() == truth() == {**dict.fromkeys(vocabulary.STATES, 0), "new": 6}
    transaction.commit(lambda: workflow.move(reports[0], "in_review", by=editor), report=reports[0])
    transaction.commit(lambda: workflow.reject(reports[1], "Accurate.", by=editor), report=reports[1])
    assert queue.status_counts() == truth()
    editor_client.post("/editor/bulk", data={
        "csrf_token": csrf_token(editor_client), "action": "spam", "back": "/editor/",
        "selected": [f"{r.id}:{r.version}" for r in reports[2:5]]})
    db.session.expire_all()
    assert queue.status_counts() == truth()
    assert truth()["spam"] == 3
    # Changes made without the app (a script, a console) are counted too.
    db.session.execute(Report.__table__.update().where(Report.id == reports[5].id).values(status="accepted"))
    db.session.execute(Event.__table__.delete().where(Event.report_id == reports[0].id))
    db.session.execute(Report.__table__.delete().where(Report.id == reports[0].id))
    db.session.commit()
    assert queue.status_counts() == truth()


def test_the_queue_shows_the_counts(editor_client, editor):
    article = make_article()
    for _ in range(3):
        file_report(article)
    page = editor_client.get("/editor/?status=spam").get_data(as_text=True)
    assert "New <strong>3</strong>" in page and "All <strong>3</strong>" in page


def test_folding_keeps_the_sums(app, monkeypatch):
    article = make_article()
    for _ in range(12):
        file_report(article)
    report = db.session.scalar(select(Report).limit(1))
    report.status = "spam"
    db.session.commit()
    monkeypatch.setattr(queue, "FOLD_AT", 5)
    before = truth()
    assert queue.status_counts() == before  # and folds
    assert db.session.scalar(select(func.count(ReportCount.id))) == 2
    assert queue.status_counts() == before


def test_counts_stay_exact_under_concurrent_changes_and_folds(make_app, monkeypatch):
    """Writers filing and moving reports on their own connections while others fold: nothing lost."""
    app = make_app()
    monkeypatch.setattr(queue, "FOLD_AT", 3)
    with app.app_context():
        article_id = make_article().id
    errors = []

    def writer(n: int):
        try:
            with app.app_context():
                from corrections.models import Article

                article = db.session.get(Article, article_id)
                for i in range(8):
                    report = file_report(article, description=f"Writer {n} report {i} is here.")
                    if i % 2:
                        transaction.commit(lambda r=report: workflow.move(r, "spam", by=None), report=report)
                    if i % 3 == 0:
                        queue.status_counts()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    def folder():
        try:
            with app.app_context():
                for _ in range(15):
                    queue.fold_counts()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)] + [threading.Thread(target=folder)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert queue.status_counts() == truth()
        assert truth()["new"] == 12 and truth()["spam"] == 12
