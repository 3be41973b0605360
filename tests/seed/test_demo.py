"""The demo: a queue that looks like a real morning, its reports filed through the workflow."""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from corrections.extensions import db
from corrections.models import Article, Report, utcnow
from corrections.reports import clocks, tokens, workflow
from corrections.seed import demo
from corrections.seed.demo_content import DEMO_REPORTS
from corrections.vocabulary import OPEN

# The last cell of each queue row: when the report that places the row arrived.
RECEIVED = re.compile(r'<td><time datetime="([^"]+)">[^<]*</time>(?:(?!</td>).)*</td>\s*</tr>')


def test_the_demo_queue_has_targets_and_reports_in_the_order_they_arrived(app, editor_client):
    before = utcnow()
    assert demo.seed()[1] == len(DEMO_REPORTS)
    # Some demo articles say how they were made, through the import's rule (a term, or its IPTC URI).
    made = dict(db.session.execute(select(Article.slug, Article.source_type)).all())
    assert made["rovers-reach-county-cup-semi-final"] == "trainedAlgorithmicMedia"
    assert made["eastbank-ferry-fares-rise"] == "compositeWithTrainedAlgorithmicMedia"
    reports = list(db.session.scalars(select(Report).order_by(Report.id)))
    # Filed as they arrived: ids and received times agree, each received when the demo content says.
    assert [r.created_at for r in reports] == sorted(r.created_at for r in reports)
    ages = sorted((before - r.created_at for r in reports), reverse=True)
    for age, minutes in zip(ages, sorted((item["minutes_ago"] for item in DEMO_REPORTS), reverse=True),
                            strict=True):
        assert abs(age - timedelta(minutes=minutes)) < timedelta(seconds=30)
    # Targets are set, and every open report but the one held as spam runs against one: some overdue.
    assert clocks.all_targets()
    waiting = [r for r in reports if r.status in OPEN and r.status != "spam"]
    assert waiting and all(r.due_at is not None for r in waiting)
    assert any(r.due_at < utcnow() for r in waiting) and any(r.due_at > utcnow() for r in waiting)
    page = editor_client.get("/editor/?sort=newest").get_data(as_text=True)
    received = RECEIVED.findall(page)
    assert len(received) > 5 and received == sorted(received, reverse=True)
    assert "no target time" not in page
    assert "Overdue" in page and " left " in page


def test_the_demo_keeps_targets_an_admin_set(app):
    clocks.set_targets({clocks.DEFAULT: clocks.Targets(first_action=90, resolution=None)})
    db.session.commit()
    demo.seed()
    assert clocks.all_targets() == {clocks.DEFAULT: clocks.Targets(first_action=90, resolution=None)}
    new = db.session.scalars(select(Report).where(Report.status == "new")).first()
    assert new.first_action_due_at == new.created_at + timedelta(minutes=90)


@pytest.mark.databases("sqlite")
def test_the_demos_rejected_report_gives_its_reason_in_the_sites_language(make_app):
    app = make_app(LANGUAGE="hu")
    with app.app_context():
        demo.seed()
        rejected = db.session.scalars(select(Report).where(Report.status == "rejected")).first()
        with app.test_request_context():
            path = urlsplit(tokens.status_url(rejected)).path
            with force_locale("hu"):
                hungarian = gettext(workflow.REJECT_REASONS[0])
        page = html.unescape(app.test_client().get(path).get_data(as_text=True))
    assert hungarian != workflow.REJECT_REASONS[0]
    assert hungarian in page and workflow.REJECT_REASONS[0] not in page
