"""Recording a circle's meeting, and reviewing the commitments still open before it."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Optional

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import circle_meetings
from plugin.web.auth import current_actor
from plugin.web.circles.common import ActionForm, bp, form_error, message_of, now, render_page
from plugin.web.forms import TandemForm


class MeetingForm(TandemForm):
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    at = TimeField(_l("Time"), validators=[Optional()])
    agenda = TextAreaField(_l("Agenda"), validators=[Optional()])
    notes = TextAreaField(_l("Notes (the members and the trainer read them)"), validators=[Optional()])


@bp.route("/circles/<int:circle_id>/meetings/new", methods=["GET", "POST"])
def new_meeting(circle_id: int) -> Response:
    actor = current_actor()
    view = circle_meetings.meeting_form(db.session, actor, circle_id)
    current = now()
    form = MeetingForm(data={"held_on": current.date()} if request.method == "GET" else None)

    def page(status: int) -> Response:
        db.session.rollback()
        return render_page("circles/meeting.html", status, view=view, form=form)

    if request.method == "GET" or not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    try:
        circle_meetings.record(db.session, actor, circle_id, circle_meetings.NewMeeting(form.held_on.data, form.at.data, form.agenda.data, form.notes.data), current)
    except RuleViolation as exc:
        form_error(form, exc, "held_on")
        return page(400)
    db.session.commit()
    flash(_("The meeting is recorded. Members can now state what they will do by the next one."))
    return redirect(url_for("circles.circle", circle_id=circle_id), code=303)


def _outcomes() -> dict[int, tuple[str | None, str | None]]:
    found: dict[int, tuple[str | None, str | None]] = {}
    for key in request.form:
        kind, _sep, number = key.partition("-")
        if kind in ("outcome", "comment") and number.isascii() and number.isdigit() and len(number) < 11:
            found[int(number)] = (request.form.get(f"outcome-{number}") or None, request.form.get(f"comment-{number}") or "")
    return found


@bp.route("/circles/<int:circle_id>/meetings/<int:meeting_id>/review", methods=["GET", "POST"])
def review(circle_id: int, meeting_id: int) -> Response:
    actor = current_actor()
    view, meeting, open_ = circle_meetings.review_form(db.session, actor, circle_id, meeting_id)
    form = ActionForm()
    errors: dict[str, str] = {}

    def page(status: int) -> Response:
        db.session.rollback()
        return render_page("circles/review.html", status, view=view, meeting=meeting, open=open_, form=form, errors=errors, given=request.form if request.method == "POST" else {})

    if request.method == "GET" or not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    try:
        count = circle_meetings.review(db.session, actor, circle_id, meeting_id, _outcomes())
    except RuleViolation as exc:
        errors[exc.field or "outcome"] = message_of(exc)
        return page(400)
    db.session.commit()
    flash(ngettext("%(num)d commitment reviewed.", "%(num)d commitments reviewed.", count))
    return redirect(url_for("circles.circle", circle_id=circle_id), code=303)
