"""The erasure itself, table by table: every table that holds a person's data, and what happens to it.

:data:`STEPS` is the one list of tables: a new table with personal data gets a step here. Rows that other
people's records need keep the pseudonymous person id (tandems, group and circle memberships, event
registrations, coffee matches, sign-off records, course memberships: a role and a date, so that trainers' lists
show "erased participant" where the person was); what the erased person wrote or said about themselves
is removed. The sign-off records themselves are never touched (append-only; see :mod:`plugin.domain.erasure`).

A step gets the :class:`Scope`: one person, and the programmes whose data goes (every programme of the
organisation for an erasure request, one programme for a retention purge). It returns how many rows it
changed or deleted.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import erasure as domain
from plugin.models import (
    Agreement,
    CalendarFeed,
    Evidence,
    Launch,
    MentoringSession,
    Participant,
    Person,
    Plan,
    PrivateNote,
    Reflection,
    ScoreOutbox,
    StoreEntry,
)
from plugin.models.base import utcnow
from plugin.services.erasure_formats import (
    assessment_takes,
    circle_commitments,
    circle_meetings,
    coffee_feedback,
    coffee_opt_ins,
    credentials,
    event_followups,
    focused_requests,
    group_private_notes,
    group_sessions,
    notifications,
)
from plugin.services.erasure_scope import Scope, groups_of, scope_for, tandems_of
from plugin.services.erasure_scope import count as _count

__all__ = ["KEPT", "STEPS", "Scope", "erase", "scope_for"]

_tandems, _groups = tandems_of, groups_of


def participants(session: Session, s: Scope) -> int:
    """Profiles: needs, goals, wishes, vetoes, department, region, languages, zone and cadence."""
    return _count(
        session.execute(
            sa.update(Participant)
            .where(Participant.person_id == s.person_id, Participant.programme_id.in_(s.programme_ids))
            .values(
                needs={},
                goals="",
                wishes=[],
                vetoes=[],
                department=None,
                region=None,
                languages=[],
                timezone=None,
                cadence=None,
                manager_person_id=None,
            )
        )
    )


def agreements(session: Session, s: Scope) -> int:
    """Agreements are written and signed by both: kept for the partner, the erased person's names scrubbed from them."""
    changed = 0
    for agreement in session.scalars(sa.select(Agreement).where(Agreement.tandem_id.in_(_tandems(s)))):
        goals, confidentiality = (
            domain.scrub(agreement.goals, list(s.values)),
            domain.scrub(agreement.confidentiality, list(s.values)),
        )
        if (goals, confidentiality) != (agreement.goals, agreement.confidentiality):
            agreement.goals, agreement.confidentiality = goals, confidentiality
            changed += 1
    return changed


def plans(session: Session, s: Scope) -> int:
    """A plan's free text: the reasons the erased person gave for their changes."""
    changed = 0
    for plan in session.scalars(sa.select(Plan).where(Plan.tandem_id.in_(_tandems(s)))):
        history = [h | {"reason": ""} if h.get("actor_id") == s.person_id and h.get("reason") else h for h in plan.history]
        if history != plan.history:
            plan.history = history
            changed += 1
    return changed


def sessions(session: Session, s: Scope) -> int:
    """Sessions they logged: the agenda and shared notes they wrote (the session itself stays for the partner)."""
    return _count(
        session.execute(
            sa.update(MentoringSession)
            .where(MentoringSession.tandem_id.in_(_tandems(s)), MentoringSession.created_by == s.person_id)
            .values(agenda="", shared_notes="")
        )
    )


def _tandem_sessions(s: Scope):
    return sa.select(MentoringSession.id).where(MentoringSession.tandem_id.in_(_tandems(s)))


def private_notes(session: Session, s: Scope) -> int:
    return _count(
        session.execute(
            sa.delete(PrivateNote).where(PrivateNote.author_id == s.person_id, PrivateNote.session_id.in_(_tandem_sessions(s)))
        )
    )


def reflections(session: Session, s: Scope) -> int:
    return _count(
        session.execute(
            sa.delete(Reflection).where(Reflection.person_id == s.person_id, Reflection.session_id.in_(_tandem_sessions(s)))
        )
    )


def evidence(session: Session, s: Scope) -> int:
    """Evidence of their learning: notes, links and files (the sign-off records name objectives, not evidence)."""
    where = sa.or_(Evidence.tandem_id.in_(_tandems(s)), Evidence.group_id.in_(_groups(s)))
    return _count(session.execute(sa.delete(Evidence).where(Evidence.learner_id == s.person_id, where)))


def scores(session: Session, s: Scope) -> int:
    """Grades not yet delivered are not sent any more (the LMS user id is gone)."""
    return _count(
        session.execute(
            sa.update(ScoreOutbox)
            .where(ScoreOutbox.person_id == s.person_id, ScoreOutbox.status.in_(("pending", "failed")))
            .values(status="superseded")
        )
    )


def calendar_feeds(session: Session, s: Scope) -> int:
    """Calendar feeds are revoked for good."""
    return _count(
        session.execute(
            sa.update(CalendarFeed)
            .where(
                CalendarFeed.person_id == s.person_id, CalendarFeed.course_id.in_(s.course_ids), CalendarFeed.revoked_at.is_(None)
            )
            .values(revoked_at=utcnow())
        )
    )


def launches(session: Session, s: Scope) -> int:
    """The kept launches (their data holds the LMS's claims about the person), only for a whole account."""
    if not s.whole:
        return 0
    return _count(session.execute(sa.delete(Launch).where(Launch.person_id == s.person_id)))


def store_entries(session: Session, s: Scope) -> int:
    """Short-lived launch state in the database store that names the person's LTI subject."""
    if not s.whole:
        return 0
    subject = session.scalar(sa.select(Person.subject).where(Person.id == s.person_id))
    return _count(session.execute(sa.delete(StoreEntry).where(StoreEntry.value.contains(subject, autoescape=True))))


def person(session: Session, s: Scope) -> int:
    """The account becomes a stub: the fixed name marker, a random LTI subject (a new launch is a new account)."""
    if not s.whole:
        return 0
    return _count(
        session.execute(
            sa.update(Person)
            .where(Person.id == s.person_id)
            .values(
                name=domain.ERASED_NAME, given_name=None, family_name=None, email=None, locale=None, subject=domain.pseudonym()
            )
        )
    )


#: every table with personal data and its step, in order (the person's row last: the others read its values)
STEPS: tuple[tuple[str, Callable[[Session, Scope], int]], ...] = (
    ("participants", participants),
    ("agreements", agreements),
    ("plans", plans),
    ("mentoring_sessions", sessions),
    ("private_notes", private_notes),
    ("reflections", reflections),
    ("evidence", evidence),
    ("group_sessions", group_sessions),
    ("group_private_notes", group_private_notes),
    ("focused_requests", focused_requests),
    ("circle_commitments", circle_commitments),
    ("circle_meetings", circle_meetings),
    ("coffee_opt_ins", coffee_opt_ins),
    ("coffee_members", coffee_feedback),
    ("event_followup_items", event_followups),
    ("score_outbox", scores),
    ("notifications", notifications),
    ("assessment_takes", assessment_takes),
    ("credentials", credentials),
    ("calendar_feeds", calendar_feeds),
    ("launches", launches),
    ("store_entries", store_entries),
    ("people", person),
)


#: tables that name a person and keep the (pseudonymous) id without any personal value, and why
KEPT: dict[str, str] = {
    "memberships": "a role in a course: trainers' lists show 'erased participant'",
    "tandems": "the partner's tandem: ids, score and state",
    "signoff_records": "the append-only hash chain (payload comments are about the other's learning)",
    "group_members": "a place in a group: the others' group",
    "group_attendance": "who was at a session: the group's record",
    "circle_members": "the chair rotation of the others' circle",
    "circle_proposals": "person ids only",
    "coffee_rounds": "who started a round",
    "coffee_settings": "who changed the settings",
    "event_registrations": "the event's attendance figures: ids and states only",
    "event_followups": "the trainer's text",
    "events": "the trainer's event",
    "groups": "the group's mentor and creator: the members' group",
    "circles": "who made the circle",
    "jobs": "who started a background job",
    "org_modules": "who uploaded a module",
    "erasure_requests": "the request itself: ids and dates",
    "erasure_settings": "who set the periods",
    "erasure_audit": "the audit line: counts only",
    "notification_preferences": "deleted with the account by the notifications step",
}


def erase(session: Session, scope: Scope) -> dict[str, int]:
    """Every step for ``scope``, in one transaction (the caller commits); table name -> rows changed."""
    counts = {name: step(session, scope) for name, step in STEPS}
    session.flush()
    return {name: n for name, n in counts.items() if n}
