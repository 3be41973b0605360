"""one article at volume: indexes for the pages of an article with a hundred thousand reports and a thousand notices

The dashboard's article page counts the article's reports by state and lists the first few a new notice may link
(report: article_id, status, id, read from the index alone); the queue filtered to one article pages through its
reports newest first whatever their state (report: article_id, id, which replaces the index on article_id alone:
on SQLite that one held the same, on PostgreSQL the order by id needed it); the article's notices are read a page
at a time, newest first (correction: article_id, published_at, id, replacing the index on article_id alone). A
group's reports in arrival order whatever their state (report: cluster_id, id): the queue lists a group's first
few and asks whether it has a newer one in one short range, however big the group.

Revision ID: f2a7c91d4e35
Revises: f2a7c3d9e1b5
Create Date: 2026-12-07 05:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f2a7c91d4e35'
down_revision = 'f2a7c3d9e1b5'
branch_labels = None
depends_on = None


def upgrade():
    # Plain index operations, no batch: a batch that copied the report table on SQLite would lose its triggers.
    op.create_index('ix_report_article_id_id', 'report', ['article_id', 'id'])
    op.create_index('ix_report_article_id_status_id', 'report', ['article_id', 'status', 'id'])
    op.drop_index('ix_report_article_id', table_name='report')
    op.create_index('ix_report_cluster_id_id', 'report', ['cluster_id', 'id'])
    op.create_index('ix_correction_article_id_published_at_id', 'correction', ['article_id', 'published_at', 'id'])
    op.drop_index('ix_correction_article_id', table_name='correction')


def downgrade():
    op.create_index('ix_correction_article_id', 'correction', ['article_id'])
    op.drop_index('ix_correction_article_id_published_at_id', table_name='correction')
    op.create_index('ix_report_article_id', 'report', ['article_id'])
    op.drop_index('ix_report_article_id_status_id', table_name='report')
    op.drop_index('ix_report_article_id_id', table_name='report')
    op.drop_index('ix_report_cluster_id_id', table_name='report')
