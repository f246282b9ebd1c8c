"""The tandems' sign-off chains summed per track (``signoff_track_facts``): refreshed from the track's records in
the transaction that appends one, rebuilt in bulk from the records (migration, seeding); the programme dashboard
reads these rows instead of grouping every record of the programme on each request.

Per track (tandem, module version, side taught): how many objectives are signed and not withdrawn (per objective,
more sign-offs than withdrawals: the rule of :func:`plugin.domain.dashboards.track_complete`), the sequence numbers
of the last countersignature and the last withdrawal, and the day of the last sign-off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.signoffs.records import Kind
from plugin.models import SignoffRecord, SignoffTrackFact


def summed(where: sa.ColumnElement) -> sa.Select:
    """Per track of the records ``where`` selects: the fact's columns, in the table's order (two groupings: per
    objective, then per track)."""
    r = SignoffRecord
    signed = sa.func.sum(sa.case((r.kind == Kind.SIGNED.value, 1), else_=0))
    withdrawn = sa.func.sum(sa.case((r.kind == Kind.WITHDRAWN.value, 1), else_=0))
    per_objective = (
        sa.select(
            r.tandem_id,
            r.module_slug,
            r.module_version,
            r.side,
            sa.case((sa.and_(r.objective_id.is_not(None), signed > withdrawn), 1), else_=0).label("kept"),
            sa.func.max(sa.case((r.kind == Kind.COUNTERSIGNED.value, r.seq))).label("countersigned"),
            sa.func.max(sa.case((r.kind == Kind.WITHDRAWN.value, r.seq))).label("withdrawn"),
            sa.func.max(sa.case((r.kind == Kind.SIGNED.value, sa.func.substr(r.timestamp, 1, 10)))).label("last_signed"),
        )
        .where(r.tandem_id.is_not(None), where)
        .group_by(r.tandem_id, r.module_slug, r.module_version, r.side, r.objective_id)
        .subquery("per_objective")
    )
    o = per_objective.c
    return sa.select(
        o.tandem_id, o.module_slug, o.module_version, o.side, sa.func.sum(o.kept), sa.func.max(o.countersigned), sa.func.max(o.withdrawn), sa.func.max(o.last_signed)
    ).group_by(o.tandem_id, o.module_slug, o.module_version, o.side)


def _rows(session: Session, where: sa.ColumnElement) -> list[dict]:
    return [
        {"tandem_id": t, "module_slug": slug, "module_version": version, "side": side, "kept": int(kept or 0), "countersigned": cs, "withdrawn": wd, "last_signed_on": date.fromisoformat(day) if day else None}
        for t, slug, version, side, kept, cs, wd, day in session.execute(summed(where))
    ]


def refresh(session: Session, tandem_id: int, module_slug: str, module_version: int, side: str) -> None:
    """Sum one track again from its records (after a record of it was appended; the chain is locked)."""
    key = (SignoffTrackFact.tandem_id == tandem_id, SignoffTrackFact.module_slug == module_slug, SignoffTrackFact.module_version == module_version, SignoffTrackFact.side == side)
    session.execute(sa.delete(SignoffTrackFact).where(*key))
    r = SignoffRecord
    rows = _rows(session, sa.and_(r.tandem_id == tandem_id, r.module_slug == module_slug, r.module_version == module_version, r.side == side))
    if rows:
        session.execute(sa.insert(SignoffTrackFact), rows)


def rebuild(session: Session, tandem_ids: Iterable[int] | sa.Select) -> int:
    """Sum every track of these tandems again from their records (bulk: seeding, repairs); the number of tracks."""
    ids = tandem_ids if isinstance(tandem_ids, sa.Select) else list(tandem_ids)
    session.execute(sa.delete(SignoffTrackFact).where(SignoffTrackFact.tandem_id.in_(ids)))
    rows = _rows(session, SignoffRecord.tandem_id.in_(ids))
    if rows:
        session.execute(sa.insert(SignoffTrackFact), rows)
    return len(rows)
