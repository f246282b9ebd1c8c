"""A person's own data, for them to download (GDPR access): profile, memberships, programme profiles, tandems
with their agreements, plans and sessions (shared notes), and *their own* private notes and reflections only;
then their groups and focused mentorings, circles, coffee matches and events (``personal_export_formats``).

The partner's (or another member's) private notes, reflections, commitments and feedback are never part of
it; of other people it holds only the names of those the person works with.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.agreements import Principle
from plugin.models import Agreement, Course, MentoringSession, Membership, Participant, Person, Plan, PrivateNote, Reflection, Tandem
from plugin.models.base import utcnow
from plugin.services import personal_export_formats as formats
from plugin.services.launches import Actor

FORMAT = "tandem-personal-export/2"


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def export(session: Session, actor: Actor) -> dict[str, Any]:
    """Everything Tandem keeps about the actor that is theirs to see (JSON-ready)."""
    person = session.get(Person, actor.person_id)
    if person is None or person.organisation_id != actor.organisation_id:
        return {"format": FORMAT, "exported_at": _iso(utcnow()), "person": None}
    courses = session.execute(
        sa.select(Course.id, Course.title, Membership.role).join(Membership, Membership.course_id == Course.id).where(Membership.person_id == person.id).order_by(Course.id)
    )
    profiles = session.scalars(sa.select(Participant).where(Participant.person_id == person.id).order_by(Participant.id))
    tandems = session.scalars(
        sa.select(Tandem).where(sa.or_(Tandem.digital_person_id == person.id, Tandem.expert_person_id == person.id)).order_by(Tandem.id)
    ).all()
    groups, focused = formats.groups(session, person.organisation_id, person.id)
    return {
        "format": FORMAT,
        "exported_at": _iso(utcnow()),
        "person": {
            "id": person.id,
            "name": person.name,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "email": person.email,
            "locale": person.locale,
            "platform": person.issuer,
            "platform_user_id": person.subject,
            "first_seen": _iso(person.created_at),
            "last_seen": _iso(person.last_seen_at),
        },
        "courses": [{"id": c.id, "title": c.title, "role": c.role} for c in courses],
        "programme_profiles": [_profile(p) for p in profiles],
        "tandems": [_tandem(session, person.id, t) for t in tandems],
        "groups": groups,
        "focused_mentorings": focused,
        "circles": formats.circles(session, person.organisation_id, person.id),
        "coffee": formats.coffee(session, person.organisation_id, person.id),
        "events": formats.events(session, person.organisation_id, person.id),
    }


def _profile(row: Participant) -> dict[str, Any]:
    return {
        "programme_id": row.programme_id,
        "side": row.side,
        "languages": row.languages,
        "timezone": row.timezone,
        "cadence": row.cadence,
        "department": row.department,
        "capacity": row.capacity,
        "needs": row.needs,
        "goals": row.goals,
        "wishes": row.wishes,
        "vetoes": row.vetoes,
        "saved_at": _iso(row.profile_saved_at),
    }


def _tandem(session: Session, me: int, tandem: Tandem) -> dict[str, Any]:
    partner = tandem.expert_person_id if tandem.digital_person_id == me else tandem.digital_person_id
    agreement = session.scalar(sa.select(Agreement).where(Agreement.tandem_id == tandem.id))
    plan = session.scalar(sa.select(Plan).where(Plan.tandem_id == tandem.id))
    rows = session.scalars(sa.select(MentoringSession).where(MentoringSession.tandem_id == tandem.id).order_by(MentoringSession.held_on, MentoringSession.id)).all()
    ids = [r.id for r in rows]
    # only the person's own notes and reflections: the author (or reflecting person) is always ``me``
    notes = dict(session.execute(sa.select(PrivateNote.session_id, PrivateNote.text).where(PrivateNote.session_id.in_(ids), PrivateNote.author_id == me)).all()) if ids else {}
    reflections = {r.session_id: r for r in session.scalars(sa.select(Reflection).where(Reflection.session_id.in_(ids), Reflection.person_id == me))} if ids else {}
    return {
        "id": tandem.id,
        "programme_id": tandem.programme_id,
        "my_side": "digital_mentor" if tandem.digital_person_id == me else "senior_expert",
        "partner": {"id": partner, "name": session.scalar(sa.select(Person.name).where(Person.id == partner))},
        "status": tandem.status,
        "published_at": _iso(tandem.published_at),
        "agreement": None
        if agreement is None
        else {
            "goals": [g for g in agreement.goals.splitlines() if g.strip()],
            "cadence": agreement.cadence,
            "duration_minutes": agreement.duration_minutes,
            "confidentiality": agreement.confidentiality,
            "signatures": agreement.signatures,
        },
        "plan": None if plan is None else {"template": plan.template, "start": _iso(plan.start), "items": plan.items, "history": plan.history},
        "sessions": [
            {
                "id": r.id,
                "held_on": _iso(r.held_on),
                "minutes": r.minutes,
                "tracks": r.tracks,
                "agenda": r.agenda,
                "shared_notes": r.shared_notes,
                "logged_by_me": r.created_by == me,
                "my_private_note": notes.get(r.id),
                "my_reflection": {p.value: getattr(reflections[r.id], p.value) for p in Principle} if r.id in reflections else None,
            }
            for r in rows
        ],
    }
