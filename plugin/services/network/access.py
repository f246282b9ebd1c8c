"""Who may see a focused mentoring: its mentee and its mentor, the course's trainers and the organisation's
administrators. Everyone else is told it does not exist (404), in every page and export."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.roles import Role
from plugin.models import Group, GroupMember, Programme
from plugin.services.launches import Actor
from plugin.services.network.pool import FOCUSED

MENTEE, MENTOR, TRAINER = "mentee", "mentor", "trainer"


@dataclass(frozen=True)
class FocusedAccess:
    """A focused mentoring as the actor may open it, and in which capacity (mentee, mentor or trainer)."""

    group: Group
    member: GroupMember
    programme: Programme
    capacity: str


def is_reader(actor: Actor, programme: Programme) -> bool:
    """The actor reads the programme's whole network: a trainer of its course, or an organisation administrator."""
    if actor.organisation_id != programme.organisation_id:
        return False
    return actor.role is Role.ORG_ADMIN or (actor.role is Role.TRAINER and actor.course_id == programme.course_id)


def access(session: Session, actor: Actor, group_id: int, *, lock: bool = False) -> FocusedAccess:
    """The focused mentoring ``group_id`` for ``actor``.

    Raises:
        NotFound: no such focused mentoring for this actor (other organisations, other people).
    """
    query = (
        sa.select(Group, GroupMember, Programme)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .join(Programme, Programme.id == Group.programme_id)
        .where(Group.id == group_id, Group.kind == FOCUSED, Group.organisation_id == actor.organisation_id)
    )
    row = session.execute(query.with_for_update(of=Group) if lock else query).first()
    if row is None:
        raise NotFound("no such focused mentoring")
    group, member, programme = row
    in_course = actor.course_id == programme.course_id  # a participant works in the programme's own course only
    if actor.role is Role.PARTICIPANT and in_course and actor.person_id == member.person_id:
        capacity = MENTEE
    elif actor.role is Role.PARTICIPANT and in_course and actor.person_id == group.mentor_person_id:
        capacity = MENTOR
    elif is_reader(actor, programme):
        capacity = TRAINER
    else:
        raise NotFound("no such focused mentoring")
    return FocusedAccess(group, member, programme, capacity)


def require_mentor(view: FocusedAccess) -> None:
    """:raise NotAllowed: only the asked mentor answers a request."""
    if view.capacity != MENTOR:
        raise NotAllowed("only the asked mentor answers this request")


def require_mentee(view: FocusedAccess) -> None:
    """:raise NotAllowed: only the mentee takes their request back."""
    if view.capacity != MENTEE:
        raise NotAllowed("only the person who asked takes the request back")
