"""The participants' side of matching: their published tandems with why, the further mentors suggested to
them, partners they may ask for (matching mode "choice"), and their answer to a tandem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import matching as m
from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.roles import Role
from plugin.models import Person, Programme, Proposal, Tandem
from plugin.models.base import utcnow
from plugin.services import notifications
from plugin.services.launches import Actor
from plugin.services.matching_pool import PUBLISHED, PairRefused, names, pair_json, people_of, rules_of


@dataclass(frozen=True)
class MyTandem:
    """A published tandem as one of its two participants sees it."""

    id: int
    my_side: Side
    partner_id: int
    partner_name: str | None
    partner_email: str | None
    score: int
    explanation: dict[str, Any]
    status: str
    my_response: str | None
    partner_response: str | None


def my_tandems(session: Session, actor: Actor) -> list[MyTandem]:
    """The actor's published tandems in the course's programme (nothing before publish)."""
    if actor.role is not Role.PARTICIPANT or actor.course_id is None:
        raise NotAllowed("only participants have tandems")
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme is None:
        return []
    rows = session.scalars(
        sa.select(Tandem)
        .where(Tandem.programme_id == programme.id, sa.or_(Tandem.digital_person_id == actor.person_id, Tandem.expert_person_id == actor.person_id), Tandem.status != "declined")
        .order_by(Tandem.id)
    ).all()
    partners = {r.expert_person_id if r.digital_person_id == actor.person_id else r.digital_person_id for r in rows}
    info = {r.id: r for r in session.execute(sa.select(Person.id, Person.name, Person.email).where(Person.id.in_(partners)))} if partners else {}
    out = []
    for r in rows:
        digital = r.digital_person_id == actor.person_id
        partner = r.expert_person_id if digital else r.digital_person_id
        out.append(
            MyTandem(
                r.id,
                Side.DIGITAL_MENTOR if digital else Side.SENIOR_EXPERT,
                partner,
                info[partner].name if partner in info else None,
                info[partner].email if partner in info else None,
                r.score,
                r.explanation or {},
                r.status,
                r.digital_response if digital else r.expert_response,
                r.expert_response if digital else r.digital_response,
            )
        )
    return out


def my_network(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Further mentors suggested to the actor in the published proposal, for needs their partner does not cover."""
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme is None:
        return []
    proposal = session.scalar(sa.select(Proposal).where(Proposal.programme_id == programme.id, Proposal.status == PUBLISHED).order_by(Proposal.id.desc()).limit(1))
    if proposal is None:
        return []
    items = (proposal.network or {}).get(str(actor.person_id), [])
    who = names(session, actor, {int(s["mentor"]) for s in items})
    return [{**s, "mentor_name": who.get(int(s["mentor"]))} for s in items]


SUGGESTIONS = 5


@dataclass(frozen=True)
class Suggestion:
    """A partner a participant may ask for (matching mode "choice"), with why."""

    person_id: int
    name: str | None
    score: int
    explanation: dict[str, Any]
    i_am_digital: bool


def _choice_programme(session: Session, actor: Actor) -> Programme:
    if actor.role is not Role.PARTICIPANT or actor.course_id is None:
        raise NotAllowed("only participants choose partners")
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme is None or programme.matching_mode != "choice":
        raise NotAllowed("in this programme the trainer pairs people")
    return programme


def _candidates(session: Session, actor: Actor, programme: Programme) -> list[tuple[m.Pair, m.Person]]:
    people, _ = people_of(session, programme)
    by_id = {p.id: p for p in people}
    me = by_id.get(str(actor.person_id))
    if me is None or me.capacity <= 0:
        return []
    rules = rules_of(session, programme)
    lines = m.reporting_lines(people, rules)
    found = []
    for other in people:
        if other.side is me.side or other.capacity <= 0:
            continue
        digital, expert = (me, other) if me.side is Side.DIGITAL_MENTOR else (other, me)
        pair = m.pair_for(digital, expert, rules, lines)
        if isinstance(pair, m.Pair) and pair.score > 0:
            found.append((pair, other))
    return sorted(found, key=lambda t: (-t[0].score, t[1].id))


def suggestions(session: Session, actor: Actor) -> list[Suggestion]:
    """The best partners the actor may ask for (choice mode), best first; empty without a profile or capacity."""
    programme = _choice_programme(session, actor)
    top = _candidates(session, actor, programme)[:SUGGESTIONS]
    who = names(session, actor, {int(o.id) for _, o in top})
    out = []
    for pair, other in top:
        out.append(Suggestion(int(other.id), who.get(int(other.id)), pair.score, pair_json(pair)["explanation"], pair.digital_id == str(actor.person_id)))
    return out


def request_partner(session: Session, actor: Actor, partner_id: int) -> int:
    """Ask a suggested partner (choice mode): a tandem the other side accepts or declines. Returns its id.

    :raise PairRefused: the person is no longer an eligible partner (rules, capacity, profile).
    """
    programme = _choice_programme(session, actor)
    found = next(((p, o) for p, o in _candidates(session, actor, programme) if o.id == str(partner_id)), None)
    if found is None:
        raise PairRefused("side", "this person is not one of your possible partners any more")
    pair, _other = found
    digital = int(pair.digital_id)
    if session.scalar(sa.select(Tandem.id).where(Tandem.programme_id == programme.id, Tandem.digital_person_id == digital, Tandem.expert_person_id == int(pair.expert_id))):
        raise PairRefused("duplicate", "you two were paired before in this programme")
    tandem = Tandem(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        digital_person_id=digital,
        expert_person_id=int(pair.expert_id),
        score=pair.score,
        explanation=pair_json(pair)["explanation"],
        status="requested",
        digital_response="accepted" if digital == actor.person_id else None,
        expert_response=None if digital == actor.person_id else "accepted",
        published_at=utcnow(),
    )
    session.add(tandem)
    session.flush()
    notifications.partner_requested(session, tandem.id, actor.person_id)
    return tandem.id


RESPONSES = ("accepted", "coffee", "declined")


def respond(session: Session, actor: Actor, tandem_id: int, response: str) -> str:
    """Record the actor's answer to a published tandem: accept, ask for a virtual coffee first, or decline.

    The tandem becomes active when both accepted; declined when either declines. Returns the new status.
    """
    if response not in RESPONSES:
        raise RuleViolation("answer accept, virtual coffee or decline", "response")
    tandem = session.scalar(sa.select(Tandem).where(Tandem.id == tandem_id, Tandem.organisation_id == actor.organisation_id).with_for_update())
    if tandem is None or actor.person_id not in (tandem.digital_person_id, tandem.expert_person_id) or actor.role is not Role.PARTICIPANT:
        raise NotFound("no such tandem")
    if tandem.status in ("declined", "ended"):
        raise RuleViolation("this tandem is closed", "response")
    if tandem.status == "active":  # both accepted: a late answer (or a forged one) changes nothing
        raise RuleViolation("this tandem has started", "started")
    if tandem.digital_person_id == actor.person_id:
        tandem.digital_response = response
    else:
        tandem.expert_response = response
    if response == "declined":
        tandem.status = "declined"
    elif tandem.digital_response == tandem.expert_response == "accepted":
        tandem.status = "active"
    session.flush()
    notifications.partner_answered(session, tandem.id, actor.person_id, response)
    return tandem.status
