"""A course's programme: its settings (trainers) and its participants (with whether each is ready for
matching); a participant's own profile and needs map are :mod:`plugin.services.profiles`.

Every function takes the :class:`~plugin.services.launches.Actor` and checks what it may do here,
whatever the page showed: trainers and organisation administrators set up the programme of the
course they launched from; participants read and write their own profile only.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.matching import MAX_CAPACITY
from plugin.domain.needs_map import Missing, missing_for_matching
from plugin.domain.roles import Role
from plugin.models import Course, Membership, Participant, Person, Programme
from plugin.models.base import utcnow
from plugin.services.launches import Actor

MODES = ("trainer", "choice", "manual")
CADENCES = ("weekly", "fortnightly", "monthly")
#: languages a profile may name (ISO 639-1): the EU's official languages and a few more spoken at work
LANGUAGES = (
    "en", "nl", "fr", "de", "es", "it", "pt", "pl", "sv", "da", "fi", "el", "cs", "hu", "ro", "bg", "hr", "sk",
    "sl", "et", "lv", "lt", "ga", "mt", "ar", "tr",
)  # fmt: skip


@cache
def timezones() -> frozenset[str]:
    """Every IANA time zone name this machine knows."""
    return frozenset(zoneinfo.available_timezones())


def is_trainer(actor: Actor) -> bool:
    return actor.role in (Role.TRAINER, Role.ORG_ADMIN) and actor.course_id is not None


def require_trainer(actor: Actor) -> None:
    """:raise NotAllowed: the actor does not run the programme of a course."""
    if not is_trainer(actor):
        raise NotAllowed("only the course's trainers set up its programme")


def find(session: Session, actor: Actor) -> Programme | None:
    """The programme of the actor's course (None when the trainer has not set one up yet)."""
    if actor.course_id is None:
        return None
    return session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))


def get(session: Session, actor: Actor) -> Programme:
    """The programme of the actor's course.

    :raise NotFound: the course has no programme yet.
    """
    programme = find(session, actor)
    if programme is None:
        raise NotFound("this course has no mentoring programme yet")
    return programme


@dataclass(frozen=True)
class Settings:
    """A programme's settings as a trainer submits them."""

    matching_mode: str = "trainer"
    shared_language: bool = True
    no_reporting_line: bool = True
    exclude_earlier: bool = True
    default_capacity: int = 1
    max_capacity: int = 3
    modules: tuple[str, ...] = ()
    require_countersign: bool = False


def settings_of(programme: Programme | None) -> Settings:
    if programme is None:
        return Settings()
    return Settings(
        programme.matching_mode,
        programme.shared_language,
        programme.no_reporting_line,
        programme.exclude_earlier,
        programme.default_capacity,
        programme.max_capacity,
        tuple(programme.modules or ()),
        programme.require_countersign,
    )


def save_settings(session: Session, actor: Actor, settings: Settings, available_modules: Iterable[str]) -> Programme:
    """Create or update the programme of the actor's course (one transaction: the caller commits).

    :raise NotAllowed: not a trainer.  :raise RuleViolation: a setting is out of range (``field`` names it).
    """
    require_trainer(actor)
    if settings.matching_mode not in MODES:
        raise RuleViolation("choose a matching mode", "matching_mode")
    if not 1 <= settings.max_capacity <= MAX_CAPACITY:
        raise RuleViolation(f"the most partners per person is between 1 and {MAX_CAPACITY}", "max_capacity")
    if not 0 <= settings.default_capacity <= settings.max_capacity:
        raise RuleViolation("the usual number of partners is between 0 and the most partners per person", "default_capacity")
    unknown = set(settings.modules) - set(available_modules)
    if unknown:
        raise RuleViolation(f"these modules are not offered in your organisation: {', '.join(sorted(unknown))}", "modules")
    programme = find(session, actor)
    if programme is None:
        programme = Programme(organisation_id=actor.organisation_id, course_id=actor.course_id)
        session.add(programme)
    for name in ("matching_mode", "shared_language", "no_reporting_line", "exclude_earlier", "default_capacity", "max_capacity", "require_countersign"):
        setattr(programme, name, getattr(settings, name))
    programme.modules = sorted(set(settings.modules))
    programme.updated_at = utcnow()
    session.flush()
    return programme


# --- participants ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A participant of the course as the trainer's list shows them (names may be hidden by the LMS)."""

    person_id: int
    name: str | None
    email: str | None
    side: str | None
    source: str
    ready: bool
    capacity: int
    #: what the profile lacks for matching (empty when ready)
    missing: tuple[Missing, ...] = ()


def members(session: Session, actor: Actor, programme: Programme) -> list[Member]:
    """Every participant of the course: everyone with the participant role, with their profile if any."""
    require_trainer(actor)
    rows = session.execute(
        sa.select(Person.id, Person.name, Person.email, Participant.side, Participant.source, Participant.profile_saved_at, Participant.capacity, Participant.languages, Participant.needs)
        .join(Membership, Membership.person_id == Person.id)
        .outerjoin(Participant, sa.and_(Participant.person_id == Person.id, Participant.programme_id == programme.id))
        .where(Membership.course_id == programme.course_id, Membership.role == Role.PARTICIPANT.value, Person.organisation_id == actor.organisation_id)
        .order_by(sa.func.coalesce(Person.name, ""), Person.id)
    )
    members = []
    for r in rows:
        capacity = programme.default_capacity if r.capacity is None else r.capacity
        lacking = missing_for_matching(r.side, r.languages, capacity, r.needs) if r.profile_saved_at is not None else missing_for_matching(None, (), None, {})
        members.append(Member(r.id, r.name, r.email, r.side, r.source or "launch", not lacking, capacity, lacking))
    return members


@dataclass(frozen=True)
class Choice:
    """Someone a participant may name as wish, veto or manager."""

    person_id: int
    name: str | None
    side: str | None


def choices(session: Session, actor: Actor, programme: Programme) -> list[Choice]:
    """The other participants of the programme's course (for wishes, vetoes and the manager)."""
    rows = session.execute(
        sa.select(Person.id, Person.name, Participant.side)
        .join(Membership, Membership.person_id == Person.id)
        .outerjoin(Participant, sa.and_(Participant.person_id == Person.id, Participant.programme_id == programme.id))
        .where(Membership.course_id == programme.course_id, Membership.role == Role.PARTICIPANT.value, Person.id != actor.person_id)
        .order_by(sa.func.coalesce(Person.name, ""), Person.id)
    )
    return [Choice(r.id, r.name, r.side) for r in rows]


def course_title(session: Session, actor: Actor) -> str | None:
    return session.scalar(sa.select(Course.title).where(Course.id == actor.course_id, Course.organisation_id == actor.organisation_id))
