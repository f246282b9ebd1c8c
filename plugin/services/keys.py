"""Tandem's own signing keys: created on first need, rotated on demand, published while not retired."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.orm import Session

from plugin.models import ToolKey


@dataclass(frozen=True)
class KeyInfo:
    """A key pair: the private key signs, the public JWK is published."""

    kid: str
    private_pem: str
    public_jwk: dict
    created_at: datetime


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    jwk = {"kty": "RSA", "e": _b64(numbers.e), "n": _b64(numbers.n)}
    thumbprint = hashlib.sha256(json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()).digest()
    kid = base64.urlsafe_b64encode(thumbprint).rstrip(b"=").decode()
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return ToolKey(kid=kid, private_pem=pem, public_jwk=json.dumps(jwk))


def _info(key: ToolKey) -> KeyInfo:
    return KeyInfo(key.kid, key.private_pem, json.loads(key.public_jwk), key.created_at)


def active_keys(session: Session) -> list[KeyInfo]:
    """Every key not retired, newest first; creates the first key when there is none."""
    keys = session.scalars(
        sa.select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc())
    ).all()
    if not keys:
        key = _new_key()
        session.add(key)
        session.flush()
        keys = [key]
    return [_info(k) for k in keys]


def signing_key(session: Session) -> KeyInfo:
    """The newest active key: the one Tandem signs with."""
    return active_keys(session)[0]


def rotate(session: Session, retire_after: timedelta = timedelta(days=2)) -> tuple[KeyInfo, list[str]]:
    """Make a new signing key; retire keys that were superseded more than ``retire_after`` ago.

    The previous key stays published so platforms that cached it keep verifying what it signed.
    Returns the new key and the kids retired now.
    """
    now = datetime.now(timezone.utc)
    previous = session.scalars(
        sa.select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc())
    ).all()
    retired = []
    # A key superseded by a key older than retire_after has been out of use long enough.
    for newer, older in zip(previous, previous[1:], strict=False):
        created = newer.created_at if newer.created_at.tzinfo else newer.created_at.replace(tzinfo=timezone.utc)
        if now - created >= retire_after:
            older.retired_at = now
            retired.append(older.kid)
    key = _new_key()
    session.add(key)
    session.flush()
    return _info(key), retired


def retire(session: Session, kid: str) -> bool:
    """Stop publishing and using the key ``kid``; refuses to retire the only active key."""
    active = session.scalars(sa.select(ToolKey).where(ToolKey.retired_at.is_(None))).all()
    target = next((k for k in active if k.kid == kid), None)
    if target is None or len(active) == 1:
        return False
    target.retired_at = datetime.now(timezone.utc)
    session.flush()
    return True
