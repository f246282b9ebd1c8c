"""How well a proposed pair fits, in words a trainer can use instead of the engine's score.

A pair's score (see :mod:`plugin.domain.matching`) is the harmonic mean of what each partner learns,
plus a bonus for honoured wishes. Trainers read it as a *fit*: the levels each partner gains from
the other decide it, the weaker direction first (a tandem is two-way; a pair where one partner
learns little is not a strong tandem, however much the other learns).

Pure functions, no framework: the web layer turns :class:`FitLevel` and the numbers into sentences.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plugin.domain.matching import DIRECTION_CAP, WISH_BONUS

#: levels of gain in the weaker direction for a strong / a good fit
STRONG_LEVELS = 8
GOOD_LEVELS = 4
#: a direction gaining at most this many levels is thin when the other gains at least twice as much plus two
THIN_LEVELS = 3


class FitLevel(enum.StrEnum):
    """From best to worst; the values are stable (used in URLs and filters)."""

    STRONG = "strong"
    GOOD = "good"
    FAIR = "fair"
    THIN = "thin"
    NONE = "none"


#: the filter order on the review page
LEVELS: tuple[FitLevel, ...] = tuple(FitLevel)


class Learner(enum.StrEnum):
    """Who learns in a direction: the digital mentor (from the expert's expertise) or the senior expert."""

    DIGITAL = "digital"
    EXPERT = "expert"


@dataclass(frozen=True)
class Fit:
    """A pair's fit: its level, the levels each partner gains (capped as the score caps them), the wishes it
    honours, and, for a thin pair, who learns little."""

    level: FitLevel
    digital_learns: int
    expert_learns: int
    wishes: int
    thin_side: Learner | None = None

    @property
    def weaker(self) -> int:
        return min(self.digital_learns, self.expert_learns)


def fit_of(score: int, expertise_gain: int, digital_gain: int, wishes: int = 0) -> Fit:
    """The fit of a pair with ``score``, where the digital mentor gains ``expertise_gain`` levels from the
    senior expert and the expert gains ``digital_gain`` levels from the digital mentor.

    >>> fit_of(500, 10, 10).level
    <FitLevel.STRONG: 'strong'>
    >>> fit_of(150, 9, 1).thin_side
    <Learner.EXPERT: 'expert'>
    """
    d, e = max(0, min(expertise_gain, DIRECTION_CAP)), max(0, min(digital_gain, DIRECTION_CAP))
    wishes = max(0, wishes)
    if score - WISH_BONUS * wishes <= 0 or d == 0 or e == 0:
        return Fit(FitLevel.NONE, d, e, wishes, Learner.DIGITAL if d == 0 else Learner.EXPERT if e == 0 else None)
    weak, strong = min(d, e), max(d, e)
    thin_side = Learner.DIGITAL if d < e else Learner.EXPERT
    if weak >= STRONG_LEVELS:
        return Fit(FitLevel.STRONG, d, e, wishes)
    if weak >= GOOD_LEVELS:
        return Fit(FitLevel.GOOD, d, e, wishes)
    if weak <= THIN_LEVELS and strong >= 2 * weak + 2:
        return Fit(FitLevel.THIN, d, e, wishes, thin_side)
    return Fit(FitLevel.FAIR, d, e, wishes)


def fit_of_pair(pair: Mapping[str, Any]) -> Fit:
    """The fit of a pair as a proposal stores it (``score`` and ``explanation`` with both gains)."""
    x = pair.get("explanation") or {}
    return fit_of(int(pair.get("score") or 0), int(x.get("expertise_gain") or 0), int(x.get("digital_gain") or 0), len(x.get("wishes_honoured") or ()))


@dataclass(frozen=True)
class Summary:
    """A proposal in one line: how many pairs, how many of each fit, and whether the total is proven best."""

    pairs: int
    counts: Mapping[FitLevel, int]
    optimal: bool

    @property
    def strong(self) -> int:
        return self.counts.get(FitLevel.STRONG, 0)

    @property
    def thin(self) -> int:
        return self.counts.get(FitLevel.THIN, 0) + self.counts.get(FitLevel.NONE, 0)


def summarise(fits: Iterable[Fit], optimal: bool) -> Summary:
    """The summary of a proposal's fits."""
    counts = Counter(f.level for f in fits)
    return Summary(sum(counts.values()), {level: counts.get(level, 0) for level in LEVELS}, optimal)


__all__ = ["GOOD_LEVELS", "LEVELS", "STRONG_LEVELS", "THIN_LEVELS", "Fit", "FitLevel", "Learner", "Summary", "fit_of", "fit_of_pair", "summarise"]
