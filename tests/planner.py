"""SQLite's plan for a statement as it would be at a million reports: the planner chooses indexes from the
statistics ANALYZE keeps (sqlite_stat1), and a test database of a few rows would have it choose otherwise."""

from collections.abc import Callable

from sqlalchemy import event

from corrections.extensions import db

# What ANALYZE (analysis_limit 1000, as `corrections serve` runs it) kept for the report table of `gen-fake
# --articles 5000 --reports 1000000 --seed 1`: per index, the rows it estimated and the rows per distinct prefix.
MILLION_REPORTS_STATISTICS = {
    "ix_report_desk_id_status_id": "949790 1001 1001 1",
    "ix_report_cluster_id_due_at_id": "1561116 3 2 1",
    "ix_report_article_id_due_at_id": "1973950 112 7 1",
    "ix_report_cluster_id_id": "1458200 3 1",
    "ix_report_article_id_status_id": "1192320 112 18 1",
    "ix_report_article_id_id": "1426782 112 1",
    "ix_report_resolution_due_at": "4450500 3 3 3 1 1",
    "ix_report_first_action_due_at": "4398750 3 2 1 1",
    "ix_report_due_at_id": "2133135 3 1",
    "ix_report_status_due_at_id": "1544400 1001 1001 1",
    "ix_report_status_created_at_closed_at": "767340 1001 1 1",
    "ix_report_created_at_status": "440440 1 1",
    "ix_report_status_category_id": "985320 1001 1001 1",
    "ix_report_status_id": "1163484 1001 1",
    "ix_report_cluster_id_status_id": "1262976 3 2 1",
    "ix_report_resurfaced_from_id": "1276970 5",
    "ix_report_desk_id": "1062711 1001",
    "ix_report_client_hash": "1102400 1",
    "ix_report_assignee_id": "1026720 1001",
    "ix_report_article_id_passage_key": "1315440 112 3",
    "sqlite_autoindex_report_2": "1121120 1",
    "sqlite_autoindex_report_1": "1033675 1",
    # Not measured: added after that run, by analogy with due_at (NULL for the reports of one side, unique otherwise).
    "ix_report_closed_at_id": "1000000 3 1",
}


def planned_at_a_million_reports(statement: str, parameters) -> str:
    """SQLite's query plan for `statement`, its steps one a line, with the report table's statistics of a
    million generated reports."""
    connection = db.session.connection()
    connection.exec_driver_sql("ANALYZE")
    connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'report'")
    for index, stat in MILLION_REPORTS_STATISTICS.items():
        connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES ('report', ?, ?)", (index, stat))
    connection.exec_driver_sql("ANALYZE sqlite_schema")  # read again
    return "\n".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))


def statements_run(call: Callable[[], object], marker: str) -> list[tuple[str, object]]:
    """The statements `call` runs that hold `marker`, with their parameters."""
    run = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if marker in statement:
            run.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return run
