"""Group mentoring: one mentor with several people, or a project group, inside a programme.

The group's sign-off chain lives in ``signoff_records`` (``group_id``, one record per learner's objective);
its head is kept here, apart from the records, so a removed last record is found.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk

__all__ = ["Group", "GroupAttendance", "GroupMember", "GroupPrivateNote", "GroupSession"]


class Group(Base):
    """A group in a programme: its purpose, modules, capacity and kind (open, closed or private)."""

    __tablename__ = "groups"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    purpose: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: open (anyone in the programme sees and joins), closed (everyone sees; the mentor approves), private
    #: (members only; by invitation), or focused: a focused mentoring of the mentor network (one mentor, one
    #: mentee, one need: the mentor's track only; never listed with the groups, visible to its two people)
    kind: so.Mapped[str] = so.mapped_column(sa.String(8))
    #: a focused mentoring's need (competence key)
    focus: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: members besides the mentor
    capacity: so.Mapped[int] = so.mapped_column(default=6)
    #: module slugs the group works on (JSON list)
    modules: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    mentor_person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    created_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    #: active or ended
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="active")
    #: the sign-off chain's head (last seq and hash; seq 0 = empty chain)
    chain_seq: so.Mapped[int] = so.mapped_column(default=0)
    chain_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="0" * 64)
    created_at: so.Mapped[created_at]


class GroupMember(Base):
    """A person's place in a group besides its mentor: a member, asking to join, or invited."""

    __tablename__ = "group_members"
    __table_args__ = (sa.UniqueConstraint("group_id", "person_id"),)

    id: so.Mapped[intpk]
    group_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("groups.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    #: member, pending (asked to join a closed group), invited (by the mentor), declined, left or removed
    status: so.Mapped[str] = so.mapped_column(sa.String(12))
    invited_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    joined_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[created_at]


class GroupSession(Base):
    """A meeting of a group: when, how long, its agenda and the notes every member reads."""

    __tablename__ = "group_sessions"

    id: so.Mapped[intpk]
    group_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("groups.id"), index=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    minutes: so.Mapped[int] = so.mapped_column(default=60)
    #: the time zone the mentor planned it in (shown with the time)
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="UTC")
    agenda: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    shared_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]


class GroupAttendance(Base):
    """Who was at a group session."""

    __tablename__ = "group_attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)

    id: so.Mapped[intpk]
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("group_sessions.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))


class GroupPrivateNote(Base):
    """A member's own note on a group session: read by its author only (not the others, not trainers)."""

    __tablename__ = "group_private_notes"
    __table_args__ = (sa.UniqueConstraint("session_id", "author_id"),)

    id: so.Mapped[intpk]
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("group_sessions.id"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[created_at]
