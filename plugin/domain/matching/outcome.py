"""What the matching gives back: proposed pairs with their explanations, reasons for the unmatched, the
certificate of optimality, network suggestions (values only)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class Unmatched(enum.StrEnum):
    """Why a participant got no partner (``.message`` says it in a sentence)."""

    NO_CAPACITY = "no_capacity"
    NO_PARTNERS = "no_partners"
    NO_SHARED_LANGUAGE = "no_shared_language"
    EXCLUDED_BY_RULES = "excluded_by_rules"
    NO_WANTS = "no_wants"
    NO_OFFERS = "no_offers"
    NOTHING_WANTED_OFFERED = "nothing_wanted_offered"
    NOTHING_OFFERED_WANTED = "nothing_offered_wanted"
    ONE_SIDED_ONLY = "one_sided_only"
    PARTNERS_TAKEN = "partners_taken"

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    Unmatched.NO_CAPACITY: "capacity is 0: takes no partner this round",
    Unmatched.NO_PARTNERS: "nobody on the other side takes partners",
    Unmatched.NO_SHARED_LANGUAGE: "no partner shares a language",
    Unmatched.EXCLUDED_BY_RULES: "vetoes and programme rules (reporting line, earlier pairs) exclude every partner who shares a language",
    Unmatched.NO_WANTS: "wants nothing the other side teaches",
    Unmatched.NO_OFFERS: "offers nothing of their own side's competences",
    Unmatched.NOTHING_WANTED_OFFERED: "no eligible partner offers what they want (above their current level)",
    Unmatched.NOTHING_OFFERED_WANTED: "no eligible partner wants what they offer",
    Unmatched.ONE_SIDED_ONLY: "eligible partners either teach them or learn from them, never both",
    Unmatched.PARTNERS_TAKEN: "every compatible partner is at capacity with matches that add more to the total",
}


@dataclass(frozen=True)
class Contribution:
    """One competence one partner teaches the other: levels offered vs wanted, and the learner's current level."""

    competence: str
    offered: int
    wanted: int
    current: int

    @property
    def gain(self) -> int:
        return max(0, min(self.offered, self.wanted) - self.current)


@dataclass(frozen=True)
class Explanation:
    """Why a pair was proposed: the top competences each way, the gains, the wishes it honours."""

    expert_teaches: tuple[Contribution, ...]
    digital_teaches: tuple[Contribution, ...]
    expertise_gain: int
    digital_gain: int
    wishes_honoured: tuple[str, ...]
    shared_languages: tuple[str, ...]


@dataclass(frozen=True)
class Pair:
    """A proposed tandem."""

    digital_id: str
    expert_id: str
    score: int
    explanation: Explanation


@dataclass(frozen=True)
class Certificate:
    """Proof of optimality over *all* pairs, not only the candidates the solver looked at.

    ``duals`` (one integer ``u >= 0`` per participant) make the LP of the b-matching dual
    feasible for every pair: ``score(d, e) <= u[d] + u[e]`` unless (d, e) is matched. Then
    ``dual_bound = sum(capacity * u) + sum over matched pairs of (score - u[d] - u[e])`` bounds every matching
    (weak duality), and ``dual_bound == total`` proves the matching optimal. ``pairs_checked``: the pairs
    covered by that check (every pair of the pool, n_d * n_e, once certified; each was scored exactly with
    the final duals, or with a scan's duals plus a bound on how far the duals moved since);
    ``pairs_scored``: exact pair evaluations spent (sample included); ``candidates``: pairs given to the
    min-cost flow; ``full_scans``: passes over every pair of the pool.
    """

    dual_bound: int
    pairs_checked: int
    pairs_scored: int
    candidates: int
    full_scans: int
    duals: Mapping[str, int]


@dataclass(frozen=True)
class Result:
    """The matching of a whole pool."""

    pairs: tuple[Pair, ...]
    unmatched: Mapping[str, Unmatched]
    total: int
    optimal: bool
    certificate: Certificate

    @property
    def gap(self) -> int:
        """Dual bound minus total: 0 when proven optimal."""
        return self.certificate.dual_bound - self.total


@dataclass(frozen=True)
class Suggestion:
    """A further mentor for one need the partner(s) of ``participant_id`` cannot cover."""

    participant_id: str
    competence: str
    mentor_id: str
    offered: int  # the mentor's level
    wanted: int  # the level the participant wants to reach
    reached: int  # the level the participant reaches with their partner(s) (or their current level)
