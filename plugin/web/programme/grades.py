"""Trainers' grades overview."""

from __future__ import annotations

from flask import Response, make_response, render_template

from plugin.extensions import db
from plugin.services import signoffs
from plugin.web.auth import current_actor
from plugin.web.programme.blueprint import bp, catalogue, language, person_label


@bp.route("/programme/grades")
def grades() -> Response:
    """Per learner and module: is the score in the gradebook (synced), waiting to send, or failed and why."""
    actor = current_actor()
    rows = signoffs.grade_overview(db.session, actor)
    db.session.commit()
    shipped = catalogue()
    titles = {m.slug: m.title.get(language()) for m in shipped.latest()}
    return make_response(render_template("programme/grades.html", rows=rows, titles=titles, person_label=person_label))
