"""A tandem's training plan: made once from a template, then rescheduled and ticked off by its members.

Items and history are stored as JSON (dates as ISO strings); every change goes through
:mod:`plugin.domain.plans`, which appends to the history and never rewrites it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import plans as domain
from plugin.domain.catalogue import Catalogue, Module
from plugin.domain.errors import RuleViolation
from plugin.models import Plan, Programme
from plugin.services import modules, notifications
from plugin.services.launches import Actor
from plugin.services.tandem_access import TandemAccess, access, require_member

TEMPLATES = tuple(domain.TEMPLATES)


def offered(session: Session, actor: Actor, catalogue: Catalogue, view: TandemAccess) -> list[Module]:
    """The modules a tandem may work on: the programme's modules on offer, or every published module."""
    chosen = session.scalar(sa.select(Programme.modules).where(Programme.id == view.programme_id)) or []
    found = [e.module for e in modules.entries(session, actor, catalogue)]
    return [m for m in found if m.slug in chosen] if chosen else found


# ---------------------------------------------------------------- storage


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def from_row(row: Plan) -> domain.Plan:
    """The stored plan as the domain value."""
    items = tuple(
        domain.PlanItem(
            i["key"], domain.ItemKind(i["kind"]), date.fromisoformat(i["due"]), i.get("module_slug"), i.get("duration_minutes"), _day(i.get("done_on")), i.get("text"), i.get("confirm_by")
        )
        for i in row.items or ()
    )
    history = tuple(
        domain.Change(h["item_key"], h["what"], _day(h.get("old")), _day(h.get("new")), int(h["actor_id"]), datetime.fromisoformat(h["at"]), h.get("reason", ""))
        for h in row.history or ()
    )
    return domain.Plan(row.template, row.start, items, history)


def _item(i: domain.PlanItem) -> dict[str, Any]:
    stored = {"key": i.key, "kind": i.kind.value, "due": _iso(i.due), "module_slug": i.module_slug, "duration_minutes": i.duration_minutes, "done_on": _iso(i.done_on)}
    return stored | {k: v for k, v in (("text", i.text), ("confirm_by", i.confirm_by)) if v is not None}


def _store(row: Plan, plan: domain.Plan) -> None:
    row.items = [_item(i) for i in plan.items]
    row.history = [
        {"item_key": c.item_key, "what": c.what, "old": _iso(c.old), "new": _iso(c.new), "actor_id": c.actor_id, "at": _iso(c.at), "reason": c.reason}
        for c in plan.history
    ]


def plan_of(session: Session, tandem_id: int) -> domain.Plan | None:
    """The tandem's plan (None before it was made); no access check: for callers that checked already."""
    row = session.scalar(sa.select(Plan).where(Plan.tandem_id == tandem_id))
    return None if row is None else from_row(row)


def plans_of(session: Session, tandem_ids: Sequence[int]) -> dict[int, domain.Plan]:
    """The plans of several tandems at once (no access check)."""
    if not tandem_ids:
        return {}
    return {row.tandem_id: from_row(row) for row in session.scalars(sa.select(Plan).where(Plan.tandem_id.in_(tandem_ids)))}


def add_item(session: Session, tandem_id: int, item: domain.PlanItem, actor_id: int, at: datetime) -> bool:
    """Add an item made elsewhere (an event's follow-up) to the tandem's plan, with history; False when the
    tandem has no plan yet. No access check: for callers that checked (the plan row is locked)."""
    row = session.scalar(sa.select(Plan).where(Plan.tandem_id == tandem_id).with_for_update())
    if row is None:
        return False
    _store(row, domain.add_item(from_row(row), item, actor_id, at))
    session.flush()
    return True


# ---------------------------------------------------------------- use cases


@dataclass(frozen=True)
class PlanPage:
    """A tandem's plan as the actor may see it (``plan`` is None before it was made)."""

    view: TandemAccess
    plan: domain.Plan | None
    #: modules the members may put in a new plan
    modules: tuple[Module, ...]

    def module(self, slug: str | None) -> Module | None:
        return next((m for m in self.modules if m.slug == slug), None)


def page(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int) -> PlanPage:
    """:raise AgreementPending: the agreement is not signed by both.  :raise NotFound: not this actor's tandem."""
    view = access(session, actor, tandem_id)
    return PlanPage(view, plan_of(session, tandem_id), tuple(offered(session, actor, catalogue, view)))


def create(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int, template: str, start: date, slugs: Iterable[str]) -> domain.Plan:
    """Make the tandem's plan from a template, with the chosen modules spread over its length.

    :raise NotAllowed: a trainer.  :raise RuleViolation: a plan exists already, an unknown template, or a module not on offer.
    """
    view = access(session, actor, tandem_id)
    require_member(view)
    if session.scalar(sa.select(Plan.id).where(Plan.tandem_id == tandem_id)) is not None:
        raise RuleViolation("This tandem has a plan already.", "plan")
    found = domain.TEMPLATES.get(template)
    if found is None:
        raise RuleViolation(f"Unknown plan template {template!r}.", "template")
    chosen = list(dict.fromkeys(slugs))
    unknown = set(chosen) - {m.slug for m in offered(session, actor, catalogue, view)}
    if unknown:
        raise RuleViolation(f"These modules are not on offer in this programme: {', '.join(sorted(unknown))}.", "modules")
    plan = domain.new_plan(template, start, found.spread(chosen) if chosen else ())
    row = Plan(tandem_id=tandem_id, template=template, start=start)
    _store(row, plan)
    session.add(row)
    session.flush()
    return plan


def _change(session: Session, actor: Actor, tandem_id: int, change: Any) -> domain.Plan:
    view = access(session, actor, tandem_id)
    require_member(view)
    row = session.scalar(sa.select(Plan).where(Plan.tandem_id == tandem_id).with_for_update())
    if row is None:
        raise RuleViolation("This tandem has no plan yet.", "plan")
    plan = change(from_row(row))
    _store(row, plan)
    session.flush()
    return plan


def reschedule(session: Session, actor: Actor, tandem_id: int, item_key: str, new_due: date, reason: str, at: datetime) -> domain.Plan:
    """Move an item to a new date; the history keeps who moved it, from what, when and why.

    :raise NotAllowed: a trainer.  :raise NotFound: no such item.  :raise RuleViolation: see :func:`plugin.domain.plans.reschedule`.
    """
    moved_from: list[date] = []

    def move(plan: domain.Plan) -> domain.Plan:
        moved_from.append(plan.item(item_key).due)
        return domain.reschedule(plan, item_key, new_due, actor.person_id, at, reason)

    plan = _change(session, actor, tandem_id, move)
    notifications.session_moved(session, tandem_id, actor.person_id, item_key, moved_from[0], new_due)  # a session: the partner hears
    return plan


def mark_done(session: Session, actor: Actor, tandem_id: int, item_key: str, on: date, at: datetime) -> domain.Plan:
    """Record that an item was done on ``on``.

    :raise NotAllowed: a trainer.  :raise NotFound: no such item.  :raise RuleViolation: done already, or before the start.
    """
    return _change(session, actor, tandem_id, lambda plan: domain.mark_done(plan, item_key, on, actor.person_id, at))
