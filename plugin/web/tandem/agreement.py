"""A tandem's agreement: drafting it, and each member signing it (after acknowledging the five principles)."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.agreements import Principle
from plugin.domain.errors import RuleViolation
from plugin.domain.plans import Cadence
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import agreements
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices
from plugin.web.tandem.blueprint import bp, form_error, render_page
from plugin.web.tandem.labels import CADENCES, DEFAULT_CONFIDENTIALITY, ERRORS, PRINCIPLES


#: what the services refuse because of the agreement's state, not the form: 409 (a trainer gets 403 from the service)
CONFLICTS = ("signed", "draft")


class AgreementForm(TandemForm):
    goals = TextAreaField(_l("Our goals (one per line)"), validators=[InputRequired()])
    cadence = SelectField(_l("How often we meet"), choices=choices(CADENCES.items()), default=Cadence.MONTHLY.value)
    duration_minutes = IntegerField(_l("How long a session lasts (minutes)"), validators=[InputRequired(), NumberRange(15, 480)], default=60)
    confidentiality = TextAreaField(_l("What stays confidential"), validators=[InputRequired()])


class SignForm(TandemForm):
    principles = SelectMultipleField(_l("I acknowledge the five principles"), choices=choices((p.value, PRINCIPLES[p][0]) for p in Principle), option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    confirmed = HiddenField()


def _agreement_page(page: agreements.AgreementPage, form: AgreementForm | None = None, sign_form: SignForm | None = None, status: int = 200) -> Response:
    if form is None:
        current = page.agreement
        data = {"goals": "\n".join(current.goals), "cadence": current.cadence.value, "duration_minutes": current.duration_minutes, "confidentiality": current.confidentiality} if current else {"confidentiality": str(DEFAULT_CONFIDENTIALITY)}
        form = AgreementForm(data=data)
    return render_page("tandem/agreement.html", status, page=page, view=page.view, form=form, sign_form=sign_form or SignForm())


@bp.route("/tandems/<int:tandem_id>/agreement", methods=["GET", "POST"])
def agreement(tandem_id: int) -> Response:
    actor = current_actor()
    page = agreements.page(db.session, actor, tandem_id)
    if request.method == "GET":
        db.session.commit()
        return _agreement_page(page)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _agreement_page(page, form, status=400)
    try:
        agreements.save_draft(db.session, actor, tandem_id, (form.goals.data or "").splitlines(), form.cadence.data, form.duration_minutes.data, form.confidentiality.data or "")
    except RuleViolation as exc:
        db.session.rollback()
        if exc.field in CONFLICTS:
            return render_error(409, ERRORS[exc.field])
        form_error(form, exc, "goals")
        return _agreement_page(page, form, status=400)
    db.session.commit()
    flash(_("The agreement is saved. Read it through, then sign it; your partner signs too."))
    return redirect(url_for("tandem.agreement", tandem_id=tandem_id), code=303)


@bp.route("/tandems/<int:tandem_id>/agreement/sign", methods=["POST"])
def sign(tandem_id: int) -> Response:
    actor = current_actor()
    page = agreements.page(db.session, actor, tandem_id)
    if page.signed_by_me:  # the domain refuses a second signature too, but names no field to tell it from the others
        return render_error(409, _l("You have signed this agreement already; a signature cannot be given twice or undone."))
    form = SignForm()
    if not form.validate_on_submit():
        return _agreement_page(page, sign_form=form, status=400)
    confirmed = form.confirmed.data == "1"
    try:
        signed = agreements.sign(db.session, actor, tandem_id, form.principles.data or (), utcnow(), store=confirmed)
    except RuleViolation as exc:
        db.session.rollback()
        if exc.field in CONFLICTS:
            return render_error(409, ERRORS[exc.field])
        form_error(form, exc, "principles")
        return _agreement_page(page, sign_form=form, status=400)
    if not confirmed:
        db.session.rollback()
        return render_page("tandem/sign_confirm.html", page=page, view=page.view, form=form)
    db.session.commit()
    flash(_("You signed the agreement. Your tandem opens as soon as your partner signs too.") if signed.waiting_for else _("You both signed: your tandem is open."))
    return redirect(url_for("tandem.hub" if not signed.waiting_for else "tandem.agreement", tandem_id=tandem_id), code=303)
