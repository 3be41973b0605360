"""The product's words, in one place: report categories and states, notice kinds, and the limits of the fields
that forms, the API and the domain all check.

Ground floor: it imports nothing from the project, so any module may import it. The words are the product
spec's (PRODUCT.md: "Words", "Report workflow", "Report form fields"); the rules that use them live in the
domain packages (the workflow's moves in reports/workflow.py).
"""

# What a reader says is wrong (the report form's `category`).
CATEGORIES = {
    "factual": "A fact is wrong",
    "typo": "Spelling, grammar or a typo",
    "misleading": "Misleading or missing context",
    "outdated": "Out of date",
    "broken_link": "A broken link",
    "other": "Something else",
}

# A report's states, in the workflow's order; OPEN ones wait for an editor, CLOSED ones have an outcome.
STATES = ("new", "in_review", "accepted", "rejected", "duplicate", "spam", "corrected")
OPEN = ("new", "in_review")
CLOSED = ("accepted", "rejected", "duplicate", "spam", "corrected")
# As editors read them (the reader's status page words its own: reports/outcomes.py).
STATUS_LABELS = {
    "new": "New",
    "in_review": "In review",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "duplicate": "Duplicate",
    "spam": "Spam",
    "corrected": "Corrected",
}

# The kinds of notice published on an article (a Notice row), as readers read them.
NOTICE_KINDS = {
    "correction": "Correction",
    "clarification": "Clarification",
    "update": "Update",
    "editors_note": "Editor’s note",
}

# --- Field limits, in characters: the reader's form, the API's document and filing read the same numbers. ---

# A report.
PASSAGE_MAX = 1000
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000
SUGGESTION_MAX = 2000
SOURCE_URL_MAX = 2000
REPORTER_NAME_MAX = 200
EMAIL_MAX = 320

# An article, as imported, sent to the API or edited in the dashboard.
TITLE_MAX = 300
SLUG_MAX = 200
ARTICLE_URL_MAX = 2000
BYLINE_MAX = 200
SECTION_MAX = 100
BODY_MAX = 500_000
# The words that replace a reported passage when a notice corrects the article's text in the same step.
REPLACEMENT_MAX = 2000
# published_at's years; the top one leaves room for time zones ahead of UTC.
YEAR_MIN, YEAR_MAX = 1900, 9998

# A notice's text (the dashboard's forms, the API and canned answers' templates).
NOTICE_TEXT_MIN = 10
NOTICE_TEXT_MAX = 5000

# Reports one bulk action takes at most (a big group's checkbox may select tens of thousands): the first ones in the
# queue's order, the editor applies it again for the rest; each step stays a request of a few seconds.
BULK_MAX = 500
# Other reports of its group a report's page lists (with a "link" checkbox each); the rest are counted.
GROUP_LISTED = 25
