"""Encode a pool for the engine: competence levels as indicator features, languages, the lookup table of
scores, and the explicit pairs (forbidden ones and wishes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from plugin.domain.matching.model import (
    DIGITAL_COMPETENCES,
    DIRECTION_CAP,
    EXPERTISE_COMPETENCES,
    MAX_LEVEL,
    SCALE,
    WISH_BONUS,
    Person,
    Rules,
)
from plugin.domain.matching.problem import Problem
from plugin.domain.matching.rules import ancestors

if TYPE_CHECKING:
    from numpy.typing import NDArray


def _levels(people: Sequence[Person], keys: Sequence[str], attr: str) -> NDArray[np.int8]:
    width = len(keys)
    col = {k: i for i, k in enumerate(keys)}
    out = np.zeros((len(people), width), np.int8)
    at: list[int] = []
    levels: list[int] = []
    for i, p in enumerate(people):
        base = i * width
        for k, level in getattr(p, attr).items():
            j = col.get(k)
            if j is not None:
                at.append(base + j)
                levels.append(level)
    if at:
        out.reshape(-1)[np.array(at, np.int64)] = np.array(levels, np.int8)
    return out


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
    into = np.zeros((len(rows), len(groups)), np.float32)  # feature f -> its group: one exact product
    into[np.arange(len(rows)), inverse] = 1
    first = np.zeros(len(groups), np.int64)
    for f, g in reversed(list(enumerate(inverse))):
        first[g] = f
    return left @ into, np.ascontiguousarray(rows[first].T)


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
        chains = ancestors([p.id for p in (*digital, *experts)], managers)
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
    pairs = np.array(list(adjust), np.int64).reshape(-1, 2)
    keys = pairs[:, 0] * ne + pairs[:, 1]
    vals = np.fromiter(adjust.values(), np.int64, len(adjust))
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
        lang_d=lang_d > 0 if rules.shared_language else None,
        lang_e=lang_e > 0 if rules.shared_language else None,
    )
