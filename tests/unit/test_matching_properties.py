"""Property tests: whatever the pool, the engine never breaks a hard rule, a veto or a capacity, its total
is the exact optimum (so never below greedy), and its certificate checks out pair by pair."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from plugin.domain.matching import tuning
from plugin.domain.matching import (
    DIGITAL_COMPETENCES,
    EXPERTISE_COMPETENCES,
    Person,
    Rules,
    Side,
    exclusion,
    greedy_total,
    match,
    reporting_lines,
    score_matrix,
    score_pair,
    suggest_network,
)

DIG, EXP = DIGITAL_COMPETENCES[:4], EXPERTISE_COMPETENCES[:4]
LEVELS = st.integers(1, 8)


@st.composite
def pools(draw, max_people: int = 14):
    n = draw(st.integers(0, max_people))
    ids = [f"p{i}" for i in range(n)]
    sides = [draw(st.sampled_from([Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT])) for _ in ids]
    people = []
    for i, (pid, side) in enumerate(zip(ids, sides, strict=True)):
        own, other = (DIG, EXP) if side is Side.DIGITAL_MENTOR else (EXP, DIG)
        wants = draw(st.dictionaries(st.sampled_from(other), LEVELS, max_size=3))
        others = [q for q, s in zip(ids, sides, strict=True) if s is not side]
        people.append(
            Person(
                id=pid,
                side=side,
                languages=draw(st.frozensets(st.sampled_from(["nl", "en", "fr"]), min_size=1, max_size=2)),
                capacity=draw(st.integers(0, 3)),
                offers=draw(st.dictionaries(st.sampled_from(own), LEVELS, max_size=3)),
                wants=wants,
                current={k: draw(st.integers(0, w)) for k, w in wants.items() if draw(st.booleans())},
                manager=draw(st.none() | st.sampled_from(ids[:i] + ["boss"])) if i else None,
                wishes=tuple(draw(st.lists(st.sampled_from(others), max_size=3, unique=True))) if others else (),
                vetoes=draw(st.frozensets(st.sampled_from(others), max_size=2)) if others else frozenset(),
            )
        )
    earlier = draw(st.frozensets(st.frozensets(st.sampled_from(ids), min_size=2, max_size=2), max_size=4)) if n >= 2 else frozenset()
    rules = Rules(
        shared_language=draw(st.booleans()),
        no_reporting_line=draw(st.booleans()),
        exclude_earlier=draw(st.booleans()),
        earlier_pairs=earlier,
        managers={"boss": "ceo"},
    )
    return people, rules


def optimum(people: list[Person], rules: Rules) -> int:
    d_ids, e_ids, rows = score_matrix(people, rules)
    scores = np.array(rows, np.int64).reshape(len(d_ids), len(e_ids))
    cap = {p.id: p.capacity for p in people}
    r, c = np.nonzero(scores > 0)
    if len(r) == 0:
        return 0
    m, nd = len(r), len(d_ids)
    a = coo_matrix((np.ones(2 * m), (np.concatenate([r, nd + c]), np.tile(np.arange(m), 2))), shape=(nd + len(e_ids), m))
    b = np.array([cap[i] for i in d_ids + e_ids], float)
    res = linprog(-scores[r, c].astype(float), A_ub=a.tocsr(), b_ub=b, bounds=(0, 1), method="highs")
    return round(-res.fun)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(pools())
def test_rules_vetoes_and_capacities_are_never_violated(case):
    people, rules = case
    result = match(people, rules)
    by_id = {p.id: p for p in people}
    lines = reporting_lines(people, rules)
    load: dict[str, int] = {}
    seen = set()
    for pair in result.pairs:
        d, e = by_id[pair.digital_id], by_id[pair.expert_id]
        assert d.side is Side.DIGITAL_MENTOR and e.side is Side.SENIOR_EXPERT
        assert (d.id, e.id) not in seen
        seen.add((d.id, e.id))
        assert e.id not in d.vetoes and d.id not in e.vetoes
        if rules.shared_language:
            assert d.languages & e.languages
        if rules.exclude_earlier:
            assert frozenset((d.id, e.id)) not in rules.earlier_pairs
        if rules.no_reporting_line:
            assert e.id != lines.get(d.id) and d.id != lines.get(e.id)  # neither is the other's manager
            assert lines.get(d.id) is None or lines.get(d.id) != lines.get(e.id)  # not under one manager
        assert exclusion(d, e, rules, lines) is None
        assert pair.score == score_pair(d, e, rules, lines) > 0
        load[d.id] = load.get(d.id, 0) + 1
        load[e.id] = load.get(e.id, 0) + 1
    assert all(load[i] <= by_id[i].capacity for i in load)
    assert set(result.unmatched) == set(by_id) - set(load)


@SETTINGS
@given(pools())
def test_total_is_optimal_and_never_below_greedy(case):
    people, rules = case
    result = match(people, rules)
    d_ids, e_ids, rows = score_matrix(people, rules)
    scores = [(d, e, s) for d, row in zip(d_ids, rows, strict=True) for e, s in zip(e_ids, row, strict=True)]
    assert result.total >= greedy_total(scores, {p.id: p.capacity for p in people})
    assert result.total == optimum(people, rules)
    assert result.optimal and result.gap == 0
    # the certificate, pair by pair
    u = result.certificate.duals
    matched = {(p.digital_id, p.expert_id): p.score for p in result.pairs}
    bound = sum(p.capacity * u[p.id] for p in people)
    for (d, e, s) in scores:
        if (d, e) in matched:
            bound += s - u[d] - u[e]
        else:
            assert s <= u[d] + u[e]
    assert min(u.values(), default=0) >= 0 and bound == result.total


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_people=40))
def test_large_pool_paths_stay_exact(case):
    people, rules = case
    old = tuning.SAMPLE_MIN_PAIRS, tuning.BLOCK_ELEMENTS, tuning.K_PRICE, tuning.K_POOL, tuning.K_FIRST
    tuning.SAMPLE_MIN_PAIRS, tuning.BLOCK_ELEMENTS, tuning.K_PRICE, tuning.K_POOL, tuning.K_FIRST = 50, 40, 1, 2, 1
    try:
        result = match(people, rules)
    finally:
        tuning.SAMPLE_MIN_PAIRS, tuning.BLOCK_ELEMENTS, tuning.K_PRICE, tuning.K_POOL, tuning.K_FIRST = old
    assert result.optimal and result.total == optimum(people, rules)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_people=40), st.sampled_from([(3, 0.25), (10, 0.01), (40, 1.0)]))
def test_swept_pools_with_narrow_margins_stay_exact(case, margins):
    """The large-pool path with narrow sweep margins: the duals move far from the sweep's, so the
    certificate needs the cover pricing (or, with a small cover fraction, new sweeps); still exact."""
    people, rules = case
    names = ("SAMPLE_MIN_PAIRS", "SWEEP_ELEMENTS", "SWEEP_MARGIN", "COVER_FRACTION", "LP_MARGIN", "PRICE_MARGIN", "K_FIRST")
    old = {k: getattr(tuning, k) for k in names}
    margin, fraction = margins
    try:
        for k, value in zip(names, (50, 30, margin, fraction, margin // 2, margin // 2 + 1, 1), strict=True):
            setattr(tuning, k, value)
        result = match(people, rules)
    finally:
        for k, value in old.items():
            setattr(tuning, k, value)
    assert result.optimal and result.total == optimum(people, rules)


@SETTINGS
@given(pools())
def test_network_suggestions_respect_capacity_and_rules(case):
    people, rules = case
    result = match(people, rules)
    network = suggest_network(people, rules, result)
    by_id = {p.id: p for p in people}
    lines = reporting_lines(people, rules)
    load: dict[str, int] = {}
    for pair in result.pairs:
        load[pair.digital_id] = load.get(pair.digital_id, 0) + 1
        load[pair.expert_id] = load.get(pair.expert_id, 0) + 1
    mentees: dict[str, set[str]] = {}
    for pid, items in network.items():
        for s in items:
            mentees.setdefault(s.mentor_id, set()).add(pid)
            a, b = by_id[pid], by_id[s.mentor_id]
            d, e = (a, b) if a.side is Side.DIGITAL_MENTOR else (b, a)
            assert exclusion(d, e, rules, lines) is None
    for mentor, who in mentees.items():
        assert load.get(mentor, 0) + len(who) <= by_id[mentor].capacity
