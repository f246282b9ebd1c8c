"""An event's attendance (its trainers): tick who came or take it from launches, send it to the gradebook,
export it as CSV."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, request, url_for
from flask_babel import ngettext

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import event_attendance, events
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.events.blueprint import bp, message, now, render_page
from plugin.web.events.forms import AttendanceForm
from plugin.web.forms import TandemForm


def _sheet_page(event_id: int, status: int = 200, error: str | None = None) -> Response:
    actor = current_actor()
    sheet = event_attendance.sheet(db.session, actor, event_id, now())
    view = events.detail(db.session, actor, event_id, now())
    db.session.commit()
    return render_page("events/attendance.html", status, sheet=sheet, event=view, form=TandemForm(), error=error)


@bp.route("/events/<int:event_id>/attendance", methods=["GET", "POST"])
def attendance(event_id: int) -> Response:
    if request.method == "GET":
        return _sheet_page(event_id)
    actor = current_actor()
    form = AttendanceForm()
    if not form.validate_on_submit():
        return render_error(400)
    try:
        came = event_attendance.record(db.session, actor, event_id, form.attended.data or [], now())
    except RuleViolation as exc:
        db.session.rollback()
        return _sheet_page(event_id, 400, message(exc))
    db.session.commit()
    flash(ngettext("Attendance is saved: %(num)d person attended.", "Attendance is saved: %(num)d people attended.", came))
    return redirect(url_for("events.attendance", event_id=event_id), code=303)


@bp.route("/events/<int:event_id>/attendance/launches", methods=["POST"])
def attendance_from_launches(event_id: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400)
    try:
        came = event_attendance.from_launches(db.session, actor, event_id, now())
    except RuleViolation as exc:
        db.session.rollback()
        return _sheet_page(event_id, 400, message(exc))
    db.session.commit()
    flash(ngettext("Attendance is taken from launches: %(num)d person opened Tandem during the event.", "Attendance is taken from launches: %(num)d people opened Tandem during the event.", came))
    return redirect(url_for("events.attendance", event_id=event_id), code=303)


@bp.route("/events/<int:event_id>/grades", methods=["POST"])
def send_grades(event_id: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400)
    try:
        queued = event_attendance.send_grades(db.session, actor, event_id, now())
    except RuleViolation as exc:
        db.session.rollback()
        return _sheet_page(event_id, 400, message(exc))
    db.session.commit()
    current_app.extensions["tandem_outbox_wake"]()
    flash(ngettext("%(num)d score is on its way to the gradebook.", "%(num)d scores are on their way to the gradebook.", queued))
    return redirect(url_for("events.attendance", event_id=event_id), code=303)


@bp.route("/events/<int:event_id>/attendance.csv")
def attendance_csv(event_id: int) -> Response:
    actor = current_actor()
    filename, body = event_attendance.as_csv(db.session, actor, event_id, now())
    db.session.commit()
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, 200, mimetype="text/csv", headers=headers)
