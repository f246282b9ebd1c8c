"""The needs map's steps and the one readiness rule, and that it agrees with the matching engine."""

from __future__ import annotations

import random

import pytest

from plugin.domain import matching as m
from plugin.domain.catalogue import Side
from plugin.domain.matching import DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES
from plugin.domain.needs_map import AREAS, Missing, area_of, areas_for, is_ready, missing_for_matching
from plugin.services.curricula import load_catalogue

OFFER_D = {"digcomp:2.6": {"offer": 6}}
WANT_D = {"entrecomp:2.5": {"want": 5, "current": 1}}


def test_the_steps_are_the_frameworks_areas():
    frameworks = load_catalogue().frameworks
    expected = [f"{fid}:{area.id}" for fid in ("digcomp", "entrecomp", "lifecomp") for area in frameworks[fid].areas]
    assert [a.id for a in AREAS] == expected
    for area in AREAS:
        framework = frameworks[area.framework]
        assert area.keys == tuple(f"{area.framework}:{c.id}" for c in next(a for a in framework.areas if a.id == area.area).competences)
    assert area_of("digcomp:2.6") == "digcomp:2" and area_of("lifecomp:P1") == "lifecomp:P"
    digital = areas_for(Side.DIGITAL_MENTOR)
    assert [a.taught_by for a in digital[:5]] == [Side.DIGITAL_MENTOR] * 5 and len(digital) == len(AREAS)
    assert areas_for(Side.SENIOR_EXPERT)[0].id == "entrecomp:1"


def test_ready_needs_side_language_capacity_an_offer_and_a_want():
    assert missing_for_matching("digital_mentor", ["en"], 1, OFFER_D | WANT_D) == ()
    assert is_ready("digital_mentor", ["en"], 2, OFFER_D | WANT_D)
    assert missing_for_matching(None, [], 0, {}) == (Missing.SIDE, Missing.LANGUAGES, Missing.CAPACITY, Missing.OFFERS, Missing.WANTS)
    assert missing_for_matching("digital_mentor", [], 1, OFFER_D | WANT_D) == (Missing.LANGUAGES,)
    assert missing_for_matching("digital_mentor", ["en"], 0, OFFER_D | WANT_D) == (Missing.CAPACITY,)
    assert missing_for_matching("digital_mentor", ["en"], 1, WANT_D) == (Missing.OFFERS,)
    assert missing_for_matching("digital_mentor", ["en"], 1, OFFER_D) == (Missing.WANTS,)
    # only one's own side counts as an offer, only the other side's as a want, and a want above today
    assert missing_for_matching("senior_expert", ["en"], 1, OFFER_D | WANT_D) == (Missing.OFFERS, Missing.WANTS)
    assert missing_for_matching("digital_mentor", ["en"], 1, OFFER_D | {"entrecomp:2.5": {"want": 2, "current": 2}}) == (Missing.WANTS,)
    assert missing_for_matching("wizard", ["en"], 1, OFFER_D | WANT_D)[0] is Missing.SIDE


def _needs(rng: random.Random, side: Side) -> dict[str, dict[str, int]]:
    own, theirs = (DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES) if side is Side.DIGITAL_MENTOR else (EXPERTISE_COMPETENCES, DIGITAL_COMPETENCES)
    needs: dict[str, dict[str, int]] = {}
    for key in rng.sample(own, rng.choice([0, 0, 1, 3])):
        needs[key] = {"offer": rng.randint(1, 8)}
    for key in rng.sample(theirs, rng.choice([0, 0, 1, 3])):
        current = rng.randint(0, 7)
        needs[key] = {"want": rng.randint(current + 1, 8)} | ({"current": current} if current else {})
    return needs


@pytest.mark.parametrize("seed", range(20))
def test_readiness_agrees_with_the_reasons_matching_gives(seed):
    """Whoever the rule calls ready, matching never leaves out for having nothing to offer or to learn or
    no capacity; whoever it calls not ready for offers, wants or capacity, matching gives that reason."""
    rng = random.Random(seed)
    people, profiles = [], {}
    for i in range(16):
        side = Side.DIGITAL_MENTOR if i % 2 else Side.SENIOR_EXPERT
        needs, capacity = _needs(rng, side), rng.choice([0, 1, 1, 2])
        profiles[str(i)] = (side, capacity, needs)
        people.append(m.Person(id=str(i), side=side, languages=frozenset({"en"}), capacity=capacity,
                               offers={k: v["offer"] for k, v in needs.items() if "offer" in v},
                               wants={k: v["want"] for k, v in needs.items() if "want" in v},
                               current={k: v["current"] for k, v in needs.items() if "current" in v}))  # fmt: skip
    result = m.match(people)
    for pid, (side, capacity, needs) in profiles.items():
        lacking = missing_for_matching(side.value, ["en"], capacity, needs)
        reason = result.unmatched.get(pid)
        if not lacking:
            assert reason not in (m.Unmatched.NO_CAPACITY, m.Unmatched.NO_WANTS, m.Unmatched.NO_OFFERS)
        elif Missing.CAPACITY in lacking:
            assert reason is m.Unmatched.NO_CAPACITY
        elif Missing.WANTS in lacking:
            assert reason in (m.Unmatched.NO_WANTS, m.Unmatched.NO_PARTNERS)
        else:
            assert reason in (m.Unmatched.NO_OFFERS, m.Unmatched.NO_PARTNERS)
