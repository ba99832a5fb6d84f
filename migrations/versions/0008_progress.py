"""progress: locked stages on the pathway, check-in schedules and check-ins, a client's time zone

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 00:46:00

- stage_settings: a client's locked stages (and whether one unlocks by itself).
- checkin_schedules / checkins: the counselor's schedule of 0-10 self-ratings, and the
  client's ratings, one per local day.
- clients.time_zone: the client's own day for check-ins and trackers.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkin_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=False),
    sa.Column('scales', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_checkin_schedules_client_id_clients')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_checkin_schedules_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_schedules')),
    sa.UniqueConstraint('client_id', name=op.f('uq_checkin_schedules_client_id'))
    )
    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_checkins_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
    sa.UniqueConstraint('client_id', 'taken_on', name='uq_checkins_client_day')
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_client_id'), ['client_id'], unique=False)

    op.create_table('stage_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('unlock_when_previous_done', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_stage_settings_client_id_clients')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_stage_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_settings')),
    sa.UniqueConstraint('client_id', 'stage', name='uq_stage_settings_client_stage')
    )
    with op.batch_alter_table('stage_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_settings_client_id'), ['client_id'], unique=False)

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('time_zone')

    with op.batch_alter_table('stage_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_settings_client_id'))

    op.drop_table('stage_settings')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_client_id'))

    op.drop_table('checkins')
    op.drop_table('checkin_schedules')
