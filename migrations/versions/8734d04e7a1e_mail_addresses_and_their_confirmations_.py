"""mail addresses and their confirmations: consent before mail

Outcome e-mails go only to addresses whose owner confirmed them (corrections/reports/consent.py). `mail_address`
holds one row per address, in the form that delivers, with when it was confirmed; `address_confirmation`
the links sent to it (only their tokens' hashes), indexed by address and time for the bound on how many
an address gets. Outbox messages held for an unconfirmed address use the status "held" (no schema change).
Addresses stored before are left as they are: the sender converts them to the deliverable form when it
sends. Existing readers count as unconfirmed: their next outcome is held and a confirmation is sent.

Revision ID: 8734d04e7a1e
Revises: 464af2e6d405
Create Date: 2026-12-06 20:01:36.423085

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8734d04e7a1e'
down_revision = '464af2e6d405'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_address')),
    sa.UniqueConstraint('address', name=op.f('uq_mail_address_address'))
    )
    op.create_table('address_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['address_id'], ['mail_address.id'], name=op.f('fk_address_confirmation_address_id_mail_address'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_confirmation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_address_confirmation_token_hash'))
    )
    with op.batch_alter_table('address_confirmation', schema=None) as batch_op:
        batch_op.create_index('ix_address_confirmation_address_id_created_at', ['address_id', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('address_confirmation', schema=None) as batch_op:
        batch_op.drop_index('ix_address_confirmation_address_id_created_at')

    op.drop_table('address_confirmation')
    op.drop_table('mail_address')
