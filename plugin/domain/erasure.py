"""GDPR erasure and retention: the rules (pure Python).

Erasure keeps the sign-off hash chain verifiable: records are append-only and hash only ids, slugs,
timestamps and payloads, so an erased person keeps their numeric id (their ``Person`` row stays as a
stub whose name is :data:`ERASED_NAME`). The payload comments of sign-offs are kept as they were written:
a sign-off's comment is about the *other* person's learning (the teacher comments on the learner's work)
and is part of that person's record; changing it would break the chain and erase the partner's evidence
of learning. No erasure record is appended to the chain (that would need a new ``Kind``): the erasure is
recorded in the erasure audit instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from plugin.domain.errors import RuleViolation

#: what an erased person's ``Person.name`` becomes; pages show it translated ("erased participant")
ERASED_NAME = "Erased participant"
#: the prefix of an erased person's LTI subject (the rest is random): a new launch starts a new account
ERASED_SUBJECT_PREFIX = "erased:"
GRACE_DEFAULT = 14
GRACE_MAX = 90
RETENTION_MIN = 30
RETENTION_MAX = 3650


@dataclass(frozen=True)
class Settings:
    """An organisation's grace period (days) and retention period (days after a programme's last activity)."""

    grace_days: int = GRACE_DEFAULT
    retention_days: int | None = None


def settings(grace_days: int | None, retention_days: int | None) -> Settings:
    """Checked settings.

    Raises:
        RuleViolation: the grace period is not 0-90 days, or the retention period is not 30-3650 days.
    """
    if grace_days is None or not 0 <= grace_days <= GRACE_MAX:
        raise RuleViolation(f"The grace period is 0 to {GRACE_MAX} days.", "grace_days")
    if retention_days is not None and not RETENTION_MIN <= retention_days <= RETENTION_MAX:
        raise RuleViolation(
            f"The retention period is {RETENTION_MIN} to {RETENTION_MAX} days, or empty to keep the data.", "retention_days"
        )
    return Settings(grace_days, retention_days)


def due_at(requested_at: datetime, grace_days: int) -> datetime:
    """When a request made at ``requested_at`` is carried out."""
    return requested_at + timedelta(days=grace_days)


def confirm(ticked: bool) -> None:
    """Raises RuleViolation unless the person ticked that they understand the erasure cannot be undone."""
    if not ticked:
        raise RuleViolation("Tick that you understand the erasure cannot be undone.", "confirm")


def retention_over(last_activity: datetime | None, retention_days: int | None, now: datetime) -> bool:
    """Whether a programme whose last activity was ``last_activity`` is past its retention period."""
    return retention_days is not None and last_activity is not None and now >= last_activity + timedelta(days=retention_days)


def pseudonym() -> str:
    """A fresh random LTI subject for an erased person (never equal to a real one: real ones have no prefix)."""
    return ERASED_SUBJECT_PREFIX + secrets.token_urlsafe(24)


def scrub(text: str, values: list[str]) -> str:
    """``text`` with every occurrence of the erased person's ``values`` (name, email...) replaced by the marker."""
    for value in sorted({v for v in values if v and len(v) >= 3}, key=len, reverse=True):
        text = text.replace(value, ERASED_NAME)
    return text
