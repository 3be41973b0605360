"""login throttle per account and source

Wrong passwords were counted per editor and locked the account for everyone, so anyone could lock an
editor out. They are now counted per account (a keyed hash of the e-mail typed) and source (a client, a
browser the editor logged in from before, or "*" for all unrecognised clients), one row per pair; the
editor's own count and lock go. The index on last_failed_at finds the counts a day old, which are forgotten.

Revision ID: 464af2e6d405
Revises: af71e41e869c
Create Date: 2026-12-06 20:07:05.596614

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '464af2e6d405'
down_revision = 'af71e41e869c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
    sa.UniqueConstraint('account', 'source', name=op.f('uq_login_throttle_account'))
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_last_failed_at'), ['last_failed_at'], unique=False)

    with op.batch_alter_table('editor', schema=None) as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')


def downgrade():
    with op.batch_alter_table('editor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_last_failed_at'))

    op.drop_table('login_throttle')
