"""Facilitated events (webinar, masterclass, team day): the rules, pure Python.

An event is planned in one IANA time zone and stored in UTC; its seats go to the first who register, the
rest wait in the order they asked, and a freed seat goes to the first one waiting. After the event the
trainer takes attendance (by hand, or from Tandem launches in the event's window), which becomes a score
per person on the event's line item, and attaches follow-up actions that each attendee gets in their plan.
"""

from __future__ import annotations

import enum
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from plugin.domain.errors import RuleViolation
from plugin.domain.plans import ItemKind, PlanItem

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
PLACE_MAX = 300
URL_MAX = 2000
FOLLOWUP_MAX = 500
MIN_CAPACITY, MAX_CAPACITY = 1, 1000
MAX_LENGTH = timedelta(days=14)  # a two-day team development fits, a season does not
MAX_AHEAD = timedelta(days=3 * 366)
#: the years a date may name at all (checked before any time zone arithmetic)
MIN_YEAR, MAX_YEAR = 2000, 2100
#: launches this long before the start count as attending (people open the link a little early)
LAUNCH_MARGIN = timedelta(minutes=15)
#: score of an attendee, and of someone registered who did not come (the gradebook says the current truth)
ATTENDED_SCORE, ABSENT_SCORE = 100, 0


class EventKind(enum.StrEnum):
    WEBINAR = "webinar"
    MASTERCLASS = "masterclass"
    TEAM_DAY = "team_day"


class Seat(enum.StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"


SCHEDULED, CANCELLED = "scheduled", "cancelled"


@cache
def zones() -> frozenset[str]:
    """Every IANA time zone name this machine knows."""
    return frozenset(zoneinfo.available_timezones())


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone ``name``.  :raise RuleViolation: not an IANA zone name."""
    if not name or name not in zones():
        raise RuleViolation("Choose a time zone from the list.", "timezone")
    return zoneinfo.ZoneInfo(name)


def to_utc(local: datetime | None, zone_name: str, field: str) -> datetime:
    """A wall-clock time in ``zone_name`` as an aware UTC time.

    :raise RuleViolation: no time given, a year outside 2000-2100, or a time the clocks skip in that zone
    (daylight saving). An ambiguous time (the clocks go back) is its first occurrence.
    """
    if local is None:
        raise RuleViolation("Give a date and a time.", field)
    if not MIN_YEAR <= local.year <= MAX_YEAR:  # before converting: the calendar's first and last days overflow
        raise RuleViolation(f"Give a date between {MIN_YEAR} and {MAX_YEAR}.", field)
    tz = zone(zone_name)
    naive = local.replace(tzinfo=None, fold=0)
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise RuleViolation("This time does not exist in that time zone (the clocks move forward then).", field)
    return aware.astimezone(UTC)


def local(moment: datetime, zone_name: str) -> datetime:
    """An aware time in ``zone_name`` (naive times are taken as UTC, as SQLite returns them)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zoneinfo.ZoneInfo(zone_name) if zone_name in zones() else UTC)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def check_link(url: str | None) -> str:
    """An online link: http or https with a host, no spaces; empty is allowed.  :raise RuleViolation: anything else."""
    text = (url or "").strip()
    if not text:
        return ""
    if len(text) > URL_MAX:
        raise RuleViolation(f"The link is too long: at most {URL_MAX} characters.", "online_url")
    try:
        parts = urlsplit(text)
    except ValueError:
        raise RuleViolation("Give a web address starting with https:// or http://.", "online_url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() or ord(c) < 32 for c in text):
        raise RuleViolation("Give a web address starting with https:// or http://.", "online_url")
    return text


def _text(value: str | None, limit: int, field: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RuleViolation("This cannot be empty.", field)
    if len(text) > limit:
        raise RuleViolation(f"At most {limit} characters.", field)
    return text


@dataclass(frozen=True)
class EventDraft:
    """An event as the trainer types it: local wall-clock times in ``timezone``."""

    kind: str
    title: str
    description: str
    starts_local: datetime | None
    ends_local: datetime | None
    timezone: str
    place: str
    online_url: str
    capacity: int | None
    deadline_local: datetime | None


@dataclass(frozen=True)
class CheckedEvent:
    kind: EventKind
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str
    online_url: str
    capacity: int
    registration_deadline: datetime


def check_event(draft: EventDraft, now: datetime, *, registered: int = 0, new: bool = True) -> CheckedEvent:
    """The draft, checked: times in UTC.

    ``registered`` is how many hold a seat (a capacity below it is refused); a ``new`` event starts in the future.

    :raise RuleViolation: ``field`` names what to correct.
    """
    try:
        kind = EventKind(draft.kind)
    except ValueError:
        raise RuleViolation("Choose the kind of event.", "kind") from None
    title = _text(draft.title, TITLE_MAX, "title", required=True)
    description = _text(draft.description, DESCRIPTION_MAX, "description")
    place = _text(draft.place, PLACE_MAX, "place")
    online_url = check_link(draft.online_url)
    if not place and not online_url:
        raise RuleViolation("Give a place, an online link, or both.", "place")
    zone(draft.timezone)
    starts = to_utc(draft.starts_local, draft.timezone, "starts_local")
    ends = to_utc(draft.ends_local, draft.timezone, "ends_local")
    if ends <= starts:
        raise RuleViolation("The event ends after it starts.", "ends_local")
    if ends - starts > MAX_LENGTH:
        raise RuleViolation("An event lasts at most 14 days.", "ends_local")
    if new and starts <= now:
        raise RuleViolation("Plan the event in the future.", "starts_local")
    if starts - now > MAX_AHEAD:
        raise RuleViolation("Plan the event at most three years ahead.", "starts_local")
    deadline = to_utc(draft.deadline_local, draft.timezone, "deadline_local") if draft.deadline_local is not None else starts
    if deadline > starts:
        raise RuleViolation("Registration closes at the latest when the event starts.", "deadline_local")
    if draft.capacity is None or not MIN_CAPACITY <= draft.capacity <= MAX_CAPACITY:
        raise RuleViolation(f"Give a capacity from {MIN_CAPACITY} to {MAX_CAPACITY} seats.", "capacity")
    if draft.capacity < registered:
        raise RuleViolation(f"{registered} people hold a seat already: the capacity cannot be lower.", "capacity")
    return CheckedEvent(kind, title, description, starts, ends, draft.timezone, place, online_url, draft.capacity, deadline)


def registration_open(status: str, deadline: datetime, now: datetime) -> None:
    """:raise RuleViolation: the event is cancelled or registration has closed."""
    if status == CANCELLED:
        raise RuleViolation("This event is cancelled.", "event")
    if now >= aware(deadline):
        raise RuleViolation("Registration for this event has closed.", "deadline")


def seat_for(holding: int, capacity: int, waiting: int = 0) -> Seat:
    """A seat while one is free and nobody waits for it, else a place at the end of the waiting list."""
    return Seat.REGISTERED if holding < capacity and not waiting else Seat.WAITING


def to_promote(capacity: int, holding: int, waiting: Sequence[int]) -> list[int]:
    """Who gets a freed seat: the first ``capacity - holding`` of ``waiting`` (already in waiting order)."""
    return list(waiting[: max(0, capacity - holding)])


def attended_by_launch(starts_at: datetime, ends_at: datetime, launches: Sequence[datetime]) -> bool:
    """Whether one of a person's launches falls in the event's window (from shortly before the start to the end)."""
    start, end = aware(starts_at) - LAUNCH_MARGIN, aware(ends_at)
    return any(start <= aware(t) <= end for t in launches)


def check_followup(text: str | None, due_on: date | None, event_day: date) -> tuple[str, date]:
    """:raise RuleViolation: no text, too long, no due date, or due before the event."""
    checked = _text(text, FOLLOWUP_MAX, "text", required=True)
    if due_on is None:
        raise RuleViolation("Give the date the follow-up is due.", "due_on")
    if due_on < event_day:
        raise RuleViolation("A follow-up is due on or after the day of the event.", "due_on")
    if due_on > event_day + MAX_AHEAD:
        raise RuleViolation("A follow-up is due at most three years after the event.", "due_on")
    return checked, due_on


def followup_plan_item(item_id: int, text: str, due_on: date, confirm_by: int | None) -> PlanItem:
    """The plan item of one attendee's follow-up; ``confirm_by`` is their partner when the follow-up needs them."""
    return PlanItem(f"followup:{item_id}", ItemKind.FOLLOWUP, due_on, text=text, confirm_by=confirm_by)


def safe_cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "|", "%") else text
