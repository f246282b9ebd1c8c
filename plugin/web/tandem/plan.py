"""A tandem's plan: made from a template, with dates moved and items marked done (the plan keeps every change)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import plans
from plugin.web.auth import current_actor
from plugin.web.forms import TandemForm, choices
from plugin.web.tandem.blueprint import bp, catalogue, form_error, item_label, language, render_page, today
from plugin.web.tandem.labels import ERRORS, TEMPLATES


class PlanForm(TandemForm):
    template = RadioField(_l("Plan template"), choices=choices((k, v[0]) for k, v in TEMPLATES.items()), default="six-sessions")
    start = DateField(_l("Start date"), validators=[InputRequired()])
    modules = SelectMultipleField(_l("Modules"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)


class RescheduleForm(TandemForm):
    item = StringField(validators=[InputRequired()])
    due = DateField(_l("New date"), validators=[InputRequired()])
    reason = StringField(_l("Why"), validators=[Optional()])


class DoneForm(TandemForm):
    item = StringField(validators=[InputRequired()])
    on = DateField(_l("Done on"), validators=[InputRequired()])


def _plan_page(page: plans.PlanPage, form: PlanForm | None = None, status: int = 200, error: str | None = None, error_item: str | None = None) -> Response:
    if form is None:
        form = PlanForm(data={"start": today(), "modules": []})
    form.modules.choices = choices((m.slug, m.title.get(language())) for m in page.modules)
    return render_page(
        "tandem/plan.html", status, page=page, view=page.view, plan=page.plan, form=form, templates=TEMPLATES, today=today(), item_label=item_label, error=error, error_item=error_item,
    )


@bp.route("/tandems/<int:tandem_id>/plan", methods=["GET", "POST"])
def plan(tandem_id: int) -> Response:
    actor = current_actor()
    page = plans.page(db.session, actor, catalogue(), tandem_id)
    if request.method == "GET":
        db.session.commit()
        return _plan_page(page)
    form = PlanForm()
    if not form.validate_on_submit():
        return _plan_page(page, form, 400)
    try:
        plans.create(db.session, actor, catalogue(), tandem_id, form.template.data, form.start.data, form.modules.data or ())
    except RuleViolation as exc:
        db.session.rollback()
        form_error(form, exc, "template")
        return _plan_page(page, form, 400)
    db.session.commit()
    flash(_("Your plan is made. Move a date when you need to; the plan keeps every change."))
    return redirect(url_for("tandem.plan", tandem_id=tandem_id), code=303)


def _plan_change(tandem_id: int, form: TandemForm, change: Any, done_message: str) -> Response:
    actor = current_actor()
    page = plans.page(db.session, actor, catalogue(), tandem_id)
    if not form.validate_on_submit():
        messages = [str(e) for errors in form.errors.values() for e in errors]
        return _plan_page(page, status=400, error=" ".join(messages), error_item=form.item.data)
    try:
        change(actor)
    except RuleViolation as exc:
        db.session.rollback()
        return _plan_page(page, status=400, error=str(ERRORS.get(exc.field or "", exc.message)), error_item=form.item.data)
    db.session.commit()
    flash(done_message)
    return redirect(url_for("tandem.plan", tandem_id=tandem_id), code=303)


@bp.route("/tandems/<int:tandem_id>/plan/reschedule", methods=["POST"])
def reschedule(tandem_id: int) -> Response:
    form = RescheduleForm()
    return _plan_change(
        tandem_id, form, lambda actor: plans.reschedule(db.session, actor, tandem_id, form.item.data, form.due.data, form.reason.data or "", utcnow()), _("The new date is saved; the plan's history keeps the old one.")
    )


@bp.route("/tandems/<int:tandem_id>/plan/done", methods=["POST"])
def mark_done(tandem_id: int) -> Response:
    form = DoneForm()
    return _plan_change(tandem_id, form, lambda actor: plans.mark_done(db.session, actor, tandem_id, form.item.data, form.on.data, utcnow()), _("Marked as done."))
