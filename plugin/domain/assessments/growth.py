"""Growth per competence: the first measured level against the latest, per person and over a cohort."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from plugin.domain.catalogue import Side
from plugin.domain.matching import DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES
from plugin.domain.matching.model import TAUGHT_BY

_ORDER = {key: i for i, key in enumerate(DIGITAL_COMPETENCES + EXPERTISE_COMPETENCES)}


@dataclass(frozen=True)
class Change:
    """One competence of one person: level at the first take that measured it, at the latest, and how many takes."""

    competence: str
    before: int
    now: int
    takes: int

    @property
    def gain(self) -> int:
        return self.now - self.before


@dataclass(frozen=True)
class GrowthRow:
    """One competence over a cohort: medians of the first and latest levels of the people measured twice or more."""

    competence: str
    before_median: float
    after_median: float
    people: int


def changes(takes: Sequence[Mapping[str, int]]) -> list[Change]:
    """``takes``: each take's levels, oldest first. One Change per competence measured, in the frameworks' order."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    count: dict[str, int] = {}
    for levels in takes:
        for key, level in levels.items():
            first.setdefault(key, int(level))
            last[key] = int(level)
            count[key] = count.get(key, 0) + 1
    return [Change(k, first[k], last[k], count[k]) for k in sorted(first, key=lambda k: _ORDER.get(k, len(_ORDER)))]


def split(side: Side, rows: Iterable[Change]) -> tuple[list[Change], list[Change]]:
    """(what I learned: the other side's competences, what I taught: my own side's)."""
    side = Side(side)
    learned, taught = [], []
    for row in rows:
        (taught if TAUGHT_BY.get(row.competence) is side else learned).append(row)
    return learned, taught


def cohort(people: Iterable[Sequence[Mapping[str, int]]]) -> list[GrowthRow]:
    """Per competence, medians over the people whose takes measured it at least twice."""
    before: dict[str, list[int]] = {}
    after: dict[str, list[int]] = {}
    for takes in people:
        for change in changes(takes):
            if change.takes >= 2:
                before.setdefault(change.competence, []).append(change.before)
                after.setdefault(change.competence, []).append(change.now)
    return [
        GrowthRow(key, float(statistics.median(before[key])), float(statistics.median(after[key])), len(before[key]))
        for key in sorted(before, key=lambda k: _ORDER.get(k, len(_ORDER)))
    ]
