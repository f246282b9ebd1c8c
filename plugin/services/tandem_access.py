"""Who may open a tandem, and in which capacity; the one gate every tandem page and service goes through.

A member (one of the two participants) works in an active tandem; a trainer of the programme's course
(or an organisation administrator) reads it. Everything but the agreement stays closed until both
members signed the agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import signoffs
from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.roles import Role
from plugin.models import Agreement, Person, Programme, Tandem
from plugin.services.launches import Actor

MEMBER_DIGITAL, MEMBER_EXPERT, TRAINER = "digital", "expert", "trainer"


class AgreementPending(NotAllowed):
    """The tandem's agreement is not signed by both members yet (the page shows the agreement instead)."""


@dataclass(frozen=True)
class TandemAccess:
    """A tandem as the actor may see it."""

    id: int
    organisation_id: int
    programme_id: int
    course_id: int
    digital_id: int
    expert_id: int
    digital_name: str | None
    expert_name: str | None
    status: str
    #: digital, expert or trainer
    capacity: str
    agreement_signed: bool
    require_countersign: bool

    @property
    def is_member(self) -> bool:
        return self.capacity in (MEMBER_DIGITAL, MEMBER_EXPERT)

    @property
    def my_side(self) -> Side | None:
        return {MEMBER_DIGITAL: Side.DIGITAL_MENTOR, MEMBER_EXPERT: Side.SENIOR_EXPERT}.get(self.capacity)

    @property
    def domain(self) -> signoffs.Tandem:
        return signoffs.Tandem(self.id, self.digital_id, self.expert_id)

    def name_of(self, person_id: int) -> str | None:
        return self.digital_name if person_id == self.digital_id else self.expert_name if person_id == self.expert_id else None


def signed_by_both(agreement: Agreement | None, digital_id: int, expert_id: int) -> bool:
    """Whether both members have signed the tandem's agreement."""
    if agreement is None:
        return False
    signers = {s.get("person_id") for s in agreement.signatures or ()}
    return {digital_id, expert_id} <= signers


def access(session: Session, actor: Actor, tandem_id: int, *, need_agreement: bool = True) -> TandemAccess:
    """The tandem ``tandem_id`` for ``actor``.

    :raise NotFound: no such tandem for this actor (other organisations and strangers included).
    :raise NotAllowed: a member before the tandem started (both accepted).
    :raise AgreementPending: ``need_agreement`` and the agreement is not signed by both.
    """
    row = session.execute(
        sa.select(Tandem, Programme.course_id, Programme.require_countersign)
        .join(Programme, Programme.id == Tandem.programme_id)
        .where(Tandem.id == tandem_id, Tandem.organisation_id == actor.organisation_id)
    ).one_or_none()
    if row is None:
        raise NotFound("no such tandem")
    tandem, course_id, countersign = row
    if actor.role is Role.PARTICIPANT and actor.person_id == tandem.digital_person_id:
        capacity = MEMBER_DIGITAL
    elif actor.role is Role.PARTICIPANT and actor.person_id == tandem.expert_person_id:
        capacity = MEMBER_EXPERT
    elif actor.role is Role.ORG_ADMIN or (actor.role is Role.TRAINER and actor.course_id == course_id):
        capacity = TRAINER
    else:
        raise NotFound("no such tandem")
    if capacity != TRAINER and tandem.status != "active":
        raise NotAllowed("the tandem has not started: both members accept it first")
    agreement = session.scalar(sa.select(Agreement).where(Agreement.tandem_id == tandem.id))
    names = dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_((tandem.digital_person_id, tandem.expert_person_id)))).all())
    view = TandemAccess(
        id=tandem.id,
        organisation_id=tandem.organisation_id,
        programme_id=tandem.programme_id,
        course_id=course_id,
        digital_id=tandem.digital_person_id,
        expert_id=tandem.expert_person_id,
        digital_name=names.get(tandem.digital_person_id),
        expert_name=names.get(tandem.expert_person_id),
        status=tandem.status,
        capacity=capacity,
        agreement_signed=signed_by_both(agreement, tandem.digital_person_id, tandem.expert_person_id),
        require_countersign=countersign,
    )
    if need_agreement and not view.agreement_signed:
        raise AgreementPending("both members sign the agreement first")
    return view


def require_member(view: TandemAccess) -> None:
    """:raise NotAllowed: the actor reads the tandem as a trainer and may not write in it."""
    if not view.is_member:
        raise NotAllowed("only the two members write in their tandem")


def trainer_ids(session: Session, view: TandemAccess) -> tuple[int, ...]:
    """People who may countersign in the tandem's course: its trainers (not the members)."""
    from plugin.models import Membership

    rows = session.scalars(
        sa.select(Membership.person_id).where(Membership.course_id == view.course_id, Membership.role.in_((Role.TRAINER.value, Role.ORG_ADMIN.value)))
    )
    return tuple(pid for pid in rows if pid not in (view.digital_id, view.expert_id))


def active_tandems(session: Session, actor: Actor) -> list[int]:
    """Ids of the actor's active tandems in the course (members) or of every tandem of the course's programme (trainers)."""
    programme_id = session.scalar(sa.select(Programme.id).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme_id is None:
        return []
    query = sa.select(Tandem.id).where(Tandem.programme_id == programme_id)
    if actor.role is Role.PARTICIPANT:
        query = query.where(Tandem.status == "active", sa.or_(Tandem.digital_person_id == actor.person_id, Tandem.expert_person_id == actor.person_id))
    elif actor.role not in (Role.TRAINER, Role.ORG_ADMIN):
        return []
    else:
        query = query.where(Tandem.status.in_(("active", "ended")))
    return list(session.scalars(query.order_by(Tandem.id)))
