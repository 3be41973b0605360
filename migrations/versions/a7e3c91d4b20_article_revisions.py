"""article revisions

Every change to an article's title or body is kept as a revision; the article points at its current one.
Each existing article gets its first revision from its current text, in two set-based statements (an
INSERT ... SELECT and one UPDATE), whatever the number of articles. The pointer is a column added to the
article table (ALTER TABLE ADD COLUMN, no copy of the table on SQLite).

Revision ID: a7e3c91d4b20
Revises: b7d41c2e9a10
Create Date: 2026-11-30 07:40:00.000000

"""
import hashlib

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3c91d4b20'
down_revision = 'b7d41c2e9a10'
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
    op.create_table('article_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_revision_article_id_article')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_revision')),
    sa.UniqueConstraint('article_id', 'number', name=op.f('uq_article_revision_article_id'))
    )
    add_reference("article", "current_revision_id", "article_revision")

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # The same hash as revisions.content_hash: sha256 of the title, a newline and the body.
        bind.connection.driver_connection.create_function(
            "content_hash", 2, lambda title, body: hashlib.sha256(f"{title}\n{body}".encode()).hexdigest(),
            deterministic=True)
        digest = "content_hash(title, body)"
    else:
        digest = "encode(sha256(convert_to(title || chr(10) || body, 'UTF8')), 'hex')"
    op.execute(
        "INSERT INTO article_revision (article_id, number, title, body, body_text, content_hash, source, created_by, "
        f"created_at) SELECT id, 1, title, body, body_text, {digest}, 'migration', '', updated_at FROM article"
    )
    op.execute(
        "UPDATE article SET current_revision_id = (SELECT r.id FROM article_revision r "
        "WHERE r.article_id = article.id AND r.number = 1)"
    )


def downgrade():
    drop_reference("article", "current_revision_id", "article_revision")
    op.drop_table('article_revision')
