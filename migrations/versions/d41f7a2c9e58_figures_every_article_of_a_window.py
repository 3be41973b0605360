"""figures: every article of a window, from the index alone

The metrics' most-reported articles count every article's reports in a window when the all-time leaders do not
settle it (short windows): that read the article tallies of the window's days and months through the index on
(period, article_id, start), which holds them by article first, so PostgreSQL read the whole table (180,000 rows
at a million reports, 30 ms). This index holds them by period and start: a week's rows are one short range.

Revision ID: d41f7a2c9e58
Revises: b3e8d1f4a6c2
Create Date: 2026-12-07 07:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd41f7a2c9e58'
down_revision = 'b3e8d1f4a6c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_article_tally_period_start_article_id', 'article_tally', ['period', 'start', 'article_id', 'n'])


def downgrade():
    op.drop_index('ix_article_tally_period_start_article_id', table_name='article_tally')
