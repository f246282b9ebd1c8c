"""Sign-offs in a group's chain: several people learn a track, so every record names its learner.

In a group, the track taught by a side is taught by the group's people on that side and learned by the
others: the senior mentor teaches the expertise track to each younger member, the younger members teach
the digital track to the mentor. Each learner's objective is signed off by one of its teachers (nobody
signs their own learning). A focused mentoring (the mentor network) is a group of two that works on the
mentor's track only (``taught``). Records go into the group's one hash chain, with ``group_id`` and
``learner_id``; the same checks (``verify_chain``) and the same JSON export apply.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plugin.domain.catalogue import Module, Side
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.signoffs.progress import TrackState, replay_chain
from plugin.domain.signoffs.records import Kind, SignOff
from plugin.domain.signoffs.writing import COMMENT_MAX, REASON_MAX, _all_ticked, _objective, _text, next_record


@dataclass(frozen=True)
class GroupRoster:
    """A group's people (the mentor included) with the side each teaches, and the tracks it works on."""

    id: int
    #: person id -> their side in the programme (the track they teach)
    sides: Mapping[int, Side]
    #: the sides whose tracks are taught here (a focused mentoring: the mentor's side only)
    taught: frozenset[Side] = field(default_factory=lambda: frozenset(Side))

    def teachers(self, side: Side) -> frozenset[int]:
        """Who may sign off the track taught by ``side``."""
        return frozenset(p for p, s in self.sides.items() if s is side) if side in self.taught else frozenset()

    def learners(self, side: Side) -> frozenset[int]:
        """Who learns the track taught by ``side`` (each gets their own sign-offs and score)."""
        if side not in self.taught or not self.teachers(side):
            return frozenset()
        return frozenset(p for p, s in self.sides.items() if s is not side)

    def learned_by(self, person_id: int) -> tuple[Side, ...]:
        """The sides whose tracks ``person_id`` learns here."""
        return tuple(side for side in Side if person_id in self.learners(side))


def learner_records(chain: Iterable[SignOff], learner_id: int) -> list[SignOff]:
    return [r for r in chain if r.learner_id == learner_id]


def learner_track(chain: Iterable[SignOff], module: Module, learner_id: int, side: Side) -> TrackState:
    """How far ``learner_id`` is in the track of ``module`` taught by ``side`` (no countersignature in groups)."""
    replay = replay_chain(learner_records(chain, learner_id), module.slug, module.version)
    track = next(t for t in module.tracks if t.taught_by is side)
    last = replay.last_signed.get(side)
    return TrackState(
        key=track.key,
        side=side,
        objectives=tuple(o.id for o in track.objectives),
        signed=tuple(o.id for o in track.objectives if (side, o.id) in replay.signed),
        countersigned=False,
        countersign_required=False,
        withdrawals=replay.withdrawals.get(side, 0),
        last_signed_at=last.at if last else None,
    )


def new_group_signoff(
    chain: Sequence[SignOff],
    roster: GroupRoster,
    module: Module,
    objective_id: str,
    learner_id: int,
    actor_id: int,
    criteria: Iterable[int],
    at: datetime,
    comment: str = "",
) -> SignOff:
    """A teacher of a track signs off one objective that ``learner_id`` learned, every criterion ticked.

    Raises:
        NotFound: the module has no such objective.
        NotAllowed: the actor signs their own learning, or does not teach this track in the group, or the
            person does not learn this track in the group.
        RuleViolation: already signed off for this learner, a criterion is not ticked, the comment is too long.
    """
    track, objective = _objective(module, objective_id)
    side = track.taught_by
    if actor_id == learner_id:
        raise NotAllowed("You cannot sign off your own learning: one who teaches you this track signs it off.")
    if learner_id not in roster.learners(side):
        raise NotAllowed("This person does not learn this track in the group.")
    if actor_id not in roster.teachers(side):
        raise NotAllowed("Only someone who teaches this track in the group can sign it off.")
    if (side, objective_id) in replay_chain(learner_records(chain, learner_id), module.slug, module.version).signed:
        raise RuleViolation(
            f"Objective {objective_id} is already signed off for this person. Withdraw that sign-off first to sign it again.",
            "objective_id",
        )
    ticks = _all_ticked(objective, criteria)
    payload = {"criteria": list(ticks), "comment": _text(comment, COMMENT_MAX, "comment", "The comment")}
    return _append(
        chain, roster, (module.slug, module.version, side, objective_id), learner_id, actor_id, Kind.SIGNED, payload, at
    )


def withdraw_group_signoff(
    chain: Sequence[SignOff],
    roster: GroupRoster,
    signed_seq: int,
    actor_id: int,
    reason: str,
    at: datetime,
    trainer_ids: Collection[int] = (),
) -> SignOff:
    """Withdraw an active sign-off with a reason: a teacher of the track or a trainer may."""
    target = next((r for r in chain if r.seq == signed_seq), None)
    if target is None or target.learner_id is None:
        raise NotFound(f"There is no sign-off number {signed_seq} in this group.")
    if target.kind is not Kind.SIGNED or target.objective_id is None:
        raise RuleViolation("Only a sign-off of an objective can be withdrawn.", "seq")
    if actor_id not in roster.teachers(target.side) and actor_id not in trainer_ids:
        raise NotAllowed("Only someone who teaches this track in the group, or a trainer, can withdraw its sign-offs.")
    active = replay_chain(learner_records(chain, target.learner_id), target.module_slug, target.module_version).signed.get(
        (target.side, target.objective_id)
    )
    if active is None or active.seq != target.seq:
        raise RuleViolation("This sign-off was already withdrawn.", "seq")
    text = _text(reason, REASON_MAX, "reason", "The reason")
    if not text:
        raise RuleViolation("Give a reason for withdrawing the sign-off.", "reason")
    where = (target.module_slug, target.module_version, target.side, target.objective_id)
    return _append(
        chain, roster, where, target.learner_id, actor_id, Kind.WITHDRAWN, {"withdraws": target.seq, "reason": text}, at
    )


def _append(
    chain: Sequence[SignOff],
    roster: GroupRoster,
    where: tuple[str, int, Side, str | None],
    learner_id: int,
    actor_id: int,
    kind: Kind,
    payload: dict[str, Any],
    at: datetime,
) -> SignOff:
    if chain and chain[-1].group_id != roster.id:
        raise ValueError(f"the chain belongs to group {chain[-1].group_id}, not {roster.id}")
    return next_record(chain, {"tandem_id": None, "group_id": roster.id, "learner_id": learner_id}, where, actor_id, kind, payload, at)
