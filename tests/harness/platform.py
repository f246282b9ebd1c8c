"""TestPlatform: a Moodle-like LTI 1.3 platform (an LMS stand-in) served over real HTTP.

Built on the PyPI library ``lti1p3platform`` 0.1.8: its ``Registration``, OIDC login
(``OIDCLoginAbstract``), message launch (``LTIAdvantageMessageLaunchAbstract``), platform
configuration (``LTI1P3PlatformConfAbstract``: tool JWKS lookup, client-assertion check,
access-token minting and checking, deep-linking response validation), ``LtiAgs``/``LtiNrps``
claim builders and the membership ``Status`` enum. Tests drive OIDC launches against any LTI
1.3 tool exactly as a browser in front of Moodle 4.5 would (see ``launch()``), and the tool
calls the platform's services (token, AGS, NRPS, deep-linking return, dynamic registration)
over HTTP.

Workarounds for lti1p3platform 0.1.8:

1. ``Registration.get_kid()``/``get_jwks()`` derive one kid from the single platform key; a
   ``Registration`` subclass serves the harness' own kids and every published key, so key
   rotation (several keys in the JWKS) works.
2. ``MessageLaunchAbstract.get_launch_message()`` only emits the claims it knows. The harness
   adds what Moodle sends and the library drops: ``given_name``/``family_name``,
   ``launch_presentation.locale``, ``tool_platform``, ``lis``, ``ext``, the real
   ``message_type`` (the base message is hard-wired to ``LtiResourceLinkRequest``), and it
   overlays the caller's ``context``/``resource_link`` dicts verbatim (the setters keep only
   id/title/label/type/description).
3. ``LtiAgs`` puts either ``lineitem`` or ``lineitem.readonly`` in the AGS claim; Moodle sends
   both plus ``result.readonly`` and ``score``, so the claim's scope list is replaced.
4. ``set_dl()``/``LtiDeepLinking`` hard-code ``accept_presentation_document_targets`` (with
   ``embed``) and ``auto_create: true`` and only switch to ``LtiDeepLinkingRequest`` when the
   registration has a separate deep-link URL; the harness writes a Moodle-like
   ``deep_linking_settings`` claim itself and drops ``resource_link``/``custom``/NRPS/
   ``lineitem`` from deep-linking requests as Moodle does.
5. ``generate_launch_request()`` always signs RS256 with the library's kid; the harness builds
   the payload through the library (``get_launch_data()``), then applies ``claims_patch``/
   ``header_patch`` and signs itself (RS256 with the current or another key, HS256, or
   ``alg: none``) so certification "bad payload" cases can be produced.
6. ``validate_preflight_response()`` only checks nonce/state/redirect_uri presence and
   client_id. ``/auth`` also checks, like Moodle's ``auth.php``: scope ``openid``,
   ``response_type=id_token``, ``response_mode=form_post``, ``prompt=none``, ``redirect_uri``
   among the registered redirect URIs, ``login_hint`` equal to the launching user and a known
   ``lti_message_hint``; errors go back as an auto-submitted form (``error``,
   ``error_description``, ``state``) except a bad ``redirect_uri`` (HTTP 400 page).
7. ``fetch_public_key()`` calls ``requests.get`` without TLS settings; it is overridden to
   honour ``tool_verify``, send no proxy/env settings and count ``tool_jwks_requests``.
8. ``get_access_token()`` neither checks the client assertion's ``aud``, ``iss``/``sub``
   nor requires ``exp``, and grants a token even when no requested scope is valid. The token
   endpoint checks ``aud`` == token URL (string or list), ``iss == sub == client_id``,
   ``exp`` present and in the future, ``jti`` not reused, and answers ``invalid_scope``
   when nothing valid was asked for.
9. ``validate_token()`` verifies access tokens with the one current platform public key
   (tokens die at key rotation) and cannot revoke; the override accepts only tokens this
   platform issued and did not revoke (``revoke_tokens()``), verified with any platform key.
10. ``validate_deeplinking_resp()`` checks only the signature, the message type and the item
    types (and silently ignores unknown accept types). ``/deep_link_return`` also checks
    ``kid``/RS256, ``iss == client_id``, ``aud`` == issuer, ``deployment_id``, ``nonce``,
    ``exp``/``iat``, version, the ``data`` echo and ``accept_multiple``; all errors are
    collected in ``deep_link_responses``.
11. ``AssignmentsGradesService``/``NamesRoleProvisioningService`` are not used: their
    ``authenticate`` decorator accepts any one of the service's scopes for every operation,
    NRPS signals the next page in the body instead of a ``Link`` header and breaks on page
    numbers read from the query string, and score POSTs are not validated. The AGS/NRPS
    endpoints are implemented here with per-operation scopes, Moodle's score rules and
    ``Link: <...>; rel="next"`` pagination, on top of the library's token validation.
12. The library ships Django/FastAPI adapters only and a Jinja launch template that cannot
    carry error fields; ``_FlaskLibRequest`` adapts Flask requests to its ``Request`` and the
    harness renders its own auto-submit forms (launch and OIDC error forms).

Endpoints (all under ``url``): ``/auth`` (OIDC authorization, GET/POST), ``/token``
(client_credentials with a private_key_jwt assertion), ``/jwks`` (``Cache-Control:
max-age=300``), ``/deep_link_return`` (200 "Received N items" when valid, 400 listing the
errors otherwise), ``/nrps/<context_id>/memberships``, ``/ags/<context_id>/lineitems[/<id>
[/scores|/results]]``, ``/.well-known/openid-configuration``, ``/register`` and ``/return``
(the launch_presentation return URL). Everything they receive is recorded on the instance
(``auth_requests``, ``launches``, ``token_log``, ``nrps_requests``, ``lineitems``,
``scores``, ``score_requests``, ``deep_link_responses``, ``registrations``,
``server_errors``); ``fail_next()`` injects failures and delays.

Dynamic registration follows Moodle's ``openid-configuration.php``/``openid-registration.php``
and ``registration_helper``; it additionally requires ``grant_types`` to contain ``implicit``
and ``client_credentials`` and the tool domain to match the host of ``initiate_login_uri``
(Moodle only checks ``target_link_uri``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import html
import inspect
import itertools
import json
import re
import secrets
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Final, cast
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from lti1p3platform import exceptions as lib_exceptions
from lti1p3platform.ltiplatform import JWKS, LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Status
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request as LibRequest
from lti1p3platform.request import TRequest
from lti1p3platform.score import ActivityProgress, GradeProgress

from .browser import HtmlForm, new_browser, parse_forms

__all__ = [
    "DELETE",
    "DEFAULT_CONTEXT",
    "DEFAULT_RESOURCE_LINK",
    "LaunchResult",
    "PlatformKey",
    "TestPlatform",
    "WSGIServerThread",
    "generate_rsa_key_pair",
    "sign_jwt",
]

# --------------------------------------------------------------------------- constants

LTI_CLAIM: Final = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE: Final = LTI_CLAIM + "message_type"
CLAIM_VERSION: Final = LTI_CLAIM + "version"
CLAIM_DEPLOYMENT_ID: Final = LTI_CLAIM + "deployment_id"
CLAIM_TARGET_LINK_URI: Final = LTI_CLAIM + "target_link_uri"
CLAIM_RESOURCE_LINK: Final = LTI_CLAIM + "resource_link"
CLAIM_CONTEXT: Final = LTI_CLAIM + "context"
CLAIM_ROLES: Final = LTI_CLAIM + "roles"
CLAIM_TOOL_PLATFORM: Final = LTI_CLAIM + "tool_platform"
CLAIM_LAUNCH_PRESENTATION: Final = LTI_CLAIM + "launch_presentation"
CLAIM_CUSTOM: Final = LTI_CLAIM + "custom"
CLAIM_LIS: Final = LTI_CLAIM + "lis"
CLAIM_EXT: Final = LTI_CLAIM + "ext"
CLAIM_AGS: Final = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_NRPS: Final = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CLAIM_DL_SETTINGS: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM_DL_CONTENT_ITEMS: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
CLAIM_DL_DATA: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
TOOL_CONFIGURATION: Final = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION: Final = "https://purl.imsglobal.org/spec/lti-platform-configuration"

RESOURCE_LINK_REQUEST: Final = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST: Final = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE: Final = "LtiDeepLinkingResponse"

ROLE_INSTRUCTOR: Final = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ROLE_LEARNER: Final = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_INSTITUTION_ADMIN: Final = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
ROLE_SYSTEM_ADMIN: Final = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"

SCOPE_LINEITEM: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS: Final = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPE_TOOL_SETTING: Final = "https://purl.imsglobal.org/spec/lti-ts/scope/toolsetting"
MOODLE_AGS_SCOPES: Final = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)

MEDIA_MEMBERSHIPS: Final = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MEDIA_LINEITEM: Final = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEMS: Final = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_SCORE: Final = "application/vnd.ims.lis.v1.score+json"
MEDIA_RESULTS: Final = "application/vnd.ims.lis.v2.resultcontainer+json"
CLIENT_ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

MOODLE_RELEASE: Final = "4.5"
MOODLE_BUILD: Final = "2024100706"

DEFAULT_CONTEXT: Final[Mapping[str, Any]] = {
    "id": "course-1",
    "title": "Mentoring 101",
    "label": "M101",
    "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
}
DEFAULT_RESOURCE_LINK: Final[Mapping[str, Any]] = {"id": "rl-1", "title": "Tandem"}

FAULT_ENDPOINTS: Final = frozenset(
    {"token", "scores", "lineitems", "results", "nrps", "jwks", "auth", "deep_link_return", "register"}
)

# Moodle's lti_get_capabilities() keys, advertised as LTI substitution variables.
MOODLE_VARIABLES: Final = (
    "basic-lti-launch-request",
    "ContentItemSelectionRequest",
    "ToolProxyRegistrationRequest",
    "Context.id",
    "Context.title",
    "Context.label",
    "Context.id.history",
    "Context.sourcedId",
    "Context.longDescription",
    "Context.timeFrame.begin",
    "CourseSection.title",
    "CourseSection.label",
    "CourseSection.sourcedId",
    "CourseSection.longDescription",
    "CourseSection.timeFrame.begin",
    "CourseSection.timeFrame.end",
    "ResourceLink.id",
    "ResourceLink.title",
    "ResourceLink.description",
    "User.id",
    "User.username",
    "Person.name.full",
    "Person.name.given",
    "Person.name.family",
    "Person.email.primary",
    "Person.sourcedId",
    "Person.name.middle",
    "Person.address.street1",
    "Person.address.locality",
    "Person.address.country",
    "Person.address.timezone",
    "Person.phone.primary",
    "Person.phone.mobile",
    "Person.webaddress",
    "Membership.role",
    "Result.sourcedId",
    "Result.autocreate",
    "BasicOutcome.sourcedId",
    "BasicOutcome.url",
    "Moodle.Person.userGroupIds",
)


class _Delete:
    """Type of the ``DELETE`` sentinel."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE: Final = _Delete()
"""Sentinel for ``claims_patch``/``header_patch``: remove that claim or header."""


# --------------------------------------------------------------------------- JWT helpers


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def generate_rsa_key_pair(bits: int = 2048) -> tuple[str, str]:
    """``(private_pem, public_pem)`` of a fresh RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


_HMAC_DIGESTS: Final[Mapping[str, Callable[[], Any]]] = {
    "HS256": hashlib.sha256,
    "HS384": hashlib.sha384,
    "HS512": hashlib.sha512,
}


def sign_jwt(payload: Mapping[str, Any], header: Mapping[str, Any], alg: str, key: str | bytes | None) -> str:
    """Serialise and sign a JWT exactly as given (no claim is added or checked).

    ``alg`` picks the signature: ``none`` (empty signature), ``HS256/384/512`` (``key`` is the
    shared secret, PEM text allowed, which PyJWT refuses) or ``RS256/384/512`` (``key`` is a
    private PEM). ``header`` is written verbatim, so its ``alg`` may disagree with ``alg``.
    """
    signing_input = (
        _b64url(json.dumps(dict(header), separators=(",", ":")).encode("utf-8"))
        + "."
        + _b64url(json.dumps(dict(payload), separators=(",", ":")).encode("utf-8"))
    ).encode("ascii")
    if alg == "none":
        signature = b""
    elif alg in _HMAC_DIGESTS:
        if key is None:
            raise ValueError(f"{alg} needs a shared secret")
        secret = key.encode("utf-8") if isinstance(key, str) else key
        signature = hmac.new(secret, signing_input, _HMAC_DIGESTS[alg]).digest()
    elif alg in ("RS256", "RS384", "RS512"):
        if key is None:
            raise ValueError(f"{alg} needs a private key")
        algorithm = jwt.algorithms.get_default_algorithms()[alg]
        signature = algorithm.sign(signing_input, algorithm.prepare_key(key))
    else:
        raise ValueError(f"unsupported signing algorithm {alg!r}")
    return signing_input.decode("ascii") + "." + _b64url(signature)


def _decode_segment(token: str, index: int) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        value = json.loads(_b64url_decode(parts[index]))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _apply_patch(target: dict[str, Any], patch: Mapping[str, Any] | None) -> None:
    for key, value in (patch or {}).items():
        if value is DELETE:
            target.pop(key, None)
        else:
            target[key] = copy.deepcopy(value)


_ISO8601 = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)"
    r"(?:[.,](?P<fraction>\d+))?(?P<tz>Z|z|[+-]\d{2}:?\d{2})?$"
)


def parse_iso8601(value: Any) -> datetime | None:
    """Timezone-aware datetime from an ISO 8601 string (any fraction length); else ``None``.

    Timestamps without a timezone are refused (``None``): LTI AGS requires one.
    """
    if not isinstance(value, str):
        return None
    match = _ISO8601.match(value.strip())
    if not match or not match.group("tz"):
        return None
    fraction = (match.group("fraction") or "").ljust(6, "0")[:6]
    tz = match.group("tz")
    tz = "+00:00" if tz in ("Z", "z") else tz
    if len(tz) == 5:
        tz = tz[:3] + ":" + tz[3:]
    clock = match.group("time")
    if len(clock) == 5:
        clock += ":00"
    try:
        return datetime.fromisoformat(f"{match.group('date')}T{clock}.{fraction}{tz}")
    except ValueError:
        return None


def _domain_of(url_or_domain: str) -> str:
    """Moodle's ``lti_get_domain_from_url``: host[:port] without scheme and ``www.``."""
    match = re.match(r"(?:https?://)?(?:www\.)?([^/?#]+)", url_or_domain.strip(), re.IGNORECASE)
    return match.group(1).lower() if match else ""


# --------------------------------------------------------------------------- HTTP server


class _QuietRequestHandler(WSGIRequestHandler):
    """HTTP/1.0 (one request per connection, so no keep-alive thread outlives ``stop()``);
    logs only errors."""

    protocol_version = "HTTP/1.0"
    timeout = 30

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's name
        if type == "error":
            super().log(type, message, *args)


class WSGIServerThread:
    """Serve a WSGI app on ``127.0.0.1:<free port>`` in a daemon thread (werkzeug, threaded).

    ``app`` may be set (or replaced) after ``start()``, which lets a test learn the server's
    URL before building the app that needs it. ``stop()`` shuts the loop down, closes the
    socket and joins the serving thread and every request thread.
    """

    def __init__(
        self,
        app: Callable[..., Any] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: Any = None,
    ) -> None:
        self.app = app
        self._host = host
        self._port = port
        self._ssl_context = ssl_context
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        app = self.app
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no application mounted yet"]
        return cast(Iterable[bytes], app(environ, start_response))

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{self._host}:{self.port}"

    def start(self) -> WSGIServerThread:
        if self._server is not None:
            return self
        server = make_server(
            self._host,
            self._port,
            self._dispatch,
            threaded=True,
            request_handler=_QuietRequestHandler,
            ssl_context=self._ssl_context,
        )
        self._server = server
        self.port = int(server.socket.getsockname()[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"wsgi-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = None
        self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()  # also joins the request threads
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> WSGIServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# --------------------------------------------------------------------------- data records


@dataclass(frozen=True)
class PlatformKey:
    """One platform signing key."""

    kid: str
    private_pem: str
    public_pem: str

    def public_jwk(self) -> dict[str, Any]:
        jwk = dict(Registration.get_jwk(self.public_pem))
        jwk["kid"] = self.kid
        return jwk


@dataclass
class LaunchResult:
    """What happened during one ``TestPlatform.launch()``.

    ``form_action``/``id_token``/``state`` are ``None`` when the tool answered the initiation
    with an error (or with anything that does not lead to the platform's ``/auth``).
    ``error`` is the OIDC error the platform answered the tool's auth request with, if any
    (then ``form_fields`` holds ``error``/``error_description``/``state`` and ``response`` is
    the tool's answer to that error post when ``submit`` was true).
    """

    login_response: requests.Response
    form_action: str | None = None
    id_token: str | None = None
    state: str | None = None
    response: requests.Response | None = None
    payload: dict[str, Any] | None = None
    header: dict[str, Any] | None = None
    auth_response: requests.Response | None = None
    auth_params: dict[str, str] | None = None
    form_fields: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    lti_message_hint: str | None = None


@dataclass
class _LaunchSpec:
    launch_id: str
    lti_message_hint: str
    user_id: str
    roles: list[str]
    name: str | None
    given_name: str | None
    family_name: str | None
    email: str | None
    context: dict[str, Any] | None
    resource_link: dict[str, Any] | None
    message_type: str
    deep_linking_settings: dict[str, Any] | None
    custom: dict[str, Any] | None
    locale: str | None
    deployment_id: str
    client_id: str
    ags: bool
    nrps: bool
    lineitem_url: str | None
    claims_patch: dict[str, Any] | None
    header_patch: dict[str, Any] | None
    sign_alg: str
    sign_key: str | bytes | None
    target_link_uri: str
    id_token_target_link_uri: str
    raw_id_token: str | None
    issued: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Fault:
    remaining: int
    status: int | None
    delay: float


@dataclass
class _AccessToken:
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float


# --------------------------------------------------------------------------- lti1p3platform glue


class _HarnessRegistration(Registration):
    """Registration with the harness' kids and every published key (workaround 1)."""

    def __init__(self, kid: str, published: Sequence[PlatformKey]) -> None:
        self._harness_kid = kid
        self._harness_published = list(published)

    def get_kid(self) -> str | None:
        return self._harness_kid

    def get_jwks(self) -> list[dict[str, Any]]:
        return [key.public_jwk() for key in self._harness_published]


class _FlaskLibRequest(LibRequest):
    """lti1p3platform request adapter for the current Flask request."""

    def build_metadata(self, request: Any) -> TRequest:
        return {
            "method": request.method,
            "form_data": request.form.to_dict(),
            "get_data": request.args.to_dict(),
            "headers": dict(request.headers),
            "content_type": request.content_type,
            "path": request.path,
            "json": request.get_json(silent=True),
        }


class _PlatformConf(LTI1P3PlatformConfAbstract):
    """Per-request platform configuration (the library keeps per-call state on it)."""

    _platform: TestPlatform
    _deployment_id: str | None

    def init_platform_config(self, **kwargs: Any) -> None:
        self._platform = kwargs["platform"]
        self._deployment_id = kwargs.get("deployment_id")

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._platform._build_registration(self._deployment_id)

    def fetch_public_key(self, key_set_url: str) -> JWKS:  # workaround 7
        with self._platform._lock:
            self._platform.tool_jwks_requests += 1
        try:
            with new_browser(verify=self._platform.tool_verify) as session:
                response = session.get(key_set_url, timeout=5)
        except requests.RequestException as exc:
            raise lib_exceptions.LtiException(f"Error during fetch URL {key_set_url}: {exc}") from exc
        try:
            keys = response.json()
        except ValueError as exc:
            raise lib_exceptions.LtiException(
                f"Invalid response from {key_set_url}. Must be JSON: {response.text[:200]}"
            ) from exc
        if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
            raise lib_exceptions.LtiException(f"{key_set_url} did not return a JWKS")
        return cast(JWKS, keys)

    def validate_token(
        self,
        token: str,
        allowed_scopes: list[str] | None = None,
        audience: str | None = None,
    ) -> bool:  # workaround 9
        platform = self._platform
        with platform._lock:
            info = platform._access_tokens.get(token)
            keys = list(platform._keys)
        if info is None:
            raise lib_exceptions.LtiException("Unknown or revoked access token")
        if info.expires_at < time.time():
            raise lib_exceptions.LtiException("Token expired")
        contents: dict[str, Any] | None = None
        for key in keys:
            try:
                contents = Registration.decode_and_verify(token, key.public_pem)
                break
            except jwt.InvalidSignatureError:
                continue
            except jwt.PyJWTError as exc:
                raise lib_exceptions.LtiException(f"Invalid access token: {exc}") from exc
        if contents is None:
            raise lib_exceptions.LtiException("Access token not signed by this platform")
        if contents.get("iss") != platform.issuer:
            raise lib_exceptions.LtiException("Invalid issuer")
        if audience and contents.get("aud") != audience:
            raise lib_exceptions.LtiException("Invalid audience")
        token_scopes = str(contents.get("scopes", "")).split(" ")
        if allowed_scopes:
            return any(scope in token_scopes for scope in allowed_scopes)
        return True


class _HarnessOIDCLogin(OIDCLoginAbstract):
    """Builds the third-party-initiated login URL (iss, target_link_uri, login_hint,
    lti_message_hint, client_id, lti_deployment_id)."""

    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class _HarnessMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """Moodle-like id_token built with the library (workarounds 2 to 5)."""

    def __init__(
        self,
        request: LibRequest,
        platform_config: LTI1P3PlatformConfAbstract,
        *,
        platform: TestPlatform,
        spec: _LaunchSpec,
    ) -> None:
        super().__init__(request, platform_config)
        self._platform = platform
        self._spec = spec
        self.set_id_token_expiration(platform.id_token_ttl)

    @property
    def _is_deep_linking(self) -> bool:
        return self._spec.message_type == DEEP_LINKING_REQUEST

    def _context_id(self) -> str | None:
        context = self._spec.context
        if context is None or context.get("id") is None:
            return None
        return str(context["id"])

    def prepare_launch(self, preflight_response: dict[str, Any]) -> None:
        spec = self._spec
        platform = self._platform
        self.set_launch_url(spec.id_token_target_link_uri)
        self.set_user_data(spec.user_id, list(spec.roles), full_name=spec.name, email_address=spec.email)
        if not self._is_deep_linking and spec.resource_link is not None and spec.resource_link.get("id"):
            self.set_resource_link_claim(
                str(spec.resource_link["id"]),
                description=spec.resource_link.get("description"),
                title=spec.resource_link.get("title"),
            )
        context_id = self._context_id()
        if spec.context is not None and context_id is not None:
            context_types = spec.context.get("type")
            self.set_launch_context_claim(
                context_id,
                context_types=list(context_types) if context_types else None,
                context_title=spec.context.get("title"),
                context_label=spec.context.get("label"),
            )
        self.set_launch_presentation_claim(document_target="iframe", return_url=platform._return_url(spec))
        if spec.custom is not None and not self._is_deep_linking:
            self.set_custom_parameters_claim(dict(spec.custom))
        if spec.ags and context_id is not None:
            self.set_ags(
                lineitems_url=platform._service_url(f"/ags/{context_id}/lineitems"),
                lineitem_url=None if self._is_deep_linking else spec.lineitem_url,
                allow_creating_lineitems=True,
            )
        if spec.nrps and context_id is not None and not self._is_deep_linking:
            self.set_nrps(platform._service_url(f"/nrps/{context_id}/memberships"))

    def get_launch_message(self, include_extra_claims: bool = True) -> dict[str, Any]:
        message: dict[str, Any] = super().get_launch_message(include_extra_claims)
        spec = self._spec
        platform = self._platform
        message[CLAIM_MESSAGE_TYPE] = spec.message_type
        if spec.given_name:
            message["given_name"] = spec.given_name
        if spec.family_name:
            message["family_name"] = spec.family_name
        if CLAIM_CONTEXT in message and spec.context is not None:
            message[CLAIM_CONTEXT].update(copy.deepcopy(spec.context))
        if CLAIM_RESOURCE_LINK in message and spec.resource_link is not None:
            message[CLAIM_RESOURCE_LINK].update(copy.deepcopy(spec.resource_link))
        presentation = message.setdefault(CLAIM_LAUNCH_PRESENTATION, {})
        if spec.locale:
            presentation["locale"] = spec.locale
        message[CLAIM_TOOL_PLATFORM] = {
            "guid": platform.platform_guid,
            "name": "Tandem Test Moodle",
            "description": "Moodle-like LTI 1.3 platform of the Tandem test harness",
            "version": MOODLE_BUILD,
            "product_family_code": "moodle",
        }
        message[CLAIM_LIS] = {"person_sourcedid": "", "course_section_sourcedid": ""}
        message[CLAIM_EXT] = {"lms": "moodle-2", "user_username": spec.user_id}
        if CLAIM_AGS in message:
            message[CLAIM_AGS]["scope"] = list(MOODLE_AGS_SCOPES)
        if self._is_deep_linking:
            message.pop(CLAIM_RESOURCE_LINK, None)
            message.pop(CLAIM_CUSTOM, None)
            message.pop(CLAIM_NRPS, None)
            if CLAIM_AGS in message:
                message[CLAIM_AGS].pop("lineitem", None)
            message[CLAIM_DL_SETTINGS] = copy.deepcopy(spec.deep_linking_settings or {})
        return message

    def generate_launch_request(self) -> Any:
        spec = self._spec
        platform = self._platform
        payload, state = self.get_launch_data()
        now = int(time.time())
        payload["iat"] = now
        payload["exp"] = now + self.id_token_expiration
        _apply_patch(payload, spec.claims_patch)
        current = platform._current_key()
        header: dict[str, Any] = {"typ": "JWT", "alg": spec.sign_alg, "kid": current.kid}
        _apply_patch(header, spec.header_patch)
        key: str | bytes | None
        if spec.sign_alg in _HMAC_DIGESTS:
            key = spec.sign_key if spec.sign_key is not None else current.public_pem
        else:
            key = spec.sign_key if spec.sign_key is not None else current.private_pem
        id_token = spec.raw_id_token if spec.raw_id_token is not None else sign_jwt(payload, header, spec.sign_alg, key)
        record = {
            "launch_id": spec.launch_id,
            "message_type": spec.message_type,
            "payload": payload,
            "header": header,
            "id_token": id_token,
            "state": state,
            "redirect_uri": self._redirect_url,
            "issued_at": time.time(),
            "deployment_id": spec.deployment_id,
            "deep_linking_settings": copy.deepcopy(spec.deep_linking_settings),
        }
        with platform._lock:
            spec.issued.append(record)
            platform.launches.append(record)
        return {"state": state, "id_token": id_token}

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> Response:
        return _auto_submit_form(
            str(launch_data["launch_url"]),
            {"id_token": str(launch_data["id_token"]), "state": str(launch_data["state"])},
            form_id="ltiLaunchForm",
        )


def _auto_submit_form(action: str, fields: Mapping[str, str], *, form_id: str) -> Response:
    inputs = "\n".join(
        f'  <input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}"/>'
        for name, value in fields.items()
    )
    body = (
        "<!DOCTYPE html>\n<html><head><title>Launching</title></head><body>\n"
        f'<form id="{form_id}" name="{form_id}" action="{html.escape(action)}" method="post"'
        ' enctype="application/x-www-form-urlencoded">\n'
        f"{inputs}\n</form>\n"
        f'<script>document.getElementById("{form_id}").submit();</script>\n</body></html>\n'
    )
    return Response(body, 200, content_type="text/html; charset=utf-8")


def _html_page(title: str, text: str, status: int = 200) -> Response:
    body = (
        f"<!DOCTYPE html>\n<html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>\n"
    )
    return Response(body, status, content_type="text/html; charset=utf-8")


def _json(data: Any, status: int = 200, *, content_type: str = "application/json", headers: Mapping[str, str] | None = None) -> Response:
    response = Response(json.dumps(data), status, content_type=content_type)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _oauth_error(status: int, error: str, description: str) -> Response:
    response = _json({"error": error, "error_description": description}, status)
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response


def _role_matches(role_filter: str, roles: Iterable[str]) -> bool:
    def short(role: str) -> str:
        return re.split(r"[#/]", role)[-1]

    for role in roles:
        if role == role_filter or short(role) == short(role_filter):
            return True
    return False


# --------------------------------------------------------------------------- the platform


class TestPlatform:
    """A Moodle-like LTI 1.3 platform for tests (see the module docstring).

    Construct, ``start()`` (or use as a context manager), then ``launch()`` a browser
    (``requests.Session`` from ``tests.harness.browser.new_browser``) into the tool.
    """

    __test__ = False  # not a pytest test class despite its name

    def __init__(
        self,
        *,
        tool_base_url: str,
        client_id: str = "tandem-client",
        deployment_ids: Sequence[str] = ("deploy-1",),
        login_path: str = "/lti/login",
        launch_path: str = "/lti/launch",
        jwks_path: str = "/lti/jwks",
        tool_verify: str | bool = False,
        issuer: str | None = None,
        redirect_uris: Sequence[str] | None = None,
        deep_link_path: str | None = None,
        id_token_ttl: int = 60,
        service_query: str | None = None,
        port: int = 0,
    ) -> None:
        """
        ``port``: where to listen (0: any free port; the demo LMS uses a fixed one).
        ``issuer``: iss claim (default: the platform URL). ``redirect_uris``: registered
        redirect URIs (default: the launch URL, plus the deep-link URL if different).
        ``deep_link_path``: the tool's deep-linking target (default: ``launch_path``).
        ``id_token_ttl``: ``exp - iat`` of id_tokens (Moodle: 60 s). ``service_query``: a
        query string (e.g. ``"type_id=1"``, as Moodle does) appended to every AGS/NRPS URL
        advertised and required on every AGS/NRPS request.
        """
        self.tool_base_url = tool_base_url.rstrip("/")
        self._port = port
        self.client_id = client_id
        self.deployment_ids: tuple[str, ...] = tuple(deployment_ids)
        if not self.deployment_ids:
            raise ValueError("at least one deployment id is needed")
        self.login_url = self.tool_base_url + login_path
        self.launch_url = self.tool_base_url + launch_path
        self.tool_jwks_url = self.tool_base_url + jwks_path
        self.deep_link_url = self.tool_base_url + (deep_link_path or launch_path)
        default_redirects = [self.launch_url]
        if self.deep_link_url != self.launch_url:
            default_redirects.append(self.deep_link_url)
        self.redirect_uris: list[str] = list(redirect_uris) if redirect_uris is not None else default_redirects
        self.tool_verify: str | bool = tool_verify
        self.id_token_ttl = id_token_ttl
        self.service_query = service_query.lstrip("?") if service_query else None
        self.platform_guid = "tandem-harness-" + uuid.uuid4().hex[:12]
        self._issuer_override = issuer

        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: WSGIServerThread | None = None
        self._kid_counter = itertools.count(1)
        self._keys: list[PlatformKey] = []
        self._published: list[PlatformKey] = []
        self._new_key()

        self._specs: dict[str, _LaunchSpec] = {}
        self._launch_counter = itertools.count(1)
        self._faults: dict[str, _Fault] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        self._used_jtis: set[str] = set()
        self._members: dict[str, list[dict[str, Any]]] = {}
        self._launched_members: dict[str, dict[str, dict[str, Any]]] = {}
        self._contexts: dict[str, dict[str, Any]] = {}
        self._lineitem_counter = itertools.count(1)
        self._lineitem_context: dict[str, str] = {}
        self._lineitem_keys: dict[str, str] = {}
        self._registration_tokens: dict[str, dict[str, Any]] = {}
        self._deployment_counter = itertools.count(1)

        # Observable state (read it under no lock from tests once the call is answered).
        self.jwks_requests = 0
        self.tool_jwks_requests = 0
        self.token_requests = 0
        self.token_log: list[dict[str, Any]] = []
        self.auth_requests: list[dict[str, str]] = []
        self.launches: list[dict[str, Any]] = []
        self.deep_link_responses: list[dict[str, Any]] = []
        self.nrps_requests: list[dict[str, Any]] = []
        self.lineitems: dict[str, dict[str, Any]] = {}
        self.scores: list[dict[str, Any]] = []
        self.score_requests: list[dict[str, Any]] = []
        self.registrations: dict[str, dict[str, Any]] = {}
        self.return_requests: list[dict[str, str]] = []
        self.server_errors: list[str] = []
        self._browser_launches: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> TestPlatform:
        if self._server is None:
            self._stopping.clear()
            self._server = WSGIServerThread(self._build_app(), port=self._port).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> TestPlatform:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("TestPlatform not started")
        return self._server.url

    @property
    def issuer(self) -> str:
        return self._issuer_override or self.url

    @property
    def auth_url(self) -> str:
        return self.url + "/auth"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    @property
    def jwks_url(self) -> str:
        return self.url + "/jwks"

    @property
    def deep_link_return_url(self) -> str:
        return self.url + "/deep_link_return"

    @property
    def openid_configuration_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    @property
    def registration_url(self) -> str:
        return self.url + "/register"

    # ------------------------------------------------------------------ keys

    def _new_key(self) -> PlatformKey:
        private_pem, public_pem = generate_rsa_key_pair(2048)
        key = PlatformKey(
            kid=f"harness-{next(self._kid_counter)}-{secrets.token_hex(4)}",
            private_pem=private_pem,
            public_pem=public_pem,
        )
        with self._lock:
            self._keys.append(key)
            self._published.append(key)
        return key

    def _current_key(self) -> PlatformKey:
        with self._lock:
            return self._keys[-1]

    @property
    def current_kid(self) -> str:
        return self._current_key().kid

    @property
    def current_key(self) -> PlatformKey:
        return self._current_key()

    @property
    def published_kids(self) -> list[str]:
        with self._lock:
            return [key.kid for key in self._published]

    def rotate_key(self) -> str:
        """New signing key under a new kid; JWKS serves old + new; returns the new kid."""
        return self._new_key().kid

    def retire_old_keys(self) -> None:
        """JWKS serves only the current key from now on."""
        with self._lock:
            self._published = [self._keys[-1]]

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [key.public_jwk() for key in self._published]}

    # ------------------------------------------------------------------ configuration

    def _build_registration(self, deployment_id: str | None) -> Registration:
        current = self._current_key()
        with self._lock:
            published = list(self._published)
            client_id = self.client_id
            deployment = deployment_id or self.deployment_ids[0]
        registration = _HarnessRegistration(current.kid, published)
        registration.set_iss(self.issuer).set_client_id(client_id).set_deployment_id(deployment)
        registration.set_oidc_login_url(self.login_url).set_launch_url(self.launch_url)
        registration.set_deeplink_launch_url(self.deep_link_url)
        registration.set_platform_private_key(current.private_pem)
        registration.set_platform_public_key(current.public_pem)
        registration.set_tool_key_set_url(self.tool_jwks_url)
        return registration

    def _conf(self, deployment_id: str | None = None) -> _PlatformConf:
        conf = _PlatformConf(platform=self, deployment_id=deployment_id)
        conf.get_registration()
        return conf

    def _service_url(self, path: str) -> str:
        url = self.url + path
        return f"{url}?{self.service_query}" if self.service_query else url

    def _return_url(self, spec: _LaunchSpec) -> str:
        query = {"course": (spec.context or {}).get("id", ""), "launch_container": "3"}
        if spec.resource_link and spec.resource_link.get("id"):
            query["instanceid"] = spec.resource_link["id"]
        return self.url + "/return?" + urlencode(query)

    def fail_next(self, endpoint: str, count: int, status: int | None = 503, delay: float = 0.0) -> None:
        """The next ``count`` calls to ``endpoint`` wait ``delay`` seconds, then answer ``status``.

        ``endpoint`` is one of ``FAULT_ENDPOINTS`` ({"token", "scores", "lineitems" (list,
        create, get, put, delete), "results", "nrps", "jwks", "auth", "deep_link_return",
        "register"}). ``status=None`` with a ``delay`` only slows the calls down. ``count=0``
        clears the fault. ``stop()`` cuts pending delays short.
        """
        if endpoint not in FAULT_ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; choose from {sorted(FAULT_ENDPOINTS)}")
        with self._lock:
            if count <= 0:
                self._faults.pop(endpoint, None)
            else:
                self._faults[endpoint] = _Fault(remaining=count, status=status, delay=delay)

    def _inject_fault(self, endpoint: str) -> Response | None:
        with self._lock:
            fault = self._faults.get(endpoint)
            if fault is None:
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                del self._faults[endpoint]
            status, delay = fault.status, fault.delay
        if delay > 0:
            self._stopping.wait(delay)
        if status is None:
            return None
        return _json({"error": "injected_fault", "endpoint": endpoint}, status)

    def set_members(self, context_id: str, members: Sequence[Mapping[str, Any]]) -> None:
        """Course roster served by NRPS for ``context_id`` (replaces launch-derived members).

        Each member needs ``user_id`` and ``roles``; ``status`` defaults to ``Active``;
        name/given_name/family_name/email/picture are optional (privacy).
        """
        cleaned: list[dict[str, Any]] = []
        for member in members:
            if "user_id" not in member or "roles" not in member:
                raise ValueError(f"member needs user_id and roles: {member!r}")
            entry = copy.deepcopy(dict(member))
            entry.setdefault("status", Status.ACTIVE.value)
            cleaned.append(entry)
        with self._lock:
            self._members[context_id] = cleaned
            self._contexts.setdefault(context_id, {"id": context_id})

    def members(self, context_id: str) -> list[dict[str, Any]] | None:
        """The roster NRPS would serve (explicit or built from launches), or ``None``."""
        with self._lock:
            if context_id in self._members:
                return copy.deepcopy(self._members[context_id])
            if context_id in self._launched_members:
                return copy.deepcopy(list(self._launched_members[context_id].values()))
            return None

    def create_lineitem(
        self,
        context_id: str,
        *,
        label: str,
        score_maximum: float = 100,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
    ) -> str:
        """Create a line item as the gradebook would (declarative AGS); returns its URL/id."""
        data: dict[str, Any] = {"label": label, "scoreMaximum": score_maximum}
        if resource_link_id is not None:
            data["resourceLinkId"] = resource_link_id
        if resource_id is not None:
            data["resourceId"] = resource_id
        if tag is not None:
            data["tag"] = tag
        with self._lock:
            self._contexts.setdefault(context_id, {"id": context_id})
        return str(self._store_lineitem(context_id, data)["id"])

    def revoke_tokens(self) -> None:
        """Forget every access token issued so far (the next service call gets a 401)."""
        with self._lock:
            self._access_tokens.clear()

    def new_registration_token(self) -> str:
        """A single-use dynamic-registration token (a JWT like Moodle's; ``sub`` = new client id)."""
        client_id = "dr-" + secrets.token_hex(8)
        now = int(time.time())
        key = self._current_key()
        token = sign_jwt(
            {"sub": client_id, "scope": "reg", "iat": now, "exp": now + 3600, "jti": uuid.uuid4().hex},
            {"typ": "JWT", "alg": "RS256", "kid": key.kid},
            "RS256",
            key.private_pem,
        )
        with self._lock:
            self._registration_tokens[token] = {"client_id": client_id, "used": False}
        return token

    def registration_initiation_url(self, tool_registration_url: str, token: str | None = None) -> str:
        """The URL Moodle opens in the registration iframe: the tool's registration URL with
        ``openid_configuration`` and ``registration_token``."""
        query = urlencode(
            {
                "openid_configuration": self.openid_configuration_url,
                "registration_token": token or self.new_registration_token(),
            }
        )
        separator = "&" if "?" in tool_registration_url else "?"
        return tool_registration_url + separator + query

    def adopt_registration(self, client_id: str) -> None:
        """Launch as the dynamically registered tool from now on ("Activate" in Moodle)."""
        with self._lock:
            registration = self.registrations[client_id]
            payload = registration["request"]
            tool_conf = payload.get(TOOL_CONFIGURATION, {})
            self.client_id = client_id
            self.deployment_ids = (registration["deployment_id"],)
            self.login_url = payload["initiate_login_uri"]
            self.launch_url = tool_conf.get("target_link_uri") or self.launch_url
            self.redirect_uris = list(payload["redirect_uris"])
            self.tool_jwks_url = payload["jwks_uri"]
            self.deep_link_url = self.launch_url
            for message in tool_conf.get("messages") or []:
                if message.get("type") == DEEP_LINKING_REQUEST and message.get("target_link_uri"):
                    self.deep_link_url = message["target_link_uri"]

    @property
    def last_deep_link_response(self) -> dict[str, Any] | None:
        with self._lock:
            return self.deep_link_responses[-1] if self.deep_link_responses else None

    # ------------------------------------------------------------------ launching

    def launch(
        self,
        browser: requests.Session,
        *,
        user_id: str = "u1",
        roles: Sequence[str] = (ROLE_INSTRUCTOR,),
        name: str | None = "Ada Lovelace",
        given_name: str | None = None,
        family_name: str | None = None,
        email: str | None = "ada@example.org",
        context: Mapping[str, Any] | None = DEFAULT_CONTEXT,
        resource_link: Mapping[str, Any] | None = DEFAULT_RESOURCE_LINK,
        message_type: str = RESOURCE_LINK_REQUEST,
        deep_linking_settings: Mapping[str, Any] | None = None,
        custom: Mapping[str, Any] | None = None,
        locale: str | None = "en",
        deployment_id: str | None = None,
        ags: bool = True,
        nrps: bool = True,
        lineitem_url: str | None = None,
        claims_patch: Mapping[str, Any] | None = None,
        header_patch: Mapping[str, Any] | None = None,
        sign_alg: str = "RS256",
        sign_key: str | bytes | None = None,
        target_link_uri: str | None = None,
        id_token_target_link_uri: str | None = None,
        login_method: str = "POST",
        client_id_in_login: bool = True,
        submit: bool = True,
        raw_id_token: str | None = None,
    ) -> LaunchResult:
        """Drive one OIDC launch through ``browser``, one explicit hop at a time.

        (1) The initiation (iss, login_hint=user_id, target_link_uri, lti_message_hint,
        client_id, lti_deployment_id) is POSTed (or GET) to the tool's login URL; (2) the
        tool's redirect (or form, or JS redirect) to ``/auth`` is followed; (3) ``/auth``
        answers with the auto-submit form carrying id_token and state; (4) the browser POSTs
        it to the form action unless ``submit`` is false. Redirects of the tool after the
        launch are not followed (use ``browser.follow``).

        ``given_name``/``family_name`` default to the first/remaining words of ``name``
        (pass ``""`` to leave them out). ``deep_linking_settings`` is merged over Moodle-like
        defaults. ``sign_alg="HS256"`` uses ``sign_key`` or, by default, the platform's public
        PEM as the secret (the algorithm-confusion attack). ``raw_id_token`` replaces the
        id_token sent (e.g. a non-JWT for "Invalid LTI message"); ``payload`` is then the
        claims that would have been signed.
        """
        if login_method.upper() not in ("GET", "POST"):
            raise ValueError("login_method must be GET or POST")
        spec = self._new_spec(
            user_id=user_id,
            roles=roles,
            name=name,
            given_name=given_name,
            family_name=family_name,
            email=email,
            context=context,
            resource_link=resource_link,
            message_type=message_type,
            deep_linking_settings=deep_linking_settings,
            custom=custom,
            locale=locale,
            deployment_id=deployment_id,
            ags=ags,
            nrps=nrps,
            lineitem_url=lineitem_url,
            claims_patch=claims_patch,
            header_patch=header_patch,
            sign_alg=sign_alg,
            sign_key=sign_key,
            target_link_uri=target_link_uri,
            id_token_target_link_uri=id_token_target_link_uri,
            raw_id_token=raw_id_token,
        )
        params = self._initiation_params(spec)
        if not client_id_in_login:
            params.pop("client_id", None)
        if login_method.upper() == "POST":
            login_response = browser.post(self.login_url, data=params, allow_redirects=False)
        else:
            login_response = browser.get(self.login_url, params=params, allow_redirects=False)
        result = LaunchResult(login_response=login_response, lti_message_hint=spec.lti_message_hint)

        hop = self._find_auth_hop(browser, login_response)
        if hop is None:
            return result
        method, auth_target, auth_data = hop
        result.auth_params = dict(parse_qsl(urlsplit(auth_target).query)) if method == "GET" else dict(auth_data or {})
        if method == "GET":
            auth_response = browser.get(auth_target, allow_redirects=False)
        else:
            auth_response = browser.post(auth_target, data=auth_data, allow_redirects=False)
        result.auth_response = auth_response
        if auth_response.status_code != 200:
            return result
        forms = parse_forms(auth_response.text)
        if not forms or not forms[0].action:
            return result
        form = forms[0]
        result.form_action = urljoin(auth_response.url, cast(str, form.action))
        result.form_fields = dict(form.fields)
        result.state = form.fields.get("state")
        result.error = form.fields.get("error")
        result.id_token = form.fields.get("id_token")
        if result.id_token is not None:
            with self._lock:
                record = spec.issued[-1] if spec.issued else None
            if record is not None:
                result.payload = copy.deepcopy(record["payload"])
                result.header = copy.deepcopy(record["header"])
        if submit:
            result.response = browser.post(result.form_action, data=form.fields, allow_redirects=False)
        return result

    def browser_launch_url(self, **options: Any) -> str:
        """A platform URL that starts a launch from a real browser (Chromium, the demo LMS).

        Takes the options of ``launch()``; the page auto-submits the OIDC initiation to the
        tool's login URL, as Moodle's launch page does, and the browser does the rest.
        """
        spec_options = {
            name: param.default
            for name, param in inspect.signature(self.launch).parameters.items()
            if param.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("login_method", "client_id_in_login", "submit")
        }
        spec_options.update(options)
        params = self._initiation_params(self._new_spec(**spec_options))
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._browser_launches[token] = params
        return f"{self.url}/initiate/{token}"

    def _handle_initiate(self, token: str) -> Response:
        with self._lock:
            params = self._browser_launches.get(token)
        if params is None:
            return _html_page("Unknown launch", "This launch link is unknown.", 404)
        return _auto_submit_form(self.login_url, params, form_id="ltiInitiateForm")

    def replay(self, browser: requests.Session, result: LaunchResult) -> requests.Response:
        """POST the same id_token and state to the tool again."""
        if result.form_action is None or result.id_token is None:
            raise ValueError("that launch never produced an id_token")
        fields = dict(result.form_fields) or {"id_token": result.id_token, "state": result.state or ""}
        return browser.post(result.form_action, data=fields, allow_redirects=False)

    def _new_spec(
        self,
        *,
        user_id: str,
        roles: Sequence[str],
        name: str | None,
        given_name: str | None,
        family_name: str | None,
        email: str | None,
        context: Mapping[str, Any] | None,
        resource_link: Mapping[str, Any] | None,
        message_type: str,
        deep_linking_settings: Mapping[str, Any] | None,
        custom: Mapping[str, Any] | None,
        locale: str | None,
        deployment_id: str | None,
        ags: bool,
        nrps: bool,
        lineitem_url: str | None,
        claims_patch: Mapping[str, Any] | None,
        header_patch: Mapping[str, Any] | None,
        sign_alg: str,
        sign_key: str | bytes | None,
        target_link_uri: str | None,
        id_token_target_link_uri: str | None,
        raw_id_token: str | None,
    ) -> _LaunchSpec:
        if name and given_name is None:
            given_name = name.split(" ", 1)[0]
        if name and family_name is None:
            parts = name.split(" ", 1)
            family_name = parts[1] if len(parts) > 1 else None
        is_dl = message_type == DEEP_LINKING_REQUEST
        settings: dict[str, Any] | None = None
        if is_dl:
            settings = {
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "auto_create": False,
                "deep_link_return_url": self.deep_link_return_url,
                "title": "Tandem",
                "text": "",
                "data": "opaque-data-123",
            }
            settings.update(copy.deepcopy(dict(deep_linking_settings or {})))
        default_target = self.deep_link_url if is_dl else self.launch_url
        target = target_link_uri or default_target
        number = next(self._launch_counter)
        launch_id = f"ltilaunch{number}_{secrets.token_hex(6)}"
        hint = json.dumps({"cmid": number, "launchid": launch_id}, separators=(",", ":"))
        with self._lock:
            client_id = self.client_id
            deployment = deployment_id or self.deployment_ids[0]
        spec = _LaunchSpec(
            launch_id=launch_id,
            lti_message_hint=hint,
            user_id=user_id,
            roles=list(roles),
            name=name,
            given_name=given_name,
            family_name=family_name,
            email=email,
            context=copy.deepcopy(dict(context)) if context is not None else None,
            resource_link=copy.deepcopy(dict(resource_link)) if resource_link is not None else None,
            message_type=message_type,
            deep_linking_settings=settings,
            custom=copy.deepcopy(dict(custom)) if custom is not None else None,
            locale=locale,
            deployment_id=deployment,
            client_id=client_id,
            ags=ags,
            nrps=nrps,
            lineitem_url=lineitem_url,
            claims_patch=dict(claims_patch) if claims_patch else None,
            header_patch=dict(header_patch) if header_patch else None,
            sign_alg=sign_alg,
            sign_key=sign_key,
            target_link_uri=target,
            id_token_target_link_uri=id_token_target_link_uri or target,
            raw_id_token=raw_id_token,
        )
        with self._lock:
            self._specs[launch_id] = spec
            if spec.context is not None and spec.context.get("id") is not None:
                context_id = str(spec.context["id"])
                self._contexts[context_id] = {
                    key: spec.context[key] for key in ("id", "label", "title") if key in spec.context
                }
                member: dict[str, Any] = {"user_id": user_id, "roles": list(roles), "status": Status.ACTIVE.value}
                for claim, value in (
                    ("name", name),
                    ("given_name", given_name),
                    ("family_name", family_name),
                    ("email", email),
                ):
                    if value:
                        member[claim] = value
                self._launched_members.setdefault(context_id, {})[user_id] = member
        return spec

    def _initiation_params(self, spec: _LaunchSpec) -> dict[str, str]:
        """Third-party-initiated login parameters, built by lti1p3platform's OIDC login."""
        conf = self._conf(spec.deployment_id)
        login = _HarnessOIDCLogin(None, conf)
        login.set_lti_message_hint(hint=spec.lti_message_hint)
        login.set_launch_url(spec.target_link_uri)
        preflight_url = cast(str, login.initiate_login(spec.user_id))
        login_query = set(parse_qsl(urlsplit(self.login_url).query))
        return {
            key: value
            for key, value in parse_qsl(urlsplit(preflight_url).query, keep_blank_values=True)
            if (key, value) not in login_query
        }

    def _find_auth_hop(
        self, browser: requests.Session, response: requests.Response, max_hops: int = 5
    ) -> tuple[str, str, dict[str, str] | None] | None:
        """Where the tool sends the browser next, if that is this platform's ``/auth``.

        Follows redirects that stay on the tool (e.g. a cookie-check hop), accepts a 30x to
        ``/auth``, an HTML form posting/getting to it, or a JS ``window.location`` to it.
        """
        auth = urlsplit(self.auth_url)

        def is_auth(url: str) -> bool:
            parts = urlsplit(url)
            return (parts.scheme, parts.netloc, parts.path) == (auth.scheme, auth.netloc, auth.path)

        current = response
        for _ in range(max_hops):
            if current.is_redirect and "Location" in current.headers:
                target = urljoin(current.url, current.headers["Location"])
                if is_auth(target):
                    return "GET", target, None
                if urlsplit(target).netloc != urlsplit(self.login_url).netloc:
                    return None
                current = browser.get(target, allow_redirects=False)
                continue
            if current.status_code != 200:
                return None
            text = current.text
            for form in parse_forms(text):
                if form.action and is_auth(urljoin(current.url, form.action)):
                    return self._form_hop(current.url, form)
            match = re.search(re.escape(self.auth_url) + r"\?[^\"'<>\s]*", text.replace("\\/", "/"))
            if match:
                return "GET", html.unescape(match.group(0)), None
            return None
        return None

    @staticmethod
    def _form_hop(base_url: str, form: HtmlForm) -> tuple[str, str, dict[str, str] | None]:
        action = urljoin(base_url, cast(str, form.action))
        if form.method == "POST":
            return "POST", action, dict(form.fields)
        parts = urlsplit(action)
        query = urlencode(list(parse_qsl(parts.query)) + list(form.fields.items()))
        return "GET", urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")), None

    # ------------------------------------------------------------------ the Flask app

    def _build_app(self) -> Flask:
        app = Flask(__name__)
        app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024

        @app.errorhandler(Exception)
        def on_error(exc: Exception) -> Any:
            if isinstance(exc, HTTPException):
                return exc
            with self._lock:
                self.server_errors.append(traceback.format_exc())
            return _html_page("Platform error", f"{type(exc).__name__}: {exc}", 500)

        app.add_url_rule("/auth", "auth", self._handle_auth, methods=["GET", "POST"])
        app.add_url_rule("/initiate/<token>", "initiate", self._handle_initiate, methods=["GET"])
        app.add_url_rule("/token", "token", self._handle_token, methods=["POST"])
        app.add_url_rule("/jwks", "jwks", self._handle_jwks, methods=["GET"])
        app.add_url_rule("/return", "return", self._handle_return, methods=["GET"])
        app.add_url_rule("/deep_link_return", "deep_link_return", self._handle_deep_link_return, methods=["POST"])
        app.add_url_rule("/nrps/<context_id>/memberships", "nrps", self._handle_nrps, methods=["GET"])
        app.add_url_rule("/ags/<context_id>/lineitems", "lineitems", self._handle_lineitems, methods=["GET", "POST"])
        app.add_url_rule(
            "/ags/<context_id>/lineitems/<item_id>",
            "lineitem",
            self._handle_lineitem,
            methods=["GET", "PUT", "DELETE"],
        )
        app.add_url_rule(
            "/ags/<context_id>/lineitems/<item_id>/scores", "scores", self._handle_scores, methods=["POST"]
        )
        app.add_url_rule(
            "/ags/<context_id>/lineitems/<item_id>/results", "results", self._handle_results, methods=["GET"]
        )
        app.add_url_rule(
            "/.well-known/openid-configuration", "openid_configuration", self._handle_openid_configuration
        )
        app.add_url_rule("/register", "register", self._handle_register, methods=["POST"])
        return app

    # ------------------------------------------------------------------ OIDC auth

    def _handle_auth(self) -> Response:
        params = request.values.to_dict()
        with self._lock:
            self.auth_requests.append(dict(params))
        fault = self._inject_fault("auth")
        if fault is not None:
            return fault
        redirect_uri = params.get("redirect_uri", "")
        with self._lock:
            registered = list(self.redirect_uris)
            client_id = self.client_id
        if not redirect_uri or redirect_uri not in registered:
            return _html_page("Invalid request", f"redirect_uri {redirect_uri!r} is not registered", 400)

        def error(code: str, description: str) -> Response:
            fields = {"error": code, "error_description": description}
            if params.get("state"):
                fields["state"] = params["state"]
            return _auto_submit_form(redirect_uri, fields, form_id="errorForm")

        spec = self._spec_for_hint(params.get("lti_message_hint"))
        if params.get("scope") != "openid":
            return error("invalid_scope", "scope must be openid")
        if params.get("response_type") != "id_token":
            return error("unsupported_response_type", "response_type must be id_token")
        if params.get("response_mode") != "form_post":
            return error("invalid_request", "Invalid response_mode")
        if params.get("prompt") != "none":
            return error("invalid_request", "Invalid prompt")
        if params.get("client_id") != client_id:
            return error("unauthorized_client", "Unknown client_id")
        if not params.get("nonce"):
            return error("invalid_request", "Missing nonce")
        if spec is None:
            return error("invalid_request", "Unknown or mangled lti_message_hint")
        if params.get("login_hint") != spec.user_id:
            return error("access_denied", "login_hint is not the logged-in user")
        conf = _PlatformConf(platform=self, deployment_id=spec.deployment_id)
        launch = _HarnessMessageLaunch(_FlaskLibRequest(request), conf, platform=self, spec=spec)
        try:
            return cast(Response, launch.lti_launch())
        except lib_exceptions.PreflightRequestValidationException:
            return error("invalid_request", "nonce, state, redirect_uri and client_id are required")

    def _spec_for_hint(self, hint: str | None) -> _LaunchSpec | None:
        if not hint:
            return None
        try:
            decoded = json.loads(hint)
        except ValueError:
            return None
        if not isinstance(decoded, dict):
            return None
        with self._lock:
            spec = self._specs.get(str(decoded.get("launchid")))
        if spec is None or spec.lti_message_hint != hint:
            return None
        return spec

    def _handle_return(self) -> Response:
        with self._lock:
            self.return_requests.append(request.args.to_dict())
        return _html_page("Back in the course", "The tool sent you back to the course page.")

    # ------------------------------------------------------------------ JWKS / token

    def _handle_jwks(self) -> Response:
        with self._lock:
            self.jwks_requests += 1
        fault = self._inject_fault("jwks")
        if fault is not None:
            return fault
        return _json(self.jwks(), headers={"Cache-Control": "max-age=300"})

    def _handle_token(self) -> Response:
        with self._lock:
            self.token_requests += 1
        form = request.form.to_dict()
        entry: dict[str, Any] = {"form": dict(form), "status": None, "error": None}
        with self._lock:
            self.token_log.append(entry)

        def fail(status: int, error: str, description: str) -> Response:
            entry.update(status=status, error=f"{error}: {description}")
            return _oauth_error(status, error, description)

        fault = self._inject_fault("token")
        if fault is not None:
            entry.update(status=fault.status_code, error="injected fault")
            return fault
        for required in ("grant_type", "client_assertion_type", "client_assertion", "scope"):
            if not form.get(required):
                return fail(400, "invalid_request", f"missing {required}")
        if form["grant_type"] != "client_credentials":
            return fail(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if form["client_assertion_type"] != CLIENT_ASSERTION_TYPE:
            return fail(400, "invalid_request", "client_assertion_type must be jwt-bearer")
        conf = self._conf()
        assertion = form["client_assertion"]
        try:
            claims = conf.tool_validate_and_decode(assertion)
        except (lib_exceptions.LtiException, lib_exceptions.InvalidKeySetUrl, jwt.PyJWTError, ValueError) as exc:
            return fail(401, "invalid_client", f"client assertion rejected: {exc}")
        with self._lock:
            client_id = self.client_id
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.token_url not in audiences:
            return fail(401, "invalid_client", f"aud {audience!r} is not the token endpoint")
        if claims.get("iss") != client_id or claims.get("sub") != client_id:
            return fail(401, "invalid_client", "iss and sub must both be the client_id")
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp <= time.time():
            return fail(401, "invalid_client", "exp missing or in the past")
        jti = claims.get("jti")
        if jti is not None:
            with self._lock:
                if jti in self._used_jtis:
                    return fail(401, "invalid_client", "jti already used")
                self._used_jtis.add(str(jti))
        try:
            token = conf.get_access_token(form)
        except (lib_exceptions.MissingRequiredClaim, lib_exceptions.UnsupportedGrantType) as exc:
            return fail(400, "invalid_request", str(exc) or type(exc).__name__)
        except (lib_exceptions.LtiException, jwt.PyJWTError) as exc:
            return fail(401, "invalid_client", str(exc))
        if not token["scope"]:
            return fail(400, "invalid_scope", "none of the requested scopes is supported")
        with self._lock:
            self._access_tokens[token["access_token"]] = _AccessToken(
                client_id=client_id,
                scopes=tuple(token["scope"].split(" ")),
                expires_at=time.time() + token["expires_in"],
            )
        entry.update(status=200, scope=token["scope"])
        return _json(dict(token), headers={"Cache-Control": "no-store"})

    def _check_bearer(self, allowed_scopes: Sequence[str]) -> Response | None:
        header = request.headers.get("Authorization", "")
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            return _oauth_error(401, "invalid_token", "missing bearer token")
        try:
            allowed = self._conf().validate_token(parts[1], list(allowed_scopes))
        except (lib_exceptions.LtiException, jwt.PyJWTError) as exc:
            return _oauth_error(401, "invalid_token", str(exc))
        if not allowed:
            return _oauth_error(403, "insufficient_scope", "token lacks " + " or ".join(allowed_scopes))
        return None

    def _check_service_query(self) -> Response | None:
        if not self.service_query:
            return None
        for key, value in parse_qsl(self.service_query):
            if request.args.get(key) != value:
                return _json({"error": f"missing query parameter {key}"}, 400)
        return None

    # ------------------------------------------------------------------ deep linking return

    def _handle_deep_link_return(self) -> Response:
        fault = self._inject_fault("deep_link_return")
        if fault is not None:
            return fault
        token = request.form.get("JWT", "")
        record = self._validate_deep_link_response(token)
        with self._lock:
            self.deep_link_responses.append(record)
        count = len(record["content_items"])
        if record["ok"]:
            return _html_page("Deep linking", f"Received {count} items")
        return _html_page("Deep linking rejected", "; ".join(record["errors"]), 400)

    def _validate_deep_link_response(self, token: str) -> dict[str, Any]:
        errors: list[str] = []
        record: dict[str, Any] = {
            "ok": False,
            "errors": errors,
            "claims": {},
            "header": {},
            "content_items": [],
            "jwt": token,
            "launch": None,
        }
        if not token:
            errors.append("no JWT form field")
            return record
        header = _decode_segment(token, 0)
        claims = _decode_segment(token, 1)
        if header is None or claims is None:
            errors.append("JWT is malformed")
            return record
        record["header"], record["claims"] = header, claims
        items = claims.get(CLAIM_DL_CONTENT_ITEMS, [])
        record["content_items"] = items if isinstance(items, list) else []

        with self._lock:
            dl_launches = [entry for entry in reversed(self.launches) if entry["message_type"] == DEEP_LINKING_REQUEST]
            client_id = self.client_id
        data = claims.get(CLAIM_DL_DATA)
        launch = next(
            (entry for entry in dl_launches if (entry["deep_linking_settings"] or {}).get("data") == data),
            None,
        )
        if launch is None:
            if dl_launches:
                errors.append("data claim does not match any deep linking request")
                launch = dl_launches[0]
            else:
                errors.append("no deep linking request was issued")
        record["launch"] = launch
        settings: dict[str, Any] = (launch or {}).get("deep_linking_settings") or {}

        conf = self._conf(launch["deployment_id"] if launch else None)
        accept_types = [str(kind) for kind in settings.get("accept_types") or []]
        conf.set_accepted_deeplinking_types(accept_types)
        try:
            conf.validate_deeplinking_resp({"JWT": token})
        except (
            lib_exceptions.LtiException,
            lib_exceptions.LtiDeepLinkingResponseException,
            lib_exceptions.InvalidKeySetUrl,
            jwt.PyJWTError,
            KeyError,
            TypeError,
        ) as exc:
            errors.append(f"lti1p3platform: {type(exc).__name__}: {exc}")

        if header.get("alg") != "RS256":
            errors.append(f"alg must be RS256, got {header.get('alg')!r}")
        kid = header.get("kid")
        if not kid:
            errors.append("no kid in the JWT header")
        else:
            try:
                tool_keys = conf.get_tool_key_set()
                jwk = next((key for key in tool_keys["keys"] if key.get("kid") == kid), None)
                if jwk is None:
                    errors.append(f"kid {kid!r} is not in the tool JWKS")
                else:
                    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
                    jwt.decode(
                        token,
                        cast(Any, public_key),
                        algorithms=["RS256"],
                        options={"verify_aud": False, "require": ["exp", "iat"]},
                    )
            except (lib_exceptions.LtiException, lib_exceptions.InvalidKeySetUrl) as exc:
                errors.append(f"tool JWKS unavailable: {exc}")
            except jwt.PyJWTError as exc:
                errors.append(f"signature/timestamps: {type(exc).__name__}: {exc}")
        if claims.get("iss") != client_id:
            errors.append(f"iss {claims.get('iss')!r} is not the client_id")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.issuer not in audiences:
            errors.append(f"aud {audience!r} does not contain the platform issuer")
        if launch is not None and claims.get(CLAIM_DEPLOYMENT_ID) != launch["deployment_id"]:
            errors.append(f"deployment_id {claims.get(CLAIM_DEPLOYMENT_ID)!r} is not the launch's")
        if not claims.get("nonce"):
            errors.append("no nonce")
        if claims.get(CLAIM_MESSAGE_TYPE) != DEEP_LINKING_RESPONSE:
            errors.append(f"message_type {claims.get(CLAIM_MESSAGE_TYPE)!r}")
        if claims.get(CLAIM_VERSION) != "1.3.0":
            errors.append(f"version {claims.get(CLAIM_VERSION)!r}")
        if not isinstance(items, list):
            errors.append("content_items is not a list")
        else:
            for item in items:
                kind = item.get("type") if isinstance(item, dict) else None
                if kind not in accept_types:
                    errors.append(f"content item type {kind!r} not in accept_types {accept_types}")
            if len(items) > 1 and settings.get("accept_multiple") is False:
                errors.append(f"{len(items)} items returned but accept_multiple is false")
        record["ok"] = not errors
        return record

    # ------------------------------------------------------------------ NRPS

    def _handle_nrps(self, context_id: str) -> Response:
        entry: dict[str, Any] = {
            "context_id": context_id,
            "url": request.url,
            "query": request.args.to_dict(),
            "accept": request.headers.get("Accept"),
            "authorization": request.headers.get("Authorization"),
            "status": None,
        }
        with self._lock:
            self.nrps_requests.append(entry)
        response = self._nrps_response(context_id)
        entry["status"] = response.status_code
        return response

    def _nrps_response(self, context_id: str) -> Response:
        fault = self._inject_fault("nrps")
        if fault is not None:
            return fault
        bad_query = self._check_service_query()
        if bad_query is not None:
            return bad_query
        denied = self._check_bearer([SCOPE_NRPS])
        if denied is not None:
            return denied
        if MEDIA_MEMBERSHIPS not in request.headers.get("Accept", ""):
            return _json({"error": f"Accept must be {MEDIA_MEMBERSHIPS}"}, 406)
        members = self.members(context_id)
        if members is None:
            return _json({"error": f"context {context_id} not found"}, 404)
        role = request.args.get("role")
        if role:
            members = [member for member in members if _role_matches(role, member.get("roles", []))]
        try:
            limit = int(request.args.get("limit", "100"))
            offset = int(request.args.get("from", "0"))
        except ValueError:
            return _json({"error": "limit and from must be integers"}, 400)
        if limit <= 0 or offset < 0:
            return _json({"error": "limit must be positive and from not negative"}, 400)
        page = members[offset : offset + limit]
        with self._lock:
            context = dict(self._contexts.get(context_id, {"id": context_id}))
        body = {"id": request.url, "context": context, "members": page}
        headers: dict[str, str] = {}
        if offset + limit < len(members):
            query = request.args.to_dict()
            query.update({"limit": str(limit), "from": str(offset + limit)})
            next_url = self.url + request.path + "?" + urlencode(query)
            headers["Link"] = f'<{next_url}>; rel="next"'
        return _json(body, content_type=MEDIA_MEMBERSHIPS, headers=headers)

    # ------------------------------------------------------------------ AGS

    def _store_lineitem(self, context_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            key = str(next(self._lineitem_counter))
            item_id = self._service_url(f"/ags/{context_id}/lineitems/{key}")
            item = {"id": item_id, **{k: v for k, v in data.items() if k != "id"}}
            self.lineitems[item_id] = item
            self._lineitem_context[item_id] = context_id
            self._lineitem_keys[item_id] = key
            return copy.deepcopy(item)

    def _lineitem_by_key(self, context_id: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            for item_id, item_key in self._lineitem_keys.items():
                if item_key == key and self._lineitem_context.get(item_id) == context_id:
                    return self.lineitems[item_id]
        return None

    def _context_known(self, context_id: str) -> bool:
        with self._lock:
            return context_id in self._contexts

    @staticmethod
    def _lineitem_errors(data: Any) -> str | None:
        if not isinstance(data, dict):
            return "line item must be a JSON object"
        if not isinstance(data.get("label"), str) or not data["label"].strip():
            return "label is required"
        maximum = data.get("scoreMaximum")
        if isinstance(maximum, bool) or not isinstance(maximum, (int, float)) or maximum <= 0:
            return "scoreMaximum must be a positive number"
        return None

    def _ags_preamble(self, fault_name: str, scopes: Sequence[str], context_id: str) -> Response | None:
        fault = self._inject_fault(fault_name)
        if fault is not None:
            return fault
        bad_query = self._check_service_query()
        if bad_query is not None:
            return bad_query
        denied = self._check_bearer(scopes)
        if denied is not None:
            return denied
        if not self._context_known(context_id):
            return _json({"error": f"context {context_id} not found"}, 404)
        return None

    def _handle_lineitems(self, context_id: str) -> Response:
        if request.method == "POST":
            early = self._ags_preamble("lineitems", [SCOPE_LINEITEM], context_id)
            if early is not None:
                return early
            if request.mimetype != MEDIA_LINEITEM:
                return _json({"error": f"Content-Type must be {MEDIA_LINEITEM}"}, 400)
            data = request.get_json(silent=True, force=True)
            problem = self._lineitem_errors(data)
            if problem:
                return _json({"error": problem}, 400)
            item = self._store_lineitem(context_id, cast(dict[str, Any], data))
            return _json(item, 201, content_type=MEDIA_LINEITEM)
        early = self._ags_preamble("lineitems", [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY], context_id)
        if early is not None:
            return early
        with self._lock:
            items = [
                copy.deepcopy(item)
                for item_id, item in self.lineitems.items()
                if self._lineitem_context.get(item_id) == context_id
            ]
        filters = {"resource_id": "resourceId", "resource_link_id": "resourceLinkId", "tag": "tag"}
        for param, attribute in filters.items():
            wanted = request.args.get(param)
            if wanted is not None:
                items = [item for item in items if item.get(attribute) == wanted]
        try:
            limit = int(request.args.get("limit", "0")) or len(items) or 1
            offset = int(request.args.get("from", "0"))
        except ValueError:
            return _json({"error": "limit and from must be integers"}, 400)
        page = items[offset : offset + limit]
        headers: dict[str, str] = {}
        if offset + limit < len(items):
            query = request.args.to_dict()
            query.update({"limit": str(limit), "from": str(offset + limit)})
            headers["Link"] = f'<{self.url + request.path}?{urlencode(query)}>; rel="next"'
        return _json(page, content_type=MEDIA_LINEITEMS, headers=headers)

    def _handle_lineitem(self, context_id: str, item_id: str) -> Response:
        scopes = [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY] if request.method == "GET" else [SCOPE_LINEITEM]
        early = self._ags_preamble("lineitems", scopes, context_id)
        if early is not None:
            return early
        item = self._lineitem_by_key(context_id, item_id)
        if item is None:
            return _json({"error": "line item not found"}, 404)
        if request.method == "GET":
            with self._lock:
                return _json(copy.deepcopy(item), content_type=MEDIA_LINEITEM)
        if request.method == "DELETE":
            with self._lock:
                url = item["id"]
                self.lineitems.pop(url, None)
                self._lineitem_context.pop(url, None)
                self._lineitem_keys.pop(url, None)
            return Response(status=204)
        if request.mimetype != MEDIA_LINEITEM:
            return _json({"error": f"Content-Type must be {MEDIA_LINEITEM}"}, 400)
        data = request.get_json(silent=True, force=True)
        problem = self._lineitem_errors(data)
        if problem:
            return _json({"error": problem}, 400)
        with self._lock:
            url = item["id"]
            fields = cast(dict[str, Any], data)
            replaced = {"id": url, **{k: v for k, v in fields.items() if k != "id"}}
            self.lineitems[url] = replaced
            return _json(copy.deepcopy(replaced), content_type=MEDIA_LINEITEM)

    def _handle_scores(self, context_id: str, item_id: str) -> Response:
        entry: dict[str, Any] = {"context_id": context_id, "lineitem_key": item_id, "status": None}
        with self._lock:
            self.score_requests.append(entry)
        response = self._score_response(context_id, item_id, entry)
        entry["status"] = response.status_code
        return response

    def _score_response(self, context_id: str, item_id: str, entry: dict[str, Any]) -> Response:
        early = self._ags_preamble("scores", [SCOPE_SCORE], context_id)
        if early is not None:
            return early
        item = self._lineitem_by_key(context_id, item_id)
        if item is None:
            return _json({"error": "line item not found"}, 404)
        if request.mimetype != MEDIA_SCORE:
            return _json({"error": f"Content-Type must be {MEDIA_SCORE}"}, 400)
        score = request.get_json(silent=True, force=True)
        entry["body"] = copy.deepcopy(score)
        problem = self._score_problem(context_id, score)
        if problem:
            entry["error"] = problem
            return _json({"error": f"Incorrect score received: {problem}"}, 400)
        assert isinstance(score, dict)
        timestamp = cast(datetime, parse_iso8601(score["timestamp"]))
        lineitem_url = item["id"]
        user_id = str(score["userId"])
        with self._lock:
            previous = [
                stored
                for stored in self.scores
                if stored["lineitem"] == lineitem_url and str(stored["userId"]) == user_id
            ]
            if previous and previous[-1]["parsed_timestamp"] >= timestamp:
                message = f"Refusing score with an earlier timestamp for item {item_id} and user {user_id}"
                entry["error"] = message
                return _json({"error": message}, 409)
            stored = copy.deepcopy(score)
            stored.setdefault("scoreMaximum", 1)
            fully_graded = score["gradingProgress"] == GradeProgress.FULLYGRADED.value
            stored.update(
                lineitem=lineitem_url,
                lineitem_key=item_id,
                context_id=context_id,
                parsed_timestamp=timestamp,
                effective_score=score.get("scoreGiven") if fully_graded else None,
                received_at=datetime.now(timezone.utc).isoformat(),
            )
            self.scores.append(stored)
        return Response(status=200)

    def _score_problem(self, context_id: str, score: Any) -> str | None:
        if not isinstance(score, dict):
            return "score must be a JSON object"
        for required in ("userId", "timestamp", "activityProgress", "gradingProgress"):
            if score.get(required) in (None, ""):
                return f"{required} is required"
        if parse_iso8601(score["timestamp"]) is None:
            return "timestamp must be ISO 8601 with a timezone"
        if score["activityProgress"] not in {progress.value for progress in ActivityProgress}:
            return f"unknown activityProgress {score['activityProgress']!r}"
        if score["gradingProgress"] not in {progress.value for progress in GradeProgress}:
            return f"unknown gradingProgress {score['gradingProgress']!r}"
        for number in ("scoreGiven", "scoreMaximum"):
            value = score.get(number)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                return f"{number} must be a number"
        roster = self.members(context_id)
        if roster is not None and str(score["userId"]) not in {str(member["user_id"]) for member in roster}:
            return f"user {score['userId']} is not enrolled in {context_id}"
        return None

    def _handle_results(self, context_id: str, item_id: str) -> Response:
        early = self._ags_preamble("results", [SCOPE_RESULT_READONLY], context_id)
        if early is not None:
            return early
        item = self._lineitem_by_key(context_id, item_id)
        if item is None:
            return _json({"error": "line item not found"}, 404)
        wanted_user = request.args.get("user_id")
        latest: dict[str, dict[str, Any]] = {}
        with self._lock:
            for stored in self.scores:
                if stored["lineitem"] == item["id"]:
                    latest[str(stored["userId"])] = stored
        base = item["id"].split("?", 1)[0]
        results = []
        for user_id, stored in latest.items():
            if wanted_user is not None and user_id != wanted_user:
                continue
            result: dict[str, Any] = {
                "id": f"{base}/results/{user_id}",
                "scoreOf": item["id"],
                "userId": user_id,
                "resultMaximum": stored.get("scoreMaximum", 1),
            }
            if stored.get("effective_score") is not None:
                result["resultScore"] = stored["effective_score"]
            if stored.get("comment"):
                result["comment"] = stored["comment"]
            results.append(result)
        return _json(results, content_type=MEDIA_RESULTS)

    # ------------------------------------------------------------------ dynamic registration

    def openid_configuration(self) -> dict[str, Any]:
        """What ``/.well-known/openid-configuration`` serves (Moodle 4.5 shape)."""
        return {
            "issuer": self.issuer,
            "token_endpoint": self.token_url,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": self.jwks_url,
            "authorization_endpoint": self.auth_url,
            "registration_endpoint": self.registration_url,
            "scopes_supported": [*MOODLE_AGS_SCOPES, SCOPE_NRPS, SCOPE_TOOL_SETTING, "openid"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            PLATFORM_CONFIGURATION: {
                "product_family_code": "moodle",
                "version": MOODLE_RELEASE,
                "messages_supported": [{"type": RESOURCE_LINK_REQUEST}, {"type": DEEP_LINKING_REQUEST}],
                "placements": ["AddContentMenu"],
                "variables": list(MOODLE_VARIABLES),
            },
        }

    def _handle_openid_configuration(self) -> Response:
        return _json(self.openid_configuration())

    def _handle_register(self) -> Response:
        fault = self._inject_fault("register")
        if fault is not None:
            return fault
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _json({"error": "missing_registration_token"}, 401)
        token = header[len("Bearer ") :].strip()
        with self._lock:
            token_info = self._registration_tokens.get(token)
        if token_info is None or not self._registration_token_signed(token):
            return _json({"error": "invalid_registration_token"}, 401)
        if token_info["used"]:
            return _json({"error": "token_already_used"}, 401)
        payload = request.get_json(silent=True, force=True)
        if not isinstance(payload, dict):
            return _json({"error": "invalid_request", "error_description": "body must be a JSON object"}, 400)
        problem = self._registration_problem(payload)
        if problem is not None:
            code, description = problem
            return _json({"error": code, "error_description": description}, 400)
        with self._lock:
            if token_info["used"]:
                return _json({"error": "token_already_used"}, 401)
            token_info["used"] = True
            client_id = token_info["client_id"]
            deployment_id = str(next(self._deployment_counter))
        supported = set(self.openid_configuration()["scopes_supported"])
        requested = str(payload.get("scope") or "").split()
        granted = " ".join(scope for scope in requested if scope in supported)
        answer = copy.deepcopy(payload)
        answer["client_id"] = client_id
        answer["scope"] = granted
        tool_conf = dict(answer[TOOL_CONFIGURATION])
        tool_conf["deployment_id"] = deployment_id
        tool_conf.setdefault("target_link_uri", "https://" + tool_conf["domain"])
        answer[TOOL_CONFIGURATION] = tool_conf
        with self._lock:
            self.registrations[client_id] = {
                "client_id": client_id,
                "deployment_id": deployment_id,
                "request": copy.deepcopy(payload),
                "response": copy.deepcopy(answer),
                "state": "pending",
            }
        return _json(answer)

    def _registration_token_signed(self, token: str) -> bool:
        with self._lock:
            keys = list(self._keys)
        for key in keys:
            try:
                jwt.decode(token, key.public_pem, algorithms=["RS256"])
                return True
            except jwt.PyJWTError:
                continue
        return False

    @staticmethod
    def _registration_problem(payload: Mapping[str, Any]) -> tuple[str, str] | None:
        """Moodle's ``registration_to_config`` checks, plus grant types and login-URI domain."""
        for required in (
            "response_types",
            "initiate_login_uri",
            "redirect_uris",
            "client_name",
            "jwks_uri",
            "token_endpoint_auth_method",
            TOOL_CONFIGURATION,
        ):
            if not payload.get(required):
                return "missing_required_attribute", f"missing required attribute {required}"
        tool_conf = payload[TOOL_CONFIGURATION]
        if not isinstance(tool_conf, dict):
            return "invalid_tool_configuration", f"{TOOL_CONFIGURATION} must be an object"
        domain = tool_conf.get("domain")
        if not domain or not isinstance(domain, str):
            return "missing_domain", "the tool configuration needs a domain"
        target_link_uri = tool_conf.get("target_link_uri") or "https://" + domain
        if _domain_of(domain) != _domain_of(str(target_link_uri)):
            return "domain_targetlinkuri_mismatch", f"{domain} vs {target_link_uri}"
        if _domain_of(domain) != _domain_of(str(payload["initiate_login_uri"])):
            return "domain_initiateloginuri_mismatch", f"{domain} vs {payload['initiate_login_uri']}"
        response_types = payload["response_types"]
        if not isinstance(response_types, list) or "id_token" not in response_types:
            return "invalid_response_types", "response_types must contain id_token"
        if not isinstance(payload["redirect_uris"], list):
            return "invalid_redirect_uris", "redirect_uris must be an array"
        if payload["token_endpoint_auth_method"] != "private_key_jwt":
            return "invalid_token_endpoint_auth_method", "token_endpoint_auth_method must be private_key_jwt"
        application_type = payload.get("application_type")
        if application_type and application_type != "web":
            return "invalid_application_type", "application_type must be web"
        grant_types = payload.get("grant_types")
        if not isinstance(grant_types, list) or not {"implicit", "client_credentials"} <= set(grant_types):
            return "invalid_grant_types", "grant_types must contain implicit and client_credentials"
        return None
