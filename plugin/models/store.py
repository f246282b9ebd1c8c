"""Short-lived key/value entries (OIDC state, launch data) shared by every worker when Redis is not configured."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base


class StoreEntry(Base):
    """One entry with an absolute expiry (epoch seconds)."""

    __tablename__ = "store_entries"

    key: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.Text)
    expires_at: so.Mapped[float] = so.mapped_column(sa.Float, index=True)
