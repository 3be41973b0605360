"""figures kept as reports change: per-day and per-month tallies, and the durations the medians are taken of; "Due first" over any status

The editors' metrics and /transparency counted a window's reports from the report table on every visit, so a
year of reports took seconds. These tables hold the same figures, kept exact in the same transaction as every
change, by triggers on `report` (like `report_count`):

- `report_tally`: reports by the UTC day and month they arrived, category, status and how they stand against
  their two deadlines; `article_tally`: by day, month or all time ("all"), and article;
- `report_duration`: each report's time to first action and to correction (microseconds), with a bucket that
  orders them coarsely; `duration_tally`, kept by triggers on `report_duration`: durations by day or month and
  bucket. A median counts buckets, then reads the one bucket that holds it (figures/tallies.py).

Tallies are rows of +1 and -1 only ever added (a few rows per statement on PostgreSQL), so concurrent changes
never wait on a shared row; figures/tallies.py folds them, and `tally_fold` says how far. The existing reports are counted here, in SQL; the
`rebuild-figures` command counts them again. Two indexes serve the deadlines still running after now, and the
queue's "Due first" index gains the id, for the reports without a deadline of any status.

As with report_count: a later SQLite migration that makes batch_alter_table copy the `report` table drops its
triggers and must create them again (the metrics' recount tests fail if it does not).

Revision ID: f2a7c3d9e1b5
Revises: 1b2b637b7dd2
Create Date: 2026-12-07 04:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a7c3d9e1b5'
down_revision = '1b2b637b7dd2'
branch_labels = None
depends_on = None

CLOSED = "('accepted', 'rejected', 'duplicate', 'spam', 'corrected')"
# The SQL of each fact about a report row `{r}`, per database. Durations are exact microseconds: SQLite keeps
# timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' text (UTCDateTime), PostgreSQL's epoch of an interval is numeric.
SQL = {
    "sqlite": {
        "day": "date({r}.created_at)",
        "month": "date({r}.created_at, 'start of month')",
        "micros": "((strftime('%s', {end}) - strftime('%s', {r}.created_at)) * 1000000"
                  " + CAST(substr({end}, 21, 6) AS INTEGER) - CAST(substr({r}.created_at, 21, 6) AS INTEGER))",
        # Under a second (or negative): 0; else the number of digits, then the first two.
        "bucket": "(CASE WHEN {m} < 1000000 THEN 0 ELSE length({m}) * 100 + CAST(substr({m}, 1, 2) AS INTEGER) END)",
    },
    "postgresql": {
        "day": "CAST({r}.created_at AT TIME ZONE 'UTC' AS DATE)",
        "month": "CAST(date_trunc('month', {r}.created_at AT TIME ZONE 'UTC') AS DATE)",
        "micros": "CAST(EXTRACT(EPOCH FROM ({end} - {r}.created_at)) * 1000000 AS BIGINT)",
        "bucket": "(CASE WHEN {m} < 1000000 THEN 0"
                  " ELSE length(CAST({m} AS TEXT)) * 100 + CAST(substr(CAST({m} AS TEXT), 1, 2) AS INTEGER) END)",
    },
}
CLOCKS = {
    "first_clock": "CASE WHEN {r}.first_action_due_at IS NULL THEN '' WHEN {r}.first_action_at IS NULL THEN 'waiting'"
                   " WHEN {r}.first_action_at <= {r}.first_action_due_at THEN 'met' ELSE 'late' END",
    "resolution_clock": "CASE WHEN {r}.resolution_due_at IS NULL THEN ''"
                        f" WHEN {{r}}.status NOT IN {CLOSED} OR {{r}}.closed_at IS NULL THEN 'waiting'"
                        " WHEN {r}.closed_at <= {r}.resolution_due_at THEN 'met' ELSE 'late' END",
}
# When a report has each duration, and until when it runs.
MEASURES = {
    "first_action": ("{r}.first_action_at IS NOT NULL", "{r}.first_action_at"),
    "correction": ("{r}.status = 'corrected' AND {r}.closed_at IS NOT NULL", "{r}.closed_at"),
}
TALLIES = {
    "report_tally": ["category", "status", "first_clock", "resolution_clock"],
    "article_tally": ["article_id"],
}


def facts(dialect: str, table: str, r: str) -> list[str]:
    """The key columns of a tally (after period and start) for the report row `r`."""
    return [CLOCKS[c].format(r=r) if c in CLOCKS else f"{r}.{c}" for c in TALLIES[table]]


def start_of(dialect: str, r: str, period: str) -> str:
    every = "'2000-01-01'" if dialect == "sqlite" else "DATE '2000-01-01'"
    return (f"CASE {period} WHEN 'day' THEN {SQL[dialect]['day'].format(r=r)} "
            f"WHEN 'month' THEN {SQL[dialect]['month'].format(r=r)} ELSE {every} END")


def micros(dialect: str, r: str, measure: str) -> str:
    return SQL[dialect]["micros"].format(r=r, end=MEASURES[measure][1].format(r=r))


def duration_of(dialect: str, r: str, measure: str) -> str:
    """The duration of `measure` for row r, NULL when it has none."""
    return f"(CASE WHEN {MEASURES[measure][0].format(r=r)} THEN {micros(dialect, r, measure)} END)"


PERIODS = "(SELECT 'day' AS period UNION ALL SELECT 'month')"
# Articles are also counted over all time (period "all"): the candidates for a long window's most reported.
ARTICLE_PERIODS = "(SELECT 'day' AS period UNION ALL SELECT 'month' UNION ALL SELECT 'all')"


def tally_rows(dialect: str, table: str, r: str, n: str, where: str = "") -> str:
    """SELECT the rows `table` gets for report row `r` (FROM ... given in `where`'s place by the caller)."""
    columns = [start_of(dialect, r, "p.period"), *facts(dialect, table, r)]
    periods = ARTICLE_PERIODS if table == "article_tally" else PERIODS
    return f"SELECT p.period, {', '.join(columns)}, {n} FROM {where} CROSS JOIN {periods} AS p"


def insert_tally(table: str) -> str:
    return f"INSERT INTO {table} (period, start, {', '.join(TALLIES[table])}, n) "


def duration_insert(dialect: str, r: str, measure: str, source: str, where: str = "TRUE") -> str:
    m = micros(dialect, r, measure)
    bucket = SQL[dialect]["bucket"].format(m=m)
    return (f"INSERT INTO report_duration (report_id, measure, created_at, micros, bucket) "
            f"SELECT {r}.id, '{measure}', {r}.created_at, {m}, {bucket} FROM {source} "
            f"WHERE {MEASURES[measure][0].format(r=r)} AND {where}")


def changed(dialect: str, table: str, old: str, new: str) -> str:
    pairs = [(start_of(dialect, old, "'day'"), start_of(dialect, new, "'day'"))]
    pairs += list(zip(facts(dialect, table, old), facts(dialect, table, new)))
    distinct = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return "(" + " OR ".join(f"({a}) {distinct} ({b})" for a, b in pairs) + ")"


def duration_changed(dialect: str, measure: str, old: str, new: str) -> str:
    distinct = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return (f"({old}.created_at {distinct} {new}.created_at OR "
            f"{duration_of(dialect, old, measure)} {distinct} {duration_of(dialect, new, measure)})")


def sqlite_triggers() -> list[str]:
    d = "sqlite"
    one = "(SELECT 1)"
    insert, update, delete = [], [], []
    for table in TALLIES:
        insert.append(insert_tally(table) + tally_rows(d, table, "NEW", "1", one))
        update.append(insert_tally(table) + tally_rows(d, table, "OLD", "-1", one) + f" WHERE {changed(d, table, 'OLD', 'NEW')}"
                      + " UNION ALL " + tally_rows(d, table, "NEW", "1", one) + f" WHERE {changed(d, table, 'OLD', 'NEW')}")
        delete.append(insert_tally(table) + tally_rows(d, table, "OLD", "-1", one))
    for measure in MEASURES:
        insert.append(duration_insert(d, "NEW", measure, one))
        moved = duration_changed(d, measure, "OLD", "NEW")
        update.append(f"DELETE FROM report_duration WHERE report_id = OLD.id AND measure = '{measure}' AND {moved}")
        update.append(duration_insert(d, "NEW", measure, one, moved))
    delete.append("DELETE FROM report_duration WHERE report_id = OLD.id")
    columns = "created_at, category, status, article_id, first_action_at, closed_at, first_action_due_at, " \
              "resolution_due_at"

    def trigger(name: str, when: str, body: list[str]) -> str:
        return f"CREATE TRIGGER {name} {when} BEGIN\n" + "".join(f"    {s};\n" for s in body) + "END"

    durations = "INSERT INTO duration_tally (period, start, measure, bucket, n) SELECT p.period, {start}, " \
                "{r}.measure, {r}.bucket, {n} FROM " + PERIODS + " AS p"
    return [
        trigger("report_figures_insert", "AFTER INSERT ON report", insert),
        trigger("report_figures_update", f"AFTER UPDATE OF {columns} ON report", update),
        trigger("report_figures_delete", "AFTER DELETE ON report", delete),
        trigger("report_duration_insert", "AFTER INSERT ON report_duration",
                [durations.format(start=start_of(d, "NEW", "p.period"), r="NEW", n="1")]),
        trigger("report_duration_delete", "AFTER DELETE ON report_duration",
                [durations.format(start=start_of(d, "OLD", "p.period"), r="OLD", n="-1")]),
    ]


def postgres_triggers() -> list[str]:
    d = "postgresql"
    insert, update, delete = [], [], []
    for table in TALLIES:
        keys = ", ".join(str(i) for i in range(1, len(TALLIES[table]) + 3))
        insert.append(insert_tally(table) + tally_rows(d, table, "r", "count(*)", "new_rows AS r") + f" GROUP BY {keys}")
        delete.append(insert_tally(table) + tally_rows(d, table, "r", "-count(*)", "old_rows AS r") + f" GROUP BY {keys}")
        both = "old_rows AS o JOIN new_rows AS r ON r.id = o.id"
        moves = (tally_rows(d, table, "o", "-1 AS n", both) + f" WHERE {changed(d, table, 'o', 'r')} UNION ALL "
                 + tally_rows(d, table, "r", "1", both) + f" WHERE {changed(d, table, 'o', 'r')}")
        update.append(insert_tally(table) + f"SELECT * FROM (SELECT m.period, {', '.join(f'm.c{i}' for i in range(len(TALLIES[table]) + 1))}, "
                      f"sum(m.n) FROM ({moves}) AS m (period, {', '.join(f'c{i}' for i in range(len(TALLIES[table]) + 1))}, n) "
                      f"GROUP BY {keys} HAVING sum(m.n) <> 0) AS folded")
    for measure in MEASURES:
        insert.append(duration_insert(d, "r", measure, "new_rows AS r"))
        moved = duration_changed(d, measure, "o", "r")
        update.append(f"DELETE FROM report_duration AS x USING old_rows AS o JOIN new_rows AS r ON r.id = o.id "
                      f"WHERE x.report_id = o.id AND x.measure = '{measure}' AND {moved}")
        update.append(duration_insert(d, "r", measure, "old_rows AS o JOIN new_rows AS r ON r.id = o.id", moved))
    delete.append("DELETE FROM report_duration WHERE report_id IN (SELECT id FROM old_rows)")

    def function(name: str, body: list[str]) -> str:
        return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
                + "".join(f"    {s};\n" for s in body) + "    RETURN NULL;\nEND $$")

    durations = ("INSERT INTO duration_tally (period, start, measure, bucket, n) SELECT p.period, {start}, r.measure, "
                 "r.bucket, {n} FROM {rows} AS r CROSS JOIN " + PERIODS + " AS p GROUP BY 1, 2, 3, 4")
    statements = [
        function("report_figures_insert", insert),
        function("report_figures_update", update),
        function("report_figures_delete", delete),
        function("report_duration_insert", [durations.format(start=start_of(d, "r", "p.period"), n="count(*)",
                                                             rows="new_rows")]),
        function("report_duration_delete", [durations.format(start=start_of(d, "r", "p.period"), n="-count(*)",
                                                             rows="old_rows")]),
    ]
    for table, name, event, rows in (
        ("report", "report_figures_insert", "INSERT", "NEW TABLE AS new_rows"),
        ("report", "report_figures_update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("report", "report_figures_delete", "DELETE", "OLD TABLE AS old_rows"),
        ("report_duration", "report_duration_insert", "INSERT", "NEW TABLE AS new_rows"),
        ("report_duration", "report_duration_delete", "DELETE", "OLD TABLE AS old_rows"),
    ):
        statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {rows} "
                          f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    return statements


def backfill(dialect: str) -> list[str]:
    """The tallies and durations of the reports already there (the durations' tally by their trigger)."""
    statements = []
    for table in TALLIES:
        keys = ", ".join(str(i) for i in range(1, len(TALLIES[table]) + 3))
        statements.append(insert_tally(table) + tally_rows(dialect, table, "r", "count(*)", "report AS r")
                          + f" GROUP BY {keys}")
    for measure in MEASURES:
        statements.append(duration_insert(dialect, "r", measure, "report AS r", "1 = 1"))
    return statements


def run(statement: str) -> None:
    # Straight to the driver: the SQL holds colons and percent signs that are not parameters.
    op.get_bind().exec_driver_sql(statement)


def upgrade():
    op.create_table('report_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('first_clock', sa.String(length=7), nullable=False),
    sa.Column('resolution_clock', sa.String(length=7), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_tally'))
    )
    with op.batch_alter_table('report_tally', schema=None) as batch_op:
        batch_op.create_index('ix_report_tally_period_start', ['period', 'start', 'category', 'status', 'first_clock',
                                                               'resolution_clock', 'n'], unique=False)
    op.create_table('article_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_tally'))
    )
    with op.batch_alter_table('article_tally', schema=None) as batch_op:
        batch_op.create_index('ix_article_tally_period_article_id_start', ['period', 'article_id', 'start', 'n'],
                              unique=False)
    op.create_table('report_duration',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('micros', sa.BigInteger(), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('report_id', 'measure', name=op.f('pk_report_duration'))
    )
    with op.batch_alter_table('report_duration', schema=None) as batch_op:
        batch_op.create_index('ix_report_duration_measure_bucket_created_at_micros',
                              ['measure', 'bucket', 'created_at', 'micros'], unique=False)
        batch_op.create_index('ix_report_duration_measure_created_at_bucket', ['measure', 'created_at', 'bucket'],
                              unique=False)
    op.create_table('duration_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=12), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duration_tally'))
    )
    with op.batch_alter_table('duration_tally', schema=None) as batch_op:
        batch_op.create_index('ix_duration_tally_period_measure_start', ['period', 'measure', 'start', 'bucket', 'n'],
                              unique=False)
    tally_fold = op.create_table('tally_fold',
    sa.Column('table_name', sa.String(length=20), nullable=False),
    sa.Column('through_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_tally_fold'))
    )
    op.bulk_insert(tally_fold, [{"table_name": name, "through_id": 0}
                                for name in ("report_tally", "article_tally", "duration_tally")])
    with op.batch_alter_table('report', schema=None) as batch_op:
        # "Due first" over any status reads each status by deadline, then those without one by id (id was missing
        # for PostgreSQL, which sorted a status's reports without a deadline).
        batch_op.drop_index('ix_report_status_due_at')
        batch_op.create_index('ix_report_status_due_at_id', ['status', 'due_at', 'id'], unique=False)
        batch_op.create_index('ix_report_due_at_id', ['due_at', 'id'], unique=False)
        # The metrics' deadlines still running after now: only recent reports, from the index alone.
        batch_op.create_index('ix_report_first_action_due_at',
                              ['first_action_due_at', 'first_action_at', 'created_at', 'category'], unique=False)
        batch_op.create_index('ix_report_resolution_due_at',
                              ['resolution_due_at', 'status', 'closed_at', 'created_at', 'category'], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in postgres_triggers() if dialect == "postgresql" else sqlite_triggers():
        run(statement)
    for statement in backfill(dialect):
        run(statement)
    # SQLite's row triggers counted each duration in a row of its own: one row per key, then every table folded.
    keys = "period, start, measure, bucket"
    last = op.get_bind().exec_driver_sql("SELECT coalesce(max(id), 0) FROM duration_tally").scalar()
    run(f"INSERT INTO duration_tally ({keys}, n) SELECT {keys}, sum(n) FROM duration_tally WHERE id <= {int(last)} "
        f"GROUP BY {keys} HAVING sum(n) <> 0")
    run(f"DELETE FROM duration_tally WHERE id <= {int(last)}")
    for name in ("report_tally", "article_tally", "duration_tally"):
        run(f"UPDATE tally_fold SET through_id = (SELECT coalesce(max(id), 0) FROM {name}) "
            f"WHERE table_name = '{name}'")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, name in (("report", "report_figures_insert"), ("report", "report_figures_update"),
                            ("report", "report_figures_delete"), ("report_duration", "report_duration_insert"),
                            ("report_duration", "report_duration_delete")):
            run(f"DROP TRIGGER {name} ON {table}")
            run(f"DROP FUNCTION {name}()")
    else:
        for name in ("report_figures_insert", "report_figures_update", "report_figures_delete"):
            run(f"DROP TRIGGER {name}")
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_due_at_id')
        batch_op.drop_index('ix_report_status_due_at_id')
        batch_op.create_index('ix_report_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.drop_index('ix_report_resolution_due_at')
        batch_op.drop_index('ix_report_first_action_due_at')
    op.drop_table('tally_fold')
    op.drop_table('duration_tally')
    op.drop_table('report_duration')
    op.drop_table('article_tally')
    op.drop_table('report_tally')
