"""Forming circles from the programme's pool (trainers): the form, the proposal with its figures, publish or discard."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField
from wtforms.validators import InputRequired, NumberRange

from plugin.domain import circles as rules
from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import circle_forming
from plugin.web.auth import current_actor
from plugin.web.circles.common import CADENCES, ActionForm, bp, form_error, message_of, render_page
from plugin.web.forms import TandemForm, choices


class FormingForm(TandemForm):
    min_size = IntegerField(_l("Smallest circle"), validators=[InputRequired(), NumberRange(rules.MIN_SIZE, rules.MAX_SIZE)], default=5)
    max_size = IntegerField(_l("Largest circle"), validators=[InputRequired(), NumberRange(rules.MIN_SIZE, rules.MAX_SIZE)], default=8)
    cadence = RadioField(_l("The circles meet"), choices=choices(CADENCES.items()), default="monthly", validate_choice=False)


@bp.route("/circles/form", methods=["GET", "POST"])
def forming() -> Response:
    actor = current_actor()
    pool = circle_forming.pool(db.session, actor)
    form = FormingForm(data={"min_size": 5, "max_size": 8, "cadence": "monthly"} if request.method == "GET" else None)

    def page(status: int) -> Response:
        db.session.rollback()
        return render_page("circles/forming.html", status, pool=pool, form=form)

    if request.method == "GET" or not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    try:
        proposal_id = circle_forming.propose(db.session, actor, form.min_size.data, form.max_size.data, form.cadence.data)
    except RuleViolation as exc:
        form_error(form, exc, "min_size")
        return page(400)
    db.session.commit()
    flash(_("Circles are proposed. Check them, then publish or discard them."))
    return redirect(url_for("circles.proposal", proposal_id=proposal_id), code=303)


@bp.route("/circles/proposals/<int:proposal_id>")
def proposal(proposal_id: int) -> Response:
    found = circle_forming.proposal(db.session, current_actor(), proposal_id)
    db.session.commit()
    return render_page("circles/proposal.html", proposal=found, form=ActionForm(formdata=None))


def _refused(proposal_id: int, exc: RuleViolation) -> Response:
    db.session.rollback()
    found = circle_forming.proposal(db.session, current_actor(), proposal_id)
    form = ActionForm(formdata=None)
    form.form_errors.append(message_of(exc))
    return render_page("circles/proposal.html", 400, proposal=found, form=form)


@bp.route("/circles/proposals/<int:proposal_id>/publish", methods=["POST"])
def publish(proposal_id: int) -> Response:
    actor = current_actor()
    if not ActionForm().validate_on_submit():
        return render_page("circles/proposal.html", 400, proposal=circle_forming.proposal(db.session, actor, proposal_id), form=ActionForm(formdata=None))
    try:
        made = circle_forming.publish(db.session, actor, proposal_id, lambda number: _("Peer circle %(number)s", number=number))
    except RuleViolation as exc:
        return _refused(proposal_id, exc)
    db.session.commit()
    flash(ngettext("%(num)d circle is published. Its members find it under Circles.", "%(num)d circles are published. Their members find them under Circles.", len(made)))
    return redirect(url_for("circles.index"), code=303)


@bp.route("/circles/proposals/<int:proposal_id>/discard", methods=["POST"])
def discard(proposal_id: int) -> Response:
    actor = current_actor()
    if not ActionForm().validate_on_submit():
        return render_page("circles/proposal.html", 400, proposal=circle_forming.proposal(db.session, actor, proposal_id), form=ActionForm(formdata=None))
    try:
        circle_forming.discard(db.session, actor, proposal_id)
    except RuleViolation as exc:
        return _refused(proposal_id, exc)
    db.session.commit()
    flash(_("The proposal is discarded."))
    return redirect(url_for("circles.forming"), code=303)
