"""Everything LTI: wired into the Flask app by ``init_app``; the core never sees a claim or a JWT."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from lti.http import PlatformSession
from lti.jwks import PlatformKeys
from lti.oidc import OidcFlow, RegistrationCache
from lti.services import TokenCache
from plugin.services import platforms
from plugin.services.ports import Store


@dataclass
class LtiExtension:
    """What the LTI blueprints need at request time."""

    flow: OidcFlow
    registrations: RegistrationCache
    http: PlatformSession
    session: Callable[[], Session]
    normalise_locale: Callable[[str | None], str | None]
    #: renders the page a resource-link launch lands on (the web layer's role home)
    landing: Callable[..., Any]
    content_provider: Callable[[str], list[Any]] | None = None
    #: service access tokens (AGS, NRPS) of this process, by (issuer, client_id, scopes)
    tokens: TokenCache = field(default_factory=TokenCache)


def init_app(
    app: Flask,
    *,
    store: Store,
    session: Callable[[], Session],
    normalise_locale: Callable[[str | None], str | None],
    landing: Callable[..., Any],
    csrf: Any,
) -> LtiExtension:
    """Register the LTI blueprints and the state they share."""
    from lti import routes
    from lti.dynreg import bp as register_bp

    http = PlatformSession(timeout=app.config["TANDEM_HTTP_TIMEOUT"], verify=app.config["TANDEM_HTTP_VERIFY"])

    def lookup(issuer: str, client_id: str | None) -> platforms.RegistrationInfo | None:
        db_session = session()
        try:
            return platforms.find_registration(db_session, issuer, client_id)
        finally:
            db_session.rollback()

    registrations = RegistrationCache(lookup)
    flow = OidcFlow(
        store,
        registrations,
        PlatformKeys(http),
        secret_key=app.config["SECRET_KEY"],
        leeway=app.config["TANDEM_JWT_LEEWAY"],
    )
    ext = LtiExtension(
        flow=flow, registrations=registrations, http=http, session=session, normalise_locale=normalise_locale, landing=landing
    )
    app.extensions["tandem_lti"] = ext
    # The platform POSTs login and launch cross-site; state and nonce protect them, as does the
    # one-time registration token for registration. Every other form keeps its CSRF token.
    csrf.exempt(routes.login)
    csrf.exempt(routes.launch)
    csrf.exempt(register_bp)
    from lti.messages import explain

    app.jinja_env.globals["explain"] = explain
    app.register_blueprint(routes.bp)
    app.register_blueprint(register_bp)
    return ext
