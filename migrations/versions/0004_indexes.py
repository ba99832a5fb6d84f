"""indexes for practice scale: audit history by time, client's work by status, no duplicates

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 15:45:00

The (client_id, at, id) index serves a client's access history newest first and replaces
the single-column client_id index (its leading column). ix_revisions_assignment_id duplicated
the leading column of uq_revisions_assignment_number. (client_id, status, due_date) on
assignments serves the dashboard's waiting and overdue lists and their counts from the index,
and replaces the single-column client_id index.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_client_id_at_id', ['client_id', 'at', 'id'],
                              unique=False)
        batch_op.drop_index('ix_audit_events_client_id')
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_revisions_assignment_id')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_client_id_status_due_date',
                              ['client_id', 'status', 'due_date'], unique=False)
        batch_op.drop_index('ix_assignments_client_id')


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_client_id', ['client_id'], unique=False)
        batch_op.drop_index('ix_assignments_client_id_status_due_date')
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.create_index('ix_revisions_assignment_id', ['assignment_id'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_client_id', ['client_id'], unique=False)
        batch_op.drop_index('ix_audit_events_client_id_at_id')
