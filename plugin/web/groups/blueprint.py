"""The groups blueprint and what its pages share: the catalogue, labels, the form-expired answer, a
service's refusal in the page language, and times in the person's time zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from babel.dates import format_datetime
from flask import Blueprint, Response, current_app, make_response, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm

bp = Blueprint("groups", __name__)

KINDS = {
    "open": (_l("Open"), _l("Everyone in the programme sees the group and joins it while there is room.")),
    "closed": (_l("Closed"), _l("Everyone in the programme sees the group; the mentor approves each request to join.")),
    "private": (_l("Private"), _l("Only its members see the group; the mentor invites them.")),
    "focused": (_l("Focused mentoring"), _l("One mentor and one mentee on one need.")),
}
STANDINGS = {"mentor": _l("You mentor this group"), "member": _l("You are a member"), "pending": _l("You asked to join"), "invited": _l("You are invited"), "outsider": "", "trainer": ""}
SIDE_TEACHES = {Side.DIGITAL_MENTOR.value: _l("Digital track: the digital mentors teach"), Side.SENIOR_EXPERT.value: _l("Expertise track: the senior experts teach")}
SIDE_NAMES = {Side.DIGITAL_MENTOR.value: _l("Digital mentor"), Side.SENIOR_EXPERT.value: _l("Senior expert")}
GRADE_STATUS = {"synced": _l("Synced to the gradebook"), "pending": _l("Waiting to send"), "failed": _l("Failed")}
#: a service's RuleViolation, by the field it names, in the page language
ERRORS = {
    "name": _l("Give the group a name of at most 200 characters."),
    "purpose": _l("The purpose is at most 2000 characters."),
    "kind": _l("Choose open, closed or private."),
    "capacity": _l("The group has no place left (a group has room for 1 to 30 members besides its mentor)."),
    "modules": _l("Choose one to three modules the programme offers."),
    "mentor": _l("Choose the group's mentor among the programme's participants."),
    "join": _l("You asked to join already, or you are invited: see the group page."),
    "person": _l("Invite a participant of the programme who is not in the group yet."),
    "status": _l("This group has ended."),
    "starts": _l("Give the date and time of the session (between 2000 and 2100)."),
    "minutes": _l("A session lasts from 15 to 480 minutes."),
    "agenda": _l("The agenda is at most 5000 characters."),
    "shared_notes": _l("The shared notes are at most 10000 characters."),
    "private_note": _l("Your private note is at most 10000 characters."),
    "present": _l("Mark only the group's people as present."),
    "criteria": _l("Tick every criterion: a sign-off confirms all of them."),
    "objective_id": _l("This objective is signed off already for this person."),
    "comment": _l("The comment is too long."),
    "reason": _l("Say why you withdraw the sign-off."),
    "seq": _l("This sign-off was already withdrawn."),
    "text": _l("Write the note (at most 4000 characters)."),
    "url": _l("Give a web address starting with https://."),
}


def catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


def language() -> str:
    return str(get_locale() or "en")


def message(exc: RuleViolation) -> str:
    return str(ERRORS.get(exc.field or "", exc.message))


def refused(exc: RuleViolation) -> Response:
    db.session.rollback()
    return render_error(400, message(exc))


def expired() -> Response:
    return render_error(400, _l("This form has expired. Reload the page and try again."))


def valid_post() -> bool:
    return TandemForm().validate_on_submit()


def when(moment: datetime, tz: str) -> str:
    """A moment in the time zone ``tz``, in the page language, with the zone named."""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    return f"{format_datetime(local, 'medium', tzinfo=zoneinfo.ZoneInfo(tz), locale=language())} ({tz})"


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    return make_response(render_template(template, kinds=KINDS, standings=STANDINGS, side_teaches=SIDE_TEACHES, side_names=SIDE_NAMES, grade_labels=GRADE_STATUS, lang=language(), when=when, **context), status)
