"""What the mentor network reads from the database: the programme, its ready people, each person's tandem
partners, the focused mentorings (with whether the mentee's track is complete) and the modules on offer."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import matching as m
from plugin.domain import network_requests as rules
from plugin.domain.catalogue import Catalogue, Module, Side
from plugin.domain.errors import NotFound
from plugin.domain.signoffs import SignOff, learner_track
from plugin.models import FocusedRequest, Group, GroupMember, Programme, Proposal, SignoffRecord, Tandem
from plugin.services import modules
from plugin.services.launches import Actor
from plugin.services.matching_pool import HOLDING, PUBLISHED, people_of, rules_of

FOCUSED = "focused"


@dataclass(frozen=True)
class Focused:
    """A focused mentoring: its two people, its need and module, where it stands, what they said."""

    id: int
    programme_id: int
    mentee_id: int
    mentor_id: int
    competence: str
    module_slug: str | None
    status: str
    message: str
    reason: str
    asked_at: datetime
    answered_at: datetime | None
    mentee_name: str | None = None
    mentor_name: str | None = None


def programme_of(session: Session, actor: Actor) -> Programme | None:
    """The programme of the actor's course in their organisation (None when the course has none)."""
    if actor.course_id is None:
        return None
    return session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))


def pool(session: Session, programme: Programme) -> tuple[dict[str, m.Person], m.Rules, dict[str, str]]:
    """The programme's ready people by id (as strings), its hard rules and the reporting lines."""
    people, _missing = people_of(session, programme)
    by_id = {p.id: p for p in people}
    hard = rules_of(session, programme, all_managers=True)
    return by_id, replace(hard, exclude_earlier=False, earlier_pairs=frozenset()), m.reporting_lines(people, hard)


def tandems_of(session: Session, programme: Programme, person_id: int | None = None, statuses: Sequence[str] = HOLDING) -> list[Tandem]:
    """The programme's tandems in ``statuses`` (of one person, or all), oldest first."""
    query = sa.select(Tandem).where(Tandem.programme_id == programme.id, Tandem.status.in_(statuses))
    if person_id is not None:
        query = query.where(sa.or_(Tandem.digital_person_id == person_id, Tandem.expert_person_id == person_id))
    return list(session.scalars(query.order_by(Tandem.id)))


def partner_ids(tandems: Iterable[Tandem], person_id: int) -> list[int]:
    return [t.expert_person_id if t.digital_person_id == person_id else t.digital_person_id for t in tandems]


def published_network(session: Session, programme: Programme, person_id: int) -> list[dict]:
    """The further mentors the published proposal suggested to ``person_id`` (the engine's network)."""
    proposal = session.scalar(
        sa.select(Proposal).where(Proposal.programme_id == programme.id, Proposal.status == PUBLISHED).order_by(Proposal.id.desc()).limit(1)
    )
    return list((proposal.network or {}).get(str(person_id), [])) if proposal is not None else []


def offered_modules(session: Session, actor: Actor, catalogue: Catalogue, programme: Programme) -> list[Module]:
    """The modules the programme offers (all the organisation's published modules when it names none)."""
    found = [e.module for e in modules.entries(session, actor, catalogue)]
    return [mod for mod in found if mod.slug in programme.modules] if programme.modules else found


def _record(row: SignoffRecord) -> SignOff:
    return SignOff.from_dict(
        {
            "seq": row.seq, "tandem_id": None, "group_id": row.group_id, "learner_id": row.learner_id, "module_slug": row.module_slug,
            "module_version": row.module_version, "side": row.side, "objective_id": row.objective_id, "actor_id": row.actor_id,
            "kind": row.kind, "payload": row.payload, "timestamp": row.timestamp, "prev_hash": row.prev_hash, "hash": row.hash,
        }
    )  # fmt: skip


def completed(session: Session, catalogue: Catalogue, organisation_id: int, groups: Sequence[tuple[Group, int, Side]]) -> set[int]:
    """Ids of the groups (each with its mentee and the mentor's side) whose mentee has every objective of the
    mentor's track signed off."""
    ids = [g.id for g, _, _ in groups if g.modules]
    if not ids:
        return set()
    chains: dict[int, list[SignOff]] = {}
    for row in session.scalars(sa.select(SignoffRecord).where(SignoffRecord.group_id.in_(ids)).order_by(SignoffRecord.group_id, SignoffRecord.seq)):
        chains.setdefault(row.group_id, []).append(_record(row))
    done = set()
    for group, mentee, side in groups:
        if group.id not in chains:
            continue
        try:
            module = modules.find(session, organisation_id, catalogue, group.modules[0]).module
        except NotFound:
            continue
        track = learner_track(chains[group.id], module, mentee, side)
        if track.objectives and set(track.signed) == set(track.objectives):
            done.add(group.id)
    return done


def focused_rows(session: Session, programme: Programme, *, mentee: int | None = None, mentor: int | None = None, group_id: int | None = None) -> list[tuple[Group, GroupMember, FocusedRequest | None]]:
    """The programme's focused mentorings with their mentee and request (optionally of one mentee or mentor)."""
    query = (
        sa.select(Group, GroupMember, FocusedRequest)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .outerjoin(FocusedRequest, FocusedRequest.group_id == Group.id)
        .where(Group.programme_id == programme.id, Group.organisation_id == programme.organisation_id, Group.kind == FOCUSED)
    )
    if mentee is not None:
        query = query.where(GroupMember.person_id == mentee)
    if mentor is not None:
        query = query.where(Group.mentor_person_id == mentor)
    if group_id is not None:
        query = query.where(Group.id == group_id)
    return [tuple(r) for r in session.execute(query.order_by(Group.id))]  # type: ignore[misc]


def describe(session: Session, catalogue: Catalogue, programme: Programme, rows: Sequence[tuple[Group, GroupMember, FocusedRequest | None]], names: dict[int, str | None]) -> list[Focused]:
    """The rows as :class:`Focused`, with their status (completed when the mentee's track is signed off)."""
    sides = _sides(session, programme, {g.mentor_person_id for g, _, _ in rows})
    running = [(g, mem.person_id, sides[g.mentor_person_id]) for g, mem, _ in rows if mem.status == "member" and g.mentor_person_id in sides]
    done = completed(session, catalogue, programme.organisation_id, running)
    return [
        Focused(
            id=g.id, programme_id=g.programme_id, mentee_id=mem.person_id, mentor_id=g.mentor_person_id, competence=g.focus or "",
            module_slug=(g.modules or [None])[0], status=rules.status_of(mem.status, g.status, g.id in done),
            message=req.message if req else "", reason=req.reason if req else "", asked_at=mem.created_at,
            answered_at=req.answered_at if req else None, mentee_name=names.get(mem.person_id), mentor_name=names.get(g.mentor_person_id),
        )
        for g, mem, req in rows
    ]  # fmt: skip


def _sides(session: Session, programme: Programme, person_ids: Collection[int]) -> dict[int, Side]:
    from plugin.models import Participant

    if not person_ids:
        return {}
    rows = session.execute(sa.select(Participant.person_id, Participant.side).where(Participant.programme_id == programme.id, Participant.person_id.in_(person_ids), Participant.side.is_not(None)))
    return {pid: Side(side) for pid, side in rows}


def load_of(session: Session, catalogue: Catalogue, programme: Programme, mentor_id: int) -> int:
    """How many focused mentorings hold a place of ``mentor_id``: asked, or running and not completed."""
    rows = [r for r in focused_rows(session, programme, mentor=mentor_id) if r[1].status in rules.HOLDING and r[0].status == "active"]
    items = describe(session, catalogue, programme, rows, {})
    return sum(1 for f in items if f.status in (rules.ASKED, rules.ACTIVE))
