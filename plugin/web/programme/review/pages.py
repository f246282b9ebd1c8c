"""Starting matching (the engine, or an empty proposal to pair by hand) and the review page."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.fit import LEVELS
from plugin.extensions import db
from plugin.services import jobs, proposal_review, proposals
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices
from plugin.web.programme.blueprint import bp, competence_label, person_label, programme_or_setup, runner
from plugin.web.programme.review.state import AddForm, PairForm, SwapForm, args_of, back_value, query_from, review_url
from plugin.web.programme.review.words import FIT_HINTS, FIT_LABELS, fit_reason, summary_line


NOBODY_READY = _l("Matching needs at least one ready participant on each side. The participants page says who has not finished their needs map.")


@bp.route("/programme/match", methods=["POST"])
def run_match() -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    try:
        job_id = proposals.start(db.session, actor, programme)
    except RuleViolation:
        db.session.rollback()
        return render_error(409, NOBODY_READY)
    db.session.commit()
    programme_id = programme.id

    def work(s: Any) -> int:
        return proposals.run(s, job_id, programme_id, jobs.stage_reporter(s, job_id))

    runner().submit(job_id, work)
    return redirect(url_for("programme.job", job_id=job_id), code=303)


@bp.route("/programme/manual", methods=["POST"])
def start_manual() -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    try:
        proposals.start_manual(db.session, actor, programme)
    except RuleViolation:
        db.session.rollback()
        return render_error(409, NOBODY_READY)
    db.session.commit()
    return redirect(url_for("programme.proposal"), code=303)


@bp.route("/programme/proposal")
def proposal() -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        return redirect(url_for("programme.setup"), code=303)
    query = query_from(request.args)
    page = proposal_review.review(db.session, actor, programme, query)
    db.session.commit()
    if page is None:
        return make_response(render_template("programme/review.html", programme=programme, page=None))
    label = lambda pid: person_label(page.names.get(int(pid)), int(pid))  # noqa: E731
    competences: dict[str, str] = {}

    def competence(key: str) -> str:  # the same few competences recur on every card
        if key not in competences:
            competences[key] = competence_label(key)
        return competences[key]

    swap, add = SwapForm(), AddForm()
    options = [(f"{p.digital}-{p.expert}", f"{label(p.digital)} ⇄ {label(p.expert)}") for p in page.pairs.items]
    swap.first.choices = choices(options)
    swap.second.choices = choices(options[1:] + options[:1])
    add.digital.choices = choices((pid, label(pid)) for pid in page.digital.ids)
    add.expert.choices = choices((pid, label(pid)) for pid in page.expert.ids)
    return make_response(
        render_template(
            "programme/review.html",
            programme=programme,
            page=page,
            query=query,
            args=args_of(query),
            back=back_value(query),
            review_url=lambda anchor=None, **changes: review_url(query, anchor, **changes),
            label=label,
            competence_label=competence,
            swap=swap,
            add=add,
            pair_form=PairForm(),
            fit_levels=LEVELS,
            fit_labels=FIT_LABELS,
            fit_hints=FIT_HINTS,
            fit_reason=fit_reason,
            summary=summary_line(page.summary),
        )
    )
