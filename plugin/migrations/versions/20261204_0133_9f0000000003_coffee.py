"""coffee roulette

Revision ID: 9f0000000003
Revises: 9c0000000002
Create Date: 2026-12-04 01:33:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f0000000003'
down_revision = '9c0000000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coffee_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('cadence', sa.String(length=16), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_coffee_settings_programme_id_programmes')),
    sa.ForeignKeyConstraint(['updated_by'], ['people.id'], name=op.f('fk_coffee_settings_updated_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coffee_settings')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_coffee_settings_programme_id'))
    )

    op.create_table('coffee_opt_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('opted_in', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_coffee_opt_ins_person_id_people')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_coffee_opt_ins_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coffee_opt_ins')),
    sa.UniqueConstraint('programme_id', 'person_id', name=op.f('uq_coffee_opt_ins_programme_id_person_id'))
    )
    with op.batch_alter_table('coffee_opt_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coffee_opt_ins_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coffee_opt_ins_programme_id'), ['programme_id'], unique=False)

    op.create_table('coffee_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('cadence', sa.String(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=12), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('repeats', sa.Integer(), nullable=False),
    sa.Column('optimal', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_coffee_rounds_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_coffee_rounds_programme_id_programmes')),
    sa.ForeignKeyConstraint(['started_by'], ['people.id'], name=op.f('fk_coffee_rounds_started_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coffee_rounds')),
    sa.UniqueConstraint('programme_id', 'key', name=op.f('uq_coffee_rounds_programme_id_key'))
    )
    with op.batch_alter_table('coffee_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coffee_rounds_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coffee_rounds_programme_id'), ['programme_id'], unique=False)

    op.create_table('coffee_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_coffee_matches_programme_id_programmes')),
    sa.ForeignKeyConstraint(['round_id'], ['coffee_rounds.id'], name=op.f('fk_coffee_matches_round_id_coffee_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coffee_matches'))
    )
    with op.batch_alter_table('coffee_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coffee_matches_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coffee_matches_round_id'), ['round_id'], unique=False)

    op.create_table('coffee_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('feedback', sa.String(length=12), nullable=True),
    sa.Column('wishes_added', sa.JSON(), nullable=False),
    sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['match_id'], ['coffee_matches.id'], name=op.f('fk_coffee_members_match_id_coffee_matches')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_coffee_members_person_id_people')),
    sa.ForeignKeyConstraint(['round_id'], ['coffee_rounds.id'], name=op.f('fk_coffee_members_round_id_coffee_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coffee_members')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_coffee_members_round_id_person_id'))
    )
    with op.batch_alter_table('coffee_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coffee_members_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coffee_members_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('coffee_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coffee_members_person_id'))
        batch_op.drop_index(batch_op.f('ix_coffee_members_match_id'))
    op.drop_table('coffee_members')
    with op.batch_alter_table('coffee_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coffee_matches_round_id'))
        batch_op.drop_index(batch_op.f('ix_coffee_matches_programme_id'))
    op.drop_table('coffee_matches')
    with op.batch_alter_table('coffee_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coffee_rounds_programme_id'))
        batch_op.drop_index(batch_op.f('ix_coffee_rounds_organisation_id'))
    op.drop_table('coffee_rounds')
    with op.batch_alter_table('coffee_opt_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coffee_opt_ins_programme_id'))
        batch_op.drop_index(batch_op.f('ix_coffee_opt_ins_person_id'))
    op.drop_table('coffee_opt_ins')
    op.drop_table('coffee_settings')
