"""A tandem's session log: logging a session, and each member's private note and reflection on it."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import sessions
from plugin.services.tandem_access import TandemAccess
from plugin.web.auth import current_actor
from plugin.web.forms import TandemForm, choices
from plugin.web.tandem.blueprint import bp, catalogue, form_error, module_title, person_name, render_page, today
from plugin.web.tandem.labels import SCORES, SIDE_TRACK


class MyPartForm(TandemForm):
    private_note = TextAreaField(_l("My private note (only I ever see it)"), validators=[Optional()])
    space = RadioField(choices=SCORES, validate_choice=False)
    respect = RadioField(choices=SCORES, validate_choice=False)
    patience = RadioField(choices=SCORES, validate_choice=False)
    perseverance = RadioField(choices=SCORES, validate_choice=False)
    acceptance = RadioField(choices=SCORES, validate_choice=False)

    def reflection(self) -> dict[str, object]:
        raw = {p.value: getattr(self, p.value).data for p in Principle}
        return {k: int(v) if isinstance(v, str) and v.isascii() and v.isdigit() else v for k, v in raw.items()}


class SessionForm(MyPartForm):
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    minutes = IntegerField(_l("Length in minutes"), validators=[InputRequired(), NumberRange(sessions.MIN_MINUTES, sessions.MAX_MINUTES)], default=60)
    tracks = SelectMultipleField(_l("Tracks we worked on"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    agenda = TextAreaField(_l("Agenda"), validators=[Optional()])
    shared_notes = TextAreaField(_l("Shared notes (your partner and your trainer read them)"), validators=[Optional()])


def _track_choices(actor: Any, view: TandemAccess) -> list[tuple[str, str]]:
    out = []
    for slug, _version in sessions.track_choices(db.session, actor, catalogue(), view):
        for side in Side:
            out.append((f"{slug}|{side.value}", _("%(module)s: %(track)s (%(teacher)s teaches)", module=module_title(slug), track=SIDE_TRACK[side], teacher=person_name(view, view.digital_id if side is Side.DIGITAL_MENTOR else view.expert_id))))
    return out


def _sessions_page(actor: Any, tandem_id: int, form: SessionForm | None = None, status: int = 200) -> Response:
    view, logged = sessions.list_sessions(db.session, actor, tandem_id)
    if form is None:
        form = SessionForm(data={"held_on": today(), "minutes": 60})
    form.tracks.choices = choices(_track_choices(actor, view)) if view.is_member else []
    db.session.commit()
    return render_page("tandem/sessions.html", status, view=view, sessions=logged, form=form, me=actor.person_id)


@bp.route("/tandems/<int:tandem_id>/sessions", methods=["GET", "POST"])
def session_list(tandem_id: int) -> Response:
    actor = current_actor()
    if request.method == "GET":
        return _sessions_page(actor, tandem_id)
    form = SessionForm()
    if not form.validate_on_submit():
        return _sessions_page(actor, tandem_id, form, 400)
    tracks = [(t.partition("|")[0], t.partition("|")[2]) for t in form.tracks.data or ()]
    new = sessions.NewSession(form.held_on.data, form.minutes.data, tracks, form.agenda.data or "", form.shared_notes.data or "", form.private_note.data or "", form.reflection())
    try:
        session_id = sessions.log(db.session, actor, catalogue(), tandem_id, new, today())
    except RuleViolation as exc:
        db.session.rollback()
        form_error(form, exc, "held_on")
        return _sessions_page(actor, tandem_id, form, 400)
    db.session.commit()
    flash(_("The session is logged. Your partner can add their own private note and reflection."))
    return redirect(url_for("tandem.session_detail", tandem_id=tandem_id, session_id=session_id), code=303)


@bp.route("/tandems/<int:tandem_id>/sessions/<int:session_id>", methods=["GET", "POST"])
def session_detail(tandem_id: int, session_id: int) -> Response:
    actor = current_actor()
    view, item = sessions.detail(db.session, actor, tandem_id, session_id)
    form = MyPartForm(data={"private_note": item.my_note or "", **{p.value: str(s) for p, s in (item.my_reflection or {}).items()}} if request.method == "GET" else None)
    if request.method == "GET":
        db.session.commit()
        return render_page("tandem/session.html", view=view, item=item, form=form)
    if not form.validate_on_submit():
        return render_page("tandem/session.html", 400, view=view, item=item, form=form)
    try:
        sessions.save_my_part(db.session, actor, tandem_id, session_id, form.private_note.data or "", form.reflection())
    except RuleViolation as exc:
        db.session.rollback()
        form_error(form, exc, "private_note")
        return render_page("tandem/session.html", 400, view=view, item=item, form=form)
    db.session.commit()
    flash(_("Your note and reflection are saved."))
    return redirect(url_for("tandem.session_detail", tandem_id=tandem_id, session_id=session_id), code=303)
