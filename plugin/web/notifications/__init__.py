"""Notifications: preferences, unsubscribe, what needs you (one blueprint, ``notifications.*``), and the email renderer."""

from __future__ import annotations

from plugin.web.notifications import pages  # noqa: F401 (the page module registers its routes)
from plugin.web.notifications.common import bp
from plugin.web.notifications.emails import EmailRenderer

__all__ = ["EmailRenderer", "bp"]
