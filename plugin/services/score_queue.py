"""Put a learner's score in the outbox (the caller's transaction), for every capability that grades:
a tandem's or a group's module track, an event's attendance.

The outbox worker (:mod:`plugin.services.outbox`) delivers it after commit. Timestamps are strictly
increasing per line item and person; a newer score supersedes a pending older one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import scores
from plugin.models import ScoreOutbox
from plugin.services import placements


def enqueue(
    session: Session,
    *,
    organisation_id: int,
    course_id: int,
    slug: str,
    version: int,
    label: str,
    person_id: int,
    score: Any,
    now: datetime,
    **owner: int | None,
) -> ScoreOutbox | None:
    """Queue ``score(timestamp) -> scores.Score`` for ``person_id`` on the line item of ``slug`` in the course.

    ``owner`` names what the score is for (``tandem_id=``, ``group_id=``, or another owner column of
    ``score_outbox``). Returns None (nothing queued) when the course offers no gradebook.
    """
    placement = placements.for_module(session, course_id, slug, version, label)
    if placement is None:
        return None
    last = session.scalar(
        sa.select(ScoreOutbox.timestamp)
        .where(ScoreOutbox.placement_id == placement.id, ScoreOutbox.person_id == person_id)
        .order_by(ScoreOutbox.id.desc())
        .limit(1)
    )
    stamp = scores.next_timestamp(datetime.fromisoformat(last) if last else None, now)
    given = score(stamp)
    session.execute(
        sa.update(ScoreOutbox)
        .where(ScoreOutbox.placement_id == placement.id, ScoreOutbox.person_id == person_id, ScoreOutbox.status == "pending")
        .values(status="superseded")
    )
    row = ScoreOutbox(
        organisation_id=organisation_id,
        placement_id=placement.id,
        person_id=person_id,
        score_given=given.score_given,
        score_maximum=given.score_maximum,
        activity_progress=given.activity_progress.value,
        grading_progress=given.grading_progress.value,
        timestamp=given.timestamp.astimezone(UTC).isoformat(timespec="microseconds"),
        status="pending",
        **owner,
    )
    session.add(row)
    session.flush()
    return row
