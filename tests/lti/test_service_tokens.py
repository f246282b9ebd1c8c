"""Service access tokens are cached per (issuer, client_id, scopes), never per issuer alone."""

from __future__ import annotations

from lti.http import PlatformSession
from lti.services import TandemServiceConnector, TokenCache
from lti.tooling import TandemRegistration
from plugin.services.platforms import RegistrationInfo
from tests.harness.platform import TestPlatform

NRPS = ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]
SCORE = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]


def _connector(app, platform: TestPlatform, client_id: str, cache: TokenCache) -> TandemServiceConnector:
    from plugin.extensions import db
    from plugin.services import keys

    with app.app_context():
        key = keys.signing_key(db.session)
        db.session.commit()
    info = RegistrationInfo(1, 1, platform.issuer, client_id, platform.auth_url, platform.token_url, platform.jwks_url, None, ("1",))
    return TandemServiceConnector(TandemRegistration(info, key), PlatformSession(timeout=3, verify=False), cache)


def test_two_registrations_on_one_issuer_never_share_a_token(app, tool):
    cache = TokenCache()
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-a") as platform:
        a = _connector(app, platform, "client-a", cache)
        token_a = a.get_access_token(NRPS)
        assert a.get_access_token(NRPS) == token_a  # cached
        assert a.get_access_token(SCORE) != token_a  # other scopes, other token
        requests_so_far = platform.token_requests
        platform.client_id = "client-b"  # the same issuer answers for a second registration
        b = _connector(app, platform, "client-b", cache)
        token_b = b.get_access_token(NRPS)
        assert token_b != token_a
        assert platform.token_requests == requests_so_far + 1


def test_outgoing_calls_have_a_timeout_and_a_user_agent():
    session = PlatformSession(timeout=1.5)
    assert session.timeout == 1.5
    assert session.headers["User-Agent"].startswith("Tandem-LTI/")
