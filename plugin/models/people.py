"""People and the courses they meet Tandem in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk, utcnow


class Person(Base):
    """Someone who launched Tandem, keyed by (issuer, sub); names and email only when the platform shares them."""

    __tablename__ = "people"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    issuer: so.Mapped[str] = so.mapped_column(sa.String(255))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    name: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    given_name: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    family_name: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(320))
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    created_at: so.Mapped[created_at]
    last_seen_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Course(Base):
    """An LMS course (LTI context), keyed by (deployment, context id)."""

    __tablename__ = "courses"
    __table_args__ = (sa.UniqueConstraint("deployment_id", "context_id"),)

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    deployment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("deployments.id"))
    context_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    title: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    label: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[created_at]


class Membership(Base):
    """A person's role in a course, as the latest launch said."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("person_id", "course_id"),)

    id: so.Mapped[intpk]
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("courses.id"), index=True)
    #: a plugin.domain.roles.Role value
    role: so.Mapped[str] = so.mapped_column(sa.String(32))
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Launch(Base):
    """One accepted LTI launch, kept server-side for the pages and services that follow it.

    ``data`` is opaque to the core: the LTI adapter writes and reads it (service endpoints,
    deep-linking settings). Rows expire with the launch and are purged now and then.
    """

    __tablename__ = "launches"

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    course_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("courses.id"))
    registration_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("registrations.id"))
    data: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[created_at]
    expires_at: so.Mapped[float] = so.mapped_column(sa.Float, index=True)
