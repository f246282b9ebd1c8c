"""Turn a validated launch into Tandem's records: the person, the course, their membership and the launch."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotFound
from plugin.domain.launches import LaunchFacts
from plugin.domain.roles import Role
from plugin.models import Course, Deployment, Launch, Membership, Person, Registration
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


#: PostgreSQL: everything a course launch writes, in one statement and so one round trip and one
#: transaction (data-modifying CTEs run exactly once each, whether or not the final SELECT reads
#: them). Same effect as the portable path in ``record_launch``.
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
    ), l AS (
      INSERT INTO launches (id, person_id, course_id, registration_id, data, created_at, expires_at)
      SELECT :launch_id, p.id, c.id, :registration_pk, :data, :now, :expires_at FROM p, c
    )
    SELECT p.id, c.id FROM p, c
    """
)

#: expired launches are swept on about one launch in this many
PURGE_EVERY = 200


def _deployment(session: Session, facts: LaunchFacts, registration: RegistrationInfo | None) -> tuple[int, int, int]:
    if registration is not None and facts.deployment_id in registration.deployment_pks:
        return registration.deployment_pks[facts.deployment_id], registration.id, registration.organisation_id
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
    return row[0], row[1], row[2]


def record_launch(
    session: Session,
    facts: LaunchFacts,
    *,
    launch_id: str,
    launch_data: str,
    ttl: int,
    registration: RegistrationInfo | None = None,
) -> Actor:
    """Upsert the person, course and membership of a launch and keep the launch, in one transaction.

    Idempotent for people, courses and memberships: launching again updates names and role.
    ``registration`` (as the launch was validated against) saves looking the deployment up.

    Raises:
        NotFound: the deployment is not registered (the LTI adapter checks this first).
    """
    deployment_pk, registration_pk, organisation_id = _deployment(session, facts, registration)
    now = utcnow()
    ident = facts.identity
    person = {
        "organisation_id": organisation_id,
        "issuer": facts.issuer,
        "subject": ident.subject,
        "name": ident.display_name,
        "given_name": ident.given_name,
        "family_name": ident.family_name,
        "email": ident.email,
        "locale": facts.locale,
    }
    launch = {"launch_id": launch_id, "registration_pk": registration_pk, "data": launch_data, "expires_at": time.time() + ttl}
    if random.randrange(PURGE_EVERY) == 0:
        session.execute(sa.delete(Launch).where(Launch.expires_at < time.time()))
    if facts.course is not None and session.get_bind().dialect.name == "postgresql":
        if not session.in_transaction():
            # One statement is its own transaction: no BEGIN/COMMIT round trips.
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        course = {"deployment_pk": deployment_pk, "context_id": facts.course.context_id, "title": facts.course.title, "label": facts.course.label}
        person_id, course_id = session.execute(
            _PG_LAUNCH, {**person, **course, **launch, "now": now, "role": facts.role.value}
        ).one()
        return Actor(person_id, organisation_id, facts.role, course_id, registration_pk)

    person_id = upsert_returning_id(
        session,
        Person.__table__,
        {**person, "created_at": now, "last_seen_at": now},
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
    session.execute(
        sa.insert(Launch).values(
            id=launch_id,
            person_id=person_id,
            course_id=course_id,
            registration_id=registration_pk,
            data=launch_data,
            created_at=now,
            expires_at=launch["expires_at"],
        )
    )
    return Actor(person_id, organisation_id, facts.role, course_id, registration_pk)


def launch_data(session: Session, actor: Actor, launch_id: str) -> str | None:
    """The data kept with launch ``launch_id``, only for the person who launched it and until it expires."""
    return session.scalar(
        sa.select(Launch.data).where(
            Launch.id == launch_id, Launch.person_id == actor.person_id, Launch.expires_at > time.time()
        )
    )
