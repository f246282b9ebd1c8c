"""What a person may do in Tandem, decided from the roles a platform sends.

The platform's role URIs are parsed in ``lti.claims``; this module only sees plain role names
split by scope, and applies Tandem's precedence: membership (course) roles win over institution
and system roles, and anything unknown gets the least privilege.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Role(enum.StrEnum):
    """A person's role in Tandem."""

    ORG_ADMIN = "org_admin"
    TRAINER = "trainer"
    PARTICIPANT = "participant"
    #: read-only: unknown or empty roles, observers, mentors of a learner
    OBSERVER = "observer"

    @property
    def can_write(self) -> bool:
        """Whether this role may change anything at all."""
        return self is not Role.OBSERVER


_CONTEXT_PRECEDENCE: tuple[tuple[frozenset[str], Role], ...] = (
    (frozenset({"Administrator"}), Role.ORG_ADMIN),
    (frozenset({"Instructor", "TeachingAssistant"}), Role.TRAINER),
    (frozenset({"Learner"}), Role.PARTICIPANT),
)

_INSTITUTION_PRECEDENCE: tuple[tuple[frozenset[str], Role], ...] = (
    (frozenset({"Administrator", "SysAdmin", "AccountAdmin"}), Role.ORG_ADMIN),
    (frozenset({"Instructor", "Faculty"}), Role.TRAINER),
    (frozenset({"Learner", "Student"}), Role.PARTICIPANT),
)


def _pick(names: set[str], table: tuple[tuple[frozenset[str], Role], ...]) -> Role | None:
    for accepted, role in table:
        if names & accepted:
            return role
    return None


def resolve_role(context_roles: Iterable[str], institution_roles: Iterable[str]) -> Role:
    """Tandem's role from role names (``Instructor``, ``Learner``, ...) by scope.

    Membership roles win: when any context role is present, institution and system roles are
    ignored (Canvas sends institution roles for every course). Unknown or empty roles give
    ``Role.OBSERVER``, which is read-only.
    """
    context = set(context_roles)
    if context:
        return _pick(context, _CONTEXT_PRECEDENCE) or Role.OBSERVER
    return _pick(set(institution_roles), _INSTITUTION_PRECEDENCE) or Role.OBSERVER
