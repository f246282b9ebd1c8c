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
    pass


def downgrade():
    pass
