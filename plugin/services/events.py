"""Facilitated events: the use cases (one transaction per state change; the caller commits).

Seats are counted and given with the event's row locked (``event_access.lock_seats``): two people asking
for the last seat at once get one seat and one place on the waiting list, and an unregistration hands its
seat to the first person waiting in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import events as domain
from plugin.domain.agenda import TimedEntry
from plugin.domain.errors import NotAllowed, RuleViolation
from plugin.domain.events import Seat
from plugin.domain.roles import Role
from plugin.models import Event, EventRegistration, Programme
from plugin.services import event_access, event_followups
from plugin.services.event_access import EventAccess
from plugin.services.launches import Actor


@dataclass(frozen=True)
class EventView:
    """An event as the actor sees it; ``zone`` is the zone its times are shown in (the viewer's, else the event's)."""

    id: int
    kind: domain.EventKind
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    zone: str
    place: str
    online_url: str
    capacity: int
    registration_deadline: datetime
    cancelled: bool
    registered: int
    waiting: int
    #: registered, waiting, cancelled, or None (never asked)
    my_seat: Seat | None
    #: 1 for the first on the waiting list
    my_position: int | None
    registration_open: bool
    started: bool
    ended: bool
    manager: bool
    attendance_source: str | None
    grades_sent_at: datetime | None

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.registered)


def _counts(session: Session, event_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {} for i in event_ids}
    if event_ids:
        rows = session.execute(
            sa.select(EventRegistration.event_id, EventRegistration.status, sa.func.count())
            .where(EventRegistration.event_id.in_(event_ids))
            .group_by(EventRegistration.event_id, EventRegistration.status)
        )
        for event_id, status, n in rows:
            out[event_id][status] = n
    return out


def _waiting_ids(session: Session, event_id: int) -> list[int]:
    """The waiting list's person ids, first first."""
    return list(
        session.scalars(
            sa.select(EventRegistration.person_id)
            .where(EventRegistration.event_id == event_id, EventRegistration.status == Seat.WAITING)
            .order_by(EventRegistration.queued_at, EventRegistration.id)
        )
    )


def _views(session: Session, actor: Actor, rows: list[Event], course_id: int | None, now: datetime) -> list[EventView]:
    ids = [e.id for e in rows]
    counts = _counts(session, ids)
    mine = dict(session.execute(sa.select(EventRegistration.event_id, EventRegistration.status).where(EventRegistration.event_id.in_(ids), EventRegistration.person_id == actor.person_id)).all()) if ids else {}
    zones: dict[int, str | None] = {}
    out = []
    for e in rows:
        if e.programme_id not in zones:
            zones[e.programme_id] = event_access.zone_of(session, e.programme_id, actor.person_id)
        seat = Seat(mine[e.id]) if e.id in mine else None
        position = _waiting_ids(session, e.id).index(actor.person_id) + 1 if seat is Seat.WAITING else None
        cancelled = e.status == domain.CANCELLED
        out.append(
            EventView(
                e.id, domain.EventKind(e.kind), e.title, e.description or "", domain.aware(e.starts_at), domain.aware(e.ends_at), e.timezone,
                zones[e.programme_id] or e.timezone, e.place or "", e.online_url or "", e.capacity, domain.aware(e.registration_deadline), cancelled,
                counts[e.id].get(Seat.REGISTERED, 0), counts[e.id].get(Seat.WAITING, 0), seat, position,
                not cancelled and now < domain.aware(e.registration_deadline), now >= domain.aware(e.starts_at), now >= domain.aware(e.ends_at),
                event_access.manages(actor, course_id), e.attendance_source, e.grades_sent_at,
            )
        )
    return out


def view_of(session: Session, actor: Actor, access: EventAccess, now: datetime) -> EventView:
    return _views(session, actor, [access.event], access.course_id, now)[0]


@dataclass(frozen=True)
class EventsIndex:
    #: the course has a programme (events hang off it)
    has_programme: bool
    manager: bool
    may_register: bool
    upcoming: list[EventView] = field(default_factory=list)
    mine: list[EventView] = field(default_factory=list)
    #: every event of the programme, newest first (trainers)
    everything: list[EventView] = field(default_factory=list)
    followups: list[event_followups.MyFollowup] = field(default_factory=list)
    to_confirm: list[event_followups.MyFollowup] = field(default_factory=list)


def index(session: Session, actor: Actor, now: datetime) -> EventsIndex:
    """The events page: upcoming events, the actor's registrations and follow-ups; for trainers every event."""
    programme = event_access.programme_of(session, actor)
    manager = event_access.manages(actor, actor.course_id)
    if programme is None:
        return EventsIndex(False, manager, actor.role is Role.PARTICIPANT)
    rows = list(session.scalars(sa.select(Event).where(Event.programme_id == programme.id).order_by(Event.starts_at, Event.id)))
    views = _views(session, actor, rows, programme.course_id, now)
    mine = [v for v in views if v.my_seat in (Seat.REGISTERED, Seat.WAITING)]
    followups, to_confirm = event_followups.mine(session, actor, programme)
    return EventsIndex(
        True, manager, actor.role is Role.PARTICIPANT, [v for v in views if not v.ended], mine, list(reversed(views)) if manager else [], followups, to_confirm
    )


def detail(session: Session, actor: Actor, event_id: int, now: datetime) -> EventView:
    """One event.  :raise NotFound: not an event of the actor's course."""
    return view_of(session, actor, event_access.event_for(session, actor, event_id), now)


def editable(session: Session, actor: Actor, event_id: int, now: datetime) -> EventView:
    """An event its trainer may change.  :raise NotAllowed: not its trainer.  :raise RuleViolation: cancelled or over."""
    access = event_access.event_for(session, actor, event_id)
    event_access.require_manager(access)
    view = view_of(session, actor, access, now)
    if view.cancelled:
        raise RuleViolation("This event is cancelled; it cannot be changed.", "event")
    if view.ended:
        raise RuleViolation("This event is over; it cannot be changed.", "event")
    return view


def _apply(event: Event, checked: domain.CheckedEvent, now: datetime) -> None:
    event.kind = checked.kind.value
    event.title = checked.title
    event.description = checked.description
    event.starts_at = checked.starts_at
    event.ends_at = checked.ends_at
    event.timezone = checked.timezone
    event.place = checked.place
    event.online_url = checked.online_url
    event.capacity = checked.capacity
    event.registration_deadline = checked.registration_deadline
    event.updated_at = now


DEFAULT_ZONE = "Europe/Amsterdam"


def new_event_zone(session: Session, actor: Actor) -> str:
    """The zone a new event's form starts with: the programme's latest event's, else Amsterdam's.

    :raise NotAllowed: not a trainer of the course.  :raise NotFound: no programme.
    """
    programme = event_access.require_programme_manager(session, actor)
    latest = session.scalar(sa.select(Event.timezone).where(Event.programme_id == programme.id).order_by(Event.id.desc()).limit(1))
    return latest or DEFAULT_ZONE


def create(session: Session, actor: Actor, draft: domain.EventDraft, now: datetime) -> int:
    """A new event in the actor's programme; returns its id.

    :raise NotAllowed: not a trainer of the course.  :raise NotFound: no programme.  :raise RuleViolation: names the field.
    """
    programme = event_access.require_programme_manager(session, actor)
    checked = domain.check_event(draft, now)
    event = Event(organisation_id=programme.organisation_id, programme_id=programme.id, created_by=actor.person_id, status=domain.SCHEDULED, created_at=now)
    _apply(event, checked, now)
    session.add(event)
    session.flush()
    return event.id


def edit(session: Session, actor: Actor, event_id: int, draft: domain.EventDraft, now: datetime) -> list[int]:
    """Change an event; a larger capacity gives seats to the first waiting. Returns the person ids promoted.

    :raise NotAllowed: not its trainer.  :raise RuleViolation: cancelled, over, or a field to correct.
    """
    editable(session, actor, event_id, now)
    access = event_access.event_for(session, actor, event_id, lock=True)
    holding = _counts(session, [event_id])[event_id].get(Seat.REGISTERED, 0)
    checked = domain.check_event(draft, now, registered=holding, new=False)
    _apply(access.event, checked, now)
    promoted = _promote(session, access.event, holding, now)
    session.flush()
    return promoted


def cancel(session: Session, actor: Actor, event_id: int, now: datetime) -> None:
    """Cancel an event for good (its registrations are kept; calendars show it cancelled).

    :raise NotAllowed: not its trainer.  :raise RuleViolation: cancelled already, or over.
    """
    editable(session, actor, event_id, now)
    access = event_access.event_for(session, actor, event_id, lock=True)
    access.event.status = domain.CANCELLED
    access.event.updated_at = now
    session.flush()


def _promote(session: Session, event: Event, holding: int, now: datetime) -> list[int]:
    chosen = domain.to_promote(event.capacity, holding, _waiting_ids(session, event.id))
    if chosen:
        session.execute(
            sa.update(EventRegistration)
            .where(EventRegistration.event_id == event.id, EventRegistration.person_id.in_(chosen))
            .values(status=Seat.REGISTERED.value, promoted_at=now)
        )
    return chosen


def register(session: Session, actor: Actor, event_id: int, now: datetime) -> Seat:
    """Ask for a seat: registered while seats are free, else on the waiting list (in order of asking).

    :raise NotAllowed: not a participant.  :raise RuleViolation: cancelled, closed, or registered already.
    """
    event_access.require_registrant(actor)
    access = event_access.event_for(session, actor, event_id, lock=True)
    event = access.event
    domain.registration_open(event.status, event.registration_deadline, now)
    row = session.scalar(sa.select(EventRegistration).where(EventRegistration.event_id == event_id, EventRegistration.person_id == actor.person_id))
    if row is not None and row.status != Seat.CANCELLED:
        raise RuleViolation("You are registered for this event already.", "event")
    counts = _counts(session, [event_id])[event_id]
    seat = domain.seat_for(counts.get(Seat.REGISTERED, 0), event.capacity, counts.get(Seat.WAITING, 0))
    if row is None:
        row = EventRegistration(event_id=event_id, person_id=actor.person_id, created_at=now)
        session.add(row)
    row.status, row.queued_at, row.promoted_at, row.cancelled_at, row.attended = seat.value, now, None, None, None
    session.flush()
    return seat


def unregister(session: Session, actor: Actor, event_id: int, now: datetime) -> list[int]:
    """Give up one's seat or place on the waiting list; a freed seat goes to the first waiting, in this transaction.

    Returns the person ids promoted.  :raise RuleViolation: not registered, cancelled event, or registration closed.
    """
    event_access.require_registrant(actor)
    access = event_access.event_for(session, actor, event_id, lock=True)
    event = access.event
    domain.registration_open(event.status, event.registration_deadline, now)
    row = session.scalar(sa.select(EventRegistration).where(EventRegistration.event_id == event_id, EventRegistration.person_id == actor.person_id))
    if row is None or row.status == Seat.CANCELLED:
        raise RuleViolation("You are not registered for this event.", "event")
    freed = row.status == Seat.REGISTERED
    row.status, row.cancelled_at = Seat.CANCELLED.value, now
    session.flush()
    promoted = _promote(session, event, _counts(session, [event_id])[event_id].get(Seat.REGISTERED, 0), now) if freed else []
    session.flush()
    return promoted


def calendar_entries(session: Session, person_id: int, course_id: int) -> list[TimedEntry]:
    """The events the person holds a seat at (or waits for) in the course, for their calendar feed; a
    cancelled event shows as cancelled."""
    rows = session.execute(
        sa.select(Event, EventRegistration.status)
        .join(EventRegistration, EventRegistration.event_id == Event.id)
        .join(Programme, Programme.id == Event.programme_id)
        .where(Programme.course_id == course_id, EventRegistration.person_id == person_id, EventRegistration.status == Seat.REGISTERED)
        .order_by(Event.starts_at, Event.id)
    ).all()
    return [
        TimedEntry(
            f"event-{e.id}@tandem", "event", domain.aware(e.starts_at), domain.aware(e.ends_at), e.title, e.description or "", e.place or "", e.online_url or "", e.status == domain.CANCELLED
        )
        for e, _status in rows
    ]


def seed_example(session: Session, programme_id: int, trainer_person_id: int, registrant_ids: list[int], *, now: datetime | None = None) -> Event:
    """For the demo: a masterclass two weeks ahead in the programme, with ``registrant_ids`` registered in order
    (beyond its capacity of 10, on the waiting list). The caller commits."""
    from plugin.models.base import utcnow

    moment = now or utcnow()
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotAllowed("no such programme")
    day = (moment + timedelta(days=14)).astimezone(domain.zone("Europe/Amsterdam")).replace(hour=14, minute=0, second=0, microsecond=0)
    event = Event(
        organisation_id=programme.organisation_id, programme_id=programme.id, kind=domain.EventKind.MASTERCLASS.value,
        title="Masterclass: your digital reputation", description="Two hours on what others find about you online, and how to shape it. Bring a laptop.",
        starts_at=day.astimezone(UTC), ends_at=(day + timedelta(hours=2)).astimezone(UTC), timezone="Europe/Amsterdam",
        place="Room 2.14, main building", online_url="https://meet.example.org/masterclass", capacity=10,
        registration_deadline=(day - timedelta(days=1)).astimezone(UTC), status=domain.SCHEDULED, created_by=trainer_person_id, created_at=moment, updated_at=moment,
    )
    session.add(event)
    session.flush()
    for n, person_id in enumerate(dict.fromkeys(registrant_ids)):
        seat = domain.seat_for(n, event.capacity)
        session.add(EventRegistration(event_id=event.id, person_id=person_id, status=seat.value, queued_at=moment + timedelta(microseconds=n), created_at=moment))
    session.flush()
    return event
