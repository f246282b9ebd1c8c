"""Forming peer circles from the programme's pool (trainers only): the solver's proposal with its diversity
figures, then publishing (the circles are made) or discarding it.

The pool is every participant of the programme with a saved profile who is not yet a member of a circle of
the programme (those are left out, and the page says how many).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import circles as rules
from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.matching.circles import TIME_LIMIT, form
from plugin.models import Circle, CircleMember, CircleProposal, Participant, Programme
from plugin.models.base import utcnow
from plugin.services.circles import Candidate, add_circle, aware, candidates, check_members, peers, trainer_programme
from plugin.services.launches import Actor


@dataclass(frozen=True)
class Pool:
    programme_id: int
    #: people with a saved profile not yet in a circle
    size: int
    already: int
    drafts: list[tuple[int, int, datetime]]


def _in_circles(session: Session, programme_id: int) -> set[int]:
    return set(
        session.scalars(
            sa.select(CircleMember.person_id).join(Circle, Circle.id == CircleMember.circle_id).where(Circle.programme_id == programme_id, CircleMember.status == "member")
        )
    )


def _pool_ids(session: Session, programme_id: int) -> tuple[list[int], int]:
    ready = list(session.scalars(sa.select(Participant.person_id).where(Participant.programme_id == programme_id, Participant.profile_saved_at.is_not(None))))
    taken = _in_circles(session, programme_id)
    return [p for p in ready if p not in taken], sum(1 for p in ready if p in taken)


def pool(session: Session, actor: Actor) -> Pool:
    """What forming would start from.  :raise NotAllowed: not a trainer.  :raise NotFound: no programme."""
    programme = trainer_programme(session, actor)
    ids, already = _pool_ids(session, programme.id)
    rows = session.execute(sa.select(CircleProposal.id, CircleProposal.circles, CircleProposal.created_at).where(CircleProposal.programme_id == programme.id, CircleProposal.status == "draft").order_by(CircleProposal.id.desc()))
    return Pool(programme.id, len(ids), already, [(pid, len(c or ()), aware(at)) for pid, c, at in rows])  # type: ignore[misc]


def propose(session: Session, actor: Actor, min_size: int | None, max_size: int | None, cadence: str | None, *, time_limit: float = TIME_LIMIT) -> int:
    """Form circles from the pool and keep them as a draft; returns the proposal's id.

    :raise RuleViolation: sizes out of 4-10 or in the wrong order, no cadence, or a pool smaller than the smallest circle."""
    programme = trainer_programme(session, actor)
    low, high = rules.check_bounds(min_size, max_size)
    chosen = rules.cadence_of(cadence)
    ids, already = _pool_ids(session, programme.id)
    if len(ids) < low:
        raise RuleViolation("The pool has fewer people than the smallest circle.", "min_size")
    formation = form(peers(session, programme.id, ids), low, high, time_limit=time_limit)
    row = CircleProposal(
        organisation_id=programme.organisation_id, programme_id=programme.id, status="draft", min_size=low, max_size=high, cadence=chosen.value,
        circles=[{"members": list(c.members), "figures": c.figures.as_dict()} for c in formation.circles], unplaced=list(formation.unplaced), already=already,
        optimal=formation.optimal, created_by=actor.person_id,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True)
class ProposedCircle:
    number: int
    members: list[Candidate]
    figures: dict


@dataclass(frozen=True)
class ProposalView:
    id: int
    status: str
    min_size: int
    max_size: int
    cadence: rules.Cadence
    circles: list[ProposedCircle]
    unplaced: list[Candidate]
    already: int
    optimal: bool
    created_at: datetime


def _proposal(session: Session, actor: Actor, proposal_id: int, *, lock: bool = False) -> tuple[Programme, CircleProposal]:
    """``lock``: the proposal row is locked until the transaction ends (two publishes take turns)."""
    programme = trainer_programme(session, actor)
    if lock and session.get_bind().dialect.name != "postgresql":
        # SQLite has no row locks: a (no-op) write takes the database's write lock until the transaction ends
        session.execute(sa.update(CircleProposal).where(CircleProposal.id == proposal_id).values(status=CircleProposal.status).execution_options(synchronize_session=False))
    query = sa.select(CircleProposal).where(CircleProposal.id == proposal_id)
    row = session.scalar(query.with_for_update().execution_options(populate_existing=True) if lock else query)
    if row is None or row.programme_id != programme.id or row.organisation_id != actor.organisation_id:
        raise NotFound("no such proposal")
    return programme, row


def proposal(session: Session, actor: Actor, proposal_id: int) -> ProposalView:
    """The proposed circles with their members and why (diversity figures).  :raise NotFound: not in the actor's programme."""
    programme, row = _proposal(session, actor, proposal_id)
    people = {c.person_id: c for c in candidates(session, programme.id)}
    known = lambda pid: people.get(pid) or Candidate(pid, "", None, None, None, ())  # noqa: E731
    formed = [ProposedCircle(k + 1, [known(p) for p in c["members"]], c["figures"]) for k, c in enumerate(row.circles or ())]
    return ProposalView(row.id, row.status, row.min_size, row.max_size, rules.Cadence(row.cadence), formed, [known(p) for p in row.unplaced or ()], row.already, row.optimal, aware(row.created_at))  # type: ignore[arg-type]


def _draft(session: Session, actor: Actor, proposal_id: int, *, lock: bool = False) -> tuple[Programme, CircleProposal]:
    programme, row = _proposal(session, actor, proposal_id, lock=lock)
    if row.status != "draft":
        raise RuleViolation("This proposal is already published or discarded.", "proposal")
    return programme, row


def publish(session: Session, actor: Actor, proposal_id: int, name_for: Callable[[int], str], now: datetime | None = None) -> list[int]:
    """Make the proposed circles (named by ``name_for(number)``); returns their ids.

    :raise RuleViolation: published or discarded already, or someone joined a circle since (form again)."""
    programme, row = _draft(session, actor, proposal_id, lock=True)  # a second publish waits, then finds it published
    taken = _in_circles(session, programme.id)
    if any(p in taken for c in row.circles or () for p in c["members"]):
        raise RuleViolation("Someone of this proposal joined a circle since it was formed: form the circles again.", "proposal")
    for c in row.circles or ():  # the people may have changed since the proposal was formed (left, a new manager)
        check_members(session, programme.id, list(c["members"]))
    cadence = rules.Cadence(row.cadence)
    made = [
        add_circle(session, programme, actor.person_id, name_for(k + 1), "", cadence, list(c["members"]), source="pool", proposal_id=row.id).id
        for k, c in enumerate(row.circles or ())
    ]
    row.status, row.published_at = "published", now or utcnow()
    session.flush()
    return made


def discard(session: Session, actor: Actor, proposal_id: int) -> None:
    """:raise RuleViolation: published or discarded already."""
    _programme, row = _draft(session, actor, proposal_id)
    row.status = "discarded"
    session.flush()
