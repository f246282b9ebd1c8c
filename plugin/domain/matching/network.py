"""Further mentors for the needs a participant's partner(s) cannot cover: the mentor network."""

from __future__ import annotations

from collections.abc import Sequence

from plugin.domain.catalogue import Side
from plugin.domain.matching.model import Person, Rules
from plugin.domain.matching.outcome import Result, Suggestion
from plugin.domain.matching.rules import exclusion, reporting_lines
from plugin.domain.matching.scores import split_sides


def suggest_network(people: Sequence[Person], rules: Rules, result: Result) -> dict[str, tuple[Suggestion, ...]]:
    """Further mentors for matched participants whose partner(s) cannot cover every need.

    A wanted competence is uncovered when no partner offers it at (or above) the wanted level. For each
    uncovered need, in the participant's order of largest possible gain, suggest the person of the other side
    who can teach it the most levels beyond what the partners already give, who has capacity left after the
    matching (and after earlier suggestions: one unit per mentor and participant), who is not a partner, and
    whom the hard rules and vetoes allow. Participants are served by descending pair score, so the result is
    deterministic. Needs nobody can improve get no suggestion.
    """
    digital, experts = split_sides(people)
    by_id = {p.id: p for p in people}
    lines = reporting_lines(people, rules)
    left = {p.id: p.capacity for p in people}
    partners: dict[str, list[str]] = {}
    best_score: dict[str, int] = {}
    for pair in result.pairs:
        for a, b in ((pair.digital_id, pair.expert_id), (pair.expert_id, pair.digital_id)):
            partners.setdefault(a, []).append(b)
            left[a] -= 1
            best_score[a] = max(best_score.get(a, 0), pair.score)
    # who offers what, best level first, then by id; ``start`` skips mentors whose capacity is used up
    offering: dict[str, list[tuple[int, str]]] = {}
    for p in people:
        for key, level in p.teaches.items():
            offering.setdefault(key, []).append((level, p.id))
    for entries in offering.values():
        entries.sort(key=lambda t: (-t[0], t[1]))

    start = dict.fromkeys(offering, 0)
    out: dict[str, tuple[Suggestion, ...]] = {}
    for pid in sorted(partners, key=lambda i: (-best_score[i], i)):
        person = by_id[pid]
        mentors_used: set[str] = set()
        suggestions = []
        needs = []
        for key, wanted in person.learns.items():
            current = person.current.get(key, 0)
            reached = max([current] + [min(by_id[q].teaches.get(key, 0), wanted) for q in partners[pid]])
            if reached < wanted:
                needs.append((wanted - reached, key, wanted, reached))
        for _, key, wanted, reached in sorted(needs, key=lambda t: (-t[0], t[1])):
            pick = None
            entries = offering.get(key, [])
            while start.get(key, 0) < len(entries) and left[entries[start[key]][1]] <= 0:
                start[key] += 1
            for level, qid in entries[start.get(key, 0) :]:
                if min(level, wanted) <= reached:
                    break  # sorted by level: nobody further down improves on the partners
                q = by_id[qid]
                if qid in partners[pid] or (left[qid] <= 0 and qid not in mentors_used):
                    continue
                d, e = (person, q) if person.side is Side.DIGITAL_MENTOR else (q, person)
                if exclusion(d, e, rules, lines) is not None:
                    continue
                pick = (level, q)
                break
            if pick is None:
                continue
            level, q = pick
            if q.id not in mentors_used:
                mentors_used.add(q.id)
                left[q.id] -= 1
            suggestions.append(Suggestion(pid, key, q.id, level, wanted, reached))
        if suggestions:
            out[pid] = tuple(suggestions)
    return out
