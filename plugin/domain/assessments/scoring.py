"""From answers to levels, and from levels to the needs map.

For the competences one's own side teaches, the level becomes the ``offer`` (what one can teach up to;
none at level 0). For the competences one learns (the other side's), it becomes ``current`` (today's
level); the ``want`` the person set is kept when it is still above today's level, otherwise (none set, or
already reached) the map proposes ``WANT_GAIN`` levels above today, which the person can edit. A learned
competence at the top level has nothing left to learn and leaves the map. Competences the questionnaire
does not measure stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping

from plugin.domain.assessments.model import Questionnaire
from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.domain.matching import MAX_LEVEL
from plugin.domain.matching.model import TAUGHT_BY

#: levels above today's a proposed ``want`` aims at
WANT_GAIN = 2


class Unanswered(RuleViolation):
    """Statements left unanswered or answered off the scale: ``items`` names every one, ``field`` the first."""

    def __init__(self, items: tuple[str, ...]) -> None:
        super().__init__(f"answer every statement: {len(items)} not answered", items[0])
        self.items = items


def parse_answers(questionnaire: Questionnaire, raw: Mapping[str, object]) -> dict[str, int]:
    """Answers as submitted (item id -> a value of the scale), every item answered.

    :raise Unanswered: items unanswered or answered off the scale (all of them; ``field`` = the first).
    """
    answers: dict[str, int] = {}
    wrong: list[str] = []
    for item in questionnaire.items:
        value = raw.get(item.id)
        try:
            number = int(str(value)) if value is not None and len(str(value)) <= 3 else None
        except ValueError:
            number = None
        if number is None or number not in questionnaire.values:
            wrong.append(item.id)
        else:
            answers[item.id] = number
    if wrong:
        raise Unanswered(tuple(wrong))
    return answers


def level_of(questionnaire: Questionnaire, mean: float) -> int:
    return sum(1 for t in questionnaire.thresholds if mean >= t - 1e-9)


def levels(questionnaire: Questionnaire, answers: Mapping[str, int]) -> dict[str, int]:
    """Competence key -> level 0-8: the weighted mean of its items' scores against the thresholds."""
    totals: dict[str, list[float]] = {}
    for item in questionnaire.items:
        if item.id not in answers:
            raise RuleViolation(f"answer the statement {item.id}", item.id)
        acc = totals.setdefault(item.competence, [0.0, 0.0])
        acc[0] += item.weight * answers[item.id]
        acc[1] += item.weight
    return {key: min(MAX_LEVEL, level_of(questionnaire, total / weight)) for key, (total, weight) in totals.items()}


def needs_from(side: Side, measured: Mapping[str, int], needs: Mapping[str, Mapping[str, int]] | None = None) -> dict[str, dict[str, int]]:
    """The needs map after a take: every measured competence set from its level, the rest kept."""
    side = Side(side)
    result = {k: dict(v) for k, v in (needs or {}).items()}
    for key, level in measured.items():
        before = result.pop(key, {})
        if TAUGHT_BY.get(key) is side:
            if level >= 1:
                result[key] = {"offer": level}
            continue
        if level >= MAX_LEVEL:
            continue
        want = int(before.get("want") or 0)
        if want <= level:
            want = min(MAX_LEVEL, level + WANT_GAIN)
        result[key] = {"want": want} | ({"current": level} if level else {})
    return result
