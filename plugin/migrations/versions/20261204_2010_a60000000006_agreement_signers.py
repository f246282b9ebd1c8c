"""agreements: how many signed and the last signature's day, for the programme dashboard

Revision ID: a60000000006
Revises: a50000000005
Create Date: 2026-12-04 20:10:00

"""
import json
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a60000000006'
down_revision = 'a50000000005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('agreements', sa.Column('signers', sa.Integer(), server_default='0', nullable=False))
    op.add_column('agreements', sa.Column('last_signed_on', sa.Date(), nullable=True))
    agreements = sa.table('agreements', sa.column('id', sa.Integer), sa.column('signatures', sa.JSON), sa.column('signers', sa.Integer), sa.column('last_signed_on', sa.Date))
    bind = op.get_bind()
    for agreement_id, signatures in bind.execute(sa.select(agreements.c.id, agreements.c.signatures)).all():
        signatures = (json.loads(signatures) if isinstance(signatures, str) else signatures) or []
        if not signatures:
            continue
        last = max(date.fromisoformat(s['at'][:10]) for s in signatures)
        bind.execute(agreements.update().where(agreements.c.id == agreement_id).values(signers=len({s['person_id'] for s in signatures}), last_signed_on=last))


def downgrade():
    with op.batch_alter_table('agreements') as batch:
        batch.drop_column('last_signed_on')
        batch.drop_column('signers')
