"""Helpers for the events tests: an event made through its form, people registered through the service, and
an event moved into the past (as if time had passed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tests.web.programme_support import VOCAB, post

ADMIN = VOCAB + "membership#Administrator"
ZONE = "Europe/Amsterdam"


def local(moment: datetime, zone: str = ZONE) -> str:
    """A ``datetime-local`` input's value for ``moment`` in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def event_form(*, title: str = "Webinar: safe passwords", kind: str = "webinar", capacity: int = 10, days_ahead: float = 3, hours: float = 2, zone: str = ZONE, **over: Any) -> dict[str, Any]:
    start = (datetime.now(ZoneInfo(zone)) + timedelta(days=days_ahead)).replace(minute=0, second=0, microsecond=0)
    data = {
        "kind": kind, "title": title, "description": "What makes a password safe, and how a manager keeps them.", "timezone": zone,
        "starts_local": local(start, zone), "ends_local": local(start + timedelta(hours=hours), zone), "place": "Room 1.01",
        "online_url": "https://meet.example.org/webinar", "capacity": str(capacity), "deadline_local": "",
    }
    data.update(over)
    return data


def create_event(trainer, tool, **over: Any) -> int:
    response = post(trainer, tool, "/events/new", event_form(**over), token_from="/events/new")
    return int(response.headers["Location"].rsplit("/", 1)[1])


def actor(app, person_id: int, role: str = "participant"):
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Course, Person
    from plugin.services.launches import Actor

    with app.app_context():
        org = db.session.scalar(sa.select(Person.organisation_id).where(Person.id == person_id))
        course = db.session.scalar(sa.select(Course.id).where(Course.organisation_id == org).order_by(Course.id).limit(1))
    return Actor(person_id, org, Role(role), course)


def register(app, event_id: int, person_ids: Iterable[int]) -> list[str]:
    """Register each person in turn (one transaction each), as the register button does."""
    from plugin.extensions import db
    from plugin.models.base import utcnow
    from plugin.services import events

    seats = []
    for pid in person_ids:
        who = actor(app, pid)
        with app.app_context():
            seats.append(events.register(db.session, who, event_id, utcnow()).value)
            db.session.commit()
    return seats


def seats(app, event_id: int) -> dict[str, list[int]]:
    """Person ids by seat (registered in order of registration, waiting in waiting order)."""
    from plugin.extensions import db
    from plugin.models import EventRegistration

    with app.app_context():
        rows = db.session.execute(
            sa.select(EventRegistration.status, EventRegistration.person_id).where(EventRegistration.event_id == event_id).order_by(EventRegistration.queued_at, EventRegistration.id)
        ).all()
    out: dict[str, list[int]] = {"registered": [], "waiting": [], "cancelled": []}
    for status, pid in rows:
        out[status].append(pid)
    return out


def move(app, event_id: int, *, start: timedelta, end: timedelta) -> None:
    """Put the event at now + ``start`` .. now + ``end`` (negative: in the past), its registration closed at the start."""
    from plugin.extensions import db
    from plugin.models import Event
    from plugin.models.base import utcnow

    now = utcnow()
    with app.app_context():
        db.session.execute(sa.update(Event).where(Event.id == event_id).values(starts_at=now + start, ends_at=now + end, registration_deadline=now + start))
        db.session.commit()
