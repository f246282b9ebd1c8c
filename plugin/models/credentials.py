"""Credentials: Open Badges 3.0 credentials issued on modules completed both ways, and their revocation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk

__all__ = ["Credential"]


class Credential(Base):
    """One learner's credential for the track they learned in a module of their tandem (or group).

    The signed document is made from this row and the catalogue when it is read (module versions never
    change), so a later rotation of Tandem's key signs it again under the new key; revoking sets the
    status, and a later completion issues a new row (a new credential id).
    """

    __tablename__ = "credentials"
    __table_args__ = (sa.Index("ix_credentials_tandem_module", "tandem_id", "module_slug", "module_version"),)

    id: so.Mapped[intpk]
    #: the credential's public id (a UUID): its URL and the ``jti`` of its JWT
    public_id: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    tandem_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("tandems.id"))
    #: or the group (a group's learner whose track is complete; a focused mentoring is a group too)
    group_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("groups.id"), index=True)
    learner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    module_slug: so.Mapped[str] = so.mapped_column(sa.String(64))
    module_version: so.Mapped[int]
    #: the side that taught the track the learner learned (digital_mentor / senior_expert)
    taught_by: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: active or revoked
    status: so.Mapped[str] = so.mapped_column(sa.String(8), default="active")
    issued_at: so.Mapped[created_at]
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: why, as a code the pages translate (signoff_withdrawn); never the free text of a withdrawal
    revoked_reason: so.Mapped[str | None] = so.mapped_column(sa.String(32))
