"""Deliver the score outbox to the platforms' gradebooks: claim, send, record; retries with backoff.

Rows are written in the sign-off's transaction (:mod:`plugin.services.signoffs`) and sent after commit
by a worker: ``tandem worker`` (any number of processes) or a thread of the web process. A claim is a
lease: a worker that dies mid-send loses it when the lease ends and another worker sends the score
again. Every attempt carries a timestamp strictly later than the previous one for that line item and
person (the platform keeps the latest and may already hold the timed-out attempt), so a score may
arrive twice but always with the same value, and a newer score is never overtaken by an older one.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import scores
from plugin.models import Person, Placement, ScoreOutbox
from plugin.models.base import utcnow
from plugin.services import notifications, placements

log = logging.getLogger("tandem.outbox")

TAG = placements.TAG


@dataclass(frozen=True)
class Item:
    """One score to send, with where it goes."""

    id: int
    placement_id: int
    registration_id: int
    lineitems_url: str | None
    lineitem_url: str | None
    scopes: tuple[str, ...]
    resource_id: str
    label: str
    user_id: str
    score_given: int
    score_maximum: int
    activity_progress: str
    grading_progress: str
    timestamp: datetime
    attempts: int


@dataclass(frozen=True)
class Result:
    """What a sender says: sent / retry / failed, with the HTTP status (409: the platform holds a later score)."""

    status: str
    http_status: int | None = None
    lineitem_url: str | None = None
    reason: str | None = None


class Sender(Protocol):
    def send(self, item: Item) -> Result: ...


@dataclass(frozen=True)
class Policy:
    lease_seconds: float = 60.0
    backoff_base: float = 2.0
    backoff_max: float = 600.0
    max_attempts: int = 12
    batch: int = 20


def claim(session: Session, policy: Policy, now: float | None = None) -> list[Item]:
    """Lease up to ``policy.batch`` due rows (one short transaction: commits)."""
    now = time.time() if now is None else now
    due = sa.select(ScoreOutbox.id).where(ScoreOutbox.status == "pending", ScoreOutbox.next_attempt_at <= now, ScoreOutbox.lease_until <= now).order_by(ScoreOutbox.id).limit(policy.batch)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        session.commit()
        return []
    session.execute(
        sa.update(ScoreOutbox)
        .where(ScoreOutbox.id.in_(ids), ScoreOutbox.status == "pending", ScoreOutbox.lease_until <= now)
        .values(lease_until=now + policy.lease_seconds, attempts=ScoreOutbox.attempts + 1)
    )
    rows = session.execute(
        sa.select(ScoreOutbox, Placement, Person.subject)
        .join(Placement, Placement.id == ScoreOutbox.placement_id)
        .join(Person, Person.id == ScoreOutbox.person_id)
        .where(ScoreOutbox.id.in_(ids), ScoreOutbox.lease_until == now + policy.lease_seconds)
        .order_by(ScoreOutbox.id)
    ).all()
    items = [
        Item(
            id=o.id,
            placement_id=p.id,
            registration_id=p.registration_id,
            lineitems_url=p.lineitems_url,
            lineitem_url=p.lineitem_url,
            scopes=tuple(p.scopes or ()),
            resource_id=p.module_slug,
            label=p.label,
            user_id=subject,
            score_given=o.score_given,
            score_maximum=o.score_maximum,
            activity_progress=o.activity_progress,
            grading_progress=o.grading_progress,
            timestamp=datetime.fromisoformat(o.timestamp),
            attempts=o.attempts,
        )
        for o, p, subject in rows
    ]
    session.commit()
    return items


def _newer_exists(session: Session, item: Item) -> bool:
    return bool(
        session.scalar(
            sa.select(ScoreOutbox.id).where(
                ScoreOutbox.placement_id == item.placement_id,
                ScoreOutbox.person_id == sa.select(ScoreOutbox.person_id).where(ScoreOutbox.id == item.id).scalar_subquery(),
                ScoreOutbox.id > item.id,
                ScoreOutbox.status.in_(("pending", "sent")),
            )
        )
    )


def record(session: Session, item: Item, result: Result, policy: Policy, now: float | None = None) -> str:
    """Write the outcome of one attempt (commits); returns the row's new status."""
    now = time.time() if now is None else now
    values: dict = {"lease_until": 0.0}
    if result.status == "sent":
        values.update(status="sent", sent_at=utcnow(), last_error=None)
        if result.lineitem_url:
            placements.remember_lineitem(session, item.placement_id, result.lineitem_url)
    elif _newer_exists(session, item):
        values.update(status="superseded", last_error=result.reason)
    elif result.status == "retry" or result.http_status == 409:
        if item.attempts >= policy.max_attempts:
            values.update(status="failed", last_error=(result.reason or "the platform did not answer")[:500])
        else:
            delay = min(policy.backoff_max, policy.backoff_base * 2 ** (item.attempts - 1)) * random.uniform(0.8, 1.2)
            values.update(next_attempt_at=now + (0 if result.http_status == 409 else delay), last_error=(result.reason or "")[:500] or None)
            # the next attempt needs a later timestamp: the platform may hold this one (a timeout that
            # arrived) or, after a 409, one in the same second (Moodle compares whole seconds)
            resolution = scores.SECOND if result.http_status == 409 else scores.MICROSECOND
            stamp = scores.next_timestamp(item.timestamp, datetime.now(UTC), resolution=resolution)
            values["timestamp"] = stamp.astimezone(UTC).isoformat(timespec="microseconds")
    else:
        values.update(status="failed", last_error=(result.reason or "refused by the platform")[:500])
    session.execute(sa.update(ScoreOutbox).where(ScoreOutbox.id == item.id).values(**values))
    if values.get("status") == "failed":
        notifications.grade_failed(session, item.id)  # the course's trainers hear, in this transaction
    session.commit()
    return values.get("status", "pending")


def run_once(session: Session, sender: Sender, policy: Policy = Policy()) -> int:
    """Claim and send what is due; returns how many attempts were made."""
    items = claim(session, policy)
    for item in items:
        try:
            result = sender.send(item)
        except Exception as exc:  # a sender must not raise; if it does, retry later
            log.exception("sending score %s failed", item.id)
            result = Result("retry", reason=type(exc).__name__)
        status = record(session, item, result, policy)
        log.info("score %s -> %s (%s)", item.id, status, result.http_status)
    return len(items)


def pending_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(ScoreOutbox).where(ScoreOutbox.status == "pending")) or 0


class Worker:
    """A loop that delivers the outbox until stopped; ``wake()`` makes it look at once (after a commit)."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        sender_factory: Callable[[Session], Sender],
        policy: Policy = Policy(),
        poll: float = 1.0,
        signal: Callable[[float], bool] | None = None,
    ) -> None:
        """``signal(timeout)`` waits for a wake-up from another process (e.g. a Redis list) and says whether one came."""
        self._signal = signal
        self._session_factory = session_factory
        self._sender_factory = sender_factory
        self._policy = policy
        self._poll = poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        #: [seconds, task(session), next run (monotonic)]: periodic jobs of `tandem worker` (coffee rounds)
        self._periodic: list[list] = []

    def every(self, seconds: float, task: Callable[[Session], object]) -> None:
        """Also run ``task(session)`` at most every ``seconds`` (first at once), between deliveries."""
        self._periodic.append([seconds, task, 0.0])

    def _run_periodic(self) -> None:
        for job in self._periodic:
            seconds, task, due = job
            if time.monotonic() < due:
                continue
            job[2] = time.monotonic() + seconds
            session = self._session_factory()
            try:
                task(session)
                session.commit()
            except Exception:
                log.exception("periodic task failed")
                session.rollback()
            finally:
                session.close()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stop.is_set():
            self._run_periodic()
            session = self._session_factory()
            try:
                sent = run_once(session, self._sender_factory(session), self._policy)
            except Exception:
                log.exception("outbox round failed")
                session.rollback()
                sent = 0
            finally:
                session.close()
            if not sent:
                if self._signal is not None and not self._wake.is_set():
                    self._signal(self._poll)
                else:
                    self._wake.wait(self._poll)
                self._wake.clear()


def backoff_schedule(policy: Policy, attempts: int) -> timedelta:
    """The base wait after ``attempts`` failed attempts (without jitter), for display."""
    return timedelta(seconds=min(policy.backoff_max, policy.backoff_base * 2 ** max(0, attempts - 1)))
