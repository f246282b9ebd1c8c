"""Who may open a group, and in which standing; the one gate every group page and service goes through.

A private or focused group is unknown (NotFound) to everyone but its mentor, its members, the person it
invited and the course's trainers (organisation administrators included); so is any group of another
course or organisation. Open and closed groups are seen by every participant of the programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import signoffs
from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.groups import INVITED, MEMBER, PENDING, GroupKind, Standing, visible
from plugin.domain.roles import Role
from plugin.models import Group, GroupMember, Membership, Participant, Person, Programme
from plugin.services.launches import Actor


@dataclass(frozen=True)
class GroupAccess:
    """A group as the actor may see it."""

    id: int
    organisation_id: int
    programme_id: int
    course_id: int
    name: str
    purpose: str
    kind: str
    capacity: int
    modules: tuple[str, ...]
    mentor_id: int
    status: str
    standing: Standing
    #: person ids of the members besides the mentor
    member_ids: tuple[int, ...]

    @property
    def is_member(self) -> bool:
        """The mentor or a member: the people who work in the group."""
        return self.standing in (Standing.MENTOR, Standing.MEMBER)

    @property
    def is_mentor(self) -> bool:
        return self.standing is Standing.MENTOR

    @property
    def is_trainer(self) -> bool:
        return self.standing is Standing.TRAINER

    @property
    def manages(self) -> bool:
        """The mentor or a trainer: answers requests, invites and removes members."""
        return self.standing in (Standing.MENTOR, Standing.TRAINER)

    @property
    def people(self) -> tuple[int, ...]:
        return (self.mentor_id, *self.member_ids)

    @property
    def focused(self) -> bool:
        return self.kind == GroupKind.FOCUSED


def is_trainer_of(actor: Actor, course_id: int) -> bool:
    return actor.role is Role.ORG_ADMIN or (actor.role is Role.TRAINER and actor.course_id == course_id)


def standing_of(session: Session, actor: Actor, group: Group, course_id: int) -> Standing | None:
    """The actor's standing in the group, or None when the actor has nothing to do with its programme."""
    if actor.role is Role.PARTICIPANT and actor.course_id == course_id:
        if actor.person_id == group.mentor_person_id:
            return Standing.MENTOR
        status = session.scalar(sa.select(GroupMember.status).where(GroupMember.group_id == group.id, GroupMember.person_id == actor.person_id))
        return {MEMBER: Standing.MEMBER, PENDING: Standing.PENDING, INVITED: Standing.INVITED}.get(status or "", Standing.OUTSIDER)
    if is_trainer_of(actor, course_id):
        return Standing.TRAINER
    return None


def member_ids(session: Session, group_id: int) -> tuple[int, ...]:
    return tuple(session.scalars(sa.select(GroupMember.person_id).where(GroupMember.group_id == group_id, GroupMember.status == MEMBER).order_by(GroupMember.id)))


def access(session: Session, actor: Actor, group_id: int, *, lock: bool = False) -> GroupAccess:
    """The group ``group_id`` for ``actor`` (``lock``: the group row is locked until the transaction ends).

    :raise NotFound: no such group for this actor: another organisation or course, or a private or
        focused group the actor has no place in.
    """
    if lock and session.get_bind().dialect.name != "postgresql":
        # SQLite has no row locks: a (no-op) write takes the database's write lock until the transaction ends
        session.execute(sa.update(Group).where(Group.id == group_id).values(status=Group.status).execution_options(synchronize_session=False))
    query = sa.select(Group, Programme.course_id).join(Programme, Programme.id == Group.programme_id).where(Group.id == group_id, Group.organisation_id == actor.organisation_id)
    row = session.execute(query.with_for_update(of=Group) if lock else query).one_or_none()
    if row is None:
        raise NotFound("no such group")
    group, course_id = row
    standing = standing_of(session, actor, group, course_id)
    if standing is None or not visible(group.kind, standing):
        raise NotFound("no such group")
    return GroupAccess(
        id=group.id,
        organisation_id=group.organisation_id,
        programme_id=group.programme_id,
        course_id=course_id,
        name=group.name,
        purpose=group.purpose or "",
        kind=group.kind,
        capacity=group.capacity,
        modules=tuple(group.modules or ()),
        mentor_id=group.mentor_person_id,
        status=group.status,
        standing=standing,
        member_ids=member_ids(session, group.id),
    )


def require_member(view: GroupAccess) -> None:
    """:raise NotAllowed: the actor reads the group (a trainer, or a participant outside it) and may not work in it."""
    if not view.is_member:
        raise NotAllowed("only the group's people work in it")


def require_reader(view: GroupAccess) -> None:
    """:raise NotAllowed: the actor may see that the group exists but not what happens inside it."""
    if not (view.is_member or view.is_trainer):
        raise NotAllowed("only the group's people and the course's trainers read its work")


def require_manager(view: GroupAccess) -> None:
    """:raise NotAllowed: neither the mentor nor a trainer."""
    if not view.manages:
        raise NotAllowed("the mentor or a trainer manages the group")


def sides_of(session: Session, programme_id: int, people: tuple[int, ...]) -> dict[int, Side]:
    """Each person's side in the programme (the track they teach); people without one are left out."""
    rows = session.execute(sa.select(Participant.person_id, Participant.side).where(Participant.programme_id == programme_id, Participant.person_id.in_(list(people))))
    return {pid: Side(side) for pid, side in rows if side in {s.value for s in Side}}


def roster(session: Session, group: Group | GroupAccess) -> signoffs.GroupRoster:
    """The group's people with their sides; a focused mentoring teaches the mentor's track only."""
    if isinstance(group, Group):
        mentor, people, programme_id, kind = group.mentor_person_id, (group.mentor_person_id, *member_ids(session, group.id)), group.programme_id, group.kind
    else:
        mentor, people, programme_id, kind = group.mentor_id, group.people, group.programme_id, group.kind
    sides = sides_of(session, programme_id, people)
    if kind == GroupKind.FOCUSED:
        taught = frozenset({sides[mentor]}) if mentor in sides else frozenset()
        return signoffs.GroupRoster(group.id, sides, taught)
    return signoffs.GroupRoster(group.id, sides)


def trainer_ids(session: Session, view: GroupAccess) -> tuple[int, ...]:
    """The course's trainers and administrators (who may withdraw a sign-off), not the group's people."""
    rows = session.scalars(sa.select(Membership.person_id).where(Membership.course_id == view.course_id, Membership.role.in_((Role.TRAINER.value, Role.ORG_ADMIN.value))))
    return tuple(pid for pid in rows if pid not in view.people)


def names(session: Session, ids: tuple[int, ...] | list[int]) -> dict[int, str | None]:
    return dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(list(ids)))).all()) if ids else {}
