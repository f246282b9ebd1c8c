"""Peer circles and advisory boards: the pages (one blueprint, ``circles.*``)."""

from __future__ import annotations

from plugin.web.circles import forming, meetings, pages  # noqa: F401 (the page modules register their routes)
from plugin.web.circles.common import bp

__all__ = ["bp"]
