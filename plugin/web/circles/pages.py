"""The circles list, making a circle by hand, the circle page (and its JSON), stating a commitment and leaving."""

from __future__ import annotations

from flask import Response, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import circle_meetings, circles
from plugin.web.auth import current_actor
from plugin.web.circles.common import CADENCES, ActionForm, bp, catalogue, form_error, now, render_page
from plugin.web.forms import TandemForm, choices


class CircleForm(TandemForm):
    name = StringField(_l("Name"))
    purpose = TextAreaField(_l("Purpose (optional)"), validators=[Optional()])
    cadence = RadioField(_l("The circle meets"), choices=choices(CADENCES.items()), validate_choice=False)
    members = SelectMultipleField(_l("Members (4 to 10); they take the chair in the order listed"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    modules = SelectMultipleField(_l("Modules (optional)"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    starts_on = DateField(_l("First meeting (optional)"), validators=[Optional()])
    starts_time = TimeField(_l("Time of the first meeting"), validators=[Optional()])


class CommitForm(TandemForm):
    text = TextAreaField(_l("By next meeting I will ..."))


@bp.route("/circles")
def index() -> Response:
    actor = current_actor()
    found = circles.index(db.session, actor, now())
    db.session.commit()
    return render_page("circles/index.html", index=found)


def _ids(values: list[str] | None) -> list[int]:
    out = []
    for value in values or ():
        if not (value.isascii() and value.isdigit() and len(value) < 11):
            raise RuleViolation("Choose members among the programme's participants.", "members")
        out.append(int(value))
    return out


@bp.route("/circles/new", methods=["GET", "POST"])
def create() -> Response:
    actor = current_actor()
    people, slugs = circles.create_choices(db.session, actor, catalogue())
    form = CircleForm(data={"cadence": "monthly"} if request.method == "GET" else None)
    form.members.choices = choices((p.person_id, p.name) for p in people)
    form.modules.choices = choices((s, s) for s in slugs)

    def page(status: int) -> Response:
        db.session.rollback()
        return render_page("circles/new.html", status, form=form, people=people, slugs=slugs)

    if request.method == "GET" or not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    try:
        new = circles.NewCircle(form.name.data, form.purpose.data, form.cadence.data, _ids(form.members.data), tuple(form.modules.data or ()), form.starts_on.data, form.starts_time.data)
        circle_id = circles.create(db.session, actor, catalogue(), new, now())
    except RuleViolation as exc:
        form_error(form, exc, "name")
        return page(400)
    db.session.commit()
    flash(_("The circle is made. Its members find it under Circles."))
    return redirect(url_for("circles.circle", circle_id=circle_id), code=303)


def _circle_page(circle_id: int, commit_form: CommitForm | None = None, status: int = 200) -> Response:
    actor = current_actor()
    found = circle_meetings.page(db.session, actor, circle_id, now())
    db.session.rollback() if status != 200 else db.session.commit()
    return render_page("circles/circle.html", status, page=found, me=actor.person_id, commit_form=commit_form or CommitForm(formdata=None), action=ActionForm(formdata=None))


@bp.route("/circles/<int:circle_id>")
def circle(circle_id: int) -> Response:
    return _circle_page(circle_id)


@bp.route("/circles/<int:circle_id>.json")
def circle_json(circle_id: int) -> Response:
    found = circle_meetings.page(db.session, current_actor(), circle_id, now())
    db.session.commit()
    view = found.view
    body = {
        "id": view.id, "name": view.name, "purpose": view.purpose, "cadence": view.cadence.value,
        "members": [{"person_id": p, "name": view.name_of(p)} for p in view.order], "next_chair": view.next_chair,
        "follow_through": found.rate, "upcoming": [u.isoformat() for u in found.upcoming],
        "meetings": [
            {"seq": m.seq, "held_at": m.held_at.isoformat(), "chair": m.chair_id, "agenda": m.agenda, "notes": m.notes,
             "commitments": [{"person_id": c.person_id, "text": c.text, "outcome": c.outcome.value if c.outcome else None, "comment": c.comment} for c in m.commitments]}
            for m in reversed(found.meetings)
        ],
    }  # fmt: skip
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/circles/<int:circle_id>/commitments", methods=["POST"])
def commit(circle_id: int) -> Response:
    actor = current_actor()
    form = CommitForm()
    if not form.validate_on_submit():
        return _circle_page(circle_id, form, 400)
    try:
        circle_meetings.commit(db.session, actor, circle_id, form.text.data)
    except RuleViolation as exc:
        db.session.rollback()
        form_error(form, exc, "text")
        return _circle_page(circle_id, form, 400)
    db.session.commit()
    flash(_("Your commitment is noted. The chair of the next meeting asks how it went."))
    return redirect(url_for("circles.circle", circle_id=circle_id), code=303)


@bp.route("/circles/<int:circle_id>/members/<int:person_id>/leave", methods=["POST"])
def leave(circle_id: int, person_id: int) -> Response:
    actor = current_actor()
    form = ActionForm()
    if not form.validate_on_submit():
        return _circle_page(circle_id, status=400)
    circles.leave(db.session, actor, circle_id, person_id)
    db.session.commit()
    if person_id == actor.person_id:
        flash(_("You left the circle."))
        return redirect(url_for("circles.index"), code=303)
    flash(_("The member left the circle; the chair rotation goes on without them."))
    return redirect(url_for("circles.circle", circle_id=circle_id), code=303)
