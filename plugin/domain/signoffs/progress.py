"""Who is signed off now: the replay of a tandem's records into the state of each module and track."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from plugin.domain.catalogue import Module, Side
from plugin.domain.signoffs.records import Kind, SignOff


@dataclass
class Replay:
    signed: dict[tuple[Side, str], SignOff] = field(default_factory=dict)
    countersigned: dict[Side, SignOff] = field(default_factory=dict)
    last_signed: dict[Side, SignOff] = field(default_factory=dict)
    withdrawals: dict[Side, int] = field(default_factory=dict)


def replay_chain(records: Iterable[SignOff], slug: str, version: int) -> Replay:
    """Who is signed off now: sign-offs minus withdrawals; a withdrawal also voids the track's countersignature."""
    out = Replay()
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
    replay = replay_chain(records, module.slug, module.version)
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
