"""The events that tell someone something: one function per hook, called in the event's transaction.

Each builds the recipients, the values the message shows and the page it leads to, then calls
:func:`outbox.notify`. Values are plain JSON (names, titles, ISO times); the words are the renderer's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import notifications as domain
from plugin.domain.plans import ItemKind
from plugin.domain.roles import Role
from plugin.models import (
    CoffeeMatch,
    CoffeeMember,
    Event,
    EventRegistration,
    MentoringSession,
    Membership,
    Participant,
    Person,
    Placement,
    Plan,
    Programme,
    ScoreOutbox,
    Tandem,
)
from plugin.models.base import utcnow
from plugin.services.notifications.outbox import notify


def _names(session: Session, ids: list[int]) -> dict[int, str]:
    return {i: n or "" for i, n in session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(ids)))}


def _programme(session: Session, programme_id: int) -> Programme:
    return session.get(Programme, programme_id)


def _partner_of(tandem: Tandem, person_id: int) -> int:
    return tandem.expert_person_id if tandem.digital_person_id == person_id else tandem.digital_person_id


def _tell_pair(session: Session, kind: str, tandem: Tandem, to: list[int], link: str, key: str, **extra: object) -> int:
    names = _names(session, [tandem.digital_person_id, tandem.expert_person_id])
    course_id = _programme(session, tandem.programme_id).course_id
    told = 0
    for person in to:
        values = {"partner": names.get(_partner_of(tandem, person), ""), **extra}
        told += notify(session, kind, [person], values, subject_key=key, organisation_id=tandem.organisation_id, link=link, course_id=course_id)
    return told


def tandems_published(session: Session, proposal_id: int) -> int:
    """Publishing: both people of every new tandem hear who their partner is."""
    told = 0
    for tandem in session.scalars(sa.select(Tandem).where(Tandem.proposal_id == proposal_id)):
        told += _tell_pair(session, "matched", tandem, [tandem.digital_person_id, tandem.expert_person_id], "/tandem", f"tandem:{tandem.id}")
    return told


def partner_requested(session: Session, tandem_id: int, by: int) -> int:
    """Choice mode: the person asked hears that someone would like to pair with them."""
    tandem = session.get(Tandem, tandem_id)
    return _tell_pair(session, "matched", tandem, [_partner_of(tandem, by)], "/tandem", f"tandem:{tandem.id}")


def partner_answered(session: Session, tandem_id: int, by: int, response: str) -> int:
    """The partner hears an acceptance (and that the tandem started when both accepted)."""
    tandem = session.get(Tandem, tandem_id)
    if response != "accepted":
        return 0
    link = f"/tandems/{tandem.id}" if tandem.status == "active" else "/tandem"
    return _tell_pair(session, "partner_accepted", tandem, [_partner_of(tandem, by)], link, f"tandem:{tandem.id}:accepted:{by}", started=tandem.status == "active")


def agreement_signed(session: Session, tandem_id: int, by: int, signers: list[int]) -> int:
    """The partner who has not signed yet hears the agreement waits for their signature."""
    tandem = session.get(Tandem, tandem_id)
    other = _partner_of(tandem, by)
    if other in signers:
        return 0
    return _tell_pair(session, "agreement_to_sign", tandem, [other], f"/tandems/{tandem.id}/agreement", f"agreement:{tandem.id}")


def _titles(module: Any, objective_id: str | None) -> tuple[dict[str, str], dict[str, str]]:
    objective = next((o for t in module.tracks for o in t.objectives if o.id == objective_id), None)
    title = {"en": module.title.en, "nl": module.title.nl}
    return title, ({"en": objective.text.en, "nl": objective.text.nl} if objective else {"en": objective_id or "", "nl": objective_id or ""})


def signoff_made(session: Session, *, organisation_id: int, learner_id: int | None, signer_id: int, module: Any, record: Any, link: str, course_id: int | None) -> int:
    """The learner hears a sign-off was made on their learning (a tandem's or a group's)."""
    if learner_id is None or learner_id == signer_id:
        return 0
    title, objective = _titles(module, record.objective_id)
    values = {"signer": _names(session, [signer_id]).get(signer_id, ""), "module": title, "objective": objective}
    owner = f"group:{record.group_id}" if record.group_id else f"tandem:{record.tandem_id}"
    return notify(session, "signoff_made", [learner_id], values, subject_key=f"signoff:{owner}:{record.seq}", organisation_id=organisation_id, link=link, course_id=course_id)


def tandem_signoff(session: Session, view: Any, module: Any, record: Any) -> int:
    """A tandem's sign-off: the signer teaches, so the partner learns."""
    learner = view.expert_id if record.actor_id == view.digital_id else view.digital_id
    link = f"/tandems/{view.id}/modules/{module.slug}/v{module.version}"
    return signoff_made(session, organisation_id=view.organisation_id, learner_id=learner, signer_id=record.actor_id, module=module, record=record, link=link, course_id=view.course_id)


def signoff_requested(session: Session, view: Any, module: Any, objective_id: str, learner_id: int) -> int:
    """Evidence added: the partner who teaches the track is asked to sign the objective off (once per objective)."""
    teacher = view.expert_id if learner_id == view.digital_id else view.digital_id
    title, objective = _titles(module, objective_id)
    values = {"partner": _names(session, [learner_id]).get(learner_id, ""), "module": title, "objective": objective}
    key = f"signoff_request:{view.id}:{module.slug}:{module.version}:{objective_id}"
    link = f"/tandems/{view.id}/modules/{module.slug}/v{module.version}"
    return notify(session, "signoff_requested", [teacher], values, subject_key=key, organisation_id=view.organisation_id, link=link, course_id=view.course_id)


def group_signoff(session: Session, view: Any, module: Any, record: Any) -> int:
    return signoff_made(session, organisation_id=view.organisation_id, learner_id=record.learner_id, signer_id=record.actor_id, module=module, record=record, link=f"/groups/{view.id}", course_id=view.course_id)


def coffee_round_made(session: Session, round_id: int) -> int:
    """Every member of each new coffee match hears with whom and when."""
    told = 0
    for match in session.scalars(sa.select(CoffeeMatch).where(CoffeeMatch.round_id == round_id)):
        programme = _programme(session, match.programme_id)
        members = list(session.scalars(sa.select(CoffeeMember.person_id).where(CoffeeMember.match_id == match.id)))
        names = _names(session, members)
        zones = dict(session.execute(sa.select(Participant.person_id, Participant.timezone).where(Participant.programme_id == programme.id, Participant.person_id.in_(members))).all())
        for person in members:
            others = sorted(n for i, n in names.items() if i != person)
            told += notify(
                session,
                "coffee_match",
                [person],
                {"others": others, "starts_at": match.starts_at.isoformat(), "timezone": zones.get(person) or "UTC"},
                subject_key=f"coffee:{match.id}",
                organisation_id=programme.organisation_id,
                link=f"/coffee/matches/{match.id}",
                course_id=programme.course_id,
            )
    return told


def trainers_of(session: Session, course_id: int) -> list[int]:
    return list(session.scalars(sa.select(Membership.person_id).where(Membership.course_id == course_id, Membership.role == Role.TRAINER.value)))


def grade_failed(session: Session, score_id: int) -> int:
    """A score the gradebook refused for good: the course's trainers hear, with a link to the grades overview."""
    row = session.get(ScoreOutbox, score_id)
    placement = session.get(Placement, row.placement_id)
    learner = _names(session, [row.person_id]).get(row.person_id, "")
    return notify(
        session,
        "grade_failed",
        trainers_of(session, placement.course_id),
        {"learner": learner, "label": placement.label or placement.module_slug},
        subject_key=f"score:{row.id}",
        organisation_id=row.organisation_id,
        link="/programme/grades",
        course_id=placement.course_id,
    )


def event_reminders(session: Session, now: datetime | None = None) -> int:
    """Periodic: a day before an event, everyone registered hears it is tomorrow (once: the unique key)."""
    now = now or utcnow()
    told = 0
    events = session.scalars(sa.select(Event).where(Event.status == "scheduled", Event.starts_at > now, Event.starts_at <= now + timedelta(days=1)))
    for event in events:
        people = list(session.scalars(sa.select(EventRegistration.person_id).where(EventRegistration.event_id == event.id, EventRegistration.status == "registered")))
        course_id = _programme(session, event.programme_id).course_id
        told += notify(
            session,
            "event_reminder",
            people,
            {"title": event.title, "starts_at": event.starts_at.isoformat(), "timezone": event.timezone},
            subject_key=f"event:{event.id}:{event.starts_at.isoformat()}",
            organisation_id=event.organisation_id,
            link=f"/events/{event.id}",
            course_id=course_id,
        )
    return told


def inactive_tandems(session: Session, now: datetime | None = None) -> int:
    """Periodic: an active tandem with no session logged for ``INACTIVE_WEEKS`` weeks: both and the trainers hear (once per quiet spell)."""
    now = now or utcnow()
    quiet_since = (now - timedelta(weeks=domain.INACTIVE_WEEKS)).date()
    last = dict(session.execute(sa.select(MentoringSession.tandem_id, sa.func.max(MentoringSession.held_on)).group_by(MentoringSession.tandem_id)).all())
    rows = [
        (t, last.get(t.id) or (t.published_at or now).date())
        for t in session.scalars(sa.select(Tandem).where(Tandem.status == "active"))
    ]
    rows = [(t, d) for t, d in rows if d < quiet_since]
    told = 0
    for tandem, last_at in rows:
        since = last_at.isoformat()
        programme = _programme(session, tandem.programme_id)
        key = f"inactive:{tandem.id}:{since}"
        told += _tell_pair(session, "tandem_inactive", tandem, [tandem.digital_person_id, tandem.expert_person_id], f"/tandems/{tandem.id}", key, since=since)
        names = _names(session, [tandem.digital_person_id, tandem.expert_person_id])
        told += notify(
            session,
            "tandem_inactive",
            trainers_of(session, programme.course_id),
            {"partner": f"{names.get(tandem.digital_person_id, '')} & {names.get(tandem.expert_person_id, '')}", "since": since, "trainer": True},
            subject_key=key,
            organisation_id=tandem.organisation_id,
            link=f"/tandems/{tandem.id}",
            course_id=programme.course_id,
        )
    return told


def plan_items(session: Session, now: datetime | None = None) -> int:
    """Periodic: a planned session due tomorrow (a moved one is told again for its new day), and a plan item
    that became overdue in the last week (older ones were told then), to both people of an active tandem."""
    today = (now or utcnow()).date()
    told = 0
    rows = session.execute(sa.select(Tandem, Plan).join(Plan, Plan.tandem_id == Tandem.id).where(Tandem.status == "active")).all()
    for tandem, row in rows:
        for item in row.items or ():  # as stored (plugin.services.plans): key, kind, due, module_slug, done_on, text
            if item.get("done_on"):
                continue
            due = date.fromisoformat(item["due"])
            values = {"item": item["kind"], "module": item.get("module_slug") or "", "text": item.get("text") or "", "due": due.isoformat()}
            both = [tandem.digital_person_id, tandem.expert_person_id]
            if item["kind"] == ItemKind.SESSION.value and due == today + timedelta(days=1):
                told += _tell_pair(session, "session_tomorrow", tandem, both, f"/tandems/{tandem.id}/plan", f"session:{tandem.id}:{item['key']}:{due.isoformat()}", **values)
            elif today - timedelta(days=7) <= due < today:
                told += _tell_pair(session, "plan_overdue", tandem, both, f"/tandems/{tandem.id}/plan", f"overdue:{tandem.id}:{item['key']}:{due.isoformat()}", **values)
    return told


def session_moved(session: Session, tandem_id: int, by: int, item_key: str, old: date, new: date) -> int:
    """A planned session moved to another day: the partner hears (once per new day)."""
    if not item_key.startswith(ItemKind.SESSION.value + ":"):
        return 0
    tandem = session.get(Tandem, tandem_id)
    values = {"item": ItemKind.SESSION.value, "due": new.isoformat(), "old": old.isoformat(), "moved": True}
    return _tell_pair(session, "session_tomorrow", tandem, [_partner_of(tandem, by)], f"/tandems/{tandem.id}/plan", f"moved:{tandem.id}:{item_key}:{new.isoformat()}", **values)


def run_periodic(session: Session, now: datetime | None = None) -> int:
    """What ``tandem worker`` looks for now and then (flushes; the worker commits)."""
    return event_reminders(session, now) + inactive_tandems(session, now) + plan_items(session, now)

