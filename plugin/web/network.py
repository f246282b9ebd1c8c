"""The mentor network: focused mentorings: the pages (my network, one focused mentoring, asking, answering,
taking a request back, and the network as JSON). Rules and who may do what live in
:mod:`plugin.services.network`; these views parse, call one service function and render."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, current_app, flash, jsonify, make_response, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from plugin.domain.errors import RuleViolation
from plugin.domain.network_requests import MESSAGE_MAX, REASON_MAX
from plugin.extensions import db
from plugin.services import network
from plugin.web.auth import current_actor
from plugin.web.converters import MAX_ID
from plugin.web.forms import TandemForm

bp = Blueprint("network", __name__)

#: why a request was refused, in the page's language (by the service's reason)
REFUSALS = {
    "no_profile": _l("Fill in your profile and needs map first."),
    "not_open": _l("This is not one of your needs that your tandem partner leaves open."),
    "not_offered": _l("This person does not offer this competence beyond the level you reach."),
    "self": _l("You cannot be your own mentor."),
    "partner": _l("This person is your tandem partner already."),
    "reporting_line": _l("The two of you are in one reporting line, and the programme does not allow that."),
    "language": _l("The two of you share no language."),
    "unavailable": _l("This person is not available for a focused mentoring with you."),
    "open": _l("You already have a request or a focused mentoring on this need."),
    "declined": _l("This person declined a focused mentoring on this need."),
    "full": _l("This person mentors as many people as they can take at the moment."),
    "no_module": _l("No module of the programme has a track on this need."),
    "choose_module": _l("Choose the module to work on."),
}
ANSWER_ERRORS = {
    "response": _l("This request is answered already."),
    "reason": _l("The reason is too long."),
}


class AskForm(TandemForm):
    mentor = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])
    competence = HiddenField(validators=[InputRequired(), Length(max=64)])
    module = StringField(_l("Module"), validators=[Optional(), Length(max=64)])
    message = TextAreaField(_l("A short message (optional)"), validators=[Optional(), Length(max=MESSAGE_MAX)])


class AnswerForm(TandemForm):
    response = HiddenField(validators=[InputRequired(), Length(max=16)])
    reason = TextAreaField(_l("Reason (optional; the person who asked reads it)"), validators=[Optional(), Length(max=REASON_MAX)])


class WithdrawForm(TandemForm):
    pass


def _catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


def _page(status: int = 200, *, error: str | None = None, error_need: str | None = None, form: AskForm | None = None) -> Response:
    page = network.network_page(db.session, current_actor(), _catalogue())
    db.session.commit()
    return make_response(render_template("network/index.html", page=page, error=error, error_need=error_need, form=form or AskForm(), answer_form=AnswerForm()), status)


@bp.route("/network")
def index() -> Response:
    return _page()


@bp.route("/network.json")
def index_json() -> Response:
    page = network.network_page(db.session, current_actor(), _catalogue())
    db.session.commit()
    return jsonify(network.as_json(page))


@bp.route("/network/ask", methods=["POST"])
def ask() -> Response:
    form = AskForm()
    if not form.validate_on_submit():
        field = next(iter(form.errors), "")
        message = _("Your message is too long: at most %(max)s characters.", max=MESSAGE_MAX) if field == "message" else _("The request could not be understood.")
        return _page(400, error=message, error_need=form.competence.data if isinstance(form.competence.data, str) else None)
    try:
        group_id = network.ask(db.session, current_actor(), _catalogue(), form.mentor.data, form.competence.data, form.message.data or "", form.module.data or None)
    except network.AskRefused as exc:
        db.session.rollback()
        return _page(400, error=str(REFUSALS.get(exc.reason, exc.message)), error_need=form.competence.data)
    except RuleViolation:
        db.session.rollback()
        return _page(400, error=_("Your message is too long: at most %(max)s characters.", max=MESSAGE_MAX), error_need=form.competence.data)
    db.session.commit()
    flash(_("Your request is sent. You will see here when they answer."))
    return redirect(url_for("network.focused", group_id=group_id), code=303)


def _focused_page(group_id: int, status: int = 200, error: str | None = None) -> Response:
    item, capacity, zone = network.focused_detail(db.session, current_actor(), _catalogue(), group_id)
    db.session.commit()
    return make_response(render_template("network/focused.html", item=item, capacity=capacity, error=error, moment=lambda at: _moment(at, zone), answer_form=AnswerForm(), withdraw_form=WithdrawForm(), groups_page=_groups_page(item)), status)


def _moment(at: datetime, zone: str) -> str:
    """A moment in the person's time zone, the zone named."""
    try:
        tz = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz)
    return _("%(moment)s (%(zone)s)", moment=format_datetime(local, "medium", rebase=False), zone=zone)


def _groups_page(item: network.Focused) -> str | None:
    """The focused mentoring's work page (objectives and sign-offs) once the groups pages exist."""
    if item.status not in (network.ACTIVE, network.COMPLETED) or "groups.show" not in current_app.view_functions:
        return None
    return url_for("groups.show", group_id=item.id)


@bp.route("/network/focused/<int:group_id>")
def focused(group_id: int) -> Response:
    return _focused_page(group_id)


@bp.route("/network/focused/<int:group_id>/answer", methods=["POST"])
def answer(group_id: int) -> Response:
    form = AnswerForm()
    if not form.validate_on_submit():
        return _focused_page(group_id, 400, str(ANSWER_ERRORS["reason"] if "reason" in form.errors else _("The request could not be understood.")))
    try:
        status = network.answer(db.session, current_actor(), _catalogue(), group_id, form.response.data, form.reason.data or "")
    except network.AskRefused as exc:
        db.session.rollback()
        return _focused_page(group_id, 400, _("You mentor as many people as you can take. Raise your capacity in your profile first.") if exc.reason == "full" else exc.message)
    except RuleViolation as exc:
        db.session.rollback()
        return _focused_page(group_id, 400, str(ANSWER_ERRORS.get(exc.field or "", _("Answer accept or decline."))))
    db.session.commit()
    flash(_("You accepted. The focused mentoring has started.") if status == network.ACTIVE else _("You declined. The person who asked can see your answer."))
    return redirect(url_for("network.focused", group_id=group_id), code=303)


@bp.route("/network/focused/<int:group_id>/withdraw", methods=["POST"])
def withdraw(group_id: int) -> Response:
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _focused_page(group_id, 400, _("The request could not be understood."))
    try:
        network.withdraw(db.session, current_actor(), group_id)
    except RuleViolation:
        db.session.rollback()
        return _focused_page(group_id, 400, str(ANSWER_ERRORS["response"]))
    db.session.commit()
    flash(_("You took your request back."))
    return redirect(url_for("network.index"), code=303)
