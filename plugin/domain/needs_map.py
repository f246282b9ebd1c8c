"""The needs map's shape (one step per framework area) and the one rule for "ready for matching".

A needs map maps competence keys (``"digcomp:2.6"``) to ``{"offer": n}`` for a competence one's own side
teaches (the level one can teach up to, 1-8) or ``{"want": n, "current": n}`` for a competence the other
side teaches (the level wanted, 1-8, above the level today, 0-7). Digital mentors teach DigComp; senior
experts teach EntreComp and LifeComp.

The readiness rule agrees with the matching engine's reasons: someone :func:`missing_for_matching` reports
"offers" for is what :mod:`plugin.domain.matching` calls ``no_offers``, "wants" is ``no_wants``, "capacity"
is ``no_capacity``; without a side or a language nobody can be paired with them at all.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from plugin.domain.catalogue import Side
from plugin.domain.matching import DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES

#: the competence keys each side teaches
TEACHES: dict[Side, tuple[str, ...]] = {Side.DIGITAL_MENTOR: DIGITAL_COMPETENCES, Side.SENIOR_EXPERT: EXPERTISE_COMPETENCES}


def other(side: Side) -> Side:
    return Side.SENIOR_EXPERT if side is Side.DIGITAL_MENTOR else Side.DIGITAL_MENTOR


def area_of(key: str) -> str:
    """The framework area of a competence key: ``digcomp:2.6`` -> ``digcomp:2``, ``lifecomp:P1`` -> ``lifecomp:P``."""
    framework, _sep, competence = key.partition(":")
    return f"{framework}:{competence.split('.')[0] if '.' in competence else competence[:1]}"


@dataclass(frozen=True)
class Area:
    """One framework area: one step of the needs map."""

    id: str  # "digcomp:2"
    keys: tuple[str, ...]
    taught_by: Side

    @property
    def framework(self) -> str:
        return self.id.partition(":")[0]

    @property
    def area(self) -> str:
        return self.id.partition(":")[2]

    @property
    def slug(self) -> str:
        """The area in a URL: ``digcomp-2``."""
        return self.id.replace(":", "-")


def _areas() -> tuple[Area, ...]:
    grouped: dict[str, list[str]] = {}
    taught: dict[str, Side] = {}
    for side, keys in TEACHES.items():
        for key in keys:
            grouped.setdefault(area_of(key), []).append(key)
            taught[area_of(key)] = side
    return tuple(Area(area_id, tuple(keys), taught[area_id]) for area_id, keys in grouped.items())


#: every area of the shipped frameworks, DigComp's first, in the frameworks' order
AREAS: tuple[Area, ...] = _areas()
AREAS_BY_SLUG: dict[str, Area] = {a.slug: a for a in AREAS}


def areas_for(side: Side) -> tuple[Area, ...]:
    """The needs map's steps for a side: first the areas it teaches (offer), then those it learns (want)."""
    return tuple(a for a in AREAS if a.taught_by is side) + tuple(a for a in AREAS if a.taught_by is not side)


def offers(side: Side, needs: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """What the person can teach that counts: own side's competences with a level."""
    own = set(TEACHES[side])
    return {k: int(v["offer"]) for k, v in needs.items() if k in own and v.get("offer")}


def wants(side: Side, needs: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """What the person wants to learn that counts: the other side's competences wanted above today's level."""
    theirs = set(TEACHES[other(side)])
    return {k: int(v["want"]) for k, v in needs.items() if k in theirs and v.get("want") and int(v["want"]) > int(v.get("current") or 0)}


class Missing(enum.StrEnum):
    """What a profile lacks before matching can pair the person."""

    SIDE = "side"
    LANGUAGES = "languages"
    CAPACITY = "capacity"
    OFFERS = "offers"
    WANTS = "wants"


def missing_for_matching(side: str | None, languages: Iterable[str] | None, capacity: int | None, needs: Mapping[str, Mapping[str, int]] | None) -> tuple[Missing, ...]:
    """What stops matching from pairing this profile (empty: ready).

    Ready means: a side, at least one language, room for at least one partner, at least one competence
    offered for one's own side and at least one the other side teaches wanted above today's level.
    """
    missing: list[Missing] = []
    try:
        chosen = Side(side) if side else None
    except ValueError:
        chosen = None
    if chosen is None:
        missing.append(Missing.SIDE)
    if not [x for x in languages or () if str(x).strip()]:
        missing.append(Missing.LANGUAGES)
    if not capacity or capacity < 1:
        missing.append(Missing.CAPACITY)
    if chosen is None:
        missing.extend((Missing.OFFERS, Missing.WANTS))
    else:
        if not offers(chosen, needs or {}):
            missing.append(Missing.OFFERS)
        if not wants(chosen, needs or {}):
            missing.append(Missing.WANTS)
    return tuple(missing)


def is_ready(side: str | None, languages: Iterable[str] | None, capacity: int | None, needs: Mapping[str, Mapping[str, int]] | None) -> bool:
    return not missing_for_matching(side, languages, capacity, needs)
