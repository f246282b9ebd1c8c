"""A circle's meetings and commitments log: the circle page, recording a meeting (its chair in the rotation, or a
trainer), stating a commitment (each member, at the latest meeting) and reviewing open commitments (the
chair of a later meeting, or a trainer). Everything goes through :func:`plugin.services.circles.access`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import circles as rules
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.models import CircleCommitment, CircleMeeting
from plugin.models.base import utcnow
from plugin.services.circles import CircleAccess, aware, access
from plugin.services.launches import Actor


@dataclass(frozen=True)
class CommitmentView:
    id: int
    person_id: int
    text: str
    stated_at_seq: int
    outcome: rules.Outcome | None
    comment: str
    reviewed_at_seq: int | None


@dataclass(frozen=True)
class MeetingView:
    id: int
    seq: int
    held_at: datetime
    chair_id: int
    agenda: str
    notes: str
    commitments: tuple[CommitmentView, ...]


@dataclass(frozen=True)
class CirclePage:
    view: CircleAccess
    #: newest first
    meetings: list[MeetingView]
    #: person id -> their commitments, oldest first
    history: dict[int, list[CommitmentView]]
    rate: float | None
    rates: dict[int, float | None]
    reviewed: int
    #: the chairs of the next round, from the next meeting on
    rotation: list[int]
    upcoming: list[datetime]
    may_record: bool
    #: meeting ids whose review form the actor may open (they have open commitments before them)
    may_review: frozenset[int]
    #: the meeting at which the actor may still state a commitment
    commit_at: MeetingView | None


def may_record(view: CircleAccess, actor: Actor) -> bool:
    return view.capacity == "trainer" or actor.person_id == view.next_chair


def _meetings(session: Session, circle_id: int) -> tuple[list[MeetingView], list[CommitmentView]]:
    rows = session.scalars(sa.select(CircleMeeting).where(CircleMeeting.circle_id == circle_id).order_by(CircleMeeting.seq)).all()
    seq_of = {m.id: m.seq for m in rows}
    commitments = [
        CommitmentView(c.id, c.person_id, c.text, seq_of[c.meeting_id], rules.Outcome(c.outcome) if c.outcome else None, c.comment or "", seq_of.get(c.reviewed_meeting_id or 0))
        for c in session.scalars(sa.select(CircleCommitment).where(CircleCommitment.circle_id == circle_id).order_by(CircleCommitment.id))
    ]
    by_meeting: dict[int, list[CommitmentView]] = {}
    for c in commitments:
        by_meeting.setdefault(c.stated_at_seq, []).append(c)
    meetings = [MeetingView(m.id, m.seq, aware(m.held_at), m.chair_person_id, m.agenda or "", m.notes or "", tuple(by_meeting.get(m.seq, ()))) for m in rows]  # type: ignore[arg-type]
    return meetings, commitments


def page(session: Session, actor: Actor, circle_id: int, now: datetime) -> CirclePage:
    """The circle page.  :raise NotFound: as :func:`access`."""
    view = access(session, actor, circle_id)
    meetings, commitments = _meetings(session, view.id)
    history: dict[int, list[CommitmentView]] = {}
    for c in commitments:
        history.setdefault(c.person_id, []).append(c)
    rates = {pid: rules.follow_through(c.outcome for c in history.get(pid, ())) for pid in {*view.order, *history}}
    trainer_or_chair = {m.id for m in meetings if view.capacity == "trainer" or m.chair_id == actor.person_id}
    may_review = frozenset(m.id for m in meetings if m.id in trainer_or_chair and any(c.outcome is None and c.stated_at_seq < m.seq for c in commitments))
    latest = meetings[-1] if meetings else None
    commit_at = latest if view.is_member and latest is not None and all(c.person_id != actor.person_id for c in latest.commitments) else None
    planned = rules.upcoming(view.last_held_at or view.starts_at, view.cadence, now, anchor_held=view.last_held_at is not None)
    return CirclePage(
        view, list(reversed(meetings)), history, rules.follow_through(c.outcome for c in commitments), rates, sum(1 for c in commitments if c.outcome),
        rules.rotation(view.order, view.held), planned, may_record(view, actor), may_review, commit_at,
    )  # fmt: skip


def meeting_form(session: Session, actor: Actor, circle_id: int, *, lock: bool = False) -> CircleAccess:
    """The circle for the meeting form (``lock``: the circle row locked).  :raise NotAllowed: neither the next chair nor a trainer."""
    view = access(session, actor, circle_id, lock=lock)
    if not may_record(view, actor):
        raise NotAllowed("the chair of the meeting records it")
    return view


@dataclass(frozen=True)
class NewMeeting:
    held_on: date | None
    at: time | None
    agenda: str | None = ""
    notes: str | None = ""


def record(session: Session, actor: Actor, circle_id: int, new: NewMeeting, now: datetime | None = None) -> int:
    """Record a held meeting, chaired by the next in the rotation; returns its id.  :raise RuleViolation: names the field."""
    view = meeting_form(session, actor, circle_id, lock=True)  # a double submit waits, then finds the meeting recorded
    if not view.order:
        raise RuleViolation("The circle has no members.", "held_on")
    if new.held_on is None:
        raise RuleViolation("Give the date of the meeting.", "held_on")
    rules.meeting_day(new.held_on)
    moment = now or utcnow()
    held_at = datetime.combine(new.held_on, new.at or time(9, 0), tzinfo=ZoneInfo(view.zone))
    if new.at is None and held_at > moment and held_at.date() == moment.astimezone(ZoneInfo(view.zone)).date():
        held_at = moment  # a meeting of today without a time: it took place by now, not at 09:00 still to come
    rules.check_held(held_at, moment, view.last_held_at)
    agenda = rules.text(new.agenda, rules.AGENDA_MAX, "agenda")
    notes = rules.text(new.notes, rules.NOTES_MAX, "notes")
    row = CircleMeeting(circle_id=view.id, seq=view.held + 1, held_at=held_at.astimezone(ZoneInfo("UTC")), chair_person_id=view.next_chair, agenda=agenda, notes=notes, recorded_by=actor.person_id)
    session.add(row)
    session.flush()
    return row.id


def commit(session: Session, actor: Actor, circle_id: int, text: str | None) -> int:
    """The actor's commitment at the circle's latest meeting.  :raise NotAllowed: a trainer.  :raise RuleViolation: names ``text``."""
    view = access(session, actor, circle_id, lock=True)  # a double submit waits, then finds the commitment stated
    if not view.is_member:
        raise NotAllowed("members state their own commitments")
    latest = session.scalar(sa.select(CircleMeeting).where(CircleMeeting.circle_id == view.id).order_by(CircleMeeting.seq.desc()).limit(1))
    if latest is None:
        raise RuleViolation("Commitments are stated at a meeting: the circle has not met yet.", "text")
    stated = rules.text(text, rules.COMMITMENT_MAX, "text", required=True)
    if session.scalar(sa.select(CircleCommitment.id).where(CircleCommitment.meeting_id == latest.id, CircleCommitment.person_id == actor.person_id)) is not None:
        raise RuleViolation("You already stated your commitment at this meeting.", "text")
    row = CircleCommitment(circle_id=view.id, meeting_id=latest.id, person_id=actor.person_id, text=stated)
    session.add(row)
    session.flush()
    return row.id


def review_form(session: Session, actor: Actor, circle_id: int, meeting_id: int) -> tuple[CircleAccess, MeetingView, list[CommitmentView]]:
    """The meeting and the commitments still open from before it.

    :raise NotFound: no such meeting in the circle.  :raise NotAllowed: neither the meeting's chair nor a trainer."""
    view = access(session, actor, circle_id)
    meetings, commitments = _meetings(session, view.id)
    meeting = next((m for m in meetings if m.id == meeting_id), None)
    if meeting is None:
        raise NotFound("no such meeting in this circle")
    if view.capacity != "trainer" and meeting.chair_id != actor.person_id:
        raise NotAllowed("the chair of the meeting reviews the commitments")
    return view, meeting, [c for c in commitments if c.outcome is None and c.stated_at_seq < meeting.seq]


def review(session: Session, actor: Actor, circle_id: int, meeting_id: int, outcomes: Mapping[int, tuple[str | None, str | None]]) -> int:
    """Record done / partly / not done (with a comment) for open commitments; an empty outcome leaves one open.
    Returns how many were reviewed.  :raise RuleViolation: nothing chosen, an unknown outcome or a too long comment."""
    _view, meeting, open_ = review_form(session, actor, circle_id, meeting_id)
    ids = {c.id for c in open_}
    chosen: dict[int, tuple[rules.Outcome, str]] = {}
    for cid, (outcome, comment) in outcomes.items():
        if cid not in ids:
            raise RuleViolation("Review commitments still open before this meeting.", "outcome")
        if outcome:
            chosen[cid] = (rules.outcome_of(outcome), rules.text(comment, rules.COMMENT_MAX, f"comment-{cid}"))
        elif (comment or "").strip():
            raise RuleViolation("Choose done, partly or not done for a commitment you comment on.", f"outcome-{cid}")
    if not chosen:
        raise RuleViolation("Choose done, partly or not done for at least one commitment.", "outcome")
    now = utcnow()
    for row in session.scalars(sa.select(CircleCommitment).where(CircleCommitment.id.in_(list(chosen)))):
        row.outcome, row.comment = chosen[row.id][0].value, chosen[row.id][1]
        row.reviewed_meeting_id, row.reviewed_by, row.reviewed_at = meeting.id, actor.person_id, now
    session.flush()
    return len(chosen)
