"""Matching, the review of a proposal (remove, swap, add) and publishing it."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired

from plugin.domain.catalogue import Side
from plugin.domain.errors import NotFound
from plugin.extensions import db
from plugin.services import jobs, proposals
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices
from plugin.web.programme.blueprint import bp, person_label, programme_or_setup, runner
from plugin.web.programme.labels import REFUSALS


@bp.route("/programme/match", methods=["POST"])
def run_match() -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    job_id = proposals.start(db.session, actor, programme)
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
    proposals.start_manual(db.session, actor, programme)
    db.session.commit()
    return redirect(url_for("programme.proposal"), code=303)


class PairForm(TandemForm):
    pair = StringField(validators=[InputRequired()])


class SwapForm(TandemForm):
    first = SelectField(_l("First pair"), choices=[], validate_choice=False)
    second = SelectField(_l("Second pair"), choices=[], validate_choice=False)


class AddForm(TandemForm):
    digital = SelectField(_l("Digital mentor"), choices=[], validate_choice=False)
    expert = SelectField(_l("Senior expert"), choices=[], validate_choice=False)


def _split_pair(value: str | None) -> tuple[str, str]:
    digital, _sep, expert = (value or "").partition("-")
    if not digital.isdigit() or not expert.isdigit():
        raise NotFound("no such pair")
    return digital, expert


def _review(status: int = 200, refusal: str | None = None) -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        return redirect(url_for("programme.setup"), code=303)
    proposal = proposals.current(db.session, actor, programme)
    ids: set[int] = set()
    if proposal is not None:
        ids = {int(p["digital"]) for p in proposal.pairs} | {int(p["expert"]) for p in proposal.pairs} | {int(k) for k in proposal.unmatched}
    who = proposals.names(db.session, actor, ids)
    label = lambda pid: person_label(who.get(int(pid)), int(pid))  # noqa: E731
    swap, add = SwapForm(), AddForm()
    if proposal is not None:
        options = [(f"{p['digital']}-{p['expert']}", f"{label(p['digital'])} ⇄ {label(p['expert'])}") for p in proposal.pairs]
        swap.first.choices = choices(options)
        swap.second.choices = choices(options[1:] + options[:1])
        people, _missing = proposals.people_of(db.session, programme)
        add.digital.choices = choices((p.id, label(p.id)) for p in people if p.side is Side.DIGITAL_MENTOR)
        add.expert.choices = choices((p.id, label(p.id)) for p in people if p.side is Side.SENIOR_EXPERT)
    db.session.commit()
    return make_response(
        render_template("programme/review.html", programme=programme, proposal=proposal, label=label, swap=swap, add=add, pair_form=PairForm(), refusal=refusal),
        status,
    )


@bp.route("/programme/proposal")
def proposal() -> Response:
    return _review()


def _edit(action: Any) -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    try:
        action(actor, programme)
    except proposals.PairRefused as exc:
        db.session.rollback()
        return _review(400, str(REFUSALS.get(exc.reason, exc.message)))
    db.session.commit()
    return redirect(url_for("programme.proposal"), code=303)


@bp.route("/programme/proposal/<int:proposal_id>/remove", methods=["POST"])
def remove(proposal_id: int) -> Response:
    form = PairForm()
    if not form.validate_on_submit():
        return render_error(400)
    flash(_("The pair was taken out of the proposal."))
    return _edit(lambda actor, programme: proposals.remove_pair(db.session, actor, programme, proposal_id, *_split_pair(form.pair.data)))


@bp.route("/programme/proposal/<int:proposal_id>/swap", methods=["POST"])
def swap(proposal_id: int) -> Response:
    form = SwapForm()
    if not form.validate_on_submit():
        return render_error(400)
    flash(_("The partners of the two pairs were swapped."))
    return _edit(lambda actor, programme: proposals.swap(db.session, actor, programme, proposal_id, _split_pair(form.first.data), _split_pair(form.second.data)))


@bp.route("/programme/proposal/<int:proposal_id>/add", methods=["POST"])
def add(proposal_id: int) -> Response:
    form = AddForm()
    if not form.validate_on_submit() or not (form.digital.data or "").isdigit() or not (form.expert.data or "").isdigit():
        return render_error(400, _l("Choose a digital mentor and a senior expert."))
    flash(_("The pair was added to the proposal."))
    return _edit(lambda actor, programme: proposals.add_pair(db.session, actor, programme, proposal_id, form.digital.data, form.expert.data))


@bp.route("/programme/proposal/<int:proposal_id>/publish", methods=["GET", "POST"])
def publish(proposal_id: int) -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    draft = proposals.current(db.session, actor, programme)
    if draft is None or draft.id != proposal_id:
        raise NotFound("no such proposal")
    form = TandemForm()
    if request.method == "GET" or not form.validate_on_submit():
        db.session.commit()
        return make_response(render_template("programme/publish.html", proposal=draft, form=form), 400 if form.is_submitted() else 200)
    try:
        count = proposals.publish(db.session, actor, programme, proposal_id)
    except proposals.PairRefused as exc:
        db.session.rollback()
        return _review(400, str(REFUSALS.get(exc.reason, exc.message)))
    db.session.commit()
    flash(_("Published: %(count)s tandems can now see their partner.", count=count))
    return redirect(url_for("programme.overview"), code=303)
