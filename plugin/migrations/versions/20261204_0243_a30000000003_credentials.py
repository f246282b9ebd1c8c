"""open badges credentials

Revision ID: a30000000003
Revises: a20000000002
Create Date: 2026-12-04 02:43:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a30000000003'
down_revision = 'a20000000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
