"""The events blueprint and what its pages share: times in the viewer's zone with the zone named, the kinds'
names, and the service's messages in the page's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, make_response, render_template
from flask_babel import format_datetime, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain import events as domain
from plugin.domain.errors import RuleViolation
from plugin.models.base import utcnow

bp = Blueprint("events", __name__)

KINDS = {domain.EventKind.WEBINAR: _l("Webinar"), domain.EventKind.MASTERCLASS: _l("Masterclass"), domain.EventKind.TEAM_DAY: _l("Team day")}
SEATS = {domain.Seat.REGISTERED: _l("Registered"), domain.Seat.WAITING: _l("On the waiting list"), domain.Seat.CANCELLED: _l("Unregistered")}

#: the service's (English) messages, in the page's language
MESSAGES = {
    "Choose the kind of event.": _l("Choose the kind of event."),
    "This cannot be empty.": _l("This cannot be empty."),
    "Give a place, an online link, or both.": _l("Give a place, an online link, or both."),
    "Give a web address starting with https:// or http://.": _l("Give a web address starting with https:// or http://."),
    "Choose a time zone from the list.": _l("Choose a time zone from the list."),
    "Give a date and a time.": _l("Give a date and a time."),
    "This time does not exist in that time zone (the clocks move forward then).": _l("This time does not exist in that time zone (the clocks move forward then)."),
    "The event ends after it starts.": _l("The event ends after it starts."),
    "An event lasts at most 14 days.": _l("An event lasts at most 14 days."),
    "Plan the event in the future.": _l("Plan the event in the future."),
    "Plan the event at most three years ahead.": _l("Plan the event at most three years ahead."),
    "Registration closes at the latest when the event starts.": _l("Registration closes at the latest when the event starts."),
    "This event is cancelled.": _l("This event is cancelled."),
    "This event is cancelled; it cannot be changed.": _l("This event is cancelled; it cannot be changed."),
    "This event is over; it cannot be changed.": _l("This event is over; it cannot be changed."),
    "Registration for this event has closed.": _l("Registration for this event has closed."),
    "You are registered for this event already.": _l("You are registered for this event already."),
    "You are not registered for this event.": _l("You are not registered for this event."),
    "Attendance is taken once the event has started.": _l("Attendance is taken once the event has started."),
    "Take attendance from launches once the event is over.": _l("Take attendance from launches once the event is over."),
    "Tick only people registered for the event.": _l("Tick only people registered for the event."),
    "Take attendance first.": _l("Take attendance first."),
    "This course offers Tandem no gradebook: launch Tandem from the course once with grading allowed.": _l(
        "This course offers Tandem no gradebook: launch Tandem from the course once with grading allowed."
    ),
    "Give the date the follow-up is due.": _l("Give the date the follow-up is due."),
    "A follow-up is due on or after the day of the event.": _l("A follow-up is due on or after the day of the event."),
    "A follow-up is due at most three years after the event.": _l("A follow-up is due at most three years after the event."),
    "This follow-up is done already.": _l("This follow-up is done already."),
    "This item is already done.": _l("This follow-up is done already."),
    "Only the partner of the person who attended confirms this follow-up is done.": _l("Only the partner of the person who attended confirms this follow-up is done."),
}


def message(exc: RuleViolation) -> str:
    """A service's refusal in the page's language (numbers as the service gave them when there is no fixed text)."""
    if exc.message in MESSAGES:
        return str(MESSAGES[exc.message])
    if exc.field == "capacity" and "hold a seat already" in exc.message:
        return _("%(num)s people hold a seat already: the capacity cannot be lower.", num=exc.message.split(" ", 1)[0])
    if exc.field == "capacity":
        return _("Give a capacity from %(low)s to %(high)s seats.", low=domain.MIN_CAPACITY, high=domain.MAX_CAPACITY)
    if exc.message.startswith("At most"):
        return _("At most %(num)s characters.", num=exc.message.split()[2])
    if exc.field == "online_url":
        return _("The link is too long: at most %(num)s characters.", num=domain.URL_MAX)
    return exc.message


def now() -> datetime:
    return utcnow()


def today() -> date:
    return utcnow().date()


def when(start: datetime, end: datetime, zone: str) -> str:
    """``start`` to ``end`` in ``zone``, the zone named: "17 Dec 2026, 14:00 to 16:00 (Europe/Amsterdam)"."""
    a, b = domain.local(start, zone), domain.local(end, zone)
    until = format_time(b, "short", rebase=False) if a.date() == b.date() else format_datetime(b, "medium", rebase=False)
    return _("%(start)s to %(end)s (%(zone)s)", start=format_datetime(a, "medium", rebase=False), end=until, zone=zone)


def moment(at: datetime, zone: str) -> str:
    """One moment in ``zone``, the zone named."""
    return _("%(moment)s (%(zone)s)", moment=format_datetime(domain.local(at, zone), "medium", rebase=False), zone=zone)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"kinds": KINDS, "seats": SEATS, "when": when, "at_zone": moment}


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    return make_response(render_template(template, **context), status)
