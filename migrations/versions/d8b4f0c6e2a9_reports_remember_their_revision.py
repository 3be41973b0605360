"""reports remember their revision

A report keeps the article's revision it was made against and its passage as a text-quote anchor (exact
text, prefix, suffix). Nullable columns added to the report table in place (ALTER TABLE ADD COLUMN): no copy
of the table, so its triggers and search index stay as they are, however many reports there are. Reports
filed before have no anchor: their passage is looked for in the current text, as before.

Revision ID: d8b4f0c6e2a9
Revises: c5d2e8f1a3b7
Create Date: 2026-11-30 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8b4f0c6e2a9'
down_revision = 'c5d2e8f1a3b7'
branch_labels = None
depends_on = None

ANCHOR = ("passage_exact", "passage_prefix", "passage_suffix")


def upgrade():
    name = "fk_report_revision_id_article_revision"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE report ADD COLUMN revision_id INTEGER CONSTRAINT {name} REFERENCES article_revision (id)")
    else:
        op.add_column("report", sa.Column("revision_id", sa.Integer(), nullable=True))
        op.create_foreign_key(name, "report", "article_revision", ["revision_id"], ["id"])
    for column in ANCHOR:
        op.add_column("report", sa.Column(column, sa.Text(), nullable=True))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in ANCHOR:
        # Native DROP COLUMN (SQLite 3.35+): a batch operation would copy the table and drop its triggers.
        op.execute(f"ALTER TABLE report DROP COLUMN {column}")
    if sqlite:
        op.execute("ALTER TABLE report DROP COLUMN revision_id")
    else:
        op.drop_constraint("fk_report_revision_id_article_revision", "report", type_="foreignkey")
        op.drop_column("report", "revision_id")
