"""coffee roulette

Revision ID: 9f0000000003
Revises: 9c0000000002
Create Date: 2026-12-04 01:33:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '9f0000000003'
down_revision = '9c0000000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
