"""The queue's text search: full-text indexes on SQLite (FTS5) and PostgreSQL (tsvector), same results."""

import re

import pytest
from sqlalchemy import update

from corrections.extensions import db
from corrections.models import Report
from corrections.triage.search import Query
from tests.helpers import count_queries, file_report, make_article


def found(client, q: str, status: str = "") -> list[str]:
    response = client.get("/editor/", query_string={"q": q, **({"status": status} if status else {})})
    assert response.status_code == 200, (q, response.status_code)
    return re.findall(r'class="reference">(R-[0-9A-Z]{6})<', response.get_data(as_text=True))


@pytest.fixture
def reports(app):
    article = make_article()
    return {
        "vote": file_report(article, passage="31 votes to 12", description="The council vote was 29 to 14.",
                            suggested_correction="by 29 votes to 14"),
        "money": file_report(article, passage="extra £2.4 million", description="It was £2.6 million, not 2.4."),
        "bridge": file_report(article, description="The Harbourford bridge opened in 1878, not 1887."),
        "email": file_report(article, description="The mayor's e-mail address is wrong in the article."),
        "accents": file_report(article, description="Tomás Ferreira’s name is misspelt throughout."),
    }


def test_words_are_found_in_any_field_whatever_their_case(editor_client, reports):
    assert found(editor_client, "HARBOURFORD") == [reports["bridge"].reference]
    assert found(editor_client, "votes") == [reports["vote"].reference]  # the passage
    assert found(editor_client, "29 14") == [reports["vote"].reference]  # description and suggestion
    assert found(editor_client, "1878") == [reports["bridge"].reference]


def test_every_word_must_appear(editor_client, reports):
    assert found(editor_client, "bridge 1878") == [reports["bridge"].reference]
    assert found(editor_client, "bridge million") == []


def test_a_star_matches_the_start_of_a_word(editor_client, reports):
    assert found(editor_client, "harbourf") == []
    assert found(editor_client, "harbourf*") == [reports["bridge"].reference]
    assert found(editor_client, "bri* 1878") == [reports["bridge"].reference]
    assert found(editor_client, "2.* million") == [reports["money"].reference]


def test_a_piece_with_punctuation_is_its_words_side_by_side(editor_client, reports):
    assert found(editor_client, "2.4") == [reports["money"].reference]
    assert found(editor_client, "e-mail") == [reports["email"].reference]
    assert found(editor_client, "mayor's") == [reports["email"].reference]
    assert found(editor_client, "Ferreira’s") == [reports["accents"].reference]
    assert found(editor_client, "4.2") == []


def test_accents_count(editor_client, reports):
    assert found(editor_client, "Tomás") == [reports["accents"].reference]
    assert found(editor_client, "Tomas") == []


HOSTILE = [
    '"', '""', "'", "*", "* *", "-", "--", "- bridge", "NEAR(", "NEAR(bridge 1878", "bridge NEAR/2 1878", "(", ")",
    "AND", "OR bridge", "NOT", "bridge OR", "^bridge", "bridge:*", "!bridge", "bridge & 1878", "bridge | x",
    "<->", "description:bridge", "{description}: bridge", "\\", "%", "_", "'; DROP TABLE report; --",
    "\x00", "bridge\x00", "‮bridge", "a" * 200, "x " * 100, "🙂", ":*", "&", "|", "!", "$$", "@@",
]


def test_hostile_searches_never_fail(editor_client, reports):
    # One test for them all (the reports are the same for each search; each failure names its search): as many
    # tests cost 40 apps, logins and filings per database.
    filed = {report.reference for report in reports.values()}
    for q in HOSTILE:
        results = found(editor_client, q)
        assert set(results) <= filed, f"search {q!r}"
        if not Query.parse(q) and q.replace("\x00", "").strip():  # the app drops NUL from addresses
            assert results == [], f"search {q!r}"


def test_query_syntax_is_read_as_plain_words(editor_client, reports):
    for q in ['"bridge"', "- bridge", "bridge:*", "^bridge", "!bridge", "(bridge)", "bridge*"]:
        assert found(editor_client, q) == [reports["bridge"].reference], f"search {q!r}"


@pytest.mark.databases("sqlite")
def test_a_search_without_a_word_says_what_to_type(editor_client, reports):
    response = editor_client.get("/editor/?q=%22*%22")
    assert "Type a word or a number to search for." in response.get_data(as_text=True)


def test_search_follows_edits_and_status_filters(editor_client, reports):
    bridge = reports["bridge"]
    db.session.execute(update(Report).where(Report.id == bridge.id).values(description="A viaduct, not a span."))
    db.session.commit()
    assert found(editor_client, "Harbourford") == []
    assert found(editor_client, "viaduct") == [bridge.reference]
    bridge.status = "spam"
    db.session.commit()
    assert found(editor_client, "viaduct") == []
    assert found(editor_client, "viaduct", status="spam") == [bridge.reference]
    db.session.delete(db.session.get(Report, reports["email"].id).events[0])
    db.session.execute(Report.__table__.delete().where(Report.id == reports["email"].id))
    db.session.commit()
    assert found(editor_client, "mayor") == []


def test_search_pages_run_a_bounded_number_of_queries(editor_client, reports):
    article = make_article()
    few = count_queries(editor_client, "/editor/?q=bridge")
    for n in range(30):
        file_report(article, passage="31 votes to 12" if n % 2 else "", description=f"Bridge report {n} here.")
    # As the queue's own (test_queue): the page, its groups and counts, the lists its forms offer, and the count
    # of unannounced changes waiting for an answer, and who else has the listed reports open (the presence table).
    assert count_queries(editor_client, "/editor/?q=bridge") == few <= 15
