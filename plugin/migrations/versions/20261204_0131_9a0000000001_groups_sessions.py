"""group sessions, attendance and notes

Revision ID: 9a0000000001
Revises: cf8e3ff2e570
Create Date: 2026-12-04 01:31:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a0000000001'
down_revision = 'cf8e3ff2e570'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('group_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('shared_notes', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_group_sessions_created_by_people')),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_sessions_group_id_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_sessions'))
    )
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_sessions_group_id'), ['group_id'], unique=False)

    op.create_table('group_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_group_attendance_person_id_people')),
    sa.ForeignKeyConstraint(['session_id'], ['group_sessions.id'], name=op.f('fk_group_attendance_session_id_group_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_attendance')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_group_attendance_session_id_person_id'))
    )
    with op.batch_alter_table('group_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('group_private_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_group_private_notes_author_id_people')),
    sa.ForeignKeyConstraint(['session_id'], ['group_sessions.id'], name=op.f('fk_group_private_notes_session_id_group_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_private_notes')),
    sa.UniqueConstraint('session_id', 'author_id', name=op.f('uq_group_private_notes_session_id_author_id'))
    )
    with op.batch_alter_table('group_private_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_private_notes_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_private_notes_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participant_groups', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('participant_groups')

    with op.batch_alter_table('group_private_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_private_notes_session_id'))
        batch_op.drop_index(batch_op.f('ix_group_private_notes_author_id'))
    op.drop_table('group_private_notes')

    with op.batch_alter_table('group_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_attendance_session_id'))
    op.drop_table('group_attendance')

    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_sessions_group_id'))
    op.drop_table('group_sessions')
