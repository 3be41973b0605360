"""The archive sweep: after a notice is published, the other articles that carry its wrong words, verbatim or
lightly reworded and not already corrected, are listed for editors as "same error elsewhere" (a Repeat each).

Publishing only queues the sweep (`queue`, registered with `publishing.when_published`): a RepeatSweep row in the
same change, so publishing stays as fast as it was. A background run (`corrections serve`, or `corrections
sweep-repeats` from cron) claims due sweeps as the outbox's sender claims messages (infra/retry_queue.claim_due),
so with several servers each sweep runs once, and calls `sweep` for each.

`sweep` reads only the articles a database prefilter leaves (`candidates`: a LIKE for each word every match
carries, and one for at least one of the words of which a match may miss only some; matching.prefilter_terms),
tests each quickly on its text (`Pattern.quick_test`), then looks for the error in what is left
(`Pattern.best`), which never takes an article that carries the right words. The notice's own article is not
swept, nor an article already listed for the notice. LIKE rather than a full-text index: on a few thousand
articles a sweep reads well under a second on either database (ARCHITECTURE.md, "Same error elsewhere"), and no
index has to be kept on every article's text; the words of the prefilter are those a LIKE can test without
folding (ASCII), the rest are left to the matcher.
"""

import time
from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select

from corrections.extensions import db
from corrections.models import Article, Notice, Repeat, RepeatSweep, utcnow
from corrections.notices import publishing
from corrections.repeats.matching import KnownError, Pattern, compile_error, prefilter_terms

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


def _like_terms(words: tuple[str, ...]) -> list[str]:
    # A LIKE folds the case of ASCII letters only (SQLite), so other words are left to the matcher.
    return [word for word in words if word.isascii()]


def candidates(pattern: Pattern, notice: Notice, *, postgres: bool) -> Select:
    """The articles that may repeat the error (id, current revision, text): every one but the notice's own and
    those already listed for it, narrowed by the prefilter's words where a LIKE can test them."""
    query = (select(Article.id, Article.current_revision_id, Article.body_text)
             .where(Article.id != notice.article_id,
                    ~exists().where(Repeat.notice_id == notice.id, Repeat.article_id == Article.id))
             .order_by(Article.id))
    terms = prefilter_terms(pattern)
    if terms is None:
        return query
    contains = (lambda word: Article.body_text.ilike(f"%{word}%")) if postgres else (
        lambda word: Article.body_text.like(f"%{word}%"))
    for word in _like_terms(terms.all_of):
        query = query.where(contains(word))
    # One of these is in every match: all of them must be testable, or the condition would leave matches out.
    if terms.any_of and len(_like_terms(terms.any_of)) == len(terms.any_of):
        query = query.where(or_(*(contains(word) for word in terms.any_of)))
    return query


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
        postgres = db.session.get_bind().dialect.name == "postgresql"
        rows = db.session.execute(candidates(pattern, notice, postgres=postgres).execution_options(yield_per=BATCH))
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


def run(sweep_row: RepeatSweep) -> Swept:
    """Run a claimed sweep and record it done with what it found. Does not commit."""
    notice = db.session.get(Notice, sweep_row.notice_id)
    done = sweep(notice)
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
