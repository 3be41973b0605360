"""presence: which editors have a report open, when the app keeps it in the database

One row per browser tab of an editor with a report open, written by its heartbeats and removed once it
stops beating (corrections/triage/presence.py; with Redis configured the rows live there instead and this
table stays empty). Indexed by expiry: each heartbeat removes the rows of tabs that stopped.

Revision ID: 1b2b637b7dd2
Revises: e3f1a9c7d2b4
Create Date: 2026-12-07 00:45:21.694891

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1b2b637b7dd2'
down_revision = 'e3f1a9c7d2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('presence',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=False),
    sa.Column('tab', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answering_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['editor_id'], ['editor.id'], name=op.f('fk_presence_editor_id_editor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_presence_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'editor_id', 'tab', name=op.f('pk_presence'))
    )
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presence_expires_at'), ['expires_at'], unique=False)



def downgrade():
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presence_expires_at'))

    op.drop_table('presence')
