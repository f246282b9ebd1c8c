"""The JOSE side of credentials: Open Badges 3.0 credentials signed as VC-JWTs (RS256) with Tandem's keys.

The core hands a payload and a key here and gets a compact JWS back; verification checks the signature
against the published keys (the tool's JWKS) by the token's ``kid``. The services see only
:class:`plugin.services.credentials.Signer`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from plugin.services.credentials import BadSignature
from plugin.services.keys import KeyInfo

#: VC-JOSE-COSE: a credential secured as a JWT
HEADER = {"typ": "vc+jwt", "cty": "vc"}


class JoseSigner:
    """Signs and verifies VC-JWTs with PyJWT (RS256 only)."""

    def sign(self, claims: dict[str, Any], key: KeyInfo) -> str:
        return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={**HEADER, "kid": key.kid})

    def verify(self, token: str, public_jwks: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """The payload of ``token`` when a published key with its ``kid`` verifies it.

        :raise BadSignature: malformed, another algorithm, an unknown kid, or a signature that does not match.
        """
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise BadSignature(f"not a compact JWS: {exc}") from None
        if header.get("alg") != "RS256":
            raise BadSignature("only RS256 is accepted")
        jwk = next((k for k in public_jwks if k.get("kid") == header.get("kid")), None)
        if jwk is None:
            raise BadSignature("no published key has this kid")
        try:
            public = RSAAlgorithm.from_jwk(json.dumps(jwk))
            return jwt.decode(token, public, algorithms=["RS256"], options={"verify_aud": False, "verify_exp": True, "verify_nbf": False})
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise BadSignature(f"the signature does not verify: {exc}") from None


signer = JoseSigner()
