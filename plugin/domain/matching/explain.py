"""Why a pair was proposed (the explanation of its score) and why a participant was left unmatched."""

from __future__ import annotations

from collections.abc import Mapping

from plugin.domain.matching.model import WISH_BONUS, Exclusion, Person, Rules
from plugin.domain.matching.outcome import Contribution, Explanation, Pair, Unmatched
from plugin.domain.matching.rules import exclusion
from plugin.domain.matching.scores import combine


def _top(teacher: Person, learner: Person) -> tuple[int, tuple[Contribution, ...]]:
    """(total gain, top 3 contributions) of teacher -> learner; :func:`contributions` without the objects."""
    offers, current = teacher.teaches, learner.current
    found = []
    for key, wanted in learner.learns.items():
        offered = offers.get(key)
        if offered is not None:
            now = current.get(key, 0)
            gain = min(offered, wanted) - now
            if gain > 0:
                found.append((-gain, -offered, key, wanted, now))
    found.sort()
    return -sum(f[0] for f in found), tuple(Contribution(k, -o, w, c) for _, o, k, w, c in found[:3])


def explain_pair(digital: Person, expert: Person) -> tuple[Explanation, int]:
    a, teach_d = _top(expert, digital)
    b, teach_e = _top(digital, expert)
    base = combine(a, b)
    wished = tuple(p.id for p, other in ((digital, expert), (expert, digital)) if other.id in p.wishes)
    explanation = Explanation(
        expert_teaches=teach_d,
        digital_teaches=teach_e,
        expertise_gain=a,
        digital_gain=b,
        wishes_honoured=wished if base > 0 else (),
        shared_languages=tuple(sorted(digital.languages & expert.languages)),
    )
    return explanation, (base + WISH_BONUS * len(wished) if base > 0 else 0)


def pair_for(digital: Person, expert: Person, rules: Rules = Rules(), managers: Mapping[str, str] | None = None) -> Pair | Exclusion:
    """The pair (d, e) with its score and explanation, or the rule that forbids it (for a trainer's edits)."""
    excluded = exclusion(digital, expert, rules, managers)
    if excluded is not None:
        return excluded
    explanation, score = explain_pair(digital, expert)
    return Pair(digital.id, expert.id, score, explanation)


def unmatched_reason(person: Person, flags: tuple[bool, bool, bool, bool, bool], partners_exist: bool) -> Unmatched:
    any_language, any_allowed, teaches_me, learns_from_me, two_way = flags
    if not partners_exist:
        return Unmatched.NO_PARTNERS
    if not person.learns:
        return Unmatched.NO_WANTS
    if not person.teaches:
        return Unmatched.NO_OFFERS
    if not any_language:
        return Unmatched.NO_SHARED_LANGUAGE
    if not any_allowed:
        return Unmatched.EXCLUDED_BY_RULES
    if not teaches_me:
        return Unmatched.NOTHING_WANTED_OFFERED
    if not learns_from_me:
        return Unmatched.NOTHING_OFFERED_WANTED
    if not two_way:
        return Unmatched.ONE_SIDED_ONLY
    return Unmatched.PARTNERS_TAKEN
