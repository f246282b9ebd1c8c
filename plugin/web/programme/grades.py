"""Trainers' grades overview: every learner's latest score in the course's gradebook (a tandem's or a group's
module, an event's attendance), and a failed delivery sent again."""

from __future__ import annotations

from flask import Response, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.extensions import db
from plugin.services import grades as service
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm
from plugin.web.programme.blueprint import bp, catalogue, language, person_label


@bp.route("/programme/grades")
def grades() -> Response:
    """Per learner and line item: is the score in the gradebook (synced), waiting to send, or failed and why."""
    actor = current_actor()
    rows = service.grade_overview(db.session, actor)
    db.session.commit()
    titles = {m.slug: m.title.get(language()) for m in catalogue().latest()}
    return make_response(render_template("programme/grades.html", rows=rows, titles=titles, person_label=person_label))


@bp.route("/programme/grades/<int:outbox_id>/resend", methods=["POST"])
def resend_grade(outbox_id: int) -> Response:
    """Send a failed score again, whatever it is for (the service checks the actor trains the course)."""
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    service.resend(db.session, actor, outbox_id)
    db.session.commit()
    current_app.extensions["tandem_outbox_wake"]()
    flash(_("The score will be sent again."))
    return redirect(url_for("programme.grades"), code=303)
