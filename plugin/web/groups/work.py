"""A group's module: each track with every learner's objectives, evidence and sign-offs (with a
confirmation step), withdrawals, and the verifiable export of the group's sign-off chain."""

from __future__ import annotations

from flask import Response, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from plugin.domain.errors import NotAllowed, RuleViolation
from plugin.extensions import db
from plugin.services import group_signoffs
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.groups.blueprint import bp, catalogue, expired, message, render_page, valid_post


def _wake_outbox() -> None:
    current_app.extensions["tandem_outbox_wake"]()


def _id(name: str) -> int:
    raw = request.form.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 else 0


@bp.route("/groups/<int:group_id>/modules/<slug>/v<int:version>")
def module(group_id: int, slug: str, version: int) -> Response:
    work = group_signoffs.module_work(db.session, current_actor(), catalogue(), group_id, slug, version)
    db.session.commit()
    return render_page("groups/module.html", work=work, view=work.view)


def _refresh(group_id: int, slug: str, version: int, error: str) -> Response:
    db.session.rollback()
    work = group_signoffs.module_work(db.session, current_actor(), catalogue(), group_id, slug, version)
    db.session.commit()
    return render_page("groups/module.html", 400, work=work, view=work.view, error=error)


@bp.route("/groups/<int:group_id>/modules/<slug>/v<int:version>/evidence", methods=["POST"])
def add_evidence(group_id: int, slug: str, version: int) -> Response:
    if not valid_post():
        return expired()
    objective = request.form.get("objective", "")
    try:
        group_signoffs.add_evidence(db.session, current_actor(), catalogue(), group_id, slug, version, objective, request.form.get("kind", ""), request.form.get("text", ""), request.form.get("url") or None)
    except RuleViolation as exc:
        return _refresh(group_id, slug, version, message(exc))
    db.session.commit()
    flash(_("Your evidence was added. One who teaches you this track can now sign off this objective."))
    return redirect(url_for("groups.module", group_id=group_id, slug=slug, version=version), code=303)


@bp.route("/groups/<int:group_id>/modules/<slug>/v<int:version>/sign", methods=["POST"])
def sign(group_id: int, slug: str, version: int) -> Response:
    """Two steps: the first POST shows exactly what is being signed and for whom; the confirmed second signs."""
    actor = current_actor()
    if not valid_post():
        return expired()
    objective, learner = request.form.get("objective", ""), _id("learner")
    raw = request.form.getlist("criterion")
    if not all(c.isascii() and c.isdigit() and len(c) < 4 for c in raw):
        return render_error(400)
    criteria = [int(c) for c in raw]
    comment = request.form.get("comment", "")
    confirmed = request.form.get("confirmed") == "1"
    try:
        if confirmed:
            group_signoffs.sign(db.session, actor, catalogue(), group_id, slug, version, objective, learner, criteria, comment)
        else:
            preview = group_signoffs.preview_sign(db.session, actor, catalogue(), group_id, slug, version, objective, learner, criteria, comment)
    except NotAllowed:
        db.session.rollback()
        return render_error(403)
    except RuleViolation as exc:
        return _refresh(group_id, slug, version, message(exc))
    if not confirmed:
        db.session.commit()
        return render_page("groups/confirm.html", work=preview.work, view=preview.work.view, preview=preview, criteria=criteria, comment=comment)
    db.session.commit()
    _wake_outbox()
    flash(_("Signed off. The record is kept as it is; it can only be withdrawn with a reason."))
    return redirect(url_for("groups.module", group_id=group_id, slug=slug, version=version), code=303)


@bp.route("/groups/<int:group_id>/signoffs/<int:seq>/withdraw", methods=["POST"])
def withdraw(group_id: int, seq: int) -> Response:
    if not valid_post():
        return expired()
    try:
        record = group_signoffs.withdraw(db.session, current_actor(), catalogue(), group_id, seq, request.form.get("reason", ""))
    except RuleViolation as exc:
        db.session.rollback()
        return render_error(400, message(exc))
    db.session.commit()
    _wake_outbox()
    flash(_("The sign-off was withdrawn; the objective is open again."))
    return redirect(url_for("groups.module", group_id=group_id, slug=record.module_slug, version=record.module_version), code=303)


@bp.route("/groups/<int:group_id>/signoffs/export.json")
def export(group_id: int) -> Response:
    doc = group_signoffs.export(db.session, current_actor(), group_id)
    db.session.commit()
    response = jsonify(doc)
    response.headers["Content-Disposition"] = f"attachment; filename=group-{group_id}-signoffs.json"
    return response
