"""Feedback for generating systems: one record per decided report, in the shipped JSON Schema's format, a page at a
time in the order of the decisions (reports/feedback.py)."""

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator

from corrections.articles import content
from corrections.extensions import db
from corrections.models import Article, Notice, Report, utcnow
from corrections.notices import publishing
from corrections.reports import decisions, feedback, workflow
from corrections.reports.outcomes import REJECT_REASONS
from tests.helpers import file_report, make_article
from tests.planner import planned_at_a_million_reports, statements_run

# Decisions are given once they can no longer be undone: the test's decisions are dated a day back.
DAY_AGO = utcnow().replace(microsecond=0) - timedelta(days=1)
# A walk that takes every decision made until now.
ANY_TIME = datetime(9000, 1, 1, tzinfo=UTC)
VALIDATOR = Draft202012Validator(feedback.schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
REJECTION = f"{REJECT_REASONS[0]} The minutes say 31 to 12."


@dataclass
class Decided:
    """decide_some's reports: three decided ones (in this order), and four that give no record."""

    article: Article
    rejected: Report
    accepted: Report
    corrected: Report
    notice: Notice
    duplicate: Report
    spam: Report
    open: Report

    @property
    def records(self) -> list[Report]:
        return [self.rejected, self.accepted, self.corrected]


def decided_at(report: Report, at: datetime) -> None:
    """The report's decision as if made at `at`."""
    report.closed_at = at
    db.session.commit()


def decide_some(editor) -> Decided:
    """An article with a report of each outcome, decided a day ago a minute apart, by the same domain functions as
    the dashboard; the reader of the rejected one gave their name and e-mail."""
    article = make_article(source_type="trainedAlgorithmicMedia", generator="newswriter 4.2")
    rejected = file_report(article, passage="31 votes to 12", name="Ada Reader", email="ada@example.org",
                           notify=True, suggested_correction="by 29 votes to 14",
                           source_url="https://council.example.org/minutes/2026-11-18")
    workflow.reject(rejected, REJECTION, by=editor)
    accepted = file_report(article, passage="Council approves budget", category="misleading",
                           description="The headline leaves out that the vote was close.")
    workflow.move(accepted, "in_review", by=editor)
    workflow.move(accepted, "accepted", by=editor, comment="Fair point: the headline needs the margin.")
    corrected = file_report(article, passage="Work starts in March.", category="outdated",
                            description="The council moved the start to April.")
    notice = publishing.publish_fixing(corrected, "correction", "An earlier version said work starts in March; "
                                       "it starts in April.", by=editor, reports=[corrected],
                                       replacement="Work starts in April.", seen_revision=1,
                                       wrong_text="in March", right_text="in April")
    db.session.commit()
    duplicate = file_report(article, passage="Work starts in March.", category="outdated",
                            description="It starts in April, the council said.")
    workflow.mark_duplicate(duplicate, corrected, by=editor)
    spam = file_report(article, description="Buy cheap watches at our shop today.")
    workflow.move(spam, "spam", by=editor)
    still_open = file_report(article, passage="31 votes to 12")
    db.session.commit()
    for minute, report in enumerate([rejected, accepted, corrected, duplicate, spam]):
        decided_at(report, DAY_AGO + timedelta(minutes=minute))
    return Decided(article, rejected, accepted, corrected, notice, duplicate, spam, still_open)


def every_record(**kwargs) -> list[dict]:
    return [record for page in feedback.pages(until=ANY_TIME, **kwargs) for record in page]


def by_reference(records: list[dict]) -> dict[str, dict]:
    return {record["reference"]: record for record in records}


def test_accepted_corrected_and_rejected_reports_give_records_in_the_order_of_their_decisions(app, editor):
    made = decide_some(editor)

    records = every_record()

    assert [(r["reference"], r["decision"]["status"]) for r in records] == [
        (made.rejected.reference, "rejected"), (made.accepted.reference, "accepted"),
        (made.corrected.reference, "corrected")]
    assert [r["decision"]["decided_at"] for r in records] == [
        (DAY_AGO + timedelta(minutes=n)).isoformat().replace("+00:00", "Z") for n in range(3)]


def test_every_record_is_valid_against_the_shipped_schema(app, editor):
    Draft202012Validator.check_schema(feedback.schema())
    decide_some(editor)

    records = every_record()

    assert records
    for record in records:
        VALIDATOR.validate(record)
        # As written out: JSON, and back the same.
        assert json.loads(json.dumps(record, ensure_ascii=False)) == record


@pytest.mark.databases("sqlite")  # how a record is made of rows read back trivially
def test_a_rejected_report_is_a_negative_with_the_reason_as_stored_and_its_canned_words(app, editor):
    made = decide_some(editor)

    record = by_reference(every_record())[made.rejected.reference]

    assert record["decision"]["reason"] == REJECTION
    assert record["decision"]["canned_reason"] == "The article is accurate as published."
    assert record["notices"] == []
    assert (record["category"], record["description"], record["suggested_correction"], record["source_url"]) == (
        "factual", "The figure in this sentence is wrong.", "by 29 votes to 14",
        "https://council.example.org/minutes/2026-11-18")


@pytest.mark.databases("sqlite")  # how a record is made of rows read back trivially
def test_a_reason_of_the_editors_own_has_no_canned_words(app, editor):
    made = decide_some(editor)

    record = by_reference(every_record())[made.accepted.reference]

    assert record["decision"] == {"status": "accepted", "decided_at": record["decision"]["decided_at"],
                                  "reason": "Fair point: the headline needs the margin.", "canned_reason": None}


def test_a_corrected_report_carries_its_notice_and_the_revision_that_fixed_the_article(app, editor):
    made = decide_some(editor)

    record = by_reference(every_record())[made.corrected.reference]

    assert record["decision"]["reason"] is None
    [notice] = record["notices"]
    assert notice["id"] == made.notice.id and notice["kind"] == "correction"
    assert notice["text"] == "An earlier version said work starts in March; it starts in April."
    assert notice["revision"] == {"id": made.notice.revision_id, "number": 2}
    assert notice["withdrawn_at"] is None and notice["updated_at"] is None
    assert (notice["wrong_text"], notice["right_text"]) == ("in March", "in April")
    # What the reader read and reported on: the first revision, not the corrected text.
    assert record["revision"]["number"] == 1
    assert record["passage"]["exact"] == "Work starts in March."


@pytest.mark.databases("sqlite")  # how a record is made of rows read back trivially
def test_the_passage_comes_with_the_text_around_it_in_the_revision_the_reader_read(app, editor):
    made = decide_some(editor)

    records = by_reference(every_record())

    rejected = records[made.rejected.reference]["passage"]
    assert rejected["quoted"] == "31 votes to 12" and rejected["where"] == "body"
    assert rejected["before"] == "The council approved the new budget on Tuesday by "
    assert rejected["after"].startswith(".\n\nThe mayor said the “extra £2.4 million”")
    assert rejected["end"] - rejected["start"] == len("31 votes to 12")
    corrected = records[made.corrected.reference]["passage"]
    # The whole text before it: the article is short.
    assert corrected["after"] == "" and corrected["before"].startswith("The council approved the new budget")
    headline = records[made.accepted.reference]["passage"]
    assert (headline["where"], headline["exact"], headline["before"]) == ("title", "Council approves budget", "")


@pytest.mark.databases("sqlite")  # how a record is made of rows read back trivially
def test_the_text_around_a_passage_is_cut_at_its_length_either_side(app, editor):
    article = make_article(body=f"{'Before. ' * 50}The levy rose 6 per cent.{' After.' * 50}")
    report = file_report(article, passage="rose 6 per cent")
    workflow.reject(report, REJECT_REASONS[0], by=editor)
    db.session.commit()
    decided_at(report, DAY_AGO)

    [record] = every_record()

    passage = record["passage"]
    assert len(passage["before"]) == len(passage["after"]) == feedback.CONTEXT
    assert passage["before"].endswith("Before. The levy ") and passage["after"].startswith(". After. After.")


@pytest.mark.databases("sqlite")  # how a record is made of rows read back trivially
def test_a_passage_not_in_the_revision_is_quoted_without_a_place(app, editor):
    article = make_article()
    report = file_report(article, passage="words that are nowhere")
    workflow.reject(report, REJECT_REASONS[1], by=editor)
    db.session.commit()
    decided_at(report, DAY_AGO)

    [record] = every_record()

    assert record["passage"] == {"quoted": "words that are nowhere", "where": None, "exact": None, "before": "",
                                 "after": "", "start": None, "end": None}
    VALIDATOR.validate(record)


@pytest.mark.databases("sqlite")  # how a record is made of rows read back trivially
def test_records_say_nothing_about_the_reader(app, editor):
    made = decide_some(editor)

    written = json.dumps(every_record(), ensure_ascii=False)

    reporter = db.session.get_one(Report, made.rejected.id)
    for personal in ("Ada Reader", "ada@example.org", reporter.client_hash, reporter.token_hash):
        assert personal not in written


def test_the_cursor_walks_every_record_once_while_reports_are_decided_between_pages(app, editor):
    made = decide_some(editor)
    waiting = [file_report(made.article, passage="31 votes to 12") for _ in range(2)]
    # Two decisions at the same moment: the cursor tells them apart by id.
    decided_at(made.accepted, made.rejected.closed_at)
    seen, after = [], None

    def walk(between_pages=lambda number: None) -> None:
        """Two records a page to the end of the stream, from where the last walk stopped."""
        nonlocal after
        for number in itertools.count():
            found = feedback.page(until=ANY_TIME, after=after, limit=2)
            seen.extend((r["reference"], r["decision"]["status"]) for r in found.records)
            after = found.end or after
            between_pages(number)
            db.session.commit()
            if not found.more:
                return

    def editors_decide(number: int) -> None:
        # New decisions come after every place a walk has passed: this walk's end or the next one's.
        if number < len(waiting):
            workflow.reject(waiting[number], REJECT_REASONS[2], by=editor)
        if number == 1:
            publishing.link(made.notice, [made.accepted], by=editor)  # decided again: accepted, then corrected

    walk(editors_decide)
    walk()  # later, from the cursor

    assert len(seen) == len(set(seen))
    assert set(seen) == {(made.rejected.reference, "rejected"), (made.accepted.reference, "accepted"),
                         (made.corrected.reference, "corrected"), (made.accepted.reference, "corrected"),
                         *((report.reference, "rejected") for report in waiting)}


def test_since_starts_at_the_decisions_made_at_that_moment_or_later(app, editor):
    made = decide_some(editor)

    records = every_record(since=made.accepted.closed_at)

    assert [r["reference"] for r in records] == [made.accepted.reference, made.corrected.reference]


def test_a_decision_that_can_still_be_undone_is_not_given_yet(app, editor):
    report = file_report(make_article(), passage="31 votes to 12")
    workflow.reject(report, REJECT_REASONS[0], by=editor)
    db.session.commit()
    settled = utcnow() + decisions.window() + decisions.SENDING_MARGIN + timedelta(seconds=1)

    assert [r for page in feedback.pages() for r in page] == []
    assert [r["reference"] for page in feedback.pages(until=feedback.settled_before(settled)) for r in page] == [
        report.reference]


def test_a_page_runs_the_same_queries_whatever_its_size(app, editor):
    decide_some(editor)

    def queries(limit: int) -> int:
        db.session.expire_all()
        return len(statements_run(lambda: feedback.page(until=ANY_TIME, limit=limit), ""))

    assert queries(1) <= queries(3) == queries(50)


@pytest.mark.databases("sqlite")
def test_a_page_is_one_range_of_the_decision_index_at_a_million_reports(app, editor):
    decide_some(editor)
    after = feedback.Position(DAY_AGO, 1)
    [(statement, parameters)] = statements_run(lambda: feedback.page(until=ANY_TIME, after=after, limit=20),
                                               "ORDER BY report.closed_at")

    plan = planned_at_a_million_reports(statement, parameters)

    assert "USING INDEX ix_report_closed_at_id (closed_at>? AND closed_at<?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


# --- The parts a record is made of -----------------------------------------------------------------------

@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("text, moment", [
    ("2026-11-24", datetime(2026, 11, 24, tzinfo=UTC)),
    ("2026-11-24T09:30:00Z", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
    ("2026-11-24T09:30:00.25+01:00", datetime(2026, 11, 24, 8, 30, 0, 250_000, tzinfo=UTC)),
    ("9999-12-31T23:00:00-05:00", datetime.max.replace(tzinfo=UTC)),  # past the calendar's end: nothing after
    ("2026-02-30", None),
    ("2026-11-24T09:30:00", None),  # a time needs its offset
    ("2026-11-24 09:30:00Z", None),
    ("24/11/2026", None),
    ("", None),
])
def test_since_is_a_date_or_a_date_time_with_its_offset(text, moment):
    assert feedback.parse_since(text) == moment


@pytest.mark.databases("sqlite")  # how a record is made of rows read back trivially
def test_records_say_how_the_article_and_the_revision_the_reader_read_were_made(app, editor):
    made = decide_some(editor)
    # Rewritten by people since: the article says so now; the revision the reader read keeps how it was written.
    made.article.source_type, made.article.generator = "humanEdits", None
    content.change_text(made.article, made.article.title, made.article.body + "<p>Updated.</p>", source="api",
                        by="CMS")
    db.session.commit()

    record = by_reference(every_record())[made.rejected.reference]

    machine = {"source_type": "trainedAlgorithmicMedia",
               "source_type_uri": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
               "generator": "newswriter 4.2"}
    assert record["revision"]["provenance"] == machine
    assert record["article"]["provenance"] == {
        "source_type": "humanEdits", "source_type_uri": "http://cv.iptc.org/newscodes/digitalsourcetype/humanEdits",
        "generator": None}


@pytest.mark.databases("sqlite")
def test_an_article_that_says_nothing_of_how_it_was_made_has_no_provenance(app, editor):
    report = file_report(make_article(), passage="31 votes to 12")
    workflow.reject(report, REJECT_REASONS[0], by=editor)
    db.session.commit()
    decided_at(report, DAY_AGO)

    [record] = every_record()

    nothing = {"source_type": None, "source_type_uri": None, "generator": None}
    assert record["article"]["provenance"] == record["revision"]["provenance"] == nothing

