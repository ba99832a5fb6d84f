"""progress reports: preparations, the archive of generated reports, excerpt consents

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 20:10:17

- report_preparations: the counselor's choices for a case's next report (one per counselor
  and case), saved at every step.
- reports: every generated version, with its PDF bytes and SHA-256. Triggers on both
  engines refuse to change the bytes, the hash or the contents once a report is stored,
  and refuse to delete it: an archived report is shown again exactly as it was shared.
- excerpt_consents: a client's answer to "may this work be quoted in a report?".
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_preparations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('counselor_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('audience', sa.String(length=40), nullable=False),
    sa.Column('excerpts', sa.JSON(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_preparations_case_id_cases')),
    sa.ForeignKeyConstraint(['counselor_id'], ['users.id'], name=op.f('fk_report_preparations_counselor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_preparations')),
    sa.UniqueConstraint('case_id', 'counselor_id', name='uq_report_preparations_case_counselor')
    )
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('audience_client_id', sa.Integer(), nullable=True),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('excerpts', sa.JSON(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('contents', sa.JSON(), nullable=True),
    sa.Column('shared_session_id', sa.Integer(), nullable=True),
    sa.Column('shared_marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['audience_client_id'], ['clients.id'], name=op.f('fk_reports_audience_client_id_clients')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'], name=op.f('fk_reports_generated_by_id_users')),
    sa.ForeignKeyConstraint(['shared_session_id'], ['counseling_sessions.id'], name=op.f('fk_reports_shared_session_id_counseling_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_audience_client_id'), ['audience_client_id'], unique=False)
        batch_op.create_index('ix_reports_case_id_requested_at', ['case_id', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_shared_session_id'), ['shared_session_id'], unique=False)

    op.create_table('excerpt_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_excerpt_consents_client_id_clients')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_excerpt_consents_requested_by_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_excerpt_consents_revision_id_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_excerpt_consents')),
    sa.UniqueConstraint('revision_id', name=op.f('uq_excerpt_consents_revision_id'))
    )
    with op.batch_alter_table('excerpt_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_excerpt_consents_client_id'), ['client_id'], unique=False)

    _archive_frozen()



ARCHIVED = 'an archived report is never changed or deleted'


def _archive_frozen():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION reports_archived() RETURNS trigger AS $$
            BEGIN
              IF OLD.sha256 IS NOT NULL AND (TG_OP = 'DELETE'
                  OR NEW.pdf IS DISTINCT FROM OLD.pdf
                  OR NEW.sha256 IS DISTINCT FROM OLD.sha256
                  OR NEW.contents::text IS DISTINCT FROM OLD.contents::text) THEN
                RAISE EXCEPTION '{ARCHIVED}';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END; $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER reports_archived BEFORE UPDATE OR DELETE ON reports
            FOR EACH ROW EXECUTE FUNCTION reports_archived()""")
    else:
        op.execute(f"""
            CREATE TRIGGER reports_archived_no_update BEFORE UPDATE OF pdf, sha256, contents
            ON reports WHEN OLD.sha256 IS NOT NULL
            BEGIN SELECT RAISE(ABORT, '{ARCHIVED}'); END""")
        op.execute(f"""
            CREATE TRIGGER reports_archived_no_delete BEFORE DELETE ON reports
            WHEN OLD.sha256 IS NOT NULL
            BEGIN SELECT RAISE(ABORT, '{ARCHIVED}'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS reports_archived ON reports")
        op.execute("DROP FUNCTION IF EXISTS reports_archived()")
    else:
        op.execute("DROP TRIGGER IF EXISTS reports_archived_no_update")
        op.execute("DROP TRIGGER IF EXISTS reports_archived_no_delete")
    with op.batch_alter_table('excerpt_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_excerpt_consents_client_id'))

    op.drop_table('excerpt_consents')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_shared_session_id'))
        batch_op.drop_index('ix_reports_case_id_requested_at')
        batch_op.drop_index(batch_op.f('ix_reports_audience_client_id'))

    op.drop_table('reports')
    op.drop_table('report_preparations')
