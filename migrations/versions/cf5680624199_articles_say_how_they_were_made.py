"""articles say how they were made

An article's provenance: `source_type`, a term of the IPTC Digital Source Type vocabulary (trainedAlgorithmicMedia,
digitalCreation, ...), and `generator`, the system or pipeline that wrote it with its version; each revision keeps
the pair its text was written with. Both optional (NULL: not said), so the rows already there say nothing.
Columns added in place (ALTER TABLE ADD COLUMN), no batch copy.

The index on article (published_at, source_type) is for the figures: metrics and /transparency count the articles
published in a window by source type from the index alone.

Revision ID: cf5680624199
Revises: c4e8a2f6d0b3
Create Date: 2026-12-09 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cf5680624199'
down_revision = 'c4e8a2f6d0b3'
branch_labels = None
depends_on = None

TABLES = ("article", "article_revision")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("source_type", sa.String(length=50), nullable=True))
        op.add_column(table, sa.Column("generator", sa.String(length=200), nullable=True))
    op.create_index("ix_article_published_at_source_type", "article", ["published_at", "source_type"])


def downgrade():
    op.drop_index("ix_article_published_at_source_type", table_name="article")
    for table in TABLES:
        # Native DROP COLUMN (SQLite 3.35+): no copy of the table.
        op.execute(f"ALTER TABLE {table} DROP COLUMN generator")
        op.execute(f"ALTER TABLE {table} DROP COLUMN source_type")
