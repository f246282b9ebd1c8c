"""Checking a chain (stored or exported) and exporting it: numbering, links and hashes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plugin.domain.errors import RuleViolation
from plugin.domain.signoffs.records import GENESIS, SignOff, record_from


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
        if (record.tandem_id, record.group_id) != (records[0].tandem_id, records[0].group_id):
            return ChainReport(False, position, f"Record {position} belongs to another tandem or group.")
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
    return [record_from(entry, index) for index, entry in enumerate(entries)]


def verify_export(entries: Iterable[Mapping[str, Any]], expected_head: str | None = None) -> ChainReport:
    """``verify_chain`` on an export, reporting a malformed entry instead of raising."""
    records = []
    for index, entry in enumerate(entries):
        try:
            records.append(record_from(entry, index))
        except RuleViolation as exc:
            return ChainReport(False, index + 1, exc.message)
    return verify_chain(records, expected_head)
