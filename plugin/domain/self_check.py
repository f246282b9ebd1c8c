"""The quick start: a short self-check whose answers pre-fill the needs map.

Eight questions, one per theme ("How at ease are you with ...?"), each answered on one scale of four.
For a theme one's own side teaches, the answer becomes the level one can teach up to (offer); for a
theme the other side teaches, it becomes today's level and the level wanted. The person then reviews
and adjusts every step of the needs map. :func:`prefill` is pure: it returns a new needs map.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.domain.needs_map import AREAS, TEACHES


class Answer(enum.IntEnum):
    """How at ease the person is with a theme."""

    NEW = 0  # it is new to me
    WITH_HELP = 1  # I manage with some help
    AT_EASE = 2  # I am at ease with it on my own
    CAN_TEACH = 3  # I could teach it to others


@dataclass(frozen=True)
class Theme:
    """One question of the self-check: a theme covering one or more framework areas."""

    id: str
    areas: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for area in AREAS if area.id in self.areas for key in area.keys)

    @property
    def taught_by(self) -> Side:
        return next(area.taught_by for area in AREAS if area.id in self.areas)


THEMES: tuple[Theme, ...] = (
    Theme("information", ("digcomp:1",)),
    Theme("communication", ("digcomp:2",)),
    Theme("creating", ("digcomp:3", "digcomp:5")),
    Theme("safety", ("digcomp:4",)),
    Theme("ideas", ("entrecomp:1",)),
    Theme("resources", ("entrecomp:2",)),
    Theme("action", ("entrecomp:3",)),
    Theme("life", ("lifecomp:P", "lifecomp:S", "lifecomp:L")),
)
THEMES_BY_ID: dict[str, Theme] = {t.id: t for t in THEMES}

#: a theme one's own side teaches: the level one can teach up to (none when not at ease on one's own)
TEACH_LEVEL: dict[Answer, int] = {Answer.AT_EASE: 4, Answer.CAN_TEACH: 6}
#: a theme the other side teaches: (level today, level wanted); nothing to learn when one could teach it
LEARN_LEVELS: dict[Answer, tuple[int, int]] = {Answer.NEW: (0, 3), Answer.WITH_HELP: (2, 4), Answer.AT_EASE: (4, 6)}


def themes_for(side: Side) -> tuple[Theme, ...]:
    """The questions in the order a side sees them: first what it teaches, then what it learns."""
    return tuple(t for t in THEMES if t.taught_by is side) + tuple(t for t in THEMES if t.taught_by is not side)


def parse_answers(raw: Mapping[str, str | int | None]) -> dict[str, Answer]:
    """Answers as submitted (theme id -> 0-3), every theme answered.

    :raise RuleViolation: a theme unanswered (``field`` = the theme id) or an answer out of range.
    """
    answers: dict[str, Answer] = {}
    for theme in THEMES:
        value = raw.get(theme.id)
        if value is None or value == "":
            raise RuleViolation(f"answer the question about {theme.id}", theme.id)
        try:
            answers[theme.id] = Answer(int(value))
        except ValueError:
            raise RuleViolation(f"choose one of the answers about {theme.id}", theme.id) from None
    return answers


def prefill(side: Side, answers: Mapping[str, Answer | int], needs: Mapping[str, Mapping[str, int]] | None = None) -> dict[str, dict[str, int]]:
    """The needs map after the self-check: every competence of an answered theme set from the answer,
    everything else kept as it was.

    :raise RuleViolation: an unknown theme or an answer out of range.
    """
    side = Side(side)
    own = set(TEACHES[side])
    result = {k: dict(v) for k, v in (needs or {}).items()}
    for theme_id, value in answers.items():
        theme = THEMES_BY_ID.get(theme_id)
        if theme is None:
            raise RuleViolation(f"no such question: {theme_id}", theme_id)
        try:
            answer = Answer(int(value))
        except ValueError:
            raise RuleViolation(f"choose one of the answers about {theme_id}", theme_id) from None
        for key in theme.keys:
            result.pop(key, None)
            if key in own:
                if answer in TEACH_LEVEL:
                    result[key] = {"offer": TEACH_LEVEL[answer]}
            elif answer in LEARN_LEVELS:
                current, want = LEARN_LEVELS[answer]
                result[key] = {"want": want} | ({"current": current} if current else {})
    return result
