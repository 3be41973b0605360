"""New reports on settled passages resurface: marked, with a link to the earlier decision."""

from corrections.extensions import db
from corrections.notices import publishing
from corrections.reports import workflow
from tests.helpers import file_report, make_article
from tests.triage.test_report_page import open_page

PASSAGE = "31 votes to 12"


def test_a_report_on_a_corrected_passage_links_to_the_correction(editor_client, editor):
    article = make_article()
    first = file_report(article, passage=PASSAGE)
    notice = publishing.publish(article, "correction", "The vote was 29 to 14.", by=editor, reports=[first])
    db.session.commit()
    # An overlapping passage, quoted differently.
    again = file_report(article, passage="approved the new budget on Tuesday by 31 votes")
    assert again.resurfaced_from_id == first.id
    assert again.status == "new"
    page = open_page(editor_client, again)
    assert "Already settled" in page and first.reference in page
    assert "The vote was 29 to 14." in page and f"#correction-{notice.id}" in page


def test_a_report_in_a_group_with_a_closed_report_links_to_that_decision(editor_client, editor):
    article = make_article()
    first = file_report(article, passage=PASSAGE)
    workflow.reject(first, "The article is accurate as published.", by=editor)
    db.session.commit()
    again = file_report(article, passage=PASSAGE)
    assert again.resurfaced_from_id == first.id
    page = open_page(editor_client, again)
    assert "Already settled" in page and "The article is accurate as published." in page


def test_fresh_passages_and_open_groups_do_not_resurface(app, editor):
    article = make_article()
    first = file_report(article, passage=PASSAGE)
    assert file_report(article, passage=PASSAGE).resurfaced_from_id is None  # the group is still open
    assert file_report(article, passage="Work starts in March").resurfaced_from_id is None
    assert file_report(article).resurfaced_from_id is None  # no passage
    workflow.move(first, "spam", by=editor)
    db.session.commit()
    assert file_report(article, passage=PASSAGE).resurfaced_from_id is None  # spam decides nothing


def test_an_overlapping_correction_outside_the_group_counts_while_it_stands(app, admin):
    article = make_article()
    file_report(article, passage="The council approved")
    corrected = file_report(article, passage="on Tuesday by 31 votes")
    notice = publishing.publish(article, "correction", "The vote was on Wednesday.", by=admin,
                                 reports=[corrected])
    db.session.commit()
    # Overlaps both: it joins the first report's (open) group, yet the correction of the other one settles it.
    again = file_report(article, passage="approved the new budget on Tuesday")
    assert again.cluster_id != corrected.cluster_id
    assert again.resurfaced_from_id == corrected.id

    publishing.withdraw(notice, "Published in error.", by=admin)
    db.session.commit()
    assert file_report(article, passage="approved the new budget on Tuesday").resurfaced_from_id is None


def test_the_latest_decision_in_the_group_is_linked(app, editor):
    article = make_article()
    first = file_report(article, passage=PASSAGE)
    second = file_report(article, passage=PASSAGE)
    workflow.reject(first, "Opinion.", by=editor)
    workflow.move(second, "in_review", by=editor)
    workflow.move(second, "accepted", by=editor)
    db.session.commit()
    assert file_report(article, passage=PASSAGE).resurfaced_from_id == second.id


def test_the_queue_row_marks_a_resurfaced_report_and_links_the_earlier_decision(editor_client, editor):
    import re

    from tests.triage.queue_pages import page_of

    article = make_article()
    first = file_report(article, passage=PASSAGE)
    workflow.reject(first, "The article is accurate as published.", by=editor)
    fresh_report = file_report(article, passage="Work starts in March")
    again = file_report(article, passage=PASSAGE)
    db.session.commit()
    page = page_of(editor_client, "/editor/")
    row = re.search(rf'data-reference="{again.reference}".*?</tr>', page, re.S).group(0)
    assert re.search(rf'<a class="resurfaced-tag" href="/editor/reports/{first.id}"[^>]*>Already settled</a>', row)
    assert re.search(rf'href="/editor/reports/{first.id}" class="earlier"><span class="ref">{first.reference}</span>'
                     r'</a>\s*\(<span class="status-rejected">Rejected</span>\)', row)
    other = re.search(rf'data-reference="{fresh_report.reference}".*?</tr>', page, re.S).group(0)
    assert "Already settled" not in other
