"""The assessments blueprint and what its pages share: the kinds of take, times in the person's zone with
the zone named, and the questionnaires' own texts in the page's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, make_response, render_template
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain.assessments import TakeKind

bp = Blueprint("assessments", __name__)

KINDS = {TakeKind.START: _l("Start"), TakeKind.MILESTONE: _l("Milestone"), TakeKind.END: _l("End")}


def language() -> str:
    return str(get_locale() or "en")


def text(localized: Any) -> str:
    """A questionnaire's text (en + nl in the file) in the page's language."""
    return localized.get(language()) if localized is not None else ""


def at_zone(at: datetime, zone: str) -> str:
    """A moment in ``zone``, the zone named: "4 Dec 2026, 09:00:00 (Europe/Amsterdam)"."""
    try:
        local = at.astimezone(ZoneInfo(zone)) if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        zone, local = "UTC", at
    return _("%(moment)s (%(zone)s)", moment=format_datetime(local, "medium", rebase=False), zone=zone)


def signed(number: float) -> str:
    """A gain as people read it: +2, 0, -1 (halves kept for medians)."""
    shown = f"{number:g}"
    return f"+{shown}" if number > 0 else shown


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"kinds": KINDS, "qtext": text, "at_zone": at_zone, "signed": signed}


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    return make_response(render_template(template, **context), status)
