"""Reciprocal sign-offs: append-only records in a per-tandem hash chain, and the module state they give.

Each side of a tandem teaches one track of a module and signs off what the *other* side learned there.
Records are never changed or deleted: withdrawing a sign-off is a new record that names it. Every record
carries the hash of the one before it, so a stored chain or an export can be checked with ``verify_chain``.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from plugin.domain.catalogue import Module, Objective, Side, Track
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation

#: the ``prev_hash`` of a tandem's first record
GENESIS = "0" * 64
COMMENT_MAX = 2000
REASON_MAX = 2000
_LABEL = {Side.DIGITAL_MENTOR: "digital mentor", Side.SENIOR_EXPERT: "senior expert"}


class Kind(enum.StrEnum):
    """What a record says."""

    SIGNED = "signed"
    WITHDRAWN = "withdrawn"
    COUNTERSIGNED = "countersigned"


@dataclass(frozen=True)
class Tandem:
    """A pair: the digital mentor teaches the digital track, the senior expert the expertise track."""

    id: int
    digital_mentor_id: int
    senior_expert_id: int

    def __post_init__(self) -> None:
        if self.digital_mentor_id == self.senior_expert_id:
            raise RuleViolation("A tandem needs two different people.")

    @property
    def members(self) -> tuple[int, int]:
        return (self.digital_mentor_id, self.senior_expert_id)

    def teacher(self, side: Side) -> int:
        """Who teaches the track taught by ``side`` (and so signs it off)."""
        return self.digital_mentor_id if side is Side.DIGITAL_MENTOR else self.senior_expert_id

    def learner(self, side: Side) -> int:
        """Who learns in the track taught by ``side``."""
        return self.senior_expert_id if side is Side.DIGITAL_MENTOR else self.digital_mentor_id


@dataclass(frozen=True)
class SignOff:
    """One append-only record. ``timestamp`` is ISO 8601 in UTC with microseconds."""

    seq: int
    tandem_id: int
    module_slug: str
    module_version: int
    side: Side
    objective_id: str | None
    actor_id: int
    kind: Kind
    payload: Mapping[str, Any] = field(hash=False)
    timestamp: str
    prev_hash: str
    hash: str

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(self.timestamp)

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON values (the export format)."""
        entry = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**entry, "side": self.side.value, "kind": self.kind.value, "payload": _thaw(self.payload)}

    @classmethod
    def from_dict(cls, entry: Mapping[str, Any]) -> SignOff:
        """A record from ``to_dict`` output (or a stored row with the same fields).

        Raises:
            RuleViolation: the entry is malformed.
        """
        return _record(entry)

    def computed_hash(self) -> str:
        """The hash this record's content gives (equal to ``hash`` unless it was tampered with)."""
        return hash_of(self.to_dict())


def hash_of(entry: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every field but ``hash``."""
    content = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def utc_timestamp(at: datetime) -> str:
    """``at`` as the chain writes it: ISO 8601, UTC, microseconds.

    Raises:
        ValueError: ``at`` has no time zone.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a timestamp must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def head(records: Sequence[SignOff]) -> str:
    """The hash a new record would point to: the last record's, or GENESIS."""
    return records[-1].hash if records else GENESIS


# ---------------------------------------------------------------- writing


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
    if (side, objective_id) in _replay(chain, module.slug, module.version).signed:
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
    active = _replay(chain, target.module_slug, target.module_version).signed.get((target.side, target.objective_id))
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
    replay = _replay(chain, module.slug, module.version)
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
    slug, version, side, objective_id = where
    if chain and chain[-1].tandem_id != tandem.id:
        raise ValueError(f"the chain belongs to tandem {chain[-1].tandem_id}, not {tandem.id}")
    entry: dict[str, Any] = {
        "seq": chain[-1].seq + 1 if chain else 1,
        "tandem_id": tandem.id,
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
    return _record(entry)


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


# ---------------------------------------------------------------- reading


@dataclass
class _Replay:
    signed: dict[tuple[Side, str], SignOff] = field(default_factory=dict)
    countersigned: dict[Side, SignOff] = field(default_factory=dict)
    last_signed: dict[Side, SignOff] = field(default_factory=dict)
    withdrawals: dict[Side, int] = field(default_factory=dict)


def _replay(records: Iterable[SignOff], slug: str, version: int) -> _Replay:
    """Who is signed off now: sign-offs minus withdrawals; a withdrawal also voids the track's countersignature."""
    out = _Replay()
    for record in sorted(records, key=lambda r: r.seq):
        if (record.module_slug, record.module_version) != (slug, version):
            continue
        if record.kind is Kind.SIGNED and record.objective_id is not None:
            out.signed[(record.side, record.objective_id)] = record
            out.last_signed[record.side] = record
        elif record.kind is Kind.WITHDRAWN and record.objective_id is not None:
            key = (record.side, record.objective_id)
            if key in out.signed and out.signed[key].seq == record.payload.get("withdraws"):
                del out.signed[key]
                out.countersigned.pop(record.side, None)
                out.withdrawals[record.side] = out.withdrawals.get(record.side, 0) + 1
        elif record.kind is Kind.COUNTERSIGNED:
            out.countersigned[record.side] = record
    return out


@dataclass(frozen=True)
class TrackState:
    """One track of a module for one tandem, as the records say now."""

    key: str
    side: Side
    objectives: tuple[str, ...]
    #: the objectives signed off and not withdrawn, in module order
    signed: tuple[str, ...]
    countersigned: bool
    countersign_required: bool
    #: how many sign-offs of this track were withdrawn
    withdrawals: int
    #: when the track last gained a sign-off
    last_signed_at: datetime | None

    @property
    def all_signed(self) -> bool:
        return len(self.signed) == len(self.objectives)

    @property
    def complete(self) -> bool:
        return self.all_signed and (self.countersigned or not self.countersign_required)

    @property
    def started(self) -> bool:
        return bool(self.signed) or self.withdrawals > 0

    @property
    def score(self) -> int:
        """Percent of objectives signed off, rounded down (so only a fully signed track scores 100)."""
        return 100 * len(self.signed) // len(self.objectives) if self.objectives else 100


@dataclass(frozen=True)
class ModuleState:
    """A module for one tandem: complete only when both tracks are."""

    slug: str
    version: int
    tracks: tuple[TrackState, TrackState]

    @property
    def complete(self) -> bool:
        return all(t.complete for t in self.tracks)

    def track(self, side: Side) -> TrackState:
        return next(t for t in self.tracks if t.side is side)


def state(records: Iterable[SignOff], module: Module, require_countersign: bool = False) -> ModuleState:
    """The state of ``module`` for the tandem whose records (any modules) these are."""
    replay = _replay(records, module.slug, module.version)
    tracks = []
    for track in module.tracks:
        side = track.taught_by
        last = replay.last_signed.get(side)
        tracks.append(
            TrackState(
                key=track.key,
                side=side,
                objectives=tuple(o.id for o in track.objectives),
                signed=tuple(o.id for o in track.objectives if (side, o.id) in replay.signed),
                countersigned=side in replay.countersigned,
                countersign_required=require_countersign,
                withdrawals=replay.withdrawals.get(side, 0),
                last_signed_at=last.at if last else None,
            )
        )
    return ModuleState(module.slug, module.version, (tracks[0], tracks[1]))


# ---------------------------------------------------------------- checking and export


@dataclass(frozen=True)
class ChainReport:
    """The result of ``verify_chain``: ``first_bad_seq`` is the position (1-based) of the first record that fails."""

    ok: bool
    first_bad_seq: int | None
    reason: str


def verify_chain(records: Sequence[SignOff], expected_head: str | None = None) -> ChainReport:
    """Check a tandem's chain, in the order given: numbering, links and hashes.

    Finds any edited, removed, inserted or reordered record. Pass ``expected_head`` (the last hash, kept
    apart from the records) to also find records removed from the end, or a chain rewritten from scratch.
    """
    prev = GENESIS
    for position, record in enumerate(records, start=1):
        if record.seq != position:
            return ChainReport(False, position, f"Record {position} has number {record.seq}: a record was removed, inserted or moved.")
        if record.tandem_id != records[0].tandem_id:
            return ChainReport(False, position, f"Record {position} belongs to another tandem.")
        if record.prev_hash != prev:
            reason = f"Record {position} does not follow record {position - 1}: a record was removed, inserted or changed."
            return ChainReport(False, position, reason)
        if record.computed_hash() != record.hash:
            return ChainReport(False, position, f"Record {position} was changed after it was written.")
        prev = record.hash
    if expected_head is not None and prev != expected_head:
        reason = "The chain does not end where it should: records were removed from its end, or it was rewritten."
        return ChainReport(False, max(len(records), 1), reason)
    return ChainReport(True, None, f"{len(records)} records, chain intact.")


def export_chain(records: Iterable[SignOff]) -> list[dict[str, Any]]:
    """The chain as a list of plain dicts (JSON-ready), in order."""
    return [r.to_dict() for r in records]


def records_from_export(entries: Iterable[Mapping[str, Any]]) -> list[SignOff]:
    """Records back from ``export_chain`` output, for ``verify_chain``.

    Raises:
        RuleViolation: an entry is malformed (``field`` names it: ``entries[3].kind``).
    """
    return [_record(entry, index) for index, entry in enumerate(entries)]


def verify_export(entries: Iterable[Mapping[str, Any]], expected_head: str | None = None) -> ChainReport:
    """``verify_chain`` on an export, reporting a malformed entry instead of raising."""
    records = []
    for index, entry in enumerate(entries):
        try:
            records.append(_record(entry, index))
        except RuleViolation as exc:
            return ChainReport(False, index + 1, exc.message)
    return verify_chain(records, expected_head)


#: the fields of an export entry, in order, with the JSON types they may have
_TYPES: dict[str, tuple[type, ...]] = {
    "seq": (int,),
    "tandem_id": (int,),
    "module_slug": (str,),
    "module_version": (int,),
    "side": (str,),
    "objective_id": (str, type(None)),
    "actor_id": (int,),
    "kind": (str,),
    "payload": (Mapping,),
    "timestamp": (str,),
    "prev_hash": (str,),
    "hash": (str,),
}
FIELDS = tuple(_TYPES)


def _record(entry: Mapping[str, Any], index: int = 0) -> SignOff:
    where = f"entries[{index}]"
    if not isinstance(entry, Mapping):
        raise RuleViolation(f"Entry {index + 1} is not an object.", where)
    missing = [name for name in FIELDS if name not in entry]
    if missing:
        raise RuleViolation(f"Entry {index + 1} has no {missing[0]}.", f"{where}.{missing[0]}")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise RuleViolation(f"Entry {index + 1} has an unknown field {unknown[0]}.", f"{where}.{unknown[0]}")
    for name, types in _TYPES.items():
        value = entry[name]
        if not isinstance(value, types) or isinstance(value, bool):
            raise RuleViolation(f"Entry {index + 1} has a {name} of the wrong type.", f"{where}.{name}")
    for name, enum_type in (("side", Side), ("kind", Kind)):
        if entry[name] not in set(enum_type):
            raise RuleViolation(f"Entry {index + 1} has an unknown {name} {entry[name]!r}.", f"{where}.{name}")
    try:
        datetime.fromisoformat(entry["timestamp"])
    except ValueError:
        raise RuleViolation(f"Entry {index + 1} has a timestamp that is not ISO 8601.", f"{where}.timestamp") from None
    values = {**entry, "side": Side(entry["side"]), "kind": Kind(entry["kind"]), "payload": _freeze(entry["payload"])}
    return SignOff(**values)


def _freeze(value: Any) -> Any:
    """A deep read-only copy (mappings -> MappingProxyType, lists -> tuples), so a record cannot drift from its hash."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value
