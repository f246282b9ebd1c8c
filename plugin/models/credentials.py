"""Credentials: Open Badges 3.0 credentials issued on modules completed both ways, and their revocation."""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlalchemy.orm as so  # noqa: F401

from plugin.models.base import Base, created_at, intpk  # noqa: F401

__all__: list[str] = []
