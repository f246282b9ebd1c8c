"""What the core needs from outside, as protocols; adapters implement them."""

from __future__ import annotations

from typing import Protocol


class Store(Protocol):
    """A key/value store with expiry shared by every worker (Redis, or the database)."""

    def set(self, key: str, value: str, ttl: int) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds, replacing any earlier value."""

    def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""

    def take(self, key: str) -> str | None:
        """Remove and return the value atomically: of two concurrent takers only one gets it."""

    def add(self, key: str, value: str, ttl: int) -> bool:
        """Store only when the key is absent; True when this call stored it."""
