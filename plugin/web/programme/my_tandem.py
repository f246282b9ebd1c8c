"""A participant's published tandem: accept, virtual coffee, choose a partner."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import programmes, proposals
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm
from plugin.web.programme.blueprint import bp, person_label
from plugin.web.programme.labels import REFUSALS


class RespondForm(TandemForm):
    response = StringField(validators=[InputRequired()])


@bp.route("/tandem")
def my_tandem() -> Response:
    actor = current_actor()
    mine = proposals.my_tandems(db.session, actor)
    network = proposals.my_network(db.session, actor)
    programme = programmes.find(db.session, actor)
    suggested = proposals.suggestions(db.session, actor) if programme is not None and programme.matching_mode == "choice" else None
    db.session.commit()

    def label_for(tandem: proposals.MyTandem) -> Any:
        names = {str(actor.person_id): _("you"), str(tandem.partner_id): person_label(tandem.partner_name, tandem.partner_id)}
        return lambda pid: names.get(str(pid), person_label(None, int(pid)))

    return make_response(render_template("programme/tandem.html", tandems=mine, network=network, suggested=suggested, form=RespondForm(), person_label=person_label, label_for=label_for, me=str(actor.person_id)))


@bp.route("/tandem/request", methods=["POST"])
def request_partner() -> Response:
    actor = current_actor()
    form = RespondForm()
    if not form.validate_on_submit() or not ((form.response.data or "").isascii() and (form.response.data or "").isdigit()):
        return render_error(400)
    try:
        proposals.request_partner(db.session, actor, int(form.response.data))
    except proposals.PairRefused as exc:
        db.session.rollback()
        return render_error(409, REFUSALS.get(exc.reason, _l("This person is not one of your possible partners any more.")))
    db.session.commit()
    flash(_("Your request was sent. Your tandem starts when the other person accepts."))
    return redirect(url_for("programme.my_tandem"), code=303)


@bp.route("/tandem/<int:tandem_id>/respond", methods=["POST"])
def respond(tandem_id: int) -> Response:
    actor = current_actor()
    form = RespondForm()
    if not form.validate_on_submit() or form.response.data not in proposals.RESPONSES:
        return render_error(400, _l("Answer with Accept, Virtual coffee first or Decline."))
    response = form.response.data
    try:
        status = proposals.respond(db.session, actor, tandem_id, response)
    except RuleViolation as exc:
        db.session.rollback()
        if exc.field == "started":
            return render_error(409, _l("You both accepted already: your tandem has started. Nothing was changed."))
        return render_error(409, _l("This pairing is closed: it was declined or has ended. Nothing was changed."))
    db.session.commit()
    flash(_respond_message(status, response))
    return redirect(url_for("programme.my_tandem"), code=303)


def _respond_message(status: str, response: str) -> str:
    """The one message that says what the answer did."""
    if status == "declined":
        return _("You declined this pairing; your trainer will see it.")
    if status == "active" and response == "accepted":
        return _("You both accepted: your tandem has started.")
    if response == "coffee":
        return _("Your partner sees that you would like a virtual coffee first.")
    return _("You accepted. Waiting for your partner.")
