"""Sign-off records: the append-only entries of a tandem's hash chain, their hash and their JSON form.

Records are never changed or deleted: withdrawing a sign-off is a new record that names it. Every record
carries the hash of the one before it, so a stored chain or an export can be checked (``chain``).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation

#: the ``prev_hash`` of a tandem's first record
GENESIS = "0" * 64


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
    tandem_id: int | None
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
    #: a group's chain: the group (then ``tandem_id`` is None) and whose learning the record is about
    group_id: int | None = None
    learner_id: int | None = None

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(self.timestamp)

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON values (the export format); a tandem's record has no group fields."""
        entry = {f.name: getattr(self, f.name) for f in fields(self) if f.name in FIELDS or getattr(self, f.name) is not None}
        return {**entry, "side": self.side.value, "kind": self.kind.value, "payload": _thaw(self.payload)}

    @classmethod
    def from_dict(cls, entry: Mapping[str, Any]) -> SignOff:
        """A record from ``to_dict`` output (or a stored row with the same fields).

        Raises:
            RuleViolation: the entry is malformed.
        """
        return record_from(entry)

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


#: the fields of an export entry, in order, with the JSON types they may have
_TYPES: dict[str, tuple[type, ...]] = {
    "seq": (int,),
    "tandem_id": (int, type(None)),
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
#: the fields only a group's records have (absent from a tandem's, so their hashes stay as they were)
GROUP_FIELDS: dict[str, tuple[type, ...]] = {"group_id": (int,), "learner_id": (int,)}


def record_from(entry: Mapping[str, Any], index: int = 0) -> SignOff:
    where = f"entries[{index}]"
    if not isinstance(entry, Mapping):
        raise RuleViolation(f"Entry {index + 1} is not an object.", where)
    missing = [name for name in FIELDS if name not in entry]
    if missing:
        raise RuleViolation(f"Entry {index + 1} has no {missing[0]}.", f"{where}.{missing[0]}")
    unknown = sorted(set(entry) - set(FIELDS) - set(GROUP_FIELDS))
    if unknown:
        raise RuleViolation(f"Entry {index + 1} has an unknown field {unknown[0]}.", f"{where}.{unknown[0]}")
    for name, types in [*_TYPES.items(), *((n, t) for n, t in GROUP_FIELDS.items() if n in entry)]:
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
