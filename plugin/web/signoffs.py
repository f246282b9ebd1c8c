"""A tandem's modules: both tracks, evidence, deliberate sign-offs (with a confirmation), withdrawals,
countersignatures, grade delivery status, and the verifiable export of the sign-off chain."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, RuleViolation
from plugin.extensions import db
from plugin.services import evidence, signoffs
from plugin.services.tandem_access import AgreementPending
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm

bp = Blueprint("work", __name__, url_prefix="/tandems/<int:tandem_id>")

SIDE_TEACHES = {Side.DIGITAL_MENTOR.value: _l("Digital track: the digital mentor teaches"), Side.SENIOR_EXPERT.value: _l("Expertise track: the senior expert teaches")}
GRADE_STATUS = {"synced": _l("Synced to the gradebook"), "pending": _l("Waiting to send"), "failed": _l("Failed")}
EVIDENCE_ERRORS = {
    "kind": _l("Choose a note, a link or a file."),
    "text": _l("Write the note (at most 4000 characters)."),
    "url": _l("Give a web address starting with https://."),
    "file": _l("Choose a PDF, image, text or office file of at most 5 MB."),
}
SIGN_ERRORS = {
    "criteria": _l("Tick every criterion: a sign-off confirms all of them."),
    "objective_id": _l("This objective is signed off already."),
    "comment": _l("The comment is too long."),
    "reason": _l("Say why you withdraw the sign-off."),
}


def _catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


def _language() -> str:
    return str(get_locale() or "en")


def _wake_outbox() -> None:
    current_app.extensions["tandem_outbox_wake"]()


@bp.errorhandler(AgreementPending)
def agreement_first(exc: AgreementPending) -> Response:
    db.session.rollback()
    tandem_id = request.view_args.get("tandem_id") if request.view_args else None
    return redirect(f"/tandems/{tandem_id}/agreement", code=303)


@bp.route("/modules")
def module_list(tandem_id: int) -> Response:
    view, states = signoffs.module_states(db.session, current_actor(), _catalogue(), tandem_id)
    db.session.commit()
    rows = sorted(states, key=lambda row: row[0].title.get(_language()))
    return make_response(render_template("signoffs/modules.html", view=view, rows=rows, lang=_language()))


@bp.route("/modules/<slug>/v<int:version>")
def module(tandem_id: int, slug: str, version: int) -> Response:
    actor = current_actor()
    work = signoffs.module_work(db.session, actor, _catalogue(), tandem_id, slug, version)
    db.session.commit()
    return _module_page(work)


def _module_page(work: signoffs.ModuleWork, status: int = 200, error: str | None = None, confirm: dict | None = None) -> Response:
    names = signoffs.people_names(db.session, [work.view.digital_id, work.view.expert_id])
    return make_response(
        render_template("signoffs/module.html", work=work, names=names, lang=_language(), side_teaches=SIDE_TEACHES, grade_labels=GRADE_STATUS, error=error, confirm=confirm, form=TandemForm()),
        status,
    )


def _refresh(tandem_id: int, slug: str, version: int, status: int, error: str, confirm: dict | None = None) -> Response:
    db.session.rollback()
    work = signoffs.module_work(db.session, current_actor(), _catalogue(), tandem_id, slug, version)
    db.session.commit()
    return _module_page(work, status, error, confirm)


@bp.route("/modules/<slug>/v<int:version>/evidence", methods=["POST"])
def add_evidence(tandem_id: int, slug: str, version: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    upload = request.files.get("file")
    data = upload.read(evidence.MAX_FILE + 1) if upload and upload.filename else None
    new = evidence.NewEvidence(
        kind=request.form.get("kind", ""),
        text=request.form.get("text", ""),
        url=request.form.get("url") or None,
        filename=upload.filename if upload and upload.filename else None,
        content_type=upload.mimetype if upload and upload.filename else None,
        data=data,
    )
    try:
        evidence.add_evidence(db.session, actor, _catalogue(), tandem_id, slug, version, request.form.get("objective", ""), new)
    except RuleViolation as exc:
        return _refresh(tandem_id, slug, version, 400, str(EVIDENCE_ERRORS.get(exc.field or "", exc.message)))
    db.session.commit()
    flash(_("Your evidence was added. Your partner can now sign off this objective."))
    return redirect(url_for("work.module", tandem_id=tandem_id, slug=slug, version=version) + "#" + request.form.get("objective", ""), code=303)


@bp.route("/modules/<slug>/v<int:version>/sign", methods=["POST"])
def sign(tandem_id: int, slug: str, version: int) -> Response:
    """Two steps: the first POST shows exactly what is being signed; the second (confirmed) signs.

    The service decides both steps by the same rules (who may sign, every criterion ticked); the first
    writes nothing. NotAllowed is a 403; a RuleViolation is a 400 with its message on the module page."""
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    objective = request.form.get("objective", "")
    try:
        criteria = [int(c) for c in request.form.getlist("criterion")]
    except ValueError:
        return render_error(400)
    comment = request.form.get("comment", "")
    confirmed = request.form.get("confirmed") == "1"
    try:
        if confirmed:
            signoffs.sign(db.session, actor, _catalogue(), tandem_id, slug, version, objective, criteria, comment)
        else:
            preview = signoffs.preview_sign(db.session, actor, _catalogue(), tandem_id, slug, version, objective, criteria, comment)
    except AgreementPending:
        raise  # agreement_first: to the agreement
    except NotAllowed:
        db.session.rollback()
        return render_error(403)
    except RuleViolation as exc:
        return _refresh(tandem_id, slug, version, 400, str(SIGN_ERRORS.get(exc.field or "", exc.message)))
    if not confirmed:
        work = preview.work
        names = signoffs.people_names(db.session, [work.view.digital_id, work.view.expert_id])
        db.session.commit()
        return make_response(render_template("signoffs/confirm.html", work=work, track=preview.track, objective=preview.objective, criteria=criteria, comment=comment, names=names, lang=_language()))
    db.session.commit()
    _wake_outbox()
    flash(_("Signed off. The record is kept as it is; it can only be withdrawn with a reason."))
    return redirect(url_for("work.module", tandem_id=tandem_id, slug=slug, version=version), code=303)


@bp.route("/signoffs/<int:seq>/withdraw", methods=["POST"])
def withdraw(tandem_id: int, seq: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    try:
        record = signoffs.withdraw(db.session, actor, _catalogue(), tandem_id, seq, request.form.get("reason", ""))
    except RuleViolation as exc:
        db.session.rollback()
        return render_error(400, SIGN_ERRORS.get(exc.field or "", SIGN_ERRORS["reason"]))
    db.session.commit()
    _wake_outbox()
    flash(_("The sign-off was withdrawn; the objective is open again."))
    return redirect(url_for("work.module", tandem_id=tandem_id, slug=record.module_slug, version=record.module_version), code=303)


@bp.route("/modules/<slug>/v<int:version>/countersign", methods=["POST"])
def countersign(tandem_id: int, slug: str, version: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    try:
        side = Side(request.form.get("side", ""))
    except ValueError:
        return render_error(400)
    try:
        signoffs.countersign(db.session, actor, _catalogue(), tandem_id, slug, version, side, request.form.get("comment", ""))
    except RuleViolation as exc:
        return _refresh(tandem_id, slug, version, 400, exc.message)
    db.session.commit()
    _wake_outbox()
    flash(_("Countersigned."))
    return redirect(url_for("work.module", tandem_id=tandem_id, slug=slug, version=version), code=303)


@bp.route("/grades/<int:outbox_id>/resend", methods=["POST"])
def resend(tandem_id: int, outbox_id: int) -> Response:
    actor = current_actor()
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    signoffs.resend(db.session, actor, outbox_id)
    db.session.commit()
    _wake_outbox()
    flash(_("The score will be sent again."))
    target = request.form.get("next") or ""
    return redirect(target if target.startswith(("/tandems/", "/programme/grades")) and "//" not in target else url_for("work.module_list", tandem_id=tandem_id), code=303)


@bp.route("/evidence/<int:evidence_id>")
def evidence_file(tandem_id: int, evidence_id: int) -> Response:
    filename, content_type, data = evidence.evidence_file(db.session, current_actor(), tandem_id, evidence_id)
    db.session.commit()
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = "attachment; filename*=UTF-8''" + "".join(c if c.isalnum() or c in "._-" else "_" for c in filename)
    return response


@bp.route("/signoffs/export.json")
def export(tandem_id: int) -> Response:
    doc = signoffs.export(db.session, current_actor(), tandem_id)
    db.session.commit()
    response = jsonify(doc)
    response.headers["Content-Disposition"] = f"attachment; filename=tandem-{tandem_id}-signoffs.json"
    return response
