"""Progress pages of background jobs (roster sync, matching), as HTML and JSON."""

from __future__ import annotations

from flask import Response, jsonify, make_response, render_template, url_for
from flask_babel import gettext as _

from plugin.domain.errors import NotFound
from plugin.extensions import db
from plugin.services import jobs
from plugin.web.programme.blueprint import bp, programme_or_setup
from plugin.web.programme.labels import JOB_MESSAGES


def _job_view(job_id: int) -> jobs.JobView:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    return jobs.view(db.session, actor, job_id, programme.id)


def job_text(view: jobs.JobView) -> str:
    message = dict(view.message)
    template = JOB_MESSAGES.get(message.pop("key", ""), None)
    if template is None:
        return _("Waiting to start…")
    try:
        return str(template) % {k: v for k, v in message.items()}
    except (KeyError, TypeError, ValueError):
        return str(template)


def _job_next(view: jobs.JobView) -> str:
    if view.kind == "match" and view.status == jobs.DONE:
        return url_for("programme.proposal")
    return url_for("programme.overview")


@bp.route("/programme/jobs/<int:job_id>")
def job(job_id: int) -> Response:
    view = _job_view(job_id)
    db.session.commit()
    return make_response(render_template("programme/job.html", job=view, text=job_text(view), next_url=_job_next(view)))


@bp.route("/programme/jobs/<int:job_id>.json")
def job_json(job_id: int) -> Response:
    view = _job_view(job_id)
    db.session.commit()
    return jsonify({**view.as_json(), "text": job_text(view), "next": _job_next(view)})
