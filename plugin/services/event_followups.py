"""An event's follow-up actions: each attendee gets them as items in their training plan.

An attendee in an active tandem with a plan gets the item in that plan (through the plans service, so the
plan's history says who added it and when; it is marked done there like any item); anyone else gets it
in their personal follow-up list on the events page. A follow-up that needs the partner's sign-off is done
only when the tandem partner confirms it (the plan records who, and when); a personal one that needs it
is confirmed by a trainer of the course, as there is no partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import events as domain
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.models import Event, EventFollowup, EventFollowupItem, EventRegistration, Person, Programme, Tandem
from plugin.services import event_access, plans
from plugin.services.launches import Actor


@dataclass(frozen=True)
class MyFollowup:
    """One attendee's follow-up as the actor sees it."""

    id: int
    event_id: int
    event_title: str
    text: str
    due_on: date
    needs_partner: bool
    #: the attendee (the actor, or the partner whose follow-up the actor confirms)
    person_id: int
    person_name: str | None
    tandem_id: int | None
    done_on: date | None


@dataclass(frozen=True)
class FollowupRow:
    id: int
    text: str
    due_on: date
    needs_partner: bool
    given: int
    done: int


@dataclass(frozen=True)
class FollowupPage:
    event_id: int
    followups: list[FollowupRow]
    #: personal follow-ups (no tandem) that wait for a trainer's confirmation
    to_confirm: list[MyFollowup]


def _active_tandems(session: Session, programme_id: int, person_ids: list[int]) -> dict[int, Tandem]:
    """Each person's active tandem in the programme (the oldest when several)."""
    out: dict[int, Tandem] = {}
    if not person_ids:
        return out
    rows = session.scalars(
        sa.select(Tandem)
        .where(Tandem.programme_id == programme_id, Tandem.status == "active", sa.or_(Tandem.digital_person_id.in_(person_ids), Tandem.expert_person_id.in_(person_ids)))
        .order_by(Tandem.id)
    )
    for t in rows:
        for pid in (t.digital_person_id, t.expert_person_id):
            if pid in person_ids:
                out.setdefault(pid, t)
    return out


def distribute(session: Session, event: Event, actor_id: int, now: datetime) -> int:
    """Give every attendee each follow-up of the event they do not have yet; returns how many items were made."""
    attendees = list(session.scalars(sa.select(EventRegistration.person_id).where(EventRegistration.event_id == event.id, EventRegistration.attended.is_(True))))
    followups = list(session.scalars(sa.select(EventFollowup).where(EventFollowup.event_id == event.id).order_by(EventFollowup.id)))
    if not attendees or not followups:
        return 0
    have = {(a, b) for a, b in session.execute(sa.select(EventFollowupItem.followup_id, EventFollowupItem.person_id).where(EventFollowupItem.followup_id.in_([f.id for f in followups])))}
    tandems = _active_tandems(session, event.programme_id, attendees)
    made = 0
    for f in followups:
        for person_id in attendees:
            if (f.id, person_id) in have:
                continue
            item = EventFollowupItem(followup_id=f.id, person_id=person_id, created_at=now)
            session.add(item)
            session.flush()
            tandem = tandems.get(person_id)
            if tandem is not None:
                partner = tandem.expert_person_id if tandem.digital_person_id == person_id else tandem.digital_person_id
                plan_item = domain.followup_plan_item(item.id, f.text, f.due_on, partner if f.needs_partner else None)
                if plans.add_item(session, tandem.id, plan_item, actor_id, now):
                    item.tandem_id, item.plan_item_key = tandem.id, plan_item.key
            made += 1
    session.flush()
    return made


def add(session: Session, actor: Actor, event_id: int, text: str, due_on: date | None, needs_partner: bool, now: datetime) -> int:
    """Attach a follow-up action to an event; attendees (once attendance is taken) get it at once. Returns its id.

    :raise NotAllowed: not its trainer.  :raise RuleViolation: the event is cancelled, or a field to correct.
    """
    access = event_access.event_for(session, actor, event_id)
    event_access.require_manager(access)
    if access.event.status == domain.CANCELLED:
        raise RuleViolation("This event is cancelled.", "event")
    checked, due = domain.check_followup(text, due_on, domain.local(access.event.starts_at, access.event.timezone).date())
    row = EventFollowup(event_id=event_id, text=checked, due_on=due, needs_partner=bool(needs_partner), created_by=actor.person_id, created_at=now)
    session.add(row)
    session.flush()
    distribute(session, access.event, actor.person_id, now)
    return row.id


def _done_in_plans(session: Session, items: list[EventFollowupItem]) -> dict[int, date | None]:
    wanted = {i.tandem_id for i in items if i.tandem_id is not None}
    found = plans.plans_of(session, sorted(wanted))  # type: ignore[arg-type]
    out: dict[int, date | None] = {}
    for i in items:
        if i.tandem_id is None:
            out[i.id] = i.done_on
            continue
        plan = found.get(i.tandem_id)
        item = next((p for p in plan.items if p.key == i.plan_item_key), None) if plan is not None else None
        out[i.id] = item.done_on if item is not None else None
    return out


def _mine_rows(session: Session, where: sa.ColumnElement[bool]) -> list[MyFollowup]:
    rows = session.execute(
        sa.select(EventFollowupItem, EventFollowup, Event.title, Person.name)
        .join(EventFollowup, EventFollowup.id == EventFollowupItem.followup_id)
        .join(Event, Event.id == EventFollowup.event_id)
        .join(Person, Person.id == EventFollowupItem.person_id)
        .where(where)
        .order_by(EventFollowup.due_on, EventFollowupItem.id)
    ).all()
    done = _done_in_plans(session, [r[0] for r in rows])
    return [MyFollowup(i.id, f.event_id, title, f.text, f.due_on, f.needs_partner, i.person_id, name, i.tandem_id, done[i.id]) for i, f, title, name in rows]


def mine(session: Session, actor: Actor, programme: Programme) -> tuple[list[MyFollowup], list[MyFollowup]]:
    """The actor's own follow-ups in the programme, and their tandem partners' that wait for the actor's confirmation."""
    in_programme = Event.programme_id == programme.id
    own = _mine_rows(session, sa.and_(in_programme, EventFollowupItem.person_id == actor.person_id))
    tandem_ids = [t.id for t in _active_tandems(session, programme.id, [actor.person_id]).values()]
    partners = (
        _mine_rows(session, sa.and_(in_programme, EventFollowupItem.tandem_id.in_(tandem_ids), EventFollowupItem.person_id != actor.person_id, EventFollowup.needs_partner.is_(True)))
        if tandem_ids
        else []
    )
    return own, [p for p in partners if p.done_on is None]


def page(session: Session, actor: Actor, event_id: int) -> FollowupPage:
    """The event's follow-ups with how many attendees got and finished each.  :raise NotAllowed: not its trainer."""
    access = event_access.event_for(session, actor, event_id)
    event_access.require_manager(access)
    followups = list(session.scalars(sa.select(EventFollowup).where(EventFollowup.event_id == event_id).order_by(EventFollowup.id)))
    items = list(session.scalars(sa.select(EventFollowupItem).where(EventFollowupItem.followup_id.in_([f.id for f in followups])))) if followups else []
    done = _done_in_plans(session, items)
    rows = [
        FollowupRow(f.id, f.text, f.due_on, f.needs_partner, sum(1 for i in items if i.followup_id == f.id), sum(1 for i in items if i.followup_id == f.id and done[i.id]))
        for f in followups
    ]
    waiting = _mine_rows(session, sa.and_(EventFollowup.event_id == event_id, EventFollowupItem.tandem_id.is_(None), EventFollowup.needs_partner.is_(True), EventFollowupItem.done_on.is_(None)))
    return FollowupPage(event_id, rows, waiting)


def complete(session: Session, actor: Actor, item_id: int, today: date, now: datetime) -> None:
    """Mark a follow-up done: its attendee does (when no confirmation is needed), the tandem partner confirms
    (when it is), a trainer confirms a personal one that needs it.

    :raise NotFound: not a follow-up the actor may see.  :raise NotAllowed: / RuleViolation: not theirs to mark, or done already.
    """
    row = session.execute(sa.select(EventFollowupItem, EventFollowup).join(EventFollowup, EventFollowup.id == EventFollowupItem.followup_id).where(EventFollowupItem.id == item_id)).one_or_none()
    if row is None:
        raise NotFound("no such follow-up")
    item, followup = row
    access = event_access.event_for(session, actor, followup.event_id)
    if item.tandem_id is not None:
        # the plan's own rules: its members mark items done, and only the partner one that needs them
        plans.mark_done(session, actor, item.tandem_id, item.plan_item_key or "", today, now)
        return
    if followup.needs_partner:
        event_access.require_manager(access)
    elif actor.person_id != item.person_id:
        if access.manager:
            raise NotAllowed("the attendee marks their own follow-up done")
        raise NotFound("no such follow-up")
    if item.done_on is not None:
        raise RuleViolation("This follow-up is done already.", "done")
    item.done_on, item.done_by, item.done_at = today, actor.person_id, now
    session.flush()
