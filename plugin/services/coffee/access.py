"""Who may see and do what in a programme's coffee roulette: the one gate its services go through.

- A participant of the course's programme (a participant with a profile) opts in and out, sees their own
  matches (only the people in a match see it) and gives feedback on them.
- A trainer of the course (or an organisation administrator) sets the roulette up, runs a round and reads
  every round and match of the programme; an administrator reads those of every programme of the organisation.
- Anyone else, other organisations included, finds nothing (NotFound).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.roles import Role
from plugin.models import CoffeeMatch, CoffeeMember, CoffeeRound, CoffeeSettings, Participant, Programme
from plugin.services.launches import Actor

MEMBER, TRAINER = "member", "trainer"


def is_trainer(actor: Actor) -> bool:
    """Runs the roulette of the actor's course."""
    return actor.role in (Role.TRAINER, Role.ORG_ADMIN) and actor.course_id is not None


def require_trainer(actor: Actor) -> None:
    """:raise NotAllowed: not a trainer of the course (nor an administrator in it)."""
    if not is_trainer(actor):
        raise NotAllowed("only the course's trainers run its coffee roulette")


def require_participant(actor: Actor) -> None:
    """:raise NotAllowed: not a participant in a course."""
    if actor.role is not Role.PARTICIPANT or actor.course_id is None:
        raise NotAllowed("only participants of a course take part in its coffee roulette")


def programme_of(session: Session, actor: Actor) -> Programme | None:
    """The programme of the actor's course, in the actor's organisation (None: not set up yet)."""
    if actor.course_id is None:
        return None
    return session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))


def settings_of(session: Session, programme_id: int) -> CoffeeSettings | None:
    return session.scalar(sa.select(CoffeeSettings).where(CoffeeSettings.programme_id == programme_id))


def profile_of(session: Session, programme_id: int, person_id: int) -> Participant | None:
    """The person's profile in the programme, when they have chosen a side."""
    return session.scalar(
        sa.select(Participant).where(Participant.programme_id == programme_id, Participant.person_id == person_id, Participant.side.is_not(None))
    )


@dataclass(frozen=True)
class MatchAccess:
    match: CoffeeMatch
    round: CoffeeRound
    course_id: int
    #: member or trainer
    capacity: str
    member_ids: tuple[int, ...]


def _reads_programme(actor: Actor, course_id: int) -> bool:
    """A trainer of the programme's course, or an administrator of its organisation."""
    return actor.role is Role.ORG_ADMIN or (actor.role is Role.TRAINER and actor.course_id == course_id)


def round_access(session: Session, actor: Actor, round_id: int) -> tuple[CoffeeRound, int]:
    """A round and its programme's course, for a trainer.

    :raise NotFound: no such round in the actor's organisation, or the actor is no part of its programme.
    :raise NotAllowed: a participant of the programme (rounds are the trainers' view; one's own match is on /coffee).
    """
    row = session.execute(
        sa.select(CoffeeRound, Programme.course_id)
        .join(Programme, Programme.id == CoffeeRound.programme_id)
        .where(CoffeeRound.id == round_id, CoffeeRound.organisation_id == actor.organisation_id)
    ).one_or_none()
    if row is None:
        raise NotFound("no such coffee round")
    found, course_id = row
    if _reads_programme(actor, course_id):
        return found, course_id
    if actor.role is Role.PARTICIPANT and actor.course_id == course_id:
        raise NotAllowed("a round's pairs are for the trainers")
    raise NotFound("no such coffee round")


def match_access(session: Session, actor: Actor, match_id: int) -> MatchAccess:
    """A match for one of its people or a trainer; everyone else finds nothing.

    :raise NotFound: no such match, or the actor is neither in it nor a trainer of its programme.
    """
    row = session.execute(
        sa.select(CoffeeMatch, CoffeeRound, Programme.course_id)
        .join(CoffeeRound, CoffeeRound.id == CoffeeMatch.round_id)
        .join(Programme, Programme.id == CoffeeMatch.programme_id)
        .where(CoffeeMatch.id == match_id, CoffeeRound.organisation_id == actor.organisation_id)
    ).one_or_none()
    if row is None:
        raise NotFound("no such coffee match")
    match, found, course_id = row
    members = tuple(session.scalars(sa.select(CoffeeMember.person_id).where(CoffeeMember.match_id == match.id).order_by(CoffeeMember.person_id)))
    if actor.role is Role.PARTICIPANT and actor.course_id == course_id and actor.person_id in members:
        return MatchAccess(match, found, course_id, MEMBER, members)
    if _reads_programme(actor, course_id):
        return MatchAccess(match, found, course_id, TRAINER, members)
    raise NotFound("no such coffee match")


def require_member(view: MatchAccess) -> None:
    """:raise NotAllowed: a trainer reads the match but gives no feedback on it."""
    if view.capacity != MEMBER:
        raise NotAllowed("only the people in a match give feedback on it")
