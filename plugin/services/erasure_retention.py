"""Retention: a programme's participants' data is purged a set time after the programme's last activity.

A programme ends with its last activity: the latest of its participants' launches (memberships of its
course), tandem sessions held, group sessions, circle meetings, events' ends and the programme's own last
change. There is no explicit end date: a programme nobody opens nor works in any more has ended.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import erasure as domain
from plugin.models import Membership, MentoringSession, Participant, Programme, Tandem
from plugin.models.circles import Circle, CircleMeeting
from plugin.models.erasure import ErasureAudit, ErasureSettings
from plugin.models.events import Event
from plugin.models.groups import Group, GroupSession


def _aware(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def last_activity(session: Session, programme_id: int) -> datetime | None:
    """The programme's last activity (see the module's note)."""
    programme = session.get(Programme, programme_id)
    candidates = [
        programme.updated_at,
        session.scalar(sa.select(sa.func.max(Membership.updated_at)).where(Membership.course_id == programme.course_id)),
        session.scalar(
            sa.select(sa.func.max(MentoringSession.held_on))
            .join(Tandem, Tandem.id == MentoringSession.tandem_id)
            .where(Tandem.programme_id == programme_id)
        ),
        session.scalar(
            sa.select(sa.func.max(GroupSession.starts_at))
            .join(Group, Group.id == GroupSession.group_id)
            .where(Group.programme_id == programme_id)
        ),
        session.scalar(
            sa.select(sa.func.max(CircleMeeting.held_at))
            .join(Circle, Circle.id == CircleMeeting.circle_id)
            .where(Circle.programme_id == programme_id)
        ),
        session.scalar(sa.select(sa.func.max(Event.ends_at)).where(Event.programme_id == programme_id)),
    ]
    found = [_aware(c if not isinstance(c, str) else datetime.fromisoformat(c)) for c in candidates if c is not None]
    return max(found) if found else None


def due_programmes(session: Session, now: datetime) -> list[tuple[int, int]]:
    """(organisation id, programme id) of programmes past their organisation's retention and not purged yet."""
    purged = sa.select(ErasureAudit.programme_id).where(ErasureAudit.programme_id.is_not(None))
    rows = session.execute(
        sa.select(Programme.organisation_id, Programme.id, ErasureSettings.retention_days)
        .join(ErasureSettings, ErasureSettings.organisation_id == Programme.organisation_id)
        .where(ErasureSettings.retention_days.is_not(None), Programme.id.not_in(purged))
        .order_by(Programme.id)
    ).all()
    return [(r.organisation_id, r.id) for r in rows if domain.retention_over(last_activity(session, r.id), r.retention_days, now)]


def participants_of(session: Session, programme_id: int) -> list[int]:
    return list(
        session.scalars(
            sa.select(Participant.person_id).where(Participant.programme_id == programme_id).order_by(Participant.person_id)
        )
    )
