"""notices name what was wrong

A notice keeps the wrong words as they stood in the article (`wrong_text`) and the words that replaced them
(`right_text`), and each earlier version of an amended notice keeps the ones it named: what a search for the same
error elsewhere looks for. Columns added in place (ALTER TABLE ADD COLUMN), "" for the notices already published,
which name none.

Revision ID: c4e8a2f6d0b3
Revises: a9c3e5f7b1d2
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a2f6d0b3'
down_revision = 'a9c3e5f7b1d2'
branch_labels = None
depends_on = None

TABLES = ("correction", "correction_version")
COLUMNS = ("wrong_text", "right_text")


def upgrade():
    for table in TABLES:
        for column in COLUMNS:
            op.add_column(table, sa.Column(column, sa.Text(), nullable=False, server_default=""))


def downgrade():
    for table in TABLES:
        for column in COLUMNS:
            # Native DROP COLUMN (SQLite 3.35+): no copy of the table.
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
