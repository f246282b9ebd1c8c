"""Long tasks (roster sync, matching) run in the background; their progress lives in the database.

A job row is written in the request that starts it; the task runs elsewhere (a thread of the same
process, see :mod:`plugin.adapters.jobs`) and reports progress in short transactions of its own,
so any worker answers the progress page. A task's real work is one transaction at its end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotFound
from plugin.models import Job
from plugin.models.base import utcnow
from plugin.services.launches import Actor

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class JobView:
    """What a progress page shows."""

    id: int
    kind: str
    status: str
    done: int
    total: int | None
    message: dict[str, Any]

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        if not self.total:
            return 0
        return max(0, min(99, self.done * 100 // self.total))

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "done": self.done, "total": self.total, "percent": self.percent, "finished": self.finished, "message": self.message}


def create(session: Session, actor: Actor, programme_id: int, kind: str, total: int | None = None) -> int:
    """A queued job of ``kind`` for the programme (the caller checked the actor may start it)."""
    job = Job(organisation_id=actor.organisation_id, programme_id=programme_id, kind=kind, total=total, started_by=actor.person_id, message={})
    session.add(job)
    session.flush()
    return job.id


def running(session: Session, programme_id: int, kind: str) -> int | None:
    """The id of an unfinished job of ``kind`` for the programme, if any."""
    return session.scalar(
        sa.select(Job.id).where(Job.programme_id == programme_id, Job.kind == kind, Job.status.in_((QUEUED, RUNNING))).order_by(Job.id.desc()).limit(1)
    )


def report(session: Session, job_id: int, done: int, total: int | None = None, status: str = RUNNING, **message: Any) -> None:
    """Record progress (its own short transaction: the caller commits)."""
    values: dict[str, Any] = {"done": done, "status": status}
    if total is not None:
        values["total"] = total
    if message:
        values["message"] = message
    if status in (DONE, FAILED):
        values["finished_at"] = utcnow()
    session.execute(sa.update(Job).where(Job.id == job_id).values(**values))


def view(session: Session, actor: Actor, job_id: int, programme_id: int) -> JobView:
    """A job of the actor's programme.

    Raises:
        NotFound: no such job in this programme (other organisations' jobs included).
    """
    job = session.scalar(sa.select(Job).where(Job.id == job_id, Job.programme_id == programme_id, Job.organisation_id == actor.organisation_id))
    if job is None:
        raise NotFound("no such job")
    return JobView(job.id, job.kind, job.status, job.done, job.total, dict(job.message or {}))


def stage_reporter(session: Session, job_id: int, clock: Callable[[], float] = time.monotonic) -> Callable[[str, int], None]:
    """A ``progress(stage, percent)`` callback for a job (matching) that commits each report on its own and
    keeps the trail of stages in the job's message.

    ``progress.expect(shares, prior_seconds)`` (before the first stage) makes every report carry
    ``eta_seconds``, the time left: see :func:`remaining_seconds`; ``shares`` is the expected share of
    the job's time per stage, ``prior_seconds`` the expected duration before any stage is measured."""

    trail: list[list] = []
    started = clock()
    stage_starts: list[float] = []
    model: dict[str, Any] = {}

    def progress(stage: str, percent: int) -> None:
        now = clock()
        trail.append([stage, percent])
        stage_starts.append(now - started)
        extra: dict[str, Any] = {}
        if model:
            done = [(name, stage_starts[i + 1] - stage_starts[i]) for i, (name, _) in enumerate(trail[:-1])]
            extra["eta_seconds"] = remaining_seconds(model["shares"], model["prior"], done, stage, now - started - stage_starts[-1])
        report(session, job_id, percent, total=100, status=RUNNING, key=stage, trail=trail, **extra)
        session.commit()

    def expect(shares: dict[str, float], prior_seconds: float) -> None:
        model.update(shares=dict(shares), prior=float(prior_seconds))

    progress.trail = trail  # type: ignore[attr-defined]
    progress.expect = expect  # type: ignore[attr-defined]
    return progress


def remaining_seconds(shares: dict[str, float], prior: float, done: list[tuple[str, float]], current: str, in_current: float) -> int:
    """Seconds left in a job whose stages take the expected ``shares`` of its time, after the stages
    ``done`` (name, seconds each) and ``in_current`` seconds into the ``current`` one. The expected
    duration is the ``prior`` until a stage is measured; then the measured stages' time over their
    shares, weighted by how much of the job they cover, with the prior for the rest. At least 1 s."""
    covered = min(1.0, sum(shares.get(name, 0.0) for name, _ in done))
    spent = sum(seconds for _, seconds in done)
    total = prior if covered <= 0 else covered * (spent / covered) + (1 - covered) * prior
    # the current stage takes at least what it has taken so far
    left = max(total - spent - in_current, shares.get(current, 0.0) * total - in_current, 0.0)
    return max(1, round(left))
