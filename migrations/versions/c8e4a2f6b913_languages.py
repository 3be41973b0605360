"""languages: an article's own language, the language a report was filed in, an editor's chosen language

Each is optional (None: the site's CORRECTIONS_LANGUAGE, or for an article, not said) and read with its row only:
no index.

Revision ID: c8e4a2f6b913
Revises: d41f7a2c9e58
Create Date: 2026-12-08 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c8e4a2f6b913'
down_revision = 'd41f7a2c9e58'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, no batch: a batch that copied the report table on SQLite would lose its triggers.
    op.add_column('article', sa.Column('language', sa.String(length=35), nullable=True))
    op.add_column('report', sa.Column('language', sa.String(length=35), nullable=True))
    op.add_column('editor', sa.Column('language', sa.String(length=35), nullable=True))


def downgrade():
    # SQLite 3.35 drops a column in place; a batch copy of the report table would lose its triggers.
    for table in ('editor', 'report', 'article'):
        op.drop_column(table, 'language')
