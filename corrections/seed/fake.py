"""Realistic fake data at volume, for load tests and benchmarks (`corrections gen-fake`).

Everything is made from the small word lists below by one seeded random generator: the same seed on the
same day gives the same rows (dates count back from the start of the day, UTC). Rows go in with bulk Core
inserts, one transaction per batch, with ids counted on from the largest already in each table, so events,
duplicates and corrections point at reports without asking the database. Nothing here goes through the ORM
or the workflow functions, so their rules are kept here by construction (and checked by tests/seed/test_fake.py):
every report starts with its "received" event and reaches its status by allowed moves, clusters follow
reports.submit_report, passages and spans are those the form would have stored, and status links work.
"""

import hashlib
import itertools
import random
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from flask import current_app
from psycopg import sql as psycopg_sql
from sqlalchemy import Connection, func, insert, select, text, update

from corrections.articles.content import plain_text, sanitise_body, slugify
from corrections.articles.revisions import content_hash
from corrections.extensions import db
from corrections.models import (
    Article,
    ArticleRevision,
    Correction,
    CorrectionVersion,
    Editor,
    Event,
    Report,
    correction_report,
    utcnow,
)
from corrections.reports.passages import normalise_for_match, passage_needle
from corrections.reports.tokens import REFERENCE_ALPHABET, client_hash, status_token
from corrections.reports.workflow import REJECT_REASONS
from corrections.text import hash_token
from corrections.triage.queue import fold_counts
from corrections.vocabulary import CLOSED, CORRECTION_KINDS, STATES

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
SPAM_REASONS = ("the hidden honeypot field was filled", "the form's timestamp was missing or altered")
CATEGORY_WEIGHTS = {"factual": 40, "typo": 20, "misleading": 15, "outdated": 8, "broken_link": 5, "other": 12}
NOTICE_TEXTS = {
    "correction": ("An earlier version of this article said “{passage}”. {fix}",),
    "clarification": ("This article has been amended to make clear that the figures refer to {place} only.",
                      "An earlier version of this article did not make clear that {org} disputes these figures."),
    "update": ("This article was updated to include a response from {org}.",
               "This article was updated on {day} {month} with the final figures from {org}."),
    "editors_note": ("This article was updated after publication to reflect new information from {org}.",),
}
FIXES = ("This has been corrected.", "The correct figure is {money}.", "The vote was {votes}.",
         "The article has been corrected to say {place}.")

# How a report that is not held as spam on arrival ends up, when nothing about its group decides it.
FATES = {"new": 10, "in_review": 7, "accepted": 3, "corrected": 5, "rejected": 40, "spam": 8}
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
    chars = [REFERENCE_ALPHABET[(x >> shift) & 31] for shift in range(25, -1, -5)]
    return "R-" + "".join(chars)


@dataclass
class Generated:
    """What one run made."""

    articles: int = 0
    reports: int = 0
    events: int = 0
    corrections: int = 0
    editors: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))


@dataclass
class _Correction:
    id: int
    at: int
    kind: str
    text: str
    editor: tuple[int, str]


@dataclass
class _Cluster:
    """A group of reports on one passage: the report duplicates point at, and its correction if any."""

    anchor: tuple[int, str] | None = None
    correction: _Correction | None = None


@dataclass
class _History:
    """A report's events and what they leave on the report."""

    status: str
    last_at: int
    events: list[dict] = field(default_factory=list)
    first_action_at: int | None = None
    closed_at: int | None = None
    spam_at: int | None = None
    assignee_id: int | None = None
    reject_reason: str = ""


def _time(moment: int | None) -> datetime | None:
    return datetime.fromtimestamp(moment, UTC) if moment is not None else None


class _Places:
    """Where earlier reports of one article sit, to give a new report the group reports.submit_report would give it.

    submit_report picks the earliest earlier report, not spam at that moment, on the same passage (found
    passages: an overlapping span; passages not found: the same key). For each distinct span or key only the
    reports up to the first one never marked spam can ever be that earliest one, so only they are kept.
    """

    BUCKET = 200

    def __init__(self):
        self.spans: dict[tuple[int, int], list[tuple[int, int, int | None]]] = {}
        self.buckets: dict[int, list[tuple[int, int]]] = {}
        self.keys: dict[str, list[tuple[int, int, int | None]]] = {}

    @staticmethod
    def _first(entries, at: int):
        for entry in entries:
            if entry[2] is None or entry[2] > at:
                return entry
        return None

    def earliest(self, span: tuple[int, int] | None, key: str, at: int):
        """(id, cluster id, spam time) of the report a new one at time `at` joins, or None."""
        if span is None:
            entries = self.keys.get(key)
            return self._first(entries, at) if entries else None
        start, end = span
        best = None
        for bucket in range(start // self.BUCKET, (end - 1) // self.BUCKET + 1):
            for other in self.buckets.get(bucket, ()):
                if other[0] < end and other[1] > start:
                    entry = self._first(self.spans[other], at)
                    if entry is not None and (best is None or entry[0] < best[0]):
                        best = entry
        return best

    def add(self, span: tuple[int, int] | None, key: str, report_id: int, cluster_id: int, spam_at: int | None):
        if span is None:
            entries = self.keys.setdefault(key, [])
        else:
            entries = self.spans.get(span)
            if entries is None:
                entries = self.spans[span] = []
                for bucket in range(span[0] // self.BUCKET, (span[1] - 1) // self.BUCKET + 1):
                    self.buckets.setdefault(bucket, []).append(span)
        if not entries or entries[-1][2] is not None:
            entries.append((report_id, cluster_id, spam_at))


class _Writer:
    """Buffers rows and writes them in bulk, parents first, one transaction per batch."""

    TABLES = (Article.__table__, ArticleRevision.__table__, Report.__table__, Event.__table__, Correction.__table__,
              CorrectionVersion.__table__, correction_report)
    WITH_IDS = (Article.__table__, ArticleRevision.__table__, Report.__table__, Event.__table__, Correction.__table__,
                CorrectionVersion.__table__, Editor.__table__)

    def __init__(self, conn: Connection):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.rows = {table: [] for table in self.TABLES}
        self.next_id = {table: (conn.scalar(select(func.max(table.c.id))) or 0) + 1 for table in self.WITH_IDS}
        self.first_id = dict(self.next_id)
        self.written: set = set()

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
                    self.conn.execute(insert(table), rows)
                self.rows[table] = []
                self.written.add(table)
        if new_articles:
            # Each new article points at its first revision, written after it (the revision refers to it).
            revision = ArticleRevision.__table__
            self.conn.execute(
                update(Article.__table__)
                .where(Article.__table__.c.id.between(min(new_articles), max(new_articles)))
                .values(current_revision_id=select(revision.c.id).where(
                    revision.c.article_id == Article.__table__.c.id, revision.c.number == 1).scalar_subquery()))
        self.fix_sequences()
        self.conn.commit()

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
    """One article's text as the report form sees it: sentences to quote, and where quotes land."""

    def __init__(self, rng: random.Random, article_id: int, body_text: str, sentences: list[str]):
        self.article_id = article_id
        self.norm = normalise_for_match(body_text)
        self.sentences = sentences
        # A few sentences hold the real mistakes and draw most of the reports.
        weights = [1.0] * len(sentences)
        for weight in (30, 15, 8)[: rng.randint(1, 3)]:
            weights[rng.randrange(len(sentences))] += weight
        self.cum_weights = list(itertools.accumulate(weights))
        self.variants: dict[int, list[str]] = {}
        self.located: dict[str, tuple[str, tuple[int, int] | None]] = {}
        self.places = _Places()
        self.clusters: dict[int, _Cluster] = {}

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

    def locate(self, passage: str) -> tuple[str, tuple[int, int] | None]:
        """(passage key, span) as passages.passage_key and passages.locate_passage give them, searching the
        article's text normalised once rather than once a report."""
        found = self.located.get(passage)
        if found is None:
            needle = passage_needle(passage)
            key = hashlib.sha256(needle.encode()).hexdigest() if needle else ""
            start = self.norm.find(needle) if needle else -1
            found = self.located[passage] = (key, (start, start + len(needle)) if start >= 0 else None)
        return found


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
        self.editors: list[tuple[int, str]] = []
        self.taken_slugs: set[str] = set()
        self.taken_urls: set[str] = set()
        self.taken_references: set[str] = set()
        self.spare_reference = REFERENCE_MASK  # for the rare clash with a reference made by the app
        self.fate_cum = list(itertools.accumulate(FATES.values()))
        self.category_cum = list(itertools.accumulate(CATEGORY_WEIGHTS.values()))
        self.addresses = [f"198.51.100.{n}" for n in range(1, 21)]  # a few busy clients
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

    def body(self) -> tuple[str, list[str]]:
        """HTML paragraphs of 600 to 1,200 words (a subheading and a link now and then), and its sentences."""
        rng = self.rng
        target = rng.randint(600, 1200)
        paragraphs = rng.randint(5, 12)
        subhead_at = rng.randint(2, paragraphs - 1) if rng.random() < 0.35 else -1
        link_at = rng.randrange(paragraphs) if rng.random() < 0.4 else -1
        parts: list[str] = []
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
            parts.append("<p>" + " ".join(own) + "</p>")
        return "".join(parts), sentences

    # --- Rows

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
        self.editors = [(existing[email], name) for email, name in wanted]
        self.made.editors = len(rows)

    def load_taken(self) -> None:
        """When adding to a database, the slugs, URLs and references already used there."""
        conn = self.writer.conn
        self.taken_slugs = set(conn.scalars(select(Article.__table__.c.slug)))
        self.taken_urls = set(conn.scalars(select(Article.__table__.c.canonical_url)))
        self.taken_references = set(conn.scalars(select(Report.__table__.c.reference)))

    def article(self, published: int) -> tuple[int, str, list[str]]:
        rng = self.rng
        section = rng.choice(tuple(SECTIONS))
        self.cast(section)
        title = self.render(rng.choice(TITLES_C))
        base = slugify(title)
        slug, n = base, 1
        while slug in self.taken_slugs:
            n += 1
            slug = f"{base}-{n}"
        self.taken_slugs.add(slug)
        when = datetime.fromtimestamp(published, UTC)
        url = f"https://news.example.org/{section.lower()}/{when:%Y/%m/%d}/{slug}"
        while url in self.taken_urls:
            url += "-x"
        self.taken_urls.add(url)
        byline = f"By {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if rng.random() < 0.15:
            byline += f" and {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        raw, sentences = self.body()
        body = sanitise_body(raw)
        body_text = plain_text(body)
        article_id = self.writer.new_id(Article.__table__)
        self.writer.add(Article.__table__, {
            "id": article_id, "slug": slug, "canonical_url": url, "title": title, "byline": byline,
            "section": section, "body": body, "body_text": body_text, "published_at": when, "created_at": when,
            "updated_at": when, "current_revision_id": None,
        })
        self.writer.add(ArticleRevision.__table__, {
            "id": self.writer.new_id(ArticleRevision.__table__), "article_id": article_id, "number": 1, "title": title,
            "body": body, "body_text": body_text, "content_hash": content_hash(title, body), "source": "import",
            "created_by": "", "created_at": when,
        })
        self.made.articles += 1
        return article_id, body_text, sentences

    def reference(self, report_id: int) -> str:
        reference = fake_reference(report_id)
        while reference in self.taken_references:
            # Made by the app, by chance: take one from the top of the range, which fake ids never reach.
            reference = fake_reference(self.spare_reference)
            self.spare_reference -= 1
        return reference

    def steps(self, start: int, limit: int, count: int, end_exactly: bool = False) -> list[int]:
        """`count` moments after `start`, hours or days apart, none after `limit` (the last one on it if asked)."""
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

    def correction(self, article_id: int, passage: str, at: int, editor: tuple[int, str]) -> _Correction:
        rng = self.rng
        kind = "correction" if rng.random() < 0.8 or not passage else rng.choice(("clarification", "update"))
        if kind == "correction" and passage:
            notice = self.render(NOTICE_TEXTS_C["correction"][0], passage=passage.strip("“”\"").strip())
        elif kind == "correction":
            notice = "An earlier version of this article gave a wrong figure. " + self.render(rng.choice(FIXES_C))
        else:
            notice = self.render(rng.choice(NOTICE_TEXTS_C[kind]))
        return self.add_correction(article_id, kind, notice, at, editor)

    def add_correction(self, article_id: int, kind: str, notice: str, at: int,
                       editor: tuple[int, str]) -> _Correction:
        rng, writer = self.rng, self.writer
        # `text` stays what was published: the reports' "corrected" events quote it.
        made = _Correction(writer.new_id(Correction.__table__), at, kind, notice, editor)
        shown, updated = notice, None
        if rng.random() < 0.05 and at < self.now - HOUR:
            # Amended once: the published text is kept as an earlier version, as notices.amend keeps it.
            shown, updated = notice + " We apologise for the error.", rng.randint(at + 60, self.now)
            writer.add(CorrectionVersion.__table__, {
                "id": writer.new_id(CorrectionVersion.__table__), "correction_id": made.id, "kind": kind,
                "text": notice, "shown_from": _time(at), "replaced_at": _time(updated), "replaced_by": editor[1],
                "note": "Added an apology."})
        writer.add(Correction.__table__, {
            "id": made.id, "article_id": article_id, "kind": kind, "text": shown, "published_at": _time(at),
            "published_by_id": editor[0], "published_by": editor[1], "updated_at": _time(updated),
            "withdrawn_at": None, "withdrawn_by": "", "withdrawn_reason": ""})
        self.made.corrections += 1
        return made

    def report(self, page: _Page, created: int) -> None:
        """One report arriving at `created`, its whole history, and the correction it leads to, if any."""
        rng, writer = self.rng, self.writer
        report_id = writer.new_id(Report.__table__)
        held = rng.random() < HELD_SPAM_SHARE
        passage = "" if rng.random() < (0.8 if held else NO_PASSAGE_SHARE) else page.quote(rng)
        key, span = page.locate(passage) if passage else ("", None)

        # The group submit_report puts it in when it arrives.
        cluster_id = report_id
        if not held and key:
            earlier = page.places.earliest(span, key, created)
            if earlier is not None:
                cluster_id = earlier[1]
        group = page.clusters.get(cluster_id)
        if group is None and not held and key:
            group = page.clusters[cluster_id] = _Cluster()

        fate = "held" if held else self.fate(created, group, cluster_id == report_id)
        editor = rng.choice(self.editors)
        path = self.path(fate)
        correction = None
        if fate == "corrected" and group is not None and group.correction is not None:
            # Published together with the group's correction.
            correction = group.correction
            times = self.steps(created, correction.at, len(path), end_exactly=True)
        else:
            times = self.steps(created, self.now, len(path))
            if fate == "corrected":
                correction = self.correction(page.article_id, passage, times[-1], editor)
                if group is not None:
                    group.correction = correction

        reference = self.reference(report_id)
        spam_reason = ""
        if held:
            spam_reason = (rng.choice(SPAM_REASONS) if rng.random() < 0.6
                           else f"sent {rng.randint(5, 29) / 10} s after the form was served")
        done = self.history(report_id, created, spam_reason, path, times, editor, fate, group, correction)
        row = self.report_row(held, passage)
        row.update({
            "id": report_id, "article_id": page.article_id, "reference": reference, "status": done.status,
            "passage": passage, "passage_found": (span is not None) if passage else None, "passage_key": key,
            "passage_start": span[0] if span else None, "passage_end": span[1] if span else None,
            "cluster_id": cluster_id, "spam_reason": spam_reason, "created_at": _time(created),
            "updated_at": _time(done.last_at), "version": len(done.events),
            "first_action_at": _time(done.first_action_at), "closed_at": _time(done.closed_at),
            "assignee_id": done.assignee_id, "reject_reason": done.reject_reason,
            "duplicate_of_id": group.anchor[0] if done.status == "duplicate" else None,
        })
        writer.add(Report.__table__, row)
        for event in done.events:
            writer.add(Event.__table__, event)
        if correction is not None:
            writer.add(correction_report, {"correction_id": correction.id, "report_id": report_id})
        if not held and key:
            page.places.add(span, key, report_id, cluster_id, done.spam_at)
        if group is not None and group.anchor is None and done.status not in ("duplicate", "spam"):
            group.anchor = (report_id, reference)
        self.made.reports += 1
        self.made.events += len(done.events)
        self.made.statuses[done.status] += 1

    def fate(self, created: int, group: _Cluster | None, leads: bool) -> str:
        """How a report (not held as spam) ends up: mostly by its group's story, else by chance and age."""
        rng = self.rng
        fate = self.free_fate(self.now - created)
        if group is not None and not leads:
            fix = group.correction
            roll = rng.random()
            if fix is not None and created < fix.at:
                fate = "corrected" if roll < 0.6 else "duplicate" if roll < 0.9 else "rejected"
            elif fix is not None:
                fate = "duplicate" if roll < 0.55 else "too_late" if roll < 0.8 else fate
            elif roll < 0.45:
                fate = "duplicate"
        if fate == "duplicate" and (group is None or group.anchor is None):
            fate = "rejected"
        if fate == "corrected" and group is not None and group.correction is not None \
                and group.correction.at <= created:
            fate = "too_late"
        return fate

    def path(self, fate: str) -> list[str]:
        """The status moves from "new" that lead to the fate."""
        roll = self.rng.random()
        return {
            "held": [], "new": [],
            "in_review": ["rejected", "in_review"] if roll < 0.1 else ["in_review"],
            "accepted": ["in_review", "accepted"],
            "corrected": ["in_review", "accepted", "corrected"],
            "rejected": ["rejected"] if roll < 0.6 else ["in_review", "rejected"] if roll < 0.95
            else ["rejected", "in_review", "rejected"],
            "too_late": ["rejected"],
            "duplicate": ["duplicate"] if roll < 0.7 else ["in_review", "duplicate"],
            "spam": ["spam"] if roll < 0.85 else ["in_review", "spam"],
        }[fate]

    def history(self, report_id: int, created: int, spam_reason: str, path: list[str], times: list[int],
                editor: tuple[int, str], fate: str, group: _Cluster | None,
                correction: _Correction | None) -> "_History":
        """The report's events, as the workflow functions would have recorded them, and what they leave."""
        rng, writer = self.rng, self.writer
        done = _History(status="spam" if spam_reason else "new", last_at=created)

        def record(at: int, kind: str, actor: tuple[int, str] | None, from_value: str = "", to_value: str = "",
                   comment: str = "") -> None:
            done.events.append({
                "id": writer.new_id(Event.__table__), "report_id": report_id, "created_at": _time(at),
                "actor_id": actor[0] if actor else None, "actor": actor[1] if actor else "reader", "kind": kind,
                "from_value": from_value, "to_value": to_value, "comment": comment})
            done.last_at = at
            if actor is not None and done.first_action_at is None:
                done.first_action_at = at

        record(created, "received", None, to_value=done.status,
               comment=f"Held as spam: {spam_reason}." if spam_reason else "")
        if spam_reason:
            done.spam_at = created
        for to, at in zip(path, times, strict=True):
            actor, comment = editor, ""
            if to == "rejected":
                comment = REJECT_REASONS[3] if fate == "too_late" else rng.choice(REJECT_REASONS[:3])
                done.reject_reason = comment
            elif to == "duplicate":
                comment = f"Duplicate of {group.anchor[1]}."
            elif to == "corrected":
                actor = correction.editor
                comment = f"{CORRECTION_KINDS[correction.kind]} published: {correction.text}"
            elif to == "accepted" and correction is not None and at == correction.at:
                actor, comment = correction.editor, "Accepted on publishing a correction."
            elif to == "in_review" and done.status in CLOSED:
                comment = "Reopened: the reader sent more detail."
            record(at, "status", actor, done.status, to, comment)
            if to == "in_review":
                done.reject_reason = ""
            first_look = to == "in_review" and len(done.events) == 2
            if first_look and rng.random() < 0.6:
                assignee = editor if rng.random() < 0.8 else rng.choice(self.editors)
                record(at, "assign", editor, "", assignee[1])
                done.assignee_id = assignee[0]
            if first_look and rng.random() < 0.05:
                record(at, "note", editor, comment=rng.choice(NOTE_TEXTS))
            done.status = to
            done.closed_at = at if to in CLOSED else None
            if to == "spam":
                done.spam_at = at
        return done

    def report_row(self, held: bool, passage: str) -> dict:
        """What the reader typed (and where from): everything but the place and the history."""
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
        if rng.random() < 0.04:
            address = rng.choice(self.addresses)
        else:
            bits = rng.getrandbits(32)
            address = f"{bits >> 24}.{bits >> 16 & 255}.{bits >> 8 & 255}.{bits & 255}"
        nonce = f"{rng.getrandbits(128):032x}"
        return {
            # The status link works: the token is derived from the nonce as reports.submit_report derives it.
            "token_nonce": nonce, "token_hash": hash_token(status_token(nonce)), "category": category,
            "description": description, "suggested_correction": suggestion, "source_url": source_url,
            "reporter_name": name, "reporter_email": email, "notify": notify,
            "client_hash": client_hash(address, self.secret),
        }

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
             progress: Callable[[int], None] | None = None) -> Generated:
    """Add `articles` fake articles and `reports` reports on them, with their events, corrections and editors.

    Articles: titles, bylines, six sections, bodies of 5 to 12 paragraphs (600 to 1,200 words), published over
    the last two years. Reports: spread over the articles with a Zipf-like skew, quoting passages copied from
    the body (a few misquoted, so not found), in every status in plausible shares, each with the events that
    lead to it, made by a few fake editors; duplicates point at an earlier report of their group, and accepted
    reports of a group are corrected together by one published correction.

    Ids follow the articles' publication dates and, within an article, the reports' arrival (as
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
    now = now or utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    now_ts = int(now.timestamp())
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        restore = {}
        if sqlite:
            # This connection, this run only. Safe if the process dies; a power cut mid-run could damage the
            # file, which holds only fake data (gen-fake refuses a database with articles unless told).
            for pragma, value in (("synchronous", "OFF"), ("cache_size", "-200000")):
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
            _fill(maker, articles, reports, batch, progress)
            writer.flush()
        finally:
            conn.rollback()
            for pragma, value in restore.items():
                conn.exec_driver_sql(f"PRAGMA {pragma}={value}")
    # The report table's triggers counted every report: one row per status from here on.
    fold_counts()
    return maker.made


def _fill(maker: _Generator, articles: int, reports: int, batch: int, progress) -> None:
    rng, writer, now = maker.rng, maker.writer, maker.now
    earliest = now - YEARS_BACK * 365 * DAY
    published = sorted(rng.randint(earliest, now - HOUR) for _ in range(articles))
    counts = _zipf_counts(rng, articles, reports)
    for when, count in zip(published, counts, strict=True):
        article_id, body_text, sentences = maker.article(when)
        if rng.random() < 0.03:
            # A notice an editor published without any report.
            kind = rng.choice(("update", "clarification", "editors_note"))
            maker.add_correction(article_id, kind, maker.render(rng.choice(NOTICE_TEXTS_C[kind])),
                                 rng.randint(when + HOUR, now) if now > when + HOUR else now,
                                 rng.choice(maker.editors))
        if count:
            page = _Page(rng, article_id, body_text, sentences)
            for created in maker.report_times(when, count):
                maker.report(page, created)
                if writer.pending(Report.__table__) >= batch:
                    writer.flush()
                    if progress:
                        progress(maker.made.reports)
        if writer.pending(Article.__table__) >= 200:
            writer.flush()
