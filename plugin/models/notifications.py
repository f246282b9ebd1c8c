"""Notifications: the outbox of messages (email over SMTP, in-app), per-person preferences."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk

__all__: list[str] = ["Notification", "NotificationPreference"]


class Notification(Base):
    """One thing a person is told, written in the transaction of the event it is about.

    The same row feeds the in-app "what needs you" list and the email: ``email_status`` is pending until
    ``tandem worker`` sends it (a lease, like the score outbox), then sent, off (the person turned the kind
    off), no_email (the LMS shared no address) or failed. ``(kind, subject_key, person_id)`` is unique, so
    an event (a reminder found by two workers, a retried transaction) is written once per recipient.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject_key", "person_id"),
        sa.Index("ix_notifications_due", "email_status", "next_attempt_at"),
    )

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    course_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("courses.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    #: what the event is about, e.g. ``tandem:12`` or ``event:4:2026-12-05``
    subject_key: so.Mapped[str] = so.mapped_column(sa.String(160))
    #: the values the message shows (names, titles, times as ISO strings)
    values: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    #: the page it leads to, a path below TANDEM_BASE_URL
    link: so.Mapped[str] = so.mapped_column(sa.String(500), default="/home")
    #: pending, sent, off, no_email or failed
    email_status: so.Mapped[str] = so.mapped_column(sa.String(12), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[float] = so.mapped_column(sa.Float, default=0.0)
    lease_until: so.Mapped[float] = so.mapped_column(sa.Float, default=0.0)
    #: who holds the lease (a random token per claim)
    claim: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[created_at]
    sent_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class NotificationPreference(Base):
    """A person's choice for one kind: on or off, each message at once or in a daily digest."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("person_id", "kind"),)

    id: so.Mapped[intpk]
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    enabled: so.Mapped[bool] = so.mapped_column(default=True)
    #: immediate or digest
    mode: so.Mapped[str] = so.mapped_column(sa.String(12), default="immediate")
    updated_at: so.Mapped[created_at]
