"""Virtual coffee roulette: the pure rules (no database).

- A cadence cuts the calendar into periods; each period has one round, named by a key that is unique per
  programme: ``2026-W49`` (an ISO week), ``2026-F25`` (a fortnight: ISO weeks 49-50 of 2026; week 53 of a
  long ISO year is a fortnight of its own) or ``2026-12`` (a month).
- A round is due when the roulette is on and no round of the programme overlaps the current period (a
  change of cadence waits until the rounds already run are over).
- The meeting each match is offered: 30 minutes on a working day of the round from tomorrow on,
  at a half hour between 09:00 and 16:30 for every member in their own time zone (when there is one).
- Feedback is one of three kinds, per person per match; it can be changed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Cadence(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class Feedback(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    #: "I'd like to work with them": the others become wished partners for the next matching
    WORK_WITH = "work_with"


MEETING_MINUTES = 30
DEFAULT_ZONE = "UTC"
#: earliest and latest local start of a suggested meeting
DAY_START, DAY_END = time(9, 0), time(16, 30)


@dataclass(frozen=True)
class Period:
    """One round's stretch of the calendar: ``start`` to ``end`` inclusive, and its key."""

    key: str
    cadence: Cadence
    start: date
    end: date

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


def period_of(cadence: Cadence | str, day: date) -> Period:
    """The period of ``cadence`` that ``day`` falls in."""
    cadence = Cadence(cadence)
    if cadence is Cadence.MONTHLY:
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period(f"{day.year:04d}-{day.month:02d}", cadence, start, following - timedelta(days=1))
    year, week, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    if cadence is Cadence.WEEKLY:
        return Period(f"{year:04d}-W{week:02d}", cadence, monday, monday + timedelta(days=6))
    first_week = week if week % 2 == 1 else week - 1
    start = monday - timedelta(weeks=week - first_week)
    weeks_in_year = date(year, 12, 28).isocalendar()[1]
    length = 1 if first_week == weeks_in_year else 2  # week 53 of a long year stands alone
    return Period(f"{year:04d}-F{(first_week + 1) // 2:02d}", cadence, start, start + timedelta(weeks=length) - timedelta(days=1))


def is_due(enabled: bool, cadence: Cadence | str, today: date, rounds: Sequence[tuple[date, date]]) -> Period | None:
    """The period whose round is due today, or None (off, or a round already covers part of the period)."""
    if not enabled:
        return None
    current = period_of(cadence, today)
    if any(current.overlaps(start, end) for start, end in rounds):
        return None
    return current


def zone(name: str | None) -> ZoneInfo:
    """The time zone of that name, UTC when none or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def meeting_days(period: Period, today: date) -> list[date]:
    """Days a meeting of the round can be on: its working days from tomorrow on (the round is made today, at
    any hour), else any day left, else today (a round made on its last day)."""
    first = max(period.start, today + timedelta(days=1))
    left = [first + timedelta(days=i) for i in range((period.end - first).days + 1)]
    return [d for d in left if d.weekday() < 5] or left or [today]


def suggest_slot(day: date, zones: Sequence[str | None]) -> datetime:
    """A 30-minute start on ``day`` (in the first member's zone) inside everyone's working hours if possible.

    Candidates are the half hours from 09:00 to 16:30 in the first zone, nearest to 10:00 first; the first
    that every other member also sees between 09:00 and 16:30 wins, else 10:00 in the first zone. UTC."""
    first = zone(zones[0] if zones else None)
    others = [zone(z) for z in zones[1:]]
    steps = [time(h, m) for h in range(DAY_START.hour, DAY_END.hour + 1) for m in (0, 30) if time(h, m) <= DAY_END]
    steps.sort(key=lambda t: (abs((t.hour * 60 + t.minute) - 600), t))
    for step in steps:
        start = datetime.combine(day, step, first)
        if all(DAY_START <= start.astimezone(z).time() <= DAY_END for z in others):
            return start.astimezone(UTC)
    return datetime.combine(day, time(10, 0), first).astimezone(UTC)


@dataclass(frozen=True)
class Reason:
    """Why one person was put with another: the facts behind the match, for the page to word."""

    other_side: bool
    #: None when one of the two has no department in their profile
    other_department: bool | None
    met_before: bool


def reason(side_a: str | None, side_b: str | None, department_a: str | None, department_b: str | None, met_before: bool) -> Reason:
    """The reason for two people's match (sides and departments as their profiles say, at the round)."""
    dept_a, dept_b = (department_a or "").strip().casefold(), (department_b or "").strip().casefold()
    return Reason(
        other_side=bool(side_a and side_b and side_a != side_b),
        other_department=(dept_a != dept_b) if dept_a and dept_b else None,
        met_before=met_before,
    )
