"""A course's programme: its settings (trainers), its participants and their profiles and needs maps.

Every function takes the :class:`~plugin.services.launches.Actor` and checks what it may do here,
whatever the page showed: trainers and organisation administrators set up the programme of the
course they launched from; participants read and write their own profile only.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.matching import DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES, MAX_CAPACITY, MAX_LEVEL, MAX_WISHES
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
TEACHES: dict[Side, tuple[str, ...]] = {Side.DIGITAL_MENTOR: DIGITAL_COMPETENCES, Side.SENIOR_EXPERT: EXPERTISE_COMPETENCES}
MAX_GOALS = 2000


@cache
def timezones() -> frozenset[str]:
    """Every IANA time zone name this machine knows."""
    return frozenset(zoneinfo.available_timezones())


def other(side: Side) -> Side:
    return Side.SENIOR_EXPERT if side is Side.DIGITAL_MENTOR else Side.DIGITAL_MENTOR


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


def members(session: Session, actor: Actor, programme: Programme) -> list[Member]:
    """Every participant of the course: everyone with the participant role, with their profile if any."""
    require_trainer(actor)
    rows = session.execute(
        sa.select(Person.id, Person.name, Person.email, Participant.side, Participant.source, Participant.profile_saved_at, Participant.capacity)
        .join(Membership, Membership.person_id == Person.id)
        .outerjoin(Participant, sa.and_(Participant.person_id == Person.id, Participant.programme_id == programme.id))
        .where(Membership.course_id == programme.course_id, Membership.role == Role.PARTICIPANT.value, Person.organisation_id == actor.organisation_id)
        .order_by(sa.func.coalesce(Person.name, ""), Person.id)
    )
    return [
        Member(r.id, r.name, r.email, r.side, r.source or "launch", r.profile_saved_at is not None and r.side is not None, programme.default_capacity if r.capacity is None else r.capacity)
        for r in rows
    ]


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


def _participant_row(session: Session, programme: Programme, person_id: int) -> Participant | None:
    return session.scalar(sa.select(Participant).where(Participant.programme_id == programme.id, Participant.person_id == person_id))


def my_profile(session: Session, actor: Actor) -> tuple[Programme, Participant | None]:
    """The actor's programme and profile (None before they first save it).

    :raise NotAllowed: the actor is no participant.  :raise NotFound: the course has no programme yet.
    """
    if actor.role is not Role.PARTICIPANT or actor.course_id is None:
        raise NotAllowed("only participants have a profile")
    programme = get(session, actor)
    return programme, _participant_row(session, programme, actor.person_id)


@dataclass(frozen=True)
class Profile:
    """A profile and needs map as a participant submits it.

    ``needs`` maps competence keys to ``{"offer": n}`` (own side's competences, 1-8) or
    ``{"want": n, "current": n}`` (the other side's, want 1-8 above current 0-7).
    """

    side: str
    languages: tuple[str, ...]
    capacity: int
    needs: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    goals: str = ""
    timezone: str | None = None
    cadence: str | None = None
    department: str | None = None
    manager_person_id: int | None = None
    wishes: tuple[int, ...] = ()
    vetoes: tuple[int, ...] = ()


def _clean_needs(side: Side, needs: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    own, theirs = set(TEACHES[side]), set(TEACHES[other(side)])
    clean: dict[str, dict[str, int]] = {}
    for key, entry in needs.items():
        offer, want, current = entry.get("offer"), entry.get("want"), entry.get("current")
        item: dict[str, int] = {}
        if offer:
            if key not in own:
                raise RuleViolation(f"{key}: you can offer only competences your side teaches", f"needs.{key}")
            if not 1 <= offer <= MAX_LEVEL:
                raise RuleViolation(f"{key}: levels are 1 to {MAX_LEVEL}", f"needs.{key}")
            item["offer"] = offer
        if want:
            if key not in theirs:
                raise RuleViolation(f"{key}: you can ask to learn only what the other side teaches", f"needs.{key}")
            current = current or 0
            if not 1 <= want <= MAX_LEVEL or not 0 <= current < want:
                raise RuleViolation(f"{key}: the level you want (1 to {MAX_LEVEL}) must be above your level today", f"needs.{key}")
            item["want"] = want
            if current:
                item["current"] = current
        elif current:
            raise RuleViolation(f"{key}: say which level you want to reach", f"needs.{key}")
        if item:
            clean[key] = item
    return clean


def save_profile(session: Session, actor: Actor, profile: Profile) -> Participant:
    """Write the actor's profile and needs map (one transaction: the caller commits).

    :raise NotAllowed: the actor is no participant.  :raise RuleViolation: names the field to correct.
    """
    programme, row = my_profile(session, actor)
    try:
        side = Side(profile.side)
    except ValueError:
        raise RuleViolation("choose your side: digital mentor or senior expert", "side") from None
    languages = tuple(dict.fromkeys(profile.languages))
    if not languages:
        raise RuleViolation("name at least one language you can mentor in", "languages")
    if set(languages) - set(LANGUAGES):
        raise RuleViolation("choose languages from the list", "languages")
    if not 0 <= profile.capacity <= programme.max_capacity:
        raise RuleViolation(f"you can take between 0 and {programme.max_capacity} partners", "capacity")
    if profile.timezone and profile.timezone not in timezones():
        raise RuleViolation("choose a time zone from the list", "timezone")
    if profile.cadence and profile.cadence not in CADENCES:
        raise RuleViolation("choose how often you want to meet", "cadence")
    if len(profile.goals) > MAX_GOALS:
        raise RuleViolation(f"goals are at most {MAX_GOALS} characters", "goals")
    if len(set(profile.wishes)) > MAX_WISHES:
        raise RuleViolation(f"name at most {MAX_WISHES} people you would like", "wishes")
    if set(profile.wishes) & set(profile.vetoes):
        raise RuleViolation("a person cannot be both wished for and excluded", "vetoes")
    people = {c.person_id: c for c in choices(session, actor, programme)}
    for name, ids in (("wishes", profile.wishes), ("vetoes", profile.vetoes)):
        if set(ids) - set(people):
            raise RuleViolation("choose people of this programme", name)
    if profile.manager_person_id is not None and profile.manager_person_id == actor.person_id:
        raise RuleViolation("you cannot be your own manager", "manager")
    if profile.manager_person_id is not None and not session.scalar(
        sa.select(Person.id).where(Person.id == profile.manager_person_id, Person.organisation_id == actor.organisation_id)
    ):
        raise RuleViolation("choose your manager from the list", "manager")
    needs = _clean_needs(side, profile.needs)
    if row is None:
        row = Participant(programme_id=programme.id, person_id=actor.person_id, source="launch")
        session.add(row)
    row.side = side.value
    row.languages = list(languages)
    row.capacity = profile.capacity
    row.needs = needs
    row.goals = profile.goals.strip()
    row.timezone = profile.timezone or None
    row.cadence = profile.cadence or None
    row.department = (profile.department or "").strip()[:120] or None
    row.manager_person_id = profile.manager_person_id
    row.wishes = sorted(set(profile.wishes))
    row.vetoes = sorted(set(profile.vetoes))
    row.profile_saved_at = utcnow()
    session.flush()
    return row


def course_title(session: Session, actor: Actor) -> str | None:
    return session.scalar(sa.select(Course.title).where(Course.id == actor.course_id, Course.organisation_id == actor.organisation_id))
