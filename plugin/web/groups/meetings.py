"""A group's sessions: planning one (the mentor), attendance and shared notes, and each member's private note."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import group_sessions
from plugin.web.auth import current_actor
from plugin.web.forms import TandemForm
from plugin.web.groups.blueprint import bp, expired, message, refused, render_page, valid_post


class PlanForm(TandemForm):
    starts = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    minutes = IntegerField(_l("Length in minutes"), validators=[InputRequired(), NumberRange(group_sessions.MIN_MINUTES, group_sessions.MAX_MINUTES)], default=60)
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=group_sessions.AGENDA_MAX)])


class NoteForm(TandemForm):
    private_note = TextAreaField(_l("My private note (only I ever see it)"), validators=[Optional()])


def _list_page(group_id: int, form: PlanForm, status: int = 200) -> Response:
    view, sessions, tz = group_sessions.list_sessions(db.session, current_actor(), group_id)
    db.session.commit()
    return render_page("groups/sessions.html", status, view=view, sessions=sessions, tz=tz, form=form)


@bp.route("/groups/<int:group_id>/sessions", methods=["GET", "POST"])
def sessions(group_id: int) -> Response:
    form = PlanForm()
    if not form.validate_on_submit():
        return _list_page(group_id, form, 400 if form.is_submitted() else 200)
    try:
        session_id = group_sessions.plan(db.session, current_actor(), group_id, group_sessions.NewSession(form.starts.data, form.minutes.data, form.agenda.data or ""))
    except RuleViolation as exc:
        db.session.rollback()
        target = getattr(form, exc.field or "", None) or form.starts
        target.errors = [*(target.errors or []), message(exc)]
        return _list_page(group_id, form, 400)
    db.session.commit()
    flash(_("The session is planned. It is in each member's calendar feed."))
    return redirect(url_for("groups.session_detail", group_id=group_id, session_id=session_id), code=303)


@bp.route("/groups/<int:group_id>/sessions/<int:session_id>")
def session_detail(group_id: int, session_id: int) -> Response:
    view, meeting, tz, names = group_sessions.detail(db.session, current_actor(), group_id, session_id)
    db.session.commit()
    return render_page("groups/session.html", view=view, s=meeting, tz=tz, names=names, note=NoteForm(data={"private_note": meeting.my_note or ""}))


@bp.route("/groups/<int:group_id>/sessions/<int:session_id>/record", methods=["POST"])
def record(group_id: int, session_id: int) -> Response:
    if not valid_post():
        return expired()
    present = [int(p) for p in request.form.getlist("present") if p.isascii() and p.isdigit() and 0 < len(p) < 10]
    try:
        group_sessions.record(db.session, current_actor(), group_id, session_id, present, request.form.get("shared_notes", ""))
    except RuleViolation as exc:
        return refused(exc)
    db.session.commit()
    flash(_("The session is saved."))
    return redirect(url_for("groups.session_detail", group_id=group_id, session_id=session_id), code=303)


@bp.route("/groups/<int:group_id>/sessions/<int:session_id>/note", methods=["POST"])
def note(group_id: int, session_id: int) -> Response:
    if not valid_post():
        return expired()
    try:
        group_sessions.save_note(db.session, current_actor(), group_id, session_id, request.form.get("private_note", ""))
    except RuleViolation as exc:
        return refused(exc)
    db.session.commit()
    flash(_("Your private note is saved. Only you ever see it."))
    return redirect(url_for("groups.session_detail", group_id=group_id, session_id=session_id), code=303)
