"""The whole pool at once: :func:`match` (through the vectorised engine, loaded on first use) and the
greedy baseline at any scale."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from plugin.domain.matching.explain import explain_pair, unmatched_reason
from plugin.domain.matching.model import SCALE, WISH_BONUS, Person, Rules
from plugin.domain.matching.outcome import Certificate, Pair, Result, Unmatched
from plugin.domain.matching.rules import reporting_lines
from plugin.domain.matching.scores import split_sides


def greedy_baseline(people: Sequence[Person], rules: Rules = Rules()) -> int:
    """The greedy baseline at any scale: the total of :func:`greedy_total` over *all* pairs of the pool
    (descending score, ties by the order of the people in the input), computed without listing them all."""
    from plugin.domain.matching import engine  # numpy / OR-Tools, loaded on first use

    digital, experts = split_sides(people)
    problem = engine.build([p for p in digital if p.capacity > 0], [p for p in experts if p.capacity > 0], rules, reporting_lines(people, rules))
    return engine.greedy(problem)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects (it would rescan the whole
    pool again and again; nothing built here forms a cycle)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: the stages :func:`match` reports to its ``progress`` callback, with the percentage reached at each:
#: scoring candidate pairs (encoding, prices, the sweep), solving (min-cost flows on the candidates),
#: certifying optimality (pricing what the sweep left out; re-solves if it finds a pair), explaining
STAGES: tuple[tuple[str, int], ...] = (("scoring", 10), ("solving", 45), ("certifying", 70), ("explaining", 85))
#: share of the time of :func:`match` each stage takes on a large pool (measured with benchmarks/matching.py)
STAGE_SHARES: dict[str, float] = {"scoring": 0.4, "solving": 0.3, "certifying": 0.1, "explaining": 0.2}


def expected_seconds(participants: int) -> float:
    """What :func:`match` takes for a pool of that size on a 2-core machine (benchmarks/matching.py): the
    prior of a time estimate, before any stage has been measured."""
    return 0.1 + 1.3 * (participants / 10_000) ** 1.5  # 1.4 s at 10,000, 14.6 s at 50,000


def match(people: Sequence[Person], rules: Rules = Rules(), progress: Callable[[str, int], None] | None = None) -> Result:
    """Solve the whole pool at once: the b-matching of maximal total score, with a certificate of optimality.

    Every pair respects the hard rules, the vetoes and both capacities; every participant without a partner
    gets an :class:`Unmatched` reason. ``progress(stage, percent)`` is called at each of :data:`STAGES`.
    Each stage is reported once, in order.
    Raises :class:`~plugin.domain.errors.RuleViolation` on invalid input.
    """
    from plugin.domain.matching import engine  # numpy / OR-Tools, loaded on first use

    with _no_gc():
        return _match(people, rules, engine, progress or (lambda stage, percent: None))


def _match(people: Sequence[Person], rules: Rules, engine: Any, progress: Callable[[str, int], None]) -> Result:
    digital, experts = split_sides(people)
    lines = reporting_lines(people, rules)
    d_pool = [p for p in digital if p.capacity > 0]
    e_pool = [p for p in experts if p.capacity > 0]
    progress(*STAGES[0])
    problem = engine.build(d_pool, e_pool, rules, lines)
    outcome = engine.solve(problem, lambda stage: progress(*STAGES[1 if stage == "solving" else 2]))
    progress(*STAGES[3])

    pairs = []
    for r, c, s in zip(outcome.rows.tolist(), outcome.cols.tolist(), outcome.scores.tolist(), strict=True):
        d, e = d_pool[r], e_pool[c]
        explanation, check = explain_pair(d, e)
        if check != s:  # the vectorised and the reference score must agree exactly
            raise AssertionError(f"engine score {s} != reference score {check} for ({d.id}, {e.id})")
        pairs.append(Pair(d.id, e.id, s, explanation))
    pairs.sort(key=lambda p: (-p.score, p.digital_id, p.expert_id))

    unmatched: dict[str, Unmatched] = {p.id: Unmatched.NO_CAPACITY for p in people if p.capacity == 0}
    matched = {p.digital_id for p in pairs} | {p.expert_id for p in pairs}
    rows = [i for i, p in enumerate(d_pool) if p.id not in matched]
    cols = [j for j, p in enumerate(e_pool) if p.id not in matched]
    for pool, index, reach in ((d_pool, rows, problem.reach(rows, "rows")), (e_pool, cols, problem.reach(cols, "cols"))):
        for i, flags in zip(index, reach, strict=True):
            unmatched[pool[i].id] = unmatched_reason(pool[i], flags, bool(e_pool) if pool is d_pool else bool(d_pool))

    total = sum(p.score for p in pairs)
    duals = {p.id: int(x) for p, x in zip(d_pool, outcome.u.tolist(), strict=True)}
    duals.update({p.id: int(x) for p, x in zip(e_pool, outcome.v.tolist(), strict=True)})
    # capacity 0: any dual costs nothing (capacity * dual = 0), and this one covers every pair of theirs
    duals.update({p.id: SCALE + 2 * WISH_BONUS for p in people if p.capacity == 0})
    certificate = Certificate(
        dual_bound=outcome.dual_bound,
        pairs_checked=outcome.pairs_checked,
        pairs_scored=outcome.pairs_scored,
        candidates=outcome.candidates,
        full_scans=outcome.scans,
        duals=duals,
    )
    return Result(
        pairs=tuple(pairs),
        unmatched=dict(sorted(unmatched.items())),
        total=total,
        optimal=outcome.certified and outcome.dual_bound == total,
        certificate=certificate,
    )
