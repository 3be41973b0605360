"""decided reports in decision order

The feedback for generating systems (`corrections export-feedback`, GET /api/v1/feedback) walks the decided reports
in the order of their decision, then id, a page after a given (closed_at, id) at a time: this index makes each page
one short range however many reports there are (at a million, a sort of every decided report per page otherwise).

Revision ID: b7d2e4f6a8c1
Revises: cf5680624199
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d2e4f6a8c1'
down_revision = 'cf5680624199'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_report_closed_at_id", "report", ["closed_at", "id"])


def downgrade():
    op.drop_index("ix_report_closed_at_id", table_name="report")
