"""Forming peer circles from a programme pool with OR-Tools CP-SAT (hard rules: size, no manager, shared
language; diversity as the score).

The model: ``x[i, c]`` puts person ``i`` in circle ``c``; each person is in at most one circle; a circle in use
holds ``low`` to ``high`` people and speaks exactly one language that every member speaks; no one is in a
circle with anyone up their management chain (their manager, their manager's manager, ...), in both
directions. The number of circles is at most the pool divided by the middle size (so circles come out near
it rather than all at the smallest size).

The objective, in order of weight: place as many people as the rules allow; then, per circle, both sides
present, side balance, and as many distinct departments and regions as possible. The solver stops at the
time limit with the best circles found (``optimal`` says whether they are proven best).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from plugin.domain.errors import RuleViolation
from plugin.domain.matching.rules import ancestors

#: seconds the solver may take; the best circles found by then are proposed
TIME_LIMIT = 3.0
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


def form(pool: Sequence[Peer], low: int, high: int, *, time_limit: float = TIME_LIMIT, workers: int = 2, seed: int = 0) -> Formation:
    """Circles of ``low`` to ``high`` people from ``pool`` under the hard rules, as diverse as the solver finds
    in ``time_limit`` seconds.  :raise RuleViolation: sizes out of order."""
    if not 1 <= low <= high:
        raise RuleViolation("The smallest circle cannot be larger than the largest.", "max_size")
    if len({p.id for p in pool}) != len(pool):
        raise RuleViolation("A person is twice in the pool.", "pool")
    n = len(pool)
    count = min(n // low, max(math.ceil(n / high), round(n / ((low + high) / 2)))) if n >= low else 0
    if count == 0:
        return Formation((), tuple(p.id for p in pool), True)
    model = cp_model.CpModel()
    # a circle speaks one language: the candidate circles are per language, and only its speakers may join
    languages = sorted(set().union(*(p.languages for p in pool)))
    speakers = {g: [i for i, p in enumerate(pool) if g in p.languages] for g in languages}
    slots = [(g, k) for g in languages for k in range(min(count, len(speakers[g]) // low))]
    x = {(i, s): model.NewBoolVar("") for s, (g, _k) in enumerate(slots) for i in speakers[g]}
    used = [model.NewBoolVar("") for _s in slots]
    members_of: dict[int, list[int]] = {s: [] for s in range(len(slots))}
    circles_of: dict[int, list[int]] = {i: [] for i in range(n)}
    for i, s in x:
        members_of[s].append(i)
        circles_of[i].append(s)
    for i in range(n):
        model.AddAtMostOne(x[i, s] for s in circles_of[i])
    model.Add(sum(used) <= count)
    for s, (_g, k) in enumerate(slots):
        size = sum(x[i, s] for i in members_of[s])
        model.Add(size >= low).OnlyEnforceIf(used[s])
        model.Add(size <= high * used[s])
        if k:
            model.AddImplication(used[s], used[s - 1])  # symmetry: a language's circles in use come first
    for i, j in forbidden_pairs(pool):
        for s in set(circles_of[i]) & set(circles_of[j]):
            model.AddBoolOr([x[i, s].Not(), x[j, s].Not()])
    objective = [PLACE_WEIGHT * sum(x.values())]
    sides = _values(pool, "side")
    groups = {attribute: _values(pool, attribute) for attribute in ("department", "region")}
    for s in range(len(slots)):
        inside = set(members_of[s])
        present = []
        for people in sides.values():
            has = model.NewBoolVar("")
            model.Add(has <= sum(x[i, s] for i in people if i in inside))
            present.append(has)
        if len(present) >= 2:
            both = model.NewBoolVar("")
            for has in present:
                model.AddImplication(both, has)
            objective.append(BOTH_SIDES * both)
        if len(sides) == 2:
            a, b = (sum(x[i, s] for i in people if i in inside) for people in sides.values())
            gap = model.NewIntVar(0, high, "")
            model.AddAbsEquality(gap, a - b)
            objective.append(-IMBALANCE * gap)
        for attribute, weight in (("department", DISTINCT_DEPARTMENT), ("region", DISTINCT_REGION)):
            for people in groups[attribute].values():
                chosen = [x[i, s] for i in people if i in inside]
                if chosen:
                    has = model.NewBoolVar("")
                    model.Add(has <= sum(chosen))
                    objective.append(weight * has)
    model.Maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Formation((), tuple(p.id for p in pool), False, solver.WallTime(), {"status": solver.StatusName(status)})
    formed, placed = [], set()
    for s in range(len(slots)):
        members = sorted(i for i in members_of[s] if solver.Value(x[i, s]))
        if members:
            placed.update(members)
            people = [pool[i] for i in members]
            formed.append(FormedCircle(tuple(p.id for p in people), figures(people)))
    unplaced = tuple(p.id for i, p in enumerate(pool) if i not in placed)
    return Formation(tuple(formed), unplaced, status == cp_model.OPTIMAL, solver.WallTime(), {"status": solver.StatusName(status)})
