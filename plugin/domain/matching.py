"""Tandem's matching engine: pair digital mentors with senior experts so that *each* learns from the other.

Pure core (no Flask, no database): numpy for the vectorised scoring and OR-Tools' min-cost flow for the
solve live in :mod:`plugin.domain.matching_engine`; this module holds the model, the score, the hard
rules, the explanations and the public API. ``docs/matching.md`` documents all of it, with the JSON.

Public API
    :class:`Person`, :class:`Rules`                 the input
    :func:`match`                                   the whole pool at once -> :class:`Result`
    :func:`suggest_network`                         further mentors for needs one partner cannot cover
    :func:`score_pair`, :func:`exclusion`, :func:`score_matrix`, :func:`greedy_total`
                                                    the score and the rules, pair by pair (reference code)

The score of a pair (d, e), d a digital mentor and e a senior expert (all integers):

* e teaches d, on the expertise side (EntreComp, LifeComp):
  ``A = sum over c of max(0, min(offer_e[c], want_d[c]) - current_d[c])``
* d teaches e, on the digital side (DigComp): ``B``, the same with the roles swapped;
* ``a = min(A, DIRECTION_CAP)``, ``b = min(B, DIRECTION_CAP)``; the two-way score is the harmonic mean
  ``round(SCALE * 2ab / (DIRECTION_CAP * (a + b)))``: 0 when only one side learns, 1000 when both learn
  ``DIRECTION_CAP`` levels;
* plus ``WISH_BONUS`` for each of the two who asked for the other (only when the two-way score is > 0);
* a pair excluded by a hard rule or a veto scores 0, and a pair scoring 0 is never proposed.
"""

from __future__ import annotations

import enum
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation

__all__ = [
    "DIGITAL_COMPETENCES",
    "DIRECTION_CAP",
    "EXPERTISE_COMPETENCES",
    "SCALE",
    "WISH_BONUS",
    "Certificate",
    "Contribution",
    "Exclusion",
    "Explanation",
    "Pair",
    "Person",
    "Result",
    "Rules",
    "Side",
    "Suggestion",
    "Unmatched",
    "combine",
    "contributions",
    "exclusion",
    "greedy_baseline",
    "greedy_total",
    "match",
    "pair_for",
    "reporting_lines",
    "same_reporting_line",
    "score_matrix",
    "score_pair",
    "suggest_network",
]

#: Competence ids of the shipped frameworks (``curricula/frameworks``), and who teaches them.
FRAMEWORKS: dict[str, tuple[Side, tuple[str, ...]]] = {
    "digcomp": (Side.DIGITAL_MENTOR, tuple(f"{a}.{b}" for a, n in ((1, 3), (2, 6), (3, 4), (4, 4), (5, 4)) for b in range(1, n + 1))),
    "entrecomp": (Side.SENIOR_EXPERT, tuple(f"{a}.{b}" for a in (1, 2, 3) for b in range(1, 6))),
    "lifecomp": (Side.SENIOR_EXPERT, tuple(f"{a}{b}" for a in "PSL" for b in (1, 2, 3))),
}
#: Competence keys digital mentors teach (DigComp 2.2, 21 keys such as ``"digcomp:2.6"``).
DIGITAL_COMPETENCES: tuple[str, ...] = tuple(f"digcomp:{c}" for c in FRAMEWORKS["digcomp"][1])
#: Competence keys senior experts teach (EntreComp 1.1..3.5 and LifeComp P1..L3, 24 keys).
EXPERTISE_COMPETENCES: tuple[str, ...] = tuple(f"{f}:{c}" for f in ("entrecomp", "lifecomp") for c in FRAMEWORKS[f][1])
_TAUGHT_BY: dict[str, Side] = {k: Side.DIGITAL_MENTOR for k in DIGITAL_COMPETENCES} | {k: Side.SENIOR_EXPERT for k in EXPERTISE_COMPETENCES}

MAX_LEVEL = 8
SCALE = 1000  # two-way score of a pair where both learn DIRECTION_CAP levels
DIRECTION_CAP = 20  # levels of gain per direction beyond which more does not count
WISH_BONUS = 100  # per participant who asked for the other
MAX_WISHES = 3
MAX_LANGUAGES = 20
MAX_CAPACITY = 50


def _other(side: Side) -> Side:
    return Side.SENIOR_EXPERT if side is Side.DIGITAL_MENTOR else Side.DIGITAL_MENTOR


@dataclass(frozen=True)
class Person:
    """A participant.

    ``offers`` maps competence keys (``"digcomp:2.6"``) to the level (1-8) the person can teach at, ``wants``
    to the level they want to reach, ``current`` to their self-assessed level today on a wanted competence
    (0-8, default 0 = none yet). Only what one's own side teaches counts as an offer, and only what the other
    side teaches counts as a want; other entries are kept but do not score. ``wishes``: up to three ids of
    people they would like as partner; ``vetoes``: ids they must never be paired with. ``manager`` (an id)
    feeds the reporting-line rule. ``capacity``: how many partners they take (0 = none this round).
    """

    id: str
    side: Side
    languages: frozenset[str]
    capacity: int = 1
    offers: Mapping[str, int] = field(default_factory=dict)
    wants: Mapping[str, int] = field(default_factory=dict)
    current: Mapping[str, int] = field(default_factory=dict)
    goals: str = ""
    timezone: str | None = None
    cadence: str | None = None
    department: str | None = None
    manager: str | None = None
    wishes: tuple[str, ...] = ()
    vetoes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        where = f"person {self.id!r}"
        if not isinstance(self.id, str) or not self.id:
            raise RuleViolation("every person needs a non-empty string id", "id")
        try:
            side = Side(self.side)
        except ValueError:
            raise RuleViolation(f"{where}: side must be 'digital_mentor' or 'senior_expert'", "side") from None
        object.__setattr__(self, "side", side)
        languages = frozenset(str(x).strip().lower() for x in self.languages if str(x).strip())
        if len(languages) > MAX_LANGUAGES:
            raise RuleViolation(f"{where}: at most {MAX_LANGUAGES} languages", "languages")
        object.__setattr__(self, "languages", languages)
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int) or not 0 <= self.capacity <= MAX_CAPACITY:
            raise RuleViolation(f"{where}: capacity must be an integer from 0 to {MAX_CAPACITY}", "capacity")
        for name, low in (("offers", 1), ("wants", 1), ("current", 0)):
            values = dict(getattr(self, name))
            for key, level in values.items():
                if key not in _TAUGHT_BY:
                    raise RuleViolation(f"{where}: unknown competence {key!r} (use e.g. 'digcomp:2.6', 'entrecomp:1.2', 'lifecomp:P1')", name)
                if isinstance(level, bool) or not isinstance(level, int) or not low <= level <= MAX_LEVEL:
                    raise RuleViolation(f"{where}: {name}[{key!r}] must be an integer level from {low} to {MAX_LEVEL}", name)
            object.__setattr__(self, name, values)
        wishes = tuple(dict.fromkeys(str(w) for w in self.wishes))
        if len(wishes) > MAX_WISHES:
            raise RuleViolation(f"{where}: at most {MAX_WISHES} wishes", "wishes")
        if self.id in wishes:
            raise RuleViolation(f"{where}: cannot wish to be paired with themself", "wishes")
        object.__setattr__(self, "wishes", wishes)
        object.__setattr__(self, "vetoes", frozenset(str(v) for v in self.vetoes))

    @cached_property
    def teaches(self) -> Mapping[str, int]:
        """The offers that count: competences of this person's own side."""
        return {k: v for k, v in self.offers.items() if _TAUGHT_BY[k] is self.side}

    @cached_property
    def learns(self) -> Mapping[str, int]:
        """The wants that count: competences the other side teaches."""
        return {k: v for k, v in self.wants.items() if _TAUGHT_BY[k] is not self.side}


@dataclass(frozen=True)
class Rules:
    """Programme hard rules.

    ``shared_language``: a pair needs at least one language in common.
    ``no_reporting_line``: never pair two people of one reporting line (see :func:`same_reporting_line`).
    ``exclude_earlier``: never pair two people again who were paired before (``earlier_pairs``, unordered).
    ``managers``: reporting lines of people outside the pool (id -> manager id), so chains can be followed.
    """

    shared_language: bool = True
    no_reporting_line: bool = True
    exclude_earlier: bool = True
    earlier_pairs: frozenset[frozenset[str]] = frozenset()
    managers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pairs = set()
        for pair in self.earlier_pairs:
            ids = tuple(str(x) for x in pair)
            if len(set(ids)) != 2:
                raise RuleViolation("every earlier pair names two different ids", "earlier_pairs")
            pairs.add(frozenset(ids))
        object.__setattr__(self, "earlier_pairs", frozenset(pairs))
        object.__setattr__(self, "managers", {str(k): str(v) for k, v in dict(self.managers).items() if v is not None})


class Exclusion(enum.StrEnum):
    """The hard rule or veto that removes a pair."""

    VETO = "veto"
    EARLIER_PAIR = "earlier_pair"
    REPORTING_LINE = "reporting_line"
    NO_SHARED_LANGUAGE = "no_shared_language"


class Unmatched(enum.StrEnum):
    """Why a participant got no partner (``.message`` says it in a sentence)."""

    NO_CAPACITY = "no_capacity"
    NO_PARTNERS = "no_partners"
    NO_SHARED_LANGUAGE = "no_shared_language"
    EXCLUDED_BY_RULES = "excluded_by_rules"
    NO_WANTS = "no_wants"
    NO_OFFERS = "no_offers"
    NOTHING_WANTED_OFFERED = "nothing_wanted_offered"
    NOTHING_OFFERED_WANTED = "nothing_offered_wanted"
    ONE_SIDED_ONLY = "one_sided_only"
    PARTNERS_TAKEN = "partners_taken"

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    Unmatched.NO_CAPACITY: "capacity is 0: takes no partner this round",
    Unmatched.NO_PARTNERS: "nobody on the other side takes partners",
    Unmatched.NO_SHARED_LANGUAGE: "no partner shares a language",
    Unmatched.EXCLUDED_BY_RULES: "vetoes and programme rules (reporting line, earlier pairs) exclude every partner who shares a language",
    Unmatched.NO_WANTS: "wants nothing the other side teaches",
    Unmatched.NO_OFFERS: "offers nothing of their own side's competences",
    Unmatched.NOTHING_WANTED_OFFERED: "no eligible partner offers what they want (above their current level)",
    Unmatched.NOTHING_OFFERED_WANTED: "no eligible partner wants what they offer",
    Unmatched.ONE_SIDED_ONLY: "eligible partners either teach them or learn from them, never both",
    Unmatched.PARTNERS_TAKEN: "every compatible partner is at capacity with matches that add more to the total",
}


@dataclass(frozen=True)
class Contribution:
    """One competence one partner teaches the other: levels offered vs wanted, and the learner's current level."""

    competence: str
    offered: int
    wanted: int
    current: int

    @property
    def gain(self) -> int:
        return max(0, min(self.offered, self.wanted) - self.current)


@dataclass(frozen=True)
class Explanation:
    """Why a pair was proposed: the top competences each way, the gains, the wishes it honours."""

    expert_teaches: tuple[Contribution, ...]
    digital_teaches: tuple[Contribution, ...]
    expertise_gain: int
    digital_gain: int
    wishes_honoured: tuple[str, ...]
    shared_languages: tuple[str, ...]


@dataclass(frozen=True)
class Pair:
    """A proposed tandem."""

    digital_id: str
    expert_id: str
    score: int
    explanation: Explanation


@dataclass(frozen=True)
class Certificate:
    """Proof of optimality over *all* pairs, not only the candidates the solver looked at.

    ``duals`` (one integer ``u >= 0`` per participant) make the LP of the b-matching dual
    feasible for every pair: ``score(d, e) <= u[d] + u[e]`` unless (d, e) is matched. Then
    ``dual_bound = sum(capacity * u) + sum over matched pairs of (score - u[d] - u[e])`` bounds every matching
    (weak duality), and ``dual_bound == total`` proves the matching optimal. ``pairs_checked``: the pairs
    covered by that check (every pair of the pool, n_d * n_e, once certified; each was scored exactly with
    the final duals, or with a scan's duals plus a bound on how far the duals moved since);
    ``pairs_scored``: exact pair evaluations spent (sample included); ``candidates``: pairs given to the
    min-cost flow; ``full_scans``: passes over every pair of the pool.
    """

    dual_bound: int
    pairs_checked: int
    pairs_scored: int
    candidates: int
    full_scans: int
    duals: Mapping[str, int]


@dataclass(frozen=True)
class Result:
    """The matching of a whole pool."""

    pairs: tuple[Pair, ...]
    unmatched: Mapping[str, Unmatched]
    total: int
    optimal: bool
    certificate: Certificate

    @property
    def gap(self) -> int:
        """Dual bound minus total: 0 when proven optimal."""
        return self.certificate.dual_bound - self.total


@dataclass(frozen=True)
class Suggestion:
    """A further mentor for one need the partner(s) of ``participant_id`` cannot cover."""

    participant_id: str
    competence: str
    mentor_id: str
    offered: int  # the mentor's level
    wanted: int  # the level the participant wants to reach
    reached: int  # the level the participant reaches with their partner(s) (or their current level)


# --- rules ------------------------------------------------------------------------------------------------


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


# --- score ------------------------------------------------------------------------------------------------


def contributions(teacher: Person, learner: Person) -> list[Contribution]:
    """What ``teacher`` can teach ``learner``: competences with a gain > 0, best first."""
    offers = teacher.teaches
    out = [
        Contribution(key, offers[key], wanted, learner.current.get(key, 0))
        for key, wanted in learner.learns.items()
        if _TAUGHT_BY[key] is teacher.side and key in offers
    ]
    return sorted((c for c in out if c.gain > 0), key=lambda c: (-c.gain, -c.offered, c.competence))


def combine(expertise_gain: int, digital_gain: int) -> int:
    """The two-way score of the two gains: harmonic mean of the capped gains, 0..SCALE (exact integers)."""
    a, b = min(expertise_gain, DIRECTION_CAP), min(digital_gain, DIRECTION_CAP)
    if a <= 0 or b <= 0:
        return 0
    num, den = 2 * SCALE * a * b, DIRECTION_CAP * (a + b)
    return (2 * num + den) // (2 * den)  # rounded half up


def _wish_count(digital: Person, expert: Person) -> int:
    return (expert.id in digital.wishes) + (digital.id in expert.wishes)


def score_pair(digital: Person, expert: Person, rules: Rules = Rules(), managers: Mapping[str, str] | None = None) -> int:
    """The pair's score (reference implementation; the engine computes the same numbers vectorised)."""
    if digital.side is not Side.DIGITAL_MENTOR or expert.side is not Side.SENIOR_EXPERT:
        raise ValueError("score_pair(digital mentor, senior expert)")
    if exclusion(digital, expert, rules, managers) is not None:
        return 0
    base = combine(sum(c.gain for c in contributions(expert, digital)), sum(c.gain for c in contributions(digital, expert)))
    return base + WISH_BONUS * _wish_count(digital, expert) if base > 0 else 0


def _split(people: Sequence[Person]) -> tuple[list[Person], list[Person]]:
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise RuleViolation(f"duplicate person id {dup!r}", "id")
    return [p for p in people if p.side is Side.DIGITAL_MENTOR], [p for p in people if p.side is Side.SENIOR_EXPERT]


def score_matrix(people: Sequence[Person], rules: Rules = Rules()) -> tuple[list[str], list[str], list[list[int]]]:
    """Dense scores (digital ids, expert ids, rows of scores) computed pair by pair; for small pools and tests."""
    digital, experts = _split(people)
    lines = reporting_lines(people, rules)
    return [d.id for d in digital], [e.id for e in experts], [[score_pair(d, e, rules, lines) for e in experts] for d in digital]


def greedy_total(scores: Iterable[tuple[str, str, int]], capacity: Mapping[str, int]) -> int:
    """Baseline: take pairs by descending score (ties by ids) while both still have capacity."""
    left = dict(capacity)
    total = 0
    for d, e, s in sorted(scores, key=lambda t: (-t[2], t[0], t[1])):
        if s > 0 and left.get(d, 0) > 0 and left.get(e, 0) > 0:
            left[d] -= 1
            left[e] -= 1
            total += s
    return total


def greedy_baseline(people: Sequence[Person], rules: Rules = Rules()) -> int:
    """The greedy baseline at any scale: the total of :func:`greedy_total` over *all* pairs of the pool
    (descending score, ties by the order of the people in the input), computed without listing them all."""
    from plugin.domain import matching_engine as engine

    digital, experts = _split(people)
    problem = engine.build([p for p in digital if p.capacity > 0], [p for p in experts if p.capacity > 0], rules, reporting_lines(people, rules))
    return problem.greedy()


def _top(teacher: Person, learner: Person) -> tuple[int, tuple[Contribution, ...]]:
    """(total gain, top 3 contributions) of teacher -> learner; :func:`contributions` without the objects."""
    offers, current = teacher.teaches, learner.current
    found = []
    for key, wanted in learner.learns.items():
        offered = offers.get(key)
        if offered is not None:
            now = current.get(key, 0)
            gain = min(offered, wanted) - now
            if gain > 0:
                found.append((-gain, -offered, key, wanted, now))
    found.sort()
    return -sum(f[0] for f in found), tuple(Contribution(k, -o, w, c) for _, o, k, w, c in found[:3])


def _explain(digital: Person, expert: Person) -> tuple[Explanation, int]:
    a, teach_d = _top(expert, digital)
    b, teach_e = _top(digital, expert)
    base = combine(a, b)
    wished = tuple(p.id for p, other in ((digital, expert), (expert, digital)) if other.id in p.wishes)
    explanation = Explanation(
        expert_teaches=teach_d,
        digital_teaches=teach_e,
        expertise_gain=a,
        digital_gain=b,
        wishes_honoured=wished if base > 0 else (),
        shared_languages=tuple(sorted(digital.languages & expert.languages)),
    )
    return explanation, (base + WISH_BONUS * len(wished) if base > 0 else 0)


# --- the whole pool ----------------------------------------------------------------------------------------


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects (it would rescan the whole
    pool again and again; nothing built here forms a cycle)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: the stages :func:`match` reports to its ``progress`` callback, with the percentage reached at each
STAGES: tuple[tuple[str, int], ...] = (("scoring", 10), ("solving", 50), ("explaining", 90))


def match(people: Sequence[Person], rules: Rules = Rules(), progress: Callable[[str, int], None] | None = None) -> Result:
    """Solve the whole pool at once: the b-matching of maximal total score, with a certificate of optimality.

    Every pair respects the hard rules, the vetoes and both capacities; every participant without a partner
    gets an :class:`Unmatched` reason. ``progress(stage, percent)`` is called at each of :data:`STAGES`.
    Raises :class:`~plugin.domain.errors.RuleViolation` on invalid input.
    """
    from plugin.domain import matching_engine as engine  # numpy / OR-Tools, loaded on first use

    with _no_gc():
        return _match(people, rules, engine, progress or (lambda stage, percent: None))


def pair_for(digital: Person, expert: Person, rules: Rules = Rules(), managers: Mapping[str, str] | None = None) -> Pair | Exclusion:
    """The pair (d, e) with its score and explanation, or the rule that forbids it (for a trainer's edits)."""
    excluded = exclusion(digital, expert, rules, managers)
    if excluded is not None:
        return excluded
    explanation, score = _explain(digital, expert)
    return Pair(digital.id, expert.id, score, explanation)


def _match(people: Sequence[Person], rules: Rules, engine: Any, progress: Callable[[str, int], None]) -> Result:
    digital, experts = _split(people)
    lines = reporting_lines(people, rules)
    d_pool = [p for p in digital if p.capacity > 0]
    e_pool = [p for p in experts if p.capacity > 0]
    progress(*STAGES[0])
    problem = engine.build(d_pool, e_pool, rules, lines)
    progress(*STAGES[1])
    outcome = problem.solve()
    progress(*STAGES[2])

    pairs = []
    for r, c, s in zip(outcome.rows.tolist(), outcome.cols.tolist(), outcome.scores.tolist(), strict=True):
        d, e = d_pool[r], e_pool[c]
        explanation, check = _explain(d, e)
        if check != s:  # the vectorised and the reference score must agree exactly
            raise AssertionError(f"engine score {s} != reference score {check} for ({d.id}, {e.id})")
        pairs.append(Pair(d.id, e.id, s, explanation))
    pairs.sort(key=lambda p: (-p.score, p.digital_id, p.expert_id))

    unmatched: dict[str, Unmatched] = {p.id: Unmatched.NO_CAPACITY for p in people if p.capacity == 0}
    matched = {p.digital_id for p in pairs} | {p.expert_id for p in pairs}
    rows = [i for i, p in enumerate(d_pool) if p.id not in matched]
    cols = [j for j, p in enumerate(e_pool) if p.id not in matched]
    for pool, index, reach in ((d_pool, rows, problem.reach(rows, "rows")), (e_pool, cols, problem.reach(cols, "cols"))):
        for i, flags in zip(index, reach, strict=True):
            unmatched[pool[i].id] = _reason(pool[i], flags, bool(e_pool) if pool is d_pool else bool(d_pool))

    total = sum(p.score for p in pairs)
    duals = {p.id: int(x) for p, x in zip(d_pool, outcome.u.tolist(), strict=True)}
    duals.update({p.id: int(x) for p, x in zip(e_pool, outcome.v.tolist(), strict=True)})
    # capacity 0: any dual costs nothing (capacity * dual = 0), and this one covers every pair of theirs
    duals.update({p.id: SCALE + 2 * WISH_BONUS for p in people if p.capacity == 0})
    certificate = Certificate(
        dual_bound=outcome.dual_bound,
        pairs_checked=outcome.pairs_checked,
        pairs_scored=outcome.pairs_scored,
        candidates=outcome.candidates,
        full_scans=outcome.scans,
        duals=duals,
    )
    return Result(
        pairs=tuple(pairs),
        unmatched=dict(sorted(unmatched.items())),
        total=total,
        optimal=outcome.certified and outcome.dual_bound == total,
        certificate=certificate,
    )


def _reason(person: Person, flags: tuple[bool, bool, bool, bool, bool], partners_exist: bool) -> Unmatched:
    any_language, any_allowed, teaches_me, learns_from_me, two_way = flags
    if not partners_exist:
        return Unmatched.NO_PARTNERS
    if not person.learns:
        return Unmatched.NO_WANTS
    if not person.teaches:
        return Unmatched.NO_OFFERS
    if not any_language:
        return Unmatched.NO_SHARED_LANGUAGE
    if not any_allowed:
        return Unmatched.EXCLUDED_BY_RULES
    if not teaches_me:
        return Unmatched.NOTHING_WANTED_OFFERED
    if not learns_from_me:
        return Unmatched.NOTHING_OFFERED_WANTED
    if not two_way:
        return Unmatched.ONE_SIDED_ONLY
    return Unmatched.PARTNERS_TAKEN


def suggest_network(people: Sequence[Person], rules: Rules, result: Result) -> dict[str, tuple[Suggestion, ...]]:
    """Further mentors for matched participants whose partner(s) cannot cover every need.

    A wanted competence is uncovered when no partner offers it at (or above) the wanted level. For each
    uncovered need, in the participant's order of largest possible gain, suggest the person of the other side
    who can teach it the most levels beyond what the partners already give, who has capacity left after the
    matching (and after earlier suggestions: one unit per mentor and participant), who is not a partner, and
    whom the hard rules and vetoes allow. Participants are served by descending pair score, so the result is
    deterministic. Needs nobody can improve get no suggestion.
    """
    digital, experts = _split(people)
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
