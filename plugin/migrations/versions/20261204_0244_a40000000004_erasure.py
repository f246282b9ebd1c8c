"""erasure requests, retention and the purge audit

Revision ID: a40000000004
Revises: a30000000003
Create Date: 2026-12-04 02:44:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a40000000004'
down_revision = 'a30000000003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
