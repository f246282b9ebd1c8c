"""Platform key sets: cached as long as the platform's cache headers allow, re-fetched once on an unknown kid."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

DEFAULT_MAX_AGE = 300
MAX_MAX_AGE = 24 * 3600
#: an unknown kid triggers one re-fetch; the same unknown kid again only after this many seconds (no fetch storms)
MISS_MEMORY = 60.0


class KeySetError(Exception):
    """The key set could not be fetched or has no key for the token."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass
class _Entry:
    #: kid -> public key object (converted once per fetch, not per launch)
    keys: dict[str, Any]
    expires_at: float
    fetched_at: float


def max_age(headers: Any) -> int:
    """Seconds a response may be cached by its Cache-Control (no-cache/no-store give 0)."""
    value = headers.get("Cache-Control", "") or ""
    lowered = value.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return 0
    match = re.search(r"max-age\s*=\s*(\d+)", lowered)
    if match:
        return min(int(match.group(1)), MAX_MAX_AGE)
    return DEFAULT_MAX_AGE


class PlatformKeys:
    """In-process cache of platform JWKS by URL; thread-safe."""

    def __init__(self, http: requests.Session) -> None:
        self._http = http
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._misses: dict[tuple[str, str], float] = {}
        self.fetches = 0

    def _fetch(self, url: str) -> _Entry:
        try:
            resp = self._http.get(url)
            resp.raise_for_status()
            data = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise KeySetError("jwks_unavailable", f"cannot fetch platform keys from {url}: {exc}") from None
        keys = {}
        for jwk in data.get("keys", []) if isinstance(data, dict) else []:
            if isinstance(jwk, dict) and jwk.get("kid") and jwk.get("kty") == "RSA" and jwk.get("alg", "RS256") == "RS256":
                try:
                    keys[jwk["kid"]] = RSAAlgorithm.from_jwk(jwk)
                except (InvalidKeyError, ValueError, TypeError, KeyError):
                    continue  # an unusable key is as good as an absent one

        now = time.monotonic()
        entry = _Entry(keys=keys, expires_at=now + max_age(resp.headers), fetched_at=now)
        with self._lock:
            self.fetches += 1
            self._entries[url] = entry
        return entry

    def key(self, url: str, kid: str) -> Any:
        """The RSA public key with ``kid`` from the key set at ``url``.

        Raises:
            KeySetError: the set cannot be fetched, or has no such kid even after one re-fetch.
        """
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(url)
        if entry is None or entry.expires_at <= now:
            entry = self._fetch(url)
        elif kid not in entry.keys and now - self._misses.get((url, kid), -MISS_MEMORY) >= MISS_MEMORY:
            # Rotation publishes new keys under new kids: look once more before refusing.
            entry = self._fetch(url)
        try:
            return entry.keys[kid]
        except KeyError:
            with self._lock:
                if len(self._misses) > 1000:
                    self._misses.clear()
                self._misses[(url, kid)] = now
            raise KeySetError("unknown_kid", f"no key with kid {kid!r} in {url}") from None
