"""The exact global greedy baseline over all pairs of a pool, without sorting them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from plugin.domain.matching.problem import Problem
from plugin.domain.matching.scan import scan

if TYPE_CHECKING:
    from numpy.typing import NDArray


def greedy(problem: Problem, k: int = 32) -> int:
    """The exact global greedy baseline: go through *all* pairs by descending score (ties: digital index,
    then expert index) and take a pair while both still have capacity; returns its total.

    Without sorting all pairs: scans keep every person's k best pairs among those with capacity left, with
    a bound on the score of the pairs not kept. A kept pair whose score beats both bounds is "certain":
    every pair ranked above it at either end is kept too. A certain pair that is among the first
    ``capacity left`` of the remaining pairs at both ends is taken by greedy whatever happens before it, so
    all such pairs are taken at once; repeat, and rescan the people with capacity left when none is."""
    left_d, left_e = problem.cap_d.copy(), problem.cap_e.copy()
    total, width = 0, k
    taken: list[NDArray[np.int64]] = []
    while True:
        rows, cols = np.flatnonzero(left_d > 0), np.flatnonzero(left_e > 0)
        if len(rows) == 0 or len(cols) == 0:
            return total
        sub = problem.subset(rows, cols)
        done = np.concatenate(taken) if taken else np.zeros(0, np.int64)  # a pair is taken once
        td, te = done // problem.ne, done % problem.ne
        inside = (left_d[td] > 0) & (left_e[te] > 0)
        local = np.sort(np.searchsorted(rows, td[inside]) * len(cols) + np.searchsorted(cols, te[inside]))
        found = scan(sub, np.zeros(len(rows), np.int64), np.zeros(len(cols), np.int64), local, width, 0)
        if len(found.rows) == 0:
            return total
        d, e, s = rows[found.rows], cols[found.cols], found.scores
        sure = (s > found.bound_row[found.rows]) & (s > found.bound_col[found.cols])
        order = np.lexsort((e, d, -s))  # greedy order
        d, e, s, sure = d[order], e[order], s[order], sure[order]
        rank = np.arange(len(d))
        before = total
        while len(d):
            by_d = np.lexsort((rank, d))
            pos_d = np.empty(len(d), np.int64)
            pos_d[by_d] = np.arange(len(d)) - np.searchsorted(d[by_d], d[by_d])
            by_e = np.lexsort((rank, e))
            pos_e = np.empty(len(e), np.int64)
            pos_e[by_e] = np.arange(len(e)) - np.searchsorted(e[by_e], e[by_e])
            # a pair is safe at an end when all pairs ranked above it there are known: every one up to
            # it is certain (an uncertain pair may hide unknown pairs above the next ones)
            safe_d = np.empty(len(d), bool)
            safe_d[by_d] = _prefix_all(sure[by_d], d[by_d])
            safe_e = np.empty(len(e), bool)
            safe_e[by_e] = _prefix_all(sure[by_e], e[by_e])
            take = safe_d & safe_e & (pos_d < left_d[d]) & (pos_e < left_e[e])
            if not take.any():
                break
            total += int(s[take].sum())
            taken.append(d[take] * problem.ne + e[take])
            np.subtract.at(left_d, d[take], 1)
            np.subtract.at(left_e, e[take], 1)
            live = ~take & (left_d[d] > 0) & (left_e[e] > 0)
            d, e, s, sure, rank = d[live], e[live], s[live], sure[live], rank[live]
        # stuck only when ties at the top outnumber the lists: look deeper, else back to k
        width = k if total > before else width * 2


def _prefix_all(flags: NDArray[np.bool_], groups: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Within each run of equal ``groups`` (sorted), whether every flag up to and including this one is true."""
    bad = np.cumsum(~flags)
    start = np.searchsorted(groups, groups)
    before = np.where(start > 0, bad[start - 1], 0)
    return bad - before == 0
