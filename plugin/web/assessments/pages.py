"""A participant's questionnaires, taking one (which fills in the needs map), their growth; the trainers'
overview of the programme, a participant's growth, and the choice of questionnaires."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from plugin.domain.assessments import Unanswered
from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import assessments
from plugin.web.assessments.blueprint import bp, render_page
from plugin.web.auth import current_actor
from plugin.web.forms import TandemForm

MAX_FIELD = 16


@bp.route("/assessments")
def index() -> Response:
    page = assessments.index(db.session, current_actor())
    db.session.commit()
    return render_page("assessments/index.html", page=page)


@bp.route("/assessments/take/<slug>", methods=["GET", "POST"])
def take(slug: str) -> Response:
    actor = current_actor()
    view = assessments.form(db.session, actor, slug)
    db.session.commit()
    form = TandemForm()
    answers = {item.id: request.form.get(item.id, "")[:MAX_FIELD] for item in view.questionnaire.items}
    kind = request.form.get("kind", "")[:MAX_FIELD]

    def page(status: int, error: str | None = None, wrong: tuple[str, ...] = (), field: str | None = None) -> Response:
        return render_page("assessments/take.html", status, view=view, form=form, answers=answers, kind=kind, error=error, wrong=wrong, field=field)

    if request.method == "GET":
        return page(200)
    if not form.validate_on_submit():
        return page(400, _("This form has expired. Reload the page and try again."))
    try:
        assessments.submit(db.session, actor, slug, answers, kind or None)
    except Unanswered as exc:
        db.session.rollback()
        return page(400, _("Answer every statement: %(num)s are not answered yet.", num=len(exc.items)), exc.items)
    except RuleViolation as exc:
        db.session.rollback()
        if exc.field == "side":
            return page(400, _("Save the first step of your profile (your side) before you take a self-assessment."), field="side")
        if exc.field == "kind":
            return page(400, _("Choose when you take it: at a milestone or at the end."), field="kind")
        return page(400, exc.message)
    db.session.commit()
    flash(_("Your answers are saved and filled in your needs map. Check it and change what does not fit you."))
    return redirect(url_for("assessments.growth"), code=303)


@bp.route("/assessments/growth")
def growth() -> Response:
    view = assessments.my_growth(db.session, current_actor())
    db.session.commit()
    return render_page("assessments/growth.html", view=view, own=True)


@bp.route("/assessments/programme")
def programme() -> Response:
    view = assessments.overview(db.session, current_actor())
    db.session.commit()
    return render_page("assessments/programme.html", view=view)


@bp.route("/assessments/people/<int:person_id>")
def person(person_id: int) -> Response:
    view = assessments.person_growth(db.session, current_actor(), person_id)
    db.session.commit()
    return render_page("assessments/growth.html", view=view, own=False)


@bp.route("/assessments/setup", methods=["GET", "POST"])
def setup() -> Response:
    actor = current_actor()
    view = assessments.setup(db.session, actor)
    db.session.commit()
    form = TandemForm()
    chosen = [s[:80] for s in request.form.getlist("questionnaires")] if request.method == "POST" else list(view.chosen)

    def page(status: int, error: str | None = None) -> Response:
        return render_page("assessments/setup.html", status, view=view, form=form, chosen=chosen, error=error)

    if request.method == "GET":
        return page(200)
    if not form.validate_on_submit():
        return page(400, _("This form has expired. Reload the page and try again."))
    try:
        assessments.choose(db.session, actor, chosen)
    except RuleViolation as exc:
        db.session.rollback()
        if exc.message == "choose at least one questionnaire":
            return page(400, _("Choose at least one questionnaire."))
        return page(400, _("Choose questionnaires from the list."))
    db.session.commit()
    flash(_("The programme's self-assessments are saved."))
    return redirect(url_for("assessments.programme"), code=303)


