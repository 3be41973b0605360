"""Realistic fake data at volume, for load tests and benchmarks (`corrections gen-fake`).

Everything is made from the small word lists below by one seeded random generator: the same seed on the
same day gives the same rows (dates count back from the start of the day, UTC). Rows go in with bulk Core
inserts, one transaction per batch, with ids counted on from the largest already in each table, so events,
duplicates and corrections point at reports without asking the database.

The rows are what the app would store for the same readers and editors, because the domain's own functions
make them, not a copy of their rules: articles and their revisions come from content.new_article_values and
revisions.revision_values; each report from filing.report_values (its passage, anchor, revision, desk and
deadlines, its reference and status link); its history from workflow.received, moved, rejected, duplicated,
assigned and noted, one move allowed by workflow.MOVES after another, ending with
publishing.moves_on_publishing when a notice resolves it; amended notices from publishing.amended; a few
articles updated after publication (a paragraph added) get their second revision from revision_values, its
diff from revisions.diff_values, and the unannounced change and its answer from unannounced.review_values and
answer_values (an update notice published with the revision, an editor's reason, or a later notice). The fake
newsroom's desks, routes and clock targets are set up through desks and clocks, as an admin would. Only what
filing's INSERT asks the database (the group a report joins, the earlier decision it brings back) is answered
from memory here, with filing.same_place; tests/seed/test_fake.py replays the data through the real code and
compares.

Planted errors (`--plant-errors`, for bench/repeats.py): sentences with a wrong figure or name from
seed/planting.py, each reported in an article of its own and corrected as the report page corrects one
(fixes.fixed_body, a revision, publishing.change_words for the notice's wrong and right words), and carried by
other articles as SIBLINGS says; `Generated.planted` records where, for a bench to score by.
"""

import heapq
import itertools
import random
import secrets
import string
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from types import SimpleNamespace
from typing import NamedTuple

from flask import current_app
from psycopg import sql as psycopg_sql
from sqlalchemy import Connection, func, insert, select, text, update

from corrections.articles import fixes, unannounced
from corrections.articles.content import (
    free_slug,
    new_article_values,
    parse_article,
    plain_text,
    sanitise_body,
    slugify,
)
from corrections.articles.revisions import diff_values, revision_values
from corrections.config import DEFAULTS
from corrections.extensions import db
from corrections.figures import tallies
from corrections.models import (
    Article,
    ArticleEvent,
    ArticleRevision,
    ChangeReview,
    ClockTarget,
    Desk,
    Editor,
    Event,
    Notice,
    NoticeVersion,
    Report,
    RevisionDiff,
    notice_report,
    utcnow,
)
from corrections.notices import publishing
from corrections.reports import clocks, desks, filing, tokens, workflow
from corrections.reports.workflow import MOVES, REJECT_REASONS
from corrections.seed import planting
from corrections.triage.queue import fold_counts
from corrections.vocabulary import CLOSED, STATES

BATCH = 5000
YEARS_BACK = 2
HOUR = 3600
DAY = 24 * HOUR

# --- Word lists. Places, organisations and people are invented; links point at example.org domains.

FIRST_NAMES = (
    "Ada", "Amara", "Ben", "Chen", "Dara", "Elena", "Femi", "Grace", "Hamid", "Ines", "Jonas", "Kofi", "Lena",
    "Malik", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tomás", "Uma", "Viktor", "Wen", "Yara", "Zoë",
    "Aisha", "Bruno", "Clara", "Dev", "Erin", "Farah", "Gus", "Hana", "Ivan", "Jude", "Kira", "Luis", "Maeve", "Nico",
)
LAST_NAMES = (
    "Adeyemi", "Bakker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haddad", "Iqbal", "Jensen", "Kowalski",
    "Larsen", "Mensah", "Novak", "Okoro", "Patel", "Reyes", "Silva", "Tanaka", "Umar", "Varga", "Walsh", "Xu",
    "Yilmaz", "Zhang", "Brennan", "Clarke", "Dunne", "Ferreira", "Gallagher", "Hughes", "Ivanova", "Jones", "Kelly",
    "Lopez", "Murphy", "Nguyen", "O’Brien", "Price", "Schmidt",
)
PLACES = (
    "Eastbridge", "Marlow Bay", "Kingsmere", "Ashford Vale", "Port Selby", "Northwick", "Hallam Cross", "Redmoor",
    "Linton", "Stoneleigh", "Westhaven", "Brackley Green", "Fenwick", "Oldcastle", "Saltmarsh", "Thornbury",
)
ORGS = (
    "the city council", "the county council", "Eastbridge General Hospital", "the regional transport authority",
    "the port authority", "Northwick University", "the water board", "the chamber of commerce", "the health trust",
    "the police service", "the fire service", "the school board", "Westhaven Rovers", "the environment agency",
    "the housing association", "the tenants’ union", "the finance ministry", "the weather service",
)
ROLES = (
    "a spokesperson for", "the chief executive of", "the chair of", "a senior engineer at", "the head of finance at",
    "a researcher at", "the leader of", "a manager at", "a former director of", "an adviser to",
)
# The six sections, each with what its stories are about and who they are about.
SECTIONS = {
    "Local": (("bus route", "library", "park", "bridge repairs", "parking scheme", "recycling centre", "market hall",
               "cycle lane", "swimming pool", "town square"),
              ("residents", "commuters", "shop owners", "parents", "cyclists", "pensioners")),
    "Politics": (("budget", "election", "tax plan", "housing bill", "by-election", "spending review",
                  "coalition talks", "planning reform", "council tax rise", "boundary review"),
                 ("voters", "councillors", "taxpayers", "party members", "tenants", "young voters")),
    "Business": (("factory", "bank branch", "shipping firm", "energy contract", "retail park", "jobs scheme",
                  "start-up fund", "harbour expansion", "call centre", "wind farm"),
                 ("workers", "customers", "small firms", "investors", "apprentices", "suppliers")),
    "Health": (("hospital ward", "waiting list", "GP surgery", "vaccination drive", "ambulance service",
                "mental health service", "maternity unit", "dental clinic", "care home", "screening programme"),
               ("patients", "nurses", "doctors", "carers", "families", "older people")),
    "Science": (("flood barrier", "air quality study", "solar farm", "telescope", "research grant",
                 "wildlife survey", "coastal erosion study", "seed bank", "water treatment trial", "weather station"),
                ("researchers", "students", "volunteers", "farmers", "anglers", "engineers")),
    "Sport": (("stadium", "cup final", "transfer", "season ticket scheme", "marathon", "youth academy",
               "league title", "training ground", "sports centre", "rowing club"),
              ("fans", "players", "coaches", "season-ticket holders", "young athletes", "club members")),
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
ORDINALS = ("second", "third", "fourth", "fifth", "sixth")
QUOTES = (
    "We are confident this is the right decision for {place}", "This is a difficult day for everyone involved",
    "We will keep listening to {people}", "Nobody asked us what we wanted", "The numbers simply do not add up",
    "It has taken far too long to get here", "We expect to see results within months",
    "This has been a long time coming", "We were given no warning at all", "It is a good start, but only a start",
)
EFFECTS = ("mean longer waits", "cost more", "leave a gap in services", "bring hundreds of jobs",
           "make little difference", "put pressure on budgets", "cut journey times", "reduce waiting times")
VERBS_PAST = ("used", "visited", "relied on", "complained about", "paid for", "supported")
SUBHEADS = ("What happens next", "The cost", "Reaction", "Background", "What people say", "The numbers")
NOTE_TEXTS = (
    "Asked the reporter for their source.", "Checking the minutes with the desk.",
    "Waiting for the author to confirm.", "The press office says the figure is right; checking.",
    "Same point came in by phone.",
)

TITLES = (
    "{Org} approves {money} plan for {topic} in {place}", "{place} {topic} to close after {small} years",
    "{Org} under pressure over {topic} costs", "Questions raised about {place} {topic} figures",
    "Record {count} {people} use {place} {topic}", "Vote on {topic} delayed until {month}",
    "{person} named to lead {place} {topic} review", "{people_cap} in {place} fear {topic} will {effect}",
    "New {topic} for {place} after {small}-year campaign", "{place} {topic}: what we know so far",
)
SENTENCES = (
    "{Org} said the {topic} would cost {money}, more than the figure first published in {year}.",
    "The plan was approved by {votes} at a meeting on {weekday}.",
    "Figures published on {weekday} show that {percent} of {people} in {place} {verb} the {topic} last year.",
    "Work on the {topic} is expected to start in {month} and finish by {month} {next_year}.",
    "{person} told the Courier that {org} had not been consulted.",
    "The {topic} in {place} first opened in {old_year} and has {count} regular users.",
    "About {count} people attended the meeting at {place} town hall, according to the organisers.",
    "Critics say the {topic} will {effect} for {people}.",
    "{Org} has promised to publish a full report by the end of {month}.",
    "The number of {people} using the {topic} rose by {percent} to {count} in {year}.",
    "It is the {ordinal} time in {small} years that the {topic} has been delayed.",
    "A consultation on the {topic} will run until {day} {month}.",
    "The council’s own report put the total at {money} over {small} years.",
    "Residents of {place} will be asked to vote on the proposals in {month}.",
    "{Org} declined to comment on the figures when contacted on {weekday}.",
    "Last year {org} spent {money} on the {topic}, up from {money2} the year before.",
    "The {topic} serves around {count} {people} a week.",
    "An earlier plan to move the {topic} was dropped in {year} after objections from {people}.",
    "{person}, {role} {org}, said the decision was taken after {small} months of talks.",
    "The {topic} employs {small} full-time staff and {count} volunteers.",
    "Opposition members said {org} had known about the problem since {month} {year}.",
    "The final decision rests with {org}, which meets again on {day} {month}.",
)
QUOTE_SENTENCES = (
    "“{quote},” said {person}, {role} {org}.",
    "{person}, who has lived in {place} for {small} years, said: “{quote}.”",
    "“{quote},” {person} told the meeting.",
)
DESCRIPTIONS = {
    "factual": (
        "The figure is wrong. The official report gives {money}, not the amount in the article.",
        "This is not right: the vote was {votes}, according to the published minutes.",
        "{person} is not {role} {org}; they left that job in {year}.",
        "The {topic} opened in {old_year}, not in the year given here.",
        "The article says this happened on a {weekday}, but it was the day before.",
        "The percentage is wrong. The survey found {percent}, and it was of {people} in {place} only.",
    ),
    "typo": (
        "Spelling mistake in this sentence.", "The name is misspelled: it is {person}.",
        "There is a word missing in this sentence, it does not read properly.",
        "Typo: “{topic}” is written twice in the paragraph.",
    ),
    "misleading": (
        "The headline suggests the whole of {place} is affected, but the article only talks about one street.",
        "This leaves out that {org} reversed the decision in {month}.",
        "The comparison is misleading: the {year} figure was for the whole county, this one is for {place} alone.",
        "Quoting only {person} gives a one-sided picture; {org} disputes this.",
    ),
    "outdated": (
        "This is out of date. The {topic} reopened in {month}.",
        "{person} is no longer {role} {org}.",
        "The consultation closed on {day} {month}; the article still says it is open.",
    ),
    "broken_link": (
        "The link to the {org} report returns a page-not-found error.",
        "The link in the fourth paragraph goes to the wrong page.", "Link broken (404).",
    ),
    "other": (
        "The photo caption names the wrong {topic}.", "The map in this article shows {place} in the wrong place.",
        "I think the date at the top is wrong.", "The article is missing the name of the photographer.",
    ),
}
MORE_DETAIL = (
    "I was at the meeting myself.", "The minutes are published on the council website.",
    "I have lived here for {small} years and this is simply not true.", "Please check with {org}.",
    "I work at the {topic}, so I know the real numbers.", "Several of my neighbours noticed this too.",
    "It matters because people are making decisions based on this.", "Thanks for looking into it.",
)
SPAM_TEXTS = (
    "Best prices on watches, visit https://cheap-watches.example.com now!!!",
    "Earn {money} a week from home, click here: https://win.example.net",
    "asdf asdf asdf asdf", "GREAT ARTICLE!!! check my site https://seo-boost.example.com",
    "Buy followers cheap https://followers.example.net/{small}",
)
# How the articles were made, in hundredths (source_type, generator; None: not said): a newsroom that publishes with
# machine help. Picked by the article's slug, not drawn from the generator's random sequence, so a seed gives the same
# other rows as before there was provenance.
PROVENANCE = ((20, "trainedAlgorithmicMedia", "newswriter 4.2"), (5, "dataDrivenMedia", "results-bot 1.3"),
              (15, "compositeWithTrainedAlgorithmicMedia", "draft-assist 2.0"), (35, "digitalCreation", None),
              (25, None, None))
CATEGORY_WEIGHTS = {"factual": 40, "typo": 20, "misleading": 15, "outdated": 8, "broken_link": 5, "other": 12}
NOTICE_TEXTS = {
    "correction": ("An earlier version of this article said “{passage}”. {fix}",),
    "clarification": ("This article has been amended to make clear that the figures refer to {place} only.",
                      "An earlier version of this article did not make clear that {org} disputes these figures."),
    "update": ("This article was updated to include a response from {org}.",
               "This article was updated on {day} {month} with the final figures from {org}."),
    "editors_note": ("This article was updated after publication to reflect new information from {org}.",),
}
# Articles updated after publication (a paragraph added): the new revision, and an update notice with it this
# often; otherwise an unannounced change, which an editor answers with a reason, or a later notice settles.
UPDATE_SHARE = 0.06
UPDATE_NOTICE_SHARE = 0.7
EXCUSED_SHARE = 0.5
UPDATES = (
    "Update: {Org} said on {weekday} that it would publish the full figures by the end of {month}.",
    "Update: after publication, {person}, {role} {org}, said the decision would be reviewed in {month}.",
    "Update: the meeting on {day} {month} confirmed the plan by {votes}.",
)
UPDATE_NOTICES = ("This article was updated after publication with a response from {org}.",
                  "This article was updated on {day} {month} with the outcome of the meeting.")
FIXES = ("This has been corrected.", "The correct figure is {money}.", "The vote was {votes}.",
         "The article has been corrected to say {place}.")

# Planted errors (generate's plant_errors): how many other articles carry each, by how they write it (verbatim: the
# wrong sentence exactly; reworded: a few words changed and written otherwise, numbers and names kept; right: the
# right sentence exactly; near_miss: the same sentence with a third figure, another fact).
SIBLINGS = (("verbatim", 2), ("reworded", 2), ("right", 1), ("near_miss", 1))
# The machine that wrote them all, as a generating pipeline repeats an error.
PLANTED_PROVENANCE = ("trainedAlgorithmicMedia", "newswriter 4.2")
PLANTED_REPORT = "This is wrong: {org} gave other details on {weekday}. Please check it."
PLANTED_FIX = "This has been corrected."


# How a report that is not held as spam on arrival ends up, when nothing about its group decides it.
FATES = {"new": 10, "in_review": 7, "accepted": 3, "corrected": 5, "rejected": 40, "spam": 8}
# The status each fate reaches; "corrected" first reaches one of BEFORE_NOTICE, then a notice corrects it.
GOALS = {"held": "spam", "new": "new", "in_review": "in_review", "accepted": "accepted", "rejected": "rejected",
         "too_late": "rejected", "duplicate": "duplicate", "spam": "spam"}
# Where a report stands when the notice that corrects it is published (one of publishing.LINKABLE), by weight.
BEFORE_NOTICE = {"accepted": 5, "in_review": 4, "new": 1}
# Editors take a report where it ends by the workflow's MOVES, the shortest way; except that a report they could
# decide at once gets a look first ("in_review") this often...
LOOK_FIRST = {"rejected": 0.4, "duplicate": 0.3, "spam": 0.15}
# ...and now and then a wrong turn, undone later: a report rejected or marked spam, then reopened.
WRONG_TURNS = ("rejected", "spam")
WRONG_TURN_SHARE = 0.04
REOPENED = "Reopened: the reader sent more detail."
HELD_SPAM_SHARE = 0.07
NO_PASSAGE_SHARE = 0.15
MISQUOTE_SHARE = 0.08
EMAIL_SHARE = 0.30
# Three events out of four come within a few days of publication; the rest at any time since.
PROMPT_SHARE = 0.75
PROMPT_MEAN = 20 * HOUR
# The fake newsroom: their passwords are random and unusable; log in with `corrections create-editor`.
EDITORS = (("Ruth", "Adeyemi"), ("Jonas", "Varga"), ("Leila", "Haddad"), ("Tom", "Brennan"), ("Priya", "Natarajan"))
EDITORS_DOMAIN = "newsroom.example.org"
# Its desks: the sections routed to each and who sits on it (indexes into EDITORS). Sport has no desk, so its
# reports are everyone's.
DESKS = (("News desk", ("Local", "Politics"), (0, 1)), ("Business desk", ("Business",), (2,)),
         ("Health and science desk", ("Health", "Science"), (3, 4)))
# Most moves on a report with a desk are made by one of its members.
DESK_SHARE = 0.85
# Its clock targets in minutes, first action and resolution ("": every category without its own; None: none).
CLOCK_TARGETS = {"": (24 * 60, 14 * 24 * 60), "factual": (4 * 60, 3 * 24 * 60), "misleading": (8 * 60, 5 * 24 * 60),
                 "typo": (None, 2 * 24 * 60)}


def _fields(template: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name))


def _compile(templates) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((t, _fields(t)) for t in templates)


TITLES_C = _compile(TITLES)
SENTENCES_C = _compile(SENTENCES)
QUOTE_SENTENCES_C = _compile(QUOTE_SENTENCES)
QUOTES_C = _compile(QUOTES)
DESCRIPTIONS_C = {category: _compile(items) for category, items in DESCRIPTIONS.items()}
MORE_DETAIL_C = _compile(MORE_DETAIL)
SPAM_TEXTS_C = _compile(SPAM_TEXTS)
NOTICE_TEXTS_C = {kind: _compile(items) for kind, items in NOTICE_TEXTS.items()}
FIXES_C = _compile(FIXES)
UPDATES_C = _compile(UPDATES)
UPDATE_NOTICES_C = _compile(UPDATE_NOTICES)
PLANTED_REPORT_C = _compile((PLANTED_REPORT,))[0]


# Six Crockford characters hold exactly 30 bits, so a bijection on 30 bits turns distinct report ids into
# distinct references that still look random.
REFERENCE_BITS = 30
REFERENCE_MASK = (1 << REFERENCE_BITS) - 1


def fake_reference(number: int) -> str:
    """The reference of fake report `number`: different numbers below 2**30 give different references."""
    x = (number ^ 0x15A3C2E) & REFERENCE_MASK
    x = (x * 0x1F3D5B79 + 0x2468ACE) & REFERENCE_MASK  # odd multiplier: a bijection modulo 2**30
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & REFERENCE_MASK
    x ^= x >> 13
    return tokens.reference_of(x)


def _distances() -> dict[tuple[str, str], int]:
    """How many moves of the workflow's MOVES lead from one state to another, for every pair that connects."""
    found = {}
    for start in MOVES:
        found[start, start] = 0
        frontier = [start]
        while frontier:
            state = frontier.pop(0)
            for after in sorted(MOVES[state]):
                if (start, after) not in found:
                    found[start, after] = found[start, state] + 1
                    frontier.append(after)
    return found


DISTANCES = _distances()


@dataclass
class Generated:
    """What one run made."""

    articles: int = 0
    reports: int = 0
    events: int = 0
    notices: int = 0
    editors: int = 0
    revisions: int = 0  # revisions after the first: articles updated after publication or corrected
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    planted: list["Planted"] = field(default_factory=list)


@dataclass
class Planted:
    """An error planted by generate(plant_errors=...), as a bench scores the sweep and the check by it: the notice
    that corrected it and its article, the notice's words, the sentences, and the other articles that carry it,
    each as (id, slug, kind: one of SIBLINGS', the sentence as written there)."""

    notice_id: int
    article_id: int
    slug: str
    wrong_text: str
    right_text: str
    wrong: str
    right: str
    near_miss: str
    articles: list[tuple[int, str, str, str]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"notice_id": self.notice_id, "article": {"id": self.article_id, "slug": self.slug},
                "wrong_text": self.wrong_text, "right_text": self.right_text,
                "sentences": {"wrong": self.wrong, "right": self.right, "near_miss": self.near_miss},
                "articles": [{"id": article_id, "slug": slug, "kind": kind, "sentence": sentence}
                             for article_id, slug, kind, sentence in self.articles]}


class _Editor(NamedTuple):
    """An editor as the workflow's functions need one."""

    id: int
    name: str
    active: bool = True


@dataclass
class _Notice:
    id: int
    at: int
    kind: str
    text: str
    editor: _Editor


class _Group:
    """A group of reports on one passage: the report duplicates point at, its notice if any, and the decisions
    of its reports over time (for filing's DECIDED_IN_GROUP)."""

    __slots__ = ("anchor", "notice", "coming", "decided")

    def __init__(self):
        self.anchor: SimpleNamespace | None = None
        self.notice: _Notice | None = None
        # (start, report id, end or None): a report decided from start until its next move; those not yet seen...
        self.coming: list[tuple[int, int, int | None]] = []
        # ...and those seen, as (-start, -report id, end): the top is the latest decision.
        self.decided: list[tuple[int, int, int | None]] = []

    def add_decisions(self, report_id: int, moves: list[tuple[str, int]]) -> None:
        for index, (to, at) in enumerate(moves):
            end = moves[index + 1][1] if index + 1 < len(moves) else None
            # A decision moved on from in the same second is never seen.
            if to in filing.DECIDED and end != at:
                heapq.heappush(self.coming, (at, report_id, end))

    def latest_decision(self, at: int) -> int | None:
        """The report whose decision came last (closed_at) among the group's reports decided as seen at `at`."""
        while self.coming and self.coming[0][0] < at:
            start, report_id, end = heapq.heappop(self.coming)
            heapq.heappush(self.decided, (-start, -report_id, end))
        while self.decided and self.decided[0][2] is not None and self.decided[0][2] < at:
            heapq.heappop(self.decided)
        return -self.decided[0][1] if self.decided else None


def _time(moment: int | None) -> datetime | None:
    return datetime.fromtimestamp(moment, UTC) if moment is not None else None


def _spam_at(periods: tuple[tuple[int, int | None], ...], at: int) -> bool:
    return any(start < at and (end is None or end >= at) for start, end in periods)


class _Spot:
    """One place on a page, a found passage's span or the key of a passage not found, and its reports."""

    __slots__ = ("key", "span", "entries", "coming", "corrected")

    def __init__(self, key: str, span: tuple[int, int] | None):
        self.key, self.span = key, span
        # (report id, group id, spam periods) in arrival order, up to the first report never spam: only those can
        # be the earliest report here not spam at some moment.
        self.entries: list[tuple[int, int, tuple]] = []
        # (moment, report id) of the notices published on its reports: not yet seen, and the latest seen.
        self.coming: list[tuple[int, int]] = []
        self.corrected: tuple[int, int] | None = None


class _Places:
    """Where the earlier reports of one article sit, to answer what filing's INSERT asks the database.

    Filing (filing.FILE_REPORT) puts a report in the group of the earliest earlier report, not spam at that
    moment, on the same or an overlapping passage (filing.same_place), and links it to an earlier decision: the
    report of the latest notice published on such a passage (CORRECTED_HERE), else the latest decision in the
    group it joins (DECIDED_IN_GROUP). A page's reports arrive in order, so "at that moment" only moves on. A
    move or a notice in the same second as a report arrives comes after it: the report does not see it.
    """

    BUCKET = 200

    def __init__(self):
        self.spots: dict[tuple[int, int] | str, _Spot] = {}
        self.buckets: dict[int, list[_Spot]] = {}

    def near(self, place: tuple[str, tuple[int, int] | None]) -> list[_Spot]:
        """The spots of earlier reports on the same or an overlapping passage as `place` (filing.place_of)."""
        key, span = place
        candidates = {}
        spot = self.spots.get(key)
        if spot is not None:
            candidates[id(spot)] = spot
        if span is not None:
            for bucket in range(span[0] // self.BUCKET, (span[1] - 1) // self.BUCKET + 1):
                for spot in self.buckets.get(bucket, ()):
                    candidates[id(spot)] = spot
        return [spot for spot in candidates.values() if filing.same_place(place, spot.key, spot.span)]

    @staticmethod
    def earliest(near: list[_Spot], at: int) -> tuple[int, int, tuple] | None:
        """(id, group id, spam periods) of the earliest report on these spots not spam at `at`, or None."""
        best = None
        for spot in near:
            for entry in spot.entries:
                if not _spam_at(entry[2], at):
                    if best is None or entry[0] < best[0]:
                        best = entry
                    break
        return best

    @staticmethod
    def corrected_here(near: list[_Spot], at: int) -> int | None:
        """The report of the latest notice published on these spots, as seen at `at`, or None."""
        best = None
        for spot in near:
            while spot.coming and spot.coming[0][0] < at:
                seen = heapq.heappop(spot.coming)
                if spot.corrected is None or seen > spot.corrected:
                    spot.corrected = seen
            if spot.corrected is not None and (best is None or spot.corrected > best):
                best = spot.corrected
        return best[1] if best else None

    def spot(self, place: tuple[str, tuple[int, int] | None]) -> _Spot:
        key, span = place
        spot = self.spots.get(span or key)
        if spot is None:
            spot = self.spots[span or key] = _Spot(key, span)
            if span is not None:
                for bucket in range(span[0] // self.BUCKET, (span[1] - 1) // self.BUCKET + 1):
                    self.buckets.setdefault(bucket, []).append(spot)
        return spot

    def add(self, place, report_id: int, group_id: int, spam_periods: tuple) -> None:
        entries = self.spot(place).entries
        if not entries or entries[-1][2]:
            entries.append((report_id, group_id, spam_periods))

    def add_notice(self, place, at: int, report_id: int) -> None:
        heapq.heappush(self.spot(place).coming, (at, report_id))


class _Writer:
    """Buffers rows and writes them in bulk, parents first, one transaction per batch."""

    TABLES = (Article.__table__, ArticleRevision.__table__, RevisionDiff.__table__, Report.__table__,
              Event.__table__, Notice.__table__, NoticeVersion.__table__, notice_report, ChangeReview.__table__,
              ArticleEvent.__table__)
    WITH_IDS = (Article.__table__, ArticleRevision.__table__, Report.__table__, Event.__table__, Notice.__table__,
                NoticeVersion.__table__, Editor.__table__, ChangeReview.__table__, ArticleEvent.__table__)

    def __init__(self, conn: Connection):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.rows = {table: [] for table in self.TABLES}
        self.next_id = {table: (conn.scalar(select(func.max(table.c.id))) or 0) + 1 for table in self.WITH_IDS}
        self.first_id = dict(self.next_id)
        self.written: set = set()
        self.processors: dict = {}
        self.processed: dict = {}

    def new_id(self, table) -> int:
        number = self.next_id[table]
        self.next_id[table] = number + 1
        return number

    def add(self, table, row: dict) -> None:
        self.rows[table].append(row)

    def pending(self, table) -> int:
        return len(self.rows[table])

    def flush(self) -> None:
        new_articles = [row["id"] for row in self.rows[Article.__table__]]
        for table in self.TABLES:
            rows = self.rows[table]
            if rows:
                if self.postgres:
                    self.copy(table, rows)
                else:
                    self.insert(table, rows)
                self.rows[table] = []
                self.written.add(table)
        if new_articles:
            # Each new article points at its newest revision, written after it (the revision refers to it).
            revision = ArticleRevision.__table__
            self.conn.execute(
                update(Article.__table__)
                .where(Article.__table__.c.id.between(min(new_articles), max(new_articles)))
                .values(current_revision_id=select(func.max(revision.c.id)).where(
                    revision.c.article_id == Article.__table__.c.id).scalar_subquery()))
        self.fix_sequences()
        self.conn.commit()
        self.processed.clear()

    def copy(self, table, rows: list[dict]) -> None:
        """PostgreSQL's COPY, twice as fast as an executemany INSERT here. The values are already aware
        datetimes, booleans, numbers and text, so SQLAlchemy's type processing would add nothing."""
        columns = [column.name for column in table.columns]
        missing = {column.name: column.default.arg if column.default is not None and column.default.is_scalar
                   else None for column in table.columns if column.name not in rows[0]}
        statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
            psycopg_sql.Identifier(table.name), psycopg_sql.SQL(", ").join(map(psycopg_sql.Identifier, columns)))
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[name] if name in row else missing[name] for name in columns])

    def insert(self, table, rows: list[dict]) -> None:
        """SQLite: one executemany INSERT of the rows' values, each through its column's bind processor as
        SQLAlchemy's own insert would, without its work for each row, which costs more than SQLite's here."""
        dialect = self.conn.dialect
        quote = dialect.identifier_preparer.quote
        columns = list(rows[0])
        processed = [(index, process, self.processed.setdefault(type(table.c[name].type), {}))
                     for index, name in enumerate(columns) if (process := self.processor(table.c[name].type))]
        values = []
        for row in rows:
            record = [row[name] for name in columns]
            for index, process, done in processed:
                value = record[index]
                if value is not None:
                    # A report's moments come back in its events and deadlines: each is processed once a batch.
                    record[index] = done.get(value) or done.setdefault(value, process(value))
            values.append(tuple(record))
        # Names from the models' own tables, quoted by the dialect; every value is a bound parameter.
        statement = f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) "  # nosec B608
        self.conn.exec_driver_sql(statement + f"VALUES ({', '.join('?' * len(columns))})", values)

    def processor(self, column_type):
        """The column type's bind processor (None: values go as they are); one for all columns of a type."""
        kind = type(column_type)
        if kind not in self.processors:
            self.processors[kind] = column_type.dialect_impl(self.conn.dialect).bind_processor(self.conn.dialect)
        return self.processors[kind]

    def fix_sequences(self) -> None:
        """PostgreSQL's id sequences do not see explicit ids: move them on, so the app's next row fits."""
        if not self.postgres:
            return
        for table in self.WITH_IDS:
            if table in self.written:
                self.conn.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                                  {"table": table.name, "last": self.next_id[table] - 1})
        self.written.clear()


class _Page:
    """One article as the report form sees it: sentences to quote, what filing keeps of each quote, and where
    earlier reports sit."""

    def __init__(self, rng: random.Random, article: SimpleNamespace, sentences: list[str]):
        self.article = article
        self.sentences = sentences
        # A few sentences hold the real mistakes and draw most of the reports.
        weights = [1.0] * len(sentences)
        for weight in (30, 15, 8)[: rng.randint(1, 3)]:
            weights[rng.randrange(len(sentences))] += weight
        self.cum_weights = list(itertools.accumulate(weights))
        self.variants: dict[int, list[str]] = {}
        self.passages: dict[str, dict] = {}
        self.places = _Places()
        self.groups: dict[int, _Group] = {}
        # (moment, article as it reads from then on) when the article is updated after publication.
        self.later: tuple[int, SimpleNamespace] | None = None

    def at(self, moment: int) -> SimpleNamespace:
        """The article as a report arriving at `moment` finds it: its text and revision then."""
        if self.later is not None and moment >= self.later[0]:
            self.article, self.later = self.later[1], None
            self.passages.clear()  # worked out in the text before the update
        return self.article

    def quote(self, rng: random.Random) -> str:
        """What a reader pastes: a sentence or a few words of it, now and then retyped or misremembered."""
        index = rng.choices(range(len(self.sentences)), cum_weights=self.cum_weights)[0]
        variants = self.variants.get(index)
        if variants is None:
            variants = self.variants[index] = self._variants(rng, self.sentences[index])
        passage = variants[0] if rng.random() < 0.3 else rng.choice(variants[1:] or variants)
        style = rng.random()
        if style < MISQUOTE_SHARE:
            return _misquote(rng, passage)
        if style < 0.18:
            return f"“{passage}”"
        if style < 0.24:
            return passage.lower()
        if style < 0.27:
            return f'"{passage}"'
        return passage

    @staticmethod
    def _variants(rng: random.Random, sentence: str) -> list[str]:
        words = sentence.split(" ")
        variants = [sentence]
        if len(words) > 5:
            for _ in range(rng.randint(1, 3)):
                length = rng.randint(3, min(10, len(words) - 1))
                start = rng.randint(0, len(words) - length)
                window = " ".join(words[start:start + length]).strip(",.;:")
                if window.strip("“”\"' "):
                    variants.append(window)
        return variants

    def passage_values(self, passage: str) -> dict:
        """filing.passage_values of a quote in this article's text, worked out once for each distinct quote."""
        found = self.passages.get(passage)
        if found is None:
            found = self.passages[passage] = filing.passage_values(passage, self.article.body_text,
                                                                   self.article.title)
        return found


def _provenance(slug: str) -> tuple[str | None, str | None]:
    """How the article with this slug was made (PROVENANCE), the same for the same slug."""
    pick = zlib.crc32(slug.encode()) % 100
    for share, source_type, generator in PROVENANCE:
        if pick < share:
            return source_type, generator
        pick -= share
    return None, None


def _misquote(rng: random.Random, passage: str) -> str:
    digits = [i for i, ch in enumerate(passage) if ch.isdigit()]
    if digits and rng.random() < 0.7:
        i = rng.choice(digits)
        return passage[:i] + str((int(passage[i]) + rng.randint(1, 8)) % 10) + passage[i + 1:]
    words = passage.split(" ")
    if len(words) > 3:
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    return passage + " " + rng.choice(("yesterday", "in full", "again", "last year"))


class _Generator:
    def __init__(self, rng: random.Random, writer: _Writer, now: int, secret: str):
        self.rng = rng
        self.writer = writer
        self.now = now
        self.secret = secret
        self.made = Generated()
        self.editors: list[_Editor] = []
        self.members: dict[int, list[_Editor]] = {}
        self.routes: dict[str, int] = {}
        self.targets: dict[str, clocks.Targets] = {}
        self.taken_slugs: set[str] = set()
        self.taken_urls: set[str] = set()
        self.taken_references: set[str] = set()
        self.spare_reference = REFERENCE_MASK  # for the rare clash with a reference made by the app
        # The article being written: its notices as (moment, kind, text, id), and its unannounced change if any.
        self.notices_here: list[tuple[int, str, str, int]] = []
        self.change_here: dict | None = None
        self.fate_cum = list(itertools.accumulate(FATES.values()))
        self.category_cum = list(itertools.accumulate(CATEGORY_WEIGHTS.values()))
        self.before_notice_cum = list(itertools.accumulate(BEFORE_NOTICE.values()))
        self.addresses = [f"198.51.100.{n}" for n in range(1, 21)]  # a few busy clients
        # Every column of a report, at the model's defaults: report_values and the workflow fill in the rest.
        self.report_defaults = {column.name: column.default.arg if column.default is not None
                                and column.default.is_scalar else None for column in Report.__table__.columns}
        # The story being written: its section and who and where it is mostly about.
        self.topics: tuple[str, ...] = ()
        self.people: tuple[str, ...] = ()
        self.place = ""
        self.org = ""
        self.person = ""
        self.fill: dict[str, Callable[[], str]] = self._fillers()

    # --- Text

    def _fillers(self) -> dict[str, Callable[[], str]]:
        rng = self.rng
        choice = rng.choice

        def place() -> str:
            return self.place if rng.random() < 0.6 else choice(PLACES)

        def org() -> str:
            return self.org if rng.random() < 0.6 else choice(ORGS)

        def person() -> str:
            return self.person if rng.random() < 0.5 else f"{choice(FIRST_NAMES)} {choice(LAST_NAMES)}"

        def money() -> str:
            if rng.random() < 0.6:
                return f"£{rng.randint(12, 950) / 10:.1f} million"
            return f"£{rng.randint(15, 990) * 1000:,}"

        def votes() -> str:
            yes = rng.randint(16, 45)
            return f"{yes} votes to {rng.randint(3, yes - 1)}"

        def percent() -> str:
            return f"{rng.randint(3, 68)}%" if rng.random() < 0.7 else f"{rng.randint(10, 690) / 10:.1f}%"

        def capital(make: Callable[[], str]) -> Callable[[], str]:
            return lambda: (lambda value: value[0].upper() + value[1:])(make())

        this_year = datetime.fromtimestamp(self.now, UTC).year
        return {
            "place": place, "org": org, "Org": capital(org), "person": person, "role": lambda: choice(ROLES),
            "topic": lambda: choice(self.topics), "people": lambda: choice(self.people),
            "people_cap": capital(lambda: choice(self.people)), "money": money, "money2": money, "votes": votes,
            "percent": percent, "count": lambda: f"{rng.randint(120, 48000):,}",
            "small": lambda: str(rng.randint(2, 30)), "weekday": lambda: choice(WEEKDAYS),
            "month": lambda: choice(MONTHS), "day": lambda: str(rng.randint(1, 28)),
            "year": lambda: str(rng.randint(this_year - 8, this_year - 1)), "next_year": lambda: str(this_year + 1),
            "old_year": lambda: str(rng.randint(1890, 1990)), "ordinal": lambda: choice(ORDINALS),
            "effect": lambda: choice(EFFECTS), "verb": lambda: choice(VERBS_PAST),
            "quote": lambda: self.render(choice(QUOTES_C)), "fix": lambda: self.render(choice(FIXES_C)),
        }

    def render(self, compiled: tuple[str, tuple[str, ...]], **given: str) -> str:
        template, names = compiled
        fill = self.fill
        return template.format_map({name: given[name] if name in given else fill[name]() for name in names})

    def cast(self, section: str) -> None:
        """Choose what the next story (or report) is mostly about."""
        rng = self.rng
        self.topics, self.people = SECTIONS[section]
        self.place = rng.choice(PLACES)
        self.org = rng.choice(ORGS)
        self.person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    def body(self, planted: str | None = None) -> tuple[str, list[str]]:
        """HTML paragraphs of 600 to 1,200 words (a subheading and a link now and then), and its sentences; with
        `planted` (an error's sentence, seed/planting.py) put among them, though not among the sentences readers
        quote."""
        rng = self.rng
        target = rng.randint(600, 1200)
        paragraphs = rng.randint(5, 12)
        subhead_at = rng.randint(2, paragraphs - 1) if rng.random() < 0.35 else -1
        link_at = rng.randrange(paragraphs) if rng.random() < 0.4 else -1
        parts: list[str | list[str]] = []  # headings, and paragraphs as their sentences
        sentences: list[str] = []
        words = 0
        for number in range(paragraphs):
            if number == subhead_at:
                parts.append(f"<h2>{rng.choice(SUBHEADS)}</h2>")
            own: list[str] = []
            goal = target * (number + 1) // paragraphs
            while words < goal or not own:
                pool = QUOTE_SENTENCES_C if rng.random() < 0.12 else SENTENCES_C
                sentence = self.render(rng.choice(pool))
                own.append(escape(sentence, quote=False))
                sentences.append(sentence)
                words += sentence.count(" ") + 1
            if number == link_at:
                where = rng.choice(ORGS).removeprefix("the ")
                domain = slugify(where)
                own.append(f'Read the full report on the <a href="https://{domain}.example.org/reports/'
                           f'{rng.randint(100, 9999)}">{escape(where)} website</a>.')
                sentences.append(f"Read the full report on the {where} website.")
            parts.append(own)
        if planted is not None:
            planting.plant(rng, [part for part in parts if isinstance(part, list)], escape(planted, quote=False))
        return "".join(part if isinstance(part, str) else "<p>" + " ".join(part) + "</p>" for part in parts), sentences


    # --- The newsroom

    def add_editors(self) -> None:
        conn, table = self.writer.conn, Editor.__table__
        wanted = [(f"{first}.{last}@{EDITORS_DOMAIN}".lower(), f"{first} {last}") for first, last in EDITORS]
        existing = dict(conn.execute(select(table.c.email, table.c.id).where(table.c.email.in_([e for e, _ in wanted]))
                                     ).all())
        rows = []
        for email, name in wanted:
            if email not in existing:
                existing[email] = self.writer.new_id(table)
                rows.append({"id": existing[email], "email": email, "name": name,
                             # Unusable: no password hashes to a value without "$" (werkzeug's separator).
                             "password_hash": "!" + secrets.token_hex(32), "is_admin": False, "active": True,
                             "created_at": _time(self.now - YEARS_BACK * 365 * DAY),
                             "last_login_at": None,
                             "session_token": secrets.token_hex(16)})
        if rows:
            conn.execute(insert(table), rows)
            self.writer.written.add(table)
            self.writer.fix_sequences()
        conn.commit()
        self.editors = [_Editor(existing[email], name) for email, name in wanted]
        self.made.editors = len(rows)

    def set_up_newsroom(self, with_desks: bool, with_clocks: bool) -> None:
        """Desks routed to sections and clock targets, made as an admin makes them (a database that has some
        keeps its own), then read as filing reads them."""
        if with_desks and db.session.scalar(select(Desk.id).limit(1)) is None:
            for name, sections, members in DESKS:
                desk = desks.create_desk(name, [self.editors[index].id for index in members])
                for section in sections:
                    desks.set_route(section, desk)
        if with_clocks and db.session.scalar(select(ClockTarget.id).limit(1)) is None:
            clocks.set_targets({category: clocks.Targets(first, resolution)
                                for category, (first, resolution) in CLOCK_TARGETS.items()})
        db.session.commit()
        self.routes = desks.routing_table()
        self.targets = clocks.all_targets()
        self.members = {desk.id: [_Editor(member.id, member.name) for member in desk.members if member.active]
                        for desk in desks.all_desks()}
        # Nothing stays open on the session while the rows go in on their own connection.
        db.session.commit()

    def load_taken(self) -> None:
        """When adding to a database, the slugs, URLs and references already used there."""
        conn = self.writer.conn
        self.taken_slugs = set(conn.scalars(select(Article.__table__.c.slug)))
        self.taken_urls = set(conn.scalars(select(Article.__table__.c.canonical_url)))
        self.taken_references = set(conn.scalars(select(Report.__table__.c.reference)))

    # --- Articles and notices

    def article(self, published: int, planted: str | None = None,
                provenance: tuple[str | None, str | None] | None = None) -> tuple[SimpleNamespace, list[str], dict]:
        """A new article, imported as `import-articles` imports one, with its first revision; `planted`: a sentence
        put in its text (body), `provenance`: how it was made, when not by its slug's share (_provenance)."""
        rng = self.rng
        section = rng.choice(tuple(SECTIONS))
        self.cast(section)
        title = self.render(rng.choice(TITLES_C))
        slug = free_slug(slugify(title), self.taken_slugs)
        self.taken_slugs.add(slug)
        when = _time(published)
        url = f"https://news.example.org/{section.lower()}/{when:%Y/%m/%d}/{slug}"
        while url in self.taken_urls:
            url += "-x"
        self.taken_urls.add(url)
        byline = f"By {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if rng.random() < 0.15:
            byline += f" and {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        raw, sentences = self.body(planted)
        source_type, generator = provenance or _provenance(slug)
        data = parse_article({"title": title, "canonical_url": url, "body": raw, "byline": byline, "section": section,
                              "published_at": when.isoformat(), "source_type": source_type, "generator": generator})
        values = new_article_values(data, sanitise_body(data.body), slug=slug, now=when)
        writer = self.writer
        article = SimpleNamespace(id=writer.new_id(Article.__table__), **values)
        writer.add(Article.__table__, {"id": article.id, **values, "created_at": when, "current_revision_id": None})
        article.current_revision_id = writer.new_id(ArticleRevision.__table__)
        first = {"id": article.current_revision_id, **revision_values(article, None, source="import", by="", at=when)}
        writer.add(ArticleRevision.__table__, first)
        self.made.articles += 1
        self.notices_here, self.change_here = [], None
        return article, sentences, first

    def update(self, article: SimpleNamespace, first: dict, row: dict) -> tuple[int, SimpleNamespace] | None:
        """Now and then an article updated after publication, as content.change_text changes one: a paragraph
        added, its revision and the diff from the first, and the unannounced change editors must answer, which
        an update notice published with the revision answers at once (publishing.publish, unannounced's rules).
        Returns (moment, the article from then on), or None; `row` (the article's row, not yet written) gets
        the newest text."""
        rng = self.rng
        published = int(article.published_at.timestamp())
        if rng.random() >= UPDATE_SHARE or self.now - published < 3 * HOUR:
            return None
        at = rng.randint(published + HOUR, self.now - HOUR)
        editor = rng.choice(self.editors)
        body = sanitise_body(article.body + f"<p>{escape(self.render(rng.choice(UPDATES_C)), quote=False)}</p>")
        later, revision, change = self.revise(article, first, row, body, at, editor)
        if change is None:
            return at, later
        if rng.random() < UPDATE_NOTICE_SHARE:
            notice = self.add_notice(article.id, "update", self.render(rng.choice(UPDATE_NOTICES_C)), at, editor,
                                     revision_id=revision.id)
            self.answer(change, "notice", editor, notice.text, at, notice.id, "update")
        else:
            self.change_here = change
        return at, later

    def revise(self, article: SimpleNamespace, first: dict, row: dict, body: str, at: int,
               editor: _Editor) -> tuple[SimpleNamespace, SimpleNamespace, dict | None]:
        """The article's text changed to `body` by an editor at `at`, as content.change_text changes it: its new
        revision after `first` and the diff between them, `row` (the article's row, not yet written) given the new
        text, and the unannounced change editors must answer (unannounced.review_values; None: none). Returns the
        article from then on, the revision and the change."""
        writer = self.writer
        revision_id = writer.new_id(ArticleRevision.__table__)
        later = SimpleNamespace(**{**vars(article), "body": body, "body_text": plain_text(body),
                                   "updated_at": _time(at), "current_revision_id": revision_id})
        previous = SimpleNamespace(**first)
        revision = SimpleNamespace(id=later.current_revision_id, **revision_values(
            later, previous, source="dashboard", by=editor.name, at=_time(at)))
        writer.add(ArticleRevision.__table__, vars(revision))
        writer.add(RevisionDiff.__table__, diff_values(previous, revision, at=_time(at)))
        row.update(body=later.body, body_text=later.body_text, updated_at=later.updated_at)
        self.made.revisions += 1
        change = unannounced.review_values(article, previous, revision, unannounced.grace())
        if change is not None:
            # Every column, so that open and answered changes go in as one bulk insert.
            change.update(id=writer.new_id(ChangeReview.__table__), announced_at=None, outcome="", reason="",
                          answered_at=None, answered_by="", correction_id=None, notice_kind="")
        return later, revision, change

    def answer(self, change: dict, outcome: str, editor: _Editor | None, reason: str, at: int,
               notice_id: int | None = None, notice_kind: str = "") -> None:
        """The change answered as unannounced answers one (answer_values): by a notice (its text and kind), or an
        editor's reason."""
        answer, event = unannounced.answer_values(SimpleNamespace(**change), outcome, by=editor, reason=reason,
                                                  at=_time(at), notice_kind=notice_kind)
        self.writer.add(ChangeReview.__table__, {**change, **answer, "correction_id": notice_id})
        self.writer.add(ArticleEvent.__table__, {"id": self.writer.new_id(ArticleEvent.__table__), **event})

    def close_change(self) -> None:
        """The article's unannounced change, once its reports are made: excused by an editor after the grace
        period, or settled by the first correction, clarification or update published since, whichever came
        first; else still open."""
        change, self.change_here = self.change_here, None
        if change is None:
            return
        rng = self.rng
        changed = int(change["changed_at"].timestamp())
        settling = min(((at, kind, text, notice_id) for at, kind, text, notice_id in self.notices_here
                        if at >= changed and kind in unannounced.ANNOUNCING_KINDS), default=None)
        excused = int(change["due_at"].timestamp()) + rng.randint(60, 2 * DAY)
        if rng.random() < EXCUSED_SHARE and excused < self.now and (settling is None or excused < settling[0]):
            self.answer(change, "no_notice", rng.choice(self.editors), rng.choice(unannounced.NO_NOTICE_REASONS),
                        excused)
        elif settling is not None:
            at, kind, text, notice_id = settling
            self.answer(change, "notice", None, text, at, notice_id, kind)
        else:
            self.writer.add(ChangeReview.__table__, change)

    def notice(self, article_id: int, passage: str, at: int, editor: _Editor) -> _Notice:
        rng = self.rng
        kind = "correction" if rng.random() < 0.8 or not passage else rng.choice(("clarification", "update"))
        if kind == "correction" and passage:
            notice = self.render(NOTICE_TEXTS_C["correction"][0], passage=passage.strip("“”\"").strip())
        elif kind == "correction":
            notice = "An earlier version of this article gave a wrong figure. " + self.render(rng.choice(FIXES_C))
        else:
            notice = self.render(rng.choice(NOTICE_TEXTS_C[kind]))
        return self.add_notice(article_id, kind, notice, at, editor)

    def add_notice(self, article_id: int, kind: str, notice: str, at: int, editor: _Editor,
                   revision_id: int | None = None, wrong_text: str = "", right_text: str = "") -> _Notice:
        """A notice published at `at` (as the report page publishes one: with no revision, unless it goes with
        one), naming the wrong and right words it corrects if given (as publishing.check_words keeps them), now and
        then amended."""
        rng, writer = self.rng, self.writer
        # `text` stays what was published: the reports' "corrected" events quote it.
        made = _Notice(writer.new_id(Notice.__table__), at, kind, publishing.check_text(kind, notice), editor)
        shown = SimpleNamespace(kind=kind, text=made.text, published_at=_time(at), updated_at=None, withdrawn_at=None,
                                wrong_text=wrong_text, right_text=right_text)
        if rng.random() < 0.05 and at < self.now - HOUR:
            # Amended once: the published text is kept as an earlier version.
            version = publishing.amended(shown, made.text + " We apologise for the error.", by=editor,
                                         at=_time(rng.randint(at + 60, self.now)), note="Added an apology.")
            writer.add(NoticeVersion.__table__, {"id": writer.new_id(NoticeVersion.__table__),
                                                 "correction_id": made.id, **version})
        writer.add(Notice.__table__, {
            "id": made.id, "article_id": article_id, "kind": shown.kind, "text": shown.text,
            "published_at": shown.published_at, "published_by_id": editor.id, "published_by": editor.name,
            "updated_at": shown.updated_at, "withdrawn_at": None, "withdrawn_by": "", "withdrawn_reason": "",
            "revision_id": revision_id, "wrong_text": shown.wrong_text, "right_text": shown.right_text})
        self.notices_here.append((at, kind, made.text, made.id))
        self.made.notices += 1
        return made

    # --- Planted errors

    def planted_error(self) -> planting.PlantedError:
        """An error to plant (planting.planted_error), its sentence's fields filled as a story's are."""
        rng, fill = self.rng, self.fill
        self.cast(rng.choice(tuple(SECTIONS)))
        return planting.planted_error(
            rng, lambda name: fill[name]() if name in fill else planting.VALUES[name](rng),
            lambda: f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", lambda: rng.choice(ORGS))

    def correct(self, article: SimpleNamespace, first: dict, row: dict, error: planting.PlantedError) -> Planted:
        """A reader's report on the wrong sentence of `article`, accepted, then corrected as the report page does it
        (publishing.publish_fixing): the sentence replaced by the right one in the text (fixes.fixed_body, a new
        revision), a correction published with that revision naming the words the change removed and added
        (publishing.change_words, widened as the publish form offers them), the unannounced change answered by it
        and the report corrected. `row` is the article's row, not yet written."""
        rng, writer = self.rng, self.writer
        created = int(article.published_at.timestamp()) + rng.randint(HOUR, DAY)
        report_id = writer.new_id(Report.__table__)
        receipt = tokens.receipt_for(self.reference(report_id), rng.getrandbits(128).to_bytes(16, "big"),
                                     _time(created))
        data = filing.ReportInput(category="factual", description=self.render(PLANTED_REPORT_C),
                                  passage=error.wrong, suggested_correction=error.right)
        passage = filing.passage_values(error.wrong, article.body_text, article.title)
        values = filing.report_values(article, data, receipt=receipt, client=self.client(), passage=passage,
                                      routes=self.routes, targets=self.targets)
        report = SimpleNamespace(**{**self.report_defaults, **values, "id": report_id, "reference": receipt.reference,
                                    "cluster_id": report_id, "assignee": None})
        editor = self.editor_for(report.desk_id)
        walk = self.walk(report.status, "accepted")
        times = self.steps(created, self.now, len(walk) + 1)
        at = times[-1]

        # The passage as anchors.passage_in_text finds it in the text the report was filed on (the current one).
        where = fixes.Passage(passage["passage_exact"], passage["passage_prefix"], passage["passage_suffix"])
        _, revision, change = self.revise(article, first, row, fixes.fixed_body(article.body, where, error.right),
                                          at, editor)
        wrong_text, right_text = publishing.change_words(SimpleNamespace(**first), revision)
        text = self.render(NOTICE_TEXTS_C["correction"][0], passage=error.wrong.rstrip("."), fix=PLANTED_FIX)
        notice = self.add_notice(article.id, "correction", text, at, editor, revision_id=revision.id,
                                 wrong_text=wrong_text, right_text=right_text)
        if change is not None:
            self.answer(change, "notice", editor, notice.text, at, notice.id, "correction")

        events, _ = self.history(report, walk, times, editor, "corrected", None, notice)
        _write_report(writer, report, report_id, events, notice)
        self.made.reports += 1
        self.made.events += len(events)
        self.made.statuses[report.status] += 1
        return Planted(notice.id, article.id, article.slug, wrong_text, right_text, error.wrong, error.right,
                       error.near_miss)

    # --- Reports

    def reference(self, report_id: int) -> str:
        reference = fake_reference(report_id)
        while reference in self.taken_references:
            # Made by the app, by chance: take one from the top of the range, which fake ids never reach.
            reference = fake_reference(self.spare_reference)
            self.spare_reference -= 1
        return reference

    def steps(self, start: int, limit: int, count: int, end_exactly: bool = False) -> list[int]:
        """`count` moments after `start`, hours or days apart, none after `limit` (the last one on it if asked)."""
        if not count:
            return []
        rng = self.rng
        gaps = [int(rng.expovariate(1 / (10 * HOUR))) + 60 for _ in range(count)]
        room = limit - start
        total = sum(gaps)
        if end_exactly:
            scale = room / total
        elif total > room:
            scale = room / total * (0.3 + 0.7 * rng.random())
        else:
            scale = 1.0
        moments, at = [], start
        for gap in gaps:
            at += int(gap * scale)
            moments.append(min(at, limit))
        if end_exactly:
            moments[-1] = limit
        return moments

    def free_fate(self, age: int) -> str:
        rng = self.rng
        if age < 6 * HOUR and rng.random() < 0.85:
            return "new"
        if age < 2 * DAY and rng.random() < 0.5:
            return "new" if rng.random() < 0.6 else "in_review"
        return rng.choices(tuple(FATES), cum_weights=self.fate_cum)[0]

    def fate(self, created: int, group: _Group | None, leads: bool) -> str:
        """How a report (not held as spam) ends up: mostly by its group's story, else by chance and age."""
        rng = self.rng
        fate = self.free_fate(self.now - created)
        if group is not None and not leads:
            fix = group.notice
            roll = rng.random()
            if fix is not None and created < fix.at:
                fate = "corrected" if roll < 0.6 else "duplicate" if roll < 0.9 else "rejected"
            elif fix is not None:
                fate = "duplicate" if roll < 0.55 else "too_late" if roll < 0.8 else fate
            elif roll < 0.45:
                fate = "duplicate"
        if fate == "duplicate" and (group is None or group.anchor is None):
            fate = "rejected"
        if fate == "corrected" and group is not None and group.notice is not None \
                and group.notice.at <= created:
            fate = "too_late"
        return fate

    def walk(self, start: str, goal: str) -> list[str]:
        """The states a report passes through from `start` to `goal`, each move one of the workflow's MOVES: the
        shortest way, but for a look first (LOOK_FIRST) or a wrong turn undone (WRONG_TURNS) now and then."""
        rng = self.rng
        path, state, turned = [], start, False
        while state != goal:
            onward = [after for after in sorted(MOVES[state]) if (after, goal) in DISTANCES]
            if not turned and rng.random() < WRONG_TURN_SHARE:
                wrong = [after for after in onward if after in WRONG_TURNS and after != goal]
                if wrong:
                    state, turned = rng.choice(wrong), True
                    path.append(state)
                    continue
            if not path and goal in onward and "in_review" in onward and rng.random() < LOOK_FIRST.get(goal, 0):
                state = "in_review"
            else:
                state = min(onward, key=lambda after: DISTANCES[after, goal])
            path.append(state)
        return path

    def editor_for(self, desk_id: int | None) -> _Editor:
        """Who acts on a report: mostly a member of its desk, if it has one."""
        members = self.members.get(desk_id) if desk_id is not None else None
        if members and self.rng.random() < DESK_SHARE:
            return self.rng.choice(members)
        return self.rng.choice(self.editors)

    def report(self, page: _Page, created: int) -> None:
        """One report arriving at `created`, filed as filing files it, its whole history through the workflow, and
        the notice it leads to, if any."""
        rng, writer = self.rng, self.writer
        report_id = writer.new_id(Report.__table__)
        held = rng.random() < HELD_SPAM_SHARE
        passage = "" if rng.random() < (0.8 if held else NO_PASSAGE_SHARE) else page.quote(rng)
        receipt = tokens.receipt_for(self.reference(report_id), rng.getrandbits(128).to_bytes(16, "big"),
                                     _time(created))
        article = page.at(created)
        values = filing.report_values(article, self.reader_input(held, passage), receipt=receipt,
                                      client=self.client(), spam_reason=self.spam_reason() if held else "",
                                      passage=page.passage_values(passage), routes=self.routes, targets=self.targets)
        row = SimpleNamespace(**{**self.report_defaults, **values, "id": report_id, "reference": receipt.reference,
                                 "assignee": None})

        # The group filing puts it in, and the earlier decision filing links it to.
        place = filing.place_of(values)
        group = None
        row.cluster_id = report_id
        if place is not None:
            near = page.places.near(place)
            earlier = page.places.earliest(near, created)
            row.resurfaced_from_id = page.places.corrected_here(near, created)
            if earlier is not None:
                row.cluster_id = earlier[1]
                group = page.groups[row.cluster_id]
                if row.resurfaced_from_id is None:
                    row.resurfaced_from_id = group.latest_decision(created)
            else:
                group = page.groups[report_id] = _Group()

        fate = "held" if held else self.fate(created, group, row.cluster_id == report_id)
        editor = self.editor_for(row.desk_id)
        notice = None
        if fate == "corrected":
            goal = rng.choices(tuple(BEFORE_NOTICE), cum_weights=self.before_notice_cum)[0]
            walk = self.walk(row.status, goal)
            if group is not None and group.notice is not None:
                # Published together with the group's notice.
                notice = group.notice
                times = self.steps(created, notice.at, len(walk) + 1, end_exactly=True)
            else:
                times = self.steps(created, self.now, len(walk) + 1)
                notice = self.notice(page.article.id, passage, times[-1], editor)
                if group is not None:
                    group.notice = notice
        else:
            walk = self.walk(row.status, GOALS[fate])
            times = self.steps(created, self.now, len(walk))
        events, moves = self.history(row, walk, times, editor, fate, group, notice)
        _write_report(writer, row, report_id, events, notice)
        if place is not None:
            spam = tuple((at, moves[i + 1][1] if i + 1 < len(moves) else None)
                         for i, (to, at) in enumerate(moves) if to == "spam")
            page.places.add(place, report_id, row.cluster_id, spam)
            group.add_decisions(report_id, moves)
            if notice is not None:
                page.places.add_notice(place, notice.at, report_id)
            if group.anchor is None and row.status not in ("duplicate", "spam"):
                group.anchor = row
        self.made.reports += 1
        self.made.events += len(events)
        self.made.statuses[row.status] += 1

    def history(self, row: SimpleNamespace, walk: list[str], times: list[int], editor: _Editor, fate: str,
                group: _Group | None, notice: _Notice | None) -> tuple[list[dict], list[tuple[str, int]]]:
        """The report's events, made by the workflow's functions on the report as it goes, and its status moves."""
        rng = self.rng
        events = [{**workflow.received(row.status, row.spam_reason), "created_at": row.created_at}]
        moves = []
        for to, at in zip(walk, times, strict=False):
            when = _time(at)
            if to == "rejected":
                reason = REJECT_REASONS[3] if fate == "too_late" else rng.choice(REJECT_REASONS[:3])
                events.append(workflow.rejected(row, reason, by=editor, at=when))
            elif to == "duplicate":
                events.append(workflow.duplicated(row, group.anchor, by=editor, at=when))
            else:
                reopened = to == "in_review" and row.status in CLOSED
                events.append(workflow.moved(row, to, by=editor, at=when, comment=REOPENED if reopened else ""))
            if not moves and to == "in_review":
                # The first look: the report is often given to someone, now and then with a note.
                if rng.random() < 0.6:
                    assignee = editor if rng.random() < 0.8 else rng.choice(self.editors)
                    events.append(workflow.assigned(row, assignee, by=editor, at=when))
                if rng.random() < 0.05:
                    events.append(workflow.noted(row, rng.choice(NOTE_TEXTS), by=editor, at=when))
            moves.append((to, at))
        if notice is not None:
            when = _time(notice.at)
            for to, comment in publishing.moves_on_publishing(row.status, notice.kind, notice.text):
                events.append(workflow.moved(row, to, by=notice.editor, at=when, comment=comment))
                moves.append((to, notice.at))
        return events, moves

    def spam_reason(self) -> str:
        """Why the form held a report as spam: the signals a bot sets off (filing.spam_signal)."""
        rng = self.rng
        return filing.spam_signal(honeypot_filled=rng.random() < 0.6,
                                  elapsed=None if rng.random() < 0.3 else rng.randint(5, 29) / 10,
                                  min_seconds=DEFAULTS["SPAM_MIN_SECONDS"])

    def client(self) -> str:
        """The keyed hash of where a report came from: now and then one of a few busy clients."""
        rng = self.rng
        if rng.random() < 0.04:
            address = rng.choice(self.addresses)
        else:
            bits = rng.getrandbits(32)
            address = f"{bits >> 24}.{bits >> 16 & 255}.{bits >> 8 & 255}.{bits & 255}"
        return tokens.client_hash(address, self.secret)

    def reader_input(self, held: bool, passage: str) -> filing.ReportInput:
        """What the reader typed into the form."""
        rng = self.rng
        category = rng.choices(tuple(CATEGORY_WEIGHTS), cum_weights=self.category_cum)[0]
        if held:
            description = self.render(rng.choice(SPAM_TEXTS_C))
            category = "other" if rng.random() < 0.7 else category
        else:
            description = self.render(rng.choice(DESCRIPTIONS_C[category]))
            if rng.random() < 0.25:
                description += " " + " ".join(self.render(rng.choice(MORE_DETAIL_C))
                                              for _ in range(rng.randint(1, 5)))
        suggestion = ""
        if passage and not held and rng.random() < 0.4:
            suggestion = _misquote(rng, passage.strip("“”\""))
        source_url = ""
        if not held and rng.random() < 0.25:
            source_url = (f"https://{slugify(rng.choice(ORGS).removeprefix('the '))}.example.org/"
                          f"{rng.choice(('minutes', 'reports', 'news', 'data'))}/{rng.randint(1000, 99999)}")
        name = email = ""
        notify = False
        if rng.random() < 0.55:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if rng.random() < EMAIL_SHARE:
            handle = "".join(ch for ch in (name or rng.choice(LAST_NAMES)).lower().replace(" ", ".")
                             if ch.isascii() and (ch.isalnum() or ch == "."))
            email = f"{handle}{rng.randint(1, 999)}@example.{rng.choice(('com', 'net', 'org'))}"
            notify = rng.random() < 0.8
        return filing.ReportInput(category=category, description=description, passage=passage,
                                  suggested_correction=suggestion, source_url=source_url, name=name, email=email,
                                  notify=notify)

    def report_times(self, published: int, count: int) -> list[int]:
        rng = self.rng
        room = self.now - published
        times = []
        for _ in range(count):
            delay = int(rng.expovariate(1 / PROMPT_MEAN)) + 30 if rng.random() < PROMPT_SHARE else room
            if delay >= room:
                delay = rng.randint(min(30, room), room)
            times.append(published + delay)
        times.sort()
        return times


def _write_report(writer: "_Writer", row, report_id: int, events: list[dict], notice) -> None:
    """A report's row as its history leaves it (updated when its last event was, one version an event), its events,
    and its link to the notice that corrected it, if any."""
    row.updated_at = events[-1]["created_at"]
    row.version = len(events)
    del row.assignee
    writer.add(Report.__table__, vars(row))
    for event in events:
        writer.add(Event.__table__, {"id": writer.new_id(Event.__table__), "report_id": report_id, **event})
    if notice is not None:
        writer.add(notice_report, {"correction_id": notice.id, "report_id": report_id})

def _zipf_counts(rng: random.Random, articles: int, reports: int) -> list[int]:
    """How many reports each article gets: a few hot articles get most of them."""
    ranks = list(range(1, articles + 1))
    rng.shuffle(ranks)
    cum_weights = list(itertools.accumulate(1 / rank for rank in ranks))
    counts = [0] * articles
    population = range(articles)
    left = reports
    while left:
        chunk = min(left, 100_000)
        for index in rng.choices(population, cum_weights=cum_weights, k=chunk):
            counts[index] += 1
        left -= chunk
    return counts


def generate(articles: int, reports: int, seed: int = 1, *, batch: int = BATCH, now: datetime | None = None,
             progress: Callable[[int], None] | None = None, with_desks: bool = True,
             with_clocks: bool = True, plant_errors: int = 0) -> Generated:
    """Add `articles` fake articles and `reports` reports on them, with their events, corrections and editors.

    Articles: titles, bylines, six sections, bodies of 5 to 12 paragraphs (600 to 1,200 words), published over
    the last two years. Reports: spread over the articles with a Zipf-like skew, quoting passages copied from
    the body (a few misquoted, so not found), in every status in plausible shares, each with the events that
    lead to it, made by a few fake editors; duplicates point at an earlier report of their group, and accepted
    reports of a group are corrected together by one published correction. Unless told otherwise (and unless
    the database has its own), the fake newsroom sets up desks routed to most sections (`with_desks`) and clock
    targets (`with_clocks`) first, so reports get desks and deadlines. About one article in sixteen is updated
    after publication: reports from then on are filed on its second revision. `plant_errors` errors are planted
    after them (_plant), in articles of their own (7 each), recorded in the result's `planted`.

    Ids follow the articles' publication dates (the planted articles', after the others, among themselves) and,
    within an article, the reports' arrival (as
    submit_report needs: an earlier report has a smaller id). The same seed and `now` (by default the start
    of today, UTC) give the same rows; tokens also depend on the
    app's SECRET_KEY, so run inside an app context. Writes `batch` reports (and their events) per transaction;
    `progress(done)` is called after each. Needs no other writer at the same time: ids are counted on from
    the largest already in each table.
    """
    if articles < 1:
        raise ValueError("articles must be 1 or more")
    if reports < 0:
        raise ValueError("reports must be 0 or more")
    if batch < 1:
        raise ValueError("batch must be 1 or more")
    if plant_errors < 0:
        raise ValueError("plant_errors must be 0 or more")
    now = now or utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    now_ts = int(now.timestamp())
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        restore = {}
        if sqlite:
            # This connection, this run only. Safe if the process dies; a power cut mid-run could damage the
            # file, which holds only fake data (gen-fake refuses a database with articles unless told). The rows
            # point at each other by ids counted here: PostgreSQL checks the same rows' foreign keys.
            for pragma, value in (("synchronous", "OFF"), ("cache_size", "-200000"), ("foreign_keys", "OFF")):
                restore[pragma] = conn.exec_driver_sql(f"PRAGMA {pragma}").scalar()
                conn.exec_driver_sql(f"PRAGMA {pragma}={value}")
        try:
            writer = _Writer(conn)
            # Data added to a database offsets the seed, so the same seed twice does not repeat rows.
            start = (writer.first_id[Article.__table__], writer.first_id[Report.__table__])
            # Not for secrets: fake data must come out the same for the same seed.
            rng = random.Random(f"corrections-fake:{seed}:{start[0]}:{start[1]}")  # nosec B311
            maker = _Generator(rng, writer, now_ts, current_app.config["SECRET_KEY"])
            if start != (1, 1):
                maker.load_taken()
            maker.add_editors()
            maker.set_up_newsroom(with_desks, with_clocks)
            _fill(maker, articles, reports, batch, progress)
            _plant(maker, plant_errors)
            writer.flush()
        finally:
            conn.rollback()
            for pragma, value in restore.items():
                conn.exec_driver_sql(f"PRAGMA {pragma}={value}")
    # The report table's triggers counted every report: one row per status from here on, and per key of the
    # figures' tallies.
    fold_counts()
    tallies.fold(at_least=0)
    return maker.made


def _fill(maker: _Generator, articles: int, reports: int, batch: int, progress) -> None:
    rng, writer, now = maker.rng, maker.writer, maker.now
    earliest = now - YEARS_BACK * 365 * DAY
    published = sorted(rng.randint(earliest, now - HOUR) for _ in range(articles))
    counts = _zipf_counts(rng, articles, reports)
    for when, count in zip(published, counts, strict=True):
        article, sentences, first = maker.article(when)
        later = maker.update(article, first, writer.rows[Article.__table__][-1])
        if rng.random() < 0.03:
            # A notice an editor published without any report.
            kind = rng.choice(("update", "clarification", "editors_note"))
            maker.add_notice(article.id, kind, maker.render(rng.choice(NOTICE_TEXTS_C[kind])),
                             rng.randint(when + HOUR, now) if now > when + HOUR else now,
                             rng.choice(maker.editors))
        if count:
            page = _Page(rng, article, sentences)
            page.later = later
            for created in maker.report_times(when, count):
                maker.report(page, created)
                if writer.pending(Report.__table__) >= batch:
                    writer.flush()
                    if progress:
                        progress(maker.made.reports)
        maker.close_change()
        if writer.pending(Article.__table__) >= 200:
            writer.flush()


def _plant(maker: _Generator, count: int) -> None:
    """`count` errors planted (seed/planting.py), each in an article of its own where a reader reports it and an
    editor corrects it, and in the other articles SIBLINGS says, published at any time (before or after the
    correction); all written by the same machine (PLANTED_PROVENANCE). Each is recorded in `maker.made.planted`."""
    rng, writer, now = maker.rng, maker.writer, maker.now
    earliest = now - YEARS_BACK * 365 * DAY
    articles = []  # (published, error's number, kind, sentence)
    for number in range(count):
        error = maker.planted_error()
        # Published three days back at least: the report and the correction come after.
        articles.append((rng.randint(earliest, now - 3 * DAY), number, "corrected", error))
        for kind, times in SIBLINGS:
            for _ in range(times):
                sentence = {"verbatim": error.wrong, "right": error.right, "near_miss": error.near_miss}.get(kind) \
                    or planting.reworded(rng, error.wrong, rng.randint(1, 3))
                articles.append((rng.randint(earliest, now - HOUR), number, kind, sentence))
    planted: dict[int, Planted] = {}
    siblings: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    # In order of publication, as the other articles are: ids follow dates among the planted articles.
    for published, number, kind, what in sorted(articles, key=lambda item: item[:3]):
        sentence = what.wrong if kind == "corrected" else what
        article, _, first = maker.article(published, sentence, PLANTED_PROVENANCE)
        if kind == "corrected":
            planted[number] = maker.correct(article, first, writer.rows[Article.__table__][-1], what)
        else:
            siblings[number].append((article.id, article.slug, kind, sentence))
        if writer.pending(Article.__table__) >= 200:
            writer.flush()
    for number in range(count):
        planted[number].articles = siblings[number]
        maker.made.planted.append(planted[number])
