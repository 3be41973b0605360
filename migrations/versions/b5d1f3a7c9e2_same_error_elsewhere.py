"""same error elsewhere

A published notice's error found in other articles (`repeat`, one row per notice and article, for editors to
confirm or dismiss) and the sweeps that find them (`repeat_sweep`: of the archive for a notice, queued by
publishing, or of an article's new revision for every known error; claimed by one background run as the outbox's
messages are); on PostgreSQL, an index of the words of every article's text that the
sweep asks first.

Revision ID: b5d1f3a7c9e2
Revises: b7d2e9f4a1c6
Create Date: 2026-12-07 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'b5d1f3a7c9e2'
down_revision = 'b7d2e9f4a1c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "repeat",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("correction.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id"), nullable=False),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("article_revision.id"), nullable=False),
        sa.Column("match_start", sa.Integer(), nullable=False),
        sa.Column("match_end", sa.Integer(), nullable=False),
        sa.Column("matched_text", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("editor.id"), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fixed_by_id", sa.Integer(), sa.ForeignKey("correction.id", ondelete="SET NULL"), nullable=True),
        # Found once per notice and article; also a notice's rows, for its page and the API.
        sa.UniqueConstraint("notice_id", "article_id"),
    )
    # An article's items (its page, and whether an item is already open for it).
    op.create_index("ix_repeat_article_id", "repeat", ["article_id"])
    # The editors' page: one state's items, newest first, a page at a time.
    op.create_index("ix_repeat_state_id", "repeat", ["state", "id"])
    op.create_table(
        "repeat_sweep",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("correction.id", ondelete="CASCADE"), nullable=True),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("article_revision.id"), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("articles_read", sa.Integer(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
    )
    # A notice's sweeps (the API's state of its sweep).
    op.create_index("ix_repeat_sweep_notice_id", "repeat_sweep", ["notice_id"])
    # The sweeper asks for pending sweeps that are due.
    op.create_index("ix_repeat_sweep_status_next_attempt_at", "repeat_sweep", ["status", "next_attempt_at"])
    if op.get_bind().dialect.name == "postgresql":
        # The words of every article's text, for the sweep to read only the articles that have a correction's
        # words (repeats/sweep.py, which asks by this very expression): on SQLite the sweep uses LIKE.
        op.execute("CREATE INDEX ix_article_body_words ON article USING gin (to_tsvector('simple', body_text))")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_article_body_words")
    op.drop_table("repeat_sweep")
    op.drop_table("repeat")
