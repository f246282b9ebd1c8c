"""The LTI endpoints: OIDC login, launch, the tool's JWKS, and dynamic registration."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, make_response, redirect, render_template, request, session, url_for

from lti import claims, storage
from lti.context import base_url, ext, log_event
from lti.deep_linking import picker
from lti.oidc import STATE_TTL, LaunchRejected, OidcFlow
from plugin.domain.errors import NotFound
from plugin.domain.launches import LaunchKind
from plugin.services import keys as key_service
from plugin.services.launches import record_launch

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")


def count_launch(outcome: str, reason: str | None = None) -> None:
    """Count a login or launch's outcome in the metrics (``/metrics``), when the app has them."""
    counter = current_app.extensions.get("tandem_count_launch")
    if counter is not None:
        counter(outcome, reason)


def reject(exc: LaunchRejected, step: str) -> Response:
    """The 4xx page (and log line) for a refused login or launch."""
    log_event(f"lti.{step}_rejected", reason=exc.reason, detail=exc.detail, status=exc.status, ip=request.remote_addr)
    count_launch("rejected", exc.reason)
    retry_url = None
    if exc.retry:
        retry_url = url_for("lti.login", _external=False, lti1p3_new_window="1", **exc.retry)
    body = render_template("lti/rejected.html", reason=exc.reason, retry_url=retry_url)
    return make_response(body, exc.status)


def _set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    secure = request.is_secure
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """OIDC third-party-initiated login: remember state and nonce, send the browser to the platform."""
    params = request.values.to_dict()
    flow: OidcFlow = ext().flow
    try:
        target = flow.login(params, redirect_uri=base_url() + url_for("lti.launch"))
    except LaunchRejected as exc:
        return reject(exc, "login")
    response = storage.login_response(target, params, flow) or redirect(target.url, code=302)
    _set_cookie(response, target.cookie_name, target.cookie_value, STATE_TTL)
    return response


@bp.route("/launch", methods=["GET"])
def launch_check() -> Response:
    """Moodle GETs the launch URL when an activity is saved: answer politely."""
    return make_response(render_template("lti/launch_url.html"), 200)


@bp.route("/launch", methods=["POST"])
def launch() -> Response:
    """Validate the id_token, record the person and course, and open the right page."""
    flow: OidcFlow = ext().flow
    try:
        launched = storage.validate(flow, request, base_url())
    except storage.NeedsPlatformStorage as needed:  # no state cookie: ask the platform's storage
        return storage.launch_page(needed.bridge, base_url() + url_for("lti.launch"))
    except LaunchRejected as exc:
        return reject(exc, "launch")
    facts = claims.facts_from(launched.body, launched.registration.client_id)
    db_session = ext().session()
    try:
        actor = record_launch(
            db_session,
            facts,
            launch_id=launched.launch_id,
            launch_data=json.dumps(launched.body, separators=(",", ":")),
            ttl=current_app.config["TANDEM_LAUNCH_TTL"],
            registration=launched.registration,
        )
        db_session.commit()
    except NotFound as exc:
        db_session.rollback()
        return reject(LaunchRejected("unknown_deployment", str(exc)), "launch")
    except Exception:
        db_session.rollback()
        raise
    session.clear()
    session.update(
        {
            "person_id": actor.person_id,
            "organisation_id": actor.organisation_id,
            "role": actor.role.value,
            "course_id": actor.course_id,
            "registration_id": actor.registration_id,
            "launch_id": launched.launch_id,
            "locale": ext().normalise_locale(facts.locale),
            "name": facts.identity.display_name,
        }
    )
    session.permanent = True
    log_event(
        "lti.launch",
        kind=facts.kind.value,
        iss=facts.issuer,
        client_id=facts.client_id,
        deployment_id=facts.deployment_id,
        person_id=actor.person_id,
        role=actor.role.value,
    )
    count_launch("accepted")
    # The first page is rendered right here, saving the iframe a redirect round trip; the page
    # replaces its URL (history.replaceState) so a reload GETs it instead of re-posting the launch.
    if facts.kind is LaunchKind.DEEP_LINKING:
        response = make_response(picker(launched.launch_id, submitted=False))
    else:
        response = make_response(ext().landing(actor, facts, launched.registration.organisation_name))
    return response


@bp.route("/jwks")
def jwks() -> Response:
    """Every active public key of Tandem, so platforms verify what Tandem signs."""
    db_session = ext().session()
    keys = key_service.active_keys(db_session)
    db_session.commit()
    response = jsonify({"keys": [k.public_jwk for k in keys]})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/deep-link/<launch_id>", methods=["GET", "POST"])
def deep_link(launch_id: str) -> Response:
    """Content picker for a deep-linking launch (the module catalogue arrives with the curriculum)."""
    return picker(launch_id)
