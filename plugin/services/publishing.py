"""Publishing a draft proposal: every pair becomes a tandem its two participants see.

Publishing is a background job (:mod:`plugin.services.jobs`): the request checks that there is something
to publish and that every pair still meets the rules (so a refusal names the rule at once), queues the
job and sends the trainer to its progress page; the job checks again and creates all tandems, marking
the proposal published, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import matching as m
from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.domain.fit import Summary
from plugin.models import Participant, Programme, Proposal, Tandem
from plugin.models.base import utcnow
from plugin.services import jobs, notifications
from plugin.services.launches import Actor
from plugin.services.matching_pool import DRAFT, EXCLUSION_MESSAGES, PUBLISHED, PairRefused, held, rules_of
from plugin.services.proposal_review import outline

KIND = "publish"


class NothingToPublish(RuleViolation):
    """The draft has no pairs: there is nothing to publish (HTTP 409)."""

    def __init__(self) -> None:
        super().__init__("the proposal has no pairs to publish", "proposal")


def confirmation(session: Session, actor: Actor, programme: Programme, proposal_id: int) -> Summary:
    """The summary of the draft a trainer is about to publish.

    :raise NotFound: no such draft. :raise NothingToPublish: it has no pairs.
    """
    summary, _pairs = outline(session, actor, programme, proposal_id)
    if not summary.pairs:
        raise NothingToPublish()
    return summary


def _partners(session: Session, programme: Programme) -> dict[str, m.Person]:
    """What the rules need of the programme's people (side, languages, capacity left, manager, vetoes), read in
    narrow columns: no needs maps."""
    places = held(session, programme)
    rows = session.execute(
        sa.select(Participant.person_id, Participant.side, Participant.languages, Participant.capacity, Participant.manager_person_id, Participant.vetoes).where(
            Participant.programme_id == programme.id, Participant.side.is_not(None), Participant.profile_saved_at.is_not(None)
        )
    )
    return {
        str(pid): m.Person(
            id=str(pid),
            side=Side(side),
            languages=frozenset(languages or ()),
            capacity=max(0, capacity - places.get(pid, 0)),
            manager=None if manager is None else str(manager),
            vetoes=frozenset(str(v) for v in vetoes or ()),
        )
        for pid, side, languages, capacity, manager, vetoes in rows
    }


def check(session: Session, programme: Programme, pairs: Iterable[tuple[str, str]]) -> None:
    """Every pair (digital, expert) still meets every rule and both capacities (profiles may have changed since
    the run).

    :raise PairRefused: names the first rule a pair breaks.
    """
    by_id = _partners(session, programme)
    rules = rules_of(session, programme)
    lines = m.reporting_lines(by_id.values(), rules)
    count: dict[str, int] = {}
    for digital, expert in pairs:
        d, e = by_id.get(digital), by_id.get(expert)
        if d is None or e is None:
            raise PairRefused("side", "someone in the proposal has changed their profile; run matching again")
        excluded = m.exclusion(d, e, rules, lines)
        if excluded is not None:
            raise PairRefused(excluded.value, f"{EXCLUSION_MESSAGES[excluded]}; run matching again")
        for pid in (d.id, e.id):
            count[pid] = count.get(pid, 0) + 1
            if count[pid] > by_id[pid].capacity:
                raise PairRefused("capacity", "this would give someone more partners than they take")


def start(session: Session, actor: Actor, programme: Programme, proposal_id: int) -> int:
    """Queue the publish job of the draft (or return the one already queued or running).

    :raise NotFound: no such draft. :raise NothingToPublish: no pairs. :raise PairRefused: a pair breaks a rule;
    nothing is queued.
    """
    summary, pairs = outline(session, actor, programme, proposal_id)
    if not summary.pairs:
        raise NothingToPublish()
    running = jobs.running(session, programme.id, KIND)
    if running is not None:
        return running
    check(session, programme, pairs)
    return jobs.create(session, actor, programme.id, KIND, total=100)


def run(session: Session, job_id: int, programme_id: int, proposal_id: int, progress: Callable[[str, int], None]) -> int:
    """The publish job: check every pair again, then create every tandem and mark the proposal published,
    in the one transaction the job commits at its end. Returns how many tandems were created (0 when the
    proposal changed meanwhile or a pair broke a rule: the job then ends failed, nothing published)."""
    programme = session.get(Programme, programme_id)
    progress("checking", 10)
    trail = [*getattr(progress, "trail", [])]
    proposal = session.scalar(sa.select(Proposal).where(Proposal.id == proposal_id, Proposal.programme_id == programme_id, Proposal.status == DRAFT).with_for_update())
    if proposal is None or not proposal.pairs:
        jobs.report(session, job_id, 0, status=jobs.FAILED, key="publish_gone", trail=trail)
        return 0
    try:
        check(session, programme, [(p["digital"], p["expert"]) for p in proposal.pairs])
    except PairRefused as exc:
        session.rollback()
        jobs.report(session, job_id, 0, status=jobs.FAILED, key="publish_refused", rule=exc.reason, trail=trail)
        return 0
    now = utcnow()
    rows = [
        {
            "organisation_id": programme.organisation_id,
            "programme_id": programme.id,
            "proposal_id": proposal.id,
            "digital_person_id": int(pair["digital"]),
            "expert_person_id": int(pair["expert"]),
            "score": pair["score"],
            "explanation": pair["explanation"],
            "status": "proposed",
            "published_at": now,
        }
        for pair in proposal.pairs
    ]
    session.execute(sa.insert(Tandem), rows)
    proposal.status = PUBLISHED
    proposal.published_at = now
    session.flush()
    notifications.tandems_published(session, proposal.id)
    jobs.report(session, job_id, 100, total=100, status=jobs.DONE, key="published", count=len(rows), trail=[*trail, ["published", 100]])
    return len(rows)
