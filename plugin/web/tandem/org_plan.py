"""The organisation's long-term cohort plan (organisation admins): which module each cohort takes when,
and the progress of its tandems."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import cohorts, modules
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices
from plugin.web.tandem.blueprint import bp, catalogue, form_error, language, render_page, today


class CohortPlanForm(TandemForm):
    cohort = SelectField(_l("Cohort (course)"), choices=[], validate_choice=False)
    quarter = StringField(_l("Quarter"), validators=[InputRequired()])
    module = SelectField(_l("Module"), choices=[], validate_choice=False)


def _org_page(actor: Any, form: CohortPlanForm | None = None, status: int = 200) -> Response:
    form = form or CohortPlanForm()
    known = cohorts.cohorts(db.session, actor)
    form.cohort.choices = choices((c.id, c.title) for c in known)
    form.module.choices = choices(sorted(((e.module.slug, e.module.title.get(language())) for e in modules.entries(db.session, actor, catalogue())), key=lambda kv: kv[1]))
    rows = cohorts.progress(db.session, actor, catalogue(), today())
    db.session.commit()
    return render_page("tandem/org_plan.html", status, form=form, rows=rows, cohorts=known)


@bp.route("/organisation/plan", methods=["GET", "POST"])
def org_plan() -> Response:
    actor = current_actor()
    cohorts.require_admin(actor)
    if request.method == "GET":
        return _org_page(actor)
    form = CohortPlanForm()
    if not form.validate_on_submit():
        return _org_page(actor, form, 400)
    cohort = int(form.cohort.data) if (form.cohort.data or "").isascii() and (form.cohort.data or "").isdigit() else -1
    try:
        cohorts.add_row(db.session, actor, catalogue(), cohort, form.quarter.data or "", form.module.data or "")
    except RuleViolation as exc:
        db.session.rollback()
        form_error(form, exc, "module")
        return _org_page(actor, form, 400)
    db.session.commit()
    flash(_("The module is in the plan."))
    return redirect(url_for("tandem.org_plan"), code=303)


@bp.route("/organisation/plan/<int:row_id>/remove", methods=["POST"])
def org_plan_remove(row_id: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400)
    cohorts.remove_row(db.session, actor, row_id)
    db.session.commit()
    flash(_("The module is out of the plan; its progress is kept with the tandems."))
    return redirect(url_for("tandem.org_plan"), code=303)


@bp.route("/organisation/plan.csv")
def org_plan_csv() -> Response:
    actor = current_actor()
    rows = cohorts.progress(db.session, actor, catalogue(), today())
    db.session.commit()
    headers = {"Content-Disposition": 'attachment; filename="tandem-long-term-plan.csv"'}
    return Response(cohorts.as_csv(rows), 200, mimetype="text/csv", headers=headers)
