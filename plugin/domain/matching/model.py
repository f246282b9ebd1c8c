"""The matching model: the competences, the participants, the programme's hard rules (values only).

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation

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
TAUGHT_BY: dict[str, Side] = {k: Side.DIGITAL_MENTOR for k in DIGITAL_COMPETENCES} | {k: Side.SENIOR_EXPERT for k in EXPERTISE_COMPETENCES}

MAX_LEVEL = 8
SCALE = 1000  # two-way score of a pair where both learn DIRECTION_CAP levels
DIRECTION_CAP = 20  # levels of gain per direction beyond which more does not count
WISH_BONUS = 100  # per participant who asked for the other
MAX_WISHES = 3
MAX_LANGUAGES = 20
MAX_CAPACITY = 50


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
                if key not in TAUGHT_BY:
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
        return {k: v for k, v in self.offers.items() if TAUGHT_BY[k] is self.side}

    @cached_property
    def learns(self) -> Mapping[str, int]:
        """The wants that count: competences the other side teaches."""
        return {k: v for k, v in self.wants.items() if TAUGHT_BY[k] is not self.side}


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
