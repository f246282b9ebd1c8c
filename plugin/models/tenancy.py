"""Who installed Tandem: organisations, their platform registrations and deployments, and the tool's keys."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk, str255


class Organisation(Base):
    """A customer: everything Tandem stores hangs off one organisation, and none sees another's data."""

    __tablename__ = "organisations"

    id: so.Mapped[intpk]
    name: so.Mapped[str255] = so.mapped_column(unique=True)
    created_at: so.Mapped[created_at]

    registrations: so.Mapped[list[Registration]] = so.relationship(back_populates="organisation")


class Registration(Base):
    """One LTI 1.3 registration of Tandem in a platform, keyed by (issuer, client_id)."""

    __tablename__ = "registrations"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    issuer: so.Mapped[str255]
    client_id: so.Mapped[str255]
    auth_login_url: so.Mapped[str] = so.mapped_column(sa.String(2048))
    auth_token_url: so.Mapped[str] = so.mapped_column(sa.String(2048))
    key_set_url: so.Mapped[str] = so.mapped_column(sa.String(2048))
    #: the audience of client assertions when the platform publishes one (Brightspace); else the token URL
    auth_audience: so.Mapped[str | None] = so.mapped_column(sa.String(2048))
    #: the platform's name as it told us (dynamic registration) or as the admin typed it
    platform_name: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    #: product family code, e.g. "moodle", "canvas"
    product_family: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[created_at]

    organisation: so.Mapped[Organisation] = so.relationship(back_populates="registrations")
    deployments: so.Mapped[list[Deployment]] = so.relationship(back_populates="registration")


class Deployment(Base):
    """A deployment of a registration, keyed by (issuer, client_id, deployment_id)."""

    __tablename__ = "deployments"
    __table_args__ = (sa.UniqueConstraint("registration_id", "deployment_id"),)

    id: so.Mapped[intpk]
    registration_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("registrations.id"))
    deployment_id: so.Mapped[str255]
    created_at: so.Mapped[created_at]

    registration: so.Mapped[Registration] = so.relationship(back_populates="deployments")


class ToolKey(Base):
    """An RSA key pair Tandem signs with; the JWKS serves every key not yet retired."""

    __tablename__ = "tool_keys"

    id: so.Mapped[intpk]
    kid: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    private_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    public_jwk: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[created_at]
    #: when set, the key is no longer published nor used
    retired_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
