"""The trainer's edits of a draft: remove a pair, swap two pairs' senior experts, pair two people by hand.

Each ends with one message: success once the service succeeded, or the rule that refused it (nothing
changed), and the browser goes back to the review page and filter it came from (POST-redirect-GET). A
malformed request (expired form, malformed ids) is a 400 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain.errors import NotFound
from plugin.extensions import db
from plugin.services import proposals
from plugin.web.errors import render_error
from plugin.web.programme.blueprint import bp, programme_or_setup
from plugin.web.programme.review.state import AddForm, PairForm, SwapForm, back_query, person_id, review_url, split_pair
from plugin.web.programme.review.words import refusal_text


def _edit(action: Callable[[Any, Any], None], success: str) -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    try:
        action(actor, programme)
    except proposals.PairRefused as exc:
        db.session.rollback()
        flash(_("Not changed: %(reason)s", reason=refusal_text(exc.reason, exc.message)), "error")
    else:
        db.session.commit()
        flash(success)
    return redirect(review_url(back_query()), code=303)  # the message is at the top: no anchor


@bp.route("/programme/proposal/<int:proposal_id>/remove", methods=["POST"])
def remove(proposal_id: int) -> Response:
    form = PairForm()
    pair = split_pair(form.pair.data)
    if not form.validate_on_submit() or pair is None:
        return render_error(400, _l("Choose a pair of the proposal to remove."))
    return _edit(lambda actor, programme: proposals.remove_pair(db.session, actor, programme, proposal_id, *pair), _("The pair was taken out of the proposal."))


@bp.route("/programme/proposal/<int:proposal_id>/swap", methods=["POST"])
def swap(proposal_id: int) -> Response:
    form = SwapForm()
    first, second = split_pair(form.first.data), split_pair(form.second.data)
    if not form.validate_on_submit() or first is None or second is None:
        return render_error(400, _l("Choose two pairs of the proposal to swap."))
    return _edit(lambda actor, programme: proposals.swap(db.session, actor, programme, proposal_id, first, second), _("The partners of the two pairs were swapped."))


@bp.route("/programme/proposal/<int:proposal_id>/add", methods=["POST"])
def add(proposal_id: int) -> Response:
    form = AddForm()
    digital, expert = person_id(form.digital.data), person_id(form.expert.data)
    if not form.validate_on_submit() or digital is None or expert is None:
        return render_error(400, _l("Choose a digital mentor and a senior expert."))
    return _edit(lambda actor, programme: proposals.add_pair(db.session, actor, programme, proposal_id, digital, expert), _("The pair was added to the proposal."))
