"""notices' wrong words kept compiled

`notice_pattern`: a notice's wrong words as the matcher compiled them (repeats/matching.Pattern.stored) with the
fingerprint of the words and rule they were compiled from, so that the first check of a process (every
`corrections check-text` run) reads 30,000 known errors back in a fraction of a second instead of compiling them
for seconds. Filled by the checks themselves (repeats/checks): the first check after this migration compiles the
known errors that have no row and stores them. A notice deleted (an undone publication) takes its row with it
(ON DELETE CASCADE).

Revision ID: b7d2e9f4a1c6
Revises: b7d2e4f6a8c1
Create Date: 2026-12-07 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e9f4a1c6'
down_revision = 'b7d2e4f6a8c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notice_pattern",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["correction.id"], name=op.f("fk_notice_pattern_notice_id_correction"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_notice_pattern")),
    )


def downgrade():
    op.drop_table("notice_pattern")
