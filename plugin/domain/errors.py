"""The few exceptions the core raises; the adapters (web, lti, cli) map them to pages, HTTP codes and exit codes."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the core raises on purpose."""


class RuleViolation(DomainError):
    """The input breaks a rule; ``field`` names what to correct (None when it is not one field)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The actor may not do this (HTTP 403)."""


class NotFound(DomainError):
    """The thing asked for does not exist for this actor (HTTP 404); also used to hide other organisations' data."""
