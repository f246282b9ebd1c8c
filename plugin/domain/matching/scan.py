"""Scans: score every pair once, block by block, and keep for every person the pairs of largest reduced
score, with bounds on the pairs not kept; exact pricing of some rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from plugin.domain.matching import tuning
from plugin.domain.matching.problem import Problem

if TYPE_CHECKING:
    from numpy.typing import NDArray


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


def flag_rows(du: NDArray[np.int64], dv: NDArray[np.int64], bound_row: NDArray[np.int64], bound_col: NDArray[np.int64]) -> NDArray[np.int64]:
    """Rows d for which some column e has du[d] + dv[e] < min(bound_row[d], bound_col[e]): only there can a
    pair the scan did not keep have a positive reduced score now. O((n_d + n_e) log n_e)."""
    order = np.argsort(dv, kind="stable")
    dv_sorted = dv[order]
    prefix_min = np.minimum.accumulate(dv_sorted - bound_col[order])
    n = np.searchsorted(dv_sorted, bound_row - du, side="left")  # columns with dv < bound_row[d] - du[d]
    hit = n > 0
    hit[hit] = prefix_min[n[hit] - 1] < -du[hit]  # ... and dv[e] - bound_col[e] < -du[d]
    return np.flatnonzero(hit)


def scan(problem: Problem, u: NDArray[np.int64] | None, v: NDArray[np.int64], exclude: NDArray[np.int64], k: int, floor: int) -> Scan:
    """Score every pair once, block by block, and keep for every person the k pairs of largest reduced
    score ``score - u_d - v_e`` among those > ``floor``, skipping the pairs whose key (d * n_e + e) is
    in ``exclude`` (sorted). ``u=None``: each digital mentor's best response to ``v``,
    ``u_d = max(0, max_e score - v_e)``. Also returns, per row and per column, an upper bound on the
    reduced score of every pair it did not keep (excluded pairs aside)."""
    nd, ne = problem.nd, problem.ne
    shift = -floor - 1  # reduced > floor  <=>  reduced + shift >= 0
    if (problem.max_score + shift + 1) * 16 + 16 > 32767:
        raise ValueError("scan margin too large for int16")
    if problem.noise is None:  # fixed pseudo-random tie-breaking, in the low 4 bits
        problem.noise = np.random.default_rng(20240607).integers(0, 16, (problem.block, ne), dtype=np.int16)
    u_out = np.zeros(nd, np.int64) if u is None else u.copy()
    v16 = (v - shift).astype(np.int16)
    kr, kc = min(k, ne), min(k, nd)
    ctop = np.full((ne, kc), -1, np.int16)  # per column: the kc largest values seen so far (any order)
    cthr = np.zeros(ne, np.int16)  # max(0, kc-th largest so far): a value below it can never be kept
    row_thr = np.zeros(nd, np.int64)
    found_r, found_c, found_s, found_z, by_row = [], [], [], [], []
    for i in range(0, nd, problem.block):
        j = min(nd, i + problem.block)
        m = j - i
        s = problem.row_scores(slice(i, j))
        red = s - v16[None, :]
        if u is None:
            u_out[i:j] = np.maximum(red.max(1).astype(np.int64) - shift, 0)
        red -= u_out[i:j, None].astype(np.int16)
        a, b = np.searchsorted(exclude, [i * ne, j * ne])
        if a < b:
            red[exclude[a:b] // ne - i, exclude[a:b] % ne] = -1
        np.maximum(red, -1, out=red)
        red <<= 4
        red += problem.noise[:m]  # value = (reduced + shift) * 16 + noise; < 0 means "not wanted"
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


def scan_rows(problem: Problem, rows: NDArray[np.int64], u: NDArray[np.int64], v: NDArray[np.int64], exclude: NDArray[np.int64], k: int):
    """Exact pricing of some rows against every column: per row, the k pairs of largest positive reduced
    score outside ``exclude`` (none means no pair of that row has a positive reduced score)."""
    out_r, out_c, out_s = [], [], []
    step = max(1, tuning.BLOCK_ELEMENTS // max(problem.ne, 1))
    for i in range(0, len(rows), step):
        part = rows[i : i + step]
        s = problem.row_scores(part).astype(np.int64)
        red = s - u[part][:, None] - v[None, :]
        lr, lc = problem.ragged(exclude, part)
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


@dataclass
class Sweep:
    rows: NDArray[np.int64]  # every pair of positive score with reduced score > -margin under (u, v)
    cols: NDArray[np.int64]
    scores: NDArray[np.int64]
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    margin: int  # every pair not kept has reduced score <= -margin under (u, v)


def sweep(problem: Problem, u: NDArray[np.int64] | None, v: NDArray[np.int64], margin: int) -> Sweep:
    """Score every pair once, block by block, and keep every pair of positive score whose reduced score
    ``score - u_d - v_e`` is > -margin: a threshold per row, no sorting. ``u=None``: each digital mentor's
    best response to ``v``, ``u_d = max(0, max_e score - v_e)``."""
    nd = problem.nd
    u_out = np.zeros(nd, np.int64) if u is None else u.copy()
    v16 = np.clip(v, 0, 32767).astype(np.int16)  # a smaller v only keeps more: the bound stays true
    found_r, found_c, found_s = [], [], []
    for part, cols, s in problem.blocks(None, None, tuning.SWEEP_ELEMENTS):  # pairs left out score 0
        red = s - v16[cols][None, :]
        if u is None:
            u_out[part] = np.maximum(red.max(1), 0)
        thr = np.clip(u_out[part] - margin, -32768, 32767).astype(np.int16)
        r, c = _nonzero(red > thr[:, None])
        z = s[r, c]
        pos = z > 0
        found_r.append(part[r[pos]].astype(np.int32))
        found_c.append(cols[c[pos]].astype(np.int32))
        found_s.append(z[pos])
    if not found_r:
        z = np.zeros(0, np.int64)
        return Sweep(z, z, z, u_out, v.copy(), margin)
    r, c, s = (np.concatenate(x).astype(np.int64) for x in (found_r, found_c, found_s))
    return Sweep(r, c, s, u_out, v.copy(), margin)


def cover(du: NDArray[np.int64], dv: NDArray[np.int64], margin: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Rows R and columns C such that every pair with ``du[d] + dv[e] < -margin`` has d in R or e in C
    (the only pairs a sweep did not keep that can have a positive reduced score once the duals moved by
    du, dv), chosen to price as few pairs as possible: R = {du < -t}, C = {dv < -(margin - t)}."""
    nd, ne = len(du), len(dv)
    su, sv = np.sort(du), np.sort(dv)
    t = np.arange(0, margin + 1)
    cost = np.searchsorted(su, -t, side="left") * ne + np.searchsorted(sv, -(margin - t), side="left") * nd
    best = int(t[np.argmin(cost)])
    return np.flatnonzero(du < -best), np.flatnonzero(dv < -(margin - best))


def price(problem: Problem, rows, cols, u, v, floor: int) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Exact pricing of rows x every column and every row x cols: the pairs of positive score with
    reduced score > floor (each once)."""
    ne = problem.ne
    out_r, out_c, out_s = [], [], []
    blocks = [problem.blocks(rows, None, tuning.SWEEP_ELEMENTS)] if len(rows) else []
    if len(cols):
        blocks.append(problem.blocks(None, cols, tuning.SWEEP_ELEMENTS))
    for part, part_cols, s in (b for group in blocks for b in group):  # pairs left out score 0
        r, c = np.nonzero(s.astype(np.int32) - u[part][:, None] - v[part_cols][None, :] > floor)
        out_r.append(part[r])
        out_c.append(part_cols[c])
        out_s.append(s[r, c])
    if not out_r:
        z = np.zeros(0, np.int64)
        return z, z, z
    r, c, s = (np.concatenate(x).astype(np.int64) for x in (out_r, out_c, out_s))
    keep = s > 0
    r, c, s = r[keep], c[keep], s[keep]
    _, first = np.unique(r * ne + c, return_index=True)
    return r[first], c[first], s[first]


class Priced:
    """The rows and columns priced exactly since the last sweep, with the duals they were priced under:
    a pair of a priced row (column) that the pricing did not return had reduced score <= -PRICE_MARGIN,
    so it can only be positive now if the duals fell by more than that since; else the row need not be
    priced again."""

    def __init__(self, nd: int, ne: int) -> None:
        self.row_at = np.full(nd, -1, np.int64)  # index of the pricing of the row (-1: never priced)
        self.col_at = np.full(ne, -1, np.int64)
        self.row_u = np.zeros(nd, np.int64)  # u[d] when the row was priced
        self.col_v = np.zeros(ne, np.int64)
        self.duals: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []  # (u, v) of each pricing

    def record(self, rows, cols, u, v) -> None:
        self.row_at[rows], self.row_u[rows] = len(self.duals), u[rows]
        self.col_at[cols], self.col_v[cols] = len(self.duals), v[cols]
        self.duals.append((u.copy(), v.copy()))

    def stale(self, rows, cols, u, v) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Of ``rows`` and ``cols`` (a sweep's cover), and of the rows and columns priced before (their
        pairs below -PRICE_MARGIN left the pool), those to price under (u, v)."""
        floor = -tuning.PRICE_MARGIN
        rows = np.union1d(rows, np.flatnonzero(self.row_at >= 0))
        cols = np.union1d(cols, np.flatnonzero(self.col_at >= 0))
        min_dv = np.array([(v - pv).min() for _, pv in self.duals] + [0], np.int64)  # [-1]: never priced
        min_du = np.array([(u - pu).min() for pu, _ in self.duals] + [0], np.int64)
        at_r, at_c = self.row_at[rows], self.col_at[cols]
        keep_r = (at_r < 0) | (u[rows] - self.row_u[rows] + min_dv[at_r] < floor)
        keep_c = (at_c < 0) | (v[cols] - self.col_v[cols] + min_du[at_c] < floor)
        return rows[keep_r], cols[keep_c]
