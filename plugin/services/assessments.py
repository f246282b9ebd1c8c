"""Self-assessment takes: which questionnaires a programme uses, a participant filling one in (which
writes their needs map), their growth, the trainers' view, and the cohort's growth for the dashboards.

A take is kept for good (person, questionnaire version, answers, levels, when, and whether it was the
start, a milestone or the end); growth compares the first take that measured a competence with the latest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.assessments import GrowthRow, cohort
from plugin.models import AssessmentTake, Participant

__all__ = ["GrowthRow", "cohort_growth"]


def _levels_by_participant(session: Session, programme_id: int, participant_ids: Iterable[int] | None = None) -> dict[int, list[Mapping[str, int]]]:
    query = (
        sa.select(AssessmentTake.participant_id, AssessmentTake.levels)
        .where(AssessmentTake.programme_id == programme_id)
        .order_by(AssessmentTake.participant_id, AssessmentTake.taken_at, AssessmentTake.id)
    )
    if participant_ids is not None:
        query = query.where(AssessmentTake.participant_id.in_(list(participant_ids)))
    grouped: dict[int, list[Mapping[str, int]]] = {}
    for participant_id, levels in session.execute(query):
        grouped.setdefault(participant_id, []).append(levels or {})
    return grouped


def cohort_growth(session: Session, programme_id: int, *, side: str | None = None, department: str | None = None) -> list[GrowthRow]:
    """Per competence, the median level at the first and at the latest take over the participants of the
    programme measured on it at least twice (``people``); ``side``/``department`` filter the participants.

    No authorisation here: the caller (the dashboards) has checked that the actor sees the programme.
    One query, whatever the programme's size.
    """
    query = (
        sa.select(AssessmentTake.participant_id, AssessmentTake.levels)
        .join(Participant, Participant.id == AssessmentTake.participant_id)
        .where(AssessmentTake.programme_id == programme_id, Participant.programme_id == programme_id)
        .order_by(AssessmentTake.participant_id, AssessmentTake.taken_at, AssessmentTake.id)
    )
    if side is not None:
        query = query.where(Participant.side == side)
    if department is not None:
        query = query.where(Participant.department == department)
    grouped: dict[int, list[Mapping[str, int]]] = {}
    for participant_id, levels in session.execute(query):
        grouped.setdefault(participant_id, []).append(levels or {})
    people: Sequence[Sequence[Mapping[str, int]]] = [takes for takes in grouped.values() if len(takes) >= 2]
    return cohort(people)
