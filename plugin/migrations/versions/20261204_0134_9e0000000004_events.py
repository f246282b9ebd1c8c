"""facilitated events

Revision ID: 9e0000000004
Revises: 9f0000000003
Create Date: 2026-12-04 01:34:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e0000000004'
down_revision = '9f0000000003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=2000), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('registration_deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attendance_source', sa.String(length=12), nullable=True),
    sa.Column('attendance_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('grades_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seats_version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_events_created_by_people')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_events_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_events_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_programme_id'), ['programme_id'], unique=False)

    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_registrations_event_id_events')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_event_registrations_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'person_id', name=op.f('uq_event_registrations_event_id_person_id'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_person_id'), ['person_id'], unique=False)

    op.create_table('event_followups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('needs_partner', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_event_followups_created_by_people')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_followups_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_followups'))
    )
    with op.batch_alter_table('event_followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_followups_event_id'), ['event_id'], unique=False)

    op.create_table('event_followup_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('tandem_id', sa.Integer(), nullable=True),
    sa.Column('plan_item_key', sa.String(length=64), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_by', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['done_by'], ['people.id'], name=op.f('fk_event_followup_items_done_by_people')),
    sa.ForeignKeyConstraint(['followup_id'], ['event_followups.id'], name=op.f('fk_event_followup_items_followup_id_event_followups')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_event_followup_items_person_id_people')),
    sa.ForeignKeyConstraint(['tandem_id'], ['tandems.id'], name=op.f('fk_event_followup_items_tandem_id_tandems')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_followup_items')),
    sa.UniqueConstraint('followup_id', 'person_id', name=op.f('uq_event_followup_items_followup_id_person_id'))
    )
    with op.batch_alter_table('event_followup_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_followup_items_followup_id'), ['followup_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_followup_items_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_score_outbox_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_score_outbox_event_id_events'), 'events', ['event_id'], ['id'])


def downgrade():
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_score_outbox_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_score_outbox_event_id'))
        batch_op.drop_column('event_id')

    with op.batch_alter_table('event_followup_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_followup_items_person_id'))
        batch_op.drop_index(batch_op.f('ix_event_followup_items_followup_id'))
    op.drop_table('event_followup_items')
    with op.batch_alter_table('event_followups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_followups_event_id'))
    op.drop_table('event_followups')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_person_id'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_event_id'))
    op.drop_table('event_registrations')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_programme_id'))
        batch_op.drop_index(batch_op.f('ix_events_organisation_id'))
    op.drop_table('events')
