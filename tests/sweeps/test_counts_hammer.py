"""The counts per status under fire: editors sending bulk actions and moves over the same reports at once,
readers filing new ones, and an observer checking at every moment that the kept counts equal a real count
and are never negative."""

import random
import threading

from sqlalchemy import text

from corrections import intake, vocabulary
from corrections.extensions import db
from corrections.reports import workflow
from corrections.reports.filing import ReportInput
from corrections.triage import queue
from tests.helpers import csrf_token, file_report, login, make_article, make_editor

# The kept counts and the real ones in one statement, so both are read from the same snapshot.
BOTH = text(
    "SELECT 'kept', status, SUM(n) FROM report_count GROUP BY status "
    "UNION ALL SELECT 'real', status, COUNT(*) FROM report GROUP BY status"
)
BULK = ["spam", "in_review", "reject", "assign_me", "accepted", "duplicate"]


def observe() -> tuple[dict, dict]:
    kept, real = dict.fromkeys(vocabulary.STATES, 0), dict.fromkeys(vocabulary.STATES, 0)
    for which, status, n in db.session.execute(BOTH):
        (kept if which == "kept" else real)[status] = int(n)
    db.session.rollback()
    return kept, real


def test_counts_stay_exact_whatever_bulk_actions_and_moves_race(make_app, monkeypatch):
    app = make_app(RATELIMIT_ENABLED=False)
    # Fold often, so folding races the writers too.
    monkeypatch.setattr(queue, "FOLD_AT", 4)
    with app.app_context():
        articles = [make_article() for _ in range(2)]
        article_ids = [a.id for a in articles]
        ids = [file_report(articles[n % 2], passage="").id for n in range(24)]
        for n in range(3):
            make_editor(f"editor{n}@example.org", f"Editor {n}")
    errors, observations, done = [], [], threading.Event()

    def editor(n: int):
        rng = random.Random(n)
        try:
            client = app.test_client()
            login(client, f"editor{n}@example.org")
            token = csrf_token(client)
            for _ in range(25):
                action = rng.choice(BULK)
                chosen = rng.sample(ids, rng.randint(1, 6))
                data = {"csrf_token": token, "action": action, "back": "/editor/",
                        # No version seen: only the database's own version check stands between racers.
                        "selected": [f"{i}:" for i in chosen],
                        "reason": workflow.REJECT_REASONS[0]}
                response = client.post("/editor/bulk", data=data)
                assert response.status_code == 302, response.status_code
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    def reader():
        try:
            with app.app_context():
                from corrections.models import Article

                for i in range(10):
                    # Through the delivery side's filing, as the form and the API file: a deadlock with an
                    # editor's bulk step (each waiting on the other's kept counts) is run again there.
                    article = db.session.get(Article, article_ids[i % 2])
                    intake.submit_or_spool(article, article.slug, ReportInput(
                        category="factual", description="The figure in this sentence is wrong.", passage=""),
                        client="test")
                    queue.status_counts()  # which folds now and then
                    db.session.rollback()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    def observer():
        try:
            with app.app_context():
                while not done.is_set():
                    observations.append(observe())
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    watching = threading.Thread(target=observer)
    watching.start()
    workers = [threading.Thread(target=editor, args=(n,)) for n in range(3)] + [threading.Thread(target=reader)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    done.set()
    watching.join(timeout=60)

    assert errors == []
    assert len(observations) > 10
    for kept, real in observations:
        assert min(kept.values()) >= 0, kept
        assert kept == real
    with app.app_context():
        kept, real = observe()
        assert kept == real == queue.status_counts()
        assert sum(real.values()) == 34
        # The racers did change things: more than one status is in use.
        assert sum(1 for n in real.values() if n) > 2
