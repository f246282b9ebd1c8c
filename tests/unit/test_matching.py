"""The matching engine: exact optimality against independent solvers, the vectorised score against the
reference one, the certificate, explanations, unmatched reasons, the mentor network and the JSON I/O."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import coo_matrix

from plugin.domain.matching import engine, tuning
from plugin.domain.errors import RuleViolation
from plugin.domain.matching import (
    DIGITAL_COMPETENCES,
    EXPERTISE_COMPETENCES,
    SCALE,
    WISH_BONUS,
    Exclusion,
    Person,
    Rules,
    Side,
    Unmatched,
    combine,
    exclusion,
    greedy_baseline,
    greedy_total,
    match,
    reporting_lines,
    same_reporting_line,
    score_matrix,
    score_pair,
    suggest_network,
)
from plugin.services.matching_io import load_people_json, people_to_json, result_to_json, run

D, E = Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT


def pool(n: int, seed: int, *, digital_capacity: int | None = None, competences: int = 6) -> tuple[list[Person], Rules]:
    """A random pool of n people, dense enough in overlaps, ties, rules and vetoes to be a real test."""
    rng = random.Random(seed)
    dig, exp = DIGITAL_COMPETENCES[:competences], EXPERTISE_COMPETENCES[:competences]
    ids = [f"p{i:03d}" for i in range(n)]  # in input order, as greedy breaks ties
    sides = [D if rng.random() < 0.5 else E for _ in ids]
    managers = {pid: ids[rng.randrange(i)] for i, pid in enumerate(ids) if i and rng.random() < 0.5}
    people = []
    for pid, side in zip(ids, sides, strict=True):
        own, other = (dig, exp) if side is D else (exp, dig)
        offers = {k: rng.randint(1, 8) for k in rng.sample(own, rng.randint(0, 4))}
        wants = {k: rng.randint(1, 8) for k in rng.sample(other, rng.randint(0, 4))}
        current = {k: rng.randint(0, w) for k, w in wants.items() if rng.random() < 0.4}
        others = [q for q, s in zip(ids, sides, strict=True) if s is not side]
        people.append(
            Person(
                id=pid,
                side=side,
                languages=frozenset(rng.sample(["nl", "en", "de"], rng.randint(1, 2))),
                capacity=digital_capacity if (side is D and digital_capacity is not None) else rng.choice([0, 1, 1, 1, 2, 3]),
                offers=offers,
                wants=wants,
                current=current,
                manager=managers.get(pid),
                wishes=tuple(rng.sample(others, min(len(others), rng.randint(0, 2)))) if rng.random() < 0.3 else (),
                vetoes=frozenset(rng.sample(others, min(len(others), 1))) if rng.random() < 0.1 else frozenset(),
            )
        )
    earlier = frozenset(frozenset((rng.choice(ids), rng.choice(ids))) for _ in range(n // 10))
    return people, Rules(earlier_pairs=frozenset(p for p in earlier if len(p) == 2), managers={"p000": "boss"})


def dense(people: list[Person], rules: Rules) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    d_ids, e_ids, rows = score_matrix(people, rules)
    cap = {p.id: p.capacity for p in people}
    return d_ids, e_ids, np.array(rows, np.int64).reshape(len(d_ids), len(e_ids)), np.array([cap[i] for i in d_ids]), np.array([cap[i] for i in e_ids])


def lsa_optimum(scores: np.ndarray, cap_d: np.ndarray, cap_e: np.ndarray) -> int:
    """linear_sum_assignment on the full matrix with the experts' capacities expanded into copies, plus a
    zero "stay single" column per digital mentor. Exact when every digital mentor takes at most one partner
    (then no pair can be chosen twice)."""
    assert (cap_d <= 1).all()
    rows = np.flatnonzero(cap_d)
    cols = np.repeat(np.arange(len(cap_e)), cap_e)
    big = np.zeros((len(rows), len(cols) + len(rows)))
    big[:, : len(cols)] = scores[rows][:, cols]
    if big.size == 0:
        return 0
    r, c = linear_sum_assignment(big, maximize=True)
    return int(big[r, c].sum())


def lp_optimum(scores: np.ndarray, cap_d: np.ndarray, cap_e: np.ndarray) -> int:
    """The b-matching LP on every positive pair (HiGHS through scipy): its optimum is integral (the
    constraint matrix is totally unimodular), so it is the exact optimum for any capacities."""
    r, c = np.nonzero(scores > 0)
    if len(r) == 0:
        return 0
    m, nd = len(r), len(cap_d)
    a = coo_matrix((np.ones(2 * m), (np.concatenate([r, nd + c]), np.tile(np.arange(m), 2))), shape=(nd + len(cap_e), m))
    res = linprog(-scores[r, c].astype(float), A_ub=a.tocsr(), b_ub=np.concatenate([cap_d, cap_e]), bounds=(0, 1), method="highs")
    assert res.status == 0
    return round(-res.fun)


def check_result(people: list[Person], rules: Rules, result) -> None:
    """Hard rules, vetoes, capacities, scores, reasons and the certificate, checked from scratch."""
    by_id = {p.id: p for p in people}
    lines = reporting_lines(people, rules)
    used: dict[str, int] = {}
    seen = set()
    for pair in result.pairs:
        d, e = by_id[pair.digital_id], by_id[pair.expert_id]
        assert (d.side, e.side) == (D, E)
        assert (d.id, e.id) not in seen
        seen.add((d.id, e.id))
        assert exclusion(d, e, rules, lines) is None
        assert pair.score == score_pair(d, e, rules, lines) > 0
        used[d.id] = used.get(d.id, 0) + 1
        used[e.id] = used.get(e.id, 0) + 1
    assert all(used[i] <= by_id[i].capacity for i in used)
    assert set(result.unmatched) == {p.id for p in people if p.id not in used}
    assert result.total == sum(p.score for p in result.pairs)
    # the certificate: dual feasible for every pair, dual objective == total
    u = result.certificate.duals
    assert all(x >= 0 for x in u.values())
    d_ids, e_ids, scores, cap_d, cap_e = dense(people, rules)
    bound = sum(by_id[i].capacity * u.get(i, 0) for i in u)
    for i, di in enumerate(d_ids):
        for j, ej in enumerate(e_ids):
            s = int(scores[i, j])
            if (di, ej) in seen:
                bound += s - u[di] - u[ej]
            elif s > 0:
                assert s <= u[di] + u[ej], (di, ej)
    assert result.optimal
    assert bound == result.certificate.dual_bound == result.total


# --- the score ---------------------------------------------------------------------------------------------


def test_score_formula_is_two_way_harmonic_mean():
    assert combine(0, 20) == combine(20, 0) == 0
    assert combine(20, 20) == SCALE
    assert combine(40, 25) == SCALE  # capped
    assert combine(10, 10) == 500
    assert combine(20, 2) == round(SCALE * 2 * 20 * 2 / (20 * 22))  # one-sided pairs score low
    assert combine(10, 10) > combine(18, 2)


def test_reference_score_of_a_pair():
    d = Person("d", D, {"nl"}, offers={"digcomp:2.6": 6, "entrecomp:1.1": 8}, wants={"entrecomp:1.2": 6, "digcomp:1.1": 7}, current={"entrecomp:1.2": 2}, wishes=("e",))
    e = Person("e", E, {"nl", "en"}, offers={"entrecomp:1.2": 5, "lifecomp:P1": 7}, wants={"digcomp:2.6": 8, "lifecomp:P2": 3})
    # e teaches d entrecomp:1.2 from 2 to min(5, 6) = 5: gain 3. d teaches e digcomp:2.6 up to 6: gain 6.
    # offers and wants on one's own side (d offering entrecomp, d wanting digcomp) do not count
    assert score_pair(d, e) == combine(3, 6) + WISH_BONUS
    assert score_pair(d, e, Rules(earlier_pairs=frozenset({frozenset({"d", "e"})}))) == 0
    assert score_pair(d, Person("x", E, {"fr"}, offers={"entrecomp:1.2": 5}, wants={"digcomp:2.6": 8})) == 0
    assert score_pair(d, Person("x", E, {"fr"}, offers={"entrecomp:1.2": 5}, wants={"digcomp:2.6": 8}), Rules(shared_language=False)) == combine(3, 6)


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_scores_equal_the_reference(seed):
    people, rules = pool(80, seed, competences=45)
    d_ids, e_ids, scores, _, _ = dense(people, rules)
    by_id = {p.id: p for p in people}
    d_pool = [by_id[i] for i in d_ids if by_id[i].capacity]
    e_pool = [by_id[i] for i in e_ids if by_id[i].capacity]
    problem = engine.build(d_pool, e_pool, rules, reporting_lines(people, rules))
    expected = scores[[d_ids.index(p.id) for p in d_pool]][:, [e_ids.index(p.id) for p in e_pool]]
    assert (problem.row_scores(slice(0, len(d_pool))) == expected).all()
    cols = np.arange(0, len(e_pool), 3)
    assert (problem.block_scores(np.arange(1, len(d_pool), 2), cols) == expected[1::2][:, cols]).all()
    r, c = np.nonzero(np.ones_like(expected))
    assert (problem.scores(r, c) == expected[r, c]).all()
    # by blocks of rows grouped by their languages: every pair once at most, every pair left out scores 0
    for rows, cols in ((None, None), (np.arange(0, len(d_pool), 2), None), (None, np.arange(1, len(e_pool), 2))):
        seen = np.zeros_like(expected)
        for part, part_cols, s in problem.blocks(rows, cols, 64):
            assert (s == expected[part][:, part_cols]).all()
            seen[np.ix_(part, part_cols)] += 1
        inside = np.zeros(expected.shape, bool)
        inside[np.ix_(np.arange(len(d_pool)) if rows is None else rows, np.arange(len(e_pool)) if cols is None else cols)] = True
        assert seen.max() <= 1 and (seen[inside & (expected > 0)] == 1).all() and not seen[~inside].any()


def test_reporting_line_rule():
    managers = {"a": "m", "b": "m", "m": "top", "c": "top", "x": "m2", "m2": "top"}
    assert same_reporting_line("a", "b", managers)  # same manager
    assert same_reporting_line("a", "m", managers) and same_reporting_line("m", "a", managers)  # direct line
    assert same_reporting_line("a", "top", managers)  # further up the chain
    assert not same_reporting_line("a", "c", managers)  # c reports to a's manager's manager: not one line
    assert not same_reporting_line("a", "x", managers)  # cousins
    with pytest.raises(RuleViolation):
        same_reporting_line("a", "z", {"a": "b", "b": "a"})
    d = Person("a", D, {"nl"}, offers={"digcomp:1.1": 5}, wants={"entrecomp:1.1": 5}, manager="m")
    boss = Person("top", E, {"nl"}, offers={"entrecomp:1.1": 5}, wants={"digcomp:1.1": 5})
    assert exclusion(d, boss, Rules(managers={"m": "top"})) is Exclusion.REPORTING_LINE
    assert exclusion(d, boss, Rules()) is None  # without the link from m to top, no chain
    assert exclusion(d, boss, Rules(no_reporting_line=False, managers={"m": "top"})) is None


def test_invalid_people_are_refused():
    with pytest.raises(RuleViolation, match="unknown competence"):
        Person("a", D, {"nl"}, offers={"digcomp:9.9": 3})
    with pytest.raises(RuleViolation, match="level"):
        Person("a", D, {"nl"}, wants={"entrecomp:1.1": 9})
    with pytest.raises(RuleViolation, match="wishes"):
        Person("a", D, {"nl"}, wishes=("b", "c", "d", "e"))
    with pytest.raises(RuleViolation, match="side"):
        Person("a", "mentor", {"nl"})
    with pytest.raises(RuleViolation, match="duplicate"):
        match([Person("a", D, {"nl"}), Person("a", E, {"nl"})])


# --- optimality ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "seed"), [(10, s) for s in range(6)] + [(50, s) for s in range(4)] + [(300, s) for s in range(3)])
def test_optimal_like_linear_sum_assignment(n, seed):
    people, rules = pool(n, seed, digital_capacity=1)
    result = match(people, rules)
    _, _, scores, cap_d, cap_e = dense(people, rules)
    assert result.total == lsa_optimum(scores, cap_d, cap_e)
    check_result(people, rules, result)


@pytest.mark.parametrize(("n", "seed"), [(10, s) for s in range(6)] + [(50, s) for s in range(4)] + [(300, s) for s in range(3)])
def test_optimal_with_capacities_on_both_sides(n, seed):
    people, rules = pool(n, seed)
    result = match(people, rules)
    _, _, scores, cap_d, cap_e = dense(people, rules)
    assert result.total == lp_optimum(scores, cap_d, cap_e)
    assert result.total >= greedy_total(((p.digital_id, p.expert_id, p.score) for p in result.pairs), {})  # trivially
    check_result(people, rules, result)


@pytest.mark.parametrize("seed", range(3))
def test_large_pool_machinery_on_a_small_pool(monkeypatch, seed):
    """Sampled price estimates, many blocks, tiny candidate lists, bound checks and row rescans: the paths a
    50,000-person pool takes, forced on 300 people, still give the exact optimum and a valid certificate."""
    monkeypatch.setattr(tuning, "SAMPLE_MIN_PAIRS", 2000)
    monkeypatch.setattr(tuning, "BLOCK_ELEMENTS", 1500)
    monkeypatch.setattr(tuning, "K_FIRST", 2)
    monkeypatch.setattr(tuning, "K_POOL", 3)
    monkeypatch.setattr(tuning, "K_PRICE", 2)
    monkeypatch.setattr(tuning, "FLAG_FRACTION", [0.0, 0.3, 1.0][seed])
    monkeypatch.setattr(tuning, "SWEEP_ELEMENTS", 1500)
    monkeypatch.setattr(tuning, "SWEEP_MARGIN", [20, 60, 140][seed])
    monkeypatch.setattr(tuning, "COVER_FRACTION", [0.0, 0.05, 1.0][seed])
    people, rules = pool(300, seed + 10, competences=12)
    stages: list[str] = []
    result = match(people, rules, lambda stage, percent: stages.append(stage))
    assert stages == ["scoring", "solving", "certifying", "explaining"]  # the real phases, each once, in order
    _, _, scores, cap_d, cap_e = dense(people, rules)
    assert result.total == lp_optimum(scores, cap_d, cap_e)
    check_result(people, rules, result)


def test_whole_pool_beats_greedy():
    # greedy takes the best pair (d1, e1: both learn past the cap) and leaves d2 and e2, who teach each other
    # nothing; the optimum pairs them crosswise
    lv = 8
    d1 = Person("d1", D, {"nl"}, offers=dict.fromkeys(["digcomp:1.1", "digcomp:1.2", "digcomp:1.3"], lv), wants=dict.fromkeys(["entrecomp:1.1", "entrecomp:1.2", "entrecomp:1.3"], lv))
    d2 = Person("d2", D, {"nl"}, offers=dict.fromkeys(["digcomp:1.1", "digcomp:2.1"], lv), wants=dict.fromkeys(["entrecomp:1.1", "entrecomp:1.4"], lv))
    e1 = Person("e1", E, {"nl"}, offers=dict.fromkeys(["entrecomp:1.1", "entrecomp:1.2", "entrecomp:1.3", "entrecomp:1.4"], lv), wants=dict.fromkeys(["digcomp:1.1", "digcomp:1.2", "digcomp:1.3", "digcomp:2.1"], lv))
    e2 = Person("e2", E, {"nl"}, offers=dict.fromkeys(["entrecomp:1.2", "entrecomp:1.3"], lv), wants=dict.fromkeys(["digcomp:1.2", "digcomp:1.3"], lv))
    people = [d1, d2, e1, e2]
    result = match(people)
    scores = [(d.id, e.id, score_pair(d, e)) for d in (d1, d2) for e in (e1, e2)]
    assert result.total > greedy_total(scores, {p.id: 1 for p in people})
    assert {(p.digital_id, p.expert_id) for p in result.pairs} == {("d1", "e2"), ("d2", "e1")}
    assert greedy_baseline(people) == greedy_total(scores, {p.id: 1 for p in people})


@pytest.mark.parametrize(("n", "seed", "k"), [(40, 1, 1), (120, 2, 2), (300, 3, 32), (300, 4, 4)])
def test_greedy_baseline_is_the_exact_global_greedy(n, seed, k):
    people, rules = pool(n, seed)
    d_ids, e_ids, rows = score_matrix(people, rules)
    expected = greedy_total(((d, e, s) for d, row in zip(d_ids, rows, strict=True) for e, s in zip(e_ids, row, strict=True)), {p.id: p.capacity for p in people})
    assert greedy_baseline(people, rules) == expected
    digital = [p for p in people if p.side is D and p.capacity]
    experts = [p for p in people if p.side is E and p.capacity]
    assert engine.greedy(engine.build(digital, experts, rules, reporting_lines(people, rules)), k) == expected
    assert match(people, rules).total >= expected


def test_empty_and_one_sided_pools():
    assert match([]).total == 0
    only = [Person("d", D, {"nl"}, offers={"digcomp:1.1": 5}, wants={"entrecomp:1.1": 5})]
    result = match(only)
    assert result.optimal and result.unmatched == {"d": Unmatched.NO_PARTNERS}


# --- explanations, reasons, network ------------------------------------------------------------------------------


def test_every_pair_is_explained():
    people, rules = pool(120, 3, competences=45)
    result = match(people, rules)
    assert result.pairs
    for pair in result.pairs:
        x = pair.explanation
        assert 1 <= len(x.expert_teaches) <= 3 and 1 <= len(x.digital_teaches) <= 3
        for items in (x.expert_teaches, x.digital_teaches):
            assert [c.gain for c in items] == sorted((c.gain for c in items), reverse=True)
            assert all(c.gain == min(c.offered, c.wanted) - c.current > 0 for c in items)
        assert all(c.competence in EXPERTISE_COMPETENCES for c in x.expert_teaches)
        assert all(c.competence in DIGITAL_COMPETENCES for c in x.digital_teaches)
        assert pair.score == combine(x.expertise_gain, x.digital_gain) + WISH_BONUS * len(x.wishes_honoured)
        assert x.shared_languages


def test_unmatched_reasons():
    def d(pid, **kw):
        return Person(pid, D, kw.pop("languages", {"nl"}), **{"offers": {"digcomp:1.1": 6}, "wants": {"entrecomp:1.1": 6}, **kw})

    def e(pid, **kw):
        return Person(pid, E, kw.pop("languages", {"nl"}), **{"offers": {"entrecomp:1.1": 6}, "wants": {"digcomp:1.1": 6}, **kw})

    people = [
        e("boss", capacity=1),
        d("star", capacity=1),  # takes boss
        d("late", capacity=1),  # boss is taken by a better (equal) match
        d("zero", capacity=0),
        d("french", languages={"fr"}),
        d("vetoed", vetoes=frozenset({"boss", "teacher", "learner", "onesided"})),
        d("needless", wants={}),
        d("giftless", offers={}),
        d("mismatch", wants={"lifecomp:P1": 6}, offers={"digcomp:5.4": 6}),
    ]
    # "late" and "star" tie for boss; give star a wish so the optimum is unique
    people[1] = d("star", capacity=1, wishes=("boss",))
    result = match(people)
    assert [(p.digital_id, p.expert_id) for p in result.pairs] == [("star", "boss")]
    assert result.unmatched == {
        "late": Unmatched.PARTNERS_TAKEN,
        "zero": Unmatched.NO_CAPACITY,
        "french": Unmatched.NO_SHARED_LANGUAGE,
        "vetoed": Unmatched.EXCLUDED_BY_RULES,
        "needless": Unmatched.NO_WANTS,
        "giftless": Unmatched.NO_OFFERS,
        "mismatch": Unmatched.NOTHING_WANTED_OFFERED,
    }
    assert all(reason.message for reason in result.unmatched.values())
    # one-sided: the only partner teaches d but wants nothing d offers
    one = match([d("solo"), e("tutor", wants={"digcomp:4.4": 5})])
    assert one.unmatched["solo"] is Unmatched.NOTHING_OFFERED_WANTED
    two = match([d("solo"), e("tutor", wants={"digcomp:4.4": 5}), e("pupil", offers={"lifecomp:S1": 5})])
    assert two.unmatched["solo"] is Unmatched.ONE_SIDED_ONLY


def test_mentor_network_covers_needs_within_capacity():
    people, rules = pool(200, 5, competences=10)
    result = match(people, rules)
    network = suggest_network(people, rules, result)
    assert network
    by_id = {p.id: p for p in people}
    lines = reporting_lines(people, rules)
    load: dict[str, int] = {}
    partners: dict[str, set[str]] = {}
    for pair in result.pairs:
        for a, b in ((pair.digital_id, pair.expert_id), (pair.expert_id, pair.digital_id)):
            load[a] = load.get(a, 0) + 1
            partners.setdefault(a, set()).add(b)
    mentors_of: dict[str, set[str]] = {}
    for pid, suggestions in network.items():
        person = by_id[pid]
        assert pid in partners  # matched participants only
        assert len({s.competence for s in suggestions}) == len(suggestions)  # one per need
        for s in suggestions:
            mentor = by_id[s.mentor_id]
            assert mentor.side is not person.side and s.mentor_id not in partners[pid]
            assert s.wanted == person.wants[s.competence] and s.competence in person.learns
            best_partner = max([person.current.get(s.competence, 0)] + [min(by_id[q].teaches.get(s.competence, 0), s.wanted) for q in partners[pid]])
            assert s.reached == best_partner < s.wanted  # a need the partners do not cover
            assert mentor.teaches[s.competence] == s.offered and min(s.offered, s.wanted) > s.reached  # the mentor improves on it
            dd, ee = (person, mentor) if person.side is D else (mentor, person)
            assert exclusion(dd, ee, rules, lines) is None
            mentors_of.setdefault(s.mentor_id, set()).add(pid)
    for mentor, mentees in mentors_of.items():
        assert load.get(mentor, 0) + len(mentees) <= by_id[mentor].capacity


# --- JSON ----------------------------------------------------------------------------------------------------


def test_json_round_trip(tmp_path):
    people, rules = pool(60, 9, competences=45)
    text = json.dumps(people_to_json(people, rules))
    again, rules_again = load_people_json(text)
    assert again == people and rules_again == rules
    result = match(again, rules_again)
    network = suggest_network(again, rules_again, result)
    doc = json.loads(json.dumps(result_to_json(result, network)))
    assert doc["total"] == result.total and doc["optimal"] is True and doc["certificate"]["gap"] == 0
    assert [(p["digital"], p["expert"], p["score"]) for p in doc["pairs"]] == [(p.digital_id, p.expert_id, p.score) for p in result.pairs]
    assert {k: v["reason"] for k, v in doc["unmatched"].items()} == {k: v.value for k, v in result.unmatched.items()}
    assert sum(len(v) for v in doc["network"].values()) == sum(len(v) for v in network.values())
    src, out = tmp_path / "people.json", tmp_path / "pairs.json"
    src.write_text(text, encoding="utf-8")
    assert run(src, out).total == result.total
    assert json.loads(out.read_text(encoding="utf-8"))["pairs"] == doc["pairs"]


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ("[]", "people"),
        ('{"people": [{"id": "a", "side": "digital_mentor"}]}', "people[0].languages"),
        ('{"people": [{"id": "a", "side": "digital_mentor", "languages": ["nl"], "needs": {"digcomp:1.1": {"offer": 9}}}]}', "people[0].offers"),
        ('{"people": [{"id": "a", "side": "digital_mentor", "languages": ["nl"], "needs": {"digcomp:1.1": {"teach": 3}}}]}', "people[0].needs"),
        ('{"people": [{"id": "a", "side": "expert", "languages": ["nl"]}]}', "people[0].side"),
        ('{"people": [], "rules": {"earlier_pairs": [["a"]]}}', "rules.earlier_pairs"),
    ],
)
def test_json_errors_name_the_field(doc, field):
    with pytest.raises(RuleViolation) as err:
        load_people_json(doc)
    assert err.value.field == field
