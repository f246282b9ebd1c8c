"""The formats beyond tandems in a person's own export: groups and focused mentorings, peer circles, coffee
roulette and events.

Only the person's own data: their place in each, what they wrote or were given, and the names (never more)
of the people they work with. Another member's private notes, commitments or coffee feedback are never
read: every query on such rows is filtered on the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.models import (
    Circle,
    CircleCommitment,
    CircleMeeting,
    CircleMember,
    CoffeeMatch,
    CoffeeMember,
    CoffeeOptIn,
    CoffeeRound,
    Event,
    EventFollowup,
    EventFollowupItem,
    EventRegistration,
    Evidence,
    FocusedRequest,
    Group,
    GroupAttendance,
    GroupMember,
    GroupPrivateNote,
    GroupSession,
    Person,
    SignoffRecord,
)
from plugin.services import plans

FOCUSED = "focused"
MEMBER = "member"


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _names(session: Session, organisation_id: int, ids: Iterable[int | None]) -> dict[int, str | None]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(wanted), Person.organisation_id == organisation_id)).all())


def _person(names: dict[int, str | None], person_id: int | None) -> dict[str, Any] | None:
    return None if person_id is None else {"id": person_id, "name": names.get(person_id)}


# --------------------------------------------------------------------------- groups and focused mentorings


def groups(session: Session, organisation_id: int, me: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The groups the person is (or was, or is asked to be) in or mentors, and their focused mentorings."""
    places = dict(session.execute(sa.select(GroupMember.group_id, GroupMember).where(GroupMember.person_id == me)).all())
    rows = session.scalars(
        sa.select(Group)
        .where(Group.organisation_id == organisation_id, sa.or_(Group.mentor_person_id == me, Group.id.in_(list(places) or [-1])))
        .order_by(Group.id)
    ).all()
    out: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    for group in rows:
        entry = _group(session, organisation_id, me, group, places.get(group.id))
        (out[1] if group.kind == FOCUSED else out[0]).append(entry)
    return out


def _group(session: Session, organisation_id: int, me: int, group: Group, place: GroupMember | None) -> dict[str, Any]:
    mentor = group.mentor_person_id == me
    current = mentor or (place is not None and place.status == MEMBER)
    # the people they work with: only while they are one of the group's people
    people = [group.mentor_person_id, *session.scalars(sa.select(GroupMember.person_id).where(GroupMember.group_id == group.id, GroupMember.status == MEMBER).order_by(GroupMember.id))] if current else [group.mentor_person_id]
    records = session.scalars(
        sa.select(SignoffRecord).where(SignoffRecord.group_id == group.id, sa.or_(SignoffRecord.learner_id == me, SignoffRecord.actor_id == me)).order_by(SignoffRecord.seq)
    ).all()
    evidence = session.scalars(sa.select(Evidence).where(Evidence.group_id == group.id, Evidence.learner_id == me).order_by(Evidence.id)).all()
    names = _names(session, organisation_id, [*people, *(r.learner_id for r in records), *(r.actor_id for r in records)])
    entry: dict[str, Any] = {
        "id": group.id,
        "programme_id": group.programme_id,
        "name": group.name,
        "kind": group.kind,
        "purpose": group.purpose,
        "status": group.status,
        "modules": list(group.modules or []),
        "mentor": _person(names, group.mentor_person_id),
        "my_role": "mentor" if mentor else "member",
        "my_status": "mentor" if mentor else place.status if place is not None else None,
        "joined_at": _iso(place.joined_at) if place is not None else None,
        "people": [_person(names, p) for p in dict.fromkeys(people)],
        "signoffs_as_learner": [_record(names, r) for r in records if r.learner_id == me],
        "signoffs_as_teacher": [_record(names, r) for r in records if r.actor_id == me and r.learner_id != me],
        "my_evidence": [
            {"id": e.id, "module": e.module_slug, "module_version": e.module_version, "objective": e.objective_id, "kind": e.kind, "text": e.text, "url": e.url,
             "filename": e.filename, "added_at": _iso(e.created_at)}
            for e in evidence
        ],  # fmt: skip
        "sessions": _sessions(session, me, group.id),
    }
    if group.kind == FOCUSED:
        request = session.scalar(sa.select(FocusedRequest).where(FocusedRequest.group_id == group.id))
        entry["focus"] = group.focus
        entry["my_role"] = "mentor" if mentor else "mentee"
        entry["request"] = None if request is None else {"message": request.message, "answer_reason": request.reason, "asked_at": _iso(request.created_at), "answered_at": _iso(request.answered_at)}
    return entry


def _record(names: dict[int, str | None], r: SignoffRecord) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "module": r.module_slug,
        "module_version": r.module_version,
        "track_taught_by": r.side,
        "objective": r.objective_id,
        "kind": r.kind,
        "learner": _person(names, r.learner_id),
        "by": _person(names, r.actor_id),
        "payload": r.payload,
        "timestamp": r.timestamp,
        "hash": r.hash,
    }


def _sessions(session: Session, me: int, group_id: int) -> list[dict[str, Any]]:
    """The group's sessions the person attended, planned or wrote a note on, with only *their own* private note."""
    attended = set(session.scalars(sa.select(GroupAttendance.session_id).join(GroupSession, GroupSession.id == GroupAttendance.session_id).where(GroupSession.group_id == group_id, GroupAttendance.person_id == me)))
    notes = dict(
        session.execute(
            sa.select(GroupPrivateNote.session_id, GroupPrivateNote.text).join(GroupSession, GroupSession.id == GroupPrivateNote.session_id)
            .where(GroupSession.group_id == group_id, GroupPrivateNote.author_id == me)
        ).all()
    )  # fmt: skip
    rows = session.scalars(
        sa.select(GroupSession).where(GroupSession.group_id == group_id, sa.or_(GroupSession.id.in_(sorted(attended | set(notes)) or [-1]), GroupSession.created_by == me)).order_by(GroupSession.starts_at, GroupSession.id)
    ).all()
    return [
        {"id": r.id, "starts_at": _iso(r.starts_at), "timezone": r.timezone, "minutes": r.minutes, "agenda": r.agenda, "shared_notes": r.shared_notes,
         "attended": r.id in attended, "planned_by_me": r.created_by == me, "my_private_note": notes.get(r.id)}
        for r in rows
    ]  # fmt: skip


# --------------------------------------------------------------------------- circles


def circles(session: Session, organisation_id: int, me: int) -> list[dict[str, Any]]:
    """The circles the person is or was in: the circle, the members' names, the meetings held while they were in
    it, and their own commitments with their outcomes."""
    rows = session.execute(
        sa.select(Circle, CircleMember).join(CircleMember, CircleMember.circle_id == Circle.id).where(CircleMember.person_id == me, Circle.organisation_id == organisation_id).order_by(Circle.id)
    ).all()
    out = []
    for circle, place in rows:
        members = session.scalars(sa.select(CircleMember.person_id).where(CircleMember.circle_id == circle.id, CircleMember.status == MEMBER).order_by(CircleMember.position)).all()
        held = sa.select(CircleMeeting).where(CircleMeeting.circle_id == circle.id)
        if place.left_at is not None:
            held = held.where(CircleMeeting.held_at <= place.left_at)
        meetings = session.scalars(held.order_by(CircleMeeting.seq)).all()
        seqs = dict(session.execute(sa.select(CircleMeeting.id, CircleMeeting.seq).where(CircleMeeting.circle_id == circle.id)).all())
        mine = session.scalars(sa.select(CircleCommitment).where(CircleCommitment.circle_id == circle.id, CircleCommitment.person_id == me).order_by(CircleCommitment.id)).all()
        names = _names(session, organisation_id, [*(members if place.status == MEMBER else ()), *(m.chair_person_id for m in meetings), *(c.reviewed_by for c in mine)])
        out.append(
            {
                "id": circle.id,
                "programme_id": circle.programme_id,
                "name": circle.name,
                "purpose": circle.purpose,
                "cadence": circle.cadence,
                "modules": list(circle.modules or []),
                "my_status": place.status,
                "member_since": _iso(place.created_at),
                "left_at": _iso(place.left_at),
                "members": [_person(names, p) for p in members] if place.status == MEMBER else [],
                "meetings": [
                    {"seq": m.seq, "held_at": _iso(m.held_at), "chair": _person(names, m.chair_person_id), "chaired_by_me": m.chair_person_id == me, "agenda": m.agenda, "notes": m.notes}
                    for m in meetings
                ],
                "my_commitments": [
                    {"text": c.text, "stated_at_meeting": seqs.get(c.meeting_id), "outcome": c.outcome, "comment": c.comment, "reviewed_at_meeting": seqs.get(c.reviewed_meeting_id),
                     "reviewed_by": _person(names, c.reviewed_by), "reviewed_at": _iso(c.reviewed_at), "stated_at": _iso(c.created_at)}
                    for c in mine
                ],  # fmt: skip
            }
        )
    return out


# --------------------------------------------------------------------------- coffee


def coffee(session: Session, organisation_id: int, me: int) -> dict[str, Any]:
    """The person's opt-ins per programme and their matches: when, with whom (names), and their own feedback."""
    opt_ins = session.scalars(sa.select(CoffeeOptIn).where(CoffeeOptIn.person_id == me).order_by(CoffeeOptIn.programme_id)).all()
    rows = session.execute(
        sa.select(CoffeeMember, CoffeeMatch, CoffeeRound)
        .join(CoffeeMatch, CoffeeMatch.id == CoffeeMember.match_id)
        .join(CoffeeRound, CoffeeRound.id == CoffeeMember.round_id)
        .where(CoffeeMember.person_id == me, CoffeeRound.organisation_id == organisation_id)
        .order_by(CoffeeRound.starts_on, CoffeeMatch.id)
    ).all()
    match_ids = [match.id for _mine, match, _round in rows]
    others: dict[int, list[int]] = {}
    if match_ids:  # only who the others are: never their feedback
        for match_id, person_id in session.execute(sa.select(CoffeeMember.match_id, CoffeeMember.person_id).where(CoffeeMember.match_id.in_(match_ids), CoffeeMember.person_id != me).order_by(CoffeeMember.id)):
            others.setdefault(match_id, []).append(person_id)
    names = _names(session, organisation_id, [p for ids in others.values() for p in ids])
    return {
        "opt_ins": [{"programme_id": o.programme_id, "opted_in": o.opted_in, "changed_at": _iso(o.changed_at)} for o in opt_ins],
        "matches": [
            {"programme_id": match.programme_id, "round": rnd.key, "round_starts_on": _iso(rnd.starts_on), "round_ends_on": _iso(rnd.ends_on), "starts_at": _iso(match.starts_at),
             "minutes": match.minutes, "with": [_person(names, p) for p in others.get(match.id, [])], "my_feedback": mine.feedback, "my_feedback_at": _iso(mine.feedback_at)}
            for mine, match, rnd in rows
        ],  # fmt: skip
    }


# --------------------------------------------------------------------------- events


def events(session: Session, organisation_id: int, me: int) -> dict[str, Any]:
    """The person's registrations (with their status and attendance) and the follow-ups given to them."""
    registrations = session.execute(
        sa.select(EventRegistration, Event).join(Event, Event.id == EventRegistration.event_id)
        .where(EventRegistration.person_id == me, Event.organisation_id == organisation_id).order_by(Event.starts_at, Event.id)
    ).all()  # fmt: skip
    items = session.execute(
        sa.select(EventFollowupItem, EventFollowup, Event.title)
        .join(EventFollowup, EventFollowup.id == EventFollowupItem.followup_id)
        .join(Event, Event.id == EventFollowup.event_id)
        .where(EventFollowupItem.person_id == me, Event.organisation_id == organisation_id)
        .order_by(EventFollowup.due_on, EventFollowupItem.id)
    ).all()
    found = plans.plans_of(session, sorted({i.tandem_id for i, _f, _t in items if i.tandem_id is not None}))

    def done_on(item: EventFollowupItem) -> date | None:
        if item.tandem_id is None:
            return item.done_on
        plan = found.get(item.tandem_id)
        entry = next((p for p in plan.items if p.key == item.plan_item_key), None) if plan is not None else None
        return entry.done_on if entry is not None else None

    return {
        "registrations": [
            {"event_id": e.id, "programme_id": e.programme_id, "title": e.title, "kind": e.kind, "starts_at": _iso(e.starts_at), "ends_at": _iso(e.ends_at), "timezone": e.timezone,
             "place": e.place, "online_url": e.online_url, "event_status": e.status, "my_status": r.status, "asked_at": _iso(r.queued_at), "promoted_at": _iso(r.promoted_at),
             "cancelled_at": _iso(r.cancelled_at), "attended": r.attended}
            for r, e in registrations
        ],
        "followups": [
            {"event_id": f.event_id, "event_title": title, "text": f.text, "due_on": _iso(f.due_on), "needs_partner": f.needs_partner,
             "in_tandem_plan": i.tandem_id, "done_on": _iso(done_on(i)), "given_at": _iso(i.created_at)}
            for i, f, title in items
        ],
    }  # fmt: skip
