"""Joining and leaving a group: join an open group, ask to join a closed one (the mentor approves or
declines), accept or decline the mentor's invitation, leave, and the mentor removing a member.

A place is taken with the group row locked (``FOR UPDATE``), so two people cannot take its last place
at once; a private group stays unknown (NotFound) to anyone it did not invite.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.groups import DECLINED, INVITED, LEFT, MEMBER, PENDING, REMOVED, join_outcome, require_room
from plugin.models import GroupMember, Participant
from plugin.models.base import utcnow
from plugin.services.group_access import GroupAccess, access, require_manager
from plugin.services.launches import Actor


def _row(session: Session, group_id: int, person_id: int) -> GroupMember | None:
    return session.scalar(sa.select(GroupMember).where(GroupMember.group_id == group_id, GroupMember.person_id == person_id))


def _set(session: Session, view: GroupAccess, person_id: int, status: str, invited_by: int | None = None) -> None:
    row = _row(session, view.id, person_id)
    if row is None:
        row = GroupMember(group_id=view.id, person_id=person_id, status=status)
        session.add(row)
    row.status = status
    if invited_by is not None:
        row.invited_by = invited_by
    if status == MEMBER:
        row.joined_at = utcnow()
    session.flush()


def _active(view: GroupAccess) -> None:
    if view.status != "active":
        raise RuleViolation("This group has ended.", "status")
    if view.focused:
        raise NotAllowed("a focused mentoring's two people are set by the mentor network")


def join(session: Session, actor: Actor, group_id: int) -> str:
    """Join an open group (``member``) or ask to join a closed one (``pending``).

    :raise NotFound: a private group the actor was not invited to.  :raise NotAllowed: already in it, a trainer, or
        no participant of the programme.
    :raise RuleViolation: the group is full, or a request is waiting already.
    """
    view = access(session, actor, group_id, lock=True)
    _active(view)
    if session.scalar(sa.select(Participant.id).where(Participant.programme_id == view.programme_id, Participant.person_id == actor.person_id)) is None:
        raise NotAllowed("join the programme (your profile) before joining its groups")
    outcome = join_outcome(view.kind, view.standing, len(view.member_ids), view.capacity)
    _set(session, view, actor.person_id, outcome)
    return outcome


def answer_request(session: Session, actor: Actor, group_id: int, person_id: int, approve: bool) -> None:
    """The mentor (or a trainer) approves a request to join (room permitting) or declines it.

    :raise NotFound: no such request.  :raise NotAllowed: not the mentor or a trainer.  :raise RuleViolation: full.
    """
    view = access(session, actor, group_id, lock=True)
    require_manager(view)
    _active(view)
    row = _row(session, view.id, person_id)
    if row is None or row.status != PENDING:
        raise NotFound("no such request")
    if approve:
        require_room(len(view.member_ids), view.capacity)
    _set(session, view, person_id, MEMBER if approve else DECLINED)


def invite(session: Session, actor: Actor, group_id: int, person_id: int) -> None:
    """The mentor (or a trainer) invites a participant of the programme to the group.

    :raise NotAllowed: not the mentor or a trainer.  :raise RuleViolation: not a participant, already in or invited, full.
    """
    view = access(session, actor, group_id, lock=True)
    require_manager(view)
    _active(view)
    if person_id in view.people:
        raise RuleViolation("This person is in the group already.", "person")
    if session.scalar(sa.select(Participant.id).where(Participant.programme_id == view.programme_id, Participant.person_id == person_id)) is None:
        raise RuleViolation("Invite a participant of the programme.", "person")
    row = _row(session, view.id, person_id)
    if row is not None and row.status == INVITED:
        raise RuleViolation("This person is invited already.", "person")
    require_room(len(view.member_ids), view.capacity)
    _set(session, view, person_id, INVITED, invited_by=actor.person_id)


def answer_invitation(session: Session, actor: Actor, group_id: int, accept: bool) -> None:
    """The invited person accepts (room permitting) or declines.  :raise NotAllowed: not invited."""
    view = access(session, actor, group_id, lock=True)
    _active(view)
    row = _row(session, view.id, actor.person_id)
    if row is None or row.status != INVITED:
        raise NotAllowed("only an invited person answers the invitation")
    if accept:
        require_room(len(view.member_ids), view.capacity)
    _set(session, view, actor.person_id, MEMBER if accept else DECLINED)


def leave(session: Session, actor: Actor, group_id: int) -> None:
    """A member leaves (a closed or private group is then joined again only by request or invitation).

    :raise NotAllowed: not a member.  :raise RuleViolation: the mentor (a trainer names another mentor first).
    """
    view = access(session, actor, group_id, lock=True)
    if view.focused:
        raise NotAllowed("a focused mentoring ends in the mentor network")
    if view.is_mentor:
        raise RuleViolation("The mentor cannot leave the group.", "mentor")
    if view.standing.value != MEMBER and view.standing.value != PENDING:
        raise NotAllowed("only a member leaves the group")
    _set(session, view, actor.person_id, LEFT)


def remove(session: Session, actor: Actor, group_id: int, person_id: int) -> None:
    """The mentor (or a trainer) removes a member.  :raise NotFound: no such member."""
    view = access(session, actor, group_id, lock=True)
    require_manager(view)
    _active(view)
    if person_id not in view.member_ids:
        raise NotFound("no such member")
    _set(session, view, person_id, REMOVED)

