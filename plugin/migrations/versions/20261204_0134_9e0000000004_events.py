"""facilitated events

Revision ID: 9e0000000004
Revises: 9f0000000003
Create Date: 2026-12-04 01:34:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '9e0000000004'
down_revision = '9f0000000003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
