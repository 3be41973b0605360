"""The ground floor's database helpers."""

from sqlalchemy import event, select
from sqlalchemy.engine.interfaces import CacheStats

from corrections.extensions import db, insert_or_skip
from corrections.models import MailAddress, utcnow


def test_an_insert_or_skip_skips_a_taken_key_and_is_compiled_once(app):
    """SQLAlchemy 2.0 compiled a dialect's INSERT ... ON CONFLICT again at every run; insert_or_skip's stays in
    its cache of compiled statements, and the values of each run still go in."""
    runs = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO mail_address"):
            runs.append(context.cache_hit)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for address in ("ada@example.org", "bo@example.org", "ada@example.org"):
            db.session.execute(insert_or_skip(MailAddress, db.engine.dialect.name)
                               .values(address=address, created_at=utcnow())
                               .on_conflict_do_nothing(index_elements=["address"]))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    db.session.commit()

    assert sorted(db.session.scalars(select(MailAddress.address))) == ["ada@example.org", "bo@example.org"]
    assert len(runs) == 3 and runs[1:] == [CacheStats.CACHE_HIT, CacheStats.CACHE_HIT], runs


def test_inserts_or_skips_on_other_columns_are_other_statements():
    """The columns the ON CONFLICT names are in the cache key: an INSERT skipping on one key is never run as the
    same INSERT compiled for another (or for none)."""
    for dialect in ("sqlite", "postgresql"):
        plain = insert_or_skip(MailAddress, dialect).values(address="ada@example.org")
        on_address = plain.on_conflict_do_nothing(index_elements=["address"])
        on_column = plain.on_conflict_do_nothing(index_elements=[MailAddress.__table__.c.address])
        on_any = plain.on_conflict_do_nothing()
        keys = [statement._generate_cache_key() for statement in (plain, on_address, on_any)]
        assert all(key is not None for key in keys)
        assert len({key.key for key in keys}) == 3, dialect
        assert on_column._generate_cache_key() == keys[1]
        assert "ON CONFLICT (address) DO NOTHING" in str(on_address)
        assert "ON CONFLICT DO NOTHING" in str(on_any) and "ON CONFLICT" not in str(plain)
