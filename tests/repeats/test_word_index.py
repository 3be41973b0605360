"""The sweep asks the database's index of the articles' words first (PostgreSQL: windows of the words kept by a
trigger, with a GIN index; SQLite: FTS5 tables kept by triggers): the index follows every change of an article's
text, holds a word written with a soft hyphen or a zero-width joiner inside it as the word, leaves out an article
whose words are far apart or whose figure is the right one, and never makes the article with the right words a
match."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from corrections import MIGRATIONS
from corrections.articles import content
from corrections.extensions import db
from corrections.models import Article, Notice
from corrections.notices import publishing
from corrections.repeats import sweep, word_index
from corrections.repeats.matching import JOINERS, compile_error
from tests.helpers import make_article, make_editor

WRONG = "The Westhaven ferry carried 4,800 passengers on Tuesday, the harbour trust said"
RIGHT = "The Westhaven ferry carried 8,400 passengers on Tuesday, the harbour trust said"
ELSEWHERE = "<p>The council met on Monday to discuss the new bus route.</p>"


def article(name: str, body: str) -> Article:
    return make_article(slug=f"ferry-{name}", title=f"Ferry ({name})", canonical_url=f"https://news.example.org/{name}",
                        body=body)


def published(original: Article) -> Notice:
    notice = publishing.publish(original, "correction", "An earlier version gave the wrong number of passengers.",
                                by=make_editor(), wrong_text=WRONG, right_text=RIGHT)
    db.session.commit()
    return notice


def candidates(notice: Notice) -> set[int]:
    return set(db.session.scalars(word_index.candidates(compile_error(sweep.known_error(notice)), notice)))


def swept(notice: Notice) -> set[int]:
    found = {repeat.article_id for repeat in sweep.sweep(notice).found}
    db.session.rollback()  # what it would list, not kept
    return found


def change(article: Article, body: str) -> None:
    content.change_text(article, article.title, body, source="api", by="Pipeline")
    db.session.commit()


def test_a_text_changed_to_carry_the_error_is_found_and_one_changed_away_from_it_is_not(app):
    original = article("original", f"<p>{WRONG}.</p>")
    later = article("later", ELSEWHERE)
    fixed = article("fixed", f"<p>Busy day.</p><p>{WRONG}.</p>")
    notice = published(original)
    assert swept(notice) == {fixed.id}

    change(later, f"<p>Busy day.</p><p>{WRONG}.</p>")
    change(fixed, ELSEWHERE)
    assert candidates(notice) == {later.id}  # the old words are no longer in the index
    assert swept(notice) == {later.id}


def test_the_right_version_is_never_a_match_before_or_after_an_edit(app):
    original = article("original", f"<p>{WRONG}.</p>")
    right = article("right", f"<p>{RIGHT}.</p>")
    edited = article("edited", f"<p>{WRONG}.</p>")
    notice = published(original)
    assert swept(notice) == {edited.id}
    assert right.id not in candidates(notice)  # the wrong figure is asked for
    change(edited, f"<p>{RIGHT}.</p>")
    assert candidates(notice) == set() and swept(notice) == set()


@pytest.mark.parametrize("joiner", list(JOINERS), ids=[f"U+{ord(joiner):04X}" for joiner in JOINERS])
def test_a_word_with_a_joiner_inside_it_is_the_word(app, joiner):
    original = article("original", f"<p>{WRONG}.</p>")
    hyphenated = article("hyphenated", f"<p>{WRONG.replace('Westhaven', f'West{joiner}haven')}.</p>")
    notice = published(original)
    assert hyphenated.id in candidates(notice)
    assert swept(notice) == {hyphenated.id}


def test_figures_next_to_words_decimal_points_and_thousands_are_found(app):
    wrong = ("Turnover at Acme rose 6.5 per cent to £4.2bn in Q3, the best since the 1990s, Jo Bloggs said of its "
             "1,200 staff")
    original = article("original", f"<p>{wrong}.</p>")
    # Thousands written without a separator: the same number to the matcher.
    repeated = article("repeated", f"<p>Results.</p><p>{wrong.replace('1,200', '1200')}.</p>")
    other = article("other", f"<p>{wrong.replace('1,200', '1,300')}.</p>")
    notice = publishing.publish(original, "correction", "An earlier version gave the wrong growth.",
                                by=make_editor(), wrong_text=wrong, right_text=wrong.replace("6.5", "5.6"))
    db.session.commit()
    assert repeated.id in candidates(notice) and other.id not in candidates(notice)
    assert swept(notice) == {repeated.id}


def test_the_names_and_numbers_are_asked_for_as_near_each_other_as_a_match_has_them(app):
    original = article("original", f"<p>{WRONG}.</p>")
    # 108 words between the first sentence and the last: more than PostgreSQL's windows hold (96; SQLite's NEAR is
    # nearer still).
    filler = " ".join(["The council met again to discuss the bus route."] * 12)
    near = article("near", "<p>On Tuesday the Westhaven ferry carried 4,800 people, 12 more than 7 days before.</p>")
    scattered = article("scattered", f"<p>The Westhaven ferry carried 4,800 passengers.</p><p>{filler}</p>"
                                     "<p>On Tuesday, the harbour trust said so.</p>")
    notice = published(original)
    assert candidates(notice) == {near.id}
    assert scattered.id not in swept(notice)


@pytest.mark.databases("sqlite")
def test_the_sqlite_index_is_the_articles_words_after_every_insert_change_and_delete(app):
    first = article("first", f"<p>{WRONG}.</p>")
    second = article("second", ELSEWHERE)
    change(first, ELSEWHERE)
    change(second, f"<p>{WRONG.replace('Westhaven', 'West' + JOINERS[0] + 'haven')}.</p>")
    db.session.commit()
    with db.engine.connect() as connection:  # the article alone, its revisions left behind
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.exec_driver_sql("DELETE FROM article WHERE id = ?", (first.id,))
        connection.commit()
    # rank 1: each table is also compared with its content (the texts, without joiners).
    for name in (word_index.SQLITE_TABLE, word_index.SQLITE_NUMBERS):
        db.session.execute(text(f"INSERT INTO {name} ({name}, rank) VALUES ('integrity-check', 1)"))
    words = dict(db.session.execute(text("SELECT term, doc FROM article_words_vocab")).all())
    assert words["westhaven"] == 1 and "west" not in words and "haven" not in words
    assert "bus" not in words  # the deleted article's words went with it
    numbers = db.session.execute(text("SELECT rowid FROM article_numbers WHERE article_numbers MATCH '\"4,800\"'"))
    assert numbers.scalars().all() == [second.id]


def plan(notice: Notice) -> list[str]:
    query = word_index.candidates(compile_error(sweep.known_error(notice)), notice)
    # A few rows: the planner would rather read them all, by the table or by its primary key; with neither, the
    # query's condition must be one an index of the words answers.
    db.session.execute(text("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"))
    return db.session.execute(text("EXPLAIN " + str(query.compile(db.engine, compile_kwargs={"literal_binds": True})))
                              ).scalars().all()


@pytest.mark.databases("postgresql")
def test_postgresql_asks_the_index_of_its_windows_of_the_words(app):
    notice = published(article("original", f"<p>{WRONG}.</p>"))
    lines = plan(notice)
    assert any(word_index.POSTGRES_WINDOWS_INDEX in line for line in lines), lines


# 31 tokens, 7 edits: a match may span more words than a window promises to hold together.
LONG_WRONG = ("The Westhaven ferry carried 4,800 passengers on Tuesday, the harbour trust said, more than on any "
              "other day of the summer since the new pier opened to boats and walkers in May")


@pytest.mark.databases("postgresql")
def test_postgresql_asks_the_whole_texts_for_an_error_longer_than_its_windows_hold(app):
    original = article("original", f"<p>{LONG_WRONG}.</p>")
    repeated = article("repeated", f"<p>Busy day.</p><p>{LONG_WRONG}.</p>")
    article("other", ELSEWHERE)
    notice = publishing.publish(original, "correction", "An earlier version gave the wrong number of passengers.",
                                by=make_editor(), wrong_text=LONG_WRONG,
                                right_text=LONG_WRONG.replace("4,800", "8,400"))
    db.session.commit()
    assert word_index.reach(compile_error(sweep.known_error(notice))) > word_index.STRIDE + 1
    assert candidates(notice) == {repeated.id}
    assert swept(notice) == {repeated.id}
    lines = plan(notice)
    assert any(word_index.POSTGRES_INDEX in line for line in lines), lines


@pytest.mark.databases("postgresql")
def test_a_repeat_is_a_candidate_wherever_it_starts_in_the_postgresql_windows(app):
    original = article("original", f"<p>{WRONG}.</p>")
    # From 0 to two windows' worth of words before it: the repeat starts at every place in a window, and ends in
    # the next window or the one after.
    placed = {article(f"after-{words}", f"<p>{' '.join(['word'] * words)} {WRONG}. The end.</p>").id
              for words in range(2 * word_index.STRIDE + 2)}
    notice = published(original)
    assert candidates(notice) == placed


def windows_of(body_text: str) -> dict[int | None, set[str]]:
    """What PostgreSQL's index of the words by window holds for a text: each slot's words, and (None) the text's."""
    slots: dict[int | None, set[str]] = {}
    for key in db.session.scalar(text("SELECT tsvector_to_array(article_window_words(:text))"), {"text": body_text}):
        word, _, slot = key.partition("_")
        slots.setdefault(int(slot) if slot else None, set()).add(word)
    return slots


@pytest.mark.databases("postgresql")
def test_the_postgresql_windows_hold_the_words_runs_of_letters_and_digits_without_joiners(app):
    written = f"{WRONG.replace('Westhaven', 'West' + JOINERS[0] + 'haven')}, £4.2bn in Q3."
    words = {"the", "westhaven", "ferry", "carried", "4", "800", "passengers", "on", "tuesday", "harbour", "trust",
             "said", "2", "bn", "in", "q", "3"}
    assert windows_of(written) == {None: words, 0: words}


@pytest.mark.databases("postgresql")
def test_the_postgresql_windows_overlap_by_a_stride_and_share_a_slot_every_slots_windows(app):
    stride, slots = word_index.STRIDE, word_index.SLOTS
    # Window n holds words n * stride + 1 to n * stride + 2 * stride; the last window, whose words the one before
    # holds, is left out: 3 strides of words and one more make windows 0 to 2.
    numbers = {slot: set(map(int, words)) for slot, words in windows_of(
        " ".join(str(number) for number in range(1, 3 * stride + 2))).items()}
    assert numbers == {None: set(range(1, 3 * stride + 2)), 0: set(range(1, 2 * stride + 1)),
                       1: set(range(stride + 1, 3 * stride + 1)), 2: set(range(2 * stride + 1, 3 * stride + 2))}
    # Window `slots` shares slot 0 with window 0.
    words = windows_of(" ".join(["far"] * (slots * stride) + ["away"] * (2 * stride)))
    assert len(words) == slots + 1 and words[0] == {"far", "away"} and words[1] == {"far"}


@pytest.mark.databases("postgresql")
def test_the_articles_there_before_get_their_windows_from_the_migration(app):
    original = article("original", f"<p>{WRONG}.</p>").id
    repeated = article("repeated", f"<p>Busy day.</p><p>{WRONG}.</p>").id
    article("other", ELSEWHERE)
    db.session.remove()
    downgrade(directory=str(MIGRATIONS), revision="daba20773289")
    assert db.session.execute(text("SELECT to_regclass('article_window')")).scalar() is None
    db.session.remove()
    upgrade(directory=str(MIGRATIONS))
    notice = published(db.session.get(Article, original))
    assert candidates(notice) == {repeated}


@pytest.mark.databases("sqlite")
def test_without_fts5_the_sweep_reads_the_articles_through_like(app):
    # A SQLite without FTS5: its migration made no table (nor triggers).
    for name in ("insert", "delete", "update"):
        db.session.execute(text(f"DROP TRIGGER article_words_{name}"))
    for name in ("article_words_vocab", word_index.SQLITE_TABLE, word_index.SQLITE_NUMBERS):
        db.session.execute(text(f"DROP TABLE {name}"))
    db.session.commit()
    original = article("original", f"<p>{WRONG}.</p>")
    repeated = article("repeated", f"<p>Busy day.</p><p>{WRONG}.</p>")
    article("other", ELSEWHERE)
    notice = published(original)
    assert not word_index.sqlite_words()
    assert "LIKE" in str(word_index.candidates(compile_error(sweep.known_error(notice)), notice))
    assert candidates(notice) == {repeated.id}
    assert swept(notice) == {repeated.id}
