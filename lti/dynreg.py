"""LTI Dynamic Registration: the URL an LMS administrator pastes ("Tool URL" in Moodle).

The platform opens ``/lti/register?openid_configuration=...&registration_token=...`` in a dialog.
Tandem shows what it is about to do; on confirmation it fetches the platform's configuration,
POSTs its own registration with the token, stores the returned client id and deployment, and
closes the dialog with the ``org.imsglobal.lti.close`` postMessage. The one-time registration
token travels in the confirmation form and is what makes that POST legitimate (no cookie is
needed inside the platform's dialog, where third-party cookies are often blocked).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import requests
from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import gettext as _

from lti.context import base_url, log_event
from plugin.domain.errors import RuleViolation
from plugin.services import platforms

bp = Blueprint("lti_register", __name__, url_prefix="/lti", template_folder="templates")

SCOPES = " ".join(
    [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ]
)
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"


class RegistrationFailed(Exception):
    """The platform's configuration or its answer is not usable."""


def tool_registration(base: str) -> dict[str, Any]:
    """The registration request Tandem sends (OpenID Connect Dynamic Client Registration + LTI claim)."""
    launch = base + "/lti/launch"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base + "/lti/login",
        "redirect_uris": [launch],
        "client_name": "Tandem",
        "jwks_uri": base + "/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": SCOPES,
        TOOL_CONFIG: {
            "domain": urlparse(base).netloc,
            "description": "Two-way mentoring: digital mentors and senior experts learn from each other.",
            "target_link_uri": launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch, "label": "Tandem"},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": "Tandem: add mentoring modules"},
            ],
        },
    }


def fetch_configuration(http: requests.Session, url: str) -> dict[str, Any]:
    """The platform's OpenID configuration, checked for what Tandem needs.

    Raises:
        RegistrationFailed: unreachable, not JSON, missing endpoints, or an issuer that does not own the URL.
    """
    try:
        resp = http.get(url)
        resp.raise_for_status()
        config = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise RegistrationFailed(f"cannot read the platform configuration at {url}: {exc}") from None
    missing = [
        k
        for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
        if not isinstance(config.get(k), str) or not config.get(k)
    ]
    if missing:
        raise RegistrationFailed(f"the platform configuration lacks {', '.join(missing)}")
    if not url.startswith(config["issuer"].rstrip("/")):
        raise RegistrationFailed("the configuration URL does not belong to the issuer it names")
    methods = config.get("token_endpoint_auth_methods_supported") or ["private_key_jwt"]
    if "private_key_jwt" not in methods:
        raise RegistrationFailed("the platform does not accept private_key_jwt client authentication")
    return config


def register(http: requests.Session, config: dict[str, Any], token: str | None, base: str) -> dict[str, Any]:
    """POST Tandem's registration; returns the platform's answer (with client_id and deployment_id)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    try:
        resp = http.post(config["registration_endpoint"], json=tool_registration(base), headers=headers)
    except requests.RequestException as exc:
        raise RegistrationFailed(f"the platform did not answer the registration: {exc}") from None
    if not resp.ok:
        raise RegistrationFailed(f"the platform refused the registration (HTTP {resp.status_code}): {resp.text[:300]}")
    try:
        answer = resp.json()
    except ValueError:
        raise RegistrationFailed("the platform's answer is not JSON") from None
    if not answer.get("client_id"):
        raise RegistrationFailed("the platform's answer has no client_id")
    return answer


@bp.route("/register", methods=["GET", "POST"])
def register_view() -> Any:
    """GET: explain and ask to confirm; POST: register with the platform and close the dialog."""
    ext = current_app.extensions["tandem_lti"]
    config_url = request.values.get("openid_configuration", "")
    token = request.values.get("registration_token") or None
    if not config_url:
        return make_response(render_template("lti/register.html", error=_("This page is opened by your LMS during registration: paste its address into your LMS's tool registration.")), 400)
    try:
        config = fetch_configuration(ext.http, config_url)
    except RegistrationFailed as exc:
        log_event("lti.register_failed", reason=str(exc))
        return make_response(render_template("lti/register.html", error=str(exc)), 400)
    platform = config.get(PLATFORM_CONFIG) or {}
    platform_name = platform.get("product_family_code") or urlparse(config["issuer"]).netloc
    if request.method == "GET":
        return render_template(
            "lti/register.html",
            config_url=config_url,
            token=token,
            issuer=config["issuer"],
            platform_name=platform_name,
            organisation=urlparse(config["issuer"]).netloc,
        )
    organisation = (request.form.get("organisation") or "").strip() or urlparse(config["issuer"]).netloc
    try:
        answer = register(ext.http, config, token, base_url())
        tool_conf = answer.get(TOOL_CONFIG) or {}
        db_session = ext.session()
        info, _created = platforms.add_registration(
            db_session,
            platforms.NewRegistration(
                issuer=config["issuer"],
                client_id=str(answer["client_id"]),
                deployment_id=str(tool_conf.get("deployment_id") or "1"),
                auth_login_url=config["authorization_endpoint"],
                auth_token_url=config["token_endpoint"],
                key_set_url=config["jwks_uri"],
                auth_audience=config.get("authorization_server"),
                organisation=organisation,
                platform_name=platform_name,
                product_family=platform.get("product_family_code"),
            ),
        )
        db_session.commit()
    except (RegistrationFailed, RuleViolation) as exc:
        ext.session().rollback()
        log_event("lti.register_failed", reason=str(exc), issuer=config["issuer"])
        return make_response(render_template("lti/register.html", error=str(exc)), 400)
    ext.registrations.clear()
    log_event("lti.registered", issuer=info.issuer, client_id=info.client_id, deployments=info.deployment_ids)
    return render_template("lti/registered.html", platform_name=platform_name, issuer=info.issuer, organisation=organisation)
