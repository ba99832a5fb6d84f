"""cases, partner shares, safety screenings, and the session log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 17:40:00

- cases / case_members: every existing client gets an individual case named after them,
  and their assignments are linked to it, so nothing already assigned is orphaned.
- safety_screenings, shares: private screenings; items a partner shared with the other.
- counseling_sessions, session_attendees, agreements, agreement_follow_ups,
  session_addenda, calendar_feeds: the session log.
- assignments.case_id / session_id / contact_reason.
- Triggers on both engines refuse any change to a signed session, to its attendees,
  agreements and follow-ups, and any change to an addendum (SECURITY.md 17).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _at(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        'cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('counselor_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        _at('opened_at', nullable=False),
        _at('closed_at'),
        _at('safety_flagged_at'),
        sa.Column('safety_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['counselor_id'], ['users.id'], name='fk_cases_counselor_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_cases'),
    )
    op.create_index('ix_cases_counselor_id', 'cases', ['counselor_id'])
    op.create_table(
        'case_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name='fk_case_members_case_id_cases'),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'],
                                name='fk_case_members_client_id_clients'),
        sa.PrimaryKeyConstraint('id', name='pk_case_members'),
        sa.UniqueConstraint('case_id', 'client_id', name='uq_case_members_case_client'),
    )
    op.create_index('ix_case_members_client_id', 'case_members', ['client_id'])
    op.create_table(
        'safety_screenings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('screened_on', sa.Date(), nullable=False),
        sa.Column('outcome', sa.String(length=24), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        _at('created_at', nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name='fk_safety_screenings_case_id_cases'),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'],
                                name='fk_safety_screenings_client_id_clients'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name='fk_safety_screenings_recorded_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_safety_screenings'),
    )
    op.create_index('ix_safety_screenings_case_id_client_id', 'safety_screenings',
                    ['case_id', 'client_id'])
    op.create_table(
        'counseling_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('counselor_id', sa.Integer(), nullable=False),
        _at('starts_at', nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('format', sa.String(length=16), nullable=False),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('shared_summary', sa.Text(), nullable=True),
        sa.Column('private_notes', sa.Text(), nullable=True),
        sa.Column('agenda', sa.Text(), nullable=True),
        sa.Column('perspectives', sa.Text(), nullable=True),
        sa.Column('acknowledged', sa.Text(), nullable=True),
        sa.Column('next_steps', sa.Text(), nullable=True),
        _at('screening_confirmed_at'),
        _at('cancelled_at'),
        _at('created_at', nullable=False),
        _at('updated_at', nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        _at('signed_at'),
        sa.Column('signed_by_id', sa.Integer(), nullable=True),
        sa.Column('content_hash', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name='fk_counseling_sessions_case_id_cases'),
        sa.ForeignKeyConstraint(['counselor_id'], ['users.id'],
                                name='fk_counseling_sessions_counselor_id_users'),
        sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'],
                                name='fk_counseling_sessions_signed_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_counseling_sessions'),
    )
    op.create_index('ix_counseling_sessions_counselor_id_starts_at', 'counseling_sessions',
                    ['counselor_id', 'starts_at'])
    op.create_index('ix_counseling_sessions_case_id_starts_at', 'counseling_sessions',
                    ['case_id', 'starts_at'])
    op.create_table(
        'session_attendees',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['counseling_sessions.id'],
                                name='fk_session_attendees_session_id_counseling_sessions'),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'],
                                name='fk_session_attendees_client_id_clients'),
        sa.PrimaryKeyConstraint('id', name='pk_session_attendees'),
        sa.UniqueConstraint('session_id', 'client_id',
                            name='uq_session_attendees_session_client'),
    )
    op.create_index('ix_session_attendees_client_id', 'session_attendees', ['client_id'])
    op.create_table(
        'agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('binds_client_id', sa.Integer(), nullable=True),
        sa.Column('follow_up_on', sa.Date(), nullable=True),
        _at('created_at', nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['counseling_sessions.id'],
                                name='fk_agreements_session_id_counseling_sessions'),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name='fk_agreements_case_id_cases'),
        sa.ForeignKeyConstraint(['binds_client_id'], ['clients.id'],
                                name='fk_agreements_binds_client_id_clients'),
        sa.PrimaryKeyConstraint('id', name='pk_agreements'),
    )
    op.create_index('ix_agreements_session_id', 'agreements', ['session_id'])
    op.create_index('ix_agreements_case_id', 'agreements', ['case_id'])
    op.create_table(
        'agreement_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        _at('created_at', nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'],
                                name='fk_agreement_follow_ups_agreement_id_agreements'),
        sa.ForeignKeyConstraint(['session_id'], ['counseling_sessions.id'],
                                name='fk_agreement_follow_ups_session_id_counseling_sessions'),
        sa.PrimaryKeyConstraint('id', name='pk_agreement_follow_ups'),
    )
    op.create_index('ix_agreement_follow_ups_agreement_id', 'agreement_follow_ups',
                    ['agreement_id'])
    op.create_index('ix_agreement_follow_ups_session_id', 'agreement_follow_ups',
                    ['session_id'])
    op.create_table(
        'session_addenda',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('signed_by_id', sa.Integer(), nullable=False),
        _at('signed_at', nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['counseling_sessions.id'],
                                name='fk_session_addenda_session_id_counseling_sessions'),
        sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'],
                                name='fk_session_addenda_signed_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_session_addenda'),
    )
    op.create_index('ix_session_addenda_session_id', 'session_addenda', ['session_id'])
    op.create_table(
        'calendar_feeds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('counselor_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        _at('created_at', nullable=False),
        _at('revoked_at'),
        sa.ForeignKeyConstraint(['counselor_id'], ['users.id'],
                                name='fk_calendar_feeds_counselor_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_calendar_feeds'),
        sa.UniqueConstraint('token_hash', name='uq_calendar_feeds_token_hash'),
    )
    op.create_index('ix_calendar_feeds_counselor_id', 'calendar_feeds', ['counselor_id'])
    op.create_table(
        'shares',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        _at('shared_at', nullable=False),
        _at('withdrawn_at'),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name='fk_shares_case_id_cases'),
        sa.ForeignKeyConstraint(['author_id'], ['clients.id'], name='fk_shares_author_id_clients'),
        sa.ForeignKeyConstraint(['recipient_id'], ['clients.id'],
                                name='fk_shares_recipient_id_clients'),
        sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'],
                                name='fk_shares_revision_id_revisions'),
        sa.PrimaryKeyConstraint('id', name='pk_shares'),
    )
    op.create_index('ix_shares_case_id', 'shares', ['case_id'])
    op.create_index('ix_shares_revision_id', 'shares', ['revision_id'])
    op.create_index('ix_shares_recipient_id_withdrawn_at', 'shares',
                    ['recipient_id', 'withdrawn_at'])
    op.create_index('ix_shares_author_id_withdrawn_at', 'shares', ['author_id', 'withdrawn_at'])

    _assignment_links()
    _individual_cases()
    _signed_sessions_frozen()


def _assignment_links():
    """assignments.case_id / session_id / contact_reason. SQLite adds a column with its
    foreign key in place; a batch operation would copy the whole table, which its
    dependants' foreign keys forbid."""
    links = (('case_id', 'cases'), ('session_id', 'counseling_sessions'))
    if op.get_bind().dialect.name == "sqlite":
        for column, table in links:
            op.execute(f"ALTER TABLE assignments ADD COLUMN {column} INTEGER "
                       f"CONSTRAINT fk_assignments_{column}_{table} REFERENCES {table} (id)")
        op.add_column('assignments', sa.Column('contact_reason', sa.Text(), nullable=True))
    else:
        with op.batch_alter_table('assignments', schema=None) as batch_op:
            for column, table in links:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
                batch_op.create_foreign_key(f'fk_assignments_{column}_{table}', table,
                                            [column], ['id'])
            batch_op.add_column(sa.Column('contact_reason', sa.Text(), nullable=True))
    for column, _ in links:
        op.create_index(f'ix_assignments_{column}', 'assignments', [column])


def _individual_cases():
    """One individual case per existing client, named after them, holding their work."""
    bind = op.get_bind()
    clients = bind.execute(sa.text(
        "SELECT clients.id, clients.counselor_id, users.name, clients.created_at "
        "FROM clients JOIN users ON users.id = clients.user_id ORDER BY clients.id")).all()
    for client_id, counselor_id, name, created_at in clients:
        case_id = bind.execute(sa.text(
            "INSERT INTO cases (counselor_id, name, kind, opened_at) "
            "VALUES (:counselor, :name, 'individual', :opened) RETURNING id"),
            {"counselor": counselor_id, "name": name[:120], "opened": created_at}).scalar_one()
        bind.execute(sa.text("INSERT INTO case_members (case_id, client_id, position) "
                             "VALUES (:case, :client, 1)"), {"case": case_id, "client": client_id})
        bind.execute(sa.text("UPDATE assignments SET case_id = :case WHERE client_id = :client"),
                     {"case": case_id, "client": client_id})


# Parts of a session, each with the column that names their session.
SESSION_PARTS = {"session_attendees": "session_id", "agreements": "session_id",
                 "agreement_follow_ups": "session_id"}
LOCKED = "a signed session is never changed; add an addendum"


def _signed_sessions_frozen():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION counseling_sessions_frozen() RETURNS trigger AS $$
            BEGIN
              IF OLD.signed_at IS NOT NULL THEN RAISE EXCEPTION '{LOCKED}'; END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END; $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER counseling_sessions_frozen BEFORE UPDATE OR DELETE
            ON counseling_sessions FOR EACH ROW EXECUTE FUNCTION counseling_sessions_frozen()""")
        op.execute(f"""
            CREATE FUNCTION session_parts_frozen() RETURNS trigger AS $$
            DECLARE sid integer;
            BEGIN
              IF TG_OP = 'INSERT' THEN sid := NEW.session_id; ELSE sid := OLD.session_id; END IF;
              IF EXISTS (SELECT 1 FROM counseling_sessions
                         WHERE id = sid AND signed_at IS NOT NULL)
                 OR (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM counseling_sessions
                         WHERE id = NEW.session_id AND signed_at IS NOT NULL)) THEN
                RAISE EXCEPTION '{LOCKED}';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END; $$ LANGUAGE plpgsql""")
        for table in SESSION_PARTS:
            op.execute(f"""
                CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION session_parts_frozen()""")
        op.execute("""
            CREATE FUNCTION session_addenda_frozen() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'addenda are never changed'; END; $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER session_addenda_frozen BEFORE UPDATE OR DELETE ON session_addenda
            FOR EACH ROW EXECUTE FUNCTION session_addenda_frozen()""")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER counseling_sessions_no_{verb.lower()} BEFORE {verb}
            ON counseling_sessions WHEN OLD.signed_at IS NOT NULL
            BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""")
        op.execute(f"""
            CREATE TRIGGER session_addenda_no_{verb.lower()} BEFORE {verb} ON session_addenda
            BEGIN SELECT RAISE(ABORT, 'addenda are never changed'); END""")
    signed = ("(SELECT signed_at FROM counseling_sessions WHERE id = {row}.session_id) "
              "IS NOT NULL")
    for table in SESSION_PARTS:
        for verb, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")),
                           ("DELETE", ("OLD",))):
            when = " OR ".join(signed.format(row=row) for row in rows)
            op.execute(f"""
                CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
                WHEN {when}
                BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""")


def _drop_triggers():
    if op.get_bind().dialect.name == "postgresql":
        for table in (*SESSION_PARTS, "counseling_sessions", "session_addenda"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        for function in ("counseling_sessions_frozen", "session_parts_frozen",
                         "session_addenda_frozen"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        return
    for table in (*SESSION_PARTS, "counseling_sessions", "session_addenda"):
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that holds a foreign key, and copying the table is
        # refused while drafts and revisions point at it.
        raise RuntimeError("0005 cannot be undone on SQLite: restore the backup taken "
                           "before the upgrade (flask --app counsel backup).")
    _drop_triggers()
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_session_id')
        batch_op.drop_index('ix_assignments_case_id')
        batch_op.drop_constraint('fk_assignments_session_id_counseling_sessions',
                                 type_='foreignkey')
        batch_op.drop_constraint('fk_assignments_case_id_cases', type_='foreignkey')
        batch_op.drop_column('contact_reason')
        batch_op.drop_column('session_id')
        batch_op.drop_column('case_id')
    for table in ('shares', 'calendar_feeds', 'session_addenda', 'agreement_follow_ups',
                  'agreements', 'session_attendees', 'counseling_sessions',
                  'safety_screenings', 'case_members', 'cases'):
        op.drop_table(table)
