"""self-assessment questionnaires and answers

Revision ID: a10000000001
Revises: 9b0000000005
Create Date: 2026-12-04 02:41:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a10000000001'
down_revision = '9b0000000005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
