"""plan items' due and done days as rows, for the programme dashboard

Revision ID: a50000000005
Revises: a40000000004
Create Date: 2026-12-04 20:00:00

"""
import json
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a50000000005'
down_revision = 'a40000000004'
branch_labels = None
depends_on = None


def _day(value):
    return date.fromisoformat(value[:10]) if value else None


def upgrade():
    table = op.create_table('plan_item_dates',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_item_dates_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'key', name=op.f('pk_plan_item_dates'))
    )
    plans = sa.table('plans', sa.column('id', sa.Integer), sa.column('items', sa.JSON))
    rows = []
    for plan_id, items in op.get_bind().execute(sa.select(plans.c.id, plans.c['items'])):
        items = json.loads(items) if isinstance(items, str) else items
        rows.extend({'plan_id': plan_id, 'key': i['key'], 'due': _day(i['due']), 'done_on': _day(i.get('done_on'))} for i in items or ())
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_table('plan_item_dates')
