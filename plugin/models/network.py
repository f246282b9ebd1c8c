"""The mentor network made actionable: focused mentorings on one need, with their own sign-off."""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlalchemy.orm as so  # noqa: F401

from plugin.models.base import Base, created_at, intpk  # noqa: F401

__all__: list[str] = []
