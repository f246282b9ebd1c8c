"""GDPR erasure and retention: the use cases (one transaction per state change; the caller commits).

- :mod:`plugin.services.erasure_requests`: a participant asks for erasure, confirms, may cancel during the
  grace period; the organisation's administrator sets the grace and retention periods.
- :mod:`plugin.services.erasure_tables`: the erasure itself, table by table (the one list of tables).
- :mod:`plugin.services.erasure_retention`: when a programme ended and whether it is past retention.

Every erasure and purge writes an audit line: an ``erasure_audit`` row and a log line (what, when, how many).
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.models.base import utcnow
from plugin.models.erasure import ErasureAudit, ErasureRequest
from plugin.services import erasure_requests, erasure_retention, erasure_tables
from plugin.services.erasure_requests import admin, ask, cancel, mine, save_settings, settings_of
from plugin.services.launches import Actor

__all__ = [
    "admin",
    "ask",
    "cancel",
    "carry_out",
    "erase_now",
    "mine",
    "purge_programme",
    "run_due",
    "save_settings",
    "seed_example",
    "settings_of",
]

log = logging.getLogger(__name__)


def carry_out(
    session: Session, request: ErasureRequest, actor_id: int | None = None, now: datetime | None = None
) -> ErasureAudit:
    """Erase the request's person everywhere in their organisation and write the audit line."""
    counts = erasure_tables.erase(session, erasure_tables.scope_for(session, request.person_id))
    request.status, request.done_at = "done", now or utcnow()
    audit = ErasureAudit(
        organisation_id=request.organisation_id,
        kind="erasure",
        request_id=request.id,
        people=1,
        rows=sum(counts.values()),
        tables=counts,
        actor_id=actor_id,
        created_at=request.done_at,
    )
    session.add(audit)
    session.flush()
    log.info(
        "erasure: request %s of organisation %s carried out at %s: %s rows (%s)",
        request.id,
        request.organisation_id,
        request.done_at.isoformat(),
        audit.rows,
        counts,
    )
    return audit


def erase_now(session: Session, actor: Actor, request_id: int) -> ErasureAudit:
    """The administrator carries out a request whose grace period is over (e.g. with a grace period of 0)."""
    return carry_out(session, erasure_requests.due_request(session, actor, request_id), actor.person_id)


def purge_programme(session: Session, organisation_id: int, programme_id: int, now: datetime | None = None) -> ErasureAudit:
    """Retention: erase every participant's data in the programme (their accounts stay) and write the audit line."""
    now = now or utcnow()
    totals: dict[str, int] = {}
    people = erasure_retention.participants_of(session, programme_id)
    for person_id in people:
        for table, n in erasure_tables.erase(session, erasure_tables.scope_for(session, person_id, [programme_id])).items():
            totals[table] = totals.get(table, 0) + n
    audit = ErasureAudit(
        organisation_id=organisation_id,
        kind="retention",
        programme_id=programme_id,
        people=len(people),
        rows=sum(totals.values()),
        tables=totals,
        created_at=now,
    )
    session.add(audit)
    session.flush()
    log.info(
        "retention: programme %s of organisation %s purged at %s: %s people, %s rows (%s)",
        programme_id,
        organisation_id,
        now.isoformat(),
        len(people),
        audit.rows,
        totals,
    )
    return audit


def run_due(session: Session, now: datetime | None = None) -> int:
    """What ``tandem worker`` runs periodically: erasures past their grace period and retention purges.

    Each is its own transaction (committed here, as the worker's other tasks do). Returns how many were carried out."""
    now = now or utcnow()
    done = 0
    while True:
        query = (
            sa.select(ErasureRequest)
            .where(ErasureRequest.status == "pending", ErasureRequest.due_at <= now)
            .order_by(ErasureRequest.id)
            .limit(1)
        )
        request = session.scalar(query.with_for_update(skip_locked=True))
        if request is None:
            break
        carry_out(session, request, now=now)
        session.commit()
        done += 1
    for organisation_id, programme_id in erasure_retention.due_programmes(session, now):
        purge_programme(session, organisation_id, programme_id, now)
        session.commit()
        done += 1
    session.commit()
    return done


def seed_example(session: Session, person_id: int, organisation_id: int) -> ErasureRequest:
    """For the demo: a pending erasure request of ``person_id`` (they can cancel it on their erasure page)."""
    from plugin.domain.roles import Role

    return ask(session, Actor(person_id, organisation_id, Role.PARTICIPANT), confirmed=True)


def is_erased(session: Session, person_id: int) -> bool:
    """Whether the person's account was erased (a browser session from before the erasure no longer counts)."""
    from plugin.domain.erasure import ERASED_SUBJECT_PREFIX
    from plugin.models import Person

    subject = session.scalar(sa.select(Person.subject).where(Person.id == person_id))
    return subject is None or subject.startswith(ERASED_SUBJECT_PREFIX)
