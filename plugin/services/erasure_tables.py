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
from dataclasses import dataclass

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
    Programme,
    Reflection,
    ScoreOutbox,
    StoreEntry,
    Tandem,
)
from plugin.models.base import utcnow
from plugin.models.circles import Circle, CircleCommitment, CircleMeeting
from plugin.models.coffee import CoffeeMember, CoffeeOptIn
from plugin.models.events import Event, EventFollowupItem
from plugin.models.groups import Group, GroupMember, GroupPrivateNote, GroupSession
from plugin.models.network import FocusedRequest


@dataclass(frozen=True)
class Scope:
    """Whose data goes, and from which programmes (``whole``: the account too: the person, launches, feeds)."""

    person_id: int
    programme_ids: tuple[int, ...]
    course_ids: tuple[int, ...]
    #: the person's own values (name, email...), scrubbed from shared texts the tandem wrote together
    values: tuple[str, ...]
    whole: bool


def scope_for(session: Session, person_id: int, programme_ids: list[int] | None = None) -> Scope:
    """The scope of an erasure of ``person_id``: their organisation's programmes, or only ``programme_ids``."""
    person = session.get(Person, person_id)
    query = sa.select(Programme.id, Programme.course_id).where(Programme.organisation_id == person.organisation_id)
    if programme_ids is not None:
        query = query.where(Programme.id.in_(programme_ids))
    rows = session.execute(query).all()
    values = tuple(v for v in (person.name, person.given_name, person.family_name, person.email) if v)
    return Scope(person_id, tuple(r.id for r in rows), tuple(r.course_id for r in rows), values, programme_ids is None)


def _tandems(s: Scope):
    return sa.select(Tandem.id).where(
        Tandem.programme_id.in_(s.programme_ids),
        sa.or_(Tandem.digital_person_id == s.person_id, Tandem.expert_person_id == s.person_id),
    )


def _groups(s: Scope):
    return sa.select(Group.id).where(Group.programme_id.in_(s.programme_ids))


def _count(result) -> int:
    return max(result.rowcount or 0, 0)


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


def group_sessions(session: Session, s: Scope) -> int:
    return _count(
        session.execute(
            sa.update(GroupSession)
            .where(GroupSession.group_id.in_(_groups(s)), GroupSession.created_by == s.person_id)
            .values(agenda="", shared_notes="")
        )
    )


def group_private_notes(session: Session, s: Scope) -> int:
    sessions_of = sa.select(GroupSession.id).where(GroupSession.group_id.in_(_groups(s)))
    return _count(
        session.execute(
            sa.delete(GroupPrivateNote).where(
                GroupPrivateNote.author_id == s.person_id, GroupPrivateNote.session_id.in_(sessions_of)
            )
        )
    )


def focused_requests(session: Session, s: Scope) -> int:
    """Focused mentorings: the mentee's message, or the mentor's reason, whichever is theirs."""
    mentee = sa.select(GroupMember.group_id).where(GroupMember.person_id == s.person_id, GroupMember.group_id.in_(_groups(s)))
    mentor = sa.select(Group.id).where(Group.mentor_person_id == s.person_id, Group.programme_id.in_(s.programme_ids))
    changed = _count(session.execute(sa.update(FocusedRequest).where(FocusedRequest.group_id.in_(mentee)).values(message="")))
    return changed + _count(
        session.execute(sa.update(FocusedRequest).where(FocusedRequest.group_id.in_(mentor)).values(reason=""))
    )


def _circles(s: Scope):
    return sa.select(Circle.id).where(Circle.programme_id.in_(s.programme_ids))


def circle_commitments(session: Session, s: Scope) -> int:
    """Their commitments ("by next meeting I will ...") and the review comments on them."""
    return _count(
        session.execute(
            sa.update(CircleCommitment)
            .where(CircleCommitment.person_id == s.person_id, CircleCommitment.circle_id.in_(_circles(s)))
            .values(text="", comment="")
        )
    )


def circle_meetings(session: Session, s: Scope) -> int:
    """The agenda and notes of the meetings they recorded."""
    return _count(
        session.execute(
            sa.update(CircleMeeting)
            .where(CircleMeeting.recorded_by == s.person_id, CircleMeeting.circle_id.in_(_circles(s)))
            .values(agenda="", notes="")
        )
    )


def coffee_opt_ins(session: Session, s: Scope) -> int:
    return _count(
        session.execute(
            sa.delete(CoffeeOptIn).where(CoffeeOptIn.person_id == s.person_id, CoffeeOptIn.programme_id.in_(s.programme_ids))
        )
    )


def coffee_feedback(session: Session, s: Scope) -> int:
    """Their feedback on coffee matches (the match stays, for the others in it)."""
    from plugin.models.coffee import CoffeeMatch

    matches = sa.select(CoffeeMatch.id).where(CoffeeMatch.programme_id.in_(s.programme_ids))
    return _count(
        session.execute(
            sa.update(CoffeeMember)
            .where(CoffeeMember.person_id == s.person_id, CoffeeMember.match_id.in_(matches))
            .values(feedback=None, wishes_added=[], feedback_at=None)
        )
    )


def event_followups(session: Session, s: Scope) -> int:
    """Their copies of events' follow-ups (registrations stay, without personal data, for the attendance figures)."""
    from plugin.models.events import EventFollowup

    followups = (
        sa.select(EventFollowup.id).join(Event, Event.id == EventFollowup.event_id).where(Event.programme_id.in_(s.programme_ids))
    )
    return _count(
        session.execute(
            sa.delete(EventFollowupItem).where(
                EventFollowupItem.person_id == s.person_id, EventFollowupItem.followup_id.in_(followups)
            )
        )
    )


def _scrub_json(value, values: list[str]):
    if isinstance(value, str):
        return domain.scrub(value, values)
    if isinstance(value, dict):
        return {k: _scrub_json(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, values) for v in value]
    return value


def notifications(session: Session, s: Scope) -> int:
    """Their own notifications and preferences go; others' notifications that name them get the marker instead.

    Looked up by table name (``plugin.models.notifications``): the step needs only ``person_id``, ``course_id``
    and ``values`` columns."""
    from plugin.models import Base

    table, preferences = Base.metadata.tables.get("notifications"), Base.metadata.tables.get("notification_preferences")
    if table is None:
        return 0
    own = table.c.person_id == s.person_id
    if not s.whole:
        own = own & table.c.course_id.in_(s.course_ids)
    changed = _count(session.execute(sa.delete(table).where(own)))
    if s.whole and preferences is not None:
        changed += _count(session.execute(sa.delete(preferences).where(preferences.c.person_id == s.person_id)))
    values = list(s.values)
    for row in session.execute(sa.select(table.c.id, table.c["values"]).where(table.c.course_id.in_(s.course_ids))).all():
        scrubbed = _scrub_json(row[1], values)
        if scrubbed != row[1]:
            session.execute(sa.update(table).where(table.c.id == row[0]).values({"values": scrubbed}))
            changed += 1
    return changed


def _table(name: str) -> sa.Table | None:
    from plugin.models import Base

    return Base.metadata.tables.get(name)


def assessment_takes(session: Session, s: Scope) -> int:
    """Their self-assessment answers and levels (``plugin.models.assessments``, looked up by table name)."""
    table = _table("assessment_takes")
    if table is None:
        return 0
    return _count(
        session.execute(sa.delete(table).where(table.c.person_id == s.person_id, table.c.programme_id.in_(s.programme_ids)))
    )


def credentials(session: Session, s: Scope) -> int:
    """Their credentials are revoked (the verification page then says revoked; nothing names them any more)."""
    table = _table("credentials")
    if table is None:
        return 0
    return _count(session.execute(
        sa.update(table)
        .where(table.c.learner_id == s.person_id, table.c.programme_id.in_(s.programme_ids), table.c.status == "active")
        .values(status="revoked", revoked_at=utcnow(), revoked_reason="erased")
    ))  # fmt: skip


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
