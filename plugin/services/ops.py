"""What an operator reads from the database: the score outbox's depth and rows by status, the background jobs' durations,
the schema's migration revision. Counted in the database, so every instance (and ``tandem worker``) agrees.

No personal data: counts, ages and durations only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.models import Job, ScoreOutbox

#: every status of an outbox row (a row's status changes: failed or pending can later become superseded)
STATUSES = ("pending", "sent", "failed", "superseded")


@dataclass(frozen=True)
class OutboxStats:
    """The score outbox now: scores waiting, the age of the oldest, the rows in each status and the attempts made."""

    pending: int
    oldest_pending_seconds: float
    rows: dict[str, int]
    attempts: int


@dataclass(frozen=True)
class JobDuration:
    """One finished background job: its kind (match, roster, publish), how it ended and how long it took."""

    kind: str
    status: str
    seconds: float


def _aware(value: datetime) -> datetime:
    # SQLite hands DateTime(timezone=True) back without its zone; Tandem writes UTC only
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def outbox_stats(session: Session, now: datetime | None = None) -> OutboxStats:
    """Counts of the score outbox (one grouped statement) and the oldest pending score's age in seconds (0 when none)."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        sa.select(ScoreOutbox.status, sa.func.count(), sa.func.coalesce(sa.func.sum(ScoreOutbox.attempts), 0), sa.func.min(ScoreOutbox.created_at)).group_by(ScoreOutbox.status)
    ).all()
    counts = {status: int(count) for status, count, _attempts, _oldest in rows}
    oldest = next((first for status, _count, _attempts, first in rows if status == "pending" and first is not None), None)
    age = max(0.0, (now - _aware(oldest)).total_seconds()) if oldest is not None else 0.0
    return OutboxStats(
        pending=counts.get("pending", 0),
        oldest_pending_seconds=age,
        rows={status: counts.get(status, 0) for status in STATUSES},
        attempts=sum(int(attempts) for _status, _count, attempts, _oldest in rows),
    )


def job_durations(session: Session) -> list[JobDuration]:
    """Every finished job's duration, from its creation (the trainer's click) to its end."""
    rows = session.execute(sa.select(Job.kind, Job.status, Job.created_at, Job.finished_at).where(Job.finished_at.is_not(None))).all()
    return [JobDuration(kind, status, max(0.0, (_aware(finished) - _aware(created)).total_seconds())) for kind, status, created, finished in rows]


def database_revisions(session: Session) -> set[str] | None:
    """The Alembic revision(s) the database is at, or None when it was never migrated.

    Raises:
        sqlalchemy.exc.DBAPIError: the database cannot be reached.
    """
    if not sa.inspect(session.connection()).has_table("alembic_version"):
        return None
    return set(session.scalars(sa.text("SELECT version_num FROM alembic_version")))
