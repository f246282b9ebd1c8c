"""Virtual coffee roulette: opt-ins per programme, rounds, matches and one-click feedback."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk, utcnow

__all__ = ["CoffeeMatch", "CoffeeMember", "CoffeeOptIn", "CoffeeRound", "CoffeeSettings"]


class CoffeeSettings(Base):
    """A programme's roulette as its trainer set it: on or off, and the cadence of its rounds."""

    __tablename__ = "coffee_settings"

    id: so.Mapped[intpk]
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), unique=True)
    enabled: so.Mapped[bool] = so.mapped_column(default=False)
    #: weekly, fortnightly or monthly
    cadence: so.Mapped[str] = so.mapped_column(sa.String(16), default="weekly")
    updated_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class CoffeeOptIn(Base):
    """A participant's choice to take part in the programme's coffee rounds (from the next round on)."""

    __tablename__ = "coffee_opt_ins"
    __table_args__ = (sa.UniqueConstraint("programme_id", "person_id"),)

    id: so.Mapped[intpk]
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    opted_in: so.Mapped[bool] = so.mapped_column(default=True)
    changed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class CoffeeRound(Base):
    """One round of a programme: one per period of the cadence (``key``, unique per programme)."""

    __tablename__ = "coffee_rounds"
    __table_args__ = (sa.UniqueConstraint("programme_id", "key"),)

    id: so.Mapped[intpk]
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    #: ``2026-W49``, ``2026-F25`` or ``2026-12`` (plugin.domain.coffee.period_of)
    key: so.Mapped[str] = so.mapped_column(sa.String(16))
    cadence: so.Mapped[str] = so.mapped_column(sa.String(16))
    starts_on: so.Mapped[date] = so.mapped_column(sa.Date)
    ends_on: so.Mapped[date] = so.mapped_column(sa.Date)
    #: schedule (tandem worker) or trainer (run now)
    trigger: so.Mapped[str] = so.mapped_column(sa.String(12))
    started_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id"))
    #: people in the round, and pairs inside its groups who had met before (unavoidable: fewest possible)
    people: so.Mapped[int] = so.mapped_column(default=0)
    repeats: so.Mapped[int] = so.mapped_column(default=0)
    #: the solver proved the repeats the fewest possible
    optimal: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[created_at]


class CoffeeMatch(Base):
    """A pair (or the round's one trio) and their suggested meeting."""

    __tablename__ = "coffee_matches"

    id: so.Mapped[intpk]
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coffee_rounds.id"), index=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programmes.id"), index=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    minutes: so.Mapped[int] = so.mapped_column(default=30)
    #: per pair inside the group, as the profiles were at the round:
    #: [{"a": id, "b": id, "other_side": bool, "other_department": bool | None, "met_before": bool}]
    reasons: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)


class CoffeeMember(Base):
    """A person in a match, with their own feedback on it (changeable)."""

    __tablename__ = "coffee_members"
    __table_args__ = (sa.UniqueConstraint("round_id", "person_id"),)

    id: so.Mapped[intpk]
    match_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coffee_matches.id"), index=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coffee_rounds.id"))
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id"), index=True)
    #: None, met, not_met or work_with
    feedback: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    #: person ids this feedback added to the person's wished partners (taken back when it changes)
    wishes_added: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    feedback_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
