"""Known errors kept compiled in the database (models.NoticePattern, repeats/checks): a new process reads them back
instead of compiling them, and a stored pattern stands only while the notice's words and the matcher's rule are
the ones it was compiled from."""

import time

import pytest
from flask import current_app
from sqlalchemy import func, select, text

from corrections.extensions import db
from corrections.models import Notice, NoticePattern
from corrections.notices import publishing
from corrections.repeats import checks
from corrections.repeats.matching import KnownError, Pattern, compile_error, fingerprint
from tests.helpers import make_article, make_editor

WRONG = "The council approved the new budget on Tuesday by 31 votes to 12."
DRAFT = "Last week, the council passed the new budget on Tuesday by 31 votes to 12, the clerk said."


def publish(article, wrong=WRONG, right="by 31 votes to 14") -> Notice:
    editor = f"editor{db.session.scalar(select(func.count(Notice.id)))}@example.org"
    notice = publishing.publish(article, "correction", "The vote was 31 to 14, not 31 to 12.",
                                by=make_editor(editor), wrong_text=wrong, right_text=right)
    db.session.commit()
    return notice


def stored() -> dict[int, NoticePattern]:
    db.session.expire_all()
    return {row.notice_id: row for row in db.session.scalars(select(NoticePattern))}


def as_a_new_process() -> None:
    """Forget this app's index of known errors, as a new process starts without one."""
    current_app.extensions.pop("corrections.known_errors", None)


def compiling_refused(monkeypatch) -> None:
    def refused(error):
        raise AssertionError(f"compiled again: {error}")
    monkeypatch.setattr(checks, "compile_error", refused)


@pytest.mark.parametrize("error", [
    KnownError(1, "Turnover rose 6 per cent to £4.2bn", "rose 10.5 per cent"),
    KnownError(2, "The mayor, Jon Smiht, opened the new library in Linton on Tuesday",
               "The mayor, Jon Smith, opened the new library in Linton on Tuesday"),
    KnownError(3, "a £10,000 deposit earning 3 per cent interest will earn £300 in the first year"),
    KnownError(4, "Sales fell by 12 per cent in the first quarter at Acme.",
               "Sales fell 12 per cent in the first quarter at Acme."),
    KnownError(5, "Prices in Ｌｉｎｔｏｎ rose ６ per cent, said ﷺ Ali Khan", "rose 7 per cent"),
])
def test_a_stored_pattern_reads_back_as_the_pattern_compiled(error):
    compiled = compile_error(error)
    read = Pattern.from_stored(error, compiled.stored())
    assert (read.wrong, read.corrected, read.required, read.edits) == (
        compiled.wrong, compiled.corrected, compiled.required, compiled.edits)
    assert read.best("Elsewhere: " + error.wrong) == compiled.best("Elsewhere: " + error.wrong)


def test_a_fingerprint_tells_other_words_apart():
    one = fingerprint(KnownError(1, WRONG, "by 31 votes to 14"))
    assert fingerprint(KnownError(2, WRONG, "by 31 votes to 14")) == one  # the words, not the notice
    assert fingerprint(KnownError(1, WRONG, "by 31 votes to 15")) != one
    assert fingerprint(KnownError(1, WRONG + " ", "by 31 votes to 14")) != one


def test_a_check_stores_the_known_errors_it_compiled_and_a_new_process_reads_them_back(app, monkeypatch):
    article = make_article()
    notice = publish(article)
    too_short = publish(article, wrong="Work starts in March.", right="")
    assert checks.check(DRAFT, is_html=False)

    rows = stored()
    assert rows[notice.id].fingerprint == fingerprint(KnownError(notice.id, WRONG, "by 31 votes to 14"))
    assert rows[notice.id].pattern == compile_error(KnownError(notice.id, WRONG, "by 31 votes to 14")).stored()
    assert rows[too_short.id].pattern is None  # kept aside, and known to be

    as_a_new_process()
    compiling_refused(monkeypatch)
    [found] = checks.check(DRAFT, is_html=False)
    assert (found.notice_id, found.suggestion) == (
        notice.id, "the council passed the new budget on Tuesday by 31 votes to 14")
    assert [error.id for error in checks.known_errors().index.ignored] == [too_short.id]


def test_an_amended_notice_is_compiled_again_and_its_stored_pattern_replaced(app):
    notice = publish(make_article())
    checks.check(DRAFT, is_html=False)

    publishing.amend(db.session.get_one(Notice, notice.id), "The vote was 30 to 12, not 31 to 12.",
                     by=make_editor("amender@example.org"), wrong_text="on Tuesday by 31 votes to 12",
                     right_text="by 30 votes to 12")
    db.session.commit()
    as_a_new_process()
    [found] = checks.check(DRAFT, is_html=False)

    assert (found.wrong_text, found.text) == ("on Tuesday by 31 votes to 12", "on Tuesday by 31 votes to 12")
    assert stored()[notice.id].fingerprint == fingerprint(
        KnownError(notice.id, "on Tuesday by 31 votes to 12", "by 30 votes to 12"))


def test_a_pattern_stored_from_other_words_or_by_another_rule_is_not_used(app):
    notice = publish(make_article())
    checks.check(DRAFT, is_html=False)
    other = compile_error(KnownError(notice.id, "Sales fell by 12 per cent in the first quarter at Acme."))
    db.session.execute(NoticePattern.__table__.update().values(fingerprint="0" * 32, pattern=other.stored()))
    db.session.commit()

    as_a_new_process()
    [found] = checks.check(DRAFT, is_html=False)

    assert found.notice_id == notice.id
    assert stored()[notice.id].fingerprint == fingerprint(KnownError(notice.id, WRONG, "by 31 votes to 14"))


def test_a_notice_taken_back_takes_its_stored_pattern_with_it(app):
    notice = publish(make_article())
    checks.check(DRAFT, is_html=False)
    assert notice.id in stored()

    publishing.unpublish(db.session.get_one(Notice, notice.id), by=make_editor("undoer@example.org"))
    db.session.commit()

    assert stored() == {}
    assert checks.check(DRAFT, is_html=False) == []


def test_a_withdrawn_notice_is_no_known_error_whatever_is_stored(app, monkeypatch):
    notice = publish(make_article())
    checks.check(DRAFT, is_html=False)
    publishing.withdraw(db.session.get_one(Notice, notice.id), "Published on the wrong article.",
                        by=make_editor("admin@example.org", "Ada Admin", is_admin=True))
    db.session.commit()

    as_a_new_process()
    compiling_refused(monkeypatch)
    assert checks.check(DRAFT, is_html=False) == []


def test_a_check_answers_without_waiting_when_its_patterns_cannot_be_stored(app):
    notice = publish(make_article())
    # Another transaction holds what storing needs: SQLite's write lock, or the notice's row on PostgreSQL.
    with db.engine.connect() as other:
        if other.dialect.name == "sqlite":
            other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            other.execute(text("SELECT id FROM correction WHERE id = :id FOR UPDATE"), {"id": notice.id})
        started = time.monotonic()
        [found] = checks.check(DRAFT, is_html=False)
        assert time.monotonic() - started < 5
        other.rollback()

    assert found.notice_id == notice.id
    assert stored() == {}
    # Compiled again, and stored, by the next process.
    as_a_new_process()
    checks.check(DRAFT, is_html=False)
    assert notice.id in stored()


def test_a_process_keeps_what_it_made_of_an_unchanged_notice_whatever_another_version_stored(app, monkeypatch):
    first = publish(make_article())
    checks.check(DRAFT, is_html=False)
    # Another version of the matcher (a server not yet upgraded, or already) stored the notice its own way.
    db.session.execute(NoticePattern.__table__.update().values(fingerprint="0" * 32))
    db.session.commit()
    compiled = []
    monkeypatch.setattr(checks, "compile_error", lambda error: compiled.append(error.id) or compile_error(error))

    second = publish(make_article(), "The mayor said the “extra £2.4 million” would go to road repairs.",
                     "£3.4 million")
    assert [f.notice_id for f in checks.check(DRAFT, is_html=False)] == [first.id]

    assert compiled == [second.id]  # only the new one
    assert stored()[first.id].fingerprint == "0" * 32  # left as the other version wrote it
