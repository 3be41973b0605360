"""Demo content: the articles and reports of demo_content.py, put through the real code paths."""

import secrets
from datetime import timedelta

from sqlalchemy import select

from corrections.access import accounts
from corrections.articles.content import change_text, parse_article, upsert_article
from corrections.extensions import db
from corrections.models import Article, Report, utcnow
from corrections.notices import publishing
from corrections.reports import clocks, filing, tokens, workflow
from corrections.seed.demo_content import DEMO_ARTICLES, DEMO_NOTICES, DEMO_REPORTS

# Demo editors act in the demo history. Their passwords are random and never shown: log in with an
# account made by `corrections create-editor`.
DEMO_EDITORS = [("maya.okafor@demo.example.org", "Maya Okafor"), ("tom.reyes@demo.example.org", "Tom Reyes")]
# How each demo status is reached through the workflow from "new".
PATHS = {
    "new": [],
    "in_review": ["in_review"],
    "accepted": ["in_review", "accepted"],
    "rejected": ["rejected"],
    "spam": ["spam"],
    "corrected": ["in_review", "accepted"],  # then a demo correction links it
}
# The clock targets a desk might set, so that the queue's "Due" column reads as on a working morning: most
# reports within their time, some overdue. Set only when no target is set yet (an admin's stay).
DEMO_TARGETS = {
    clocks.DEFAULT: clocks.Targets(first_action=24 * 60, resolution=5 * 24 * 60),
    "typo": clocks.Targets(first_action=4 * 60, resolution=24 * 60),
    "broken_link": clocks.Targets(first_action=8 * 60, resolution=2 * 24 * 60),
}


def has_articles() -> bool:
    return db.session.scalar(select(Article.id).limit(1)) is not None


def seed() -> tuple[int, int]:
    """Upsert the demo articles, file the demo reports, publish the demo notices; returns articles and reports added."""
    by_slug = {}
    added_articles = 0
    for item in DEMO_ARTICLES:
        article, outcome = upsert_article(parse_article(item), source="demo")
        by_slug[article.slug] = article
        added_articles += outcome == "created"
    db.session.commit()
    if added_articles == 0:
        return 0, 0  # the demo was loaded before: do not file its reports twice

    editors = [accounts.find_by_email(email) or accounts.create_editor(email, secrets.token_urlsafe(24), name=name)
               for email, name in DEMO_EDITORS]
    if not clocks.all_targets():
        clocks.set_targets(DEMO_TARGETS)
    now = utcnow()
    # Filed in the order they arrived, each received at its own time: ids follow arrival as in real use (the
    # queue's "Newest first" is by id), and each report's clocks run from when it was sent.
    arrivals = sorted(enumerate(DEMO_REPORTS), key=lambda numbered: -numbered[1]["minutes_ago"])
    for number, item in arrivals:
        by = editors[number % len(editors)]
        data = filing.ReportInput(
            category=item["category"],
            description=item["description"],
            passage=item["passage"],
            suggested_correction=item["suggested_correction"],
            source_url=item["source_url"],
            name=item["name"],
            email=item["email"],
            notify=item["notify"],
        )
        sent_at = now - timedelta(minutes=item["minutes_ago"])
        filed = filing.submit_report(by_slug[item["article_slug"]], data, client="demo",
                                     receipt=tokens.new_receipt(sent_at))
        report = db.session.get_one(Report, filed.id)
        # Its history starts when it was sent, not when the demo stored it.
        for event in report.events:
            event.created_at = sent_at
        for step in PATHS[item["status"]]:
            if step == "rejected":
                workflow.reject(report, workflow.REJECT_REASONS[0], by=by)
            else:
                workflow.move(report, step, by=by)
        db.session.commit()
    for number, item in enumerate(DEMO_NOTICES):
        article = by_slug[item["article_slug"]]
        by = editors[number % len(editors)]
        revision = None
        if "fix" in item:
            wrong, right = item["fix"]
            revision = change_text(article, article.title, article.body.replace(wrong, right), source="demo",
                                   by=by.name)
        resolved = [r for r in article.reports if item["resolves"] and r.passage == item["resolves"]
                    and r.status == "accepted"]
        publishing.publish(article, item["kind"], item["text"], by=by, reports=resolved, revision=revision,
                           wrong_text=item.get("wrong_text", ""), right_text=item.get("right_text", ""))
        db.session.commit()
    return added_articles, len(DEMO_REPORTS)
