"""The tandem list: a participant's own tandems, or a course's tandems for its trainer with health flags
(no session for weeks, one direction only, low reflections, overdue plan items)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import health as domain
from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Side
from plugin.domain.roles import Role
from plugin.models import Agreement, MentoringSession, Person, Reflection, SignoffRecord, Tandem
from plugin.services.launches import Actor
from plugin.services.plans import plans_of
from plugin.services.tandem_access import active_tandems, signed_by_both


@dataclass(frozen=True)
class TandemRow:
    """One tandem in a list; ``flags`` is None for participants (health is the trainer's view)."""

    id: int
    digital_id: int
    expert_id: int
    digital_name: str | None
    expert_name: str | None
    status: str
    agreement_signed: bool
    sessions: int
    last_session: date | None
    flags: tuple[domain.Flag, ...] | None


def _day(value: datetime | str | None) -> date | None:
    if value is None:
        return None
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).date()


def _started(tandem: Tandem, agreement: Agreement | None) -> date:
    """The tandem's start: the last signature of its agreement, else its publication."""
    signed = [_day(s.get("at")) for s in (agreement.signatures if agreement is not None else None) or ()]
    kept = [d for d in signed if d is not None]
    if kept:
        return max(kept)
    return _day(tandem.published_at) or _day(tandem.created_at) or date.today()


def _flags(session: Session, tandems: Sequence[Tandem], agreements: dict[int, Agreement], held: dict[int, list[date]], today: date) -> dict[int, list[domain.Flag]]:
    ids = [t.id for t in tandems]
    progress: dict[int, dict[Side, date | None]] = {i: {} for i in ids}
    rows = session.execute(
        sa.select(SignoffRecord.tandem_id, SignoffRecord.side, sa.func.max(SignoffRecord.timestamp))
        .where(SignoffRecord.tandem_id.in_(ids), SignoffRecord.kind == "signed")
        .group_by(SignoffRecord.tandem_id, SignoffRecord.side)
    )
    for tandem_id, side, last in rows:
        progress[tandem_id][Side(side)] = _day(last)
    sides = {t.id: {t.digital_person_id: Side.DIGITAL_MENTOR, t.expert_person_id: Side.SENIOR_EXPERT} for t in tandems}
    reflections: dict[int, list[domain.Reflection]] = {i: [] for i in ids}
    for tandem_id, held_on, r in session.execute(
        sa.select(MentoringSession.tandem_id, MentoringSession.held_on, Reflection).join(MentoringSession, MentoringSession.id == Reflection.session_id).where(MentoringSession.tandem_id.in_(ids))
    ):
        side = sides[tandem_id].get(r.person_id)
        if side is not None:
            reflections[tandem_id].append(domain.Reflection(held_on, side, {p: getattr(r, p.value) for p in Principle}))
    plans = plans_of(session, ids)
    return {
        t.id: domain.flags(
            today=today,
            started_on=_started(t, agreements.get(t.id)),
            sessions=held.get(t.id, []),
            progress=progress[t.id],
            reflections=reflections[t.id],
            plan_items=plans[t.id].items if t.id in plans else (),
        )
        for t in tandems
        if t.status == "active" and signed_by_both(agreements.get(t.id), t.digital_person_id, t.expert_person_id)
    }


def tandem_list(session: Session, actor: Actor, today: date) -> list[TandemRow]:
    """The actor's tandems in the course (participants), or every tandem of the course with health flags (trainers)."""
    ids = active_tandems(session, actor)
    if not ids:
        return []
    tandems = session.scalars(sa.select(Tandem).where(Tandem.id.in_(ids), Tandem.organisation_id == actor.organisation_id).order_by(Tandem.id)).all()
    agreements = {a.tandem_id: a for a in session.scalars(sa.select(Agreement).where(Agreement.tandem_id.in_(ids)))}
    held: dict[int, list[date]] = {}
    for tandem_id, held_on in session.execute(sa.select(MentoringSession.tandem_id, MentoringSession.held_on).where(MentoringSession.tandem_id.in_(ids))):
        held.setdefault(tandem_id, []).append(held_on)
    people = {p for t in tandems for p in (t.digital_person_id, t.expert_person_id)}
    names = dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(people))).all())
    trainer = actor.role in (Role.TRAINER, Role.ORG_ADMIN)
    flags = _flags(session, tandems, agreements, held, today) if trainer else {}
    return [
        TandemRow(
            t.id,
            t.digital_person_id,
            t.expert_person_id,
            names.get(t.digital_person_id),
            names.get(t.expert_person_id),
            t.status,
            signed_by_both(agreements.get(t.id), t.digital_person_id, t.expert_person_id),
            len(held.get(t.id, [])),
            max((d for d in held.get(t.id, []) if d <= today), default=None),
            tuple(flags.get(t.id, ())) if trainer else None,
        )
        for t in tandems
    ]


def flags_for(session: Session, actor: Actor, tandem_id: int, today: date) -> tuple[domain.Flag, ...] | None:
    """The health flags of one tandem of the trainer's course (None for participants, who do not see flags)."""
    if actor.role not in (Role.TRAINER, Role.ORG_ADMIN):
        return None
    tandem = session.scalar(sa.select(Tandem).where(Tandem.id == tandem_id, Tandem.organisation_id == actor.organisation_id))
    if tandem is None:
        return None
    agreements = {a.tandem_id: a for a in session.scalars(sa.select(Agreement).where(Agreement.tandem_id == tandem_id))}
    held = {tandem_id: list(session.scalars(sa.select(MentoringSession.held_on).where(MentoringSession.tandem_id == tandem_id)))}
    return tuple(_flags(session, [tandem], agreements, held, today).get(tandem_id, ()))
