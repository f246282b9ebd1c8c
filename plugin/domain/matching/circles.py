"""Forming peer circles from a programme pool with OR-Tools CP-SAT (hard rules: size, no manager, shared
language; diversity as the score).

Two CP-SAT models, solved one after the other:

1. *Languages*: each person gets at most one language they speak, and each language a number of circles, so
   that the people of a language fill its circles (``low`` to ``high`` each); as many people placed as
   possible, with at most the pool divided by the middle size circles in all (so circles come out near the
   middle size rather than all at the smallest).
2. *Circles*, per language: ``x[i, c]`` puts person ``i`` in circle ``c``; every circle holds ``low`` to
   ``high`` people; no one is in a circle with anyone up their management chain (their manager, their
   manager's manager, ...), in both directions. The objective: as many placed as possible, then per circle
   both sides present, side balance, and as many distinct departments and regions as possible.

A circle's members thus all speak its language. Each solve stops at its share of the time limit with the best
answer found (``optimal`` says whether every solve was proven best).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plugin.domain.errors import RuleViolation
from plugin.domain.matching.rules import ancestors

if TYPE_CHECKING:  # CP-SAT is imported where a circle is formed: a web worker that never forms one does not load it (~75 MB)
    from ortools.sat.python import cp_model

#: seconds the solver may take; the best circles found by then are proposed
TIME_LIMIT = 3.0
#: the share of the time for the languages model (the rest goes to the circles, per language by its size)
LANGUAGE_SHARE = 0.1
PLACE_WEIGHT, BOTH_SIDES, DISTINCT_DEPARTMENT, DISTINCT_REGION, IMBALANCE = 1000, 6, 3, 3, 2


@dataclass(frozen=True)
class Peer:
    """One person of the pool as forming sees them (``manager``: their manager's id, if in the programme)."""

    id: int
    side: str | None = None
    department: str | None = None
    region: str | None = None
    languages: frozenset[str] = frozenset()
    manager: int | None = None


@dataclass(frozen=True)
class Figures:
    """Why a circle is diverse: people per side, distinct departments and regions (of those who gave one)."""

    sides: dict[str, int]
    departments: int
    regions: int
    #: the languages every member speaks
    languages: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"sides": dict(self.sides), "departments": self.departments, "regions": self.regions, "languages": list(self.languages)}


@dataclass(frozen=True)
class FormedCircle:
    members: tuple[int, ...]
    figures: Figures


@dataclass(frozen=True)
class Formation:
    circles: tuple[FormedCircle, ...]
    #: people the rules left without a circle
    unplaced: tuple[int, ...]
    optimal: bool
    seconds: float = 0.0
    notes: dict = field(default_factory=dict)


def figures(members: Sequence[Peer]) -> Figures:
    sides: dict[str, int] = {}
    for p in members:
        if p.side:
            sides[p.side] = sides.get(p.side, 0) + 1
    shared = frozenset.intersection(*(p.languages for p in members)) if members else frozenset()
    return Figures(
        sides=dict(sorted(sides.items())),
        departments=len({p.department.strip().lower() for p in members if p.department and p.department.strip()}),
        regions=len({p.region.strip().lower() for p in members if p.region and p.region.strip()}),
        languages=tuple(sorted(shared)),
    )


def forbidden_pairs(pool: Sequence[Peer]) -> set[tuple[int, int]]:
    """Index pairs (i < j) that may not share a circle: one is up the other's management chain."""
    index = {p.id: i for i, p in enumerate(pool)}
    managers = {str(p.id): str(p.manager) for p in pool if p.manager is not None}
    chains = ancestors([str(p.id) for p in pool], managers)
    pairs: set[tuple[int, int]] = set()
    for p in pool:
        for boss in chains.get(str(p.id), ()):
            j = index.get(int(boss))
            if j is not None and j != index[p.id]:
                pairs.add((min(index[p.id], j), max(index[p.id], j)))
    return pairs


def _values(pool: Sequence[Peer], attribute: str) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(pool):
        value = getattr(p, attribute)
        if value and value.strip():
            groups.setdefault(value.strip().lower(), []).append(i)
    return groups


def _languages(pool: Sequence[Peer], low: int, high: int, cap: int, time_limit: float, workers: int) -> tuple[dict[str, list[int]], bool]:
    """Stage 1: language -> the pool indices who meet in it (filling whole circles), and whether proven best."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    languages = sorted(set().union(*(p.languages for p in pool)))
    y = {(i, g): model.NewBoolVar("") for i, p in enumerate(pool) for g in p.languages}
    circles = {g: model.NewIntVar(0, cap, g) for g in languages}
    for i, p in enumerate(pool):
        if p.languages:
            model.AddAtMostOne(y[i, g] for g in p.languages)
    for g in languages:
        people = sum(v for (i, h), v in y.items() if h == g)
        model.Add(people >= low * circles[g])
        model.Add(people <= high * circles[g])
    model.Add(sum(circles.values()) <= cap)
    model.Maximize(sum(y.values()))
    solver, status = _solve(model, time_limit, workers)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, False
    groups: dict[str, list[int]] = {}
    for (i, g), v in y.items():
        if solver.Value(v):
            groups.setdefault(g, []).append(i)
    return groups, status == cp_model.OPTIMAL


def _solve(model: cp_model.CpModel, time_limit: float, workers: int, tries: int = 4) -> tuple[cp_model.CpSolver, int]:
    """Solve within ``time_limit``; when the time ran out before any solution (a busy machine), try again with
    twice the time, a few times: both models always have a solution (no circle at all), so one is found."""
    from ortools.sat.python import cp_model

    for attempt in range(tries):
        solver = _solver(time_limit * 2**attempt, workers)
        status = solver.Solve(model)
        if status != cp_model.UNKNOWN:
            break
    return solver, status


def _solver(time_limit: float, workers: int) -> cp_model.CpSolver:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    return solver


def _circles(group: Sequence[Peer], apart: set[frozenset[int]], low: int, high: int, time_limit: float, workers: int) -> tuple[list[list[int]], bool]:
    """Stage 2: circles of ``low`` to ``high`` of ``group`` (indices into it), no pair of ``apart`` (person ids)
    together, and whether proven best."""
    from ortools.sat.python import cp_model

    n = len(group)
    count = min(n // low, max(math.ceil(n / high), round(n / ((low + high) / 2))))
    while count * high < n and count < n // low:
        count += 1
    if count == 0:
        return [], True
    model = cp_model.CpModel()
    circles = range(count)
    x = {(i, c): model.NewBoolVar("") for i in range(n) for c in circles}
    for i in range(n):
        model.AddAtMostOne(x[i, c] for c in circles)
    for c in circles:
        size = sum(x[i, c] for i in range(n))
        model.Add(size >= low)
        model.Add(size <= high)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if frozenset((group[i].id, group[j].id)) in apart]
    for i, j in pairs:
        for c in circles:
            model.AddBoolOr([x[i, c].Not(), x[j, c].Not()])
    objective = [PLACE_WEIGHT * sum(x.values())]
    sides = _values(group, "side")
    groups = {attribute: _values(group, attribute) for attribute in ("department", "region")}
    for c in circles:
        present = []
        for people in sides.values():
            has = model.NewBoolVar("")
            model.Add(has <= sum(x[i, c] for i in people))
            present.append(has)
        if len(present) >= 2:
            both = model.NewBoolVar("")
            for has in present:
                model.AddImplication(both, has)
            objective.append(BOTH_SIDES * both)
        if len(sides) == 2:
            a, b = (sum(x[i, c] for i in people) for people in sides.values())
            gap = model.NewIntVar(0, high, "")
            model.AddAbsEquality(gap, a - b)
            objective.append(-IMBALANCE * gap)
        for attribute, weight in (("department", DISTINCT_DEPARTMENT), ("region", DISTINCT_REGION)):
            for people in groups[attribute].values():
                has = model.NewBoolVar("")
                model.Add(has <= sum(x[i, c] for i in people))
                objective.append(weight * has)
    model.Maximize(sum(objective))
    solver, status = _solve(model, time_limit, workers)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], False
    return [[i for i in range(n) if solver.Value(x[i, c])] for c in circles], status == cp_model.OPTIMAL


def form(pool: Sequence[Peer], low: int, high: int, *, time_limit: float = TIME_LIMIT, workers: int = 2) -> Formation:
    """Circles of ``low`` to ``high`` people from ``pool`` under the hard rules, as diverse as the solver finds
    in about ``time_limit`` seconds.  :raise RuleViolation: sizes out of order, or a person twice in the pool."""
    if not 1 <= low <= high:
        raise RuleViolation("The smallest circle cannot be larger than the largest.", "max_size")
    if len({p.id for p in pool}) != len(pool):
        raise RuleViolation("A person is twice in the pool.", "pool")
    started = time.perf_counter()
    n = len(pool)
    cap = min(n // low, max(math.ceil(n / high), round(n / ((low + high) / 2)))) if n >= low else 0
    if cap == 0:
        return Formation((), tuple(p.id for p in pool), True)
    apart = {frozenset((pool[i].id, pool[j].id)) for i, j in forbidden_pairs(pool)}  # chains over the whole pool
    by_language, proven = _languages(pool, low, high, cap, time_limit * LANGUAGE_SHARE, workers)
    left = time_limit - (time.perf_counter() - started)
    placed: set[int] = set()
    formed = []
    total = sum(len(v) for v in by_language.values()) or 1
    for language in sorted(by_language):
        group = [pool[i] for i in by_language[language]]
        found, best = _circles(group, apart, low, high, left * len(group) / total, workers)
        proven = proven and best
        for members in found:
            people = sorted((group[i] for i in members), key=lambda p: p.id)
            placed.update(p.id for p in people)
            formed.append(FormedCircle(tuple(p.id for p in people), figures(people)))
    unplaced = tuple(p.id for p in pool if p.id not in placed)
    return Formation(tuple(formed), unplaced, proven, time.perf_counter() - started)
