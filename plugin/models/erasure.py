"""GDPR erasure requests and retention: what was asked, when it runs, the audit of purges."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk, utcnow

__all__ = ["ErasureAudit", "ErasureRequest", "ErasureSettings"]


class ErasureSettings(Base):
    """An organisation's erasure grace period and retention period, as its administrator set them."""

    __tablename__ = "erasure_settings"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), unique=True)
    #: days between a confirmed request and the erasure (the person may cancel meanwhile); 0 = at once
    grace_days: so.Mapped[int] = so.mapped_column(default=14)
    #: days after a programme's last activity before its participants' data is purged; None = kept
    retention_days: so.Mapped[int | None]
    updated_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ErasureRequest(Base):
    """A person's confirmed request to erase their account in their organisation."""

    __tablename__ = "erasure_requests"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    #: pending (inside the grace period), cancelled or done
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="pending", index=True)
    requested_at: so.Mapped[created_at]
    due_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), index=True)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    done_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class ErasureAudit(Base):
    """One line of the purge audit: an erasure or a retention purge, when, and how many rows it changed."""

    __tablename__ = "erasure_audit"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    #: erasure (one person, everywhere) or retention (a programme's participants, in that programme)
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    #: the erasure request, or the programme purged
    request_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("erasure_requests.id"))
    programme_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("programmes.id"), unique=True)
    people: so.Mapped[int] = so.mapped_column(default=0)
    rows: so.Mapped[int] = so.mapped_column(default=0)
    #: table name -> rows changed
    tables: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    #: who carried it out: None for tandem worker
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]
