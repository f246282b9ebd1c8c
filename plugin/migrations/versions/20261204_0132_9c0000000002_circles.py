"""peer circles, meetings and commitments

Revision ID: 9c0000000002
Revises: 9a0000000001
Create Date: 2026-12-04 01:32:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '9c0000000002'
down_revision = '9a0000000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
