"""Reciprocal sign-offs: append-only records in a per-tandem hash chain, and the module state they give.

Each side of a tandem teaches one track of a module and signs off what the *other* side learned there.
Records are never changed or deleted: withdrawing a sign-off is a new record that names it. Every record
carries the hash of the one before it, so a stored chain or an export can be checked with ``verify_chain``.

Import from here; the modules, each using only the ones before it: ``records`` (the records, their hash
and JSON form), ``progress`` (the state a chain gives), ``writing`` (the rules of signing, withdrawing,
countersigning), ``chain`` (checking and exporting a chain), ``groups`` (a group's chain: records that name their learner).
"""

from __future__ import annotations

from plugin.domain.signoffs.chain import ChainReport, export_chain, records_from_export, verify_chain, verify_export
from plugin.domain.signoffs.progress import ModuleState, TrackState, state
from plugin.domain.signoffs.records import FIELDS, GENESIS, Kind, SignOff, Tandem, hash_of, head, utc_timestamp
from plugin.domain.signoffs.writing import COMMENT_MAX, REASON_MAX, countersign, new_signoff, withdraw
from plugin.domain.signoffs.groups import GroupRoster, learner_records, learner_track, new_group_signoff, withdraw_group_signoff

__all__ = [
    "COMMENT_MAX",
    "FIELDS",
    "GENESIS",
    "REASON_MAX",
    "ChainReport",
    "GroupRoster",
    "Kind",
    "ModuleState",
    "SignOff",
    "Tandem",
    "TrackState",
    "countersign",
    "export_chain",
    "hash_of",
    "head",
    "learner_records",
    "learner_track",
    "new_group_signoff",
    "new_signoff",
    "records_from_export",
    "state",
    "utc_timestamp",
    "verify_chain",
    "verify_export",
    "withdraw",
    "withdraw_group_signoff",
]
