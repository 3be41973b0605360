"""Tables: columns, relationships and tiny helpers. Decisions live in the domain modules."""

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_iso(value: datetime | None) -> str | None:
    """A moment as machines read it (the API, exports): RFC 3339 in UTC with a Z, to the second."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: pass an aware UTC datetime")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        # PostgreSQL answers in the session's time zone, whatever the server is set to.
        return value.astimezone(UTC)


class Article(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    byline: Mapped[str] = mapped_column(String(200), default="")
    section: Mapped[str] = mapped_column(String(100), default="")
    # The language the article is written in (languages.py spelling: "hu", "pt_BR"); None: not said. Its pages
    # speak it when readers may get it (CORRECTIONS_LANGUAGES).
    language: Mapped[str | None] = mapped_column(String(35), default=None)
    # How it was made: a term of the IPTC Digital Source Type vocabulary (vocabulary.SOURCE_TYPES, stored bare:
    # "trainedAlgorithmicMedia"), and the system or pipeline that wrote it with its version ("newswriter 4.2").
    # None: not said. Its revisions keep the pair each text was written with.
    source_type: Mapped[str | None] = mapped_column(String(50), default=None)
    generator: Mapped[str | None] = mapped_column(String(200), default=None)
    # body is sanitised HTML, ready to show; body_text is its plain text, for matching passages.
    body: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    # Indexed: the home page lists articles newest first.
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed: the public page cache reads the newest change of any article on every site-wide page.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The revision holding the title and body shown now (revisions.record keeps it current). use_alter: the
    # revisions point back at their article.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_revision.id", use_alter=True), default=None)

    reports: Mapped[list["Report"]] = relationship(back_populates="article")
    current_revision: Mapped["ArticleRevision | None"] = relationship(foreign_keys=[current_revision_id],
                                                                      viewonly=True)

    # The figures count the articles published in a window by source type (figures/sources.py): from this index
    # alone, whatever the number of articles.
    __table_args__ = (Index("ix_article_published_at_source_type", "published_at", "source_type"),)


class ArticleRevision(db.Model):
    """One stored version of an article's title and body. Append-only: never changed or deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"))
    # 1 for the first text of an article, then 2, 3...: what readers see in the revisions' addresses.
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    # sha256 of the title, a newline and the body: an identical text is never stored twice in a row.
    content_hash: Mapped[str] = mapped_column(String(64))
    # Where the change came from: import, api, dashboard, demo, or migration (the text when revisions began).
    source: Mapped[str] = mapped_column(String(20))
    # Who made it: the editor's or the API token's name; "" for an import.
    created_by: Mapped[str] = mapped_column(String(200), default="")
    # How this text was made: the article's source_type and generator when it was stored (None: not said).
    source_type: Mapped[str | None] = mapped_column(String(50), default=None)
    generator: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # One number per article; also the index that lists an article's revisions in order.
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"


class RevisionDiff(db.Model):
    """What changed in the text from one revision to another, computed once (revisions are immutable, so it
    never goes stale) and served to every reader of the diff pages. The pieces are stored whole; the pages
    shorten unchanged stretches when they show them."""

    old_revision_id: Mapped[int] = mapped_column(ForeignKey("article_revision.id"), primary_key=True)
    new_revision_id: Mapped[int] = mapped_column(ForeignKey("article_revision.id"), primary_key=True)
    # JSON: [[op, text], ...], op one of "equal", "delete", "insert" (revisions.Piece).
    pieces: Mapped[str] = mapped_column(Text)
    # True when a word-by-word comparison was too costly and whole paragraphs are compared instead.
    by_paragraph: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"))
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    # The reader's status link token is derived from this nonce and the secret key (so e-mails can
    # carry the link later); only its hash is stored for look-ups.
    token_nonce: Mapped[str] = mapped_column(String(32), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="new")
    category: Mapped[str] = mapped_column(String(20))
    passage: Mapped[str] = mapped_column(Text, default="")
    # None when no passage was quoted; False flags it for the editor.
    passage_found: Mapped[bool | None] = mapped_column(default=None)
    description: Mapped[str] = mapped_column(Text)
    suggested_correction: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(String(2000), default="")
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_email: Mapped[str] = mapped_column(String(320), default="")
    notify: Mapped[bool] = mapped_column(default=False)
    # The language of the page the reader filed it from: their status page and e-mails speak it. None: the site's.
    language: Mapped[str | None] = mapped_column(String(35), default=None)
    # Keyed hash of the client address: enough to spot abuse, not enough to identify anyone.
    client_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    spam_reason: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Bumped on every change so a stale editor page cannot overwrite a newer decision.
    version: Mapped[int] = mapped_column(default=1)

    # Reports on the same article and the same or overlapping passage share a cluster (the first one's id),
    # so the queue can show them as one group. The span is where the passage sits in the normalised text.
    cluster_id: Mapped[int | None] = mapped_column(default=None)
    passage_key: Mapped[str] = mapped_column(String(64), default="")
    passage_start: Mapped[int | None] = mapped_column(default=None)
    passage_end: Mapped[int | None] = mapped_column(default=None)

    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), default=None, index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), default=None)
    # The reason given to the reader when the report is rejected.
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    first_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    # The desk its article's section is routed to when it was filed (None: no route, everyone's).
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id", ondelete="SET NULL"), default=None, index=True)
    # Clocks: the targets in force when it was filed (None: no target), and the next one still to meet while the
    # report is open (None once closed), stored so that the queue can sort by it with an index.
    first_action_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Filed about a passage that was already decided: the earlier report whose decision the editor should see.
    resurfaced_from_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), default=None, index=True)
    # The article's revision the report was made against, and its passage as a text-quote anchor in that
    # revision's text (W3C Web Annotation TextQuoteSelector: the exact text, a few words before and after), so
    # the passage is found again after the article changed, or said to have changed (anchors.py).
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("article_revision.id"), default=None)
    passage_exact: Mapped[str | None] = mapped_column(Text, default=None)
    passage_prefix: Mapped[str | None] = mapped_column(Text, default=None)
    passage_suffix: Mapped[str | None] = mapped_column(Text, default=None)

    article: Mapped[Article] = relationship(back_populates="reports")
    revision: Mapped["ArticleRevision | None"] = relationship()
    assignee: Mapped["Editor | None"] = relationship(foreign_keys=[assignee_id])
    duplicate_of: Mapped["Report | None"] = relationship(remote_side=[id], foreign_keys=[duplicate_of_id])
    resurfaced_from: Mapped["Report | None"] = relationship(remote_side=[id], foreign_keys=[resurfaced_from_id])
    desk: Mapped["Desk | None"] = relationship()
    events: Mapped[list["Event"]] = relationship(
        back_populates="report", order_by="Event.id", cascade="save-update, merge"
    )

    __mapper_args__ = {"version_id_col": version}
    # The editor queue filters by status and shows the newest first; with closed_at, /transparency's medians
    # of the time to correction read the index alone.
    # (created_at, status): date windows (metrics, /transparency's counts by month and status, index alone).
    __table_args__ = (
        Index("ix_report_status_created_at_closed_at", "status", "created_at", "closed_at"),
        # The queue pages through one status in the order reports arrived (ids are given in that order).
        Index("ix_report_status_id", "status", "id"),
        # The queue by category, the filter editors use most; its count of matching reports from the index alone.
        Index("ix_report_status_category_id", "status", "category", "id"),
        # A group's reports, and whether a group has a newer report in the shown statuses than this one.
        Index("ix_report_cluster_id_status_id", "cluster_id", "status", "id"),
        Index("ix_report_article_id_passage_key", "article_id", "passage_key"),
        # One article's reports: newest first whatever their state (the queue filtered to an article), and by
        # state (its page's counts from the index alone, the reports a notice may link, the open ones in the queue).
        Index("ix_report_article_id_id", "article_id", "id"),
        Index("ix_report_article_id_status_id", "article_id", "status", "id"),
        # A group's reports in the order they arrived whatever their state: its first few, and whether it has a
        # newer one, in one short range however big the group (a hot article's biggest groups: tens of thousands).
        Index("ix_report_cluster_id_id", "cluster_id", "id"),
        Index("ix_report_created_at_status", "created_at", "status"),
        # "Due first": each status's reports by their next deadline, then those without one in arrival order.
        Index("ix_report_status_due_at_id", "status", "due_at", "id"),
        # The same over every status.
        Index("ix_report_due_at_id", "due_at", "id"),
        # One article's reports by their next deadline over every status (the queue of a hot article, "Due first").
        Index("ix_report_article_id_due_at_id", "article_id", "due_at", "id"),
        # Whether a group has a report due before this one ("Due first" places a group by its first deadline).
        Index("ix_report_cluster_id_due_at_id", "cluster_id", "due_at", "id"),
        # A desk's reports (or those of no desk) in one status, newest first: the queue's desk filter and its count.
        # Over every status, the index on desk_id alone keeps them in arrival order.
        Index("ix_report_desk_id_status_id", "desk_id", "status", "id"),
        # The metrics' deadlines still running (due after now): the recent reports only, from the index alone.
        Index("ix_report_first_action_due_at", "first_action_due_at", "first_action_at", "created_at", "category"),
        Index("ix_report_resolution_due_at", "resolution_due_at", "status", "closed_at", "created_at", "category"),
        # Decided reports in the order of their decision, a page after a given (closed_at, id) at a time: the
        # feedback for generating systems (reports/feedback.py), however many reports there are.
        Index("ix_report_closed_at_id", "closed_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<Report {self.reference} {self.status}>"


class ReportCount(db.Model):
    """How many reports are in each status: the sum of `n` over a status's rows.

    Written only by triggers on the report table (see the migration that made this table): every insert,
    status change and delete adds a row of +1 or -1 (a few rows per statement on PostgreSQL) in the same
    transaction. Rows are only ever added, never updated, so concurrent changes never wait on a shared
    counter row, and the sums are exact at every moment. triage.status_counts folds them now and then.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    n: Mapped[int]


class ArticleReportCount(db.Model):
    """How many reports an article has in a status (`status`: a state, "open" for the open states together, or
    "all"): the queue's most-reported order ranks articles by it (triage/ranking.py).

    Kept by triggers on the report table (see the migration that made this table) in the same transaction as
    every insert, change of status, group or article, and delete: one row per key, updated in place (a row at 0
    is deleted), so that the ranking is read in the order of an index. A change updates its rows in the order of
    their keys, so two changes of the same articles wait for each other rather than deadlock.
    """

    article_id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int]

    # The articles with the most reports in a status first, a page after a given (n, article) at a time.
    __table_args__ = (Index("ix_article_report_count_status_n_article_id", "status", "n", "article_id"),)


class GroupReportCount(db.Model):
    """How many reports a group (Report.cluster_id) has in a status, as ArticleReportCount has for an article,
    with the group's article; kept by the same triggers. The most-reported order ranks an article's groups by
    it, and a group's page reads its size here rather than counting a hundred thousand reports."""

    cluster_id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    article_id: Mapped[int]
    n: Mapped[int]

    # An article's groups with the most reports in a status first.
    __table_args__ = (Index("ix_group_report_count_status_article_id_n_cluster_id", "status", "article_id", "n",
                            "cluster_id"),)


class ReportTally(db.Model):
    """Reports received in a period (a UTC day, or a UTC month), by what the editors' figures count them by: the
    sum of `n` over a key's rows. Kept like report_count, by triggers on the report table (see the migration that
    made this table): every insert, change of a counted field and delete adds rows of +1 or -1, for the report's
    day and for its month, in the same transaction. figures/tallies.py reads and folds them.

    `first_clock` and `resolution_clock` say how the report stands against its deadlines: "" no deadline,
    "waiting" not done yet, "met" done by the deadline, "late" done after it (clocks.target_figures' rules).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(5))  # "day" or "month"
    start: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    first_clock: Mapped[str] = mapped_column(String(7))
    resolution_clock: Mapped[str] = mapped_column(String(7))
    n: Mapped[int]

    # Covering: a window's rows are read from the index alone.
    __table_args__ = (Index("ix_report_tally_period_start", "period", "start", "category", "status", "first_clock",
                            "resolution_clock", "n"),)


class ArticleTally(db.Model):
    """Reports received in a period (a UTC day or month, or "all" time, whose start is 2000-01-01) by article: the
    metrics' most-reported articles. Kept by the report table's triggers like ReportTally."""

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(5))
    start: Mapped[date] = mapped_column(Date)
    article_id: Mapped[int]
    n: Mapped[int]

    __table_args__ = (
        # A few articles' counts in a window, and every article's over all time, from the index alone.
        Index("ix_article_tally_period_article_id_start", "period", "article_id", "start", "n"),
        # Every article's counts in a window's days or months: one range of the index.
        Index("ix_article_tally_period_start_article_id", "period", "start", "article_id", "n"),
    )


class ReportDuration(db.Model):
    """A report's time to first action, or to correction (`measure`), in microseconds, with the report's arrival:
    what the metrics take medians of. Kept by the report table's triggers (one row per report and measure that
    has one). `bucket` orders the durations coarsely (figures/tallies.py: every duration in a bucket is longer
    than every duration in a lower one), so that a median is found by counting buckets, then reading one."""

    report_id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(12), primary_key=True)  # "first_action" or "correction"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    micros: Mapped[int] = mapped_column(BigInteger)
    bucket: Mapped[int]

    __table_args__ = (
        # The median's bucket read in duration order within a window.
        Index("ix_report_duration_measure_bucket_created_at_micros", "measure", "bucket", "created_at", "micros"),
        # The buckets of a part of a day at a window's edge.
        Index("ix_report_duration_measure_created_at_bucket", "measure", "created_at", "bucket"),
    )


class DurationTally(db.Model):
    """How many durations of a measure fell in each bucket, by the period (UTC day or month) their reports arrived
    in: kept by triggers on report_duration, like ReportTally."""

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(5))
    start: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(12))
    bucket: Mapped[int]
    n: Mapped[int]

    # A window's buckets of one measure from the index alone.
    __table_args__ = (Index("ix_duration_tally_period_measure_start", "period", "measure", "start", "bucket", "n"),)


class TallyFold(db.Model):
    """How far each tally table was folded (figures/tallies.fold): its rows with a higher id are the +1 and -1
    rows added since. Its row is locked while a fold runs, so two never fold the same rows."""

    table_name: Mapped[str] = mapped_column(String(20), primary_key=True)
    through_id: Mapped[int] = mapped_column(default=0)


class Event(db.Model):
    """One append-only line of a report's history: who, when, what changed from what to what, why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The editor who acted, if an editor did; `actor` keeps the name as it was then ("reader", "system").
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), default=None)
    actor: Mapped[str] = mapped_column(String(200))
    # received | status | assign | note
    kind: Mapped[str] = mapped_column(String(20))
    # For a status move, the statuses; for an assignment, the editors' names.
    from_value: Mapped[str] = mapped_column(String(200), default="")
    to_value: Mapped[str] = mapped_column(String(200), default="")
    comment: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[Report] = relationship(back_populates="events")


class Editor(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The dashboard's language, chosen on the account page; None: the site's.
    language: Mapped[str | None] = mapped_column(String(35), default=None)
    # Changing it (new password, deactivation) signs out every session of this editor.
    session_token: Mapped[str] = mapped_column(String(64))

    # Flask-Login's interface.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<Editor {self.email}>"


class LoginThrottle(db.Model):
    """Wrong passwords typed for one account from one source, counted so that source waits longer and longer.

    `account` is a keyed hash of the e-mail typed, whether or not an editor has it (so unknown addresses are
    throttled alike); `source` "client:" and the keyed hash of the client's address, "device:<id>" for a
    browser the editor logged in from before, or "*" for all other clients together (the bound on guesses spread over
    many clients). One row per pair, counted by one upsert, so every server sees the same counts.
    """

    __table_args__ = (UniqueConstraint("account", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(80))
    failures: Mapped[int] = mapped_column(default=0)
    # Rows a day old are forgotten: the index finds them.
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


notice_report = Table(
    "correction_report",
    db.metadata,
    Column("correction_id", ForeignKey("correction.id"), primary_key=True),
    Column("report_id", ForeignKey("report.id"), primary_key=True, index=True),
)

class Notice(db.Model):
    """A published notice on an article. Never silently changed: amendments keep the earlier text."""

    __tablename__ = "correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # Indexed: the public log and the feeds list the newest first.
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), default=None)
    published_by: Mapped[str] = mapped_column(String(200), default="")
    # Set when the text was amended; the notice then says "updated <date>". Both indexed: the public
    # page cache reads the newest amendment and withdrawal on every site-wide page.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    withdrawn_by: Mapped[str] = mapped_column(String(200), default="")
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    # The revision of the article this notice goes with (the text as fixed): readers get "see what changed".
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("article_revision.id"), default=None)
    # What was wrong, in the article's exact words (one line, single spaces), and the words that replaced it where
    # there are any; "" when the notice names none. What a search for the same error elsewhere looks for.
    wrong_text: Mapped[str] = mapped_column(Text, default="")
    right_text: Mapped[str] = mapped_column(Text, default="")

    article: Mapped[Article] = relationship()
    revision: Mapped["ArticleRevision | None"] = relationship()
    reports: Mapped[list[Report]] = relationship(secondary=notice_report, order_by="Report.id")
    versions: Mapped[list["NoticeVersion"]] = relationship(
        back_populates="notice", order_by="NoticeVersion.id"
    )

    # An article's notices newest first, a page at a time (its public page, the dashboard's article page).
    __table_args__ = (Index("ix_correction_article_id_published_at_id", "article_id", "published_at", "id"),)

    @property
    def last_changed_at(self) -> datetime:
        return self.withdrawn_at or self.updated_at or self.published_at

    @property
    def revision_number(self) -> int | None:
        """The number of the article's revision this notice goes with (as notices.PageNotice has it)."""
        return self.revision.number if self.revision is not None else None


class NoticeVersion(db.Model):
    """An earlier text of a correction, kept when it was amended (append-only)."""

    __tablename__ = "correction_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column("correction_id", ForeignKey("correction.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # The wrong and right words the notice named until then.
    wrong_text: Mapped[str] = mapped_column(Text, default="")
    right_text: Mapped[str] = mapped_column(Text, default="")
    # The earlier text was shown from shown_from until replaced_at.
    shown_from: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    notice: Mapped[Notice] = relationship(back_populates="versions")


class NoticePattern(db.Model):
    """A notice's wrong words as the matcher compiled them (repeats/matching.Pattern.stored), kept so that a process
    reads them back instead of compiling every known error again (repeats/checks writes them).

    A row stands only while its fingerprint is the one the notice's words and the matcher's rule give now
    (matching.fingerprint): an amended notice, or a matcher changed since, makes it stale, and the next check
    compiles the words again and replaces it. A notice deleted (an undone publication) takes its row with it.
    """

    __tablename__ = "notice_pattern"

    notice_id: Mapped[int] = mapped_column(ForeignKey("correction.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    # None: the words are too short or common to be looked for (matching.matchable).
    pattern: Mapped[str | None] = mapped_column(Text, default=None)


class ChangeReview(db.Model):
    """A change to a published article's text that editors must answer unless a notice follows in time.

    Made for every change that is not minor (unannounced.note_change). Due at `due_at`, the end of the grace
    period; settled by a correction, clarification or update published since the change, or by an editor's
    reason why no notice is needed. Each decision is also a line of the article's history (ArticleEvent).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    from_revision_id: Mapped[int] = mapped_column(ForeignKey("article_revision.id"))
    to_revision_id: Mapped[int] = mapped_column(ForeignKey("article_revision.id"), unique=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the change was first due and its article.unannounced_change webhook queued (once: a conditional UPDATE).
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # "" while open; "notice" (a notice published since) or "no_notice" (an editor said why none is needed).
    outcome: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_by: Mapped[str] = mapped_column(String(200), default="")
    notice_id: Mapped[int | None] = mapped_column("correction_id", ForeignKey("correction.id"), default=None)
    # Answered by a notice: its kind, and `reason` is its text, worded when shown (unannounced.answer_reason).
    # "" on rows from before, whose reason is a finished English sentence.
    notice_kind: Mapped[str] = mapped_column(String(20), default="")

    article: Mapped[Article] = relationship()
    from_revision: Mapped[ArticleRevision] = relationship(foreign_keys=[from_revision_id])
    to_revision: Mapped[ArticleRevision] = relationship(foreign_keys=[to_revision_id])
    notice: Mapped["Notice | None"] = relationship()

    # The dashboard lists the open changes whose grace period is over, oldest first.
    __table_args__ = (Index("ix_change_review_outcome_due_at", "outcome", "due_at"),)


class ArticleEvent(db.Model):
    """One append-only line of an article's history beside its revisions: a decision on an unannounced change."""

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), default=None)
    actor: Mapped[str] = mapped_column(String(200))
    # notice (a notice answered a change) | no_notice (an editor's reason) | settled (a notice published anyway)
    # | same_error_fixed, same_error_dismissed (an item of "same error elsewhere" decided: repeats/decisions.py)
    kind: Mapped[str] = mapped_column(String(20))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("article_revision.id"), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    # A line about a notice (answered, settled, reopened): its kind, worded with the comment when shown
    # (unannounced.event_comment). "" on rows from before, whose comment is a finished English sentence.
    notice_kind: Mapped[str] = mapped_column(String(20), default="")

    revision: Mapped["ArticleRevision | None"] = relationship()


class Repeat(db.Model):
    """A published notice's error found in another article ("same error elsewhere"), for editors to confirm (the
    same correction published there, the text fixed) or dismiss with a reason (repeats/decisions.py). One row per
    notice and article, found by the archive sweep (origin "sweep") or when the article's new text repeated an
    error corrected before (origin "came_back")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The notice whose error this is; its rows go with it when an undo takes the notice back.
    notice_id: Mapped[int] = mapped_column(ForeignKey("correction.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    # The article's revision the error was found in, and where in its text (body_text[match_start:match_end]).
    revision_id: Mapped[int] = mapped_column(ForeignKey("article_revision.id"))
    match_start: Mapped[int]
    match_end: Mapped[int]
    matched_text: Mapped[str] = mapped_column(Text)
    # How alike the passage is to the notice's wrong words, 0 to 1 (1: the same words).
    score: Mapped[float]
    # open | confirmed | dismissed (vocabulary.REPEAT_STATES)
    state: Mapped[str] = mapped_column(String(20), default="open")
    # sweep | came_back
    origin: Mapped[str] = mapped_column(String(20), default="sweep")
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), default=None)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    # Why it was dismissed: a reason from the list (the catalog's English) and the editor's own words.
    reason: Mapped[str] = mapped_column(Text, default="")
    # The notice confirming published on this article.
    fixed_by_id: Mapped[int | None] = mapped_column(ForeignKey("correction.id", ondelete="SET NULL"), default=None)

    notice: Mapped["Notice"] = relationship(foreign_keys=[notice_id])
    article: Mapped[Article] = relationship()
    revision: Mapped[ArticleRevision] = relationship()
    fixed_by: Mapped["Notice | None"] = relationship(foreign_keys=[fixed_by_id])

    __table_args__ = (
        # Found once per notice and article; also a notice's rows, for its page and the API.
        UniqueConstraint("notice_id", "article_id"),
        # The editors' page: one state's items, newest first, a page at a time.
        Index("ix_repeat_state_id", "state", "id"),
    )


class RepeatSweep(db.Model):
    """A sweep to run, or run: of the archive for a published notice's error (`notice_id`, queued when it is
    published), or of an article's new revision for every error corrected before it (`revision_id`, queued when
    the revision is stored: a known error that came back). Claimed by one background run
    (infra/retry_queue.claim_due: status, next_attempt_at), done with what it found and how long it took. The
    figures read how long a notice waited for its sweep (queued_at to done_at)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("correction.id", ondelete="CASCADE"), default=None,
                                                  index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("article_revision.id"), default=None)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # pending until swept (done); failed after too many tries.
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # How many articles were read after the prefilter, how many new items it opened, and the sweep's own time.
    articles_read: Mapped[int] = mapped_column(default=0)
    found: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)

    # The sweeper asks for pending sweeps that are due.
    __table_args__ = (Index("ix_repeat_sweep_status_next_attempt_at", "status", "next_attempt_at"),)


class OutboxMessage(db.Model):
    """An e-mail waiting to be sent, or sent. Nothing is lost when the SMTP server is down."""

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # pending until sent; a failed try stays pending with a later next_attempt_at. "held": an outcome for an
    # address not confirmed yet, released to pending when its owner confirms (consent.py).
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The decision that queued it, while it could be undone: it waits until then, and an undo cancels it.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), default=None, index=True)

    # The sender asks for pending messages that are due.
    __table_args__ = (Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),)


class MailAddress(db.Model):
    """A reader's e-mail address, and whether its owner confirmed they want our e-mail (consent.py).

    Keyed by the address in the form that delivers (text.deliverable_email), so one mailbox is one row.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None until the owner followed a confirmation link: until then no outcome e-mail goes to it.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    confirmations: Mapped[list["AddressConfirmation"]] = relationship(
        back_populates="address", cascade="all, delete-orphan", passive_deletes=True)


class AddressConfirmation(db.Model):
    """One confirmation link sent to an address: only its token's hash is kept; it works once, and expires."""

    id: Mapped[int] = mapped_column(primary_key=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("mail_address.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The language of the e-mail that carried it (the report's): the page it opens speaks it. None: the usual rule.
    language: Mapped[str | None] = mapped_column(String(35), default=None)

    address: Mapped[MailAddress] = relationship(back_populates="confirmations")

    # How many links an address got lately (the bound on confirmations) reads this index alone.
    __table_args__ = (Index("ix_address_confirmation_address_id_created_at", "address_id", "created_at"),)


class ApiToken(db.Model):
    """A token a CMS uses to write articles through the API; only its hash is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so an admin can tell tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class WebhookEndpoint(db.Model):
    """A URL an admin registered to be told of events, with the secret its deliveries are signed with."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # The event names it subscribes to, separated by spaces (a short, fixed vocabulary: webhooks.EVENTS).
    events: Mapped[str] = mapped_column(String(500))
    # Kept in clear: every delivery is signed with it. Shown to the admin once, when made or rotated.
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    deliveries: Mapped[list["WebhookDelivery"]] = relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def event_names(self) -> list[str]:
        return self.events.split()


class WebhookDelivery(db.Model):
    """One event for one endpoint: queued with the change that caused it, sent later, retried with back-off."""

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    # Random, sent in a header and in the body: receivers drop a delivery id they have seen (replays, re-sends).
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(50))
    # The JSON body exactly as it is signed and sent, fixed when the event happened.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # pending until the receiver answers 2xx (sent); failed after too many tries; cancelled when the endpoint
    # was disabled first.
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # As for OutboxMessage: the decision that queued it, which an undo may still take back.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), default=None, index=True)

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")

    __table_args__ = (
        # The sender asks for pending deliveries that are due.
        Index("ix_webhook_delivery_status_next_attempt_at", "status", "next_attempt_at"),
        # An endpoint's page lists its latest deliveries.
        Index("ix_webhook_delivery_endpoint_id_id", "endpoint_id", "id"),
    )


class Policy(db.Model):
    """One of the organisation's published policies: a link to where it lives, or text the app serves."""

    # publishing_principles | corrections | feedback (policies.POLICIES)
    key: Mapped[str] = mapped_column(String(30), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), default="")
    # What the admin wrote (plain paragraphs or simple HTML), and the sanitised HTML the app serves at
    # /policies/<slug>. A URL, when set, is where the JSON-LD points instead.
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


desk_member = Table(
    "desk_member",
    db.metadata,
    Column("desk_id", ForeignKey("desk.id", ondelete="CASCADE"), primary_key=True),
    Column("editor_id", ForeignKey("editor.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Desk(db.Model):
    """A group of editors that new reports of some sections are routed to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[Editor]] = relationship(secondary=desk_member, order_by="Editor.name")
    routes: Mapped[list["SectionRoute"]] = relationship(back_populates="desk", order_by="SectionRoute.section",
                                                        cascade="all, delete-orphan")


class SectionRoute(db.Model):
    """New reports about articles of `section` go to `desk`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Matched to articles' sections without regard to case or spacing at the ends (desks.route_for).
    section: Mapped[str] = mapped_column(String(100), unique=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id", ondelete="CASCADE"), index=True)

    desk: Mapped[Desk] = relationship(back_populates="routes")


class SavedView(db.Model):
    """A named queue filter (its query string), personal or shared with every editor."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("editor.id", ondelete="CASCADE"), index=True)
    shared: Mapped[bool] = mapped_column(default=False)
    query: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[Editor] = relationship()

    # One editor does not have two views of the same name.
    __table_args__ = (UniqueConstraint("owner_id", "name"),)


class CannedAnswer(db.Model):
    """A reusable outcome: the state to move a report to, the text for the reader, a notice template."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    to_state: Mapped[str] = mapped_column(String(20))
    # For a rejection, the reason the reader is given; otherwise the comment recorded in the history.
    text: Mapped[str] = mapped_column(Text, default="")
    # A first draft of the correction notice, filled from the report ({passage}, {suggestion}).
    notice_template: Mapped[str] = mapped_column("correction_template", Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ClockTarget(db.Model):
    """Target times for a category ("" for every category without its own); None minutes: no target."""

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(20), unique=True)
    first_action_minutes: Mapped[int | None] = mapped_column(default=None)
    resolution_minutes: Mapped[int | None] = mapped_column(default=None)


class Decision(db.Model):
    """An editor's decision that tells readers something (accept, reject, duplicate, canned answer, publish), kept
    so that its editor can undo it for a few seconds (reports/decisions.py). A bulk decision is one row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"), index=True)
    # What was decided, as the undo notice says it after the references ("rejected", "published a correction").
    what: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Undo is refused from this moment; the decision's e-mail and webhook deliveries wait until a little after.
    undo_until: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The notice it published, removed again by an undo.
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("correction.id"), default=None)

    editor: Mapped[Editor] = relationship()
    notice: Mapped["Notice | None"] = relationship()
    reports: Mapped[list["DecisionReport"]] = relationship(back_populates="decision", order_by="DecisionReport.id",
                                                          cascade="all, delete-orphan")


class DecisionReport(db.Model):
    """One report a decision changed: what it was before (restored by an undo) and its version just after (a
    report changed since then cannot be undone blindly)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    # JSON: the report's fields a decision changes, as they were (workflow.state_of).
    before: Mapped[str] = mapped_column(Text)
    version_after: Mapped[int]

    decision: Mapped[Decision] = relationship(back_populates="reports")
    report: Mapped[Report] = relationship()


class Presence(db.Model):
    """One browser tab of an editor with a report open, as its last heartbeat left it (triage/presence.py
    decides what counts; infra/presence_store.py keeps these rows when the app has no Redis)."""

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id", ondelete="CASCADE"), primary_key=True)
    tab: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The editor's name as it was when the tab opened the report: the pages show it without a join.
    name: Mapped[str] = mapped_column(String(200))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    answering_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Indexed: each heartbeat removes the rows whose tab stopped beating.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
