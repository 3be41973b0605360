"""The product's words, in one place: report categories and states, notice kinds, and the limits of the fields
that forms, the API and the domain all check.

Ground floor: it imports nothing from the project, so any module may import it. The labels people read are lazy
translations: each speaks the language of the page (or e-mail) that shows it (languages.py). The words are the product
spec's (PRODUCT.md: "Words", "Report workflow", "Report form fields"); the rules that use them live in the
domain packages (the workflow's moves in reports/workflow.py).
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from corrections.languages import N_

# What a reader says is wrong (the report form's `category`).
CATEGORIES = {
    "factual": _l("A fact is wrong"),
    "typo": _l("Spelling, grammar or a typo"),
    "misleading": _l("Misleading or missing context"),
    "outdated": _l("Out of date"),
    "broken_link": _l("A broken link"),
    "other": _l("Something else"),
}

# A report's states, in the workflow's order; OPEN ones wait for an editor, CLOSED ones have an outcome.
STATES = ("new", "in_review", "accepted", "rejected", "duplicate", "spam", "corrected")
OPEN = ("new", "in_review")
CLOSED = ("accepted", "rejected", "duplicate", "spam", "corrected")
# As editors read them (the reader's status page words its own: reports/outcomes.py).
STATUS_LABELS = {
    "new": _l("New"),
    "in_review": _l("In review"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "duplicate": _l("Duplicate"),
    "spam": _l("Spam"),
    "corrected": _l("Corrected"),
}

# The kinds of notice published on an article (a Notice row), as readers read them.
NOTICE_KINDS = {
    "correction": _l("Correction"),
    "clarification": _l("Clarification"),
    "update": _l("Update"),
    "editors_note": _l("Editor’s note"),
}
# What publishing a notice did, as a report's or a change's history says it: one sentence per kind, kept as the
# kind and the notice's text and worded when a page shows it.
NOTICE_PUBLISHED = {
    "correction": N_("Correction published: %(text)s"),
    "clarification": N_("Clarification published: %(text)s"),
    "update": N_("Update published: %(text)s"),
    "editors_note": N_("Editor’s note published: %(text)s"),
}
# The move to accepted that publishing makes on a linked report still open, as its history says it.
ACCEPTED_ON_PUBLISHING = N_("Accepted on publishing a correction.")

# An item of "same error elsewhere" (a notice's error found in another article: repeats/), by state, as editors
# read them; and where it was found: by the archive sweep after publishing, or in an article's new text.
REPEAT_STATES = {
    "open": _l("Open"),
    "confirmed": _l("Corrected"),
    "dismissed": _l("Dismissed"),
}
REPEAT_ORIGINS = {
    "sweep": _l("found in the archive"),
    "came_back": _l("came back in a new text"),
}
REPEAT_REASON_MAX = 2000

# Who acted, where no editor did: the code a history keeps in place of an editor's name (Event.actor and
# ChangeReview.answered_by), worded when a page shows it (actor_name).
ACTORS = {
    # Translators: shown where an editor's name would be (at the start of a history line, or "changed by …"),
    # for what the reader did: sent their report, removed their contact details.
    "reader": lazy_pgettext("in place of an editor's name", "Reader"),
    # Translators: shown where an editor's name would be (at the start of a history line, or "changed by …"),
    # for what the app did by itself: a report held as spam, contact details erased, a change settled by a notice.
    "system": lazy_pgettext("in place of an editor's name", "System"),
    # Translators: shown where an editor's name would be ("… by Command line"), for an API token made with the
    # command `corrections create-api-token` rather than by an admin in the dashboard.
    "command_line": lazy_pgettext("in place of an editor's name", "Command line"),
}


def actor_name(actor: str, editor_id: int | None = None) -> str:
    """Who acted, as a page names them: the editor's name as it was then, or the reader or the system (ACTORS) in
    the page's language when no editor is linked."""
    if editor_id is None and actor in ACTORS:
        return str(ACTORS[actor])
    return actor


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
# What a correction corrects: the wrong words as they stood in the article, and the words that replaced them (a
# later search looks for them elsewhere). As long as a replacement may be.
WRONG_TEXT_MAX = 2000
RIGHT_TEXT_MAX = 2000
# A draft checked for known errors before it is published (check-text, POST /api/v1/check): as long as an article's
# body may be; read as plain text or as HTML ("auto": HTML when it has markup).
CHECK_TEXT_MAX = BODY_MAX
CHECK_FORMATS = ("auto", "text", "html")

# Reports one bulk action takes at most (a big group's checkbox may select tens of thousands): the first ones in the
# queue's order, the editor applies it again for the rest; each step stays a request of a few seconds.
BULK_MAX = 500
# Other reports of its group a report's page lists (with a "link" checkbox each); the rest are counted.
GROUP_LISTED = 25

# --- How an article was made: its provenance ---
# An article may say how it was made (Article.source_type) with a term of the IPTC Digital Source Type vocabulary
# (NewsCodes, http://cv.iptc.org/newscodes/digitalsourcetype/), the one NewsML-G2, ninjs, C2PA and schema.org's
# digitalSourceType use. Of its terms, those that describe a text are taken, each in one of three groups that readers
# and the figures tell apart; its terms for pictures and sound (digitalCapture, negativeFilm, ...) and its retired ones
# (digitalArt, minorHumanEdits) are refused. The term is stored bare ("trainedAlgorithmicMedia"); its URI is the
# prefix and the term.
SOURCE_TYPE_URI = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SOURCE_TYPES = {
    # A person wrote it with tools that generate nothing ("digital creation"), or edited it so ("human-edited").
    "digitalCreation": "human",
    "humanEdits": "human",
    # A system wrote it: a model trained on sampled content (a language model), an algorithm with no training data
    # (templates), or code turning data into text (a results or weather report).
    "trainedAlgorithmicMedia": "machine_generated",
    "algorithmicMedia": "machine_generated",
    "dataDrivenMedia": "machine_generated",
    # People and a system together: a text mixing a model's writing with other writing, a mix of elements at least
    # one of them synthetic, or a text modified by an algorithm without changing what it says.
    "compositeWithTrainedAlgorithmicMedia": "machine_assisted",
    "compositeSynthetic": "machine_assisted",
    "algorithmicallyEnhanced": "machine_assisted",
}
# The groups, as editors and readers of the figures read them; NOT_SAID is the group of an article that says nothing.
NOT_SAID = "not_said"
SOURCE_GROUPS = {
    "machine_generated": _l("Machine-generated"),
    "machine_assisted": _l("Machine-assisted"),
    "human": _l("Written by people"),
    NOT_SAID: _l("Source not said"),
}
# The system or pipeline that wrote an article, with its version ("newswriter 4.2"), as the generator field holds it.
GENERATOR_MAX = 200
SOURCE_TYPE_MAX = max(len(SOURCE_TYPE_URI.replace("http:", "https:")) + len(term) for term in SOURCE_TYPES)


def source_type_term(value: str) -> str | None:
    """The vocabulary's term for a source type given as the term itself or as its IPTC URI (http or https), or None
    when the value is neither."""
    for prefix in (SOURCE_TYPE_URI, SOURCE_TYPE_URI.replace("http:", "https:", 1)):
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    return value if value in SOURCE_TYPES else None


def source_group(source_type: str | None) -> str:
    """The group (SOURCE_GROUPS) of a stored source type; NOT_SAID for none, or a term no longer in the vocabulary."""
    return SOURCE_TYPES.get(source_type or "", NOT_SAID)


def source_type_uri(source_type: str) -> str:
    return SOURCE_TYPE_URI + source_type
