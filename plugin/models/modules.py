"""Modules an organisation uploaded itself, each version kept as its source text."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk


class OrgModule(Base):
    """One version of an organisation's own module: draft, published (to that organisation only) or withdrawn."""

    __tablename__ = "org_modules"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "slug", "version"),)

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(64))
    version: so.Mapped[int]
    #: the TOML file as uploaded; what an export gives back
    source: so.Mapped[str] = so.mapped_column(sa.Text)
    digest: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: draft, published or withdrawn
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="draft")
    uploaded_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]
    published_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
