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
from plugin.services.platforms import RegistrationInfo
from plugin.services.upsert import upsert_returning_id


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the web layer hands it to services (taken from the server-side launch)."""

    person_id: int
    organisation_id: int
    role: Role
    course_id: int | None = None
    registration_id: int | None = None


#: PostgreSQL: the three upserts of a course launch in one round trip (data-modifying CTEs run once
#: each, whether or not the final SELECT reads them). Same effect as the portable path below.
_PG_LAUNCH = sa.text(
    """
    WITH p AS (
      INSERT INTO people (organisation_id, issuer, subject, name, given_name, family_name, email, locale, created_at, last_seen_at)
      VALUES (:organisation_id, :issuer, :subject, :name, :given_name, :family_name, :email, :locale, :now, :now)
      ON CONFLICT (issuer, subject) DO UPDATE SET name = EXCLUDED.name, given_name = EXCLUDED.given_name,
        family_name = EXCLUDED.family_name, email = EXCLUDED.email, locale = EXCLUDED.locale,
        last_seen_at = EXCLUDED.last_seen_at
      RETURNING id
    ), c AS (
      INSERT INTO courses (organisation_id, deployment_id, context_id, title, label, created_at)
      VALUES (:organisation_id, :deployment_pk, :context_id, :title, :label, :now)
      ON CONFLICT (deployment_id, context_id) DO UPDATE SET title = EXCLUDED.title, label = EXCLUDED.label
      RETURNING id
    ), m AS (
      INSERT INTO memberships (person_id, course_id, role, updated_at)
      SELECT p.id, c.id, :role, :now FROM p, c
      ON CONFLICT (person_id, course_id) DO UPDATE SET role = EXCLUDED.role, updated_at = EXCLUDED.updated_at
    )
    SELECT p.id, c.id FROM p, c
    """
)


def record_launch(session: Session, facts: LaunchFacts, registration: RegistrationInfo | None = None) -> Actor:
    """Upsert the person, the course and the membership of a launch, in the caller's transaction.

    Idempotent: launching twice updates names and role, never duplicates. ``registration`` (as
    the launch was validated against) saves looking the deployment up again.

    Raises:
        NotFound: the deployment is not registered (the LTI adapter checks this first).
    """
    if registration is not None and facts.deployment_id in registration.deployment_pks:
        deployment_pk = registration.deployment_pks[facts.deployment_id]
        registration_pk, organisation_id = registration.id, registration.organisation_id
    else:
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
    if facts.course is not None and session.get_bind().dialect.name == "postgresql":
        person_id, course_id = session.execute(
            _PG_LAUNCH,
            {
                "organisation_id": organisation_id,
                "issuer": facts.issuer,
                "subject": ident.subject,
                "name": ident.display_name,
                "given_name": ident.given_name,
                "family_name": ident.family_name,
                "email": ident.email,
                "locale": facts.locale,
                "now": now,
                "deployment_pk": deployment_pk,
                "context_id": facts.course.context_id,
                "title": facts.course.title,
                "label": facts.course.label,
                "role": facts.role.value,
            },
        ).one()
        return Actor(person_id, organisation_id, facts.role, course_id, registration_pk)
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
