"""Matching a programme: run the engine over the profiles and let the trainer edit the draft (swap, remove,
add). The review page is :mod:`plugin.services.proposal_review`, publishing :mod:`plugin.services.publishing`,
and what participants see and answer :mod:`plugin.services.participation` (re-exported here for the views).

Nothing a participant sees changes before publish: proposals are the trainer's alone, and
tandems exist only from publish on. An edit loads only the people it pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm import Session

from plugin.domain import matching as m
from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.matching.pool import STAGE_SHARES as MATCH_STAGE_SHARES
from plugin.domain.matching.pool import expected_seconds
from plugin.models import Participant, Programme, Proposal
from plugin.services import jobs
from plugin.services.launches import Actor
from plugin.services.matching_io import result_to_json
from plugin.services.matching_pool import DISCARDED, DRAFT, NO_PROFILE, PUBLISHED, PairRefused, capacities, check_pair, names, pair_json, people_of, rules_of
from plugin.services.participation import RESPONSES, MyTandem, Suggestion, my_network, my_tandems, request_partner, respond, suggestions
from plugin.services.programmes import require_trainer

__all__ = [
    "DISCARDED", "DRAFT", "NO_PROFILE", "PUBLISHED", "RESPONSES", "MyTandem", "PairRefused", "Suggestion", "add_pair", "current", "draft", "my_network",
    "my_tandems", "names", "people_of", "remove_pair", "request_partner", "respond", "rules_of", "run", "start", "start_manual", "suggestions", "swap",
]  # fmt: skip


#: pools of more participants than this get a time estimate on the progress page
ESTIMATE_FROM = 5_000
#: the share of the matching job's time that :func:`plugin.domain.matching.match` takes (the rest: reading
#: the profiles, the mentor network, writing the proposal), and the shares of all its stages
MATCH_SHARE = 0.75
STAGE_SHARES = {"loading": 0.1, **{k: MATCH_SHARE * v for k, v in MATCH_STAGE_SHARES.items()}, "writing": 0.15}


def start(session: Session, actor: Actor, programme: Programme) -> int:
    """A queued matching job (or the one already running)."""
    require_trainer(actor)
    require_both_sides(session, programme)
    return jobs.running(session, programme.id, "match") or jobs.create(session, actor, programme.id, "match", total=100)


def require_both_sides(session: Session, programme: Programme) -> None:
    """Matching (by Tandem or by hand) needs a ready participant with a place left on each side.

    Raises:
        RuleViolation: field ``ready``, when a side has nobody ready.
    """
    sides = {side for _pid, side, left in capacities(session, programme) if left > 0}
    if len(sides) < 2:
        raise RuleViolation("matching needs a ready participant on each side", "ready")


def run(session: Session, job_id: int, programme_id: int, progress: Callable[[str, int], None]) -> int:
    """The matching job: solve the whole pool, store the proposal (replacing an unpublished one) in one
    transaction; returns the proposal id."""
    programme = session.get(Programme, programme_id)
    size = session.scalar(sa.select(sa.func.count()).select_from(Participant).where(Participant.programme_id == programme_id)) or 0
    if size > ESTIMATE_FROM and hasattr(progress, "expect"):
        progress.expect(STAGE_SHARES, expected_seconds(size) / MATCH_SHARE)
    progress("loading", 2)
    people, missing = people_of(session, programme)
    rules = rules_of(session, programme)
    result = m.match(people, rules, progress)
    network = m.suggest_network(people, rules, result)
    progress("writing", 95)
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
    require_both_sides(session, programme)
    ready = {str(pid) for pid, _side, _left in capacities(session, programme)}
    everyone = session.scalars(sa.select(Participant.person_id).where(Participant.programme_id == programme.id).order_by(Participant.person_id)).all()
    session.execute(sa.update(Proposal).where(Proposal.programme_id == programme.id, Proposal.status == DRAFT).values(status=DISCARDED))
    unmatched = {str(pid): "not_paired_yet" if str(pid) in ready else NO_PROFILE for pid in everyone}
    proposal = Proposal(programme_id=programme.id, status=DRAFT, pairs=[], unmatched=unmatched, network={}, total=0, optimal=False)
    session.add(proposal)
    session.flush()
    return proposal.id


def current(session: Session, actor: Actor, programme: Programme) -> Proposal | None:
    """The draft proposal the trainer reviews (None when there is none); its mentor network, which only
    participants see once it is published, loads when read."""
    require_trainer(actor)
    return session.scalar(
        sa.select(Proposal).options(so.defer(Proposal.network)).where(Proposal.programme_id == programme.id, Proposal.status == DRAFT).order_by(Proposal.id.desc()).limit(1)
    )


def draft(session: Session, actor: Actor, programme: Programme, proposal_id: int) -> Proposal:
    """The current draft, which must be ``proposal_id``.

    :raise NotFound: it was published, discarded by a new run, or never existed.
    """
    proposal = current(session, actor, programme)
    if proposal is None or proposal.id != proposal_id:
        raise NotFound("no such draft proposal; run matching again")
    return proposal


def _pool(session: Session, programme: Programme, ids: Iterable[str]) -> tuple[dict[str, m.Person], m.Rules, dict[str, str]]:
    """The people an edit touches, the rules, and the reporting lines of the whole pool."""
    people, _ = people_of(session, programme, only={int(i) for i in ids})
    rules = rules_of(session, programme, all_managers=True)
    return {p.id: p for p in people}, rules, m.reporting_lines(people, rules)


def _edited(people: dict[str, m.Person], rules: m.Rules, lines: dict[str, str], digital: str, expert: str) -> dict[str, Any]:
    return {**pair_json(check_pair(people, rules, digital, expert, lines)), "edited": True}


def _check_capacity(people: dict[str, m.Person], pairs: list[dict[str, Any]], involved: set[str]) -> None:
    count = dict.fromkeys(involved, 0)
    for pair in pairs:
        for pid in (pair["digital"], pair["expert"]):
            if pid in count:
                count[pid] += 1
    for pid, n in count.items():
        person = people.get(pid)
        if n and person is None:
            raise PairRefused("side", "someone in the proposal has no profile any more; run matching again")
        if person is not None and n > person.capacity:
            raise PairRefused("capacity", "this would give someone more partners than they take")


def _store(session: Session, proposal: Proposal, pairs: list[dict[str, Any]], involved: set[str]) -> None:
    matched = {p["digital"] for p in pairs} | {p["expert"] for p in pairs}
    unmatched = {pid: reason for pid, reason in (proposal.unmatched or {}).items() if pid not in matched}
    for pid in involved - matched:
        unmatched.setdefault(pid, "removed_by_trainer")
    proposal.pairs = sorted(pairs, key=lambda p: (-p["score"], p["digital"], p["expert"]))
    proposal.unmatched = unmatched
    proposal.total = sum(p["score"] for p in pairs)
    proposal.optimal = False
    session.flush()


def _keys(proposal: Proposal) -> list[tuple[str, str]]:
    return [(p["digital"], p["expert"]) for p in proposal.pairs]


def remove_pair(session: Session, actor: Actor, programme: Programme, proposal_id: int, digital: str, expert: str) -> None:
    """Take a pair out of the draft; both go to the unmatched with "removed by the trainer".

    :raise PairRefused: ``gone``: the pair is not in the proposal (any more).
    """
    proposal = draft(session, actor, programme, proposal_id)
    pairs = [p for p in proposal.pairs if (p["digital"], p["expert"]) != (digital, expert)]
    if len(pairs) == len(proposal.pairs):
        raise PairRefused("gone", "this pair is not in the proposal any more")
    _store(session, proposal, pairs, {digital, expert})


def add_pair(session: Session, actor: Actor, programme: Programme, proposal_id: int, digital: str, expert: str) -> None:
    """Add a pair the trainer chose, if every rule and both capacities allow it.

    :raise PairRefused: names the rule it breaks.
    """
    proposal = draft(session, actor, programme, proposal_id)
    if (digital, expert) in _keys(proposal):
        raise PairRefused("duplicate", "this pair is already in the proposal")
    people, rules, lines = _pool(session, programme, (digital, expert))
    pairs = [*proposal.pairs, _edited(people, rules, lines, digital, expert)]
    _check_capacity(people, pairs, {digital, expert})
    _store(session, proposal, pairs, {digital, expert})


def swap(session: Session, actor: Actor, programme: Programme, proposal_id: int, first: tuple[str, str], second: tuple[str, str]) -> None:
    """Swap the senior experts of two pairs: (d1, e1), (d2, e2) become (d1, e2), (d2, e1), if every rule allows both.

    :raise PairRefused: names the rule a new pair breaks (or ``same_pair`` / ``gone``); the proposal is unchanged.
    """
    proposal = draft(session, actor, programme, proposal_id)
    keys = _keys(proposal)
    if first == second:
        raise PairRefused("same_pair", "choose two different pairs")
    if first not in keys or second not in keys:
        raise PairRefused("gone", "one of the two pairs is not in the proposal any more")
    (d1, e1), (d2, e2) = first, second
    if d1 == d2 or e1 == e2:
        raise PairRefused("same_person", "these two pairs share a person; swapping changes nothing")
    rest = [p for p in proposal.pairs if (p["digital"], p["expert"]) not in (first, second)]
    if any((p["digital"], p["expert"]) in ((d1, e2), (d2, e1)) for p in rest):
        raise PairRefused("duplicate", "one of the new pairs is already in the proposal")
    involved = {d1, e1, d2, e2}
    people, rules, lines = _pool(session, programme, involved)
    pairs = [*rest, _edited(people, rules, lines, d1, e2), _edited(people, rules, lines, d2, e1)]
    _check_capacity(people, pairs, involved)
    _store(session, proposal, pairs, involved)
