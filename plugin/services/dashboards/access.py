"""Who sees which dashboard: the course's trainers its programme's, organisation administrators every
programme's of their organisation and the organisation's."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.roles import Role
from plugin.models import Course, Programme
from plugin.services.launches import Actor


def require_viewer(actor: Actor) -> None:
    """:raise NotAllowed: not a trainer nor an administrator (participants and observers see no dashboard)."""
    if actor.role not in (Role.TRAINER, Role.ORG_ADMIN):
        raise NotAllowed("only trainers and organisation administrators see dashboards")


def require_admin(actor: Actor) -> None:
    """:raise NotAllowed: not an organisation administrator."""
    if actor.role is not Role.ORG_ADMIN:
        raise NotAllowed("only organisation administrators see the organisation's dashboard")


def programme_for(session: Session, actor: Actor, cohort: int | None) -> tuple[Programme | None, str]:
    """The programme of the dashboard and its course's title: the actor's course, or (administrators) the cohort asked for.

    Returns ``(None, title)`` when the course has no programme yet.
    :raise NotAllowed: a participant or observer.  :raise NotFound: a cohort the actor may not see (another
        course for a trainer, another organisation's for anyone) or no course at all.
    """
    require_viewer(actor)
    course_id = actor.course_id if cohort is None else cohort
    if course_id is None or (actor.role is Role.TRAINER and course_id != actor.course_id):
        raise NotFound("no such cohort")
    row = session.execute(
        sa.select(Course.title, Course.label, Course.context_id, Programme)
        .outerjoin(Programme, sa.and_(Programme.course_id == Course.id, Programme.organisation_id == actor.organisation_id))
        .where(Course.id == course_id, Course.organisation_id == actor.organisation_id)
    ).one_or_none()
    if row is None:
        raise NotFound("no such cohort")
    return row.Programme, row.title or row.label or row.context_id
