"""group sessions, attendance and notes

Revision ID: 9a0000000001
Revises: cf8e3ff2e570
Create Date: 2026-12-04 01:31:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '9a0000000001'
down_revision = 'cf8e3ff2e570'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
