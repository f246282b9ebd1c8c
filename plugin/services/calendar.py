"""A participant's personal calendar feed: a secret address, shown once, that calendar apps read without a login.

Only the sha256 of the token is stored, so the address cannot be shown again, only replaced. Revoking
ends an address for good; an unknown or revoked address looks the same from outside (not found).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.agenda import TimedEntry
from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.plans import ItemKind
from plugin.domain.roles import Role
from plugin.models import CalendarFeed, Person, Programme, Tandem
from plugin.models.base import utcnow
from plugin.services.launches import Actor
from plugin.services.plans import plans_of

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _require_participant(actor: Actor) -> None:
    if actor.role is not Role.PARTICIPANT or actor.course_id is None:
        raise NotAllowed("a calendar feed lists a participant's own planned sessions")


@dataclass(frozen=True)
class Feed:
    id: int
    created_at: datetime
    revoked_at: datetime | None


def feeds(session: Session, actor: Actor) -> list[Feed]:
    """The actor's feeds in this course, newest first (tokens are never shown again)."""
    _require_participant(actor)
    rows = session.execute(
        sa.select(CalendarFeed.id, CalendarFeed.created_at, CalendarFeed.revoked_at)
        .where(CalendarFeed.person_id == actor.person_id, CalendarFeed.course_id == actor.course_id)
        .order_by(CalendarFeed.id.desc())
    )
    return [Feed(*r) for r in rows]


def create_feed(session: Session, actor: Actor) -> str:
    """A new secret feed token for the actor's course; any earlier active feed of theirs is revoked.

    :raise NotAllowed: not a participant in a course.
    """
    _require_participant(actor)
    now = utcnow()
    session.execute(
        sa.update(CalendarFeed)
        .where(CalendarFeed.person_id == actor.person_id, CalendarFeed.course_id == actor.course_id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(CalendarFeed(person_id=actor.person_id, course_id=actor.course_id, token_hash=hash_token(token), created_at=now))
    session.flush()
    return token


def revoke(session: Session, actor: Actor, feed_id: int) -> None:
    """End one of the actor's feeds for good.  :raise NotFound: not a feed of the actor."""
    _require_participant(actor)
    row = session.get(CalendarFeed, feed_id)
    if row is None or row.person_id != actor.person_id or row.course_id != actor.course_id:
        raise NotFound("no such calendar feed")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()


@dataclass(frozen=True)
class Event:
    """One plan item of one of the person's tandems: an all-day event on ``day``."""

    uid: str
    day: date
    kind: ItemKind
    tandem_id: int
    partner_name: str | None
    module_slug: str | None
    duration_minutes: int | None
    done: bool


@dataclass(frozen=True)
class FeedContent:
    person_name: str | None
    locale: str | None
    organisation_id: int
    events: list[Event]
    #: appointments of the other formats (coffee, events, group sessions, circle meetings)
    timed: list[TimedEntry] = field(default_factory=list)


def content(session: Session, token: str) -> FeedContent:
    """What a feed address shows: the planned sessions, check-ins and module due dates of the person's active tandems.

    :raise NotFound: the token is unknown or revoked.
    """
    row = session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None)))
    if row is None:
        raise NotFound("unknown or revoked calendar feed")
    person = session.get(Person, row.person_id)
    tandems = session.scalars(
        sa.select(Tandem)
        .join(Programme, Programme.id == Tandem.programme_id)
        .where(
            Programme.course_id == row.course_id,
            Tandem.status == "active",
            sa.or_(Tandem.digital_person_id == row.person_id, Tandem.expert_person_id == row.person_id),
        )
        .order_by(Tandem.id)
    ).all()
    partners = {t.id: t.expert_person_id if t.digital_person_id == row.person_id else t.digital_person_id for t in tandems}
    names = dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(set(partners.values())))).all()) if partners else {}
    events = []
    for tandem_id, plan in sorted(plans_of(session, list(partners)).items()):
        for item in plan.by_date:
            if item.kind is ItemKind.FOLLOWUP:  # an event's follow-up: a due date, not an appointment
                continue
            events.append(
                Event(
                    f"tandem-{tandem_id}-{item.key.replace(':', '-')}@tandem",
                    item.due,
                    item.kind,
                    tandem_id,
                    names.get(partners[tandem_id]),
                    item.module_slug,
                    item.duration_minutes,
                    item.done_on is not None,
                )
            )
    return FeedContent(person.name if person else None, person.locale if person else None, person.organisation_id if person else 0, events, timed_entries(session, row.person_id, row.course_id))


def timed_entries(session: Session, person_id: int, course_id: int) -> list[TimedEntry]:
    """Every format's appointments for the person in the course, in time order."""
    from plugin.services import circles, coffee, events, groups

    found: list[TimedEntry] = []
    for source in (coffee, events, groups, circles):
        found.extend(source.calendar_entries(session, person_id, course_id))
    return sorted(found, key=lambda e: (e.start, e.uid))
