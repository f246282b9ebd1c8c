"""Self-assessment instruments: questionnaires (data), answers, the needs map they produce, growth over time."""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlalchemy.orm as so  # noqa: F401

from plugin.models.base import Base, created_at, intpk  # noqa: F401

__all__: list[str] = []
