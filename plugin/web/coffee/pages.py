"""The coffee pages: /coffee (one's opt-in, match and past coffees; the trainer's settings and rounds), a
match, a round, and the buttons (opt in or out, feedback, settings, run a round now)."""

from __future__ import annotations


from flask import Response, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import coffee
from plugin.web.auth import current_actor
from plugin.web.coffee.common import CADENCES, FEEDBACK, bp, message_of
from plugin.web.forms import TandemForm, choices


class ActionForm(TandemForm):
    """A button's form: CSRF only."""


class ChoiceForm(TandemForm):
    """A form whose submit buttons carry the choice (``name="choice" value="..."``)."""

    choice = StringField()
    #: where a feedback answer returns to: the index or the match
    back = StringField()


class SettingsForm(TandemForm):
    enabled = BooleanField(_l("Run coffee rounds in this programme"))
    cadence = RadioField(_l("How often"), choices=[], validate_choice=False)


def _settings_form(overview: coffee.Overview | None = None) -> SettingsForm:
    form = SettingsForm(data={"enabled": overview.enabled, "cadence": overview.cadence} if overview else None)
    form.cadence.choices = choices((k, str(v)) for k, v in CADENCES.items())
    return form


def _index(status: int = 200, error: str | None = None, settings_form: SettingsForm | None = None) -> Response:
    actor = current_actor()
    overview = coffee.overview(db.session, actor, utcnow().date())
    db.session.commit()
    form = settings_form or _settings_form(overview)
    if settings_form is not None:
        form.cadence.choices = choices((k, str(v)) for k, v in CADENCES.items())
    return make_response(render_template("coffee/index.html", o=overview, form=form, action=ActionForm(), error=error), status)


def _refused(exc: RuleViolation) -> Response:
    db.session.rollback()
    return _index(400, message_of(exc))


@bp.route("/coffee")
def index() -> Response:
    return _index()


@bp.route("/coffee/opt-in", methods=["POST"])
def opt_in() -> Response:
    form = ChoiceForm()
    if not form.validate_on_submit() or form.choice.data not in ("in", "out"):
        abort(400)
    try:
        coffee.set_opt_in(db.session, current_actor(), form.choice.data == "in")
    except RuleViolation as exc:
        return _refused(exc)
    db.session.commit()
    if form.choice.data == "in":
        flash(_("You take part in the coffee roulette from the next round on."))
    else:
        flash(_("You no longer take part from the next round on. A coffee already planned stays in your list."))
    return redirect(url_for("coffee.index"), code=303)


@bp.route("/coffee/settings", methods=["POST"])
def settings() -> Response:
    form = _settings_form()
    if not form.validate_on_submit():
        abort(400)
    try:
        coffee.save_settings(db.session, current_actor(), bool(form.enabled.data), form.cadence.data or "")
    except RuleViolation as exc:
        db.session.rollback()
        form.cadence.errors = [message_of(exc)]
        return _index(400, settings_form=form)
    db.session.commit()
    flash(_("The coffee roulette is on.") if form.enabled.data else _("The coffee roulette is off: no new rounds."))
    return redirect(url_for("coffee.index"), code=303)


@bp.route("/coffee/rounds", methods=["POST"])
def run_now() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        round_id, created = coffee.run_now(db.session, current_actor(), utcnow().date())
    except RuleViolation as exc:
        return _refused(exc)
    db.session.commit()
    flash(_("The round is made: everyone who opted in has a coffee match.") if created else _("This period's round has run already: nothing new was made."))
    return redirect(url_for("coffee.round_page", round_id=round_id), code=303)


@bp.route("/coffee/rounds/<int:round_id>")
def round_page(round_id: int) -> Response:
    detail = coffee.round_detail(db.session, current_actor(), round_id)
    db.session.commit()
    return make_response(render_template("coffee/round.html", detail=detail))


@bp.route("/coffee/matches/<int:match_id>")
def match_page(match_id: int) -> Response:
    match = coffee.match_detail(db.session, current_actor(), match_id)
    db.session.commit()
    return make_response(render_template("coffee/match.html", m=match, action=ActionForm()))


@bp.route("/coffee/matches/<int:match_id>/feedback", methods=["POST"])
def feedback(match_id: int) -> Response:
    form = ChoiceForm()
    if not form.validate_on_submit() or form.choice.data not in FEEDBACK:
        abort(400)
    try:
        coffee.give_feedback(db.session, current_actor(), match_id, form.choice.data)
    except RuleViolation as exc:
        db.session.rollback()
        return _match_refused(match_id, message_of(exc))
    db.session.commit()
    if form.choice.data == "work_with":
        flash(_("Thank you. They are now among your wished partners for the next matching."))
    else:
        flash(_("Thank you for your answer. You can change it at any time."))
    if form.back.data == "index":
        return redirect(url_for("coffee.index"), code=303)
    return redirect(url_for("coffee.match_page", match_id=match_id), code=303)


def _match_refused(match_id: int, message: str) -> Response:
    match = coffee.match_detail(db.session, current_actor(), match_id)
    db.session.commit()
    return make_response(render_template("coffee/match.html", m=match, action=ActionForm(), error=message), 400)


