"""A course's mentoring programme: its settings, its participants' profiles, matching proposals and tandems."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk, utcnow


class Programme(Base):
    """The two-way mentoring programme of one course, as its trainer set it up."""

    __tablename__ = "programmes"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("courses.id"), unique=True)
    #: trainer (review then publish), choice (participants choose, the other accepts) or manual
    matching_mode: so.Mapped[str] = so.mapped_column(sa.String(16), default="trainer")
    shared_language: so.Mapped[bool] = so.mapped_column(default=True)
    no_reporting_line: so.Mapped[bool] = so.mapped_column(default=True)
    exclude_earlier: so.Mapped[bool] = so.mapped_column(default=True)
    default_capacity: so.Mapped[int] = so.mapped_column(default=1)
    max_capacity: so.Mapped[int] = so.mapped_column(default=3)
    #: slugs of the modules on offer (JSON list); empty = every published module
    modules: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: a trainer countersigns each completed track (issue 5)
    require_countersign: so.Mapped[bool] = so.mapped_column(default=False)
    #: participants may create groups (as their mentor); trainers always may (issue 9)
    participant_groups: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[created_at]
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Participant(Base):
    """A person's profile and needs map in a programme."""

    __tablename__ = "participants"
    __table_args__ = (sa.UniqueConstraint("programme_id", "person_id"),)

    id: so.Mapped[intpk]
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    #: digital_mentor or senior_expert; None until chosen
    side: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    #: launch, nrps or csv: how the person joined the programme
    source: so.Mapped[str] = so.mapped_column(sa.String(8), default="launch")
    languages: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    timezone: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    cadence: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    department: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    #: where they work (a region or country, free text), for diverse peer circles
    region: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    #: the person id of their manager (reporting-line rule)
    manager_person_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    capacity: so.Mapped[int] = so.mapped_column(default=1)
    #: competence key -> {"offer": n, "want": n, "current": n}
    needs: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    goals: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: person ids (JSON lists)
    wishes: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    vetoes: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    profile_saved_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[created_at]


class Job(Base):
    """A long task run in the background (roster sync, matching) with its progress, for every worker to read."""

    __tablename__ = "jobs"

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    #: roster or match
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: queued, running, done or failed
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="queued")
    done: so.Mapped[int] = so.mapped_column(default=0)
    total: so.Mapped[int | None]
    #: a message key and its values, for the page to say what happened in the page's language
    message: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    started_by: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"))
    created_at: so.Mapped[created_at]
    finished_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class Proposal(Base):
    """A matching run's proposal, which the trainer reviews (swap, remove, add) and then publishes."""

    __tablename__ = "proposals"

    id: so.Mapped[intpk]
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    job_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("jobs.id"))
    #: draft, published or discarded
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="draft")
    #: [{"digital": person id, "expert": person id, "score": n, "explanation": {...}, "edited": bool}]
    pairs: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: person id (as a string) -> reason
    unmatched: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    #: person id (as a string) -> [{"competence", "mentor", "offered", "wanted", "reached"}]
    network: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    total: so.Mapped[int] = so.mapped_column(default=0)
    optimal: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[created_at]
    published_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class Tandem(Base):
    """A published pair: a digital mentor and a senior expert who teach each other."""

    __tablename__ = "tandems"
    __table_args__ = (sa.UniqueConstraint("programme_id", "digital_person_id", "expert_person_id"),)

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    proposal_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("proposals.id"))
    digital_person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    expert_person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    score: so.Mapped[int] = so.mapped_column(default=0)
    explanation: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    #: proposed (published, waiting for both), requested (choice mode), active, declined or ended
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="proposed")
    #: None, accepted or coffee ("let's talk first")
    digital_response: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    expert_response: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    created_at: so.Mapped[created_at]
    published_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
