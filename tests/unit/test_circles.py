"""The circles' rules (rotation, cadence, follow-through) and forming circles with CP-SAT: a 200-person pool
keeps every hard rule in every circle (size, no one with anyone up their management chain, one language all
members speak) within a few seconds."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest

from plugin.domain import circles as rules
from plugin.domain.errors import RuleViolation
from plugin.domain.matching.circles import Peer, figures, forbidden_pairs, form
from plugin.domain.matching.rules import ancestors


def test_the_chair_rotates_and_those_who_leave_drop_out():
    order = [11, 12, 13, 14]
    assert [rules.chair_of(order, n) for n in range(6)] == [11, 12, 13, 14, 11, 12]
    assert rules.rotation(order, 2) == [13, 14, 11, 12]
    assert rules.chair_of([11, 12, 13], 3) == 11 and rules.chair_of([], 0) is None


def test_the_cadence_plans_the_next_meetings():
    now = datetime(2027, 1, 20, 12, tzinfo=UTC)
    held = datetime(2027, 1, 31, 18, tzinfo=UTC)
    assert rules.upcoming(datetime(2027, 1, 18, 18, tzinfo=UTC), rules.Cadence.WEEKLY, now, anchor_held=True, count=2) == [datetime(2027, 1, 25, 18, tzinfo=UTC), datetime(2027, 2, 1, 18, tzinfo=UTC)]
    assert rules.upcoming(held, rules.Cadence.MONTHLY, now, anchor_held=True, count=3) == [datetime(2027, 2, 28, 18, tzinfo=UTC), datetime(2027, 3, 31, 18, tzinfo=UTC), datetime(2027, 4, 30, 18, tzinfo=UTC)]
    assert rules.upcoming(datetime(2027, 1, 21, 9, tzinfo=UTC), rules.Cadence.BIWEEKLY, now, anchor_held=False, count=2) == [datetime(2027, 1, 21, 9, tzinfo=UTC), datetime(2027, 2, 4, 9, tzinfo=UTC)]
    assert rules.upcoming(None, rules.Cadence.WEEKLY, now, anchor_held=False) == []


def test_follow_through_counts_reviewed_commitments_only():
    assert rules.follow_through(["done", "partly", "not_done", "done", None]) == pytest.approx(2.5 / 4)
    assert rules.follow_through([None, None]) is None
    with pytest.raises(RuleViolation):
        rules.outcome_of("maybe")
    with pytest.raises(RuleViolation):
        rules.check_bounds(3, 6)
    with pytest.raises(RuleViolation):
        rules.check_bounds(7, 6)


def _pool(n: int, seed: int = 7) -> list[Peer]:
    rng = random.Random(seed)
    departments = ["Sales", "IT", "HR", "Finance", "Operations", "Legal", "R&D", "Marketing"]
    regions = ["Flanders", "Wallonia", "Noord-Brabant", "Limburg", "Rhineland"]
    pool = []
    for i in range(n):
        languages = frozenset(rng.sample(["en", "nl", "fr", "de"], rng.randint(1, 2)))
        manager = rng.randint(1, i) if i and rng.random() < 0.6 else None  # a forest: managers come earlier
        pool.append(Peer(i + 1, rng.choice(["digital_mentor", "senior_expert"]), rng.choice(departments), rng.choice(regions), languages, manager))
    return pool


def _assert_hard_rules(pool: list[Peer], formation, low: int, high: int) -> None:
    by_id = {p.id: p for p in pool}
    chains = ancestors([str(p.id) for p in pool], {str(p.id): str(p.manager) for p in pool if p.manager})
    placed: list[int] = []
    for circle in formation.circles:
        members = [by_id[m] for m in circle.members]
        assert low <= len(members) <= high
        assert frozenset.intersection(*(p.languages for p in members)), circle
        ids = {str(p.id) for p in members}
        for p in members:
            assert p.manager not in circle.members and not ids & set(chains[str(p.id)]), (p, circle)
        assert circle.figures == figures(members)
        placed.extend(circle.members)
    assert len(placed) == len(set(placed)) and set(placed) | set(formation.unplaced) == set(by_id) and not set(placed) & set(formation.unplaced)


def test_two_hundred_people_form_circles_that_keep_every_hard_rule_in_a_few_seconds():
    pool = _pool(200)
    started = time.perf_counter()
    formation = form(pool, 5, 8)
    elapsed = time.perf_counter() - started
    assert elapsed < 6, elapsed
    _assert_hard_rules(pool, formation, 5, 8)
    assert len(formation.unplaced) <= 10, formation.unplaced  # the rules leave nearly everyone placeable
    assert all(c.figures.departments >= 3 and len(c.figures.sides) == 2 for c in formation.circles)  # diverse
    pairs = forbidden_pairs(pool)
    assert len(pairs) > 200  # the pool has real reporting lines to respect


def test_what_the_rules_cannot_place_stays_out():
    # three French speakers alone cannot make a circle of four; a manager and their report stay apart
    pool = [Peer(k, "digital_mentor" if k % 2 else "senior_expert", f"D{k % 3}", None, frozenset({"nl"})) for k in range(1, 9)]
    pool += [Peer(20 + k, "senior_expert", None, None, frozenset({"fr"})) for k in range(3)]
    pool.append(Peer(30, "digital_mentor", None, None, frozenset({"nl"}), manager=1))
    formation = form(pool, 4, 5, time_limit=2)
    _assert_hard_rules(pool, formation, 4, 5)
    assert {20, 21, 22} <= set(formation.unplaced)
    assert not any({1, 30} <= set(c.members) for c in formation.circles)
    assert form(pool[:3], 4, 6).circles == ()


def test_a_first_meeting_is_at_most_three_years_ahead_and_the_plan_stops_at_the_calendars_end():
    now = datetime(2027, 1, 20, 12, tzinfo=UTC)
    with pytest.raises(RuleViolation, match="three years ahead"):
        rules.first_meeting(datetime(9999, 12, 1).date(), now)
    rules.first_meeting((now + rules.MAX_AHEAD).date(), now)
    assert rules.upcoming(datetime(9999, 12, 1, 9, tzinfo=UTC), rules.Cadence.MONTHLY, now, anchor_held=False) == [datetime(9999, 12, 1, 9, tzinfo=UTC)]
