"""Group mentoring: the pages (one blueprint, ``groups.*``): the list and creating a group, the group page
with joining and leaving, its modules and sign-offs, and its sessions."""

from __future__ import annotations

from plugin.web.groups import meetings, pages, work  # noqa: F401 - register the routes
from plugin.web.groups.blueprint import bp

__all__ = ["bp"]
