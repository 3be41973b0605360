"""most reported from kept counts: reports per article and per group in each status, kept by triggers

The queue's "most-reported articles first" counted every matching report on each visit (0.3 to 1.9 s at a million
reports). These tables hold, for each article and each group (report.cluster_id), how many reports it has in each
state, in the open states together ("open") and in all ("all"), kept by triggers on `report` in the same
transaction as every insert, change of status, group or article, and delete; the order is read from their
indexes (status, n, article_id) and (status, article_id, n, cluster_id), a page at a time (triage/ranking.py).

Unlike report_count and the figures' tallies (rows of +1 and -1 only ever added), a key has one row, updated in
place: an order can only be read from an index when each key has one value. A row that falls to 0 is deleted. A
change updates its rows in the order of their keys (groups first, then articles), so two changes that touch the
same groups or articles wait for each other rather than deadlock. The existing reports are counted here.

As with report_count: a later SQLite migration that makes batch_alter_table copy the `report` table drops its
triggers and must create them again (the ranking's recount tests fail if it does not).

Revision ID: b3e8d1f4a6c2
Revises: f2a7c91d4e35
Create Date: 2026-12-07 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e8d1f4a6c2'
down_revision = 'f2a7c91d4e35'
branch_labels = None
depends_on = None

OPEN = "('new', 'in_review')"
# Each table: its key columns besides the status, and the columns its rows take from a report.
TABLES = {
    "group_report_count": ("cluster_id", "cluster_id, status, article_id", "{r}.cluster_id, {k}, {r}.article_id"),
    "article_report_count": ("article_id", "article_id, status", "{r}.article_id, {k}"),
}
TRIGGERS = ("report_ranking_insert", "report_ranking_update", "report_ranking_delete")


def upsert(table: str) -> str:
    key = TABLES[table][0]
    return f" ON CONFLICT ({key}, status) DO UPDATE SET n = {table}.n + excluded.n"


def keep_only(table: str) -> str:
    """The rows of a table without their n: the article of a group goes along, whichever report brought it."""
    return "min(m.article_id), " if table == "group_report_count" else ""


# --- SQLite: row triggers, the row's keys as a small UNION ----------------------------------------------------

def sqlite_keys(r: str) -> str:
    return (f"(SELECT {r}.status AS status UNION ALL SELECT 'all' UNION ALL SELECT 'open' "
            f"WHERE {r}.status IN {OPEN})")


def sqlite_rows(table: str, r: str, n: str) -> str:
    key = TABLES[table][0]
    article = f", {r}.article_id AS article_id" if table == "group_report_count" else ""
    return f"SELECT {r}.{key} AS {key}, k.status AS status{article}, {n} AS n FROM {sqlite_keys(r)} AS k"


def sqlite_change(table: str, parts: list[tuple[str, str]]) -> str:
    key, columns, _ = TABLES[table]
    rows = " UNION ALL ".join(sqlite_rows(table, r, n) for r, n in parts)
    return (f"INSERT INTO {table} ({columns}, n) SELECT m.{key}, m.status, {keep_only(table)}sum(m.n) "
            f"FROM ({rows}) AS m WHERE m.{key} IS NOT NULL GROUP BY m.{key}, m.status HAVING sum(m.n) <> 0"
            + upsert(table))


def sqlite_triggers() -> list[str]:
    tables = list(TABLES)
    insert = [sqlite_change(t, [("NEW", "1")]) for t in tables]
    update = [sqlite_change(t, [("OLD", "-1"), ("NEW", "1")]) for t in tables]
    delete = [sqlite_change(t, [("OLD", "-1")]) for t in tables]
    for table in tables:
        key = TABLES[table][0]
        gone = f"DELETE FROM {table} WHERE {key} = OLD.{key} AND n = 0"
        update.append(gone)
        delete.append(gone)
    changed = "OLD.status IS NOT NEW.status OR OLD.cluster_id IS NOT NEW.cluster_id OR OLD.article_id IS NOT NEW.article_id"

    def trigger(name: str, when: str, body: list[str]) -> str:
        return f"CREATE TRIGGER {name} {when} BEGIN\n" + "".join(f"    {s};\n" for s in body) + "END"

    return [
        trigger("report_ranking_insert", "AFTER INSERT ON report", insert),
        trigger("report_ranking_update", f"AFTER UPDATE OF status, cluster_id, article_id ON report WHEN {changed}",
                update),
        trigger("report_ranking_delete", "AFTER DELETE ON report", delete),
    ]


# --- PostgreSQL: statement triggers over the transition tables -------------------------------------------------

def postgres_keys(r: str) -> str:
    return (f"CROSS JOIN LATERAL (VALUES ({r}.status), ('all'), "
            f"(CASE WHEN {r}.status IN {OPEN} THEN 'open' END)) AS k (status)")


def postgres_rows(table: str, r: str, n: str, source: str, where: str = "TRUE") -> str:
    _, _, values = TABLES[table]
    return f"SELECT {values.format(r=r, k='k.status')}, {n} FROM {source} {postgres_keys(r)} WHERE {where}"


def postgres_change(table: str, parts: list[tuple[str, str, str, str]]) -> str:
    key, columns, _ = TABLES[table]
    rows = " UNION ALL ".join(postgres_rows(table, r, n, source, where) for r, n, source, where in parts)
    return (f"INSERT INTO {table} ({columns}, n) SELECT m.{key}, m.status, {keep_only(table)}sum(m.n) "
            f"FROM ({rows}) AS m ({columns}, n) WHERE m.{key} IS NOT NULL AND m.status IS NOT NULL "
            f"GROUP BY m.{key}, m.status HAVING sum(m.n) <> 0 ORDER BY m.{key}, m.status" + upsert(table))


def postgres_triggers() -> list[str]:
    both = "old_rows AS o JOIN new_rows AS r ON r.id = o.id"
    changed = ("(o.status IS DISTINCT FROM r.status OR o.cluster_id IS DISTINCT FROM r.cluster_id "
               "OR o.article_id IS DISTINCT FROM r.article_id)")
    insert, update, delete = [], [], []
    for table in TABLES:
        key = TABLES[table][0]
        insert.append(postgres_change(table, [("r", "1", "new_rows AS r", "TRUE")]))
        update.append(postgres_change(table, [("o", "-1", both, changed), ("r", "1", both, changed)]))
        update.append(f"DELETE FROM {table} WHERE n = 0 AND {key} IN (SELECT o.{key} FROM {both} WHERE {changed})")
        delete.append(postgres_change(table, [("r", "-1", "old_rows AS r", "TRUE")]))
        delete.append(f"DELETE FROM {table} WHERE n = 0 AND {key} IN (SELECT {key} FROM old_rows)")

    def function(name: str, body: list[str]) -> str:
        return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
                + "".join(f"    {s};\n" for s in body) + "    RETURN NULL;\nEND $$")

    statements = [function("report_ranking_insert", insert), function("report_ranking_update", update),
                  function("report_ranking_delete", delete)]
    for name, event, rows in (
        ("report_ranking_insert", "INSERT", "NEW TABLE AS new_rows"),
        ("report_ranking_update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("report_ranking_delete", "DELETE", "OLD TABLE AS old_rows"),
    ):
        statements.append(f"CREATE TRIGGER {name} AFTER {event} ON report REFERENCING {rows} "
                          f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    return statements


def backfill() -> list[str]:
    """The counts of the reports already there: by state from the indexes that start (cluster_id, status) and
    (article_id, status), then all and open."""
    statements = []
    for table, (key, columns, _) in TABLES.items():
        article = ", min(article_id)" if table == "group_report_count" else ""
        for status, where in (("status", "TRUE"), ("'all'", "TRUE"), ("'open'", f"status IN {OPEN}")):
            group = f"{key}, status" if status == "status" else key
            statements.append(f"INSERT INTO {table} ({columns}, n) SELECT {key}, {status}{article}, count(*) "
                              f"FROM report WHERE {key} IS NOT NULL AND {where} GROUP BY {group}")
    return statements


def run(statement: str) -> None:
    # Straight to the driver: the SQL holds colons and percent signs that are not parameters.
    op.get_bind().exec_driver_sql(statement)


def upgrade():
    op.create_table('article_report_count',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('article_id', 'status', name=op.f('pk_article_report_count'))
    )
    op.create_table('group_report_count',
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('cluster_id', 'status', name=op.f('pk_group_report_count'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # No report changes between the counting and the triggers (SQLite's write lock does the same there).
        run("LOCK TABLE report IN SHARE ROW EXCLUSIVE MODE")
    for statement in backfill():
        run(statement)
    # The indexes after the rows: built once from them rather than kept up row by row.
    op.create_index('ix_article_report_count_status_n_article_id', 'article_report_count',
                    ['status', 'n', 'article_id'])
    op.create_index('ix_group_report_count_status_article_id_n_cluster_id', 'group_report_count',
                    ['status', 'article_id', 'n', 'cluster_id'])
    for statement in postgres_triggers() if dialect == "postgresql" else sqlite_triggers():
        run(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGGERS:
            run(f"DROP TRIGGER {name} ON report")
            run(f"DROP FUNCTION {name}()")
    else:
        for name in TRIGGERS:
            run(f"DROP TRIGGER {name}")
    op.drop_index('ix_group_report_count_status_article_id_n_cluster_id', table_name='group_report_count')
    op.drop_index('ix_article_report_count_status_n_article_id', table_name='article_report_count')
    op.drop_table('group_report_count')
    op.drop_table('article_report_count')
