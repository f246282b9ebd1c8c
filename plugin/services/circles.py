"""Peer circles and advisory boards: who may open a circle, the list, making one by hand, the circle page,
leaving, the calendar feed and the demo's example (one transaction per state change; the caller commits).

Only a circle's members, the trainers of its programme's course and the organisation's administrators find
a circle; anyone else (another participant of the programme included) gets NotFound, as if it did not exist.
Meetings and commitments are in :mod:`plugin.services.circle_meetings`, forming from the pool in
:mod:`plugin.services.circle_forming`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import circles as rules
from plugin.domain.agenda import TimedEntry
from plugin.domain.catalogue import Catalogue
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.matching.circles import Peer, figures, forbidden_pairs
from plugin.domain.roles import Role
from plugin.models import Circle, CircleMeeting, CircleMember, CircleProposal, Participant, Person, Programme
from plugin.models.base import utcnow
from plugin.services import modules as module_service
from plugin.services.launches import Actor

MEMBER, TRAINER = "member", "trainer"


@dataclass(frozen=True)
class CircleAccess:
    """A circle as the actor may see it; ``order`` is the chair rotation over the members still in it."""

    id: int
    programme_id: int
    course_id: int
    name: str
    purpose: str
    cadence: rules.Cadence
    modules: tuple[str, ...]
    starts_at: datetime | None
    #: member or trainer (a trainer of the course or an organisation administrator)
    capacity: str
    order: tuple[int, ...]
    names: dict[int, str]
    held: int
    last_held_at: datetime | None
    #: the actor's time zone (their profile's, else UTC)
    zone: str

    @property
    def is_member(self) -> bool:
        return self.capacity == MEMBER

    @property
    def next_chair(self) -> int | None:
        return rules.chair_of(self.order, self.held)

    def name_of(self, person_id: int) -> str:
        return self.names.get(person_id, "")

    def names_for(self, person_ids: Sequence[int]) -> list[str]:
        return [self.name_of(p) for p in person_ids]


def is_trainer(actor: Actor) -> bool:
    return actor.role in (Role.TRAINER, Role.ORG_ADMIN)


def capacity_of(actor: Actor, course_id: int, member_ids: Sequence[int]) -> str | None:
    """The one rule of who finds a circle: a member launched from its course, a trainer of its course, an administrator; else None."""
    if actor.role is Role.PARTICIPANT and actor.course_id == course_id and actor.person_id in member_ids:
        return MEMBER
    if actor.role is Role.ORG_ADMIN or (actor.role is Role.TRAINER and actor.course_id == course_id):
        return TRAINER
    return None


def zone_of(session: Session, programme_id: int, person_id: int) -> str:
    zone = session.scalar(sa.select(Participant.timezone).where(Participant.programme_id == programme_id, Participant.person_id == person_id))
    return zone or "UTC"


def names_of(session: Session, ids: Sequence[int]) -> dict[int, str]:
    return dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(list(ids)))).all()) if ids else {}


def access(session: Session, actor: Actor, circle_id: int, *, lock: bool = False) -> CircleAccess:
    """The circle ``circle_id`` for ``actor`` (``lock``: the circle row is locked until the transaction ends, so two
    submits of a meeting or a commitment take turns).  :raise NotFound: no such circle for this actor."""
    if lock and session.get_bind().dialect.name != "postgresql":
        # SQLite has no row locks: a (no-op) write takes the database's write lock until the transaction ends
        session.execute(sa.update(Circle).where(Circle.id == circle_id, Circle.organisation_id == actor.organisation_id).values(name=Circle.name).execution_options(synchronize_session=False))
    query = sa.select(Circle, Programme.course_id).join(Programme, Programme.id == Circle.programme_id).where(Circle.id == circle_id, Circle.organisation_id == actor.organisation_id)
    row = session.execute(query.with_for_update(of=Circle) if lock else query).one_or_none()
    if row is None:
        raise NotFound("no such circle")
    circle, course_id = row
    order = tuple(session.scalars(sa.select(CircleMember.person_id).where(CircleMember.circle_id == circle.id, CircleMember.status == "member").order_by(CircleMember.position)))
    capacity = capacity_of(actor, course_id, order)
    if capacity is None:
        raise NotFound("no such circle")
    held, last = session.execute(sa.select(sa.func.count(CircleMeeting.id), sa.func.max(CircleMeeting.held_at)).where(CircleMeeting.circle_id == circle.id)).one()
    everyone = list(session.scalars(sa.select(CircleMember.person_id).where(CircleMember.circle_id == circle.id)))
    return CircleAccess(
        circle.id, circle.programme_id, course_id, circle.name, circle.purpose or "", rules.Cadence(circle.cadence), tuple(circle.modules or ()),
        aware(circle.starts_at), capacity, order, names_of(session, everyone), held, aware(last), zone_of(session, circle.programme_id, actor.person_id),
    )  # fmt: skip


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were written in UTC."""
    return moment.replace(tzinfo=ZoneInfo("UTC")) if moment is not None and moment.tzinfo is None else moment


def require_trainer(view: CircleAccess) -> None:
    if view.capacity != TRAINER:
        raise NotAllowed("only the course's trainers do this")


def programme_of(session: Session, actor: Actor) -> Programme:
    """The programme of the actor's course.  :raise NotFound: the course has none."""
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme is None:
        raise NotFound("no programme in this course")
    return programme


def trainer_programme(session: Session, actor: Actor) -> Programme:
    """:raise NotAllowed: not a trainer.  :raise NotFound: no programme in the actor's course."""
    if not is_trainer(actor):
        raise NotAllowed("only the course's trainers do this")
    return programme_of(session, actor)


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class CircleSummary:
    id: int
    name: str
    cadence: rules.Cadence
    size: int
    next_chair: str
    next_meeting: datetime | None


@dataclass(frozen=True)
class Index:
    trainer: bool
    has_programme: bool
    circles: list[CircleSummary]
    drafts: list[tuple[int, int, datetime]]
    zone: str


def index(session: Session, actor: Actor, now: datetime) -> Index:
    """The actor's circles in the course (a trainer: every circle of the programme, and drafts formed from the pool)."""
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    trainer = is_trainer(actor)
    if programme is None or actor.role is Role.OBSERVER:
        return Index(trainer, programme is not None, [], [], "UTC")
    query = sa.select(Circle.id).where(Circle.programme_id == programme.id)
    if not trainer:
        query = query.join(CircleMember, CircleMember.circle_id == Circle.id).where(CircleMember.person_id == actor.person_id, CircleMember.status == "member")
    found = []
    for circle_id in session.scalars(query.order_by(Circle.name, Circle.id)):
        view = access(session, actor, circle_id)
        planned = rules.upcoming(view.last_held_at or view.starts_at, view.cadence, now, anchor_held=view.last_held_at is not None, count=1)
        found.append(CircleSummary(view.id, view.name, view.cadence, len(view.order), view.name_of(view.next_chair or 0), planned[0] if planned else None))
    drafts = []
    if trainer:
        rows = session.execute(sa.select(CircleProposal.id, CircleProposal.circles, CircleProposal.created_at).where(CircleProposal.programme_id == programme.id, CircleProposal.status == "draft").order_by(CircleProposal.id.desc()))
        drafts = [(pid, len(formed or ()), aware(at)) for pid, formed, at in rows]
    return Index(trainer, True, found, drafts, zone_of(session, programme.id, actor.person_id))


# ---------------------------------------------------------------- making one by hand


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    side: str | None
    department: str | None
    region: str | None
    languages: tuple[str, ...]


def candidates(session: Session, programme_id: int) -> list[Candidate]:
    rows = session.execute(
        sa.select(Participant, Person.name).join(Person, Person.id == Participant.person_id).where(Participant.programme_id == programme_id).order_by(Person.name, Person.id)
    ).all()
    return [Candidate(p.person_id, name, p.side, p.department, p.region, tuple(p.languages or ())) for p, name in rows]


def create_choices(session: Session, actor: Actor, catalogue: Catalogue) -> tuple[list[Candidate], list[str]]:
    """Who may be in a new circle and which modules it may name.  :raise NotAllowed: / NotFound: as :func:`trainer_programme`."""
    programme = trainer_programme(session, actor)
    found = [e.module.slug for e in module_service.entries(session, actor, catalogue)]
    chosen = programme.modules or []
    return candidates(session, programme.id), [s for s in found if s in chosen] if chosen else found


@dataclass(frozen=True)
class NewCircle:
    name: str | None
    purpose: str | None
    cadence: str | None
    members: Sequence[int]
    modules: Sequence[str] = ()
    starts_on: date | None = None
    starts_time: time | None = None


def peers(session: Session, programme_id: int, person_ids: Sequence[int] | None = None) -> list[Peer]:
    query = sa.select(Participant).where(Participant.programme_id == programme_id)
    if person_ids is not None:
        query = query.where(Participant.person_id.in_(list(person_ids)))
    return [
        Peer(p.person_id, p.side, p.department, p.region, frozenset(p.languages or ()), p.manager_person_id)
        for p in session.scalars(query.order_by(Participant.person_id))
    ]


def check_members(session: Session, programme_id: int, person_ids: Sequence[int]) -> list[int]:
    """The members in order, checked: participants of the programme, 4-10, no one with their manager, a shared language.

    :raise RuleViolation: names ``members``."""
    ids = list(dict.fromkeys(person_ids))
    rules.check_size(len(ids))
    everyone = peers(session, programme_id)
    found = [p for p in everyone if p.id in set(ids)]
    if len(found) != len(ids):
        raise RuleViolation("Choose members among the programme's participants.", "members")
    chosen = {k for k, p in enumerate(everyone) if p.id in set(ids)}
    if any(i in chosen and j in chosen for i, j in forbidden_pairs(everyone)):  # management chains over the whole programme
        raise RuleViolation("No one can be in a circle with their manager.", "members")
    if not figures(found).languages:
        raise RuleViolation("The members need a language they all speak.", "members")
    return ids


def _starts(session: Session, programme_id: int, person_id: int, day: date | None, at: time | None, now: datetime) -> datetime | None:
    rules.first_meeting(day, now)
    if day is None:
        return None
    # stored in UTC: SQLite keeps no offset, and every read takes a naive time as UTC
    return datetime.combine(day, at or time(9, 0), tzinfo=ZoneInfo(zone_of(session, programme_id, person_id))).astimezone(ZoneInfo("UTC"))


def add_circle(session: Session, programme: Programme, created_by: int, name: str, purpose: str, cadence: rules.Cadence, members: Sequence[int], *,
               modules: Sequence[str] = (), starts_at: datetime | None = None, source: str = "hand", proposal_id: int | None = None) -> Circle:  # fmt: skip
    circle = Circle(organisation_id=programme.organisation_id, programme_id=programme.id, name=name, purpose=purpose, cadence=cadence.value, modules=list(modules),
                    starts_at=starts_at, source=source, proposal_id=proposal_id, created_by=created_by)  # fmt: skip
    session.add(circle)
    session.flush()
    session.add_all(CircleMember(circle_id=circle.id, person_id=pid, position=k, status="member") for k, pid in enumerate(members))
    session.flush()
    return circle


def create(session: Session, actor: Actor, catalogue: Catalogue, new: NewCircle, now: datetime) -> int:
    """A circle made by a trainer; the chair order is the members' order.  :raise RuleViolation: names the field."""
    programme = trainer_programme(session, actor)
    name = rules.text(new.name, rules.NAME_MAX, "name", required=True)
    purpose = rules.text(new.purpose, rules.PURPOSE_MAX, "purpose")
    cadence = rules.cadence_of(new.cadence)
    _people, offered = create_choices(session, actor, catalogue)
    chosen = list(dict.fromkeys(new.modules))
    if set(chosen) - set(offered):
        raise RuleViolation("Choose modules on offer in the programme.", "modules")
    members = check_members(session, programme.id, new.members)
    starts = _starts(session, programme.id, actor.person_id, new.starts_on, new.starts_time, now)
    return add_circle(session, programme, actor.person_id, name, purpose, cadence, members, modules=chosen, starts_at=starts).id


def leave(session: Session, actor: Actor, circle_id: int, person_id: int) -> None:
    """A member leaves (themselves, or a trainer takes them out): they drop out of the chair rotation.

    :raise NotAllowed: a member for someone else.  :raise NotFound: not a member of the circle."""
    view = access(session, actor, circle_id)
    if view.is_member and person_id != actor.person_id:
        raise NotAllowed("members leave for themselves only")
    row = session.scalar(sa.select(CircleMember).where(CircleMember.circle_id == view.id, CircleMember.person_id == person_id, CircleMember.status == "member"))
    if row is None:
        raise NotFound("not a member of this circle")
    row.status, row.left_at = "left", utcnow()
    session.flush()


# ---------------------------------------------------------------- calendar and demo


def calendar_entries(session: Session, person_id: int, course_id: int) -> list[TimedEntry]:
    """The person's planned circle meetings in the course (the next ones from the cadence), for their calendar feed."""
    now = utcnow()
    rows = session.execute(
        sa.select(Circle, sa.func.count(CircleMeeting.id), sa.func.max(CircleMeeting.held_at))
        .join(Programme, Programme.id == Circle.programme_id)
        .join(CircleMember, CircleMember.circle_id == Circle.id)
        .outerjoin(CircleMeeting, CircleMeeting.circle_id == Circle.id)
        .where(Programme.course_id == course_id, CircleMember.person_id == person_id, CircleMember.status == "member")
        .group_by(Circle.id)
    ).all()
    found = []
    for circle, held, last in rows:
        last = aware(last)
        planned = rules.upcoming(last or aware(circle.starts_at), rules.Cadence(circle.cadence), now, anchor_held=last is not None)
        for k, start in enumerate(planned):
            found.append(TimedEntry(f"circle-{circle.id}-{held + k + 1}@tandem", "circle_meeting", start, start + timedelta(minutes=rules.MEETING_MINUTES), circle.name, circle.purpose or ""))
    return found


def seed_example(session: Session, programme_id: int, person_ids: Sequence[int]) -> Circle:
    """The demo's advisory board: the given participants (4-10) meeting monthly, one meeting held a week ago with a
    commitment of each member, the next one planned; the caller commits."""
    from plugin.models import CircleCommitment

    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("no such programme")
    members = check_members(session, programme_id, person_ids)
    now = utcnow().replace(second=0, microsecond=0)
    circle = add_circle(session, programme, members[0], "Advisory board", "Owners of small businesses advise each other on going digital.", rules.Cadence.MONTHLY,
                        members, starts_at=now - timedelta(days=7))  # fmt: skip
    meeting = CircleMeeting(circle_id=circle.id, seq=1, held_at=now - timedelta(days=7), chair_person_id=members[0], agenda="Each member's biggest digital question",
                            notes="We shared our questions and chose one to work on before next time.", recorded_by=members[0])  # fmt: skip
    session.add(meeting)
    session.flush()
    session.add_all(CircleCommitment(circle_id=circle.id, meeting_id=meeting.id, person_id=pid, text="By next meeting I will try one new online tool in my work.") for pid in members)
    session.flush()
    return circle
