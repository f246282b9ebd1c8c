"""A programme's matching pool as the engine sees it: its people (profiles, capacity left), its hard rules,
the reporting lines, and the refusal a trainer's edit or a participant's request meets.

Shared by the proposal (run, review, edits), publishing and the participants' own choice.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import matching as m
from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.models import Participant, Person, Programme, Tandem
from plugin.services.launches import Actor
from plugin.services.matching_io import result_to_json

#: a proposal's states: the trainer's draft, published (tandems made), or discarded by a newer run
DRAFT, PUBLISHED, DISCARDED = "draft", "published", "discarded"
#: tandem states that hold a place in a person's capacity
HOLDING = ("proposed", "requested", "active")
#: a participant without a saved profile and side is left out, with this reason
NO_PROFILE = "no_profile"

EXCLUSION_MESSAGES = {
    m.Exclusion.VETO: "one of the two asked not to be paired with the other",
    m.Exclusion.EARLIER_PAIR: "the two were partners before, and the programme excludes earlier partners",
    m.Exclusion.REPORTING_LINE: "the two are in one reporting line, and the programme forbids that",
    m.Exclusion.NO_SHARED_LANGUAGE: "the two share no language",
}


class PairRefused(RuleViolation):
    """A trainer's edit breaks a rule; ``reason`` is an :class:`~plugin.domain.matching.Exclusion` value or
    ``capacity`` / ``side`` / ``nothing_to_learn`` / ``duplicate`` / ``same_person`` / ``gone``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, "pair")
        self.reason = reason


def _ready() -> tuple[Any, ...]:
    return (Participant.side.is_not(None), Participant.profile_saved_at.is_not(None))


def rules_of(session: Session, programme: Programme, *, all_managers: bool = False) -> m.Rules:
    """The programme's hard rules; earlier partners are the pairs of the organisation's other programmes
    and this programme's tandems that have already been published. With ``all_managers`` the rules carry
    the reporting lines of the whole pool, for checks on a few people loaded on their own."""
    earlier: set[frozenset[str]] = set()
    if programme.exclude_earlier:
        rows = session.execute(sa.select(Tandem.digital_person_id, Tandem.expert_person_id).where(Tandem.organisation_id == programme.organisation_id))
        earlier = {frozenset((str(d), str(e))) for d, e in rows}
    managers: dict[str, str] = {}
    if all_managers and programme.no_reporting_line:
        rows = session.execute(
            sa.select(Participant.person_id, Participant.manager_person_id).where(Participant.programme_id == programme.id, Participant.manager_person_id.is_not(None), *_ready())
        )
        managers = {str(p): str(mgr) for p, mgr in rows}
    return m.Rules(
        shared_language=programme.shared_language,
        no_reporting_line=programme.no_reporting_line,
        exclude_earlier=programme.exclude_earlier,
        earlier_pairs=frozenset(earlier),
        managers=managers,
    )


def held(session: Session, programme: Programme, only: Collection[int] | None = None) -> dict[int, int]:
    """Places each person (of ``only``, or everyone) already holds in this programme's tandems."""
    counts: dict[int, int] = {}
    where = [Tandem.programme_id == programme.id, Tandem.status.in_(HOLDING)]
    if only is not None:
        where.append(sa.or_(Tandem.digital_person_id.in_(only), Tandem.expert_person_id.in_(only)))
    for d, e in session.execute(sa.select(Tandem.digital_person_id, Tandem.expert_person_id).where(*where)):
        counts[d] = counts.get(d, 0) + 1
        counts[e] = counts.get(e, 0) + 1
    return counts


def people_of(session: Session, programme: Programme, only: Collection[int] | None = None) -> tuple[list[m.Person], list[int]]:
    """The engine's people (ids are person ids as strings, capacity minus places already held) and the
    person ids left out for want of a profile; all participants, or those of ``only``."""
    places = held(session, programme, only)
    people, missing = [], []
    query = sa.select(Participant).where(Participant.programme_id == programme.id).order_by(Participant.person_id)
    if only is not None:
        query = query.where(Participant.person_id.in_(only))
    for row in session.scalars(query):
        if row.side is None or row.profile_saved_at is None:
            missing.append(row.person_id)
            continue
        needs = row.needs or {}
        people.append(
            m.Person(
                id=str(row.person_id),
                side=Side(row.side),
                languages=frozenset(row.languages or ()),
                capacity=max(0, row.capacity - places.get(row.person_id, 0)),
                offers={k: v["offer"] for k, v in needs.items() if v.get("offer")},
                wants={k: v["want"] for k, v in needs.items() if v.get("want")},
                current={k: v["current"] for k, v in needs.items() if v.get("current")},
                goals=row.goals or "",
                timezone=row.timezone,
                cadence=row.cadence,
                department=row.department,
                manager=None if row.manager_person_id is None else str(row.manager_person_id),
                wishes=tuple(str(w) for w in row.wishes or ())[: m.MAX_WISHES],
                vetoes=frozenset(str(v) for v in row.vetoes or ()),
            )
        )
    return people, missing


def capacities(session: Session, programme: Programme) -> list[tuple[int, str, int]]:
    """Every ready participant's (person id, side value, places left), from two narrow queries."""
    places = held(session, programme)
    rows = session.execute(sa.select(Participant.person_id, Participant.side, Participant.capacity).where(Participant.programme_id == programme.id, *_ready()))
    return [(pid, side, capacity - places.get(pid, 0)) for pid, side, capacity in rows]


def search(session: Session, programme: Programme, text: str) -> set[str]:
    """Ids (as strings) of the programme's participants whose name or department contains ``text``."""
    pattern = text.strip().lower()
    rows = session.scalars(
        sa.select(Participant.person_id)
        .join(Person, Person.id == Participant.person_id)
        .where(
            Participant.programme_id == programme.id,
            sa.or_(sa.func.lower(Person.name).contains(pattern, autoescape=True), sa.func.lower(Participant.department).contains(pattern, autoescape=True)),
        )
    )
    return {str(pid) for pid in rows}


def check_pair(people: dict[str, m.Person], rules: m.Rules, digital: str, expert: str, lines: dict[str, str] | None = None) -> m.Pair:
    """The pair (d, e) with its score and explanation.

    :raise PairRefused: names the rule it breaks.
    """
    d, e = people.get(digital), people.get(expert)
    if d is None or e is None or d.side is not Side.DIGITAL_MENTOR or e.side is not Side.SENIOR_EXPERT:
        raise PairRefused("side", "a tandem pairs a digital mentor with a senior expert who both filled in their profile")
    found = m.pair_for(d, e, rules, lines if lines is not None else m.reporting_lines(people.values(), rules))
    if isinstance(found, m.Exclusion):
        raise PairRefused(found.value, EXCLUSION_MESSAGES[found])
    if found.score <= 0:
        raise PairRefused("nothing_to_learn", "in this pair at least one of the two would learn nothing from the other")
    return found


def pair_json(pair: m.Pair) -> dict[str, Any]:
    """One pair as the proposal stores it (digital, expert, score, explanation), in the offline JSON format."""
    return result_to_json(m.Result((pair,), {}, pair.score, False, m.Certificate(0, 0, 0, 0, 0, {})), duals=False)["pairs"][0]


def names(session: Session, actor: Actor, person_ids: Collection[int]) -> dict[int, str | None]:
    """Display names of people of the actor's organisation."""
    if not person_ids:
        return {}
    rows = session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(set(person_ids)), Person.organisation_id == actor.organisation_id))
    return dict(rows.all())
