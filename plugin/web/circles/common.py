"""The circles blueprint and what its pages share: labels, times in the reader's zone, a service's refusal on a form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from flask import Blueprint, Response, current_app, make_response, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from plugin.domain.errors import RuleViolation
from plugin.models.base import utcnow
from plugin.web.forms import TandemForm

bp = Blueprint("circles", __name__)

CADENCES = {"weekly": _l("Weekly"), "biweekly": _l("Every two weeks"), "monthly": _l("Monthly")}
OUTCOMES = {"done": _l("Done"), "partly": _l("Partly"), "not_done": _l("Not done")}
SIDE = {"digital_mentor": _l("Digital mentor"), "senior_expert": _l("Senior expert")}

#: the services' plain English refusals, in the page language
MESSAGES = {
    "This cannot be empty.": _l("This cannot be empty."),
    "A circle has 4 to 10 members.": _l("A circle has 4 to 10 members."),
    "Choose members among the programme's participants.": _l("Choose members among the programme's participants."),
    "No one can be in a circle with their manager.": _l("No one can be in a circle with their manager."),
    "The members need a language they all speak.": _l("The members need a language they all speak."),
    "Choose how often the circle meets.": _l("Choose how often the circle meets."),
    "Choose modules on offer in the programme.": _l("Choose modules on offer in the programme."),
    "Plan the first meeting for today or later.": _l("Plan the first meeting for today or later."),
    "Give the date of the meeting.": _l("Give the date of the meeting."),
    "Record a meeting once it took place: the time is in the future.": _l("Record a meeting once it took place: the time is in the future."),
    "A meeting comes after the circle's previous one.": _l("A meeting comes after the circle's previous one."),
    "The circle has no members.": _l("The circle has no members."),
    "Commitments are stated at a meeting: the circle has not met yet.": _l("Commitments are stated at a meeting: the circle has not met yet."),
    "You already stated your commitment at this meeting.": _l("You already stated your commitment at this meeting."),
    "Choose done, partly or not done.": _l("Choose done, partly or not done."),
    "Review commitments still open before this meeting.": _l("Review commitments still open before this meeting."),
    "Choose done, partly or not done for a commitment you comment on.": _l("Choose done, partly or not done for a commitment you comment on."),
    "Choose done, partly or not done for at least one commitment.": _l("Choose done, partly or not done for at least one commitment."),
    "The smallest circle has 4 to 10 members.": _l("The smallest circle has 4 to 10 members."),
    "The largest circle has 4 to 10 members, and no fewer than the smallest.": _l("The largest circle has 4 to 10 members, and no fewer than the smallest."),
    "The pool has fewer people than the smallest circle.": _l("The pool has fewer people than the smallest circle."),
    "This proposal is already published or discarded.": _l("This proposal is already published or discarded."),
    "Someone of this proposal joined a circle since it was formed: form the circles again.": _l("Someone of this proposal joined a circle since it was formed: form the circles again."),
}


def message_of(exc: RuleViolation) -> str:
    if exc.message.startswith("At most "):
        return str(_l("At most %(limit)s characters.", limit=exc.message.split()[2]))
    return str(MESSAGES.get(exc.message, exc.message))


def language() -> str:
    return str(get_locale() or "en")


def now() -> datetime:
    return utcnow()


def catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


class ActionForm(TandemForm):
    """A button's form: CSRF only."""


def form_error(form: TandemForm, exc: RuleViolation, default: str) -> None:
    """Attach a service's refusal to the field it names (or to the form)."""
    target = form._fields.get(exc.field or "") or form._fields.get(default)
    if target is not None:
        target.errors = [*(target.errors or []), message_of(exc)]
    else:
        form.form_errors.append(message_of(exc))


@bp.app_template_filter("circle_time")
def circle_time(moment: datetime | None, zone: str = "UTC") -> str:
    """A moment in the reader's time zone, the zone named: "4 Dec 2026, 14:00 (Europe/Amsterdam)"."""
    if moment is None:
        return ""
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    local = moment.astimezone(tz)
    return f"{format_date(local, 'medium', locale=language())} {format_time(local, 'short', locale=language())} ({zone})"


@bp.app_context_processor
def circle_labels() -> dict:
    return {"circle_cadences": CADENCES, "circle_outcomes": OUTCOMES, "circle_side": SIDE, "language_names": language_names}


def language_names(codes: Sequence[str]) -> str:
    """Language codes as names in the page language: "English, Dutch"."""
    return ", ".join(Locale(code).get_display_name(language()) or code for code in codes)


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    return make_response(render_template(template, **context), status)
