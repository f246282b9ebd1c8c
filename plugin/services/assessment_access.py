"""Who reaches which self-assessment page; the gate every assessments service goes through.

A participant of the course's programme takes the programme's questionnaires and sees only their own
takes and growth. The course's trainers and the organisation's administrators choose the questionnaires
and see every participant's takes and growth in that programme. Nobody learns of another programme's or
organisation's participants (not found).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.assessments import Questionnaire
from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.roles import Role
from plugin.models import Participant, Programme, ProgrammeQuestionnaires
from plugin.services import programmes, questionnaires
from plugin.services.launches import Actor


@dataclass(frozen=True)
class Mine:
    """A participant's own assessments: the programme and their profile (None before the first save)."""

    programme: Programme
    participant: Participant | None


def manages(actor: Actor) -> bool:
    """A trainer of the actor's course or an organisation administrator (the programme is the course's)."""
    return actor.role in (Role.TRAINER, Role.ORG_ADMIN)


def mine(session: Session, actor: Actor) -> Mine:
    """:raise NotAllowed: the actor is no participant.  :raise NotFound: the course has no programme."""
    if actor.role is not Role.PARTICIPANT:
        raise NotAllowed("only participants take self-assessments")
    programme = programmes.get(session, actor)
    row = session.scalar(sa.select(Participant).where(Participant.programme_id == programme.id, Participant.person_id == actor.person_id))
    return Mine(programme, row)


def managed_programme(session: Session, actor: Actor) -> Programme:
    """The programme of the course the actor runs.  :raise NotAllowed: not a trainer or an administrator.  :raise NotFound: no programme."""
    if not manages(actor):
        raise NotAllowed("only the course's trainers see the programme's self-assessments")
    return programmes.get(session, actor)


def participant_of(session: Session, actor: Actor, person_id: int) -> tuple[Programme, Participant]:
    """A participant of the programme the actor runs.  :raise NotFound: nobody of that id in this programme."""
    programme = managed_programme(session, actor)
    row = session.scalar(sa.select(Participant).where(Participant.programme_id == programme.id, Participant.person_id == person_id))
    if row is None:
        raise NotFound("no such participant in this programme")
    return programme, row


def chosen_slugs(session: Session, programme_id: int) -> list[str]:
    """The questionnaires a programme uses (default: every shipped one), shipped ones only."""
    shipped = questionnaires.shipped()
    slugs = session.scalar(sa.select(ProgrammeQuestionnaires.slugs).where(ProgrammeQuestionnaires.programme_id == programme_id))
    if slugs is None:
        return list(shipped)
    return [s for s in slugs if s in shipped]


def in_use(session: Session, programme_id: int) -> list[Questionnaire]:
    shipped = questionnaires.shipped()
    return [shipped[s] for s in chosen_slugs(session, programme_id)]


def questionnaire_for(session: Session, programme_id: int, slug: str) -> Questionnaire:
    """:raise NotFound: the programme does not use a questionnaire of that slug."""
    for questionnaire in in_use(session, programme_id):
        if questionnaire.slug == slug:
            return questionnaire
    raise NotFound("this programme uses no such questionnaire")
