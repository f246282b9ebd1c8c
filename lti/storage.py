"""LTI platform storage: the OIDC state kept in the platform's window when the browser refuses cookies.

The LTI Client Side postMessages specification (1EdTech, ``lti.capabilities``, ``lti.put_data``,
``lti.get_data``) lets a tool in an iframe store small values in the platform's page. A platform that
supports it sends ``lti_storage_target`` (the frame to talk to: ``_parent`` or a window name such as
Canvas' ``post_message_forwarding``) with the login initiation. Then:

1. Login: besides the state cookie, Tandem answers with a tiny page (``lti/storage_login.html``)
   whose script (``static/js/lti-storage.js``) puts ``state_<state>`` and ``nonce_<nonce>`` into the
   platform's storage, targetOrigin the platform's OIDC origin, and then goes on to the platform's
   authorisation endpoint.
2. Launch: when the state cookie came back, nothing changes. When it did not and the login used
   platform storage, the id_token is checked first without using its nonce (at most MAX_ID_TOKEN
   characters; signed by the platform's key; ``iss``, ``aud``, ``exp`` and ``iat`` right; the nonce the
   state's), and one state gets one ticket at most: only then are the id_token and state kept
   server-side under a one-time ticket for TICKET_TTL seconds, so a stranger with a state cannot fill
   the store. The answer is a page (``lti/storage_launch.html``) that asks the platform for both values
   with ``lti.get_data`` and posts them, with the ticket, back to the launch URL.
3. Completion: the ticket is taken (atomically, once); the values the browser sends must equal the
   server's record (state of the ticket, nonce signed into the state), and the post must come from
   Tandem's own page (``Origin``), so a page elsewhere cannot log a browser in with someone else's
   launch. Then the id_token goes through every usual check, its nonce used once.

Without platform storage (or when it fails) the cookie-blocked page with the new-window fallback stays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Request, Response, make_response, render_template

from lti import tokens
from lti.context import log_event
from lti.jwks import KeySetError
from lti.oidc import STATE_TTL, LaunchRejected, LoginRedirect, OidcFlow, ValidatedLaunch
from plugin.services.platforms import RegistrationInfo

#: seconds an id_token waits server-side for the browser's answer from platform storage
TICKET_TTL = 120
TICKET_PREFIX = "lti-storage:"
#: one ticket per state: the key is added (atomically, first caller only) for the state's lifetime
STATE_TICKET_PREFIX = "lti-storage-state:"
#: characters of an id_token kept for the bridging page (a platform's id_token is a few KB)
MAX_ID_TOKEN = 16 * 1024
#: fields of the completion post (the bridging page's form)
TICKET_FIELD = "lti_storage_ticket"
STATE_FIELD = "lti_storage_state"
NONCE_FIELD = "lti_storage_nonce"
ERROR_FIELD = "lti_storage_error"


#: the port a scheme implies: an origin names it never (a browser's ``Origin`` header and ``event.origin`` leave it out)
DEFAULT_PORTS = {"https": 443, "http": 80}


def _origin(url: str) -> str:
    """``scheme://host[:port]`` in lower case, without the scheme's default port (``https://host:443`` is ``https://host``)."""
    parts = urlsplit(url.strip())
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower().rsplit("@", 1)[-1]
    try:
        port = parts.port
    except ValueError:  # not a port: compared as written
        return f"{scheme}://{netloc}"
    if port is not None and port == DEFAULT_PORTS.get(scheme):
        netloc = netloc.rsplit(":", 1)[0]
    return f"{scheme}://{netloc}"


def state_key(state: str) -> str:
    """The platform-storage key of a login's state (the spec's ``state_<state>``)."""
    return "state_" + state


def nonce_key(nonce: str) -> str:
    """The platform-storage key of a login's nonce (``nonce_<nonce>``)."""
    return "nonce_" + nonce


@dataclass(frozen=True)
class StorageBridge:
    """What the launch's bridging page needs to ask the platform for the login's values."""

    ticket: str
    state: str
    nonce: str
    target: str
    platform_origin: str


class NeedsPlatformStorage(Exception):
    """The state cookie did not come back, but the login kept the state in platform storage too."""

    def __init__(self, bridge: StorageBridge) -> None:
        super().__init__("state cookie missing; asking platform storage")
        self.bridge = bridge


# -- step 1: login ------------------------------------------------------------------------------
def login_response(target: LoginRedirect, params: Mapping[str, str], flow: OidcFlow) -> Response | None:
    """The storing page for a login whose platform offered storage; None: the plain redirect will do."""
    if not params.get("lti_storage_target"):
        return None
    record = flow.open_state(target.state)
    frame = record.get("storage")
    if not frame:
        return None
    nonce = parse_qs(urlsplit(target.url).query).get("nonce", [""])[0]
    body = render_template(
        "lti/storage_login.html",
        auth_url=target.url,
        platform_origin=_origin(target.url),
        target=frame,
        state_key=state_key(target.state),
        state=target.state,
        nonce_key=nonce_key(nonce),
        nonce=nonce,
    )
    response = make_response(body, 200)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- step 2 and 3: launch -----------------------------------------------------------------------
def validate(flow: OidcFlow, request: Request, tool_origin: str) -> ValidatedLaunch:
    """Validate a launch post: the platform's (id_token, state) or the bridging page's completion.

    Raises:
        NeedsPlatformStorage: no state cookie, and the login stored the state in the platform.
        LaunchRejected: with the first reason found.
    """
    form, cookies = request.form, request.cookies
    if TICKET_FIELD in form:
        return _complete(flow, request, tool_origin)
    try:
        return flow.validate(form, cookies)
    except LaunchRejected as exc:
        if exc.reason != "cookies_blocked":
            raise
        state, token = form["state"], form["id_token"]
        record = flow.open_state(state)
        reg = flow.registrations.get(record["iss"], record["client_id"])
        if not record.get("storage") or reg is None:
            raise
        _check_unused(flow, record, reg, token)
        if not flow.store.add(state_ticket_key(state), "1", STATE_TTL):
            raise LaunchRejected("state_unknown", "this launch already has a platform-storage ticket") from None
        ticket = secrets.token_urlsafe(24)
        flow.store.set(TICKET_PREFIX + ticket, json.dumps({"id_token": token, "state": state}), TICKET_TTL)
        log_event("lti.launch_storage_asked", iss=record["iss"], client_id=record["client_id"], target=record["storage"])
        raise NeedsPlatformStorage(
            StorageBridge(ticket, state, record["nonce"], record["storage"], _origin(reg.auth_login_url))
        ) from None


def state_ticket_key(state: str) -> str:
    """The store key that allows one ticket per state (``lti-storage-state:<sha256 of the state>``: a state is longer
    than a store key may be)."""
    return STATE_TICKET_PREFIX + hashlib.sha256(state.encode()).hexdigest()


def _check_unused(flow: OidcFlow, record: Mapping[str, Any], reg: RegistrationInfo, token: str) -> None:
    """The checks of an id_token that need no nonce use: size, RS256 signature by the platform's key, the registered
    claims, the audience and the login's nonce. The full validation (nonce used once) runs at completion.

    Raises:
        LaunchRejected: with the first reason found.
    """
    if len(token) > MAX_ID_TOKEN:
        raise LaunchRejected("id_token_too_large", f"id_token of {len(token)} characters (at most {MAX_ID_TOKEN})")
    try:
        header, unverified, signing_input, signature = tokens.split(token)
        if header.get("alg") != "RS256":
            raise LaunchRejected("bad_alg", f"id_token algorithm {header.get('alg')!r} is not RS256")
        if not header.get("kid"):
            raise LaunchRejected("no_kid", "id_token header has no kid")
        if unverified.get("iss") != record["iss"]:
            raise LaunchRejected("wrong_issuer", "id_token issuer differs from the login's")
        try:
            key = flow.keys.key(reg.key_set_url, header["kid"])
        except KeySetError as exc:
            raise LaunchRejected(exc.reason, str(exc)) from None
        tokens.verify(signing_input, signature, key)
        tokens.check_claims(unverified, issuer=reg.issuer, leeway=flow.leeway)
    except tokens.TokenError as exc:
        raise LaunchRejected(exc.reason, str(exc)) from None
    aud = unverified.get("aud")
    if reg.client_id not in (aud if isinstance(aud, list) else [aud]):
        raise LaunchRejected("bad_audience", f"id_token audience {aud!r} does not include our client id")
    if not isinstance(unverified.get("nonce"), str) or not hmac.compare_digest(unverified["nonce"].encode(), record["nonce"].encode()):
        raise LaunchRejected("nonce_mismatch", "nonce differs from the one sent at login")


def _same_origin(request: Request, tool_origin: str) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        referrer = request.headers.get("Referer")
        origin = _origin(referrer) if referrer else None
    return origin is not None and _origin(origin) == _origin(tool_origin)


def _complete(flow: OidcFlow, request: Request, tool_origin: str) -> ValidatedLaunch:
    form = request.form
    if not _same_origin(request, tool_origin):
        raise LaunchRejected("storage_forged", "platform-storage answer not posted by Tandem's own page", status=403)
    kept = flow.store.take(TICKET_PREFIX + form.get(TICKET_FIELD, ""))
    if kept is None:
        raise LaunchRejected("state_unknown", "platform-storage ticket unknown, expired or already used")
    launch: dict[str, Any] = json.loads(kept)
    record = flow.open_state(launch["state"])
    error = next((value for value in form.getlist(ERROR_FIELD) if value), "")
    if error:
        raise LaunchRejected(
            "cookies_blocked",
            f"platform storage answered {error[:64]!r}",
            status=403,
            retry=record.get("login"),
        )
    state_ok = hmac.compare_digest(form.get(STATE_FIELD, "").encode(), launch["state"].encode())
    nonce_ok = hmac.compare_digest(form.get(NONCE_FIELD, "").encode(), record["nonce"].encode())
    if not (state_ok and nonce_ok):
        raise LaunchRejected("storage_mismatch", "platform storage holds another login's state", status=403)
    return flow.validate(launch, {}, bound=True)


def launch_page(bridge: StorageBridge, launch_url: str) -> Response:
    """The page that asks the platform's storage for the login's state and nonce, then posts them here."""
    body = render_template(
        "lti/storage_launch.html",
        bridge=bridge,
        launch_url=launch_url,
        state_key=state_key(bridge.state),
        nonce_key=nonce_key(bridge.nonce),
        fields={"ticket": TICKET_FIELD, "state": STATE_FIELD, "nonce": NONCE_FIELD, "error": ERROR_FIELD},
    )
    response = make_response(body, 200)
    response.headers["Cache-Control"] = "no-store"
    return response
