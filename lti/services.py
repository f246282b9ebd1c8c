"""Calls from Tandem to the platform's services (AGS, NRPS) go through this connector.

pylti1p3next 2.0.2's ``FlaskServiceConnector`` caches access tokens in a class-level dict keyed
by issuer and scopes only, so two registrations on one issuer (every Canvas Cloud customer)
would share a token. Here the key is (issuer, client_id, scopes), and every call has Tandem's
timeout and User-Agent.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable

import requests
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector

#: tokens are refreshed this many seconds before the platform says they expire
EXPIRY_MARGIN = 30


class TokenCache:
    """Access tokens by (issuer, client_id, scopes), shared by the connectors of one process."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            hit = self._tokens.get(key)
        if hit and hit[1] > time.monotonic():
            return hit[0]
        return None

    def put(self, key: str, token: str, expires_in: float) -> None:
        with self._lock:
            self._tokens[key] = (token, time.monotonic() + max(0.0, float(expires_in) - EXPIRY_MARGIN))

    def forget(self, key: str) -> None:
        with self._lock:
            self._tokens.pop(key, None)


class TandemServiceConnector(ServiceConnector):
    """A pylti1p3 service connector with a correct, tenant-safe token cache."""

    def __init__(self, registration: Registration, http: requests.Session, cache: TokenCache) -> None:
        super().__init__(registration, http)
        self._cache = cache

    def _scope_key(self, scopes: Iterable[str]) -> str:
        parts = [self._registration.get_issuer() or "", self._registration.get_client_id() or "", *sorted(scopes)]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        return self._cache.get(scope_key)

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        self._cache.put(scope_key, access_token, expires_in)
