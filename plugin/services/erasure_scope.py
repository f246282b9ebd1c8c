"""The scope of one erasure: one person, and the programmes whose data goes (shared by the erasure steps)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.models import Person, Programme, Tandem
from plugin.models.groups import Group


@dataclass(frozen=True)
class Scope:
    """Whose data goes, and from which programmes (``whole``: the account too: the person, launches, feeds)."""

    person_id: int
    programme_ids: tuple[int, ...]
    course_ids: tuple[int, ...]
    #: the person's own values (name, email...), scrubbed from shared texts the tandem wrote together
    values: tuple[str, ...]
    whole: bool


def scope_for(session: Session, person_id: int, programme_ids: list[int] | None = None) -> Scope:
    """The scope of an erasure of ``person_id``: their organisation's programmes, or only ``programme_ids``."""
    person = session.get(Person, person_id)
    query = sa.select(Programme.id, Programme.course_id).where(Programme.organisation_id == person.organisation_id)
    if programme_ids is not None:
        query = query.where(Programme.id.in_(programme_ids))
    rows = session.execute(query).all()
    values = tuple(v for v in (person.name, person.given_name, person.family_name, person.email) if v)
    return Scope(person_id, tuple(r.id for r in rows), tuple(r.course_id for r in rows), values, programme_ids is None)


def tandems_of(s: Scope):
    return sa.select(Tandem.id).where(
        Tandem.programme_id.in_(s.programme_ids),
        sa.or_(Tandem.digital_person_id == s.person_id, Tandem.expert_person_id == s.person_id),
    )


def groups_of(s: Scope):
    return sa.select(Group.id).where(Group.programme_id.in_(s.programme_ids))


def count(result) -> int:
    return max(result.rowcount or 0, 0)
