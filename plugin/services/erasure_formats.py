"""The erasure steps of the formats beyond the pair (groups, focused mentorings, circles, coffee, events) and of
the tables of notifications, assessments and credentials (looked up by table name). See
:mod:`plugin.services.erasure_tables` for the one list of steps."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import erasure as domain
from plugin.models.base import utcnow
from plugin.models.circles import Circle, CircleCommitment, CircleMeeting
from plugin.models.coffee import CoffeeMember, CoffeeOptIn
from plugin.models.events import Event, EventFollowupItem
from plugin.models.groups import Group, GroupMember, GroupPrivateNote, GroupSession
from plugin.models.network import FocusedRequest
from plugin.services.erasure_scope import Scope, groups_of
from plugin.services.erasure_scope import count as _count

_groups = groups_of


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
