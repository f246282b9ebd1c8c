"""The notifications outbox: rows written in the event's transaction, claimed with a lease, sent once.

``notify`` is the one way a message enters the outbox. It inserts one row per recipient with
``ON CONFLICT DO NOTHING`` on ``(kind, subject_key, person_id)``, so an event written twice (a reminder
found by two workers) is told once, and a rolled-back event leaves no row. ``deliver`` (``tandem worker``,
any number of processes) claims due rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
conditional UPDATE tagged with a claim token everywhere), renders them in the recipient's language and
hands them to the mailer; a failure waits with exponential backoff and tries again. A row is marked sent
in the same short transaction right after the SMTP server accepted it; the Message-ID is derived from the
row ids, so in the one window left (a worker killed between the two) a receiving server sees the same
message id again.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plugin.domain import notifications as domain
from plugin.models import Notification, NotificationPreference, Person
from plugin.models.base import utcnow

log = logging.getLogger("tandem.notifications")


@dataclass(frozen=True)
class Policy:
    lease_seconds: float = 120.0
    backoff_base: float = 5.0
    backoff_max: float = 1800.0
    #: about two days of retries at the cap before a message counts as failed
    max_attempts: int = 100
    batch: int = 50


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str | None
    email: str
    language: str


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    values: dict[str, Any]
    link: str


class Unreachable(Exception):
    """The mail server cannot be reached (down, refusing connections, timing out, login refused): this round stops."""


class Mailer(Protocol):
    """Sends one message; raises :class:`Unreachable` when the server cannot be reached, another exception
    when this one message was not accepted (the row is then retried, the others still go)."""

    def send(self, message: EmailMessage) -> None: ...


class Renderer(Protocol):
    """Builds the message for one recipient: one item, or several in a daily digest."""

    def render(self, recipient: Recipient, items: Sequence[Item], digest: bool) -> EmailMessage: ...


def _preferences(session: Session, person_ids: Iterable[int]) -> dict[tuple[int, str], tuple[bool, str]]:
    rows = session.execute(
        sa.select(NotificationPreference.person_id, NotificationPreference.kind, NotificationPreference.enabled, NotificationPreference.mode).where(
            NotificationPreference.person_id.in_(list(set(person_ids)))
        )
    ).all()
    return {(p, k): (e, m) for p, k, e, m in rows}


def notify(
    session: Session,
    kind: str,
    recipients: Iterable[int | None],
    values: dict[str, Any],
    *,
    subject_key: str,
    organisation_id: int,
    link: str = "/home",
    course_id: int | None = None,
    now: float | None = None,
) -> int:
    """Write one outbox row per recipient in the caller's transaction (flushes, never commits).

    Returns how many rows were new (an event told before is not told again)."""
    if kind not in domain.KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = sorted({int(p) for p in recipients if p is not None})
    if not people:
        return 0
    now = time.time() if now is None else now
    prefs = _preferences(session, people)
    rows = [
        {
            "organisation_id": organisation_id,
            "person_id": p,
            "course_id": course_id,
            "kind": kind,
            "subject_key": subject_key[:160],
            "values": values,
            "link": link[:500],
            "email_status": "pending",
            "attempts": 0,
            "next_attempt_at": domain.due_at(prefs.get((p, kind), (True, "immediate"))[1], now),
            "lease_until": 0.0,
            "created_at": utcnow(),
        }
        for p in people
    ]
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(Notification)
    new = session.execute(insert.on_conflict_do_nothing(index_elements=["kind", "subject_key", "person_id"]).returning(Notification.id), rows).all()
    session.flush()
    return len(new)


def claim(session: Session, policy: Policy, now: float | None = None) -> list[Notification]:
    """Lease up to ``policy.batch`` due rows (one short transaction: commits)."""
    now = time.time() if now is None else now
    due = (
        sa.select(Notification.id)
        .where(Notification.email_status == "pending", Notification.next_attempt_at <= now, Notification.lease_until <= now)
        .order_by(Notification.person_id, Notification.id)
        .limit(policy.batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        session.commit()
        return []
    token = uuid.uuid4().hex
    session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(ids), Notification.email_status == "pending", Notification.lease_until <= now)
        .values(lease_until=now + policy.lease_seconds, attempts=Notification.attempts + 1, claim=token)
        .execution_options(synchronize_session=False)
    )
    rows = list(session.scalars(sa.select(Notification).where(Notification.claim == token, Notification.id.in_(ids)).order_by(Notification.id)))
    session.commit()
    return rows


def _mark(session: Session, ids: Sequence[int], **values: Any) -> None:
    session.execute(sa.update(Notification).where(Notification.id.in_(list(ids))).values(lease_until=0.0, claim=None, **values).execution_options(synchronize_session=False))
    session.commit()


def _failed(session: Session, rows: Sequence[Notification], reason: str, policy: Policy, now: float) -> None:
    for row in rows:
        if row.attempts >= policy.max_attempts:
            _mark(session, [row.id], email_status="failed", last_error=reason[:500])
        else:
            delay = domain.backoff(row.attempts, policy.backoff_base, policy.backoff_max) * random.uniform(0.8, 1.2)
            _mark(session, [row.id], next_attempt_at=now + delay, last_error=reason[:500])


def deliver(session: Session, mailer: Mailer, renderer: Renderer, policy: Policy = Policy(), now: float | None = None) -> int:
    """Claim what is due and send it; returns how many messages the mailer accepted."""
    now = time.time() if now is None else now
    rows = claim(session, policy, now)
    if not rows:
        return 0
    people = {p.id: p for p in session.scalars(sa.select(Person).where(Person.id.in_({r.person_id for r in rows})))}
    prefs = _preferences(session, people)
    session.commit()
    sent = 0
    done: set[int] = set()
    for person_id in sorted(people):
        person = people[person_id]
        mine = [r for r in rows if r.person_id == person_id]
        off = [r.id for r in mine if not prefs.get((person_id, r.kind), (True, ""))[0]]
        if off:
            _mark(session, off, email_status="off")
            done.update(off)
        live = [r for r in mine if r.id not in off]
        if live and not (person.email or "").strip():
            _mark(session, [r.id for r in live], email_status="no_email")
            done.update(r.id for r in live)
            continue
        digest = [r for r in live if prefs.get((person_id, r.kind), (True, "immediate"))[1] == "digest"]
        batches = [[r] for r in live if r not in digest] + ([digest] if digest else [])
        recipient = Recipient(person.id, person.name, person.email.strip() if person.email else "", domain.language_of(person.locale))
        for batch in batches:
            items = [Item(r.id, r.kind, dict(r.values or {}), r.link) for r in batch]
            try:
                mailer.send(renderer.render(recipient, items, digest=len(batch) > 1 or batch is digest))
            except Unreachable as exc:  # the server is down: every row left in this claim waits, none is tried now
                log.warning("mail server unreachable, %s notification(s) wait: %s", len(rows) - len(done), exc)
                _failed(session, [r for r in rows if r.id not in done], f"unreachable: {exc}", policy, now)
                return sent
            except Exception as exc:  # this message was refused: it waits, the others still go
                log.warning("notification(s) %s not sent: %s", [r.id for r in batch], exc)
                _failed(session, batch, f"{type(exc).__name__}: {exc}", policy, now)
                done.update(r.id for r in batch)
                continue
            _mark(session, [r.id for r in batch], email_status="sent", sent_at=utcnow(), last_error=None)
            done.update(r.id for r in batch)
            sent += 1
    return sent


def pending_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.email_status == "pending")) or 0
