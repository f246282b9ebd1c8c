"""A self-assessment questionnaire as data: statements rated on a scale, each aligned to a competence key of
the matching model with a weight, and the rule that turns a competence's scores into a level 0-8.

Pure standard library. The file format is in ``curricula/questionnaires/README.md`` (schema:
``curricula/questionnaire.schema.json``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from plugin.domain.catalogue import Localized, Side
from plugin.domain.matching import MAX_LEVEL
from plugin.domain.matching.model import TAUGHT_BY


class TakeKind(enum.StrEnum):
    """When in the programme a questionnaire is filled in."""

    START = "start"
    MILESTONE = "milestone"
    END = "end"


@dataclass(frozen=True)
class ScalePoint:
    """One answer of the rating scale (``0`` "never" ... ``4`` "expert")."""

    value: int
    label: Localized


@dataclass(frozen=True)
class Item:
    """A statement the person rates; its score counts towards ``competence`` with ``weight``."""

    id: str
    text: Localized
    competence: str
    weight: float = 1.0


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire of one version.

    ``thresholds``: eight ascending numbers on the scale; a competence's level is how many of them its
    weighted mean score reaches (mean below the first: level 0; at or above the last: level 8).
    """

    slug: str
    version: int
    title: Localized
    intro: Localized
    scale: tuple[ScalePoint, ...]
    items: tuple[Item, ...]
    thresholds: tuple[float, ...]
    source: Localized | None = None

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.scale)

    @property
    def competences(self) -> tuple[str, ...]:
        """The competence keys the questionnaire measures, in the order of its items."""
        return tuple(dict.fromkeys(item.competence for item in self.items))

    @property
    def sides(self) -> frozenset[Side]:
        """The sides that teach what it measures (a DigComp self-check: the digital mentors')."""
        return frozenset(TAUGHT_BY[key] for key in self.competences)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)


__all__ = ["MAX_LEVEL", "Item", "Questionnaire", "ScalePoint", "TakeKind"]
