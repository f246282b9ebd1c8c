"""Turn a validated launch into Tandem's records: the person, the course and their membership."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotFound
from plugin.domain.launches import LaunchFacts
from plugin.domain.roles import Role
from plugin.models import Course, Deployment, Membership, Person, Registration
from plugin.models.base import utcnow
from plugin.services.upsert import upsert_returning_id


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the web layer hands it to services (taken from the server-side launch)."""

    person_id: int
    organisation_id: int
    role: Role
    course_id: int | None = None
    registration_id: int | None = None


def record_launch(session: Session, facts: LaunchFacts) -> Actor:
    """Upsert the person, the course and the membership of a launch, in the caller's transaction.

    Idempotent: launching twice updates names and role, never duplicates.

    Raises:
        NotFound: the deployment is not registered (the LTI adapter checks this first).
    """
    row = session.execute(
        sa.select(Deployment.id, Registration.id, Registration.organisation_id)
        .join(Registration, Deployment.registration_id == Registration.id)
        .where(
            Registration.issuer == facts.issuer,
            Registration.client_id == facts.client_id,
            Deployment.deployment_id == facts.deployment_id,
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"deployment {facts.deployment_id!r} of {facts.issuer} is not registered")
    deployment_pk, registration_pk, organisation_id = row
    now = utcnow()
    ident = facts.identity
    person_id = upsert_returning_id(
        session,
        Person.__table__,
        {
            "organisation_id": organisation_id,
            "issuer": facts.issuer,
            "subject": ident.subject,
            "name": ident.display_name,
            "given_name": ident.given_name,
            "family_name": ident.family_name,
            "email": ident.email,
            "locale": facts.locale,
            "created_at": now,
            "last_seen_at": now,
        },
        keys=["issuer", "subject"],
        update=["name", "given_name", "family_name", "email", "locale", "last_seen_at"],
    )
    course_id = None
    if facts.course is not None:
        course_id = upsert_returning_id(
            session,
            Course.__table__,
            {
                "organisation_id": organisation_id,
                "deployment_id": deployment_pk,
                "context_id": facts.course.context_id,
                "title": facts.course.title,
                "label": facts.course.label,
                "created_at": now,
            },
            keys=["deployment_id", "context_id"],
            update=["title", "label"],
        )
        upsert_returning_id(
            session,
            Membership.__table__,
            {"person_id": person_id, "course_id": course_id, "role": facts.role.value, "updated_at": now},
            keys=["person_id", "course_id"],
            update=["role", "updated_at"],
        )
    return Actor(
        person_id=person_id,
        organisation_id=organisation_id,
        role=facts.role,
        course_id=course_id,
        registration_id=registration_pk,
    )
