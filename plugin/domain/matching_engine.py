"""Vectorised core of the matching engine: exact scores by blocks, min-cost flow, duals, pricing.

Internal to :mod:`plugin.domain.matching` (use its :func:`~plugin.domain.matching.match`). numpy and
OR-Tools only; no Flask, no database.

How the whole pool is solved exactly without ever holding the n_d x n_e score matrix:

1. **Scores as one matrix product.** With ``[current < k <= want]`` (learner) and ``[offer >= k]`` (teacher)
   indicator features per competence and level k = 1..8, ``sum_k`` of their products is exactly
   ``max(0, min(offer, want) - current)``. One float32 product of the digital mentors' features with the
   experts' gives, for a block of rows, ``X = (A * NB + B) * NL + shared_languages`` (all small integers,
   exact in float32), and a lookup table turns X into the integer score. Vetoes, earlier pairs and reporting
   lines (explicit, sparse) zero their pairs; wishes add their bonus.
2. **Candidates.** A *scan* goes over all pairs block by block and keeps, for every person, the k pairs of
   largest reduced score ``score - u[d] - v[e]``, and bounds the reduced score of every pair it did not keep
   (per row and per column). Ties are broken by a fixed pseudo-random low-order noise, which only changes
   which equal pairs are kept. Small pools start from u = v = 0; large ones from experts' prices estimated
   on a random sample of the pool (solved exactly by this same method) and the digital mentors' best
   responses to them.
3. **Solve** the b-matching on the candidates exactly: min-cost flow (OR-Tools, C++), source -> d
   (capacity b_d) -> e (capacity 1, cost -score) -> sink (capacity b_e), plus a source -> sink bypass so
   that leaving capacity unused is allowed.
4. **Duals** from the optimal flow: integer ``u_d, v_e >= 0`` with ``u + v >= score`` for unmatched
   candidates, ``u + v <= score`` for matched ones and ``u = 0`` for anyone with capacity left: a system of
   difference constraints on the residual graph, solved by a vectorised Bellman-Ford that starts from the
   last scan's duals (so the new duals stay close to them).
5. **Pricing** (column generation). Kept pairs that are not candidates form a pool, re-priced after every
   solve; positive ones become candidates and the flow is solved again. Then the last scan's bounds, shifted
   by how much the duals moved since, leave only a few rows that could still hold a pair with a positive
   reduced score (``_flag_rows``, O(n log n)); those rows are priced exactly (or, if too many, every pair
   is scanned again). When none has one, every pair of the *whole* pool satisfies ``score <= u + v`` unless
   matched, the dual bound equals the total, and the matching is optimal for all pairs: the certificate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import min_cost_flow

from plugin.domain.errors import RuleViolation
from plugin.domain.matching import (
    DIGITAL_COMPETENCES,
    DIRECTION_CAP,
    EXPERTISE_COMPETENCES,
    MAX_LEVEL,
    SCALE,
    WISH_BONUS,
    Person,
    Rules,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

BLOCK_ELEMENTS = 1 << 22  # pairs scored per block: bounds the scans' working memory (~100 MB)
K_FIRST = 8  # small pools: pairs kept per person in the first scan (raw scores)
K_POOL = 48  # large pools: pairs kept per person in the first scan (reduced scores under estimated prices)
K_PRICE = 12  # pairs kept per person in a pricing scan
POOL_MARGIN = 300  # a scan keeps pairs with reduced score > -POOL_MARGIN (the pool, re-priced after every solve)
LP_MARGIN = 60  # of those, the first solve takes the pairs with reduced score > -LP_MARGIN
PRUNE_MARGIN = 60  # unmatched candidates with reduced score < -PRUNE_MARGIN go back to the pool
ADD_MARGIN = 30  # when a pool pair turns positive, pool pairs with reduced score > -ADD_MARGIN join the candidates
FLAG_FRACTION = 0.3  # above this share of flagged rows, scan every pair again
SAMPLE_MIN_PAIRS = 4_000_000  # pools with more pairs start from prices estimated on a sample
SAMPLE_FRACTION = 0.2  # of each side
MAX_ROUNDS = 60


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


@dataclass
class Scan:
    rows: NDArray[np.int64]  # kept pairs and their exact scores
    cols: NDArray[np.int64]
    scores: NDArray[np.int64]
    u: NDArray[np.int64]  # the duals of the scan
    v: NDArray[np.int64]
    bound_row: NDArray[np.int64]  # reduced score (under u, v) of a pair not kept <= min(bound_row[d], bound_col[e])
    bound_col: NDArray[np.int64]


def _nonzero(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``np.nonzero`` of a sparse 2-D boolean array, several times faster: finds the non-zero 8-byte words first."""
    flat = mask.reshape(-1)
    body = flat.size - flat.size % 8
    words = np.flatnonzero(flat[:body].view(np.uint64))
    pos = (words[:, None] * 8 + np.arange(8)).reshape(-1)
    pos = np.concatenate([pos[flat[pos]], body + np.flatnonzero(flat[body:])])
    return np.divmod(pos, mask.shape[1])


def _merge_top(top: NDArray[np.int16], cols: NDArray[np.int64], vals: NDArray[np.int16], k: int) -> tuple[NDArray[np.int16], NDArray[np.int16]]:
    """Fold new values into the per-column k largest; returns (top, max(0, k-th largest))."""
    order = np.argsort(cols, kind="stable")
    cols, vals = cols[order], vals[order]
    touched, start, count = np.unique(cols, return_index=True, return_counts=True)
    width = k + int(count.max())
    pad = np.full((len(touched), width), -1, np.int16)
    pad[:, :k] = top[touched]
    slot = np.repeat(np.arange(len(touched)), count)
    pad[slot, k + np.arange(len(cols)) - np.repeat(start, count)] = vals
    top = top.copy()
    top[touched] = np.partition(pad, width - k, axis=1)[:, width - k :]
    return top, np.maximum(top.min(1), 0).astype(np.int16)


def _flag_rows(du: NDArray[np.int64], dv: NDArray[np.int64], bound_row: NDArray[np.int64], bound_col: NDArray[np.int64]) -> NDArray[np.int64]:
    """Rows d for which some column e has du[d] + dv[e] < min(bound_row[d], bound_col[e]): only there can a
    pair the scan did not keep have a positive reduced score now. O((n_d + n_e) log n_e)."""
    order = np.argsort(dv, kind="stable")
    dv_sorted = dv[order]
    prefix_min = np.minimum.accumulate(dv_sorted - bound_col[order])
    n = np.searchsorted(dv_sorted, bound_row - du, side="left")  # columns with dv < bound_row[d] - du[d]
    hit = n > 0
    hit[hit] = prefix_min[n[hit] - 1] < -du[hit]  # ... and dv[e] - bound_col[e] < -du[d]
    return np.flatnonzero(hit)


def _levels(people: Sequence[Person], keys: Sequence[str], attr: str) -> NDArray[np.int8]:
    col = {k: i for i, k in enumerate(keys)}
    out = np.zeros((len(people), len(keys)), np.int8)
    entries = [(i, col[k], level) for i, p in enumerate(people) for k, level in getattr(p, attr).items() if k in col]
    if entries:
        i, j, level = np.array(entries, np.int64).T
        out[i, j] = level
    return out


def _ancestors(ids: Sequence[str], managers: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Management chain of each id (manager, their manager, ...), memoised; the same as
    :func:`plugin.domain.matching._chain`, and like it refuses a cycle."""
    memo: dict[str, tuple[str, ...]] = {}
    for start in ids:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in memo:
            if node in on_path:
                raise RuleViolation(f"reporting lines form a cycle through {node!r}", "manager")
            on_path.add(node)
            path.append(node)
            node = managers.get(node)
        tail = memo[node] if node is not None else ()
        parent = node
        for x in reversed(path):
            memo[x] = (parent, *tail) if parent is not None else ()
            tail, parent = memo[x], x
    return memo


def _learner(want: NDArray[np.int8], current: NDArray[np.int8]) -> NDArray[np.float32]:
    k = np.arange(1, MAX_LEVEL + 1, dtype=np.int8)
    f = (current[:, :, None] < k) & (k <= want[:, :, None])
    return f.reshape(len(want), want.shape[1] * MAX_LEVEL).astype(np.float32)


def _teacher(offer: NDArray[np.int8]) -> NDArray[np.float32]:
    k = np.arange(1, MAX_LEVEL + 1, dtype=np.int8)
    return (offer[:, :, None] >= k).reshape(len(offer), offer.shape[1] * MAX_LEVEL).astype(np.float32)


def _merge_identical(left: NDArray[np.float32], right: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Columns of ``right`` that are identical can share one column: sum the matching ``left`` columns.
    ``left @ right.T`` is unchanged (exactly: all entries are small integers)."""
    rows = np.ascontiguousarray(right.T)
    groups: dict[bytes, int] = {}
    inverse = [groups.setdefault(rows[f].tobytes(), len(groups)) for f in range(len(rows))]
    if len(groups) == len(rows):
        return left, right
    merged = np.zeros((left.shape[0], len(groups)), np.float32)
    first = np.zeros(len(groups), np.int64)
    for f, g in reversed(list(enumerate(inverse))):
        merged[:, g] += left[:, f]
        first[g] = f
    return merged, np.ascontiguousarray(rows[first].T)


def _base_scores(na: int, nb: int) -> NDArray[np.int64]:
    a = np.minimum(np.arange(na, dtype=np.int64), DIRECTION_CAP)[:, None]
    b = np.minimum(np.arange(nb, dtype=np.int64), DIRECTION_CAP)[None, :]
    num, den = 2 * SCALE * a * b, DIRECTION_CAP * (a + b)
    return np.where((a > 0) & (b > 0), (2 * num + den) // np.maximum(2 * den, 1), 0)


def build(digital: Sequence[Person], experts: Sequence[Person], rules: Rules, managers: Mapping[str, str]) -> Problem:
    """Encode a pool (people with capacity > 0) for the engine."""
    want_d = _levels(digital, EXPERTISE_COMPETENCES, "wants")
    cur_d = _levels(digital, EXPERTISE_COMPETENCES, "current")
    offer_d = _levels(digital, DIGITAL_COMPETENCES, "offers")
    offer_e = _levels(experts, EXPERTISE_COMPETENCES, "offers")
    want_e = _levels(experts, DIGITAL_COMPETENCES, "wants")
    cur_e = _levels(experts, DIGITAL_COMPETENCES, "current")
    learn_d, teach_d = _learner(want_d, cur_d), _teacher(offer_d)
    teach_e, learn_e = _teacher(offer_e), _learner(want_e, cur_e)
    max_a = int(min(learn_d.sum(1).max(initial=0), teach_e.sum(1).max(initial=0)))
    max_b = int(min(teach_d.sum(1).max(initial=0), learn_e.sum(1).max(initial=0)))
    na, nb = max_a + 1, max_b + 1

    if rules.shared_language:
        langs = sorted({x for p in (*digital, *experts) for x in p.languages})
        col = {x: i for i, x in enumerate(langs)}
        lang_d = np.zeros((len(digital), len(langs)), np.float32)
        lang_e = np.zeros((len(experts), len(langs)), np.float32)
        for m, group in ((lang_d, digital), (lang_e, experts)):
            pairs = [(i, col[x]) for i, p in enumerate(group) for x in p.languages]
            if pairs:
                m[tuple(np.array(pairs).T)] = 1
        nl = int(min(lang_d.sum(1).max(initial=0), lang_e.sum(1).max(initial=0))) + 1
    else:
        lang_d = np.zeros((len(digital), 0), np.float32)
        lang_e = np.zeros((len(experts), 0), np.float32)
        nl = 1
    if na * nb * nl >= 1 << 24:
        raise ValueError("score index does not fit float32 exactly")  # cannot happen with 8 levels and <= 20 languages

    left = np.hstack([learn_d, teach_d, lang_d])
    right = np.hstack([teach_e * (nb * nl), learn_e * nl, lang_e])
    keep = left.any(0) & right.any(0)
    left, right = left[:, keep], right[:, keep]
    left, right = _merge_identical(left, right)
    right, left = _merge_identical(right, left)

    lut = np.repeat(_base_scores(na, nb)[:, :, None], nl, axis=2)
    if rules.shared_language:
        lut[:, :, 0] = 0
    lut16 = lut.reshape(-1).astype(np.int16)

    # explicit pairs: forbidden (vetoes, earlier pairs, reporting lines) and wishes
    di = {p.id: i for i, p in enumerate(digital)}
    ei = {p.id: i for i, p in enumerate(experts)}
    forbidden: set[tuple[int, int]] = set()
    for p in digital:
        forbidden.update((di[p.id], ei[q]) for q in p.vetoes if q in ei)
    for p in experts:
        forbidden.update((di[q], ei[p.id]) for q in p.vetoes if q in di)
    if rules.exclude_earlier:
        for pair in rules.earlier_pairs:
            a, b = tuple(pair)
            if a in di and b in ei:
                forbidden.add((di[a], ei[b]))
            elif b in di and a in ei:
                forbidden.add((di[b], ei[a]))
    if rules.no_reporting_line:
        by_manager: dict[str, tuple[list[int], list[int]]] = {}
        chains = _ancestors([p.id for p in (*digital, *experts)], managers)
        for p in digital:
            for boss in chains[p.id]:
                if boss in ei:
                    forbidden.add((di[p.id], ei[boss]))
            if p.id in managers:
                by_manager.setdefault(managers[p.id], ([], []))[0].append(di[p.id])
        for p in experts:
            for boss in chains[p.id]:
                if boss in di:
                    forbidden.add((di[boss], ei[p.id]))
            if p.id in managers:
                by_manager.setdefault(managers[p.id], ([], []))[1].append(ei[p.id])
        for ds, es in by_manager.values():
            forbidden.update((d, e) for d in ds for e in es)
    bonus: dict[tuple[int, int], int] = {}
    for p in digital:
        for q in p.wishes:
            if q in ei:
                bonus[(di[p.id], ei[q])] = bonus.get((di[p.id], ei[q]), 0) + WISH_BONUS
    for p in experts:
        for q in p.wishes:
            if q in di:
                bonus[(di[q], ei[p.id])] = bonus.get((di[q], ei[p.id]), 0) + WISH_BONUS
    ne = len(experts)
    adjust = {key: -1 for key in forbidden}
    adjust.update({key: b for key, b in bonus.items() if key not in forbidden})
    keys = np.array([d * ne + e for d, e in adjust], np.int64)
    vals = np.array(list(adjust.values()), np.int64)
    order = np.argsort(keys)
    return Problem(
        left=np.ascontiguousarray(left),
        right=np.ascontiguousarray(right),
        lut=lut16,
        nb=nb,
        nl=nl,
        cap_d=np.array([p.capacity for p in digital], np.int64),
        cap_e=np.array([p.capacity for p in experts], np.int64),
        adj_keys=keys[order],
        adj_vals=vals[order],
        language_rule=rules.shared_language,
    )


class Problem:
    """An encoded pool: rows are digital mentors, columns senior experts."""

    def __init__(self, *, left, right, lut, nb, nl, cap_d, cap_e, adj_keys, adj_vals, language_rule) -> None:
        self.left = left  # n_d x F float32
        self.right = right  # n_e x F float32
        self.right_t = np.ascontiguousarray(right.T)  # F x n_e, for the block products
        self.lut, self.nb, self.nl = lut, nb, nl
        self.cap_d, self.cap_e = cap_d, cap_e
        self.nd, self.ne = len(cap_d), len(cap_e)
        self.adj_keys, self.adj_vals = adj_keys, adj_vals  # sorted keys d * n_e + e; -1 = forbidden, else bonus
        self.language_rule = language_rule
        self.max_score = int(lut.max(initial=0)) + 2 * WISH_BONUS
        self.block = max(1, min(self.nd, BLOCK_ELEMENTS // max(self.ne, 1)))
        self._noise: NDArray[np.int16] | None = None
        self.sample_scored = 0  # pairs scored to estimate the prices

    def subset(self, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> Problem:
        """The sub-pool of some digital mentors (rows) and experts (cols), re-indexed 0.."""
        rmap = np.full(self.nd, -1, np.int64)
        cmap = np.full(self.ne, -1, np.int64)
        rmap[rows], cmap[cols] = np.arange(len(rows)), np.arange(len(cols))
        d, e = self.adj_keys // self.ne, self.adj_keys % self.ne
        keep = (rmap[d] >= 0) & (cmap[e] >= 0)
        keys = rmap[d[keep]] * len(cols) + cmap[e[keep]]
        order = np.argsort(keys)
        return Problem(
            left=self.left[rows], right=self.right[cols], lut=self.lut, nb=self.nb, nl=self.nl,
            cap_d=self.cap_d[rows], cap_e=self.cap_e[cols], adj_keys=keys[order], adj_vals=self.adj_vals[keep][order],
            language_rule=self.language_rule,
        )

    # --- exact scores ---

    def row_scores(self, rows: slice | NDArray[np.int64]) -> NDArray[np.int16]:
        """Exact scores of some digital mentors (a slice or an index array) against every expert (int16)."""
        x = self.left[rows] @ self.right_t
        s = self.lut[x.astype(np.int32)]
        if len(self.adj_keys):
            ids = np.arange(self.nd)[rows]
            lo = np.searchsorted(self.adj_keys, ids * self.ne)
            hi = np.searchsorted(self.adj_keys, (ids + 1) * self.ne)
            n = hi - lo
            if n.any():
                local = np.repeat(np.arange(len(ids)), n)
                pos = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
                c, vals = self.adj_keys[pos] % self.ne, self.adj_vals[pos]
                cur = s[local, c]
                s[local, c] = np.where((vals < 0) | (cur <= 0), 0, cur + vals)
        return s

    def scores(self, r: NDArray[np.int64], c: NDArray[np.int64]) -> NDArray[np.int64]:
        """Exact scores of the pairs (r[k], c[k])."""
        if len(r) == 0:
            return np.zeros(0, np.int64)
        x = np.einsum("ij,ij->i", self.left[r], self.right[c])
        s = self.lut[x.astype(np.int32)].astype(np.int64)
        if len(self.adj_keys) == 0:
            return s
        keys = r * self.ne + c
        pos = np.minimum(np.searchsorted(self.adj_keys, keys), len(self.adj_keys) - 1)
        val = np.where(self.adj_keys[pos] == keys, self.adj_vals[pos], 0)
        return np.where(val < 0, 0, np.where(s > 0, s + val, 0))

    # --- scans ---

    def _ragged(self, keys: NDArray[np.int64], ids: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Entries of the sorted pair keys that fall in the rows ``ids``: (position in ids, column)."""
        lo = np.searchsorted(keys, ids * self.ne)
        hi = np.searchsorted(keys, (ids + 1) * self.ne)
        n = hi - lo
        pos = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
        return np.repeat(np.arange(len(ids)), n), keys[pos] % self.ne

    def scan(self, u: NDArray[np.int64] | None, v: NDArray[np.int64], exclude: NDArray[np.int64], k: int, floor: int) -> Scan:
        """Score every pair once, block by block, and keep for every person the k pairs of largest reduced
        score ``score - u_d - v_e`` among those > ``floor``, skipping the pairs whose key (d * n_e + e) is
        in ``exclude`` (sorted). ``u=None``: each digital mentor's best response to ``v``,
        ``u_d = max(0, max_e score - v_e)``. Also returns, per row and per column, an upper bound on the
        reduced score of every pair it did not keep (excluded pairs aside)."""
        nd, ne = self.nd, self.ne
        shift = -floor - 1  # reduced > floor  <=>  reduced + shift >= 0
        if (self.max_score + shift + 1) * 16 + 16 > 32767:
            raise ValueError("scan margin too large for int16")
        if self._noise is None:  # fixed pseudo-random tie-breaking, in the low 4 bits
            self._noise = np.random.default_rng(20240607).integers(0, 16, (self.block, ne), dtype=np.int16)
        u_out = np.zeros(nd, np.int64) if u is None else u.copy()
        v16 = (v - shift).astype(np.int16)
        kr, kc = min(k, ne), min(k, nd)
        ctop = np.full((ne, kc), -1, np.int16)  # per column: the kc largest values seen so far (any order)
        cthr = np.zeros(ne, np.int16)  # max(0, kc-th largest so far): a value below it can never be kept
        row_thr = np.zeros(nd, np.int64)
        found_r, found_c, found_s, found_z, by_row = [], [], [], [], []
        for i in range(0, nd, self.block):
            j = min(nd, i + self.block)
            m = j - i
            s = self.row_scores(slice(i, j))
            red = s - v16[None, :]
            if u is None:
                u_out[i:j] = np.maximum(red.max(1).astype(np.int64) - shift, 0)
            red -= u_out[i:j, None].astype(np.int16)
            a, b = np.searchsorted(exclude, [i * ne, j * ne])
            if a < b:
                red[exclude[a:b] // ne - i, exclude[a:b] % ne] = -1
            np.maximum(red, -1, out=red)
            red <<= 4
            red += self._noise[:m]  # value = (reduced + shift) * 16 + noise; < 0 means "not wanted"
            thr = np.partition(red, ne - kr, axis=1)[:, ne - kr]
            np.maximum(thr, 0, out=thr)
            row_thr[i:j] = thr
            if i == 0 and m > kc:  # no column threshold yet: this block's own kc-th largest is one
                cthr = np.maximum(np.partition(red, m - kc, axis=0)[m - kc], 0)
            mask = red >= thr[:, None]
            mask |= red >= cthr[None, :]
            r, c = _nonzero(mask)
            z = red[r, c]
            found_r.append(r + i)
            found_c.append(c)
            found_s.append(s[r, c])
            found_z.append(z)
            by_row.append(z >= thr[r])
            col = z >= cthr[c]
            if col.any():
                ctop, cthr = _merge_top(ctop, c[col], z[col], kc)
        r, c, s, z, by_row = (np.concatenate(x) for x in (found_r, found_c, found_s, found_z, by_row))
        keep = (by_row | (z >= cthr[c])) & (s > 0)  # a pair scoring 0 is never worth taking
        r, c, s = r[keep].astype(np.int64), c[keep].astype(np.int64), s[keep].astype(np.int64)
        _, first = np.unique(r * ne + c, return_index=True)
        # bounds: a pair not kept has value < its row's threshold and < its column's, so
        # reduced + shift <= threshold >> 4 (or reduced <= floor when the threshold is 0)
        bound_row = np.where(row_thr > 0, (row_thr >> 4) - shift, floor) if kr < ne else np.full(nd, floor, np.int64)
        cthr64 = cthr.astype(np.int64)
        bound_col = np.where(cthr64 > 0, (cthr64 >> 4) - shift, floor) if kc < nd else np.full(ne, floor, np.int64)
        return Scan(r[first], c[first], s[first], u_out, v.copy(), bound_row, bound_col)

    def scan_rows(self, rows: NDArray[np.int64], u: NDArray[np.int64], v: NDArray[np.int64], exclude: NDArray[np.int64], k: int):
        """Exact pricing of some rows against every column: per row, the k pairs of largest positive reduced
        score outside ``exclude`` (none means no pair of that row has a positive reduced score)."""
        out_r, out_c, out_s = [], [], []
        step = max(1, BLOCK_ELEMENTS // max(self.ne, 1))
        for i in range(0, len(rows), step):
            part = rows[i : i + step]
            s = self.row_scores(part).astype(np.int64)
            red = s - u[part][:, None] - v[None, :]
            lr, lc = self._ragged(exclude, part)
            red[lr, lc] = 0
            r, c = np.nonzero(red > 0)
            if len(r) == 0:
                continue
            o = np.lexsort((-red[r, c], r))
            r, c = r[o], c[o]
            rank = np.arange(len(r)) - np.searchsorted(r, r)
            r, c = r[rank < k], c[rank < k]
            out_r.append(part[r])
            out_c.append(c)
            out_s.append(s[r, c])
        if not out_r:
            z = np.zeros(0, np.int64)
            return z, z, z
        return np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_s)

    def reach(self, index: Sequence[int], axis: str) -> list[tuple[bool, bool, bool, bool, bool]]:
        """For unmatched people (rows = digital, cols = experts), against every partner of the other side:
        (shares a language, allowed by the rules, teaches them, learns from them, both)."""
        out: list[tuple[bool, bool, bool, bool, bool]] = []
        if not index:
            return out
        other = self.ne if axis == "rows" else self.nd
        if other == 0:
            return [(False, False, False, False, False)] * len(index)
        idx = np.asarray(index, np.int64)
        step = max(1, BLOCK_ELEMENTS // other)
        for i in range(0, len(idx), step):
            part = idx[i : i + step]
            if axis == "rows":
                x = (self.left[part] @ self.right_t).astype(np.int64)
                keys = part[:, None] * self.ne + np.arange(self.ne)[None, :]
            else:
                x = (self.right[part] @ self.left.T).astype(np.int64)
                keys = np.arange(self.nd)[None, :] * self.ne + part[:, None]
            cnt = x % self.nl
            b = (x // self.nl) % self.nb
            a = x // (self.nl * self.nb)
            lang = cnt > 0 if self.language_rule else np.ones(x.shape, bool)
            pos = np.minimum(np.searchsorted(self.adj_keys, keys), max(len(self.adj_keys) - 1, 0))
            banned = (self.adj_keys[pos] == keys) & (self.adj_vals[pos] < 0) if len(self.adj_keys) else np.zeros(x.shape, bool)
            allowed = lang & ~banned
            teach_me, learn_me = (a > 0, b > 0) if axis == "rows" else (b > 0, a > 0)
            flags = zip(lang.any(1), allowed.any(1), (allowed & teach_me).any(1), (allowed & learn_me).any(1), (allowed & (a > 0) & (b > 0)).any(1), strict=True)
            out.extend(tuple(bool(f) for f in row) for row in flags)
        return out

    # --- solve ---

    def _flow(self, r: NDArray[np.int64], c: NDArray[np.int64], s: NDArray[np.int64]) -> NDArray[np.bool_]:
        nd, ne, m = self.nd, self.ne, len(r)
        src, snk = nd + ne, nd + ne + 1
        total = int(self.cap_d.sum())
        flow = min_cost_flow.SimpleMinCostFlow()
        tails = np.concatenate([r, np.full(nd, src), nd + np.arange(ne), [src]]).astype(np.int32)
        heads = np.concatenate([nd + c, np.arange(nd), np.full(ne, snk), [snk]]).astype(np.int32)
        caps = np.concatenate([np.ones(m, np.int64), self.cap_d, self.cap_e, [total]]).astype(np.int64)
        costs = np.concatenate([-s, np.zeros(nd + ne + 1, np.int64)]).astype(np.int64)
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        supply = np.zeros(nd + ne + 2, np.int64)
        supply[src], supply[snk] = total, -total
        flow.set_nodes_supplies(np.arange(nd + ne + 2, dtype=np.int32), supply)
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status}")
        return flow.flows(np.arange(m, dtype=np.int32)) > 0

    def _duals(self, r, c, s, x, u0, v0) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Integer duals for the optimal matching x on the candidates (see the module docstring, step 4).

        Potentials pi_d = u_d, pi_e = -v_e, pi_root = 0 with pi_y <= pi_x + w for every arc x -> y:
        unmatched (d, e): d -> e, w = -s;  matched (d, e): e -> d, w = s;  d -> root and root -> e, w = 0
        (u, v >= 0); root -> d and e -> root, w = 0, for people with capacity left (u = 0, v = 0).
        Relaxation from the previous duals converges because an optimal flow leaves no negative cycle."""
        nd, ne = self.nd, self.ne
        root = nd + ne
        deg_d = np.bincount(r[x], minlength=nd)
        deg_e = np.bincount(c[x], minlength=ne)
        free_d = np.flatnonzero(deg_d < self.cap_d)
        free_e = np.flatnonzero(deg_e < self.cap_e)
        um = ~x
        src = np.concatenate([r[um], nd + c[x], np.arange(nd), np.full(ne, root), np.full(len(free_d), root), nd + free_e])
        dst = np.concatenate([nd + c[um], r[x], np.full(nd, root), nd + np.arange(ne), free_d, np.full(len(free_e), root)])
        w = np.concatenate([-s[um], s[x], np.zeros(nd + ne + len(free_d) + len(free_e), np.int64)])
        order = np.argsort(dst, kind="stable")
        src, dst, w = src[order], dst[order], w[order]
        heads, starts = np.unique(dst, return_index=True)
        dist = np.concatenate([u0, -v0, [0]]).astype(np.int64)
        for _ in range(root + 2):
            best = np.minimum.reduceat(dist[src] + w, starts)
            cur = dist[heads]
            if not (best < cur).any():
                break
            dist[heads] = np.minimum(cur, best)
        else:
            raise RuntimeError("negative cycle: the flow is not optimal")
        dist -= dist[root]
        return dist[:nd], -dist[nd:root]

    def estimate_prices(self) -> NDArray[np.int64] | None:
        """Experts' duals estimated from a random sample of the pool (solved exactly, recursively), then
        completed for every expert: ``v_e = max(0, max over sampled d of score(d, e) - u_d)``. None when the
        pool is small enough to start from zero prices."""
        if self.nd * self.ne < SAMPLE_MIN_PAIRS:
            return None
        rng = np.random.default_rng(self.nd * 1_000_003 + self.ne)
        rows = np.sort(rng.choice(self.nd, max(1, int(self.nd * SAMPLE_FRACTION)), replace=False))
        cols = np.sort(rng.choice(self.ne, max(1, int(self.ne * SAMPLE_FRACTION)), replace=False))
        sub = self.subset(rows, cols).solve()
        self.sample_scored = sub.pairs_scored + len(rows) * self.ne
        v = np.zeros(self.ne, np.int64)
        step = max(1, BLOCK_ELEMENTS // self.ne)
        for i in range(0, len(rows), step):
            part = rows[i : i + step]
            s = self.row_scores(part).astype(np.int32) - sub.u[i : i + step, None].astype(np.int32)
            v = np.maximum(v, s.max(0))
        return v

    def solve(self) -> Outcome:
        """Optimal b-matching of the pool, certified over all pairs (module docstring)."""
        nd, ne = self.nd, self.ne
        z = np.zeros(0, np.int64)
        u, v = np.zeros(nd, np.int64), np.zeros(ne, np.int64)
        if nd == 0 or ne == 0:
            return Outcome(z, z, z, u, v, 0, True, 0, 0, 0, 0)
        prices = self.estimate_prices()
        if prices is None:
            ref = self.scan(u, v, z, K_FIRST, 0)
            r, c, s = ref.rows, ref.cols, ref.scores
            pool = (z, z, z)
        else:
            ref = self.scan(None, prices, z, K_POOL, -POOL_MARGIN)
            u, v = ref.u, ref.v
            near = ref.scores - u[ref.rows] - v[ref.cols] > -LP_MARGIN
            r, c, s = ref.rows[near], ref.cols[near], ref.scores[near]
            pool = (ref.rows[~near], ref.cols[~near], ref.scores[~near])
        scans, scored = 1, nd * ne + self.sample_scored
        certified = False
        x = np.zeros(0, bool)
        for _ in range(MAX_ROUNDS):
            r, c, s, x, u, v, pool = self._settle(r, c, s, ref.u, ref.v, pool)
            keys = np.sort(r * ne + c)
            # every pair the last full scan did not keep has reduced score <= min(bound_row, bound_col)
            # under that scan's duals; with the new duals it can only be positive in the flagged rows
            flagged = _flag_rows(u - ref.u, v - ref.v, ref.bound_row, ref.bound_col)
            if len(flagged) <= FLAG_FRACTION * nd:
                nr, nc, ns = self.scan_rows(flagged, u, v, keys, K_PRICE)
                scored += len(flagged) * ne
                if len(nr) == 0:
                    certified = True
                    break
                r, c, s = np.concatenate([r, nr]), np.concatenate([c, nc]), np.concatenate([s, ns])
                continue
            ref = self.scan(u, v, keys, K_PRICE, -POOL_MARGIN)
            scans += 1
            scored += nd * ne
            hot = ref.scores - u[ref.rows] - v[ref.cols] > 0
            if not hot.any():
                certified = True
                break
            r, c, s = np.concatenate([r, ref.rows[hot]]), np.concatenate([c, ref.cols[hot]]), np.concatenate([s, ref.scores[hot]])
            pool = tuple(np.concatenate([a, b[~hot]]) for a, b in zip(pool, (ref.rows, ref.cols, ref.scores), strict=True))

        # the certificate, checked in exact integer arithmetic
        slack = s - u[r] - v[c]
        ok = bool(len(np.unique(r * ne + c)) == len(r) and (u >= 0).all() and (v >= 0).all() and (slack[~x] <= 0).all() and (slack[x] >= 0).all())
        total = int(s[x].sum())
        dual_bound = int((self.cap_d * u).sum() + (self.cap_e * v).sum() + slack[x].sum())
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

    def _settle(self, r, c, s, u_ref, v_ref, pool):
        """Solve on the candidates, then keep the LP small and the pool honest: unmatched candidates whose
        reduced score fell below -PRUNE_MARGIN move to the pool, pool pairs whose reduced score is positive
        (or nearly) move to the candidates, and solve again, until no pool pair has a positive reduced
        score. The duals are the ones closest to (u_ref, v_ref), the duals of the last full scan (the
        Bellman-Ford relaxation starts there), which keeps the bound check of ``solve`` sharp."""
        ne = self.ne
        pr, pc, ps = pool
        if len(pr):
            keys, first = np.unique(pr * ne + pc, return_index=True)
            live = first[~np.isin(keys, r * ne + c)]
            pr, pc, ps = pr[live], pc[live], ps[live]
        while True:
            x = self._flow(r, c, s)
            u, v = self._duals(r, c, s, x, u_ref, v_ref)
            far = ~x & (s - u[r] - v[c] < -PRUNE_MARGIN)
            pr, pc, ps = np.concatenate([pr, r[far]]), np.concatenate([pc, c[far]]), np.concatenate([ps, s[far]])
            r, c, s, x = r[~far], c[~far], s[~far], x[~far]
            hot = ps - u[pr] - v[pc] > 0
            if not hot.any():
                return r, c, s, x, u, v, (pr, pc, ps)
            hot = ps - u[pr] - v[pc] > -ADD_MARGIN  # take the nearly violating ones too: fewer re-solves
            r, c, s = np.concatenate([r, pr[hot]]), np.concatenate([c, pc[hot]]), np.concatenate([s, ps[hot]])
            pr, pc, ps = pr[~hot], pc[~hot], ps[~hot]

    def greedy(self, k: int = 32) -> int:
        """The exact global greedy baseline: go through *all* pairs by descending score (ties: digital index,
        then expert index) and take a pair while both still have capacity; returns its total.

        Without sorting all pairs: scans keep every person's k best pairs among those with capacity left, with
        a bound on the score of the pairs not kept. A kept pair whose score beats both bounds is "certain":
        every pair ranked above it at either end is kept too. A certain pair that is among the first
        ``capacity left`` of the remaining pairs at both ends is taken by greedy whatever happens before it, so
        all such pairs are taken at once; repeat, and rescan the people with capacity left when none is."""
        left_d, left_e = self.cap_d.copy(), self.cap_e.copy()
        total, width = 0, k
        taken: list[NDArray[np.int64]] = []
        while True:
            rows, cols = np.flatnonzero(left_d > 0), np.flatnonzero(left_e > 0)
            if len(rows) == 0 or len(cols) == 0:
                return total
            sub = self.subset(rows, cols)
            done = np.concatenate(taken) if taken else np.zeros(0, np.int64)  # a pair is taken once
            td, te = done // self.ne, done % self.ne
            inside = (left_d[td] > 0) & (left_e[te] > 0)
            local = np.sort(np.searchsorted(rows, td[inside]) * len(cols) + np.searchsorted(cols, te[inside]))
            found = sub.scan(np.zeros(len(rows), np.int64), np.zeros(len(cols), np.int64), local, width, 0)
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
                taken.append(d[take] * self.ne + e[take])
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


__all__ = ["Outcome", "Problem", "build"]
