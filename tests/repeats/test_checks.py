"""Checking a draft for known errors (repeats/checks.py): what a finding says, offsets in HTML, which notices are
known errors, and the index each process keeps, built again when the notices change (in another app too)."""

import pytest

from corrections.extensions import db
from corrections.models import Notice, Repeat
from corrections.notices import publishing
from corrections.repeats import checks
from corrections.repeats.matching import Index, KnownError
from tests.helpers import make_article, make_editor

WRONG = "The council approved the new budget on Tuesday by 31 votes to 12."
DRAFT = "Last week, the council passed the new budget on Tuesday by 31 votes to 12, the clerk said."


def publish(article, wrong=WRONG, right="by 31 votes to 14", by=None) -> Notice:
    notice = publishing.publish(article, "correction", "The vote was 31 to 14, not 31 to 12.",
                                by=by or make_editor(f"editor{article.id}@example.org"), wrong_text=wrong,
                                right_text=right)
    db.session.commit()
    return notice


def test_a_draft_repeating_a_correction_names_it_its_article_the_passage_and_the_words_put_right(app):
    article = make_article(title="Council approves budget")
    notice = publish(article)

    [found] = checks.check(DRAFT, is_html=False)

    assert found.as_json() == {
        "correction": {"id": notice.id, "kind": "correction",
                       "url": f"http://localhost/articles/{article.slug}#correction-{notice.id}",
                       "wrong_text": WRONG, "right_text": "by 31 votes to 14"},
        "article": {"slug": article.slug, "title": "Council approves budget", "url": article.canonical_url},
        "text": "the council passed the new budget on Tuesday by 31 votes to 12",
        "start": 11, "end": 73,
        "suggestion": "the council passed the new budget on Tuesday by 31 votes to 14",
        "score": found.score,
    }
    assert DRAFT[found.start:found.end] == found.text
    assert 0.75 <= found.score < 1


@pytest.mark.databases("sqlite")
def test_in_html_the_offsets_point_into_the_source_and_the_passage_reads_as_shown(app):
    publish(make_article())
    draft = ("<p>Budget</p>\n<p>The council <em>approved</em> the new budget on Tuesday by 31&nbsp;votes to "
             "12.</p>")

    [found] = checks.check(draft, is_html=True)

    assert found.text == "The council approved the new budget on Tuesday by 31\xa0votes to 12"
    assert draft[found.start:found.end] == ("The council <em>approved</em> the new budget on Tuesday by 31&nbsp;"
                                            "votes to 12")
    # As the passage writes it (a no-break space).
    assert found.suggestion == "The council approved the new budget on Tuesday by 31\xa0votes to 14"


def test_withdrawn_notices_and_notices_naming_no_wrong_words_are_not_known_errors(app):
    article = make_article()
    notice = publish(article)
    publishing.publish(article, "clarification", "The budget covers two years, not one.",
                       by=make_editor("clarifier@example.org"))
    db.session.commit()
    assert checks.check(DRAFT, is_html=False)

    admin = make_editor("admin@example.org", "Ada Admin", is_admin=True)
    publishing.withdraw(db.session.get_one(Notice, notice.id), "Published on the wrong article.", by=admin)
    db.session.commit()

    assert checks.check(DRAFT, is_html=False) == []
    assert len(checks.known_errors().index) == 0



def test_a_correction_published_by_confirming_the_same_error_elsewhere_is_named_only_without_its_original(app):
    original = publish(make_article())
    sibling = make_article()
    echo = publish(sibling)  # the same words corrected in the sibling, by confirming its item
    db.session.add(Repeat(notice_id=original.id, article_id=sibling.id, revision_id=sibling.current_revision_id,
                          match_start=0, match_end=len(WRONG), matched_text=WRONG, score=1.0, state="confirmed",
                          fixed_by_id=echo.id))
    db.session.commit()

    assert [found.notice_id for found in checks.check(DRAFT, is_html=False)] == [original.id]

    admin = make_editor("admin@example.org", "Ada Admin", is_admin=True)
    publishing.withdraw(db.session.get_one(Notice, original.id), "Published on the wrong article.", by=admin)
    db.session.commit()
    assert [found.notice_id for found in checks.check(DRAFT, is_html=False)] == [echo.id]

def test_the_index_is_built_again_only_when_the_notices_change_compiling_only_what_changed(app):
    article = make_article()
    editor = make_editor()
    first = publish(article, by=editor)
    known = checks.known_errors()
    checks.check(DRAFT, is_html=False)
    checks.check("Nothing to see here.", is_html=False)
    assert known.builds == 1
    [kept] = known.index.patterns

    second = publish(article, "The mayor said the “extra £2.4 million” would go to road repairs.", "£3.4 million",
                     by=editor)
    found = checks.check("The mayor said the extra £2.4 million would go to road repairs in March.", is_html=False)

    assert [f.notice_id for f in found] == [second.id]
    assert found[0].suggestion == "The mayor said the extra £3.4 million would go to road repairs"
    assert known.builds == 2
    assert kept in known.index.patterns  # compiled once

    publishing.amend(db.session.get_one(Notice, first.id), "The vote was 30 to 12, not 31 to 12.", by=editor,
                     wrong_text="by 31 votes to 12", right_text="by 30 votes to 12")
    db.session.commit()
    [found] = checks.check(DRAFT, is_html=False)
    assert (found.wrong_text, found.text, found.suggestion) == ("by 31 votes to 12", "by 31 votes to 12",
                                                                "by 30 votes to 12")
    assert known.builds == 3


def test_a_second_app_on_the_same_database_sees_a_notice_the_first_published(make_app):
    first, second = make_app(), make_app("other")
    with second.app_context():
        assert checks.check(DRAFT, is_html=False) == []
    with first.app_context():
        notice_id = publish(make_article()).id

    with second.app_context():
        assert [f.notice_id for f in checks.check(DRAFT, is_html=False)] == [notice_id]


@pytest.mark.parametrize("wrong, right, passage, suggested", [
    # Right words that are the changed part with words around it replace only what changed.
    ("Turnover at Acme rose 6 per cent to £4.2bn in 2023.", "rose 10.5 per cent",
     "turnover at Acme grew 6 percent to £4.2bn in 2023", "turnover at Acme grew 10.5 percent to £4.2bn in 2023"),
    # A whole corrected sentence: only the words that differ change in the passage, as the passage writes them.
    ("About 300 people attended the meeting at Leeds town hall on Friday.",
     "About 3,000 people attended the meeting at Leeds town hall on Friday.",
     "ABOUT 300 PEOPLE ATTENDED THE MEETING AT LEEDS TOWN HALL ON FRIDAY",
     "ABOUT 3,000 PEOPLE ATTENDED THE MEETING AT LEEDS TOWN HALL ON FRIDAY"),
    # Words dropped, with a space.
    ("Sales fell by 12 per cent in the first quarter at Acme.", "Sales fell 12 per cent in the first quarter at Acme.",
     "Sales fell by 12 per cent in the first quarter at Acme", "Sales fell 12 per cent in the first quarter at Acme"),
    # Right words with little in common: the notice's corrected words.
    ("The council approved the plan by 31 votes to 12 on Monday.", "The plan was postponed.",
     "The council backed the plan by 31 votes to 12 on Monday", "The plan was postponed."),
    # No right words: nothing to suggest.
    ("Jane Smith was appointed chair of the Harbour Trust in May.", "",
     "Jane Smith was appointed chair of the Harbour Trust in May", None),
])
def test_the_suggestion_puts_right_what_the_correction_replaced(wrong, right, passage, suggested):
    [match] = Index.build([KnownError(1, wrong, right)]).find(passage)
    assert checks.suggestion(match) == suggested


@pytest.mark.parametrize("text, is_html", [
    ("<p>The council met.</p>", True),
    ("The council met.<br/>It voted.", True),
    ('<!DOCTYPE html><html lang="en"><body>Hi</body></html>', True),
    ("<a href='https://example.org'>link</a>", True),
    ("The vote was 31 < 40 and 12 > 10.", False),
    ("Use the <strong-arm> tactic, a <bx> marker and & alone.", False),
    ("The council met.", False),
])
def test_a_text_is_read_as_html_when_it_has_markup(text, is_html):
    assert checks.looks_like_html(text) is is_html
