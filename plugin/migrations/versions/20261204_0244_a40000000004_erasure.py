"""erasure requests, retention and the purge audit

Revision ID: a40000000004
Revises: a30000000003
Create Date: 2026-12-04 02:44:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a40000000004'
down_revision = 'a30000000003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erasure_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_erasure_settings_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['updated_by'], ['people.id'], name=op.f('fk_erasure_settings_updated_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_settings')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_erasure_settings_organisation_id'))
    )
    op.create_table('erasure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_erasure_requests_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_erasure_requests_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_requests'))
    )
    op.create_index(op.f('ix_erasure_requests_organisation_id'), 'erasure_requests', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_erasure_requests_person_id'), 'erasure_requests', ['person_id'], unique=False)
    op.create_index(op.f('ix_erasure_requests_status'), 'erasure_requests', ['status'], unique=False)
    op.create_index(op.f('ix_erasure_requests_due_at'), 'erasure_requests', ['due_at'], unique=False)
    op.create_table('erasure_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('tables', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_erasure_audit_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['request_id'], ['erasure_requests.id'], name=op.f('fk_erasure_audit_request_id_erasure_requests')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_erasure_audit_programme_id_programmes')),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_erasure_audit_actor_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_audit')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_erasure_audit_programme_id'))
    )
    op.create_index(op.f('ix_erasure_audit_organisation_id'), 'erasure_audit', ['organisation_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_erasure_audit_organisation_id'), table_name='erasure_audit')
    op.drop_table('erasure_audit')
    op.drop_index(op.f('ix_erasure_requests_due_at'), table_name='erasure_requests')
    op.drop_index(op.f('ix_erasure_requests_status'), table_name='erasure_requests')
    op.drop_index(op.f('ix_erasure_requests_person_id'), table_name='erasure_requests')
    op.drop_index(op.f('ix_erasure_requests_organisation_id'), table_name='erasure_requests')
    op.drop_table('erasure_requests')
    op.drop_table('erasure_settings')
