"""Who may see and run a facilitated event; the one gate every events service goes through.

Everyone of the event's course sees it (participants register; observers only read); its course's
trainers and the organisation's administrators run it. Nobody else learns that it exists (not found),
another organisation least of all.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.roles import Role
from plugin.models import Event, Participant, Programme
from plugin.services.launches import Actor


@dataclass(frozen=True)
class EventAccess:
    event: Event
    course_id: int
    #: the actor runs the event (a trainer of its course or an organisation administrator)
    manager: bool


def programme_of(session: Session, actor: Actor) -> Programme | None:
    """The programme of the actor's course (None when there is none yet)."""
    if actor.course_id is None:
        return None
    return session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))


def manages(actor: Actor, course_id: int | None) -> bool:
    """Whether the actor runs events in the course: its trainer, or an organisation administrator."""
    return actor.role is Role.ORG_ADMIN or (actor.role is Role.TRAINER and course_id is not None and actor.course_id == course_id)


def event_for(session: Session, actor: Actor, event_id: int, *, lock: bool = False) -> EventAccess:
    """The event as the actor may see it; ``lock`` holds its row until the transaction ends (the seats' lock).

    :raise NotFound: no such event for this actor (another course or organisation included).
    """
    row = session.execute(
        sa.select(Event, Programme.course_id)
        .join(Programme, Programme.id == Event.programme_id)
        .where(Event.id == event_id, Event.organisation_id == actor.organisation_id)
    ).one_or_none()
    if row is None:
        raise NotFound("no such event")
    event, course_id = row
    if actor.role is not Role.ORG_ADMIN and actor.course_id != course_id:
        raise NotFound("no such event")
    if lock:
        lock_seats(session, event.id)
        session.refresh(event)
    return EventAccess(event, course_id, manages(actor, course_id))


def lock_seats(session: Session, event_id: int) -> None:
    """Hold the event's row until commit, so seats are counted and given one transaction at a time.

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite ignores FOR UPDATE; its writers are serialised by the
    database lock instead, taken here at once by a write to the row (before any seat is counted).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(Event.id).where(Event.id == event_id).with_for_update())
    else:
        session.execute(sa.update(Event).where(Event.id == event_id).values(seats_version=Event.seats_version + 1))


def require_manager(view: EventAccess) -> None:
    """:raise NotAllowed: the actor does not run the event."""
    if not view.manager:
        raise NotAllowed("only the course's trainers run its events")


def require_programme_manager(session: Session, actor: Actor) -> Programme:
    """The programme the actor runs events in.

    :raise NotAllowed: not a trainer of the course (nor an administrator).  :raise NotFound: the course has no programme yet.
    """
    if actor.course_id is None or not manages(actor, actor.course_id):
        raise NotAllowed("only the course's trainers create events")
    programme = programme_of(session, actor)
    if programme is None:
        raise NotFound("the course has no programme yet")
    return programme


def require_registrant(actor: Actor) -> None:
    """:raise NotAllowed: only participants register for events."""
    if actor.role is not Role.PARTICIPANT:
        raise NotAllowed("participants register for events")


def zone_of(session: Session, programme_id: int, person_id: int) -> str | None:
    """The time zone the person gave in their profile in the programme (None when they gave none)."""
    return session.scalar(sa.select(Participant.timezone).where(Participant.programme_id == programme_id, Participant.person_id == person_id))
