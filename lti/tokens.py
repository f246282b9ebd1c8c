"""Compact RS256 id_token verification.

PyJWT 2.15 checks every base64url character of every segment in a Python generator, which costs
about as much as the rest of a launch; this verifies the same things with one pass: RS256 only,
a signature by the platform key named by ``kid``, and the registered claims Tandem requires
(``exp`` and ``iat`` within the leeway, ``iss``, ``nonce``).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class TokenError(Exception):
    """The token is refused; ``reason`` is the launch rejection code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _b64decode(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("bad_token", "id_token segment is not base64url") from None


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, payload, signing input, signature) of a compact JWS, unverified.

    Raises:
        TokenError: not three segments, or not JSON objects.
    """
    if not isinstance(token, str) or token.count(".") != 2:
        raise TokenError("bad_token", "id_token is not a JWT (three dot-separated parts)")
    head, body, sig = token.split(".")
    try:
        header = json.loads(_b64decode(head))
        payload = json.loads(_b64decode(body))
    except ValueError:
        raise TokenError("bad_token", "id_token header or payload is not JSON") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise TokenError("bad_token", "id_token header or payload is not a JSON object")
    return header, payload, f"{head}.{body}".encode("ascii"), _b64decode(sig)


def verify(signing_input: bytes, signature: bytes, key: rsa.RSAPublicKey) -> None:
    """Check an RS256 signature.

    Raises:
        TokenError: the signature does not verify with ``key``.
    """
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise TokenError("bad_signature", "id_token signature does not verify") from None


def check_claims(payload: dict[str, Any], *, issuer: str, leeway: int, now: float | None = None) -> None:
    """Registered claims: ``exp``, ``iat``, ``iss``, ``nonce`` present; times within ``leeway`` seconds.

    Raises:
        TokenError: a claim is missing, malformed or out of its window.
    """
    now = time.time() if now is None else now
    for claim in ("exp", "iat", "iss", "nonce"):
        if claim not in payload:
            raise TokenError("missing_claim", f"id_token lacks {claim}")
    exp, iat = payload["exp"], payload["iat"]
    if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)) or isinstance(exp, bool) or isinstance(iat, bool):
        raise TokenError("bad_timestamps", "exp and iat must be numbers")
    if exp <= now - leeway:
        raise TokenError("expired", "id_token has expired")
    if iat > now + leeway:
        raise TokenError("bad_timestamps", "id_token is issued in the future")
    if payload["iss"] != issuer:
        raise TokenError("wrong_issuer", "id_token issuer differs from the login's")
