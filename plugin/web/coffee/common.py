"""The coffee blueprint and what its pages share: labels, a meeting's time in the reader's zone, the services' refusals."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.lists import format_list
from flask import Blueprint
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain.coffee import Reason
from plugin.domain.errors import RuleViolation
from plugin.domain.matching import MAX_WISHES

bp = Blueprint("coffee", __name__)

CADENCES = {"weekly": _l("Weekly"), "fortnightly": _l("Every two weeks"), "monthly": _l("Monthly")}
FEEDBACK = {"met": _l("We met"), "not_met": _l("We did not meet"), "work_with": _l("I'd like to work with them")}
TRIGGERS = {"schedule": _l("On schedule"), "trainer": _l("Run by a trainer")}

#: the services' plain English refusals, in the page language
MESSAGES = {
    "fill in your profile (your side) before you take part": _l("Fill in your profile (choose your side) before you take part."),
    "choose weekly, every two weeks or monthly": _l("Choose weekly, every two weeks or monthly."),
    "switch the coffee roulette on first": _l("Switch the coffee roulette on first, then run a round."),
    "a round needs at least two people who opted in": _l("A round needs at least two people who opted in."),
    "choose one of the answers": _l("Choose one of the answers."),
    "fill in your profile before you wish for partners": _l("Fill in your profile before you wish for partners."),
    "your profile excludes someone in this match: change it there first": _l("Your profile excludes someone in this match: change that in your profile first."),
    f"you can wish for at most {MAX_WISHES} people: remove one in your profile first": _l(
        "You can wish for at most %(num)s people: remove one in your profile first.", num=MAX_WISHES
    ),
}


def message_of(exc: RuleViolation) -> str:
    return str(MESSAGES.get(exc.message, exc.message))


def language() -> str:
    return str(get_locale() or "en")


def period(key: str, start: date, end: date) -> str:
    """A round's period in words: its days."""
    return _("%(start)s to %(end)s", start=format_date(start, "medium", locale=language()), end=format_date(end, "medium", locale=language()))


def meeting(start: datetime, end: datetime, zone: str) -> str:
    """A meeting's day and times in ``zone``, the zone named: "Wednesday, 9 December 2026, 10:00 to 10:30 (Europe/Amsterdam)"."""
    tz = ZoneInfo(zone)
    local, until = start.astimezone(tz), end.astimezone(tz)
    return _(
        "%(day)s, %(start)s to %(end)s (%(zone)s)",
        day=format_date(local.date(), "full", locale=language()),
        start=format_time(local, "short", tzinfo=tz, locale=language()),
        end=format_time(until, "short", tzinfo=tz, locale=language()),
        zone=zone,
    )


def reason_text(reason: Reason) -> str:
    """Why two people were put together, in words: "other side, other department, you have not met"."""
    parts = [str(_l("other side") if reason.other_side else _l("same side"))]
    if reason.other_department is not None:
        parts.append(str(_l("other department") if reason.other_department else _l("same department")))
    parts.append(str(_l("you met before: no one new was left to meet") if reason.met_before else _l("you have not met")))
    return format_list(parts, style="standard", locale=language())


def name(value: str | None) -> str:
    return value or _("A participant")


def names(values: list[str | None] | tuple) -> str:
    """People's names as a list in words: "Ann, Bob and Cas"."""
    return format_list([name(v) for v in values], style="standard", locale=language()) if values else ""


@bp.app_context_processor
def coffee_helpers() -> dict:
    return {
        "coffee_cadences": CADENCES,
        "coffee_feedback": FEEDBACK,
        "coffee_triggers": TRIGGERS,
        "coffee_meeting": meeting,
        "coffee_period": period,
        "coffee_reason": reason_text,
        "coffee_name": name,
        "coffee_names": names,
    }
