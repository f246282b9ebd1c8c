"""Group mentoring: the use cases (one transaction per state change; the caller commits).

Creating and listing groups, the programme's setting that lets participants create them, the group
page's content, the calendar entries of group sessions, and an example group for the demo. Joining and
leaving: :mod:`plugin.services.group_membership`; sign-offs: :mod:`plugin.services.group_signoffs`;
sessions: :mod:`plugin.services.group_sessions`; who sees what: :mod:`plugin.services.group_access`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.agenda import TimedEntry
from plugin.domain.catalogue import Catalogue, Module
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.groups import INVITED, MEMBER, PENDING, GroupKind, NewGroup, Standing, check_new_group, listed
from plugin.domain.roles import Role
from plugin.models import Group, GroupMember, GroupSession, Participant, Person, Programme
from plugin.models.base import utcnow
from plugin.services import group_signoffs, modules
from plugin.services.group_access import GroupAccess, access, is_trainer_of, names, roster, standing_of
from plugin.services.launches import Actor

__all__ = ["GroupAccess", "access", "calendar_entries", "create", "group_page", "index", "roster", "seed_example", "set_participant_groups"]


def _programme(session: Session, actor: Actor) -> Programme:
    """The programme of the actor's course.  :raise NotFound: none yet (or no course)."""
    if actor.course_id is None:
        raise NotFound("this course has no mentoring programme yet")
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme is None:
        raise NotFound("this course has no mentoring programme yet")
    return programme


def offered(session: Session, actor: Actor, catalogue: Catalogue, programme_id: int) -> list[Module]:
    """The modules a group of the programme may work on: the programme's modules on offer, or every published one."""
    chosen = session.scalar(sa.select(Programme.modules).where(Programme.id == programme_id)) or []
    found = [e.module for e in modules.entries(session, actor, catalogue)]
    return [m for m in found if m.slug in chosen] if chosen else found


def participants(session: Session, programme_id: int) -> list[tuple[int, str | None, str | None]]:
    """(person id, name, side) of the programme's participants, by name."""
    rows = session.execute(
        sa.select(Person.id, Person.name, Participant.side).join(Participant, Participant.person_id == Person.id).where(Participant.programme_id == programme_id).order_by(Person.name, Person.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class GroupCard:
    id: int
    name: str
    purpose: str
    kind: str
    mentor_name: str | None
    members: int
    capacity: int
    modules: tuple[str, ...]
    standing: Standing


@dataclass(frozen=True)
class Index:
    is_trainer: bool
    mine: tuple[GroupCard, ...]
    joinable: tuple[GroupCard, ...]
    invitations: tuple[GroupCard, ...]
    #: trainers: every group of the programme
    every: tuple[GroupCard, ...]
    may_create: bool
    participant_groups: bool


def _cards(session: Session, actor: Actor, programme: Programme, groups: Sequence[Group]) -> list[GroupCard]:
    counts = dict(
        session.execute(
            sa.select(GroupMember.group_id, sa.func.count()).where(GroupMember.group_id.in_([g.id for g in groups]), GroupMember.status == MEMBER).group_by(GroupMember.group_id)
        ).all()
    )
    mentor_names = names(session, [g.mentor_person_id for g in groups])
    out = []
    for g in groups:
        standing = standing_of(session, actor, g, programme.course_id)
        if standing is None:
            continue
        out.append(GroupCard(g.id, g.name, g.purpose or "", g.kind, mentor_names.get(g.mentor_person_id), counts.get(g.id, 0), g.capacity, tuple(g.modules or ()), standing))
    return out


def index(session: Session, actor: Actor) -> Index:
    """The groups page: the actor's groups, groups to join, invitations; trainers: every group of the programme.

    :raise NotFound: the course has no programme.  :raise NotAllowed: neither a participant nor a trainer.
    """
    programme = _programme(session, actor)
    trainer = is_trainer_of(actor, programme.course_id)
    if not trainer and actor.role is not Role.PARTICIPANT:
        raise NotAllowed("groups are for the programme's participants and trainers")
    groups = [g for g in session.scalars(sa.select(Group).where(Group.programme_id == programme.id, Group.status == "active").order_by(Group.name, Group.id)) if listed(g.kind)]
    cards = _cards(session, actor, programme, groups)
    if trainer:
        return Index(True, (), (), (), tuple(cards), True, programme.participant_groups)
    is_participant = session.scalar(sa.select(Participant.id).where(Participant.programme_id == programme.id, Participant.person_id == actor.person_id)) is not None
    return Index(
        False,
        tuple(c for c in cards if c.standing in (Standing.MENTOR, Standing.MEMBER)),
        tuple(c for c in cards if c.standing in (Standing.OUTSIDER, Standing.PENDING) and c.kind in (GroupKind.OPEN, GroupKind.CLOSED)),
        tuple(c for c in cards if c.standing is Standing.INVITED),
        (),
        is_participant and programme.participant_groups,
        programme.participant_groups,
    )


def set_participant_groups(session: Session, actor: Actor, allowed: bool) -> None:
    """A trainer lets participants create groups (as their mentor), or stops it.  :raise NotAllowed: not a trainer."""
    programme = _programme(session, actor)
    if not is_trainer_of(actor, programme.course_id):
        raise NotAllowed("trainers set up the programme")
    programme.participant_groups = bool(allowed)
    session.flush()


# --------------------------------------------------------------------------- creating


@dataclass(frozen=True)
class CreateForm:
    """What the create form offers: the modules and (trainers) the participants who may mentor."""

    modules: tuple[Module, ...]
    mentors: tuple[tuple[int, str | None, str | None], ...]
    is_trainer: bool


def create_form(session: Session, actor: Actor, catalogue: Catalogue) -> CreateForm:
    """:raise NotAllowed: a participant of a programme that does not let participants create groups."""
    programme = _programme(session, actor)
    trainer = _require_creator(session, actor, programme)
    return CreateForm(tuple(offered(session, actor, catalogue, programme.id)), tuple(participants(session, programme.id)) if trainer else (), trainer)


def _require_creator(session: Session, actor: Actor, programme: Programme) -> bool:
    if is_trainer_of(actor, programme.course_id):
        return True
    if actor.role is Role.PARTICIPANT and programme.participant_groups:
        if session.scalar(sa.select(Participant.id).where(Participant.programme_id == programme.id, Participant.person_id == actor.person_id)) is not None:
            return False
    raise NotAllowed("in this programme, trainers create the groups")


def create(session: Session, actor: Actor, catalogue: Catalogue, new: NewGroup, mentor_id: int | None = None) -> int:
    """Create a group; a participant creates it as its mentor, a trainer names a participant as mentor.

    :raise NotAllowed: not a trainer, and participants may not create groups here.
    :raise RuleViolation: ``field`` names what to correct; nothing is written.
    """
    programme = _programme(session, actor)
    trainer = _require_creator(session, actor, programme)
    checked = check_new_group(new, [m.slug for m in offered(session, actor, catalogue, programme.id)])
    if not trainer:
        mentor_id = actor.person_id
    elif mentor_id is None or mentor_id not in {p[0] for p in participants(session, programme.id)}:
        raise RuleViolation("Choose the group's mentor among the programme's participants.", "mentor")
    group = Group(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        name=checked.name,
        purpose=checked.purpose,
        kind=checked.kind,
        capacity=checked.capacity,
        modules=list(checked.modules),
        mentor_person_id=mentor_id,
        created_by=actor.person_id,
        status="active",
    )
    session.add(group)
    session.flush()
    return group.id


# --------------------------------------------------------------------------- the group page


@dataclass(frozen=True)
class GroupPerson:
    id: int
    name: str | None
    side: str | None


@dataclass(frozen=True)
class GroupPage:
    view: GroupAccess
    mentor: GroupPerson
    members: tuple[GroupPerson, ...]
    #: managers: who asked to join, who is invited, who may be invited
    requests: tuple[GroupPerson, ...]
    invited: tuple[GroupPerson, ...]
    invitable: tuple[GroupPerson, ...]
    modules: tuple[Module, ...]
    #: per module slug: (learner, side of the track learned, signed, objectives) for its people and trainers
    progress: dict


def group_page(session: Session, actor: Actor, catalogue: Catalogue, group_id: int) -> GroupPage:
    """The group as the actor may see it: members and modules for its people and trainers, the rest a summary."""
    view = access(session, actor, group_id)
    everyone = {p[0]: GroupPerson(*p) for p in participants(session, view.programme_id)}
    reads = view.is_member or view.is_trainer
    members = tuple(everyone.get(pid, GroupPerson(pid, None, None)) for pid in view.member_ids) if reads else ()
    requests: tuple[GroupPerson, ...] = ()
    invited: tuple[GroupPerson, ...] = ()
    invitable: tuple[GroupPerson, ...] = ()
    if view.manages and not view.focused:
        rows = session.execute(sa.select(GroupMember.person_id, GroupMember.status).where(GroupMember.group_id == view.id, GroupMember.status.in_((PENDING, INVITED))).order_by(GroupMember.id)).all()
        requests = tuple(everyone[p] for p, s in rows if s == PENDING and p in everyone)
        invited = tuple(everyone[p] for p, s in rows if s == INVITED and p in everyone)
        busy = {*view.people, *(p for p, _s in rows)}
        invitable = tuple(p for pid, p in everyone.items() if pid not in busy)
    by_slug = {m.slug: m for m in offered(session, actor, catalogue, view.programme_id)}
    found = []
    for slug in view.modules:
        module = by_slug.get(slug)
        if module is None:
            try:
                module = modules.find(session, view.organisation_id, catalogue, slug).module
            except NotFound:
                continue
        found.append(module)
    progress = group_signoffs.progress(session, view, found) if reads else {}
    mentor = everyone.get(view.mentor_id, GroupPerson(view.mentor_id, names(session, [view.mentor_id]).get(view.mentor_id), None))
    return GroupPage(view, mentor, members, requests, invited, invitable, tuple(found), progress)


# --------------------------------------------------------------------------- calendar and demo


def calendar_entries(session: Session, person_id: int, course_id: int) -> list[TimedEntry]:
    """The sessions of the person's groups in the course (as mentor or member), for their calendar feed."""
    mine = sa.or_(Group.mentor_person_id == person_id, Group.id.in_(sa.select(GroupMember.group_id).where(GroupMember.person_id == person_id, GroupMember.status == MEMBER)))
    rows = session.execute(
        sa.select(GroupSession, Group.name, Group.id)
        .join(Group, Group.id == GroupSession.group_id)
        .join(Programme, Programme.id == Group.programme_id)
        .where(Programme.course_id == course_id, Group.status == "active", mine)
        .order_by(GroupSession.starts_at, GroupSession.id)
    )
    out = []
    for row, name, group_id in rows:
        start = row.starts_at if row.starts_at.tzinfo else row.starts_at.replace(tzinfo=utcnow().tzinfo)
        out.append(TimedEntry(f"group-{group_id}-session-{row.id}@tandem", "group_session", start, start + timedelta(minutes=row.minutes), name, row.agenda or ""))
    return out


def seed_example(session: Session, programme_id: int, mentor_person_id: int, member_ids: Sequence[int], *, name: str = "Digital basics circle", kind: str = "open") -> Group:
    """An example group for the demo: the mentor and members (participants of the programme) on its first module.

    The caller commits. Members beyond the group's capacity are not added.
    """
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("no such programme")
    slugs = list(programme.modules or []) or ["e-reputation"]
    group = Group(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        name=name,
        purpose="One senior mentor and younger colleagues: the mentor teaches the trade, the others teach the digital side.",
        kind=kind,
        capacity=max(6, len(member_ids)),
        modules=slugs[:1],
        mentor_person_id=mentor_person_id,
        created_by=mentor_person_id,
        status="active",
    )
    session.add(group)
    session.flush()
    now = utcnow()
    for pid in dict.fromkeys(member_ids):
        if pid != mentor_person_id:
            session.add(GroupMember(group_id=group.id, person_id=pid, status=MEMBER, joined_at=now))
    session.flush()
    return group
