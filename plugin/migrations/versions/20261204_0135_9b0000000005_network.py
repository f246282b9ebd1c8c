"""focused mentorings

Revision ID: 9b0000000005
Revises: 9e0000000004
Create Date: 2026-12-04 01:35:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '9b0000000005'
down_revision = '9e0000000004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('focused_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_focused_requests_group_id_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focused_requests')),
    sa.UniqueConstraint('group_id', name=op.f('uq_focused_requests_group_id'))
    )


def downgrade():
    op.drop_table('focused_requests')
