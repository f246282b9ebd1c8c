"""Credentials: the learner's (and the course's trainers') list and downloads (JSON, compact JWT, baked
SVG), and the public verification: a credential's own page (its ``id``) and a check of a held VC-JWT."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from lti.context import base_url
from lti.credentials import signer
from plugin.domain import credentials as doc
from plugin.extensions import db
from plugin.services import credentials
from plugin.web.auth import current_actor
from plugin.web.forms import TandemForm

bp = Blueprint("credentials", __name__, url_prefix="/credentials")

OUTCOMES = {
    doc.VALID: _l("Valid: Tandem issued this credential, its signature checks out and it has not been revoked."),
    doc.REVOKED: _l("Revoked: this credential was withdrawn by its issuer and no longer counts."),
    doc.INVALID: _l("Invalid: this is not a credential Tandem issued, or it was changed after it was signed."),
}
REASONS = {credentials.WITHDRAWN: _l("a sign-off of the learning was withdrawn")}


class VerifyForm(TandemForm):
    token = TextAreaField(_l("The credential (the compact JWT)"), validators=[DataRequired(), Length(max=100_000)])


def _catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


def _moment(at: datetime | None, zone: str = "UTC") -> str:
    if at is None:
        return ""
    try:
        tz = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz)
    return _("%(moment)s (%(zone)s)", moment=format_datetime(local, "medium", rebase=False), zone=zone)


def _valid_from(credential: dict[str, Any] | None) -> datetime | None:
    try:
        return datetime.strptime(str((credential or {}).get("validFrom")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- the learner's and trainer's pages


@bp.route("")
def index() -> Response:
    listing = credentials.listing(db.session, current_actor(), _catalogue(), base_url())
    db.session.commit()
    return make_response(render_template("credentials/index.html", listing=listing, moment=lambda at: _moment(at, listing.zone), reasons=REASONS))


def _issued(public_id: UUID) -> credentials.Issued:
    issued = credentials.download(db.session, current_actor(), _catalogue(), signer, base_url(), str(public_id))
    db.session.commit()
    return issued


@bp.route("/<uuid:public_id>.json")
def credential_json(public_id: UUID) -> Response:
    issued = _issued(public_id)
    return _download(json.dumps(issued.credential, ensure_ascii=False, indent=2), "application/json", f"credential-{public_id}.json")


@bp.route("/<uuid:public_id>.jwt")
def credential_jwt(public_id: UUID) -> Response:
    issued = _issued(public_id)
    return _download(issued.jwt, "application/vc+jwt", f"credential-{public_id}.jwt")


@bp.route("/<uuid:public_id>.svg")
def credential_svg(public_id: UUID) -> Response:
    issued = _issued(public_id)
    body = render_template("credentials/badge.svg", issued=issued, issuer=issued.credential["issuer"]["name"], issued_on=_valid_from(issued.credential))
    return _download(body, "image/svg+xml", f"credential-{public_id}.svg")


# --------------------------------------------------------------------------- public: verification


def _verification_page(result: credentials.Verification | None, form: VerifyForm, status: int = 200) -> Response:
    credential = (result.credential if result else None) or {}
    page = render_template(
        "credentials/verify.html",
        result=result,
        form=form,
        outcomes=OUTCOMES,
        reasons=REASONS,
        credential=credential,
        valid_from=_moment(_valid_from(credential)),
        revoked_at=_moment(result.revoked_at) if result else "",
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/verify/<uuid:public_id>")
def verify_credential(public_id: UUID) -> Response:
    """The page a credential's ``id`` names: anyone sees whether it is valid or revoked, and what it says."""
    result = credentials.verify_record(db.session, _catalogue(), signer, base_url(), str(public_id))
    db.session.commit()
    return _verification_page(result, VerifyForm(formdata=None))


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> Response:
    """Check a credential someone holds: paste its compact JWT (from the .jwt file or the badge image)."""
    form = VerifyForm()
    if request.method == "GET":
        return _verification_page(None, form)
    if not form.validate():
        return _verification_page(None, form, 400)
    result = credentials.verify_token(db.session, signer, base_url(), form.token.data)
    db.session.commit()
    return _verification_page(result, form)


@bp.route("/status/<uuid:public_id>")
def status(public_id: UUID) -> Response:
    """The credential's ``credentialStatus``: the revocation list of this one credential."""
    document = credentials.status_document(db.session, base_url(), str(public_id))
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/issuers/<int:organisation_id>")
def issuer(organisation_id: int) -> Response:
    """The issuer's Profile (the organisation) that a credential's ``issuer.id`` names."""
    response = jsonify(credentials.issuer_profile(db.session, base_url(), organisation_id))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
