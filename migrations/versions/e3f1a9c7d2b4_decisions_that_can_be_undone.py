"""decisions that can be undone: for a few seconds an editor may take back a decision that tells readers something

`decision` is one decision (a bulk one too) with the moment undo ends; `decision_report` what each report it
changed was before, restored by an undo. Outbox messages and webhook deliveries queued by a decision point at it
(`decision_id`), so they wait until the undo window has passed and an undo cancels them.

Revision ID: e3f1a9c7d2b4
Revises: 8734d04e7a1e
Create Date: 2026-12-07 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3f1a9c7d2b4'
down_revision = '8734d04e7a1e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undo_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['editor_id'], ['editor.id'], name=op.f('fk_decision_editor_id_editor')),
    sa.ForeignKeyConstraint(['notice_id'], ['correction.id'], name=op.f('fk_decision_notice_id_correction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision'))
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_editor_id'), ['editor_id'], unique=False)
    op.create_table('decision_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('version_after', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_report_decision_id_decision')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_decision_report_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_report'))
    )
    with op.batch_alter_table('decision_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_report_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_report_report_id'), ['report_id'], unique=False)
    # The undo finds what its decision queued by this column.
    for table in ('outbox_message', 'webhook_delivery'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_decision_id'), ['decision_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_decision_id_decision'), 'decision',
                                        ['decision_id'], ['id'])


def downgrade():
    for table in ('webhook_delivery', 'outbox_message'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_decision_id_decision'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_decision_id'))
            batch_op.drop_column('decision_id')
    with op.batch_alter_table('decision_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_report_report_id'))
        batch_op.drop_index(batch_op.f('ix_decision_report_decision_id'))
    op.drop_table('decision_report')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_editor_id'))
    op.drop_table('decision')
