"""Early-warning flags a trainer sees for a tandem: no sessions, one-way progress, low reflections, overdue plan items.

Everything is computed from plain dates and scores handed in, so the rules can be tested at each threshold.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.domain.plans import PlanItem


class FlagKind(enum.StrEnum):
    NO_SESSION = "no_session"
    ONE_DIRECTION = "one_direction"
    LOW_REFLECTION = "low_reflection"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class Thresholds:
    """When a flag is raised; the defaults are the programme's."""

    no_session_weeks: int = 4
    one_direction_weeks: int = 6
    #: a principle whose average is *below* this over the last sessions is flagged
    low_reflection: float = 2.5
    reflection_sessions: int = 3


@dataclass(frozen=True)
class Reflection:
    """One person's reflection after a session: ``side`` is the reflecting person's side, scores are 1-5."""

    session_on: date
    side: Side
    scores: Mapping[Principle, int]


def check_reflection(scores: Mapping[str, int]) -> dict[Principle, int]:
    """A reflection as entered: every principle scored as a whole number from 1 to 5.

    Raises:
        RuleViolation: a principle is unknown, missing or out of range (``field`` names it).
    """
    unknown = sorted(set(scores) - set(Principle))
    if unknown:
        raise RuleViolation(f"{unknown[0]!r} is not one of the principles.", unknown[0])
    out = {}
    for principle in Principle:
        value = scores.get(principle)
        if value is None:
            raise RuleViolation(f"Give a score for {principle.value}.", principle.value)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise RuleViolation(f"The score for {principle.value} must be from 1 to 5.", principle.value)
        out[principle] = value
    return out


def flags(
    *,
    today: date,
    started_on: date,
    sessions: Iterable[date],
    progress: Mapping[Side, date | None],
    reflections: Iterable[Reflection],
    plan_items: Iterable[PlanItem],
    thresholds: Thresholds = Thresholds(),
) -> list[Flag]:
    """The flags for one tandem on ``today``.

    ``sessions``: the dates sessions took place; ``progress``: per track (by who teaches it) the last day it
    gained a sign-off; ``started_on``: the tandem's start, which counts as the last session or progress
    when there is none yet.
    """
    out = []
    out.extend(_no_session(today, started_on, sessions, thresholds.no_session_weeks))
    out.extend(_one_direction(today, started_on, progress, thresholds.one_direction_weeks))
    out.extend(_low_reflections(today, reflections, thresholds))
    out.extend(_overdue(today, plan_items))
    return out


def activity_flags(*, today: date, started_on: date, last_session: date | None, progress: Mapping[Side, date | None], thresholds: Thresholds = Thresholds()) -> list[Flag]:
    """Only the no-session and one-direction flags of :func:`flags` (the same rules), from the last session held:
    for a caller that evaluates the reflection and plan-item rules elsewhere (the dashboard, in the database)."""
    sessions = (last_session,) if last_session is not None else ()
    return _no_session(today, started_on, sessions, thresholds.no_session_weeks) + _one_direction(today, started_on, progress, thresholds.one_direction_weeks)


def _no_session(today: date, started_on: date, sessions: Iterable[date], weeks: int) -> list[Flag]:
    """Flagged once ``weeks`` full weeks have passed since the last session (or the start)."""
    held = [d for d in sessions if d <= today]
    last = max(held) if held else None
    days = (today - (last or started_on)).days
    if days < 7 * weeks:
        return []
    return [Flag(FlagKind.NO_SESSION, {"last_session": last, "days": days, "weeks": weeks})]


def _one_direction(today: date, started_on: date, progress: Mapping[Side, date | None], weeks: int) -> list[Flag]:
    """Flagged when one track progressed within the last ``weeks`` weeks and the other has not for ``weeks`` or more."""
    limit = 7 * weeks
    for moving, stalled in ((Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT), (Side.SENIOR_EXPERT, Side.DIGITAL_MENTOR)):
        moved, stopped = progress.get(moving), progress.get(stalled)
        if moved is None or moved > today or (today - moved).days >= limit:
            continue
        days = (today - (stopped or started_on)).days
        if days >= limit:
            detail = {"progressing": moving, "stalled": stalled, "stalled_since": stopped, "days": days, "weeks": weeks}
            return [Flag(FlagKind.ONE_DIRECTION, detail)]
    return []


def _low_reflections(today: date, reflections: Iterable[Reflection], thresholds: Thresholds) -> list[Flag]:
    """Per side and principle: the average over that side's last sessions (up to ``reflection_sessions``)."""
    limit = Fraction(str(thresholds.low_reflection))
    out = []
    given = sorted((r for r in reflections if r.session_on <= today), key=lambda r: r.session_on)
    for side in Side:
        recent = [r for r in given if r.side is side][-thresholds.reflection_sessions :]
        for principle in Principle:
            scores = [r.scores[principle] for r in recent if principle in r.scores]
            if not scores:
                continue
            average = Fraction(sum(scores), len(scores))
            if average < limit:
                detail = {"side": side, "principle": principle, "average": round(float(average), 2), "sessions": len(scores)}
                out.append(Flag(FlagKind.LOW_REFLECTION, detail))
    return out


def _overdue(today: date, plan_items: Iterable[PlanItem]) -> list[Flag]:
    """One flag listing every item not done whose due date has passed."""
    late = sorted((i for i in plan_items if i.done_on is None and i.due < today), key=lambda i: (i.due, i.key))
    if not late:
        return []
    detail = {"items": tuple(i.key for i in late), "oldest_due": late[0].due, "days_late": (today - late[0].due).days}
    return [Flag(FlagKind.OVERDUE, detail)]
