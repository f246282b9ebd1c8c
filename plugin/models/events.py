"""Facilitated events (webinar, masterclass, team day): registrations, waiting list, attendance, follow-ups."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk, utcnow

__all__ = ["Event", "EventFollowup", "EventFollowupItem", "EventRegistration"]


class Event(Base):
    """An event a trainer runs in a programme; times are stored in UTC with the zone they were planned in."""

    __tablename__ = "events"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    #: webinar, masterclass or team_day
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    starts_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    ends_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    #: the IANA zone the event was planned in (its times are shown in it to those who have no zone of their own)
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64))
    place: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    #: http or https only
    online_url: so.Mapped[str] = so.mapped_column(sa.String(2000), default="")
    capacity: so.Mapped[int]
    registration_deadline: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    #: scheduled or cancelled
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="scheduled")
    #: None (not taken yet), manual (ticked by the trainer) or launches (from Tandem launches in the window)
    attendance_source: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    attendance_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    grades_sent_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: bumped by every change to the seats: on SQLite the bump is the row lock (PostgreSQL locks FOR UPDATE)
    seats_version: so.Mapped[int] = so.mapped_column(default=0)
    created_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class EventRegistration(Base):
    """A person's place at an event: registered, on the waiting list (in ``queued_at`` order) or unregistered."""

    __tablename__ = "event_registrations"
    __table_args__ = (sa.UniqueConstraint("event_id", "person_id"),)

    id: so.Mapped[intpk]
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    #: registered, waiting or cancelled (unregistered)
    status: so.Mapped[str] = so.mapped_column(sa.String(12))
    #: when the person (last) asked for a seat: the waiting list's order
    queued_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    promoted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: None until attendance is taken
    attended: so.Mapped[bool | None]
    created_at: so.Mapped[created_at]


class EventFollowup(Base):
    """A follow-up action the trainer attaches to an event; every attendee gets it in their training plan."""

    __tablename__ = "event_followups"

    id: so.Mapped[intpk]
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.String(500))
    due_on: so.Mapped[date]
    #: the attendee's tandem partner confirms it is done (one click, recorded)
    needs_partner: so.Mapped[bool] = so.mapped_column(default=False)
    created_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]


class EventFollowupItem(Base):
    """One attendee's copy of a follow-up: in their active tandem's plan (``tandem_id``, ``plan_item_key``;
    done there) or, without a tandem, in their personal follow-up list (done here)."""

    __tablename__ = "event_followup_items"
    __table_args__ = (sa.UniqueConstraint("followup_id", "person_id"),)

    id: so.Mapped[intpk]
    followup_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("event_followups.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    tandem_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("tandems.id"))
    plan_item_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: a personal item's completion (a tandem item's lives in the plan)
    done_on: so.Mapped[date | None]
    done_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    done_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[created_at]
