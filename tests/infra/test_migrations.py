"""Migrations: they build exactly the tables the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from corrections import MIGRATIONS
from corrections.extensions import db
from corrections.notices import publishing
from corrections.repeats import word_index
from corrections.triage import search
from tests.helpers import make_article, make_editor


def include_name(name, type_, parent_names) -> bool:
    return search.include_name(name, type_, parent_names) and not word_index.hand_made(name, type_)


def differences() -> list:
    with db.engine.connect() as connection:
        # The search index is made by hand (an FTS5 table on SQLite, a generated column on PostgreSQL), as
        # migrations/env.py knows: autogenerate must leave it alone here too.
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        return compare_metadata(context, db.metadata)


def current_revisions() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def test_migrated_database_matches_the_models(app):
    assert differences() == []


def test_database_is_at_the_latest_migration(app):
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    assert current_revisions() == heads


def test_the_hand_made_indexes_are_all_autogenerate_is_told_to_leave_alone(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = compare_metadata(context, db.metadata)
    assert found, "the search index should be visible to a comparison that is not told to skip it"
    for difference in found:
        name = difference[-1].name  # ("remove_table", table), ("remove_column", schema, table, column), ...
        assert search.hand_made(name, "table") or word_index.hand_made(name, "table") or name in (
            search.POSTGRES_COLUMN, "ix_report_search", word_index.POSTGRES_INDEX,
            word_index.POSTGRES_WINDOWS_INDEX), difference


def test_migrations_go_down_and_up_again(app):
    tables = {table.name for table in db.metadata.sorted_tables}
    db.session.remove()
    downgrade(directory=str(MIGRATIONS), revision="base")
    assert tables.isdisjoint(inspect(db.engine).get_table_names())
    upgrade(directory=str(MIGRATIONS))
    assert tables <= set(inspect(db.engine).get_table_names())
    assert differences() == []


def test_notices_published_before_name_no_words(app):
    notice = publishing.publish(make_article(), "correction", "An earlier version gave the wrong date.",
                                by=make_editor())
    publishing.amend(notice, "An earlier version gave the wrong opening date.", by=make_editor("b@example.org"))
    db.session.commit()
    db.session.remove()
    downgrade(directory=str(MIGRATIONS), revision="a9c3e5f7b1d2")
    upgrade(directory=str(MIGRATIONS))
    with db.engine.connect() as connection:
        for table in ("correction", "correction_version"):
            assert connection.execute(text(f"SELECT wrong_text, right_text FROM {table}")).all() == [("", "")]


def test_provenance_comes_and_goes_with_its_migration_keeping_the_articles(app):
    article_id = make_article(source_type="trainedAlgorithmicMedia", generator="newswriter 4.2").id
    db.session.remove()
    downgrade(directory=str(MIGRATIONS), revision="c4e8a2f6d0b3")
    for table in ("article", "article_revision"):
        assert {"source_type", "generator"}.isdisjoint(c["name"] for c in inspect(db.engine).get_columns(table))
    upgrade(directory=str(MIGRATIONS))

    with db.engine.connect() as connection:
        said = connection.exec_driver_sql(f"SELECT source_type, generator FROM article WHERE id = {article_id}").one()
    assert tuple(said) == (None, None)  # the articles there before say nothing
    assert differences() == []
