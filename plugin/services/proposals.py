"""Matching a programme: run the engine over the profiles, let the trainer review (swap, remove, add)
and publish; participants then see their tandem with its explanation and answer it.

Nothing a participant sees changes before publish: proposals are the trainer's alone, and
tandems exist only from publish on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import matching as m
from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.roles import Role
from plugin.models import Participant, Person, Programme, Proposal, Tandem
from plugin.models.base import utcnow
from plugin.services import jobs
from plugin.services.launches import Actor
from plugin.services.matching_io import result_to_json
from plugin.services.programmes import require_trainer

DRAFT, PUBLISHED, DISCARDED = "draft", "published", "discarded"
#: tandem states that hold a place in a person's capacity
HOLDING = ("proposed", "requested", "active")
#: a participant without a saved profile and side is left out, with this reason
NO_PROFILE = "no_profile"

_EXCLUSION_MESSAGES = {
    m.Exclusion.VETO: "one of the two asked not to be paired with the other",
    m.Exclusion.EARLIER_PAIR: "the two were partners before, and the programme excludes earlier partners",
    m.Exclusion.REPORTING_LINE: "the two are in one reporting line, and the programme forbids that",
    m.Exclusion.NO_SHARED_LANGUAGE: "the two share no language",
}


class PairRefused(RuleViolation):
    """A trainer's edit breaks a rule; ``reason`` is an :class:`~plugin.domain.matching.Exclusion` value or
    ``capacity`` / ``side`` / ``nothing_to_learn``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, "pair")
        self.reason = reason


def rules_of(session: Session, programme: Programme) -> m.Rules:
    """The programme's hard rules; earlier partners are the pairs of the organisation's other programmes
    and this programme's tandems that have already been published."""
    earlier: set[frozenset[str]] = set()
    if programme.exclude_earlier:
        rows = session.execute(sa.select(Tandem.digital_person_id, Tandem.expert_person_id).where(Tandem.organisation_id == programme.organisation_id))
        earlier = {frozenset((str(d), str(e))) for d, e in rows}
    return m.Rules(
        shared_language=programme.shared_language,
        no_reporting_line=programme.no_reporting_line,
        exclude_earlier=programme.exclude_earlier,
        earlier_pairs=frozenset(earlier),
    )


def _held(session: Session, programme: Programme) -> dict[int, int]:
    """Places each person already holds in this programme's tandems."""
    held: dict[int, int] = {}
    rows = session.execute(sa.select(Tandem.digital_person_id, Tandem.expert_person_id).where(Tandem.programme_id == programme.id, Tandem.status.in_(HOLDING)))
    for d, e in rows:
        held[d] = held.get(d, 0) + 1
        held[e] = held.get(e, 0) + 1
    return held


def people_of(session: Session, programme: Programme) -> tuple[list[m.Person], list[int]]:
    """The engine's people (ids are person ids as strings, capacity minus places already held) and the
    person ids left out for want of a profile."""
    held = _held(session, programme)
    people, missing = [], []
    for row in session.scalars(sa.select(Participant).where(Participant.programme_id == programme.id).order_by(Participant.person_id)):
        if row.side is None or row.profile_saved_at is None:
            missing.append(row.person_id)
            continue
        needs = row.needs or {}
        people.append(
            m.Person(
                id=str(row.person_id),
                side=Side(row.side),
                languages=frozenset(row.languages or ()),
                capacity=max(0, row.capacity - held.get(row.person_id, 0)),
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


def start(session: Session, actor: Actor, programme: Programme) -> int:
    """A queued matching job (or the one already running)."""
    require_trainer(actor)
    return jobs.running(session, programme.id, "match") or jobs.create(session, actor, programme.id, "match", total=100)


def run(session: Session, job_id: int, programme_id: int, progress: Callable[[str, int], None]) -> int:
    """The matching job: solve the whole pool, store the proposal (replacing an unpublished one) in one
    transaction; returns the proposal id."""
    programme = session.get(Programme, programme_id)
    progress("loading", 2)
    people, missing = people_of(session, programme)
    rules = rules_of(session, programme)
    result = m.match(people, rules, progress)
    network = m.suggest_network(people, rules, result)
    doc = result_to_json(result, network, duals=False)
    unmatched = {pid: value["reason"] for pid, value in doc["unmatched"].items()}
    unmatched.update({str(pid): NO_PROFILE for pid in missing})
    session.execute(sa.update(Proposal).where(Proposal.programme_id == programme.id, Proposal.status == DRAFT).values(status=DISCARDED))
    proposal = Proposal(
        programme_id=programme.id,
        job_id=job_id,
        status=DRAFT,
        pairs=[{**p, "edited": False} for p in doc["pairs"]],
        unmatched=unmatched,
        network=doc["network"],
        total=result.total,
        optimal=result.optimal,
    )
    session.add(proposal)
    session.flush()
    trail = list(getattr(progress, "trail", []))
    jobs.report(session, job_id, 100, total=100, status=jobs.DONE, key="matched", pairs=len(result.pairs), unmatched=len(unmatched), proposal=proposal.id, trail=[*trail, ["matched", 100]])
    return proposal.id


def start_manual(session: Session, actor: Actor, programme: Programme) -> int:
    """An empty draft for a trainer who pairs people by hand (every ready participant starts unpaired)."""
    require_trainer(actor)
    people, missing = people_of(session, programme)
    session.execute(sa.update(Proposal).where(Proposal.programme_id == programme.id, Proposal.status == DRAFT).values(status=DISCARDED))
    unmatched = {p.id: "not_paired_yet" for p in people} | {str(pid): NO_PROFILE for pid in missing}
    proposal = Proposal(programme_id=programme.id, status=DRAFT, pairs=[], unmatched=unmatched, network={}, total=0, optimal=False)
    session.add(proposal)
    session.flush()
    return proposal.id


def current(session: Session, actor: Actor, programme: Programme) -> Proposal | None:
    """The draft proposal the trainer reviews (None when there is none)."""
    require_trainer(actor)
    return session.scalar(sa.select(Proposal).where(Proposal.programme_id == programme.id, Proposal.status == DRAFT).order_by(Proposal.id.desc()).limit(1))


def _draft(session: Session, actor: Actor, programme: Programme, proposal_id: int) -> Proposal:
    proposal = current(session, actor, programme)
    if proposal is None or proposal.id != proposal_id:
        raise NotFound("no such draft proposal; run matching again")
    return proposal


def _people_by_id(session: Session, programme: Programme) -> tuple[dict[str, m.Person], m.Rules]:
    people, _ = people_of(session, programme)
    return {p.id: p for p in people}, rules_of(session, programme)


def _pair_json(pair: m.Pair) -> dict[str, Any]:
    """One pair as the proposal stores it (digital, expert, score, explanation), in the offline JSON format."""
    return result_to_json(m.Result((pair,), {}, pair.score, False, m.Certificate(0, 0, 0, 0, 0, {})), duals=False)["pairs"][0]


def _pair(people: dict[str, m.Person], rules: m.Rules, digital: str, expert: str) -> dict[str, Any]:
    d, e = people.get(digital), people.get(expert)
    if d is None or e is None or d.side is not Side.DIGITAL_MENTOR or e.side is not Side.SENIOR_EXPERT:
        raise PairRefused("side", "a tandem pairs a digital mentor with a senior expert who both filled in their profile")
    lines = m.reporting_lines(people.values(), rules)
    found = m.pair_for(d, e, rules, lines)
    if isinstance(found, m.Exclusion):
        raise PairRefused(found.value, _EXCLUSION_MESSAGES[found])
    if found.score <= 0:
        raise PairRefused("nothing_to_learn", "in this pair at least one of the two would learn nothing from the other")
    return {**_pair_json(found), "edited": True}


def _check_capacity(people: dict[str, m.Person], pairs: list[dict[str, Any]]) -> None:
    count: dict[str, int] = {}
    for pair in pairs:
        for pid in (pair["digital"], pair["expert"]):
            count[pid] = count.get(pid, 0) + 1
    for pid, n in count.items():
        if pid not in people:
            raise PairRefused("side", "someone in the proposal has no profile any more; run matching again")
        if n > people[pid].capacity:
            raise PairRefused("capacity", "this would give someone more partners than they take")


def _store(session: Session, proposal: Proposal, pairs: list[dict[str, Any]], people: dict[str, m.Person]) -> None:
    matched = {p["digital"] for p in pairs} | {p["expert"] for p in pairs}
    unmatched = {pid: reason for pid, reason in (proposal.unmatched or {}).items() if pid not in matched}
    for pid in people:
        if pid not in matched and pid not in unmatched:
            unmatched[pid] = "removed_by_trainer"
    proposal.pairs = sorted(pairs, key=lambda p: (-p["score"], p["digital"], p["expert"]))
    proposal.unmatched = unmatched
    proposal.total = sum(p["score"] for p in pairs)
    proposal.optimal = False
    session.flush()


def remove_pair(session: Session, actor: Actor, programme: Programme, proposal_id: int, digital: str, expert: str) -> None:
    """Take a pair out of the draft; both go to the unmatched with "removed by the trainer"."""
    proposal = _draft(session, actor, programme, proposal_id)
    pairs = [p for p in proposal.pairs if (p["digital"], p["expert"]) != (digital, expert)]
    if len(pairs) == len(proposal.pairs):
        raise NotFound("no such pair in the proposal")
    people, _ = _people_by_id(session, programme)
    _store(session, proposal, pairs, people)


def add_pair(session: Session, actor: Actor, programme: Programme, proposal_id: int, digital: str, expert: str) -> None:
    """Add a pair the trainer chose, if every rule and both capacities allow it.

    :raise PairRefused: names the rule it breaks.
    """
    proposal = _draft(session, actor, programme, proposal_id)
    people, rules = _people_by_id(session, programme)
    if any((p["digital"], p["expert"]) == (digital, expert) for p in proposal.pairs):
        raise PairRefused("duplicate", "this pair is already in the proposal")
    pairs = [*proposal.pairs, _pair(people, rules, digital, expert)]
    _check_capacity(people, pairs)
    _store(session, proposal, pairs, people)


def swap(session: Session, actor: Actor, programme: Programme, proposal_id: int, first: tuple[str, str], second: tuple[str, str]) -> None:
    """Swap the senior experts of two pairs: (d1, e1), (d2, e2) become (d1, e2), (d2, e1), if every rule allows both.

    :raise PairRefused: names the rule a new pair breaks; the proposal is unchanged.
    """
    proposal = _draft(session, actor, programme, proposal_id)
    keys = [(p["digital"], p["expert"]) for p in proposal.pairs]
    if first not in keys or second not in keys or first == second:
        raise NotFound("choose two different pairs of the proposal")
    (d1, e1), (d2, e2) = first, second
    if d1 == d2 or e1 == e2:
        raise PairRefused("same_person", "these two pairs share a person; swapping changes nothing")
    people, rules = _people_by_id(session, programme)
    rest = [p for p in proposal.pairs if (p["digital"], p["expert"]) not in (first, second)]
    if any((p["digital"], p["expert"]) in ((d1, e2), (d2, e1)) for p in rest):
        raise PairRefused("duplicate", "one of the new pairs is already in the proposal")
    pairs = [*rest, _pair(people, rules, d1, e2), _pair(people, rules, d2, e1)]
    _check_capacity(people, pairs)
    _store(session, proposal, pairs, people)


def publish(session: Session, actor: Actor, programme: Programme, proposal_id: int) -> int:
    """Publish the draft: every pair becomes a tandem the two participants see (one transaction).

    Returns how many tandems were created.
    """
    proposal = _draft(session, actor, programme, proposal_id)
    if not proposal.pairs:
        raise RuleViolation("the proposal has no pairs to publish", "proposal")
    people, rules = _people_by_id(session, programme)
    for pair in proposal.pairs:  # the profiles may have changed since the run: check every rule again
        if pair["digital"] not in people or pair["expert"] not in people:
            raise PairRefused("side", "someone in the proposal has changed their profile; run matching again")
        found = m.pair_for(people[pair["digital"]], people[pair["expert"]], rules, m.reporting_lines(people.values(), rules))
        if isinstance(found, m.Exclusion):
            raise PairRefused(found.value, f"{_EXCLUSION_MESSAGES[found]}; run matching again")
    _check_capacity(people, proposal.pairs)
    now = utcnow()
    for pair in proposal.pairs:
        session.add(
            Tandem(
                organisation_id=programme.organisation_id,
                programme_id=programme.id,
                proposal_id=proposal.id,
                digital_person_id=int(pair["digital"]),
                expert_person_id=int(pair["expert"]),
                score=pair["score"],
                explanation=pair["explanation"],
                status="proposed",
                published_at=now,
            )
        )
    proposal.status = PUBLISHED
    proposal.published_at = now
    session.flush()
    return len(proposal.pairs)


def names(session: Session, actor: Actor, person_ids: set[int]) -> dict[int, str | None]:
    """Display names of people of the actor's organisation."""
    if not person_ids:
        return {}
    rows = session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(person_ids), Person.organisation_id == actor.organisation_id))
    return dict(rows.all())


# --- the participant's side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MyTandem:
    """A published tandem as one of its two participants sees it."""

    id: int
    my_side: Side
    partner_id: int
    partner_name: str | None
    partner_email: str | None
    score: int
    explanation: dict[str, Any]
    status: str
    my_response: str | None
    partner_response: str | None


def my_tandems(session: Session, actor: Actor) -> list[MyTandem]:
    """The actor's published tandems in the course's programme (nothing before publish)."""
    if actor.role is not Role.PARTICIPANT or actor.course_id is None:
        raise NotAllowed("only participants have tandems")
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme is None:
        return []
    rows = session.scalars(
        sa.select(Tandem)
        .where(Tandem.programme_id == programme.id, sa.or_(Tandem.digital_person_id == actor.person_id, Tandem.expert_person_id == actor.person_id), Tandem.status != "declined")
        .order_by(Tandem.id)
    ).all()
    partners = {r.expert_person_id if r.digital_person_id == actor.person_id else r.digital_person_id for r in rows}
    info = {r.id: r for r in session.execute(sa.select(Person.id, Person.name, Person.email).where(Person.id.in_(partners)))} if partners else {}
    out = []
    for r in rows:
        digital = r.digital_person_id == actor.person_id
        partner = r.expert_person_id if digital else r.digital_person_id
        out.append(
            MyTandem(
                r.id,
                Side.DIGITAL_MENTOR if digital else Side.SENIOR_EXPERT,
                partner,
                info[partner].name if partner in info else None,
                info[partner].email if partner in info else None,
                r.score,
                r.explanation or {},
                r.status,
                r.digital_response if digital else r.expert_response,
                r.expert_response if digital else r.digital_response,
            )
        )
    return out


def my_network(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Further mentors suggested to the actor in the published proposal, for needs their partner does not cover."""
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme is None:
        return []
    proposal = session.scalar(sa.select(Proposal).where(Proposal.programme_id == programme.id, Proposal.status == PUBLISHED).order_by(Proposal.id.desc()).limit(1))
    if proposal is None:
        return []
    items = (proposal.network or {}).get(str(actor.person_id), [])
    who = names(session, actor, {int(s["mentor"]) for s in items})
    return [{**s, "mentor_name": who.get(int(s["mentor"]))} for s in items]


SUGGESTIONS = 5


@dataclass(frozen=True)
class Suggestion:
    """A partner a participant may ask for (matching mode "choice"), with why."""

    person_id: int
    name: str | None
    score: int
    explanation: dict[str, Any]
    i_am_digital: bool


def _choice_programme(session: Session, actor: Actor) -> Programme:
    if actor.role is not Role.PARTICIPANT or actor.course_id is None:
        raise NotAllowed("only participants choose partners")
    programme = session.scalar(sa.select(Programme).where(Programme.course_id == actor.course_id, Programme.organisation_id == actor.organisation_id))
    if programme is None or programme.matching_mode != "choice":
        raise NotAllowed("in this programme the trainer pairs people")
    return programme


def _candidates(session: Session, actor: Actor, programme: Programme) -> list[tuple[m.Pair, m.Person]]:
    people, _ = people_of(session, programme)
    by_id = {p.id: p for p in people}
    me = by_id.get(str(actor.person_id))
    if me is None or me.capacity <= 0:
        return []
    rules = rules_of(session, programme)
    lines = m.reporting_lines(people, rules)
    found = []
    for other in people:
        if other.side is me.side or other.capacity <= 0:
            continue
        digital, expert = (me, other) if me.side is Side.DIGITAL_MENTOR else (other, me)
        pair = m.pair_for(digital, expert, rules, lines)
        if isinstance(pair, m.Pair) and pair.score > 0:
            found.append((pair, other))
    return sorted(found, key=lambda t: (-t[0].score, t[1].id))


def suggestions(session: Session, actor: Actor) -> list[Suggestion]:
    """The best partners the actor may ask for (choice mode), best first; empty without a profile or capacity."""
    programme = _choice_programme(session, actor)
    top = _candidates(session, actor, programme)[:SUGGESTIONS]
    who = names(session, actor, {int(o.id) for _, o in top})
    out = []
    for pair, other in top:
        out.append(Suggestion(int(other.id), who.get(int(other.id)), pair.score, _pair_json(pair)["explanation"], pair.digital_id == str(actor.person_id)))
    return out


def request_partner(session: Session, actor: Actor, partner_id: int) -> int:
    """Ask a suggested partner (choice mode): a tandem the other side accepts or declines. Returns its id.

    :raise PairRefused: the person is no longer an eligible partner (rules, capacity, profile).
    """
    programme = _choice_programme(session, actor)
    found = next(((p, o) for p, o in _candidates(session, actor, programme) if o.id == str(partner_id)), None)
    if found is None:
        raise PairRefused("side", "this person is not one of your possible partners any more")
    pair, _other = found
    digital = int(pair.digital_id)
    if session.scalar(sa.select(Tandem.id).where(Tandem.programme_id == programme.id, Tandem.digital_person_id == digital, Tandem.expert_person_id == int(pair.expert_id))):
        raise PairRefused("duplicate", "you two were paired before in this programme")
    tandem = Tandem(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        digital_person_id=digital,
        expert_person_id=int(pair.expert_id),
        score=pair.score,
        explanation=_pair_json(pair)["explanation"],
        status="requested",
        digital_response="accepted" if digital == actor.person_id else None,
        expert_response=None if digital == actor.person_id else "accepted",
        published_at=utcnow(),
    )
    session.add(tandem)
    session.flush()
    return tandem.id


RESPONSES = ("accepted", "coffee", "declined")


def respond(session: Session, actor: Actor, tandem_id: int, response: str) -> str:
    """Record the actor's answer to a published tandem: accept, ask for a virtual coffee first, or decline.

    The tandem becomes active when both accepted; declined when either declines. Returns the new status.
    """
    if response not in RESPONSES:
        raise RuleViolation("answer accept, virtual coffee or decline", "response")
    tandem = session.scalar(sa.select(Tandem).where(Tandem.id == tandem_id, Tandem.organisation_id == actor.organisation_id).with_for_update())
    if tandem is None or actor.person_id not in (tandem.digital_person_id, tandem.expert_person_id) or actor.role is not Role.PARTICIPANT:
        raise NotFound("no such tandem")
    if tandem.status in ("declined", "ended"):
        raise RuleViolation("this tandem is closed", "response")
    if tandem.digital_person_id == actor.person_id:
        tandem.digital_response = response
    else:
        tandem.expert_response = response
    if response == "declined":
        tandem.status = "declined"
    elif tandem.digital_response == tandem.expert_response == "accepted":
        tandem.status = "active"
    session.flush()
    return tandem.status
