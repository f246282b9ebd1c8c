"""Coffee roulette rounds: pair everyone opted in with someone they have not met (one trio when the count is odd).

An exact solver (OR-Tools CP-SAT) over the complete graph of the round's people, in two stages:

1. the fewest *repeats*: pairs inside a group who have met before (in a coffee or a tandem), so a repeat
   is chosen only when no grouping without it exists, and then as few as possible;
2. then, among the groupings with that fewest number, the most preferred: the other side (``SIDE``) and
   another department (``DEPARTMENT``) per pair in a group, the best found in ``preference_limit``
   seconds (a preference, not a rule: the bound of this stage is not always proven).

Stage 1 is exact: when a grouping without repeats exists its bound (0) proves it at once; otherwise the
solver proves the fewest repeats within ``time_limit`` (``Round.optimal`` says whether it did).

The model: ``x[a, b]``, the two are in one group; for an odd count ``trio[p]``, p is in the trio (exactly
three are). Everyone outside the trio is in exactly one pair, everyone in it is linked to the two others
(its three pairs), and no pair crosses the trio's edge; so the round has ``n // 2`` groups, exactly one of
them a trio when ``n`` is odd, and each pair inside a group (the trio's three included) counts once.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

SIDE = 20
DEPARTMENT = 10
#: seconds for the fewest repeats (the exact part) and then for the best preferences among those groupings
TIME_LIMIT = 20.0
PREFERENCE_LIMIT = 1.0


@dataclass(frozen=True)
class CoffeePerson:
    id: int
    side: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class Round:
    """A round's groups (pairs, and one trio for an odd count), each sorted, the groups by their first id."""

    groups: tuple[tuple[int, ...], ...]
    #: pairs inside a group who had met before, each ``(low id, high id)``
    repeats: tuple[tuple[int, int], ...]
    #: the solver proved ``repeats`` the fewest possible (otherwise: the fewest found within the time limit)
    optimal: bool


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _preference(p: CoffeePerson, q: CoffeePerson) -> int:
    score = SIDE if p.side and q.side and p.side != q.side else 0
    dp, dq = (p.department or "").strip().casefold(), (q.department or "").strip().casefold()
    return score + (DEPARTMENT if dp and dq and dp != dq else 0)


def pair_round(
    people: Sequence[CoffeePerson], met: Collection[tuple[int, int]], seed: str = "", time_limit: float = TIME_LIMIT, preference_limit: float = PREFERENCE_LIMIT
) -> Round:
    """Group ``people`` for one round; ``met`` holds the pairs (any order) who have met before.

    :raise ValueError: the same person twice.
    """
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        raise ValueError("a person is in the round twice")
    n = len(people)
    if n < 2:
        return Round((), (), True)
    if n in (2, 3):
        group = tuple(sorted(ids))
        return Round((group,), _repeats_of([group], met), True)
    from ortools.sat.python import cp_model

    met_pairs = {_key(a, b) for a, b in met}
    rng = random.Random(f"coffee:{seed}")
    order = sorted(people, key=lambda p: p.id)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    at: dict[int, list[tuple[int, int]]] = {p.id: [] for p in order}
    repeats: list[cp_model.IntVar] = []
    preference: list[cp_model.LinearExpr] = []

    def weigh(p: CoffeePerson, q: CoffeePerson, var: cp_model.IntVar) -> None:
        if _key(p.id, q.id) in met_pairs:
            repeats.append(var)
        if score := _preference(p, q):
            preference.append(score * var)

    for i, p in enumerate(order):
        for q in order[i + 1 :]:
            x[p.id, q.id] = var = model.new_bool_var(f"x{p.id}_{q.id}")
            at[p.id].append((p.id, q.id))
            at[q.id].append((p.id, q.id))
            weigh(p, q, var)
    odd = n % 2 == 1
    trio: dict[int, cp_model.IntVar] = {}
    if odd:
        trio = {p.id: model.new_bool_var(f"t{p.id}") for p in order}
        model.add(sum(trio.values()) == 3)
        for (a, b), var in x.items():
            model.add(trio[a] == trio[b]).only_enforce_if(var)  # a pair is inside the trio or outside it
            model.add_bool_or([trio[a].negated(), trio[b].negated(), var])  # the trio's three are all linked
    for p in order:
        model.add(sum(x[e] for e in at[p.id]) == (1 + trio[p.id] if odd else 1))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = rng.randint(0, 2**30)
    variables = (*x.values(), *trio.values())
    # 1. as few repeats as possible (0 when possible: then the bound proves it at once); with no pair
    #    who met, any grouping has none: the people in order (the last three the trio)
    proven, fewest = True, 0
    if repeats:
        solver.parameters.max_time_in_seconds = time_limit
        model.minimize(sum(repeats))
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(f"the coffee round found no grouping: {solver.status_name(status)}")
        proven, fewest = status == cp_model.OPTIMAL, round(solver.objective_value)
        chosen = {var.index: solver.value(var) for var in variables}
    else:
        chosen = _in_order(x, trio, [p.id for p in order])
    # 2. the most preferred grouping with no more repeats, within the time given to it
    if preference:
        if repeats:
            model.add(sum(repeats) <= fewest)
        for var in variables:
            model.add_hint(var, chosen[var.index])
        model.maximize(sum(preference))
        solver.parameters.max_time_in_seconds = preference_limit
        if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = {var.index: solver.value(var) for var in variables}
    pairs = [e for e in x if chosen[x[e].index]]
    groups = [list(e) for e in pairs if not (odd and chosen[trio[e[0]].index])]
    if odd:
        groups.append([p for p in trio if chosen[trio[p].index]])
    result = sorted(tuple(sorted(g)) for g in groups)
    return Round(tuple(result), _repeats_of(result, met), proven)


def _in_order(x: dict, trio: dict, ids: list[int]) -> dict[int, int]:
    """The variables' values for the grouping of ``ids`` in order: pairs, the last three a trio when odd."""
    chosen = {var.index: 0 for var in (*x.values(), *trio.values())}
    cut = len(ids) - 3 if trio else len(ids)
    groups = [ids[i : i + 2] for i in range(0, cut, 2)] + ([ids[cut:]] if trio else [])
    for group in groups:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                chosen[x[a, b].index] = 1
    for p in ids[cut:] if trio else ():
        chosen[trio[p].index] = 1
    return chosen


def _repeats_of(groups: Sequence[Sequence[int]], met: Collection[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    met_pairs = {_key(a, b) for a, b in met}
    return tuple(sorted(_key(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1 :] if _key(a, b) in met_pairs))
