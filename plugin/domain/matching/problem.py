"""The encoded pool: features whose product gives every pair's exact score, by blocks, and what the
unmatched could reach (for their reasons)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from plugin.domain.matching import tuning
from plugin.domain.matching.model import WISH_BONUS

if TYPE_CHECKING:
    from numpy.typing import NDArray


class Problem:
    """An encoded pool: rows are digital mentors, columns senior experts."""

    def __init__(self, *, left, right, lut, nb, nl, cap_d, cap_e, adj_keys, adj_vals, language_rule, lang_d=None, lang_e=None) -> None:
        self.left = left  # n_d x F float32
        self.right = right  # n_e x F float32
        self.right_t = np.ascontiguousarray(right.T)  # F x n_e, for the block products
        self.lut, self.nb, self.nl = lut, nb, nl
        self.cap_d, self.cap_e = cap_d, cap_e
        self.nd, self.ne = len(cap_d), len(cap_e)
        self.adj_keys, self.adj_vals = adj_keys, adj_vals  # sorted keys d * n_e + e; -1 = forbidden, else bonus
        self.language_rule = language_rule
        self.lang_d, self.lang_e = lang_d, lang_e  # n_d x L, n_e x L bool: who speaks what (None: no language rule)
        self._lang_groups: tuple[NDArray[np.int64], list[NDArray[np.bool_]]] | None = None
        self.max_score = int(lut.max(initial=0)) + 2 * WISH_BONUS
        self.block = max(1, min(self.nd, tuning.BLOCK_ELEMENTS // max(self.ne, 1)))
        self.noise: NDArray[np.int16] | None = None
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
            lang_d=None if self.lang_d is None else self.lang_d[rows],
            lang_e=None if self.lang_e is None else self.lang_e[cols],
        )

    # --- exact scores ---

    def row_scores(self, rows: slice | NDArray[np.int64]) -> NDArray[np.int16]:
        """Exact scores of some digital mentors (a slice or an index array) against every expert (int16)."""
        return self.block_scores(rows, None)

    def block_scores(self, rows: slice | NDArray[np.int64], cols: NDArray[np.int64] | None) -> NDArray[np.int16]:
        """Exact scores of some digital mentors against some experts (``cols``, sorted; None: all), int16."""
        return self._scores(rows, cols, self.right_t if cols is None else self.right_t[:, cols])

    def _groups(self) -> tuple[NDArray[np.int64], list[NDArray[np.bool_]]]:
        """Digital mentors by the set of languages they speak: (group of each row, per group the experts
        sharing a language with it)."""
        if self._lang_groups is None and self.lang_d.shape[1] == 0:  # nobody speaks anything: no pair scores
            self._lang_groups = (np.zeros(self.nd, np.int64), [np.zeros(self.ne, bool)])
        if self._lang_groups is None:
            sets, group = np.unique(self.lang_d, axis=0, return_inverse=True)
            share = (self.lang_e.astype(np.int32) @ sets.T.astype(np.int32)) > 0  # n_e x groups
            self._lang_groups = (group.reshape(-1).astype(np.int64), [np.ascontiguousarray(share[:, g]) for g in range(len(sets))])
        return self._lang_groups

    def blocks(self, rows: NDArray[np.int64] | None, cols: NDArray[np.int64] | None, elements: int) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int16]]]:
        """Exact scores of ``rows`` x ``cols`` (sorted; None: all) by blocks of about ``elements`` pairs:
        yields (rows of the block, its columns, their scores). Under the language rule a block holds only
        the pairs that share a language (the rows are grouped by the languages they speak): every pair
        left out scores 0."""
        rows = np.arange(self.nd) if rows is None else rows
        cols = np.arange(self.ne) if cols is None else cols
        if self.lang_d is None or not self.language_rule:
            parts = [(rows, cols)]
        else:
            group, share = self._groups()
            g = group[rows]
            order = np.argsort(g, kind="stable")
            bounds = np.flatnonzero(np.diff(g[order])) + 1
            parts = [(rows[idx], cols[share[int(g[idx[0]])][cols]]) for idx in np.split(order, bounds) if len(idx)]
        for part_rows, part_cols in parts:
            if len(part_cols) == 0:
                continue
            right = self.right_t if len(part_cols) == self.ne else self.right_t[:, part_cols]
            step = max(1, elements // len(part_cols))
            for i in range(0, len(part_rows), step):
                part = part_rows[i : i + step]
                yield part, part_cols, self._scores(part, None if len(part_cols) == self.ne else part_cols, right)

    def _scores(self, rows: slice | NDArray[np.int64], cols: NDArray[np.int64] | None, right: NDArray[np.float32]) -> NDArray[np.int16]:
        x = self.left[rows] @ right
        s = np.take(self.lut, x.astype(np.int32), mode="clip")  # every index is in range (< na * nb * nl)
        if len(self.adj_keys):
            ids = np.arange(self.nd)[rows]
            lo = np.searchsorted(self.adj_keys, ids * self.ne)
            hi = np.searchsorted(self.adj_keys, (ids + 1) * self.ne)
            n = hi - lo
            if n.any():
                local = np.repeat(np.arange(len(ids)), n)
                pos = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
                c, vals = self.adj_keys[pos] % self.ne, self.adj_vals[pos]
                if cols is not None:  # only the entries in the chosen columns, at their place there
                    at = np.minimum(np.searchsorted(cols, c), len(cols) - 1)
                    inside = cols[at] == c
                    local, c, vals = local[inside], at[inside], vals[inside]
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

    def ragged(self, keys: NDArray[np.int64], ids: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Entries of the sorted pair keys that fall in the rows ``ids``: (position in ids, column)."""
        lo = np.searchsorted(keys, ids * self.ne)
        hi = np.searchsorted(keys, (ids + 1) * self.ne)
        n = hi - lo
        pos = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
        return np.repeat(np.arange(len(ids)), n), keys[pos] % self.ne

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
        step = max(1, tuning.BLOCK_ELEMENTS // other)
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
