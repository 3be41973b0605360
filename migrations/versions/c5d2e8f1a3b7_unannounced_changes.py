"""unannounced changes

Changes to published articles that editors answer unless a notice follows (change_review, listed by its
(outcome, due_at) index), the article's history of those answers (article_event), and the revision a notice
goes with (a column added to the correction table in place: ALTER TABLE ADD COLUMN, no copy on SQLite).

Revision ID: c5d2e8f1a3b7
Revises: a7e3c91d4b20
Create Date: 2026-11-30 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d2e8f1a3b7'
down_revision = 'a7e3c91d4b20'
branch_labels = None
depends_on = None


def add_reference(table: str, column: str, target: str) -> None:
    """A nullable column referring to target.id, added in place (SQLite cannot add a constraint by itself)."""
    name = f"fk_{table}_{column}_{target}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {target} (id)")
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ["id"])


def drop_reference(table: str, column: str, target: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_constraint(f"fk_{table}_{column}_{target}", table, type_="foreignkey")
        op.drop_column(table, column)


def upgrade():
    add_reference("correction", "revision_id", "article_revision")
    op.create_table('change_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('from_revision_id', sa.Integer(), nullable=False),
    sa.Column('to_revision_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('announced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=200), nullable=False),
    sa.Column('correction_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_change_review_article_id_article')),
    sa.ForeignKeyConstraint(['correction_id'], ['correction.id'], name=op.f('fk_change_review_correction_id_correction')),
    sa.ForeignKeyConstraint(['from_revision_id'], ['article_revision.id'], name=op.f('fk_change_review_from_revision_id_article_revision')),
    sa.ForeignKeyConstraint(['to_revision_id'], ['article_revision.id'], name=op.f('fk_change_review_to_revision_id_article_revision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_review')),
    sa.UniqueConstraint('to_revision_id', name=op.f('uq_change_review_to_revision_id'))
    )
    with op.batch_alter_table('change_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_review_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_change_review_outcome_due_at', ['outcome', 'due_at'], unique=False)

    op.create_table('article_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['editor.id'], name=op.f('fk_article_event_actor_id_editor')),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_event_article_id_article')),
    sa.ForeignKeyConstraint(['revision_id'], ['article_revision.id'], name=op.f('fk_article_event_revision_id_article_revision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_event'))
    )
    with op.batch_alter_table('article_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_event_article_id'), ['article_id'], unique=False)


def downgrade():
    with op.batch_alter_table('article_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_event_article_id'))
    op.drop_table('article_event')
    with op.batch_alter_table('change_review', schema=None) as batch_op:
        batch_op.drop_index('ix_change_review_outcome_due_at')
        batch_op.drop_index(batch_op.f('ix_change_review_article_id'))
    op.drop_table('change_review')
    drop_reference("correction", "revision_id", "article_revision")
