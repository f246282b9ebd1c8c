"""the tandems' sign-off chains summed per track, for the programme dashboard

Revision ID: a70000000007
Revises: a60000000006
Create Date: 2026-12-04 20:40:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a70000000007'
down_revision = 'a60000000006'
branch_labels = None
depends_on = None


def upgrade():
    facts = op.create_table('signoff_track_facts',
    sa.Column('tandem_id', sa.Integer(), nullable=False),
    sa.Column('module_slug', sa.String(length=64), nullable=False),
    sa.Column('module_version', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('kept', sa.Integer(), nullable=False),
    sa.Column('countersigned', sa.Integer(), nullable=True),
    sa.Column('withdrawn', sa.Integer(), nullable=True),
    sa.Column('last_signed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['tandem_id'], ['tandems.id'], name=op.f('fk_signoff_track_facts_tandem_id_tandems')),
    sa.PrimaryKeyConstraint('tandem_id', 'module_slug', 'module_version', 'side', name=op.f('pk_signoff_track_facts'))
    )
    # the existing chains, summed as plugin/services/signoff_facts.py sums them
    r = sa.table('signoff_records', *(sa.column(c) for c in ('tandem_id', 'module_slug', 'module_version', 'side', 'objective_id', 'kind', 'seq', 'timestamp')))
    signed = sa.func.sum(sa.case((r.c.kind == 'signed', 1), else_=0))
    withdrawn = sa.func.sum(sa.case((r.c.kind == 'withdrawn', 1), else_=0))
    per_objective = (
        sa.select(
            r.c.tandem_id, r.c.module_slug, r.c.module_version, r.c.side,
            sa.case((sa.and_(r.c.objective_id.is_not(None), signed > withdrawn), 1), else_=0).label('kept'),
            sa.func.max(sa.case((r.c.kind == 'countersigned', r.c.seq))).label('countersigned'),
            sa.func.max(sa.case((r.c.kind == 'withdrawn', r.c.seq))).label('withdrawn'),
            sa.func.max(sa.case((r.c.kind == 'signed', sa.func.substr(r.c.timestamp, 1, 10)))).label('last_signed'),
        )
        .where(r.c.tandem_id.is_not(None))
        .group_by(r.c.tandem_id, r.c.module_slug, r.c.module_version, r.c.side, r.c.objective_id)
        .subquery()
    )
    o = per_objective.c
    query = sa.select(o.tandem_id, o.module_slug, o.module_version, o.side, sa.func.sum(o.kept), sa.func.max(o.countersigned), sa.func.max(o.withdrawn), sa.func.max(o.last_signed)).group_by(o.tandem_id, o.module_slug, o.module_version, o.side)
    rows = [
        {'tandem_id': t, 'module_slug': slug, 'module_version': version, 'side': side, 'kept': int(kept or 0), 'countersigned': cs, 'withdrawn': wd, 'last_signed_on': date.fromisoformat(day) if day else None}
        for t, slug, version, side, kept, cs, wd, day in op.get_bind().execute(query)
    ]
    if rows:
        op.bulk_insert(facts, rows)


def downgrade():
    op.drop_table('signoff_track_facts')
