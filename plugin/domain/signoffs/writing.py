"""The rules of signing: who signs off which track (nobody signs their own learning), every criterion
ticked, withdrawing with a reason, a trainer's countersignature; each gives the chain's next record."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from plugin.domain.catalogue import Module, Objective, Side, Track
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.signoffs.progress import replay_chain
from plugin.domain.signoffs.records import Kind, SignOff, Tandem, hash_of, head, record_from, utc_timestamp

COMMENT_MAX = 2000
REASON_MAX = 2000
_LABEL = {Side.DIGITAL_MENTOR: "digital mentor", Side.SENIOR_EXPERT: "senior expert"}


def new_signoff(
    chain: Sequence[SignOff],
    tandem: Tandem,
    module: Module,
    objective_id: str,
    actor_id: int,
    criteria: Iterable[int],
    at: datetime,
    comment: str = "",
) -> SignOff:
    """The teacher of a track signs off one objective, with every criterion (0-based indexes) ticked.

    Raises:
        NotFound: the module has no such objective.
        NotAllowed: the actor is not the teacher of that track in this tandem (nobody signs their own learning).
        RuleViolation: the objective is already signed off, a criterion is not ticked, or the comment is too long.
    """
    track, objective = _objective(module, objective_id)
    side = track.taught_by
    if actor_id == tandem.learner(side):
        raise NotAllowed(f"You cannot sign off your own learning: the {_LABEL[side]} of your tandem signs off this track.")
    if actor_id != tandem.teacher(side):
        raise NotAllowed(f"Only the {_LABEL[side]} of this tandem can sign off this track.")
    if (side, objective_id) in replay_chain(chain, module.slug, module.version).signed:
        message = f"Objective {objective_id} is already signed off. Withdraw that sign-off first to sign it again."
        raise RuleViolation(message, "objective_id")
    ticks = _all_ticked(objective, criteria)
    payload = {"criteria": list(ticks), "comment": _text(comment, COMMENT_MAX, "comment", "The comment")}
    return _append(chain, tandem, (module.slug, module.version, side, objective_id), actor_id, Kind.SIGNED, payload, at)


def withdraw(
    chain: Sequence[SignOff],
    tandem: Tandem,
    signed_seq: int,
    actor_id: int,
    reason: str,
    at: datetime,
    trainer_ids: Collection[int] = (),
) -> SignOff:
    """Withdraw an active sign-off (by its ``seq``), with a reason: the teacher of the track or a trainer may.

    Raises:
        NotFound: there is no record ``signed_seq`` in the chain.
        NotAllowed: the actor is neither the teacher of that track nor one of ``trainer_ids``.
        RuleViolation: the record is not a sign-off, it was already withdrawn, or the reason is missing.
    """
    target = next((r for r in chain if r.seq == signed_seq), None)
    if target is None:
        raise NotFound(f"There is no sign-off number {signed_seq} in this tandem.")
    if target.kind is not Kind.SIGNED or target.objective_id is None:
        raise RuleViolation("Only a sign-off of an objective can be withdrawn.", "seq")
    if actor_id != tandem.teacher(target.side) and actor_id not in trainer_ids:
        raise NotAllowed(f"Only the {_LABEL[target.side]} who signs off this track, or a trainer, can withdraw its sign-offs.")
    active = replay_chain(chain, target.module_slug, target.module_version).signed.get((target.side, target.objective_id))
    if active is None or active.seq != target.seq:
        raise RuleViolation("This sign-off was already withdrawn.", "seq")
    text = _text(reason, REASON_MAX, "reason", "The reason")
    if not text:
        raise RuleViolation("Give a reason for withdrawing the sign-off.", "reason")
    payload = {"withdraws": target.seq, "reason": text}
    where = (target.module_slug, target.module_version, target.side, target.objective_id)
    return _append(chain, tandem, where, actor_id, Kind.WITHDRAWN, payload, at)


def countersign(
    chain: Sequence[SignOff],
    tandem: Tandem,
    module: Module,
    side: Side,
    actor_id: int,
    trainer_ids: Collection[int],
    at: datetime,
    comment: str = "",
) -> SignOff:
    """A trainer countersigns the track taught by ``side``, once all its objectives are signed off.

    Raises:
        NotAllowed: the actor is a member of the tandem, or not one of ``trainer_ids``.
        RuleViolation: an objective is not signed off yet, or the track is already countersigned.
    """
    if actor_id in tandem.members:
        raise NotAllowed("A member of the tandem cannot countersign its tracks.")
    if actor_id not in trainer_ids:
        raise NotAllowed("Only a trainer of this programme can countersign.")
    track = _track(module, side)
    replay = replay_chain(chain, module.slug, module.version)
    signed = sum((side, o.id) in replay.signed for o in track.objectives)
    if signed < len(track.objectives):
        total = len(track.objectives)
        raise RuleViolation(f"A track can be countersigned only when all its objectives are signed off ({signed} of {total} so far).")
    if side in replay.countersigned:
        raise RuleViolation("This track is already countersigned.")
    payload = {"comment": _text(comment, COMMENT_MAX, "comment", "The comment")}
    return _append(chain, tandem, (module.slug, module.version, side, None), actor_id, Kind.COUNTERSIGNED, payload, at)


def _append(
    chain: Sequence[SignOff],
    tandem: Tandem,
    where: tuple[str, int, Side, str | None],
    actor_id: int,
    kind: Kind,
    payload: dict[str, Any],
    at: datetime,
) -> SignOff:
    """The next record of ``chain``; ``where`` is (module slug, module version, track side, objective id)."""
    if chain and chain[-1].tandem_id != tandem.id:
        raise ValueError(f"the chain belongs to tandem {chain[-1].tandem_id}, not {tandem.id}")
    return next_record(chain, {"tandem_id": tandem.id}, where, actor_id, kind, payload, at)


def next_record(
    chain: Sequence[SignOff],
    owner: dict[str, Any],
    where: tuple[str, int, Side, str | None],
    actor_id: int,
    kind: Kind,
    payload: dict[str, Any],
    at: datetime,
) -> SignOff:
    """The record that follows ``chain``, hashed; ``owner`` names the chain (``tandem_id``, or a group's
    ``tandem_id: None, group_id, learner_id``); ``where`` is (module slug, module version, side, objective id)."""
    slug, version, side, objective_id = where
    entry: dict[str, Any] = {
        "seq": chain[-1].seq + 1 if chain else 1,
        **owner,
        "module_slug": slug,
        "module_version": version,
        "side": side.value,
        "objective_id": objective_id,
        "actor_id": actor_id,
        "kind": kind.value,
        "payload": payload,
        "timestamp": utc_timestamp(at),
        "prev_hash": head(chain),
    }
    entry["hash"] = hash_of(entry)
    return record_from(entry)


def _objective(module: Module, objective_id: str) -> tuple[Track, Objective]:
    for track in module.tracks:
        for objective in track.objectives:
            if objective.id == objective_id:
                return track, objective
    raise NotFound(f"Module {module.slug} has no objective {objective_id}.")


def _track(module: Module, side: Side) -> Track:
    return next(t for t in module.tracks if t.taught_by is side)


def _all_ticked(objective: Objective, criteria: Iterable[int]) -> tuple[int, ...]:
    total = len(objective.criteria)
    ticked = set()
    for index in criteria:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < total:
            raise RuleViolation(f"There is no criterion {index!r} for this objective: it has {total}.", "criteria")
        ticked.add(index)
    if len(ticked) < total:
        raise RuleViolation(f"Tick every criterion before signing off: {len(ticked)} of {total} ticked.", "criteria")
    return tuple(range(total))


def _text(value: str | None, limit: int, name: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise RuleViolation(f"{label} is too long: at most {limit} characters, not {len(text)}.", name)
    return text
