"""Self-assessment instruments: questionnaires (data), answers, the needs map they produce, growth over time.

The questionnaires themselves are data files (``curricula/questionnaires/``); the database holds which of
them a programme uses and every take of one by a participant (kept: the first and the latest give growth).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk, utcnow

__all__: list[str] = ["AssessmentTake", "ProgrammeQuestionnaires"]


class ProgrammeQuestionnaires(Base):
    """Which questionnaires a programme uses (no row: every shipped questionnaire)."""

    __tablename__ = "programme_questionnaires"

    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), primary_key=True)
    #: slugs of the questionnaires in use (JSON list), in the order the trainer chose them
    slugs: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class AssessmentTake(Base):
    """One questionnaire filled in by one participant: the answers as given and the levels they gave."""

    __tablename__ = "assessment_takes"
    __table_args__ = (sa.Index("ix_assessment_takes_programme_participant", "programme_id", "participant_id", "taken_at"),)

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"))
    participant_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("participants.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    questionnaire: so.Mapped[str] = so.mapped_column(sa.String(64))
    version: so.Mapped[int]
    #: start, milestone or end
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: item id -> score on the questionnaire's scale
    answers: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    #: competence key -> level 0-8
    levels: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    taken_at: so.Mapped[created_at]
