"""Read side of the role home pages; every query is scoped to the actor's organisation."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotAllowed
from plugin.domain.launches import LaunchFacts
from plugin.domain.roles import Role
from plugin.models import Course, Deployment, Membership, Organisation, Person, Registration
from plugin.services.launches import Actor


@dataclass(frozen=True)
class CourseSummary:
    """A course with how many people of each role have launched Tandem in it."""

    id: int
    title: str | None
    label: str | None
    trainers: int = 0
    participants: int = 0


@dataclass(frozen=True)
class PlatformSummary:
    """A registration of the organisation, with its deployments."""

    issuer: str
    client_id: str
    platform_name: str | None
    deployments: int


@dataclass(frozen=True)
class Home:
    """What a role home page shows."""

    role: Role
    person_name: str | None
    organisation_name: str
    course: CourseSummary | None = None
    courses: list[CourseSummary] = field(default_factory=list)
    platforms: list[PlatformSummary] = field(default_factory=list)
    people: int = 0


def _course_summaries(session: Session, organisation_id: int, course_id: int | None = None) -> list[CourseSummary]:
    """Courses of the organisation (or just ``course_id``) with their trainer and participant counts."""
    courses = sa.select(Course.id, Course.title, Course.label).where(Course.organisation_id == organisation_id)
    if course_id is not None:
        courses = courses.where(Course.id == course_id)
    courses = courses.subquery()
    rows = session.execute(
        sa.select(
            courses.c.id,
            courses.c.title,
            courses.c.label,
            sa.func.count(Membership.id).filter(Membership.role == Role.TRAINER.value).label("trainers"),
            sa.func.count(Membership.id).filter(Membership.role == Role.PARTICIPANT.value).label("participants"),
        )
        .outerjoin(Membership, Membership.course_id == courses.c.id)
        .group_by(courses.c.id, courses.c.title, courses.c.label)
        .order_by(courses.c.title, courses.c.id)
    )
    return [CourseSummary(id=r.id, title=r.title, label=r.label, trainers=r.trainers, participants=r.participants) for r in rows]


def home_for(session: Session, actor: Actor) -> Home:
    """The home page of ``actor``: trainers and participants see their course, admins their organisation.

    Raises:
        NotAllowed: the person does not belong to the actor's organisation (a forged or stale session).
    """
    row = session.execute(
        sa.select(Person.name, Organisation.name, Course.id, Course.title, Course.label)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(Course, sa.and_(Course.id == actor.course_id, Course.organisation_id == actor.organisation_id))
        .where(Person.id == actor.person_id, Person.organisation_id == actor.organisation_id)
    ).one_or_none()
    if row is None:
        raise NotAllowed("unknown person for this organisation")
    person_name, org_name, course_id, title, label = row
    course = CourseSummary(id=course_id, title=title, label=label) if course_id is not None else None
    if actor.role is Role.TRAINER and course is not None:
        course = _course_summaries(session, actor.organisation_id, course.id)[0]
    if actor.role is not Role.ORG_ADMIN:
        return Home(role=actor.role, person_name=person_name, organisation_name=org_name, course=course)
    platforms = [
        PlatformSummary(r.issuer, r.client_id, r.platform_name, r.deployments)
        for r in session.execute(
            sa.select(
                Registration.issuer,
                Registration.client_id,
                Registration.platform_name,
                sa.func.count(Deployment.id).label("deployments"),
            )
            .outerjoin(Deployment, Deployment.registration_id == Registration.id)
            .where(Registration.organisation_id == actor.organisation_id)
            .group_by(Registration.id)
            .order_by(Registration.id)
        )
    ]
    people = session.scalar(
        sa.select(sa.func.count(Person.id)).where(Person.organisation_id == actor.organisation_id)
    )
    return Home(
        role=actor.role,
        person_name=person_name,
        organisation_name=org_name,
        course=course,
        courses=_course_summaries(session, actor.organisation_id),
        platforms=platforms,
        people=people or 0,
    )


def home_after_launch(session: Session, actor: Actor, facts: LaunchFacts, organisation_name: str) -> Home:
    """The home page right after ``facts`` were recorded: what the launch said needs no query again."""
    if actor.role in (Role.ORG_ADMIN, Role.TRAINER):
        return home_for(session, actor)
    course = None
    if facts.course is not None and actor.course_id is not None:
        course = CourseSummary(id=actor.course_id, title=facts.course.title, label=facts.course.label)
    return Home(role=actor.role, person_name=facts.identity.display_name, organisation_name=organisation_name, course=course)
