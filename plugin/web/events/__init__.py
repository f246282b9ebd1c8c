"""Facilitated events: the pages (one blueprint, ``events.*``): the list, an event with registering and the
waiting list, creating, changing and cancelling one, its attendance (by hand, from launches, CSV, to the
gradebook) and its follow-up actions."""

from __future__ import annotations

from plugin.web.events import attendance, followups, pages  # noqa: F401 - register the routes
from plugin.web.events.blueprint import bp

__all__ = ["bp"]
