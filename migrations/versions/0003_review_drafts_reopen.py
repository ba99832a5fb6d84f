"""review drafts with a version, reopening unopened submissions, removable comments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 14:40:00

- reviews.version / reviews.updated_at: the unsent review is the counselor's autosaved
  draft; the version detects a save from a stale tab.
- assignments.submission_opened_at: when the counselor first opened the latest submission;
  until then the client may reopen it.
- review_comments.removed_at: removing a comment is undoable until the review is sent.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_opened_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
    # Work submitted before this change counts as opened: the counselor may have read it.
    op.execute("UPDATE assignments SET submission_opened_at = updated_at "
               "WHERE status = 'submitted'")


def downgrade():
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('version')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('submission_opened_at')
