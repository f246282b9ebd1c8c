"""peer circles, meetings and commitments

Revision ID: 9c0000000002
Revises: 9a0000000001
Create Date: 2026-12-04 01:32:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c0000000002'
down_revision = '9a0000000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('circle_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('min_size', sa.Integer(), nullable=False),
    sa.Column('max_size', sa.Integer(), nullable=False),
    sa.Column('cadence', sa.String(length=12), nullable=False),
    sa.Column('circles', sa.JSON(), nullable=False),
    sa.Column('unplaced', sa.JSON(), nullable=False),
    sa.Column('already', sa.Integer(), nullable=False),
    sa.Column('optimal', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_circle_proposals_created_by_people')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_circle_proposals_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_circle_proposals_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_proposals'))
    )
    with op.batch_alter_table('circle_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_proposals_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_proposals_programme_id'), ['programme_id'], unique=False)

    op.create_table('circles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('cadence', sa.String(length=12), nullable=False),
    sa.Column('modules', sa.JSON(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_circles_created_by_people')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_circles_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_circles_programme_id_programmes')),
    sa.ForeignKeyConstraint(['proposal_id'], ['circle_proposals.id'], name=op.f('fk_circles_proposal_id_circle_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circles'))
    )
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circles_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circles_programme_id'), ['programme_id'], unique=False)

    op.create_table('circle_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chair_person_id', sa.Integer(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chair_person_id'], ['people.id'], name=op.f('fk_circle_meetings_chair_person_id_people')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_meetings_circle_id_circles')),
    sa.ForeignKeyConstraint(['recorded_by'], ['people.id'], name=op.f('fk_circle_meetings_recorded_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_meetings')),
    sa.UniqueConstraint('circle_id', 'seq', name=op.f('uq_circle_meetings_circle_id_seq'))
    )
    with op.batch_alter_table('circle_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_meetings_circle_id'), ['circle_id'], unique=False)

    op.create_table('circle_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_members_circle_id_circles')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_circle_members_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_members')),
    sa.UniqueConstraint('circle_id', 'person_id', name=op.f('uq_circle_members_circle_id_person_id'))
    )
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_members_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_members_person_id'), ['person_id'], unique=False)

    op.create_table('circle_commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reviewed_meeting_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_commitments_circle_id_circles')),
    sa.ForeignKeyConstraint(['meeting_id'], ['circle_meetings.id'], name=op.f('fk_circle_commitments_meeting_id_circle_meetings')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_circle_commitments_person_id_people')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['people.id'], name=op.f('fk_circle_commitments_reviewed_by_people')),
    sa.ForeignKeyConstraint(['reviewed_meeting_id'], ['circle_meetings.id'], name=op.f('fk_circle_commitments_reviewed_meeting_id_circle_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_commitments')),
    sa.UniqueConstraint('meeting_id', 'person_id', name=op.f('uq_circle_commitments_meeting_id_person_id'))
    )
    with op.batch_alter_table('circle_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_commitments_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_commitments_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_commitments_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sa.String(length=120), nullable=True))



def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('region')

    with op.batch_alter_table('circle_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_commitments_person_id'))
        batch_op.drop_index(batch_op.f('ix_circle_commitments_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_circle_commitments_circle_id'))

    op.drop_table('circle_commitments')
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_members_person_id'))
        batch_op.drop_index(batch_op.f('ix_circle_members_circle_id'))

    op.drop_table('circle_members')
    with op.batch_alter_table('circle_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_meetings_circle_id'))

    op.drop_table('circle_meetings')
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circles_programme_id'))
        batch_op.drop_index(batch_op.f('ix_circles_organisation_id'))

    op.drop_table('circles')
    with op.batch_alter_table('circle_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_proposals_programme_id'))
        batch_op.drop_index(batch_op.f('ix_circle_proposals_organisation_id'))

    op.drop_table('circle_proposals')
