"""The mentoring agreement a tandem signs before anything else opens.

It holds the goals, the session cadence, the confidentiality terms and the programme's five principles.
Each member signs once, acknowledging every principle; the tandem opens when both have signed.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from plugin.domain.errors import NotAllowed, RuleViolation
from plugin.domain.plans import Cadence
from plugin.domain.signoffs import Tandem

MAX_GOALS = 10
GOAL_MAX = 500
CONFIDENTIALITY_MAX = 5000


class Principle(enum.StrEnum):
    """The five principles of two-way mentoring."""

    SPACE = "space"
    RESPECT = "respect"
    PATIENCE = "patience"
    PERSEVERANCE = "perseverance"
    ACCEPTANCE = "acceptance"


@dataclass(frozen=True)
class Signature:
    person_id: int
    at: datetime


@dataclass(frozen=True)
class Agreement:
    """An agreement and the signatures it has so far."""

    tandem: Tandem
    goals: tuple[str, ...]
    cadence: Cadence
    duration_minutes: int
    confidentiality: str
    principles: tuple[Principle, ...] = tuple(Principle)
    signatures: tuple[Signature, ...] = ()

    def signed_by(self, person_id: int) -> bool:
        return any(s.person_id == person_id for s in self.signatures)

    @property
    def waiting_for(self) -> tuple[int, ...]:
        """The members who have not signed yet."""
        return tuple(p for p in self.tandem.members if not self.signed_by(p))


def draft(tandem: Tandem, goals: Iterable[str], cadence: Cadence | str, duration_minutes: int, confidentiality: str) -> Agreement:
    """A new, unsigned agreement.

    Raises:
        RuleViolation: no goal, too many or too long goals, a duration outside 15-480 minutes, or no confidentiality terms.
    """
    kept = tuple(g.strip() for g in goals if g and g.strip())
    if not kept:
        raise RuleViolation("Write down at least one goal.", "goals")
    if len(kept) > MAX_GOALS:
        raise RuleViolation(f"Keep to at most {MAX_GOALS} goals, not {len(kept)}.", "goals")
    if any(len(g) > GOAL_MAX for g in kept):
        raise RuleViolation(f"A goal can be at most {GOAL_MAX} characters.", "goals")
    if not 15 <= duration_minutes <= 480:
        raise RuleViolation(f"A session lasts from 15 to 480 minutes, not {duration_minutes}.", "duration_minutes")
    terms = (confidentiality or "").strip()
    if not terms:
        raise RuleViolation("Write down what stays confidential between you.", "confidentiality")
    if len(terms) > CONFIDENTIALITY_MAX:
        raise RuleViolation(f"The confidentiality terms can be at most {CONFIDENTIALITY_MAX} characters.", "confidentiality")
    if cadence not in set(Cadence):
        raise RuleViolation(f"Choose a cadence: {', '.join(Cadence)}.", "cadence")
    return Agreement(tandem, kept, Cadence(cadence), duration_minutes, terms)


def sign(agreement: Agreement, person_id: int, at: datetime, acknowledged: Collection[Principle | str] = tuple(Principle)) -> Agreement:
    """``agreement`` with ``person_id``'s signature added; the signer acknowledges every principle.

    Raises:
        NotAllowed: the person is not a member of the tandem.
        RuleViolation: they already signed, or a principle is not acknowledged.
    """
    if person_id not in agreement.tandem.members:
        raise NotAllowed("Only the two members of this tandem can sign its agreement.")
    if agreement.signed_by(person_id):
        raise RuleViolation("You have already signed this agreement.")
    ticked = set(acknowledged)  # a StrEnum member equals its value, so names and members both work
    missing = [p.value for p in agreement.principles if p not in ticked]
    if missing:
        raise RuleViolation(f"Acknowledge every principle before signing; still open: {', '.join(missing)}.", "principles")
    if at.tzinfo is None:
        raise ValueError("a signature time must be timezone-aware")
    return replace(agreement, signatures=(*agreement.signatures, Signature(person_id, at)))


def is_open(agreement: Agreement) -> bool:
    """Whether the tandem may start: both members have signed."""
    return not agreement.waiting_for
