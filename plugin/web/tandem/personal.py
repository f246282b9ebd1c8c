"""Personal pages of a participant: the calendar feed (a secret, revocable iCalendar address) and the
personal data export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain.agenda import TimedEntry
from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.plans import ItemKind
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import calendar, modules, personal_export
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm
from plugin.web.tandem.blueprint import bp, catalogue, language, render_page


@bp.route("/me/calendar", methods=["GET", "POST"])
def my_calendar() -> Response:
    actor = current_actor()
    form = TandemForm()
    if request.method == "POST" and not form.validate_on_submit():
        return render_error(400)
    try:  # the service decides who has a feed: participants of a course
        token = calendar.create_feed(db.session, actor) if request.method == "POST" else None
        feeds = calendar.feeds(db.session, actor)
    except NotAllowed:
        db.session.rollback()
        return render_error(403, _l("The calendar feed lists a participant's planned sessions and due dates. Open Tandem as a participant of a course to use it."))
    db.session.commit()
    response = render_page("tandem/calendar.html", feeds=feeds, form=form, feed_url=url_for("tandem.feed", token=token, _external=True) if token else None)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/calendar/<int:feed_id>/revoke", methods=["GET", "POST"])
def revoke_feed(feed_id: int) -> Response:
    actor = current_actor()
    form = TandemForm()
    if request.method == "GET":
        if feed_id not in {f.id for f in calendar.feeds(db.session, actor) if f.revoked_at is None}:
            raise NotFound("no such active feed")
        return render_page("tandem/calendar_revoke.html", form=form, feed_id=feed_id)
    if not form.validate_on_submit():
        return render_error(400)
    calendar.revoke(db.session, actor, feed_id)
    db.session.commit()
    flash(_("The calendar address is revoked: calendar apps that use it no longer get your dates."))
    return redirect(url_for("tandem.my_calendar"), code=303)


@bp.route("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """The iCalendar feed: no login, the secret address is the key.  :raise 404: unknown or revoked."""
    try:
        found = calendar.content(db.session, token)
    except NotFound:
        db.session.rollback()
        return Response("This calendar address is unknown or was revoked.\n", 404, mimetype="text/plain")
    db.session.commit()
    with force_locale(found.locale if found.locale in ("en", "nl") else "en"):
        body = _ics(found)
    return Response(body, 200, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"})


def _ics(found: calendar.FeedContent) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Tandem//two-way mentoring//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Tandem: my mentoring dates"))
    stamp = utcnow()
    for e in found.events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", e.day)
        event.add("dtend", e.day + timedelta(days=1))
        partner = e.partner_name or _("your partner")
        if e.kind is ItemKind.SESSION:
            summary = _("Tandem session with %(name)s", name=partner)
        elif e.kind is ItemKind.CHECKIN:
            summary = _("Tandem check-in with your trainer and %(name)s", name=partner)
        else:
            summary = _("Tandem: module due with %(name)s: %(title)s", name=partner, title=_feed_module_title(found.organisation_id, e.module_slug))
        event.add("summary", summary + (" " + _("(done)") if e.done else ""))
        if e.duration_minutes:
            event.add("description", _("About %(minutes)s minutes.", minutes=e.duration_minutes))
        cal.add_component(event)
    for t in found.timed:
        cal.add_component(_timed(t, stamp))
    return cal.to_ical()


def _timed(t: TimedEntry, stamp: datetime) -> Any:
    from icalendar import Event

    summaries = {
        "coffee": _("Virtual coffee with %(name)s", name=t.title),
        "event": t.title,
        "group_session": _("Group session: %(name)s", name=t.title),
        "circle_meeting": _("Circle meeting: %(name)s", name=t.title),
    }
    event = Event()
    event.add("uid", t.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", t.start)
    event.add("dtend", t.end)
    event.add("summary", summaries[t.kind])
    if t.description:
        event.add("description", t.description)
    if t.location:
        event.add("location", t.location)
    if t.url:
        event.add("url", t.url)
    event.add("status", "CANCELLED" if t.cancelled else "CONFIRMED")
    return event


def _feed_module_title(organisation_id: int, slug: str | None) -> str:
    try:
        return modules.find(db.session, organisation_id, catalogue(), slug or "").module.title.get(language())
    except NotFound:
        return slug or ""


@bp.route("/me/export.json")
def my_export() -> Response:
    actor = current_actor()
    data = personal_export.export(db.session, actor)
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    headers = {"Content-Disposition": 'attachment; filename="tandem-my-data.json"', "Cache-Control": "no-store"}
    return Response(body, 200, mimetype="application/json", headers=headers)
