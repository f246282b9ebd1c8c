"""Personal and organisation pages of the tandem blueprint: the calendar feed (a secret, revocable iCalendar
address), the personal data export, and the organisation's long-term cohort plan.

The routes belong to the ``tandem`` blueprint (``plugin.web.tandem``), so their endpoint names stay
``tandem.*``; this module is imported before the blueprint is registered.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired

from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.plans import ItemKind
from plugin.domain.roles import Role
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import calendar, cohorts, modules, personal_export
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices
from plugin.web.tandem import _catalogue, _error, _language, _page, _today, bp

# ---------------------------------------------------------------- calendar feed and personal export


@bp.route("/me/calendar", methods=["GET", "POST"])
def my_calendar() -> Response:
    actor = current_actor()
    if actor.role is not Role.PARTICIPANT:
        return render_error(403, _l("The calendar feed lists a participant's planned sessions and due dates. Open Tandem as a participant of a course to use it."))
    form = TandemForm()
    token = None
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_error(400)
        token = calendar.create_feed(db.session, actor)
    feeds = calendar.feeds(db.session, actor)
    db.session.commit()
    response = _page("tandem/calendar.html", feeds=feeds, form=form, feed_url=url_for("tandem.feed", token=token, _external=True) if token else None)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/calendar/<int:feed_id>/revoke", methods=["GET", "POST"])
def revoke_feed(feed_id: int) -> Response:
    actor = current_actor()
    form = TandemForm()
    if request.method == "GET":
        if feed_id not in {f.id for f in calendar.feeds(db.session, actor) if f.revoked_at is None}:
            raise NotFound("no such active feed")
        return _page("tandem/calendar_revoke.html", form=form, feed_id=feed_id)
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
    return cal.to_ical()


def _feed_module_title(organisation_id: int, slug: str | None) -> str:
    try:
        return modules.find(db.session, organisation_id, _catalogue(), slug or "").module.title.get(_language())
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


# ---------------------------------------------------------------- organisation: long-term plan


class CohortPlanForm(TandemForm):
    cohort = SelectField(_l("Cohort (course)"), choices=[], validate_choice=False)
    quarter = StringField(_l("Quarter"), validators=[InputRequired()])
    module = SelectField(_l("Module"), choices=[], validate_choice=False)


def _org_page(actor: Any, form: CohortPlanForm | None = None, status: int = 200) -> Response:
    form = form or CohortPlanForm()
    known = cohorts.cohorts(db.session, actor)
    form.cohort.choices = choices((c.id, c.title) for c in known)
    form.module.choices = choices(sorted(((e.module.slug, e.module.title.get(_language())) for e in modules.entries(db.session, actor, _catalogue())), key=lambda kv: kv[1]))
    rows = cohorts.progress(db.session, actor, _catalogue(), _today())
    db.session.commit()
    return _page("tandem/org_plan.html", status, form=form, rows=rows, cohorts=known)


@bp.route("/organisation/plan", methods=["GET", "POST"])
def org_plan() -> Response:
    actor = current_actor()
    cohorts.require_admin(actor)
    if request.method == "GET":
        return _org_page(actor)
    form = CohortPlanForm()
    if not form.validate_on_submit():
        return _org_page(actor, form, 400)
    cohort = int(form.cohort.data) if (form.cohort.data or "").isdigit() else -1
    try:
        cohorts.add_row(db.session, actor, _catalogue(), cohort, form.quarter.data or "", form.module.data or "")
    except RuleViolation as exc:
        db.session.rollback()
        _error(form, exc, "module")
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
    rows = cohorts.progress(db.session, actor, _catalogue(), _today())
    db.session.commit()
    headers = {"Content-Disposition": 'attachment; filename="tandem-long-term-plan.csv"'}
    return Response(cohorts.as_csv(rows), 200, mimetype="text/csv", headers=headers)
