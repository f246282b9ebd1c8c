"""Peer circles and advisory boards, the pure rules: sizes, the rotating chair, the meeting cadence, the
commitments log and the circle's follow-through rate.

- A circle holds ``MIN_SIZE`` to ``MAX_SIZE`` peers. Its chair order is the members' order; meeting ``n``
  (0 for the first) is chaired by ``order[n mod size]`` over the members still in the circle, so a member who
  leaves drops out of the rotation and the others move up.
- At a meeting every member may state one commitment ("by next meeting I will ..."); at a later meeting the
  chair records each open one as done, partly or not done, with a comment.
- The follow-through rate is the mean over reviewed commitments of done = 1, partly = 0.5, not done = 0
  (open commitments do not count); None while nothing is reviewed.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from plugin.domain.errors import RuleViolation

MIN_SIZE, MAX_SIZE = 4, 10
NAME_MAX, PURPOSE_MAX, AGENDA_MAX, NOTES_MAX, COMMITMENT_MAX, COMMENT_MAX = 200, 2000, 5000, 10000, 1000, 1000
#: how long a planned meeting lasts in the calendar feed
MEETING_MINUTES = 90
#: how many planned meetings the feed and the page show
UPCOMING = 3
#: the first meeting is planned at most this far ahead (as an event)
MAX_AHEAD = timedelta(days=3 * 366)
#: the years a meeting's date may name at all (checked before any time zone arithmetic)
MIN_YEAR, MAX_YEAR = 2000, 2100


class Cadence(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class Outcome(enum.StrEnum):
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"


#: what each outcome counts for in the follow-through rate
WEIGHTS = {Outcome.DONE: 1.0, Outcome.PARTLY: 0.5, Outcome.NOT_DONE: 0.0}


def check_size(count: int, low: int = MIN_SIZE, high: int = MAX_SIZE) -> None:
    """:raise RuleViolation: ``count`` members is not between ``low`` and ``high``."""
    if not low <= count <= high:
        raise RuleViolation(f"A circle has {low} to {high} members.", "members")


def check_bounds(low: int | None, high: int | None) -> tuple[int, int]:
    """The sizes a trainer asks for when forming circles.  :raise RuleViolation: not within 4-10, or min > max."""
    if low is None or not MIN_SIZE <= low <= MAX_SIZE:
        raise RuleViolation(f"The smallest circle has {MIN_SIZE} to {MAX_SIZE} members.", "min_size")
    if high is None or not MIN_SIZE <= high <= MAX_SIZE or high < low:
        raise RuleViolation(f"The largest circle has {MIN_SIZE} to {MAX_SIZE} members, and no fewer than the smallest.", "max_size")
    return low, high


def cadence_of(value: str | None) -> Cadence:
    try:
        return Cadence(value or "")
    except ValueError:
        raise RuleViolation("Choose how often the circle meets.", "cadence") from None


def outcome_of(value: str | None) -> Outcome:
    try:
        return Outcome(value or "")
    except ValueError:
        raise RuleViolation("Choose done, partly or not done.", "outcome") from None


def text(value: str | None, limit: int, name: str, *, required: bool = False) -> str:
    """The text as stored (stripped).  :raise RuleViolation: empty when required, or too long."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise RuleViolation("This cannot be empty.", name)
    if len(cleaned) > limit:
        raise RuleViolation(f"At most {limit} characters.", name)
    return cleaned


def chair_of(order: Sequence[int], meeting_index: int) -> int | None:
    """Who chairs meeting ``meeting_index`` (0-based) of a circle whose current chair order is ``order``."""
    return order[meeting_index % len(order)] if order else None


def rotation(order: Sequence[int], meeting_index: int, count: int | None = None) -> list[int]:
    """The chairs of the next ``count`` meetings from ``meeting_index`` (one full round by default)."""
    if not order:
        return []
    return [order[(meeting_index + k) % len(order)] for k in range(len(order) if count is None else count)]


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def step(moment: datetime, cadence: Cadence, times: int = 1) -> datetime:
    """``moment`` moved on by ``times`` periods of the cadence (a month keeps the day, or the month's last)."""
    if cadence is Cadence.MONTHLY:
        return _add_months(moment, times)
    return moment + timedelta(days=(7 if cadence is Cadence.WEEKLY else 14) * times)


def upcoming(anchor: datetime | None, cadence: Cadence, now: datetime, *, anchor_held: bool, count: int = UPCOMING) -> list[datetime]:
    """The next ``count`` planned meetings after ``now``: from the last meeting held (one period on), or from the
    first meeting planned (itself included). None planned without an anchor."""
    if anchor is None:
        return []
    times = 1 if anchor_held else 0
    out: list[datetime] = []
    try:  # a date past the calendar's last year ends the list quietly
        moment = step(anchor, cadence, times)
        while moment <= now:
            times += 1
            moment = step(anchor, cadence, times)
        for k in range(count):
            out.append(step(anchor, cadence, times + k))
    except (OverflowError, ValueError):
        pass
    return out


def follow_through(outcomes: Iterable[Outcome | str | None]) -> float | None:
    """Done = 1, partly = 0.5, not done = 0, averaged over the reviewed commitments (None: nothing reviewed)."""
    reviewed = [WEIGHTS[Outcome(o)] for o in outcomes if o]
    return sum(reviewed) / len(reviewed) if reviewed else None


def check_held(held_at: datetime, now: datetime, previous: datetime | None) -> None:
    """:raise RuleViolation: a meeting recorded before it took place, or before the circle's previous meeting."""
    if held_at > now:
        raise RuleViolation("Record a meeting once it took place: the time is in the future.", "held_on")
    if previous is not None and held_at < previous:
        raise RuleViolation("A meeting comes after the circle's previous one.", "held_on")


def meeting_day(day: date) -> None:
    """:raise RuleViolation: a meeting's date outside the years 2000-2100 (before time zones make it overflow)."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise RuleViolation(f"Give a date between {MIN_YEAR} and {MAX_YEAR}.", "held_on")


def first_meeting(day: date | None, now: datetime) -> None:
    """:raise RuleViolation: a first meeting planned in the past, or more than three years ahead."""
    if day is not None and day < now.date():
        raise RuleViolation("Plan the first meeting for today or later.", "starts_on")
    if day is not None and day > now.date() + MAX_AHEAD:
        raise RuleViolation("Plan the first meeting at most three years ahead.", "starts_on")
