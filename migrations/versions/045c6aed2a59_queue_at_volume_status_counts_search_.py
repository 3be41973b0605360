"""queue at volume: status counts, search index, keyset indexes

Revision ID: 045c6aed2a59
Revises: 3118d5314f7e
Create Date: 2026-11-30 04:10:47.850751

Besides the tables and indexes the models describe, this makes by hand what autogenerate cannot see
(corrections/triage/search.py lists the names, so migration checks leave them alone):

- triggers on `report` that keep `report_count` (reports per status) in the same transaction as each
  insert, status change and delete;
- the full-text index of the reports' description, passage and suggested correction: on SQLite an FTS5
  table kept by triggers, on PostgreSQL a generated `tsvector` column with a GIN index.

A later SQLite migration that makes batch_alter_table copy the `report` table drops its triggers: it must
create them again (the tests of counts and search fail if it does not).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '045c6aed2a59'
down_revision = '3118d5314f7e'
branch_labels = None
depends_on = None


# Every word is a run of letters and digits on both databases: SQLite's unicode61 tokenizer splits at
# anything else, and PostgreSQL's parser gets the text with punctuation already turned into spaces (so
# "2.4" is the words 2 and 4 on both, and a search for "2.4" looks for them side by side).
# On SQLite the index also holds each report's group (cluster_id) and status, so that one look-up finds
# the matching reports of a page's groups in the statuses shown (a look-up per report costs far more).
SQLITE_SEARCH = """
CREATE VIRTUAL TABLE report_search USING fts5(
    description, passage, suggested_correction, cluster_id, status,
    content='report', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
)
"""
SQLITE_SEARCH_TRIGGERS = [
    """
    CREATE TRIGGER report_search_insert AFTER INSERT ON report BEGIN
        INSERT INTO report_search (rowid, description, passage, suggested_correction, cluster_id, status)
        VALUES (NEW.id, NEW.description, NEW.passage, NEW.suggested_correction, NEW.cluster_id, NEW.status);
    END
    """,
    """
    CREATE TRIGGER report_search_delete AFTER DELETE ON report BEGIN
        INSERT INTO report_search (report_search, rowid, description, passage, suggested_correction, cluster_id,
                                    status)
        VALUES ('delete', OLD.id, OLD.description, OLD.passage, OLD.suggested_correction, OLD.cluster_id, OLD.status);
    END
    """,
    """
    CREATE TRIGGER report_search_update
    AFTER UPDATE OF description, passage, suggested_correction, cluster_id, status ON report BEGIN
        INSERT INTO report_search (report_search, rowid, description, passage, suggested_correction, cluster_id,
                                    status)
        VALUES ('delete', OLD.id, OLD.description, OLD.passage, OLD.suggested_correction, OLD.cluster_id, OLD.status);
        INSERT INTO report_search (rowid, description, passage, suggested_correction, cluster_id, status)
        VALUES (NEW.id, NEW.description, NEW.passage, NEW.suggested_correction, NEW.cluster_id, NEW.status);
    END
    """,
]
SQLITE_COUNT_TRIGGERS = [
    """
    CREATE TRIGGER report_count_insert AFTER INSERT ON report BEGIN
        INSERT INTO report_count (status, n) VALUES (NEW.status, 1);
    END
    """,
    """
    CREATE TRIGGER report_count_update AFTER UPDATE OF status ON report WHEN OLD.status <> NEW.status BEGIN
        INSERT INTO report_count (status, n) VALUES (OLD.status, -1), (NEW.status, 1);
    END
    """,
    """
    CREATE TRIGGER report_count_delete AFTER DELETE ON report BEGIN
        INSERT INTO report_count (status, n) VALUES (OLD.status, -1);
    END
    """,
]

POSTGRES_SEARCH = [
    r"""
    ALTER TABLE report ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', regexp_replace(description || ' ' || passage || ' ' || suggested_correction,
                                             '[[:punct:]‘’“”«»–—…]+', ' ', 'g'))
    ) STORED
    """,
    # The queue's text search: the reports holding every word.
    "CREATE INDEX ix_report_search ON report USING gin (search)",
]
# Statement-level triggers: a bulk insert (gen-fake's COPY) adds one row per status, not one per report.
POSTGRES_COUNT_TRIGGERS = [
    """
    CREATE FUNCTION report_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO report_count (status, n) SELECT status, count(*) FROM new_rows GROUP BY status;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION report_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO report_count (status, n)
        SELECT status, sum(n) FROM (
            SELECT old_rows.status, -1 AS n FROM old_rows JOIN new_rows USING (id) WHERE old_rows.status <> new_rows.status
            UNION ALL
            SELECT new_rows.status, 1 FROM old_rows JOIN new_rows USING (id) WHERE old_rows.status <> new_rows.status
        ) AS moves GROUP BY status;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION report_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO report_count (status, n) SELECT status, -count(*) FROM old_rows GROUP BY status;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER report_count_insert AFTER INSERT ON report REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_count_insert()
    """,
    """
    CREATE TRIGGER report_count_update AFTER UPDATE ON report REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_count_update()
    """,
    """
    CREATE TRIGGER report_count_delete AFTER DELETE ON report REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_count_delete()
    """,
]


def run(statement: str) -> None:
    # Straight to the driver: the SQL holds colons and percent signs that are not parameters.
    op.get_bind().exec_driver_sql(statement)


def upgrade():
    op.create_table('report_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_count'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        # Replaced by the next one, which starts with the same column.
        batch_op.drop_index(batch_op.f('ix_report_cluster_id'))
        # A group's reports; whether a group has a newer report in the shown statuses (the queue's keyset pages).
        batch_op.create_index('ix_report_cluster_id_status_id', ['cluster_id', 'status', 'id'], unique=False)
        # The queue pages through each shown status newest (or oldest) first.
        batch_op.create_index('ix_report_status_id', ['status', 'id'], unique=False)
        # The same by category, the filter used most; its capped count of matching reports from the index alone.
        batch_op.create_index('ix_report_status_category_id', ['status', 'category', 'id'], unique=False)

    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_COUNT_TRIGGERS if postgres else SQLITE_COUNT_TRIGGERS:
        run(statement)
    run("INSERT INTO report_count (status, n) SELECT status, count(*) FROM report GROUP BY status")
    if postgres:
        for statement in POSTGRES_SEARCH:
            run(statement)
    else:
        run(SQLITE_SEARCH)
        for statement in SQLITE_SEARCH_TRIGGERS:
            run(statement)
        run("INSERT INTO report_search (report_search) VALUES ('rebuild')")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        run("DROP INDEX ix_report_search")
        run("ALTER TABLE report DROP COLUMN search")
        for name in ("insert", "update", "delete"):
            run(f"DROP TRIGGER report_count_{name} ON report")
            run(f"DROP FUNCTION report_count_{name}()")
    else:
        for name in ("insert", "update", "delete"):
            run(f"DROP TRIGGER report_search_{name}")
            run(f"DROP TRIGGER report_count_{name}")
        run("DROP TABLE report_search")

    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_status_category_id')
        batch_op.drop_index('ix_report_status_id')
        batch_op.drop_index('ix_report_cluster_id_status_id')
        batch_op.create_index(batch_op.f('ix_report_cluster_id'), ['cluster_id'], unique=False)

    op.drop_table('report_count')
