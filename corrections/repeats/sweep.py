"""The archive sweep: after a notice is published, the other articles that carry its wrong words, verbatim or
lightly reworded and not already corrected, are listed for editors as "same error elsewhere" (a Repeat each).

Publishing only queues the sweep (`queue`, registered with `publishing.when_published`): a RepeatSweep row in the
same change, so publishing stays as fast as it was. A background run (`corrections serve`, or `corrections
sweep-repeats` from cron) claims due sweeps as the outbox's sender claims messages (infra/retry_queue.claim_due),
so with several servers each sweep runs once, and calls `sweep` for each.

`sweep` reads only the articles the database's index of their words leaves (word_index.candidates: the words and
numbers every match carries, and at least one of the words of which a match may miss only some, as near each other
as a match has them; on PostgreSQL a GIN index of the articles' words by window, on an expression of the text, on
SQLite FTS5 tables kept by triggers). It tests each quickly on its text
(`Pattern.quick_test`), then looks for the error in what is left (`Pattern.best`), which never takes an article
that carries the right words. The notice's own article is not swept, nor an article already listed for the
notice. Measured at 100,000 articles (bench/README.md, "Repeated errors").

A known error can also come back later: every new revision of an article (imported, sent through the API, edited)
queues a check (`queue_check`, registered with `revisions.when_recorded`), run by the same background runs:
`check` looks in its text for every error corrected before it, through check-text's index of the known errors
(checks.known_errors), and opens an item of origin "came_back" for each. Articles' headlines are not looked in.
"""

import time
from dataclasses import dataclass

from sqlalchemy import exists, select

from corrections.articles import revisions
from corrections.extensions import db
from corrections.models import Article, ArticleRevision, Notice, Repeat, RepeatSweep, utcnow
from corrections.notices import publishing
from corrections.repeats import checks, word_index
from corrections.repeats.matching import KnownError, Match, compile_error

# Articles read from the database at a time.
BATCH = 200


def known_error(notice: Notice) -> KnownError:
    """The error a notice corrected, as the matcher looks for it."""
    return KnownError(notice.id, notice.wrong_text, notice.right_text)


@publishing.when_published
def queue(notice: Notice) -> RepeatSweep | None:
    """Queue the sweep of the archive for a notice that names wrong words; None when it names none. Does not
    commit: the sweep exists exactly when the notice does."""
    if not notice.wrong_text:
        return None
    sweep_row = RepeatSweep(notice_id=notice.id, queued_at=utcnow(), next_attempt_at=utcnow())
    db.session.add(sweep_row)
    return sweep_row


def unqueue(notice: Notice) -> None:
    """Take back the sweeps queued for a notice not swept yet (a notice that corrects an error found by a sweep:
    the other articles with it are the first notice's to list). Does not commit."""
    db.session.flush()
    for row in db.session.scalars(select(RepeatSweep).where(RepeatSweep.notice_id == notice.id,
                                                            RepeatSweep.status == "pending")):
        db.session.delete(row)


@dataclass(frozen=True)
class Swept:
    """What a sweep did: the items it opened, how many articles it read after the prefilter, how long it took."""

    found: list[Repeat]
    read: int
    seconds: float


def sweep(notice: Notice) -> Swept:
    """Look for the notice's error in every other article and open an item for each that repeats it. A notice
    whose wrong words are too short or common to look for (matching.matchable), or withdrawn, finds nothing.
    Does not commit."""
    started = time.perf_counter()
    pattern = compile_error(known_error(notice)) if notice.withdrawn_at is None else None
    found: list[Repeat] = []
    read = 0
    if pattern is not None:
        # The ids at once, then the texts a batch at a time: through a cursor (yield_per) PostgreSQL plans for
        # the first rows and walks every article rather than ask the index of their words.
        ids = db.session.scalars(word_index.candidates(pattern, notice)).all()
        for first in range(0, len(ids), BATCH):
            rows = db.session.execute(select(Article.id, Article.current_revision_id, Article.body_text)
                                      .where(Article.id.in_(ids[first:first + BATCH])).order_by(Article.id))
            for article_id, revision_id, text in rows:
                read += 1
                if revision_id is None or not pattern.quick_test(text.lower()):
                    continue
                match = pattern.best(text)
                if match is not None:
                    found.append(Repeat(notice_id=notice.id, article_id=article_id, revision_id=revision_id,
                                        match_start=match.start, match_end=match.end, matched_text=match.text,
                                        score=match.score, origin="sweep", found_at=utcnow()))
        db.session.add_all(found)
    return Swept(found, read, time.perf_counter() - started)


@revisions.when_recorded
def queue_check(revision: ArticleRevision) -> RepeatSweep:
    """Queue the check of an article's new text (imported, sent through the API, edited) for the errors corrected
    before it. Does not commit: the check exists exactly when the revision does."""
    check_row = RepeatSweep(revision_id=revision.id, queued_at=utcnow(), next_attempt_at=utcnow())
    db.session.add(check_row)
    return check_row


def check(revision: ArticleRevision) -> Swept:
    """Look in an article's revision for the errors notices corrected before it was made (the known errors of
    checks.py, the same index check-text reads), and open an item (origin "came_back") for each it repeats: not for
    a notice of this article, nor for one that has an item for it already, nor for a notice published by confirming
    an item (its error is its original's). Only the article's current revision is checked (a newer one has its own
    check). Does not commit."""
    started = time.perf_counter()
    article = db.session.get(Article, revision.article_id)
    found: list[Repeat] = []
    if article.current_revision_id == revision.id:
        best: dict[int, Match] = {}
        for match in checks.known_errors().current().find(revision.body_text):
            if match.error.id not in best or match.score > best[match.error.id].score:
                best[match.error.id] = match
        # Not a notice published by confirming an item: its error is its original notice's, found already.
        notices = {notice.id: notice for notice in db.session.scalars(select(Notice).where(
            Notice.id.in_(best), Notice.article_id != article.id, Notice.published_at < revision.created_at,
            Notice.withdrawn_at.is_(None), ~exists().where(Repeat.fixed_by_id == Notice.id),
            ~exists().where(Repeat.notice_id == Notice.id, Repeat.article_id == article.id)))} if best else {}
        for notice_id, match in sorted(best.items()):
            if notice_id in notices:
                found.append(Repeat(notice_id=notice_id, article_id=article.id, revision_id=revision.id,
                                    match_start=match.start, match_end=match.end, matched_text=match.text,
                                    score=match.score, origin="came_back", found_at=utcnow()))
        db.session.add_all(found)
    return Swept(found, 1, time.perf_counter() - started)


def run(sweep_row: RepeatSweep) -> Swept:
    """Run a claimed sweep (of the archive for a notice, or of a revision for the known errors) and record it done
    with what it found. Does not commit."""
    if sweep_row.notice_id is not None:
        done = sweep(db.session.get(Notice, sweep_row.notice_id))
    else:
        done = check(db.session.get(ArticleRevision, sweep_row.revision_id))
    sweep_row.status = "done"
    sweep_row.done_at = utcnow()
    sweep_row.attempts += 1
    sweep_row.articles_read = done.read
    sweep_row.found = len(done.found)
    sweep_row.seconds = round(done.seconds, 3)
    return done


def state_of(notice: Notice) -> RepeatSweep | None:
    """The notice's latest sweep, queued or done; None when none was queued (it names no wrong words)."""
    return db.session.scalar(select(RepeatSweep).where(RepeatSweep.notice_id == notice.id)
                             .order_by(RepeatSweep.id.desc()).limit(1))
