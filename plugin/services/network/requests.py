"""Asking for a focused mentoring, answering, and taking a request back (one transaction each; the caller
commits). A focused mentoring is a group of kind ``focused``: the mentor, the mentee as its one member, the
need in ``focus`` and the one module whose track taught by the mentor's side works on that need."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import network_requests as rules
from plugin.domain.catalogue import Catalogue
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.roles import Role
from plugin.models import FocusedRequest, Group, GroupMember, Participant, Programme
from plugin.models.base import utcnow
from plugin.services.launches import Actor
from plugin.services.network.access import access, require_mentee, require_mentor
from plugin.services.network.pool import FOCUSED, describe, focused_rows, load_of, offered_modules, partner_ids, pool, programme_of, tandems_of

ACCEPT, DECLINE = "accept", "decline"


def group_name(catalogue: Catalogue, competence: str) -> str:
    """The focused mentoring's group name (as the groups pages show it): the need's framework, number and
    English title, e.g. ``Focused mentoring: LifeComp L2 Critical thinking`` (the pages word it per language)."""
    framework_id, _sep, competence_id = competence.partition(":")
    framework = catalogue.frameworks.get(framework_id)
    found = framework.competences.get(competence_id) if framework else None
    label = {"digcomp": "DigComp", "entrecomp": "EntreComp", "lifecomp": "LifeComp"}.get(framework_id, framework_id)
    return f"Focused mentoring: {label} {competence_id} {found.title.en if found else ''}".strip()[:200]


def _lock_participants(session: Session, programme: Programme, person_ids: set[int]) -> dict[int, Participant]:
    """The participants' rows, locked in id order, so two requests of one mentee (or to one mentor) queue."""
    rows = session.scalars(
        sa.select(Participant).where(Participant.programme_id == programme.id, Participant.person_id.in_(sorted(person_ids))).order_by(Participant.person_id).with_for_update()
    )
    return {r.person_id: r for r in rows}


def _asker_programme(session: Session, actor: Actor) -> Programme:
    if actor.role is not Role.PARTICIPANT:
        raise NotAllowed("only participants ask for a focused mentoring")
    programme = programme_of(session, actor)
    if programme is None:
        raise NotFound("this course has no programme")
    return programme


def needs_of(session: Session, programme: Programme, person_id: int) -> tuple[list[rules.Need], list[int]]:
    """The person's needs their tandem partners leave open, and those partners' ids (empty without a profile)."""
    people, _rules, _lines = pool(session, programme)
    me = people.get(str(person_id))
    partners = partner_ids(tandems_of(session, programme, person_id), person_id)
    if me is None:
        return [], partners
    return rules.open_needs(me, [people[str(p)] for p in partners if str(p) in people]), partners


def ask(session: Session, actor: Actor, catalogue: Catalogue, mentor_id: int, competence: str, message: str = "", module_slug: str | None = None) -> int:
    """The actor asks ``mentor_id`` for a focused mentoring on ``competence``. Returns the focused mentoring's id.

    Raises:
        NotAllowed: the actor is not a participant.
        AskRefused: a rule of :func:`plugin.domain.network_requests.check_ask`, no profile, or the module.
        RuleViolation: the message is too long.
    """
    programme = _asker_programme(session, actor)
    text = rules.clean_text(message, rules.MESSAGE_MAX, "message")
    locked = _lock_participants(session, programme, {actor.person_id, mentor_id})
    people, hard, lines = pool(session, programme)
    me = people.get(str(actor.person_id))
    if actor.person_id not in locked or me is None:
        raise rules.AskRefused("no_profile", "fill in your profile and needs map first", "competence")
    mentor = people.get(str(mentor_id)) if mentor_id in locked else None
    partners = partner_ids(tandems_of(session, programme, actor.person_id), actor.person_id)
    needs = rules.open_needs(me, [people[str(p)] for p in partners if str(p) in people])
    mine = [r for r in focused_rows(session, programme, mentee=actor.person_id) if r[0].focus == competence]
    open_for_need = any(mem.status in rules.HOLDING and g.status == "active" for g, mem, _ in mine)
    declined = any(mem.status == "declined" and g.mentor_person_id == mentor_id for g, mem, _ in mine)
    load = load_of(session, catalogue, programme, mentor_id) if mentor is not None else 0
    cap = locked[mentor_id].capacity if mentor_id in locked else 0
    rules.check_ask(
        me, mentor, competence, partners={str(p) for p in partners}, needs=needs, rules=hard, lines=lines,
        open_for_need=open_for_need, declined_by_mentor=declined, mentor_load=load, mentor_cap=cap,
    )  # fmt: skip
    assert mentor is not None
    module = rules.choose_module(competence, mentor.side, offered_modules(session, actor, catalogue, programme), module_slug)
    group = Group(
        organisation_id=programme.organisation_id, programme_id=programme.id, name=group_name(catalogue, competence),
        purpose="", kind=FOCUSED, focus=competence, capacity=1, modules=[module.slug], mentor_person_id=mentor_id,
        created_by=actor.person_id, status="active",
    )  # fmt: skip
    session.add(group)
    session.flush()
    session.add(GroupMember(group_id=group.id, person_id=actor.person_id, status="pending"))
    session.add(FocusedRequest(group_id=group.id, message=text, reason=""))
    session.flush()
    return group.id


def answer(session: Session, actor: Actor, catalogue: Catalogue, group_id: int, response: str, reason: str = "") -> str:
    """The asked mentor accepts or declines (with an optional reason). Returns the new status.

    Raises:
        NotFound: not visible to the actor.
        NotAllowed: the actor is not the asked mentor.
        RuleViolation: not an open request, an unknown answer, a too long reason, or the mentor is full.
    """
    view = access(session, actor, group_id, lock=True)
    require_mentor(view)
    if response not in (ACCEPT, DECLINE):
        raise RuleViolation("answer accept or decline", "answer")
    text = rules.clean_text(reason, rules.REASON_MAX, "reason") if response == DECLINE else ""
    if view.member.status != "pending" or view.group.status != "active":
        raise RuleViolation("this request is answered already", "response")
    request = session.scalar(sa.select(FocusedRequest).where(FocusedRequest.group_id == group_id))
    now = utcnow()
    if response == ACCEPT:
        locked = _lock_participants(session, view.programme, {actor.person_id})
        cap = locked[actor.person_id].capacity if actor.person_id in locked else 0
        running = [f for f in describe(session, catalogue, view.programme, focused_rows(session, view.programme, mentor=actor.person_id), {}) if f.status == rules.ACTIVE]
        if len(running) >= cap:
            raise rules.AskRefused("full", "you mentor as many people as you can take: raise your capacity first", "response")
        view.member.status, view.member.joined_at = "member", now
    else:
        view.member.status = "declined"
    if request is None:
        request = FocusedRequest(group_id=group_id, message="", reason="")
        session.add(request)
    request.reason, request.answered_at = text, now
    session.flush()
    return rules.ACTIVE if response == ACCEPT else rules.DECLINED


def withdraw(session: Session, actor: Actor, group_id: int) -> None:
    """The mentee takes an open request back.

    Raises:
        NotFound: not visible to the actor.
        NotAllowed: the actor is not the mentee.
        RuleViolation: the request is answered already.
    """
    view = access(session, actor, group_id, lock=True)
    require_mentee(view)
    if view.member.status != "pending":
        raise RuleViolation("this request is answered already", "response")
    view.member.status = "left"
    session.flush()


def seed_example(
    session: Session, programme_id: int, mentee_id: int, mentor_id: int, competence: str, *, accepted: bool = True, catalogue: Catalogue | None = None
) -> Group:
    """For the demo: a focused mentoring of ``mentor_id`` for ``mentee_id`` on ``competence`` (accepted, or only
    asked), on the first shipped module (by slug) whose track taught by the mentor's side works on that need.
    Bypasses the asking rules (the demo picks its people); flushes, the caller commits.

    Raises:
        NotFound: no such programme.
        RuleViolation: the mentor has no side in the programme, or no module works on the need.
    """
    from plugin.domain.catalogue import Side
    from plugin.services.curricula import load_catalogue

    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("no such programme")
    side = session.scalar(sa.select(Participant.side).where(Participant.programme_id == programme_id, Participant.person_id == mentor_id))
    if side is None:
        raise RuleViolation("the mentor has no profile in the programme", "mentor")
    catalogue = catalogue or load_catalogue()
    shipped = catalogue.latest()
    aligned = rules.aligned_modules(competence, Side(side), [mod for mod in shipped if not programme.modules or mod.slug in programme.modules])
    if not aligned:
        raise RuleViolation("no module works on this need", "competence")
    group = Group(
        organisation_id=programme.organisation_id, programme_id=programme.id, name=group_name(catalogue, competence), purpose="",
        kind=FOCUSED, focus=competence, capacity=1, modules=[aligned[0].slug], mentor_person_id=mentor_id, created_by=mentee_id, status="active",
    )  # fmt: skip
    session.add(group)
    session.flush()
    now = utcnow()
    session.add(GroupMember(group_id=group.id, person_id=mentee_id, status="member" if accepted else "pending", joined_at=now if accepted else None))
    session.add(FocusedRequest(group_id=group.id, message="Could you help me with this need?", reason="", answered_at=now if accepted else None))
    session.flush()
    return group
