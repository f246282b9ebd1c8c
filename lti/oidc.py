"""OIDC third-party-initiated login and id_token validation, hardened beyond pylti1p3's defaults.

What pylti1p3 2.0.2 accepts and this module refuses (see LTI-NOTES §1.4): replayed or re-posted
id_tokens (each nonce is used once, recorded in the store all workers share, and must be the one
the login signed into the state), a missing ``exp`` or
``iat``, several audiences without a matching ``azp``, and a ``target_link_uri`` other than the one
the login asked for. It also allows 10 s of clock skew, caches platform keys by their cache
headers with one re-fetch on an unknown kid, and times out every outgoing call.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pylti1p3.exception import LtiException
from pylti1p3.message_validators import get_validators

from lti import claims, tokens
from lti.jwks import KeySetError, PlatformKeys
from plugin.services.platforms import RegistrationInfo
from plugin.services.ports import Store

STATE_TTL = 600
STATE_COOKIE_PREFIX = "lti1p3-state-"
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")
#: a frame name the platform may give as ``lti_storage_target`` (``_parent`` or a window name)
STORAGE_TARGET = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


class LaunchRejected(Exception):
    """A login or launch Tandem refuses; ``reason`` is a stable code for logs and the error page."""

    def __init__(self, reason: str, detail: str, status: int = 400, retry: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status
        #: login parameters to start again in a new window (cookie-blocked fallback)
        self.retry = retry


@dataclass(frozen=True)
class LoginRedirect:
    """Where to send the browser after a login initiation, and the state cookie to set."""

    url: str
    state: str
    cookie_name: str
    cookie_value: str


@dataclass(frozen=True)
class ValidatedLaunch:
    """A launch that passed every check."""

    launch_id: str
    body: dict[str, Any]
    registration: RegistrationInfo


class RegistrationCache:
    """Registration lookups, cached in-process for a few seconds (they change rarely, launches are many)."""

    def __init__(self, lookup: Callable[[str, str | None], RegistrationInfo | None], ttl: float = 30.0) -> None:
        self._lookup = lookup
        self._ttl = ttl
        self._cache: dict[tuple[str, str | None], tuple[float, RegistrationInfo]] = {}
        self._lock = threading.Lock()

    def get(self, issuer: str, client_id: str | None, fresh: bool = False) -> RegistrationInfo | None:
        """The registration, from cache unless ``fresh``; misses are never cached."""
        key = (issuer, client_id)
        now = time.monotonic()
        if not fresh:
            with self._lock:
                hit = self._cache.get(key)
            if hit and hit[0] > now:
                return hit[1]
        info = self._lookup(issuer, client_id)
        if info is not None:
            with self._lock:
                self._cache[key] = (now + self._ttl, info)
        return info

    def clear(self) -> None:
        """Forget everything (after a registration changes in this process)."""
        with self._lock:
            self._cache.clear()


def _origin(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}".lower()


class OidcFlow:
    """The two steps of an LTI 1.3 launch, free of any web framework."""

    def __init__(
        self,
        store: Store,
        registrations: RegistrationCache,
        keys: PlatformKeys,
        *,
        secret_key: str,
        leeway: int = 10,
    ) -> None:
        # The state is the login's record, signed: the login writes nothing, and the launch
        # checks the signature, the age, the browser cookie and (in the store) the nonce's first use.
        self.states = URLSafeTimedSerializer(secret_key, salt="tandem.lti.oidc-state")
        self.store = store
        self.registrations = registrations
        self.keys = keys
        self.leeway = leeway

    # -- step 1: login initiation ---------------------------------------------------------------
    def login(self, params: Mapping[str, str], redirect_uri: str) -> LoginRedirect:
        """Check a login initiation and build the redirect to the platform's authorisation endpoint.

        Raises:
            LaunchRejected: a required parameter is missing, the platform is not registered, or
                ``target_link_uri`` points away from this Tandem.
        """
        iss, login_hint, target = params.get("iss"), params.get("login_hint"), params.get("target_link_uri")
        missing = [name for name, value in (("iss", iss), ("login_hint", login_hint), ("target_link_uri", target)) if not value]
        if missing:
            raise LaunchRejected("missing_login_param", f"login initiation lacks {', '.join(missing)}")
        assert iss and login_hint and target
        client_id = params.get("client_id") or None
        reg = self.registrations.get(iss, client_id)
        if reg is None:
            raise LaunchRejected("unknown_registration", f"no registration for issuer {iss!r} client {client_id!r}")
        deployment = params.get("lti_deployment_id")
        if deployment and deployment not in reg.deployment_ids:
            reg = self.registrations.get(iss, reg.client_id, fresh=True) or reg
            if deployment not in reg.deployment_ids:
                raise LaunchRejected("unknown_deployment", f"deployment {deployment!r} is not registered")
        if _origin(target) != _origin(redirect_uri):
            raise LaunchRejected("bad_target_link_uri", f"target_link_uri {target!r} is not this tool")
        browser_id = secrets.token_urlsafe(12)
        nonce = secrets.token_urlsafe(24)
        record = {
            "browser": browser_id,
            "nonce": nonce,
            "iss": iss,
            "client_id": reg.client_id,
            "target_link_uri": target,
            "login": {k: params[k] for k in LOGIN_PARAMS if params.get(k)},
        }
        # LTI platform storage (lti.put_data/get_data): the second way to bind the state to the browser.
        storage_target = params.get("lti_storage_target", "")
        if STORAGE_TARGET.fullmatch(storage_target) and not params.get("lti1p3_new_window"):
            record["storage"] = storage_target
        state = self.states.dumps(record)
        query = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": reg.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "nonce": nonce,
            "login_hint": login_hint,
        }
        if params.get("lti_message_hint"):
            query["lti_message_hint"] = params["lti_message_hint"]
        sep = "&" if "?" in reg.auth_login_url else "?"
        return LoginRedirect(reg.auth_login_url + sep + urlencode(query), state, STATE_COOKIE_PREFIX + browser_id, browser_id)

    # -- step 2: the launch ---------------------------------------------------------------------
    def open_state(self, state: str) -> dict[str, Any]:
        """The login's record signed into ``state``; refused when forged or older than STATE_TTL."""
        try:
            return dict(self.states.loads(state, max_age=STATE_TTL))
        except SignatureExpired:
            raise LaunchRejected("state_unknown", "state has expired") from None
        except BadSignature:
            raise LaunchRejected("state_unknown", "state was not issued by this Tandem") from None

    def _open_state(self, state: str, cookies: Mapping[str, str], bound: bool) -> dict[str, Any]:
        record = self.open_state(state)
        if not bound and cookies.get(STATE_COOKIE_PREFIX + record["browser"]) != record["browser"]:
            raise LaunchRejected(
                "cookies_blocked", "the state cookie did not come back", status=403, retry=record.get("login")
            )
        return record

    def _use_nonce(self, nonce: str) -> None:
        # Atomic first use (SET NX): of two posts of one launch, only one gets through.
        if not self.store.add("nonce:" + nonce, "1", STATE_TTL):
            raise LaunchRejected("state_unknown", "this launch was already used")

    def _verify(self, token: str, reg: RegistrationInfo, kid: str) -> dict[str, Any]:
        try:
            key = self.keys.key(reg.key_set_url, kid)
        except KeySetError as exc:
            raise LaunchRejected(exc.reason, str(exc)) from None
        try:
            _header, payload, signing_input, signature = tokens.split(token)
            tokens.verify(signing_input, signature, key)
            tokens.check_claims(payload, issuer=reg.issuer, leeway=self.leeway)
        except tokens.TokenError as exc:
            raise LaunchRejected(exc.reason, str(exc)) from None
        return payload

    @staticmethod
    def _check_audience(body: Mapping[str, Any], client_id: str) -> None:
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if client_id not in audiences:
            raise LaunchRejected("bad_audience", f"id_token audience {aud!r} does not include our client id")
        azp = body.get("azp")
        if len(audiences) > 1 and azp is None:
            raise LaunchRejected("bad_azp", "several audiences and no azp")
        if azp is not None and azp != client_id:
            raise LaunchRejected("bad_azp", f"azp {azp!r} is not our client id")

    @staticmethod
    def _check_message(body: Mapping[str, Any]) -> None:
        message_type = body.get(claims.MESSAGE_TYPE)
        if not message_type:
            raise LaunchRejected("missing_message_type", "message_type claim is missing")
        if body.get(claims.VERSION) != "1.3.0":
            raise LaunchRejected("bad_version", f"LTI version {body.get(claims.VERSION)!r} is not 1.3.0")
        if message_type not in (claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST):
            raise LaunchRejected("bad_message_type", f"message type {message_type!r} is not supported")
        try:
            for validator in get_validators():
                if validator.can_validate(body):
                    validator.validate(body)
        except LtiException as exc:
            text = str(exc)
            reason = {
                "Must have a user (sub)": "missing_sub",
                "Missing Roles Claim": "missing_roles",
                "Missing Resource Link Id": "missing_resource_link",
            }.get(text, "bad_deep_linking_settings" if "Deep Link" in text or "placement" in text or "presentation" in text else "bad_message")
            raise LaunchRejected(reason, text) from None
        if not isinstance(body.get(claims.ROLES), list):
            raise LaunchRejected("missing_roles", "roles claim is not a list")

    def validate(self, form: Mapping[str, str], cookies: Mapping[str, str], *, bound: bool = False) -> ValidatedLaunch:
        """Validate the id_token POSTed to the launch URL.

        ``bound``: the state was already proven to belong to this browser another way (LTI platform
        storage, see :mod:`lti.storage`), so the state cookie is not required.

        Raises:
            LaunchRejected: with the first reason found.
        """
        token, state = form.get("id_token"), form.get("state")
        if not state:
            raise LaunchRejected("missing_state", "launch has no state")
        if not token:
            raise LaunchRejected("missing_id_token", "launch has no id_token")
        record = self._open_state(state, cookies, bound)
        try:
            header, unverified, _, _ = tokens.split(token)
        except tokens.TokenError as exc:
            raise LaunchRejected(exc.reason, str(exc)) from None
        if header.get("alg") != "RS256":
            raise LaunchRejected("bad_alg", f"id_token algorithm {header.get('alg')!r} is not RS256")
        if not header.get("kid"):
            raise LaunchRejected("no_kid", "id_token header has no kid")
        if unverified.get("iss") != record["iss"]:
            raise LaunchRejected("wrong_issuer", f"id_token issuer {unverified.get('iss')!r} differs from the login's")
        reg = self.registrations.get(record["iss"], record["client_id"])
        if reg is None:
            raise LaunchRejected("unknown_registration", "registration was removed")
        body = self._verify(token, reg, header["kid"])
        self._check_audience(body, reg.client_id)
        if body.get("nonce") != record["nonce"]:
            raise LaunchRejected("nonce_mismatch", "nonce differs from the one sent at login")
        self._use_nonce(record["nonce"])
        deployment = body.get(claims.DEPLOYMENT_ID)
        if not deployment:
            raise LaunchRejected("missing_deployment", "deployment_id claim is missing")
        if deployment not in reg.deployment_ids:
            reg = self.registrations.get(reg.issuer, reg.client_id, fresh=True) or reg
            if deployment not in reg.deployment_ids:
                raise LaunchRejected("unknown_deployment", f"deployment {deployment!r} is not registered")
        self._check_message(body)
        if body.get(claims.TARGET_LINK_URI) != record["target_link_uri"]:
            raise LaunchRejected("target_link_uri_mismatch", "target_link_uri differs from the login's")
        return ValidatedLaunch(launch_id=uuid.uuid4().hex, body=body, registration=reg)
