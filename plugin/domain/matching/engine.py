"""Vectorised core of the matching engine: exact scores by blocks, min-cost flow, duals, pricing.

Internal to :mod:`plugin.domain.matching` (use its :func:`~plugin.domain.matching.match`). numpy and
OR-Tools only; no Flask, no database. This module is the engine's front: :func:`build` (``encode``),
:func:`solve` (``solver``: flow, duals, pricing, over the ``scan`` module), :func:`greedy` (``greedy``);
:class:`Problem` (``problem``) is the encoded pool; ``tuning`` holds the constants.

How the whole pool is solved exactly without ever holding the n_d x n_e score matrix:

1. **Scores as one matrix product.** With ``[current < k <= want]`` (learner) and ``[offer >= k]`` (teacher)
   indicator features per competence and level k = 1..8, ``sum_k`` of their products is exactly
   ``max(0, min(offer, want) - current)``. One float32 product of the digital mentors' features with the
   experts' gives, for a block of rows, ``X = (A * NB + B) * NL + shared_languages`` (all small integers,
   exact in float32), and a lookup table turns X into the integer score. Vetoes, earlier pairs and reporting
   lines (explicit, sparse) zero their pairs; wishes add their bonus. Sweeps and pricings go through
   ``Problem.blocks``: under the language rule the rows are grouped by the set of languages they speak and
   each group is multiplied only with the experts sharing one (the other pairs score 0).
2. **Candidates.** Small pools: a *scan* goes over all pairs block by block and keeps, for every person,
   the k pairs of largest reduced score ``score - u[d] - v[e]`` (from u = v = 0), and bounds the reduced
   score of every pair it did not keep (per row and per column); ties are broken by a fixed pseudo-random
   low-order noise, which only changes which equal pairs are kept. Large pools: experts' prices are
   estimated on a random sample of the pool (solved exactly by this same method), every digital mentor
   takes the best response to them, and one *sweep* scores every pair once, keeping every pair whose
   reduced score is above ``-SWEEP_MARGIN`` (a threshold per row: no sorting). Every pair it did not keep
   has reduced score <= -SWEEP_MARGIN under the sweep's duals.
3. **Solve** the b-matching on the candidates exactly: min-cost flow (OR-Tools, C++), source -> d
   (capacity b_d) -> e (capacity 1, cost -score) -> sink (capacity b_e), plus a source -> sink bypass so
   that leaving capacity unused is allowed.
4. **Duals** from the optimal flow: integer ``u_d, v_e >= 0`` with ``u + v >= score`` for unmatched
   candidates, ``u + v <= score`` for matched ones and ``u = 0`` for anyone with capacity left: a system of
   difference constraints on the residual graph, solved by a vectorised Bellman-Ford (relaxing only the
   arcs out of the nodes whose distance fell) that starts from the last scan's duals, so the new duals
   stay close to them.
5. **Pricing** (column generation). Kept pairs that are not candidates form a pool, re-priced after every
   solve; positive ones become candidates and the flow is solved again. Small pools: the last scan's
   bounds, shifted by how much the duals moved since, leave only a few rows that could still hold a pair
   with a positive reduced score (``flag_rows``); those rows are priced exactly (or, if too many, every
   pair is scanned again). Large pools: a pair the sweep did not keep can only have a positive reduced
   score if ``du[d] + dv[e] < -SWEEP_MARGIN`` (du, dv: how far the duals moved since the sweep), so
   pricing the rows ``du < -t`` against every expert and every digital mentor against the columns
   ``dv < -(SWEEP_MARGIN - t)`` covers them all (``cover``, t chosen to price the fewest pairs); a row or
   column priced once is priced again only when its duals fell by more than ``PRICE_MARGIN`` since
   (``Priced``). When none has one, every pair of the *whole* pool satisfies ``score <= u + v`` unless
   matched, the dual bound equals the total, and the matching is optimal for all pairs: the certificate.
"""

from __future__ import annotations

from plugin.domain.matching.encode import build
from plugin.domain.matching.greedy import greedy
from plugin.domain.matching.problem import Problem
from plugin.domain.matching.solver import Outcome, solve

__all__ = ["Outcome", "Problem", "build", "greedy", "solve"]
