"""confirmation links keep their language: the language of the e-mail that carried the link (the report's)

The page the link opens speaks it, as the report's status page does, whatever the browser says. Optional (None:
the usual rule, for links sent before) and read with its row only: no index.

Revision ID: a3b7e5d1c9f2
Revises: c9d2e4f6a8b1
Create Date: 2026-12-07 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3b7e5d1c9f2'
down_revision = 'c9d2e4f6a8b1'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('address_confirmation', sa.Column('language', sa.String(length=35), nullable=True))


def downgrade():
    op.drop_column('address_confirmation', 'language')
