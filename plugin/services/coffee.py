"""Virtual coffee roulette: the use cases (one transaction per state change; the caller commits)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from plugin.domain.agenda import TimedEntry


def calendar_entries(session: Session, person_id: int, course_id: int) -> list[TimedEntry]:
    """The person's appointments of this format in the course, for their calendar feed."""
    return []
