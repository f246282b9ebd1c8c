"""Peer circles and advisory boards: 4-10 peers, a rotating chair, meetings and a commitments log; and the
trainer's proposals of circles formed from the programme's pool."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk

__all__ = ["Circle", "CircleCommitment", "CircleMeeting", "CircleMember", "CircleProposal"]


class Circle(Base):
    """A peer circle in a programme: its name, purpose, meeting cadence and modules."""

    __tablename__ = "circles"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    purpose: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: weekly, biweekly or monthly
    cadence: so.Mapped[str] = so.mapped_column(sa.String(12))
    #: module slugs the circle works on (JSON list)
    modules: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: the first meeting planned (the cadence runs from it until a meeting is held)
    starts_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: hand (made by the trainer from participants) or pool (formed from the programme's pool)
    source: so.Mapped[str] = so.mapped_column(sa.String(8), default="hand")
    proposal_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("circle_proposals.id"))
    created_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]


class CircleMember(Base):
    """A person's place in a circle; ``position`` orders the chair rotation (members who left drop out of it)."""

    __tablename__ = "circle_members"
    __table_args__ = (sa.UniqueConstraint("circle_id", "person_id"),)

    id: so.Mapped[intpk]
    circle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("circles.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    position: so.Mapped[int]
    #: member or left
    status: so.Mapped[str] = so.mapped_column(sa.String(8), default="member")
    left_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[created_at]


class CircleMeeting(Base):
    """A held meeting: ``seq`` counts from 1; its chair as the rotation named them when it was recorded."""

    __tablename__ = "circle_meetings"
    __table_args__ = (sa.UniqueConstraint("circle_id", "seq"),)

    id: so.Mapped[intpk]
    circle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("circles.id"), index=True)
    seq: so.Mapped[int]
    held_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    chair_person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    agenda: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]


class CircleCommitment(Base):
    """"By next meeting I will ...": stated by a member at a meeting, reviewed at a later one by its chair."""

    __tablename__ = "circle_commitments"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "person_id"),)

    id: so.Mapped[intpk]
    circle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("circles.id"), index=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("circle_meetings.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    #: None (open), done, partly or not_done
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reviewed_meeting_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("circle_meetings.id"))
    reviewed_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    reviewed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[created_at]


class CircleProposal(Base):
    """Circles formed from the pool for the trainer to publish or discard."""

    __tablename__ = "circle_proposals"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    #: draft, published or discarded
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="draft")
    min_size: so.Mapped[int]
    max_size: so.Mapped[int]
    cadence: so.Mapped[str] = so.mapped_column(sa.String(12))
    #: [{"members": [person ids], "figures": {...}}]
    circles: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: person ids the rules left without a circle
    unplaced: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: people already in a circle of the programme, left out of the pool
    already: so.Mapped[int] = so.mapped_column(default=0)
    optimal: so.Mapped[bool] = so.mapped_column(default=False)
    created_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]
    published_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
