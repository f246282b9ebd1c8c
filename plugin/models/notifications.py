"""Notifications: the outbox of messages (email over SMTP, in-app), per-person preferences."""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlalchemy.orm as so  # noqa: F401

from plugin.models.base import Base, created_at, intpk  # noqa: F401

__all__: list[str] = []
