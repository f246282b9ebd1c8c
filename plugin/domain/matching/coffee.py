"""Coffee roulette rounds: pair everyone opted in with someone they have not met (one trio when the count is odd).

An exact solver (OR-Tools CP-SAT) over the complete graph of the round's people, minimising, in this order:

1. the number of *repeats*: pairs inside a group who have met before (in a coffee or a tandem); the
   weight of one repeat exceeds every preference of the whole round together, so a repeat is chosen only
   when no grouping without it exists, and then as few as possible;
2. then, among the groupings with that fewest number, the most preferred: the other side (``SIDE``) and
   another department (``DEPARTMENT``) per pair in a group, the best found in ``preference_limit``
   seconds (a preference, not a rule: the bound of this stage is not always proven).

Stage 1 is exact: when a grouping without repeats exists its bound (0) proves it at once; otherwise the
solver proves the fewest repeats within ``time_limit`` (``Round.optimal`` says whether it did).

The model: ``x[a, b]`` a pair; for an odd count ``u[c]`` the person who joins a pair, ``t[a, b]`` the pair
they join, and ``g[c, v]`` = ``u[c]`` and ``v`` in that pair, which carries the trio's two further pairs'
repeats and preferences. Everyone is in exactly one pair or is the one third person, so the round has
``n // 2`` groups, exactly one of them a trio when ``n`` is odd.
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
    u: dict[int, cp_model.IntVar] = {}
    t: dict[tuple[int, int], cp_model.IntVar] = {}
    if odd:
        u = {p.id: model.new_bool_var(f"u{p.id}") for p in order}
        t = {e: model.new_bool_var(f"t{e[0]}_{e[1]}") for e in x}
        model.add_exactly_one(u.values())
        model.add_exactly_one(t.values())
        for e in x:
            model.add_implication(t[e], x[e])
        in_pair = {}
        for v in order:
            in_pair[v.id] = model.new_bool_var(f"s{v.id}")
            model.add(in_pair[v.id] == sum(t[e] for e in at[v.id]))
        for c in order:
            for v in order:
                if c.id != v.id:
                    g = model.new_bool_var(f"g{c.id}_{v.id}")
                    model.add_bool_and([u[c.id], in_pair[v.id]]).only_enforce_if(g)
                    model.add_bool_or([u[c.id].negated(), in_pair[v.id].negated()]).only_enforce_if(g.negated())
                    weigh(c, v, g)
    for p in order:
        model.add(sum(x[e] for e in at[p.id]) + (u[p.id] if odd else 0) == 1)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = rng.randint(0, 2**30)
    # 1. as few repeats as possible (0 when possible: then the bound proves it at once)
    solver.parameters.max_time_in_seconds = time_limit
    if repeats:
        model.minimize(sum(repeats))
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"the coffee round found no grouping: {solver.status_name(status)}")
    proven = status == cp_model.OPTIMAL
    variables = (*x.values(), *u.values(), *t.values())
    chosen = {var.index: solver.value(var) for var in variables}
    # 2. the most preferred grouping with no more repeats, within the time given to it
    if preference:
        if repeats:
            model.add(sum(repeats) <= round(solver.objective_value))
        for var in variables:
            model.add_hint(var, chosen[var.index])
        model.maximize(sum(preference))
        solver.parameters.max_time_in_seconds = preference_limit
        if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = {var.index: solver.value(var) for var in variables}
    pairs = [e for e in x if chosen[x[e].index]]
    groups = [list(e) for e in pairs]
    if odd:
        third = next(c for c in u if chosen[u[c].index])
        joined = next(e for e in pairs if chosen[t[e].index])
        groups[pairs.index(joined)].append(third)
    result = sorted(tuple(sorted(g)) for g in groups)
    return Round(tuple(result), _repeats_of(result, met), proven)


def _repeats_of(groups: Sequence[Sequence[int]], met: Collection[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    met_pairs = {_key(a, b) for a, b in met}
    return tuple(sorted(_key(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1 :] if _key(a, b) in met_pairs))
