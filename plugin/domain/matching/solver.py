"""Solve the b-matching exactly and certify it over all pairs: min-cost flow on the candidates (OR-Tools),
integer duals from the optimal flow, column generation until no pair of the pool has a positive reduced
score (see :mod:`plugin.domain.matching.engine`)."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import min_cost_flow

from plugin.domain.matching import tuning
from plugin.domain.matching.problem import Problem
from plugin.domain.matching.scan import Priced, cover, flag_rows, price, scan, scan_rows, sweep

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass
class Outcome:
    rows: NDArray[np.int64]  # matched pairs: digital index, expert index, score
    cols: NDArray[np.int64]
    scores: NDArray[np.int64]
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    dual_bound: int
    certified: bool
    pairs_checked: int
    pairs_scored: int
    candidates: int
    scans: int


def _flow(problem: Problem, r: NDArray[np.int64], c: NDArray[np.int64], s: NDArray[np.int64]) -> NDArray[np.bool_]:
    nd, ne, m = problem.nd, problem.ne, len(r)
    src, snk = nd + ne, nd + ne + 1
    total = int(problem.cap_d.sum())
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([r, np.full(nd, src), nd + np.arange(ne), [src]]).astype(np.int32)
    heads = np.concatenate([nd + c, np.arange(nd), np.full(ne, snk), [snk]]).astype(np.int32)
    caps = np.concatenate([np.ones(m, np.int64), problem.cap_d, problem.cap_e, [total]]).astype(np.int64)
    costs = np.concatenate([-s, np.zeros(nd + ne + 1, np.int64)]).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supply = np.zeros(nd + ne + 2, np.int64)
    supply[src], supply[snk] = total, -total
    flow.set_nodes_supplies(np.arange(nd + ne + 2, dtype=np.int32), supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return flow.flows(np.arange(m, dtype=np.int32)) > 0


def _duals(problem: Problem, r, c, s, x, u0, v0) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Integer duals for the optimal matching x on the candidates (see the module docstring, step 4).

    Potentials pi_d = u_d, pi_e = -v_e, pi_root = 0 with pi_y <= pi_x + w for every arc x -> y:
    unmatched (d, e): d -> e, w = -s;  matched (d, e): e -> d, w = s;  d -> root and root -> e, w = 0
    (u, v >= 0); root -> d and e -> root, w = 0, for people with capacity left (u = 0, v = 0).
    Relaxation from the previous duals converges because an optimal flow leaves no negative cycle."""
    nd, ne = problem.nd, problem.ne
    root = nd + ne
    deg_d = np.bincount(r[x], minlength=nd)
    deg_e = np.bincount(c[x], minlength=ne)
    free_d = np.flatnonzero(deg_d < problem.cap_d)
    free_e = np.flatnonzero(deg_e < problem.cap_e)
    um = ~x
    src = np.concatenate([r[um], nd + c[x], np.arange(nd), np.full(ne, root), np.full(len(free_d), root), nd + free_e])
    dst = np.concatenate([nd + c[um], r[x], np.full(nd, root), nd + np.arange(ne), free_d, np.full(len(free_e), root)])
    w = np.concatenate([-s[um], s[x], np.zeros(nd + ne + len(free_d) + len(free_e), np.int64)])
    order = np.argsort(src, kind="stable")
    src, dst, w = src[order], dst[order], w[order]
    start = np.searchsorted(src, np.arange(root + 2))  # arcs out of node x: start[x] .. start[x + 1]
    dist = np.concatenate([u0, -v0, [0]]).astype(np.int64)
    frontier = np.arange(root + 1)  # relax only the arcs out of the nodes whose distance fell last round
    for _ in range(root + 2):
        lo, n = start[frontier], start[frontier + 1] - start[frontier]
        arcs = np.repeat(lo - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
        head, reach = dst[arcs], dist[src[arcs]] + w[arcs]
        better = reach < dist[head]
        if not better.any():
            break
        head, reach = head[better], reach[better]
        np.minimum.at(dist, head, reach)
        frontier = np.unique(head)
    else:
        raise RuntimeError("negative cycle: the flow is not optimal")
    dist -= dist[root]
    return dist[:nd], -dist[nd:root]


def estimate_prices(problem: Problem) -> NDArray[np.int64] | None:
    """Experts' duals estimated from a random sample of the pool (solved exactly, recursively), then
    completed for every expert: ``v_e = max(0, max over sampled d of score(d, e) - u_d)``. None when the
    pool is small enough to start from zero prices."""
    if problem.nd * problem.ne < tuning.SAMPLE_MIN_PAIRS:
        return None
    rng = np.random.default_rng(problem.nd * 1_000_003 + problem.ne)
    rows = np.sort(rng.choice(problem.nd, max(1, int(problem.nd * tuning.SAMPLE_FRACTION)), replace=False))
    cols = np.sort(rng.choice(problem.ne, max(1, int(problem.ne * tuning.SAMPLE_FRACTION)), replace=False))
    sub = solve(problem.subset(rows, cols))
    problem.sample_scored = sub.pairs_scored + len(rows) * problem.ne
    v = np.zeros(problem.ne, np.int64)
    u_sub = np.zeros(problem.nd, np.int64)
    u_sub[rows] = sub.u
    for part, cols, s in problem.blocks(rows, None, tuning.SWEEP_ELEMENTS):  # pairs left out score 0
        v[cols] = np.maximum(v[cols], (s.astype(np.int32) - u_sub[part][:, None].astype(np.int32)).max(0))
    return v


def solve(problem: Problem, stage: Callable[[str], None] = lambda name: None) -> Outcome:
    """Optimal b-matching of the pool, certified over all pairs (module docstring). ``stage("solving")``
    once the candidates are scored, ``stage("certifying")`` once the pricing of the pairs left out starts
    (large pools only)."""
    nd, ne = problem.nd, problem.ne
    z = np.zeros(0, np.int64)
    u, v = np.zeros(nd, np.int64), np.zeros(ne, np.int64)
    if nd == 0 or ne == 0:
        return Outcome(z, z, z, u, v, 0, True, 0, 0, 0, 0)
    prices = estimate_prices(problem)
    if prices is not None:
        return _solve_swept(problem, prices, stage)
    ref = scan(problem, u, v, z, tuning.K_FIRST, 0)
    stage("solving")
    r, c, s = ref.rows, ref.cols, ref.scores
    pool = (z, z, z)
    scans, scored = 1, nd * ne + problem.sample_scored
    certified = False
    x = np.zeros(0, bool)
    for round_ in range(tuning.MAX_ROUNDS):
        r, c, s, x, u, v, pool = _settle(problem, r, c, s, ref.u, ref.v, pool)
        if round_ == 0:
            stage("certifying")
        keys = np.sort(r * ne + c)
        # every pair the last full scan did not keep has reduced score <= min(bound_row, bound_col)
        # under that scan's duals; with the new duals it can only be positive in the flagged rows
        flagged = flag_rows(u - ref.u, v - ref.v, ref.bound_row, ref.bound_col)
        if len(flagged) <= tuning.FLAG_FRACTION * nd:
            nr, nc, ns = scan_rows(problem, flagged, u, v, keys, tuning.K_PRICE)
            scored += len(flagged) * ne
            if len(nr) == 0:
                certified = True
                break
            r, c, s = np.concatenate([r, nr]), np.concatenate([c, nc]), np.concatenate([s, ns])
            continue
        ref = scan(problem, u, v, keys, tuning.K_PRICE, -tuning.POOL_MARGIN)
        scans += 1
        scored += nd * ne
        hot = ref.scores - u[ref.rows] - v[ref.cols] > 0
        if not hot.any():
            certified = True
            break
        r, c, s = np.concatenate([r, ref.rows[hot]]), np.concatenate([c, ref.cols[hot]]), np.concatenate([s, ref.scores[hot]])
        pool = tuple(np.concatenate([a, b[~hot]]) for a, b in zip(pool, (ref.rows, ref.cols, ref.scores), strict=True))

    return _certificate(problem, r, c, s, x, u, v, certified, scored, scans)


def _solve_swept(problem: Problem, prices: NDArray[np.int64], stage: Callable[[str], None]) -> Outcome:
    """Large pools: one sweep keeps every pair near the estimated prices (candidates and pool); after each
    solve the pool is priced again, and so are the rows and columns whose duals fell far enough below the
    sweep's (:func:`cover`: only there can a pair the sweep did not keep have a positive reduced score)."""
    nd, ne = problem.nd, problem.ne
    ref = sweep(problem, None, prices, tuning.SWEEP_MARGIN)
    scans, scored = 1, nd * ne + problem.sample_scored
    near = ref.scores - ref.u[ref.rows] - ref.v[ref.cols] > -tuning.LP_MARGIN
    r, c, s = ref.rows[near], ref.cols[near], ref.scores[near]
    pr, pc, ps = ref.rows[~near], ref.cols[~near], ref.scores[~near]
    priced = Priced(nd, ne)
    certified = False
    stage("solving")
    certifying = False
    for _ in range(tuning.MAX_ROUNDS):
        x = _flow(problem, r, c, s)
        u, v = _duals(problem, r, c, s, x, ref.u, ref.v)
        # unmatched candidates far below their duals go to the pool; the pool is kept apart from them
        far = ~x & (s - u[r] - v[c] < -tuning.PRUNE_MARGIN)
        pr, pc, ps = np.concatenate([pr, r[far]]), np.concatenate([pc, c[far]]), np.concatenate([ps, s[far]])
        r, c, s, x = r[~far], c[~far], s[~far], x[~far]
        red = ps - u[pr] - v[pc]
        if not (red > 0).any():  # the pool is clean: price what the sweep did not keep and could now matter
            if not certifying:
                certifying = True
                stage("certifying")
            rows, cols = priced.stale(*cover(u - ref.u, v - ref.v, ref.margin), u, v)
            if len(rows) * ne + len(cols) * nd > tuning.COVER_FRACTION * nd * ne:
                ref = sweep(problem, u, v, tuning.SWEEP_MARGIN)  # the duals went far: sweep again around them
                priced = Priced(nd, ne)
                scans += 1
                scored += nd * ne
                pr, pc, ps = ref.rows, ref.cols, ref.scores
            else:
                nr, nc, ns = price(problem, rows, cols, u, v, -tuning.PRICE_MARGIN)
                priced.record(rows, cols, u, v)
                scored += len(rows) * ne + len(cols) * nd
                # the pricing returned every pair of those rows and columns that the pool needs (the
                # others are below -PRICE_MARGIN, which ``priced`` remembers): replace them
                again = np.zeros(nd, bool)
                again[rows] = True
                stay = ~again[pr]
                again = np.zeros(ne, bool)
                again[cols] = True
                stay &= ~again[pc]
                pr, pc, ps = np.concatenate([pr[stay], nr]), np.concatenate([pc[stay], nc]), np.concatenate([ps[stay], ns])
            keys = np.sort(r * ne + c)  # candidates stay out of the pool
            new = pr * ne + pc
            at = np.minimum(np.searchsorted(keys, new), len(keys) - 1)
            live = keys[at] != new
            pr, pc, ps = pr[live], pc[live], ps[live]
            red = ps - u[pr] - v[pc]
            if not (red > 0).any():
                certified = True
                break
        hot = red > -tuning.ADD_MARGIN  # take the nearly violating ones too: fewer re-solves
        r, c, s = np.concatenate([r, pr[hot]]), np.concatenate([c, pc[hot]]), np.concatenate([s, ps[hot]])
        pr, pc, ps = pr[~hot], pc[~hot], ps[~hot]
    return _certificate(problem, r, c, s, x, u, v, certified, scored, scans)


def _certificate(problem: Problem, r, c, s, x, u, v, certified: bool, scored: int, scans: int) -> Outcome:
    """The outcome, with the certificate checked in exact integer arithmetic."""
    nd, ne = problem.nd, problem.ne
    slack = s - u[r] - v[c]
    ok = bool(len(np.unique(r * ne + c)) == len(r) and (u >= 0).all() and (v >= 0).all() and (slack[~x] <= 0).all() and (slack[x] >= 0).all())
    total = int(s[x].sum())
    dual_bound = int((problem.cap_d * u).sum() + (problem.cap_e * v).sum() + slack[x].sum())
    return Outcome(
        rows=r[x],
        cols=c[x],
        scores=s[x],
        u=u,
        v=v,
        dual_bound=dual_bound,
        certified=certified and ok and dual_bound == total,
        pairs_checked=nd * ne if certified else 0,
        pairs_scored=scored,
        candidates=len(r),
        scans=scans,
    )


def _settle(problem: Problem, r, c, s, u_ref, v_ref, pool):
    """Solve on the candidates, then keep the LP small and the pool honest: unmatched candidates whose
    reduced score fell below -PRUNE_MARGIN move to the pool, pool pairs whose reduced score is positive
    (or nearly) move to the candidates, and solve again, until no pool pair has a positive reduced
    score. The duals are the ones closest to (u_ref, v_ref), the duals of the last full scan (the
    Bellman-Ford relaxation starts there), which keeps the bound check of ``solve`` sharp."""
    ne = problem.ne
    pr, pc, ps = pool
    if len(pr):
        keys, first = np.unique(pr * ne + pc, return_index=True)
        live = first[~np.isin(keys, r * ne + c)]
        pr, pc, ps = pr[live], pc[live], ps[live]
    while True:
        x = _flow(problem, r, c, s)
        u, v = _duals(problem, r, c, s, x, u_ref, v_ref)
        far = ~x & (s - u[r] - v[c] < -tuning.PRUNE_MARGIN)
        pr, pc, ps = np.concatenate([pr, r[far]]), np.concatenate([pc, c[far]]), np.concatenate([ps, s[far]])
        r, c, s, x = r[~far], c[~far], s[~far], x[~far]
        hot = ps - u[pr] - v[pc] > 0
        if not hot.any():
            return r, c, s, x, u, v, (pr, pc, ps)
        hot = ps - u[pr] - v[pc] > -tuning.ADD_MARGIN  # take the nearly violating ones too: fewer re-solves
        r, c, s = np.concatenate([r, pr[hot]]), np.concatenate([c, pc[hot]]), np.concatenate([s, ps[hot]])
        pr, pc, ps = pr[~hot], pc[~hot], ps[~hot]
