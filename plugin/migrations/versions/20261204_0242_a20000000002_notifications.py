"""notifications outbox and preferences

Revision ID: a20000000002
Revises: a10000000001
Create Date: 2026-12-04 02:42:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a20000000002'
down_revision = 'a10000000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
