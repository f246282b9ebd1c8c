"""A tandem's mentoring agreement: the first member drafts it, each member signs it once.

The members may change the draft until the first signature; from then on it is fixed. Trainers read
the agreement and who signed it, but neither draft nor sign.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import agreements as domain
from plugin.domain.agreements import Principle
from plugin.domain.errors import RuleViolation
from plugin.models import Agreement
from plugin.services import notifications
from plugin.services.launches import Actor
from plugin.services.tandem_access import TandemAccess, access, require_member


@dataclass(frozen=True)
class AgreementPage:
    """A tandem and its agreement (None before the first member drafted it), as the actor may see them."""

    view: TandemAccess
    agreement: domain.Agreement | None
    #: the person looking
    person_id: int

    @property
    def signed_by_me(self) -> bool:
        return self.agreement is not None and self.agreement.signed_by(self.person_id)

    @property
    def editable(self) -> bool:
        """Members may change the draft until someone signs it."""
        return self.view.is_member and (self.agreement is None or not self.agreement.signatures)

    @property
    def can_sign(self) -> bool:
        return self.view.is_member and self.agreement is not None and not self.signed_by_me


def _row(session: Session, tandem_id: int) -> Agreement | None:
    return session.scalar(sa.select(Agreement).where(Agreement.tandem_id == tandem_id))


def to_domain(view: TandemAccess, row: Agreement) -> domain.Agreement:
    """The stored agreement as the domain value (goals are kept one per line)."""
    signatures = tuple(domain.Signature(int(s["person_id"]), datetime.fromisoformat(s["at"])) for s in row.signatures or ())
    return domain.Agreement(
        view.domain,
        tuple(g for g in (row.goals or "").splitlines() if g.strip()),
        domain.Cadence(row.cadence),
        row.duration_minutes,
        row.confidentiality,
        signatures=signatures,
    )


def page(session: Session, actor: Actor, tandem_id: int) -> AgreementPage:
    """The agreement page of a tandem (open before both signed, to members and trainers).

    :raise NotFound: not a tandem of this actor.  :raise NotAllowed: the tandem has not started.
    """
    view = access(session, actor, tandem_id, need_agreement=False)
    row = _row(session, tandem_id)
    return AgreementPage(view, None if row is None else to_domain(view, row), actor.person_id)


def save_draft(session: Session, actor: Actor, tandem_id: int, goals: Iterable[str], cadence: str, duration_minutes: int, confidentiality: str) -> Agreement:
    """Write (or rewrite) the unsigned draft; one transaction, the caller commits.

    :raise NotAllowed: a trainer.  :raise RuleViolation: a term breaks a rule, or someone has signed already.
    """
    view = access(session, actor, tandem_id, need_agreement=False)
    require_member(view)
    row = _row(session, tandem_id)
    if row is not None and row.signatures:
        raise RuleViolation("The agreement is signed already; it can no longer be changed.", "signed")
    drafted = domain.draft(view.domain, goals, cadence, duration_minutes, confidentiality)
    if row is None:
        row = Agreement(tandem_id=tandem_id, signatures=[])
        session.add(row)
    row.goals = "\n".join(drafted.goals)
    row.cadence = drafted.cadence.value
    row.duration_minutes = drafted.duration_minutes
    row.confidentiality = drafted.confidentiality
    session.flush()
    return row


def sign(session: Session, actor: Actor, tandem_id: int, acknowledged: Collection[Principle | str], at: datetime, *, store: bool = True) -> domain.Agreement:
    """Add the actor's signature (every principle acknowledged); returns the agreement as signed so far.

    With ``store`` false nothing is written: the page checks the signature can be given before it asks to confirm.

    :raise NotAllowed: a trainer.  :raise RuleViolation: no draft yet, signed already, or a principle not acknowledged.
    """
    view = access(session, actor, tandem_id, need_agreement=False)
    require_member(view)
    row = session.scalar(sa.select(Agreement).where(Agreement.tandem_id == tandem_id).with_for_update())
    if row is None:
        raise RuleViolation("There is no agreement to sign yet: draft it first.", "draft")
    signed = domain.sign(to_domain(view, row), actor.person_id, at, acknowledged)
    if not store:
        return signed
    row.signatures = [{"person_id": s.person_id, "at": s.at.isoformat()} for s in signed.signatures]
    session.flush()
    notifications.agreement_signed(session, tandem_id, actor.person_id, [s.person_id for s in signed.signatures])
    return signed
