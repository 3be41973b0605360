"""history names the notice kind

An unannounced change answered by a notice, and each line of the article's history about one, keep the kind of
the notice (`notice_kind`: correction, clarification, update) beside its text, so that the dashboard words them
in the editor's language when it shows them; rows from before keep their English sentence and show it as stored.
Columns added in place (ALTER TABLE ADD COLUMN), with an empty default for the rows already there.

Revision ID: a9c3e5f7b1d2
Revises: b5c1d7e3f9a2
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c3e5f7b1d2'
down_revision = 'b5c1d7e3f9a2'
branch_labels = None
depends_on = None

TABLES = ("change_review", "article_event")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("notice_kind", sa.String(length=20), nullable=False, server_default=""))


def downgrade():
    for table in TABLES:
        # Native DROP COLUMN (SQLite 3.35+): no copy of the table.
        op.execute(f"ALTER TABLE {table} DROP COLUMN notice_kind")
