"""The events list and an event's page: registering, unregistering and the waiting list; creating, changing
and cancelling an event (its trainers)."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from plugin.domain import events as domain
from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import events
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.events.blueprint import bp, message, now, render_page
from plugin.web.events.forms import EventForm
from plugin.web.forms import TandemForm


@bp.route("/events")
def index() -> Response:
    actor = current_actor()
    page = events.index(db.session, actor, now())
    db.session.commit()
    return render_page("events/index.html", page=page, form=TandemForm())


def _event_page(event_id: int, status: int = 200, error: str | None = None) -> Response:
    view = events.detail(db.session, current_actor(), event_id, now())
    db.session.commit()
    return render_page("events/event.html", status, event=view, form=TandemForm(), error=error)


@bp.route("/events/<int:event_id>")
def event(event_id: int) -> Response:
    return _event_page(event_id)


def _form_page(form: EventForm, event_id: int | None, status: int = 200) -> Response:
    form.fill_zones()
    return render_page("events/form.html", status, form=form, event_id=event_id)


def _attach(form: EventForm, exc: RuleViolation) -> None:
    target = getattr(form, exc.field or "", None)
    if target is not None and hasattr(target, "errors") and exc.field != "csrf_token":
        target.errors = [*(target.errors or []), message(exc)]
    else:
        form.form_errors.append(message(exc))


@bp.route("/events/new", methods=["GET", "POST"])
def new() -> Response:
    actor = current_actor()
    zone = events.new_event_zone(db.session, actor)  # the service decides who creates events
    if request.method == "GET":
        db.session.commit()
        return _form_page(EventForm(data={"timezone": zone, "capacity": 20}), None)
    form = EventForm()
    if not form.validate_on_submit():
        return _form_page(form, None, 400)
    try:
        event_id = events.create(db.session, actor, form.draft(), now())
    except RuleViolation as exc:
        db.session.rollback()
        _attach(form, exc)
        return _form_page(form, None, 400)
    db.session.commit()
    flash(_("The event is in the programme: participants of the course can register now."))
    return redirect(url_for("events.event", event_id=event_id), code=303)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int) -> Response:
    actor = current_actor()
    view = events.editable(db.session, actor, event_id, now())
    if request.method == "GET":
        db.session.commit()
        data = {
            "kind": view.kind.value, "title": view.title, "description": view.description, "timezone": view.timezone, "place": view.place, "online_url": view.online_url,
            "capacity": view.capacity, "starts_local": domain.local(view.starts_at, view.timezone).replace(tzinfo=None),
            "ends_local": domain.local(view.ends_at, view.timezone).replace(tzinfo=None), "deadline_local": domain.local(view.registration_deadline, view.timezone).replace(tzinfo=None),
        }
        return _form_page(EventForm(data=data), event_id)
    form = EventForm()
    if not form.validate_on_submit():
        return _form_page(form, event_id, 400)
    try:
        promoted = events.edit(db.session, actor, event_id, form.draft(), now())
    except RuleViolation as exc:
        db.session.rollback()
        _attach(form, exc)
        return _form_page(form, event_id, 400)
    db.session.commit()
    if promoted:
        flash(_("The event is saved; %(num)s people from the waiting list have a seat now.", num=len(promoted)))
    else:
        flash(_("The event is saved."))
    return redirect(url_for("events.event", event_id=event_id), code=303)


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int) -> Response:
    actor = current_actor()
    view = events.editable(db.session, actor, event_id, now())
    form = TandemForm()
    if request.method == "GET":
        db.session.commit()
        return render_page("events/cancel.html", event=view, form=form)
    if not form.validate_on_submit():
        return render_error(400)
    events.cancel(db.session, actor, event_id, now())
    db.session.commit()
    flash(_("The event is cancelled. Registered people see it as cancelled, also in their calendars."))
    return redirect(url_for("events.event", event_id=event_id), code=303)


@bp.route("/events/<int:event_id>/register", methods=["POST"])
def register(event_id: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400)
    try:
        seat = events.register(db.session, actor, event_id, now())
    except RuleViolation as exc:
        db.session.rollback()
        return _event_page(event_id, 400, message(exc))
    db.session.commit()
    if seat is domain.Seat.REGISTERED:
        flash(_("You are registered. The event is in your calendar feed."))
    else:
        flash(_("The event is full: you are on the waiting list. When a seat frees up, it goes to the first person waiting."))
    return redirect(url_for("events.event", event_id=event_id), code=303)


@bp.route("/events/<int:event_id>/unregister", methods=["POST"])
def unregister(event_id: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400)
    try:
        events.unregister(db.session, actor, event_id, now())
    except RuleViolation as exc:
        db.session.rollback()
        return _event_page(event_id, 400, message(exc))
    db.session.commit()
    flash(_("You are unregistered."))
    return redirect(url_for("events.event", event_id=event_id), code=303)
