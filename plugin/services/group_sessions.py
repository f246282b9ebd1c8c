"""A group's sessions: the mentor plans them (date, time, length, agenda) and takes attendance; the
members keep shared notes; each member keeps a private note on a session.

A private note is read by its author only: every query for notes filters on the actor as author, and
only for the group's people, so neither another member nor a trainer or administrator ever gets one.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.models import GroupAttendance, GroupPrivateNote, GroupSession, Participant
from plugin.models.base import utcnow
from plugin.services.group_access import GroupAccess, access, names, require_member, require_reader
from plugin.services.launches import Actor
from plugin.services.programmes import timezones

MIN_MINUTES, MAX_MINUTES = 15, 480
AGENDA_MAX = 5000
NOTES_MAX = 10000


@dataclass(frozen=True)
class NewSession:
    #: the local date and time in ``timezone``
    starts: datetime | None
    minutes: int | None
    agenda: str = ""


@dataclass(frozen=True)
class SessionView:
    id: int
    starts_at: datetime
    minutes: int
    timezone: str
    agenda: str
    shared_notes: str
    attended: frozenset[int]
    #: the actor's own private note (None for anyone but a member who wrote one)
    my_note: str | None


def zone_of(session: Session, actor: Actor, programme_id: int) -> str:
    """The actor's time zone in the programme (their profile's), UTC when they gave none."""
    tz = session.scalar(sa.select(Participant.timezone).where(Participant.programme_id == programme_id, Participant.person_id == actor.person_id))
    return tz if tz and tz in timezones() else "UTC"


def _text(value: str | None, limit: int, name: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise RuleViolation(f"At most {limit} characters.", name)
    return text


def _require_mentor(view: GroupAccess) -> None:
    if not (view.is_mentor or view.is_trainer):
        raise NotAllowed("the mentor (or a trainer) plans the group's sessions")


def plan(session: Session, actor: Actor, group_id: int, new: NewSession) -> int:
    """The mentor (or a trainer) plans a session at a local time in the actor's time zone; returns its id.

    :raise NotAllowed: a member who is not the mentor.  :raise RuleViolation: ``field`` names what to correct.
    """
    view = access(session, actor, group_id)
    _require_mentor(view)
    if new.starts is None:
        raise RuleViolation("Give the date and time of the session.", "starts")
    if new.minutes is None or not MIN_MINUTES <= new.minutes <= MAX_MINUTES:
        raise RuleViolation(f"A session lasts from {MIN_MINUTES} to {MAX_MINUTES} minutes.", "minutes")
    if not 2000 <= new.starts.year <= 2100:
        raise RuleViolation("Give a date between 2000 and 2100.", "starts")
    tz = zone_of(session, actor, view.programme_id)
    starts = new.starts.replace(tzinfo=zoneinfo.ZoneInfo(tz)) if new.starts.tzinfo is None else new.starts
    row = GroupSession(group_id=view.id, starts_at=starts.astimezone(UTC), minutes=new.minutes, timezone=tz, agenda=_text(new.agenda, AGENDA_MAX, "agenda"), shared_notes="", created_by=actor.person_id)
    session.add(row)
    session.flush()
    return row.id


def _row(session: Session, view: GroupAccess, session_id: int) -> GroupSession:
    row = session.get(GroupSession, session_id)
    if row is None or row.group_id != view.id:
        raise NotFound("no such session in this group")
    return row


def record(session: Session, actor: Actor, group_id: int, session_id: int, present: Iterable[int], shared_notes: str) -> None:
    """Save a session's shared notes (any of the group's people) and its attendance (the mentor or a trainer).

    :raise NotAllowed: a participant outside the group.  :raise RuleViolation: someone not in the group marked present.
    """
    view = access(session, actor, group_id)
    require_reader(view)
    row = _row(session, view, session_id)
    if view.is_member:
        row.shared_notes = _text(shared_notes, NOTES_MAX, "shared_notes")
    chosen = set(present)
    if view.is_mentor or view.is_trainer:
        if chosen - set(view.people):
            raise RuleViolation("Mark only the group's people as present.", "present")
        session.execute(sa.delete(GroupAttendance).where(GroupAttendance.session_id == row.id))
        session.add_all(GroupAttendance(session_id=row.id, person_id=p) for p in sorted(chosen))
    session.flush()


def save_note(session: Session, actor: Actor, group_id: int, session_id: int, text: str) -> None:
    """Write the actor's own private note on a session (empty: removed).  :raise NotAllowed: not one of the group's people."""
    view = access(session, actor, group_id)
    require_member(view)
    row = _row(session, view, session_id)
    body = _text(text, NOTES_MAX, "private_note")
    mine = session.scalar(sa.select(GroupPrivateNote).where(GroupPrivateNote.session_id == row.id, GroupPrivateNote.author_id == actor.person_id))
    if body and mine is None:
        session.add(GroupPrivateNote(session_id=row.id, author_id=actor.person_id, text=body, updated_at=utcnow()))
    elif body and mine is not None:
        mine.text, mine.updated_at = body, utcnow()
    elif mine is not None:
        session.delete(mine)
    session.flush()


def _views(session: Session, actor: Actor, view: GroupAccess, rows: list[GroupSession]) -> list[SessionView]:
    ids = [r.id for r in rows]
    attended: dict[int, set[int]] = {}
    notes: dict[int, str] = {}
    if ids:
        for sid, pid in session.execute(sa.select(GroupAttendance.session_id, GroupAttendance.person_id).where(GroupAttendance.session_id.in_(ids))):
            attended.setdefault(sid, set()).add(pid)
        if view.is_member:  # a trainer is never the author of a note in a group
            notes = dict(session.execute(sa.select(GroupPrivateNote.session_id, GroupPrivateNote.text).where(GroupPrivateNote.session_id.in_(ids), GroupPrivateNote.author_id == actor.person_id)).all())
    return [
        SessionView(r.id, r.starts_at if r.starts_at.tzinfo else r.starts_at.replace(tzinfo=UTC), r.minutes, r.timezone, r.agenda or "", r.shared_notes or "", frozenset(attended.get(r.id, ())), notes.get(r.id))
        for r in rows
    ]


def list_sessions(session: Session, actor: Actor, group_id: int) -> tuple[GroupAccess, list[SessionView], str]:
    """The group's sessions (latest first) and the actor's time zone.  :raise NotAllowed: a participant outside the group."""
    view = access(session, actor, group_id)
    require_reader(view)
    rows = list(session.scalars(sa.select(GroupSession).where(GroupSession.group_id == view.id).order_by(GroupSession.starts_at.desc(), GroupSession.id.desc())))
    return view, _views(session, actor, view, rows), zone_of(session, actor, view.programme_id)


def detail(session: Session, actor: Actor, group_id: int, session_id: int) -> tuple[GroupAccess, SessionView, str, dict[int, str | None]]:
    """One session of the group, the actor's time zone and the names of the group's people.  :raise NotFound: no such session in this group."""
    view = access(session, actor, group_id)
    require_reader(view)
    return view, _views(session, actor, view, [_row(session, view, session_id)])[0], zone_of(session, actor, view.programme_id), names(session, list(view.people))
