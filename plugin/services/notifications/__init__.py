"""Notifications: an outbox written in the event's transaction, sent by ``tandem worker`` over SMTP in the
recipient's language; per-person preferences, unsubscribe tokens, and the in-app "what needs you" list."""

from __future__ import annotations

from plugin.services.notifications.kinds import (
    agreement_signed,
    coffee_round_made,
    event_reminders,
    grade_failed,
    group_signoff,
    inactive_tandems,
    partner_answered,
    partner_requested,
    run_periodic,
    session_moved,
    signoff_made,
    signoff_requested,
    tandem_signoff,
    tandems_published,
)
from plugin.services.notifications.outbox import Item, Mailer, Policy, Recipient, Renderer, Unreachable, claim, deliver, notify, pending_count
from plugin.services.notifications.preferences import (
    NeedsYou,
    Unsubscribe,
    choices,
    needs_you,
    save,
    unsubscribe,
    unsubscribe_preview,
    unsubscribe_token,
)

__all__ = [
    "Item",
    "Mailer",
    "NeedsYou",
    "Policy",
    "Recipient",
    "Renderer",
    "Unreachable",
    "Unsubscribe",
    "agreement_signed",
    "choices",
    "claim",
    "coffee_round_made",
    "deliver",
    "event_reminders",
    "grade_failed",
    "group_signoff",
    "inactive_tandems",
    "needs_you",
    "notify",
    "partner_answered",
    "partner_requested",
    "pending_count",
    "run_periodic",
    "save",
    "session_moved",
    "signoff_made",
    "signoff_requested",
    "tandem_signoff",
    "tandems_published",
    "unsubscribe",
    "unsubscribe_preview",
    "unsubscribe_token",
]
