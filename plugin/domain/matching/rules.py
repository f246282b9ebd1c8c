"""The hard rules, pair by pair: reporting lines (with the chains of managers), earlier pairs, vetoes,
a shared language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from plugin.domain.errors import RuleViolation
from plugin.domain.matching.model import Exclusion, Person, Rules


def reporting_lines(people: Iterable[Person], rules: Rules) -> dict[str, str]:
    """id -> manager id: the pool's own ``manager`` fields over ``rules.managers``."""
    lines = dict(rules.managers)
    lines.update({p.id: p.manager for p in people if p.manager})
    return lines


def _chain(person_id: str, managers: Mapping[str, str]) -> list[str]:
    """Manager, manager's manager, ... of ``person_id``; a cycle is invalid input."""
    chain, seen, current = [], {person_id}, managers.get(person_id)
    while current is not None:
        if current in seen:
            raise RuleViolation(f"reporting lines form a cycle through {current!r}", "manager")
        chain.append(current)
        seen.add(current)
        current = managers.get(current)
    return chain


def same_reporting_line(a: str, b: str, managers: Mapping[str, str]) -> bool:
    """True when ``a`` and ``b`` are in one reporting line.

    That is: one is the other's manager, or their manager's manager, and so on up the chain; or both have
    the same direct manager. People in the same department but under different managers are not.
    """
    ma, mb = managers.get(a), managers.get(b)
    if ma is not None and ma == mb:
        return True
    return b in _chain(a, managers) or a in _chain(b, managers)


def exclusion(digital: Person, expert: Person, rules: Rules = Rules(), managers: Mapping[str, str] | None = None) -> Exclusion | None:
    """The first hard rule or veto that removes the pair, or None when it is allowed."""
    if expert.id in digital.vetoes or digital.id in expert.vetoes:
        return Exclusion.VETO
    if rules.exclude_earlier and frozenset((digital.id, expert.id)) in rules.earlier_pairs:
        return Exclusion.EARLIER_PAIR
    if rules.no_reporting_line:
        lines = managers if managers is not None else reporting_lines((digital, expert), rules)
        if same_reporting_line(digital.id, expert.id, lines):
            return Exclusion.REPORTING_LINE
    if rules.shared_language and not (digital.languages & expert.languages):
        return Exclusion.NO_SHARED_LANGUAGE
    return None


def ancestors(ids: Sequence[str], managers: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Management chain of each id (manager, their manager, ...), memoised; the same as
    :func:`_chain`, and like it refuses a cycle."""
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
