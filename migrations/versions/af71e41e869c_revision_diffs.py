"""revision diffs

The diff of the text between two revisions, computed once and stored: revisions are immutable, so a stored
diff never goes stale, and every server serves the same one. Keyed by the pair of revision ids (the primary
key is the only lookup). Existing pairs are computed the first time someone opens them.

Revision ID: af71e41e869c
Revises: d8b4f0c6e2a9
Create Date: 2026-12-06 20:02:56.714010

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'af71e41e869c'
down_revision = 'd8b4f0c6e2a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'revision_diff',
        sa.Column('old_revision_id', sa.Integer(), nullable=False),
        sa.Column('new_revision_id', sa.Integer(), nullable=False),
        sa.Column('pieces', sa.Text(), nullable=False),
        sa.Column('by_paragraph', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['new_revision_id'], ['article_revision.id'],
                                name=op.f('fk_revision_diff_new_revision_id_article_revision')),
        sa.ForeignKeyConstraint(['old_revision_id'], ['article_revision.id'],
                                name=op.f('fk_revision_diff_old_revision_id_article_revision')),
        sa.PrimaryKeyConstraint('old_revision_id', 'new_revision_id', name=op.f('pk_revision_diff')),
    )


def downgrade():
    op.drop_table('revision_diff')
