"""A tandem's long-term work: agreement, training plan, sessions, evidence, sign-offs and their grades."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk


class Agreement(Base):
    """The mentoring agreement both members sign before anything else of the tandem opens."""

    __tablename__ = "agreements"

    id: so.Mapped[intpk]
    tandem_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("tandems.id"), unique=True)
    goals: so.Mapped[str] = so.mapped_column(sa.Text)
    cadence: so.Mapped[str] = so.mapped_column(sa.String(16))
    duration_minutes: so.Mapped[int]
    confidentiality: so.Mapped[str] = so.mapped_column(sa.Text)
    #: [{"person_id": n, "at": iso}]
    signatures: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: how many people signed, and the day of the last signature (kept equal to ``signatures`` whenever they are
    #: set): the programme dashboard reads them without parsing every agreement's JSON
    signers: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    last_signed_on: so.Mapped[date | None]
    created_at: so.Mapped[created_at]

    @so.validates("signatures")
    def _index_signatures(self, _key: str, signatures: list) -> list:
        self.signers = len({s["person_id"] for s in signatures or ()})
        self.last_signed_on = max((_date(s["at"]) for s in signatures or ()), default=None)
        return signatures


class Plan(Base):
    """A tandem's training plan; its items and every change to them are kept."""

    __tablename__ = "plans"

    id: so.Mapped[intpk]
    tandem_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("tandems.id"), unique=True)
    template: so.Mapped[str] = so.mapped_column(sa.String(32))
    start: so.Mapped[date]
    #: [{"key", "kind", "due", "module_slug", "duration_minutes", "done_on"}]
    items: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: [{"item_key", "what", "old", "new", "actor_id", "at", "reason"}]
    history: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    created_at: so.Mapped[created_at]
    #: the items' due and done days as rows (kept equal to ``items`` whenever they are set): the programme
    #: dashboard aggregates them in the database without parsing every plan's JSON
    item_dates: so.Mapped[list[PlanItemDate]] = so.relationship(cascade="all, delete-orphan", passive_deletes=True)

    @so.validates("items")
    def _index_items(self, _key: str, items: list) -> list:
        self.item_dates = [PlanItemDate(key=i["key"], due=_date(i["due"]), done_on=_date(i.get("done_on"))) for i in items or ()]
        return items


def _date(value: str | date | None) -> date | None:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


class PlanItemDate(Base):
    """One item of a plan: its due day and the day it was done (a copy of the plan's ``items``, for the dashboards)."""

    __tablename__ = "plan_item_dates"

    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(160), primary_key=True)
    due: so.Mapped[date]
    done_on: so.Mapped[date | None]


class MentoringSession(Base):
    """A session the tandem held: when, how long, which tracks (so which direction), agenda and shared notes."""

    __tablename__ = "mentoring_sessions"

    id: so.Mapped[intpk]
    tandem_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("tandems.id"), index=True)
    held_on: so.Mapped[date]
    minutes: so.Mapped[int]
    #: [{"module": slug, "version": n, "side": "digital_mentor" | "senior_expert"}]; side = who teaches
    tracks: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    agenda: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    shared_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]


class PrivateNote(Base):
    """A note only its author ever reads (not the partner, not trainers, not administrators)."""

    __tablename__ = "private_notes"
    __table_args__ = (sa.UniqueConstraint("session_id", "author_id"),)

    id: so.Mapped[intpk]
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("mentoring_sessions.id"))
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[created_at]


class Reflection(Base):
    """One side's reflection on the five principles after a session (1-5 each)."""

    __tablename__ = "reflections"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)

    id: so.Mapped[intpk]
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("mentoring_sessions.id"))
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    space: so.Mapped[int]
    respect: so.Mapped[int]
    patience: so.Mapped[int]
    perseverance: so.Mapped[int]
    acceptance: so.Mapped[int]
    created_at: so.Mapped[created_at]


class CalendarFeed(Base):
    """A person's secret iCalendar address; only the token's hash is stored; revoking ends it for good."""

    __tablename__ = "calendar_feeds"

    id: so.Mapped[intpk]
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("courses.id"))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[created_at]
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class Evidence(Base):
    """What the learner of a track shows for an objective: a note, a link or a file."""

    __tablename__ = "evidence"

    id: so.Mapped[intpk]
    #: the tandem, or (for a group's learning) None and ``group_id``
    tandem_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("tandems.id"), index=True)
    group_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("groups.id"), index=True)
    module_slug: so.Mapped[str] = so.mapped_column(sa.String(64))
    module_version: so.Mapped[int]
    objective_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    learner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    #: note, link or file
    kind: so.Mapped[str] = so.mapped_column(sa.String(8))
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    url: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    filename: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    size: so.Mapped[int | None]
    data: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    created_at: so.Mapped[created_at]


class SignoffRecord(Base):
    """One append-only sign-off record of a tandem's or a group's hash chain (never updated, never deleted)."""

    __tablename__ = "signoff_records"
    __table_args__ = (sa.UniqueConstraint("tandem_id", "seq"), sa.UniqueConstraint("group_id", "seq"))

    id: so.Mapped[intpk]
    #: the chain's owner: a tandem, or a group (then ``learner_id`` says whose learning the record is about)
    tandem_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("tandems.id"), index=True)
    group_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("groups.id"), index=True)
    learner_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    seq: so.Mapped[int]
    module_slug: so.Mapped[str] = so.mapped_column(sa.String(64))
    module_version: so.Mapped[int]
    #: the side that teaches the track
    side: so.Mapped[str] = so.mapped_column(sa.String(16))
    objective_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    payload: so.Mapped[dict] = so.mapped_column(sa.JSON)
    #: exactly as hashed (ISO 8601, microseconds, UTC)
    timestamp: so.Mapped[str] = so.mapped_column(sa.String(40))
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))


class SignoffTrackFact(Base):
    """What a tandem's chain says about one track of one module version, summed from its records whenever one is
    appended (``plugin.services.signoff_facts``): the programme dashboard reads these instead of every record."""

    __tablename__ = "signoff_track_facts"

    tandem_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("tandems.id"), primary_key=True)
    module_slug: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    module_version: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the side that teaches the track
    side: so.Mapped[str] = so.mapped_column(sa.String(16), primary_key=True)
    #: objectives signed and not withdrawn (per objective, more sign-offs than withdrawals)
    kept: so.Mapped[int]
    #: the sequence numbers of the last countersignature and of the last withdrawal
    countersigned: so.Mapped[int | None]
    withdrawn: so.Mapped[int | None]
    #: the day of the track's last sign-off (UTC)
    last_signed_on: so.Mapped[date | None]


class ChainHead(Base):
    """The last hash of each tandem's chain, kept apart so that removing the last record is detected."""

    __tablename__ = "chain_heads"

    tandem_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("tandems.id"), primary_key=True)
    seq: so.Mapped[int]
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))


class Placement(Base):
    """Where a module's grades go in a course: its line item (from the launches of the placed link)."""

    __tablename__ = "placements"
    __table_args__ = (sa.UniqueConstraint("course_id", "module_slug"),)

    id: so.Mapped[intpk]
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("courses.id"))
    module_slug: so.Mapped[str] = so.mapped_column(sa.String(64))
    module_version: so.Mapped[int]
    registration_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("registrations.id"))
    resource_link_id: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    lineitems_url: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    lineitem_url: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    #: the AGS scopes the platform granted (JSON list)
    scopes: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    label: so.Mapped[str] = so.mapped_column(sa.String(255))
    updated_at: so.Mapped[created_at]


class ScoreOutbox(Base):
    """A score to deliver to the LMS gradebook, written in the sign-off's transaction and sent after commit."""

    __tablename__ = "score_outbox"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    #: what the score is for: a tandem's or a group's module (or, see the events capability, an event)
    tandem_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("tandems.id"), index=True)
    group_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("groups.id"), index=True)
    event_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("events.id"), index=True)
    placement_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("placements.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    score_given: so.Mapped[int]
    score_maximum: so.Mapped[int] = so.mapped_column(default=100)
    activity_progress: so.Mapped[str] = so.mapped_column(sa.String(16))
    grading_progress: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: ISO 8601 with microseconds; strictly increasing per placement and person
    timestamp: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: pending, sent, failed or superseded (a newer score for the same line item and person)
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="pending", index=True)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[float] = so.mapped_column(sa.Float, default=0.0)
    lease_until: so.Mapped[float] = so.mapped_column(sa.Float, default=0.0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[created_at]
    sent_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class CohortPlan(Base):
    """An organisation's long-term plan: which modules a cohort takes in which quarter."""

    __tablename__ = "cohort_plans"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "cohort", "module_slug"),)

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    #: the cohort: a course of the organisation
    cohort: so.Mapped[int] = so.mapped_column(sa.ForeignKey("courses.id"))
    quarter: so.Mapped[str] = so.mapped_column(sa.String(7))
    module_slug: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[created_at]
