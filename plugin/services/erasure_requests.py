"""Erasure requests (a participant asks, confirms and may cancel) and the organisation's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import erasure as domain
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.roles import Role
from plugin.models import Participant, Person, Programme
from plugin.models.base import utcnow
from plugin.models.erasure import ErasureAudit, ErasureRequest, ErasureSettings
from plugin.services.launches import Actor


def _participant(actor: Actor) -> None:
    if actor.role is not Role.PARTICIPANT:
        raise NotAllowed("Only a participant asks for the erasure of their own account.")


def _admin(actor: Actor) -> None:
    if actor.role is not Role.ORG_ADMIN:
        raise NotAllowed("Only the organisation's administrator sets erasure and retention.")


def settings_of(session: Session, organisation_id: int) -> domain.Settings:
    row = session.scalar(sa.select(ErasureSettings).where(ErasureSettings.organisation_id == organisation_id))
    return domain.Settings(row.grace_days, row.retention_days) if row else domain.Settings()


@dataclass(frozen=True)
class MyErasure:
    """The participant's page: the grace period, and their pending request if any."""

    grace_days: int
    pending_id: int | None
    requested_at: datetime | None
    due_at: datetime | None
    #: the person's time zone (their profile in this course), for the dates shown
    zone: str = "UTC"


def _pending(session: Session, actor: Actor) -> ErasureRequest | None:
    return session.scalar(
        sa.select(ErasureRequest).where(
            ErasureRequest.person_id == actor.person_id,
            ErasureRequest.organisation_id == actor.organisation_id,
            ErasureRequest.status == "pending",
        )
    )


def mine(session: Session, actor: Actor) -> MyErasure:
    """What the participant's erasure page shows.  :raise NotAllowed: not a participant."""
    _participant(actor)
    pending = _pending(session, actor)
    grace = settings_of(session, actor.organisation_id).grace_days
    zone = (
        session.scalar(
            sa.select(Participant.timezone)
            .join(Programme, Programme.id == Participant.programme_id)
            .where(Participant.person_id == actor.person_id, Programme.course_id == actor.course_id)
        )
        or "UTC"
    )
    if pending is None:
        return MyErasure(grace, None, None, None, zone)
    return MyErasure(grace, pending.id, pending.requested_at, pending.due_at, zone)


def ask(session: Session, actor: Actor, *, confirmed: bool, now: datetime | None = None) -> ErasureRequest:
    """Ask for erasure; it is carried out after the organisation's grace period (unless cancelled).

    Raises:
        NotAllowed: not a participant.
        RuleViolation: not confirmed, or a request is already pending.
    """
    _participant(actor)
    domain.confirm(confirmed)
    if _pending(session, actor) is not None:
        raise RuleViolation("You have asked for erasure already.", "pending")
    now = now or utcnow()
    grace = settings_of(session, actor.organisation_id).grace_days
    request = ErasureRequest(
        organisation_id=actor.organisation_id,
        person_id=actor.person_id,
        status="pending",
        requested_at=now,
        due_at=domain.due_at(now, grace),
    )
    session.add(request)
    session.flush()
    return request


def cancel(session: Session, actor: Actor, request_id: int) -> None:
    """Cancel one's own pending request.  :raise NotFound: not one's own pending request."""
    _participant(actor)
    request = _pending(session, actor)
    if request is None or request.id != request_id:
        raise NotFound("no such pending erasure request")
    request.status, request.cancelled_at = "cancelled", utcnow()
    session.flush()


@dataclass(frozen=True)
class PendingRow:
    id: int
    name: str | None
    requested_at: datetime
    due_at: datetime
    due: bool


@dataclass(frozen=True)
class AuditRow:
    kind: str
    at: datetime
    people: int
    rows: int
    programme_id: int | None


@dataclass(frozen=True)
class Admin:
    """The administrator's page: the settings, the pending requests and the latest audit lines."""

    settings: domain.Settings
    pending: list[PendingRow]
    audit: list[AuditRow]


def admin(session: Session, actor: Actor, now: datetime | None = None) -> Admin:
    """The organisation's erasure settings page.  :raise NotAllowed: not the organisation's administrator."""
    _admin(actor)
    now = now or utcnow()
    rows = session.execute(
        sa.select(ErasureRequest, Person.name)
        .join(Person, Person.id == ErasureRequest.person_id)
        .where(ErasureRequest.organisation_id == actor.organisation_id, ErasureRequest.status == "pending")
        .order_by(ErasureRequest.due_at, ErasureRequest.id)
    ).all()
    pending = [PendingRow(r.id, name, r.requested_at, r.due_at, _aware(r.due_at) <= now) for r, name in rows]
    audit = session.scalars(
        sa.select(ErasureAudit)
        .where(ErasureAudit.organisation_id == actor.organisation_id)
        .order_by(ErasureAudit.id.desc())
        .limit(20)
    )
    return Admin(
        settings_of(session, actor.organisation_id),
        pending,
        [AuditRow(a.kind, a.created_at, a.people, a.rows, a.programme_id) for a in audit],
    )


def _aware(at: datetime) -> datetime:
    from datetime import UTC

    return at if at.tzinfo else at.replace(tzinfo=UTC)


def save_settings(session: Session, actor: Actor, grace_days: int | None, retention_days: int | None) -> domain.Settings:
    """Set the grace and retention periods.  :raise NotAllowed: not the administrator; RuleViolation: out of range."""
    _admin(actor)
    checked = domain.settings(grace_days, retention_days)
    row = session.scalar(sa.select(ErasureSettings).where(ErasureSettings.organisation_id == actor.organisation_id))
    if row is None:
        row = ErasureSettings(organisation_id=actor.organisation_id)
        session.add(row)
    row.grace_days, row.retention_days, row.updated_by, row.updated_at = (
        checked.grace_days,
        checked.retention_days,
        actor.person_id,
        utcnow(),
    )
    session.flush()
    return checked


def due_request(session: Session, actor: Actor, request_id: int, now: datetime | None = None) -> ErasureRequest:
    """A pending request of the administrator's organisation whose grace period is over (to carry out now).

    Raises:
        NotAllowed: not the administrator.
        NotFound: no such pending request in the organisation.
        RuleViolation: its grace period is not over.
    """
    _admin(actor)
    request = session.get(ErasureRequest, request_id)
    if request is None or request.organisation_id != actor.organisation_id or request.status != "pending":
        raise NotFound("no such pending erasure request")
    if _aware(request.due_at) > (now or utcnow()):
        raise RuleViolation("The grace period of this request is not over.", "due_at")
    return request
