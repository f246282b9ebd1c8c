"""Notifications: the kinds a person can be told about, their defaults, and when a message is due."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: every kind, most important first (the preferences page lists them in this order)
KINDS: tuple[str, ...] = (
    "matched",
    "partner_accepted",
    "agreement_to_sign",
    "signoff_requested",
    "signoff_made",
    "session_tomorrow",
    "plan_overdue",
    "tandem_inactive",
    "coffee_match",
    "event_reminder",
    "grade_failed",
)
MODES: tuple[str, ...] = ("immediate", "digest")

#: the hour (UTC) the daily digest leaves
DIGEST_HOUR = 7
#: weeks without a logged session before a tandem counts as inactive
INACTIVE_WEEKS = 4


@dataclass(frozen=True)
class Choice:
    """A person's choice for one kind."""

    kind: str
    enabled: bool = True
    mode: str = "immediate"


def choices(saved: dict[str, tuple[bool, str]]) -> list[Choice]:
    """Every kind with the person's choice, or the default (on, at once) when they made none."""
    return [Choice(k, *saved[k]) if k in saved else Choice(k) for k in KINDS]


def check_choice(kind: str, enabled: bool, mode: str) -> Choice:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if mode not in MODES:
        raise ValueError("choose at once or a daily digest")
    return Choice(kind, bool(enabled), mode)


def due_at(mode: str, now: float) -> float:
    """When a message of this mode may leave: now, or the next digest hour (UTC) for a digest."""
    if mode != "digest":
        return now
    day = 86400.0
    start = math.floor(now / day) * day + DIGEST_HOUR * 3600
    return start if start > now else start + day


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after ``attempts`` failed attempts (without jitter)."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def language_of(locale: str | None) -> str:
    """The message language for an LMS locale: Dutch for nl, nl-NL, nl_BE; English otherwise."""
    return "nl" if (locale or "").lower().replace("_", "-").split("-")[0] == "nl" else "en"
