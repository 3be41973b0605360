"""public change notifications (PostgreSQL)

On PostgreSQL every statement that changes an article, a notice or a policy sends a notification on
the channel `corrections_public` when its transaction commits. The public page cache of each server
process listens to it, so it can trust the versions it has already read until something changes
instead of asking the database on every request (corrections/infra/page_cache.py). SQLite has no such
channel and needs none: a version check there costs a few microseconds.

Revision ID: b7d41c2e9a10
Revises: 2dc4a61185c1
Create Date: 2026-11-30 08:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a10'
down_revision = '2dc4a61185c1'
branch_labels = None
depends_on = None

# What the public pages show is read from these tables (page_cache.article_state and site_state).
TABLES = ("article", "correction", "policy")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION corrections_public_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('corrections_public', TG_TABLE_NAME);
            RETURN NULL;
        END $$
    """)
    for table in TABLES:
        op.execute(f"""
            CREATE TRIGGER {table}_public_changed
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION corrections_public_changed()
        """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_public_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS corrections_public_changed()")
