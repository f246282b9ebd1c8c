"""An event's follow-up actions (its trainers attach them) and marking one done (the attendee, or the partner
who confirms it)."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import event_followups, events
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.events.blueprint import bp, message, now, render_page, today
from plugin.web.events.forms import FollowupForm
from plugin.web.forms import TandemForm


def _page(event_id: int, form: FollowupForm, status: int = 200) -> Response:
    actor = current_actor()
    page = event_followups.page(db.session, actor, event_id)
    view = events.detail(db.session, actor, event_id, now())
    db.session.commit()
    return render_page("events/followups.html", status, page=page, event=view, form=form, confirm_form=TandemForm())


@bp.route("/events/<int:event_id>/follow-ups", methods=["GET", "POST"])
def followups(event_id: int) -> Response:
    if request.method == "GET":
        return _page(event_id, FollowupForm())
    actor = current_actor()
    form = FollowupForm()
    if not form.validate_on_submit():
        return _page(event_id, form, 400)
    try:
        event_followups.add(db.session, actor, event_id, form.text.data or "", form.due_on.data, bool(form.needs_partner.data), now())
    except RuleViolation as exc:
        db.session.rollback()
        target = getattr(form, exc.field or "", None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*(target.errors or []), message(exc)]
        else:
            form.form_errors.append(message(exc))
        return _page(event_id, form, 400)
    db.session.commit()
    flash(_("The follow-up is attached: everyone who attended has it in their plan."))
    return redirect(url_for("events.followups", event_id=event_id), code=303)


@bp.route("/events/follow-ups/<int:item_id>/done", methods=["POST"])
def followup_done(item_id: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400)
    try:
        event_followups.complete(db.session, actor, item_id, today(), now())
    except RuleViolation as exc:
        db.session.rollback()
        return render_error(400, message(exc))
    db.session.commit()
    flash(_("The follow-up is marked as done."))
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/events") and "//" not in back and "\\" not in back else url_for("events.index"), code=303)
