"""The score of a pair, pair by pair (the reference code; the engine computes the same numbers vectorised),
and the greedy baseline over listed pairs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.domain.matching.model import DIRECTION_CAP, SCALE, TAUGHT_BY, WISH_BONUS, Person, Rules
from plugin.domain.matching.outcome import Contribution
from plugin.domain.matching.rules import exclusion, reporting_lines


def contributions(teacher: Person, learner: Person) -> list[Contribution]:
    """What ``teacher`` can teach ``learner``: competences with a gain > 0, best first."""
    offers = teacher.teaches
    out = [
        Contribution(key, offers[key], wanted, learner.current.get(key, 0))
        for key, wanted in learner.learns.items()
        if TAUGHT_BY[key] is teacher.side and key in offers
    ]
    return sorted((c for c in out if c.gain > 0), key=lambda c: (-c.gain, -c.offered, c.competence))


def combine(expertise_gain: int, digital_gain: int) -> int:
    """The two-way score of the two gains: harmonic mean of the capped gains, 0..SCALE (exact integers)."""
    a, b = min(expertise_gain, DIRECTION_CAP), min(digital_gain, DIRECTION_CAP)
    if a <= 0 or b <= 0:
        return 0
    num, den = 2 * SCALE * a * b, DIRECTION_CAP * (a + b)
    return (2 * num + den) // (2 * den)  # rounded half up


def _wish_count(digital: Person, expert: Person) -> int:
    return (expert.id in digital.wishes) + (digital.id in expert.wishes)


def score_pair(digital: Person, expert: Person, rules: Rules = Rules(), managers: Mapping[str, str] | None = None) -> int:
    """The pair's score (reference implementation; the engine computes the same numbers vectorised)."""
    if digital.side is not Side.DIGITAL_MENTOR or expert.side is not Side.SENIOR_EXPERT:
        raise ValueError("score_pair(digital mentor, senior expert)")
    if exclusion(digital, expert, rules, managers) is not None:
        return 0
    base = combine(sum(c.gain for c in contributions(expert, digital)), sum(c.gain for c in contributions(digital, expert)))
    return base + WISH_BONUS * _wish_count(digital, expert) if base > 0 else 0


def split_sides(people: Sequence[Person]) -> tuple[list[Person], list[Person]]:
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise RuleViolation(f"duplicate person id {dup!r}", "id")
    return [p for p in people if p.side is Side.DIGITAL_MENTOR], [p for p in people if p.side is Side.SENIOR_EXPERT]


def score_matrix(people: Sequence[Person], rules: Rules = Rules()) -> tuple[list[str], list[str], list[list[int]]]:
    """Dense scores (digital ids, expert ids, rows of scores) computed pair by pair; for small pools and tests."""
    digital, experts = split_sides(people)
    lines = reporting_lines(people, rules)
    return [d.id for d in digital], [e.id for e in experts], [[score_pair(d, e, rules, lines) for e in experts] for d in digital]


def greedy_total(scores: Iterable[tuple[str, str, int]], capacity: Mapping[str, int]) -> int:
    """Baseline: take pairs by descending score (ties by ids) while both still have capacity."""
    left = dict(capacity)
    total = 0
    for d, e, s in sorted(scores, key=lambda t: (-t[2], t[0], t[1])):
        if s > 0 and left.get(d, 0) > 0 and left.get(e, 0) > 0:
            left[d] -= 1
            left[e] -= 1
            total += s
    return total
