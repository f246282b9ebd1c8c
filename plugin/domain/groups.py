"""Group mentoring's rules: what a new group must hold, who sees a group, and how people join it.

A group is *open* (everyone in the programme sees it and joins, up to its capacity), *closed* (everyone
sees it; joining is a request its mentor approves or declines) or *private* (only its people and the
course's trainers know it exists; people join by the mentor's invitation). A *focused* group is a
focused mentoring of the mentor network: one mentor, one mentee, never listed, seen like a private group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from plugin.domain.errors import NotAllowed, RuleViolation

NAME_MAX = 200
PURPOSE_MAX = 2000
MIN_CAPACITY, MAX_CAPACITY = 1, 30
MAX_MODULES = 3


class GroupKind(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    PRIVATE = "private"
    FOCUSED = "focused"


#: the kinds a person chooses when creating a group (focused mentorings come from the mentor network)
CHOOSABLE = (GroupKind.OPEN, GroupKind.CLOSED, GroupKind.PRIVATE)


class Standing(StrEnum):
    """A person's place in a group, as the actor holds it."""

    MENTOR = "mentor"
    MEMBER = "member"
    PENDING = "pending"  # asked to join a closed group
    INVITED = "invited"  # invited by the mentor
    OUTSIDER = "outsider"  # a participant of the programme with no place in the group
    TRAINER = "trainer"  # a trainer of the course or an organisation administrator


#: GroupMember.status values that hold a place
MEMBER, PENDING, INVITED, DECLINED, LEFT, REMOVED = "member", "pending", "invited", "declined", "left", "removed"


@dataclass(frozen=True)
class NewGroup:
    name: str
    purpose: str
    kind: str
    capacity: int | None
    modules: Sequence[str]


def check_new_group(new: NewGroup, offered: Iterable[str]) -> NewGroup:
    """The group as it will be stored (texts trimmed, modules deduplicated).

    Raises:
        RuleViolation: ``field`` names what to correct.
    """
    name = (new.name or "").strip()
    if not name:
        raise RuleViolation("Give the group a name.", "name")
    if len(name) > NAME_MAX:
        raise RuleViolation(f"A group's name is at most {NAME_MAX} characters.", "name")
    purpose = (new.purpose or "").strip()
    if len(purpose) > PURPOSE_MAX:
        raise RuleViolation(f"The purpose is at most {PURPOSE_MAX} characters.", "purpose")
    if new.kind not in {k.value for k in CHOOSABLE}:
        raise RuleViolation("Choose open, closed or private.", "kind")
    if new.capacity is None or not MIN_CAPACITY <= new.capacity <= MAX_CAPACITY:
        raise RuleViolation(f"A group has room for {MIN_CAPACITY} to {MAX_CAPACITY} members besides its mentor.", "capacity")
    chosen = list(dict.fromkeys(new.modules))
    if not chosen or len(chosen) > MAX_MODULES:
        raise RuleViolation(f"Choose one to {MAX_MODULES} modules.", "modules")
    if set(chosen) - set(offered):
        raise RuleViolation("Choose modules the programme offers.", "modules")
    return NewGroup(name, purpose, new.kind, new.capacity, tuple(chosen))


def visible(kind: str, standing: Standing) -> bool:
    """Whether someone with ``standing`` may know the group exists (private and focused: its people only)."""
    if standing in (Standing.MENTOR, Standing.MEMBER, Standing.TRAINER, Standing.INVITED):
        return True
    return kind in (GroupKind.OPEN, GroupKind.CLOSED)


def listed(kind: str) -> bool:
    """Whether the group appears in lists of groups (focused mentorings never do)."""
    return kind != GroupKind.FOCUSED


def join_outcome(kind: str, standing: Standing, members: int, capacity: int) -> str:
    """What asking to join does: ``member`` (open, room left) or ``pending`` (closed: the mentor decides).

    Raises:
        NotAllowed: a mentor, member, trainer, or a private/focused group (joined by invitation only).
        RuleViolation: the group is full, or a request is already waiting.
    """
    if standing is Standing.PENDING:
        raise RuleViolation("You asked to join already; the mentor will answer.", "join")
    if standing is Standing.INVITED:
        raise RuleViolation("You are invited: accept the invitation to join.", "join")
    if standing is not Standing.OUTSIDER:
        raise NotAllowed("Only a participant who is not in the group can ask to join it.")
    if kind == GroupKind.OPEN:
        require_room(members, capacity)
        return MEMBER
    if kind == GroupKind.CLOSED:
        return PENDING
    raise NotAllowed("A private group is joined by invitation only.")


def require_room(members: int, capacity: int) -> None:
    """Raises RuleViolation when the group has no place left."""
    if members >= capacity:
        raise RuleViolation("The group is full.", "capacity")
