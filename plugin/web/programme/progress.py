"""Progress pages of background jobs (roster sync, matching), as HTML and JSON.

A page of an unfinished job follows it (the poller in job-progress.js, or a refresh without JavaScript);
once the job is done the page continues by itself to the job's next page. A failed job stays on its page
with what went wrong and the way back.
"""

from __future__ import annotations

from flask import Response, jsonify, make_response, render_template, url_for
from flask_babel import gettext as _

from plugin.domain.errors import NotFound
from plugin.extensions import db
from plugin.services import jobs
from plugin.web.programme.blueprint import bp, programme_or_setup
from plugin.web.programme.labels import JOB_MESSAGES

#: seconds a page without JavaScript waits before it looks again (running) or goes on (done)
REFRESH_SECONDS = 2


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
        text = str(template) % {k: v for k, v in message.items()}
    except (KeyError, TypeError, ValueError):
        text = str(template)
    eta = message.get("eta_seconds")
    if isinstance(eta, int) and not view.finished:  # large pools: the time left (see jobs.stage_reporter)
        left = _("About %(seconds)s seconds left.", seconds=eta) if eta < 90 else _("About %(minutes)s minutes left.", minutes=round(eta / 60))
        text = f"{text} {left}"
    return text


def _job_next(view: jobs.JobView) -> str:
    """Where the page goes once the job is done, by kind (one line per kind); unfinished or failed: the participants."""
    done = {
        "match": "programme.proposal",
        "roster": "programme.overview",
        "publish": "programme.overview",
    }
    if view.status == jobs.DONE and view.kind in done:
        return url_for(done[view.kind])
    return url_for("programme.overview")


def _next_words(view: jobs.JobView, next_url: str) -> tuple[str, str]:
    """The link that leads on from the job, and what the page announces as it goes there by itself."""
    if view.status != jobs.DONE:
        return _("Back to the participants"), ""
    if next_url == url_for("programme.proposal"):
        return _("Review the proposal"), _("Opening the review of the proposal…")
    return _("Go on to the participants"), _("Opening the participants page…")


@bp.route("/programme/jobs/<int:job_id>")
def job(job_id: int) -> Response:
    view = _job_view(job_id)
    db.session.commit()
    next_url = _job_next(view)
    label, continuing = _next_words(view, next_url)
    return make_response(
        render_template("programme/job.html", job=view, text=job_text(view), next_url=next_url, next_label=label, continuing=continuing, refresh_seconds=REFRESH_SECONDS)
    )


@bp.route("/programme/jobs/<int:job_id>.json")
def job_json(job_id: int) -> Response:
    view = _job_view(job_id)
    db.session.commit()
    next_url = _job_next(view)
    label, continuing = _next_words(view, next_url)
    return jsonify({**view.as_json(), "text": job_text(view), "next": next_url, "next_label": label, "continuing": continuing})
