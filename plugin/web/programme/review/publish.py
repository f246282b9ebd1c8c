"""Publishing a draft: a confirmation that names the consequence, then a background job with progress whose
page leads to the participants once the tandems exist. An empty draft has nothing to publish (409)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain.errors import NotFound
from plugin.extensions import db
from plugin.services import jobs, proposals, publishing
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm
from plugin.web.programme.blueprint import bp, programme_or_setup, runner
from plugin.web.programme.review.words import refusal_text, summary_line


@bp.route("/programme/proposal/<int:proposal_id>/publish", methods=["GET", "POST"])
def publish(proposal_id: int) -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    try:
        summary = publishing.confirmation(db.session, actor, programme, proposal_id)
    except publishing.NothingToPublish:
        db.session.rollback()
        return make_response(render_template("programme/publish.html", proposal_id=proposal_id, count=0), 409)
    form = TandemForm()
    if request.method == "GET":
        db.session.commit()
        return make_response(render_template("programme/publish.html", proposal_id=proposal_id, count=summary.pairs, summary=summary_line(summary), form=form))
    if not form.validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    try:
        job_id = publishing.start(db.session, actor, programme, proposal_id)
    except proposals.PairRefused as exc:
        db.session.rollback()
        flash(_("Nothing was published: %(reason)s", reason=refusal_text(exc.reason, exc.message)), "error")
        return redirect(url_for("programme.proposal"), code=303)
    db.session.commit()
    programme_id = programme.id

    def work(s: Any) -> int:
        return publishing.run(s, job_id, programme_id, proposal_id, jobs.stage_reporter(s, job_id))

    runner().submit(job_id, work)
    return redirect(url_for("programme.job", job_id=job_id), code=303)
