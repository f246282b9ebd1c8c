"""Reciprocal sign-offs of a tandem's modules, and the scores they queue for the gradebook (evidence:
:mod:`plugin.services.evidence`; the course's grades overview and resending: :mod:`plugin.services.grades`).

Each side signs off what the *other* learned. A sign-off, a withdrawal or a countersignature is one
transaction: the append-only record, the chain head, and (when the learner's track changed) a score
in the outbox, which a worker delivers after commit (:mod:`plugin.services.outbox`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import scores, signoffs
from plugin.domain.catalogue import Catalogue, Module, Side
from plugin.domain.errors import NotAllowed, NotFound
from plugin.models import ChainHead, Evidence, Person, Placement, ScoreOutbox, SignoffRecord
from plugin.models.base import utcnow
from plugin.services import credentials, modules, notifications, plans, score_queue, signoff_facts
from plugin.services.grades import resend  # noqa: F401 - re-exported: the tandem's module page resends through it
from plugin.services.launches import Actor
from plugin.services.tandem_access import TandemAccess, access, require_member, trainer_ids


def module_of(session: Session, view: TandemAccess, catalogue: Catalogue, slug: str, version: int) -> Module:
    """The module version as the tandem's organisation offers it (withdrawn versions stay readable for old records)."""
    return modules.find(session, view.organisation_id, catalogue, slug, version).module


def chain(session: Session, tandem_id: int) -> list[signoffs.SignOff]:
    rows = session.scalars(sa.select(SignoffRecord).where(SignoffRecord.tandem_id == tandem_id).order_by(SignoffRecord.seq))
    return [_record(r) for r in rows]


def _record(row: SignoffRecord) -> signoffs.SignOff:
    return signoffs.SignOff.from_dict(
        {
            "seq": row.seq,
            "tandem_id": row.tandem_id,
            "module_slug": row.module_slug,
            "module_version": row.module_version,
            "side": row.side,
            "objective_id": row.objective_id,
            "actor_id": row.actor_id,
            "kind": row.kind,
            "payload": row.payload,
            "timestamp": row.timestamp,
            "prev_hash": row.prev_hash,
            "hash": row.hash,
        }
    )


def _locked_chain(session: Session, tandem_id: int) -> list[signoffs.SignOff]:
    """The chain, with the tandem's head row locked so two sign-offs append one after the other."""
    head = session.scalar(sa.select(ChainHead).where(ChainHead.tandem_id == tandem_id).with_for_update())
    if head is None:
        session.add(ChainHead(tandem_id=tandem_id, seq=0, hash=signoffs.GENESIS))
        session.flush()
    return chain(session, tandem_id)


def _append(session: Session, record: signoffs.SignOff) -> None:
    entry = record.to_dict()
    session.add(SignoffRecord(**{k: (v.value if hasattr(v, "value") else v) for k, v in entry.items()}))
    session.execute(sa.update(ChainHead).where(ChainHead.tandem_id == record.tandem_id).values(seq=record.seq, hash=record.hash))
    session.flush()
    signoff_facts.refresh(session, record.tandem_id, record.module_slug, record.module_version, entry["side"])


def _enqueue(session: Session, view: TandemAccess, module: Module, before: signoffs.ModuleState, after: signoffs.ModuleState, now: datetime) -> None:
    """A score for each learner whose track changed, if the course has a gradebook (same transaction)."""
    for track in after.tracks:
        old = before.track(track.side)
        learner = view.domain.learner(track.side)
        if scores.score_for_track(old, learner, now) == scores.score_for_track(track, learner, now):
            continue
        score_queue.enqueue(
            session,
            organisation_id=view.organisation_id,
            course_id=view.course_id,
            slug=module.slug,
            version=module.version,
            label=module.title.en,
            person_id=learner,
            score=lambda stamp, track=track, learner=learner: scores.score_for_track(track, learner, stamp),
            now=now,
            tandem_id=view.id,
        )


def _change(session: Session, view: TandemAccess, module: Module, make: Any) -> signoffs.SignOff:
    records = _locked_chain(session, view.id)
    before = signoffs.state(records, module, view.require_countersign)
    now = utcnow()
    record = make(records, now)
    _append(session, record)
    after = signoffs.state([*records, record], module, view.require_countersign)
    _enqueue(session, view, module, before, after, now)
    credentials.on_module_change(session, organisation_id=view.organisation_id, programme_id=view.programme_id, tandem=view.domain, module=module, before=before, after=after, now=now)
    return record


def sign(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int, slug: str, version: int, objective_id: str, criteria: Iterable[int], comment: str = "") -> signoffs.SignOff:
    """The teacher of a track signs off an objective the other learned (one transaction: the caller commits).

    :raise NotAllowed: the actor learns this track (nobody signs their own learning) or is no member.
    :raise RuleViolation: a criterion is not ticked, or it is signed already.
    """
    view = access(session, actor, tandem_id)
    require_member(view)
    module = module_of(session, view, catalogue, slug, version)
    record = _change(session, view, module, lambda records, now: signoffs.new_signoff(records, view.domain, module, objective_id, actor.person_id, criteria, now, comment))
    notifications.tandem_signoff(session, view, module, record)
    return record


@dataclass(frozen=True)
class SignPreview:
    """What the confirmation step shows: the module's work, and the track and objective about to be signed."""

    work: ModuleWork
    track: TrackView
    objective: ObjectiveView


def preview_sign(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int, slug: str, version: int, objective_id: str, criteria: Iterable[int], comment: str = "") -> SignPreview:
    """The confirmation step of :func:`sign`: the same rules decide, and nothing is written.

    :raise NotFound: no such objective.  :raise NotAllowed: as :func:`sign`.  :raise RuleViolation: as :func:`sign`.
    """
    view = access(session, actor, tandem_id)
    require_member(view)
    module = module_of(session, view, catalogue, slug, version)
    signoffs.new_signoff(chain(session, view.id), view.domain, module, objective_id, actor.person_id, criteria, utcnow(), comment)
    work = module_work(session, actor, catalogue, tandem_id, slug, version)
    track, objective = next((t, o) for t in work.tracks for o in t.objectives if o.id == objective_id)
    return SignPreview(work, track, objective)


def withdraw(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int, seq: int, reason: str) -> signoffs.SignOff:
    """Withdraw a sign-off with a reason: a new record; the track reopens and the lower score is sent."""
    view = access(session, actor, tandem_id)
    records = chain(session, tandem_id)
    target = next((r for r in records if r.seq == seq), None)
    if target is None:
        raise NotFound("no such sign-off")
    module = module_of(session, view, catalogue, target.module_slug, target.module_version)
    trainers = trainer_ids(session, view)
    return _change(session, view, module, lambda records, now: signoffs.withdraw(records, view.domain, seq, actor.person_id, reason, now, trainers))


def countersign(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int, slug: str, version: int, side: Side, comment: str = "") -> signoffs.SignOff:
    """A trainer countersigns a fully signed track (programmes that require it)."""
    view = access(session, actor, tandem_id)
    if view.is_member:
        raise NotAllowed("trainers countersign, not the members")
    module = module_of(session, view, catalogue, slug, version)
    trainers = trainer_ids(session, view)
    return _change(session, view, module, lambda records, now: signoffs.countersign(records, view.domain, module, side, actor.person_id, trainers, now, comment))


# --- reading --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveView:
    id: str
    text: Any
    criteria: tuple[Any, ...]
    signed: signoffs.SignOff | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class TrackView:
    side: Side
    title: Any
    teacher_id: int
    learner_id: int
    state: signoffs.TrackState
    objectives: tuple[ObjectiveView, ...]
    #: what the actor does here: teach (signs), learn (adds evidence) or read (trainer)
    my_part: str


@dataclass(frozen=True)
class ModuleWork:
    view: TandemAccess
    module: Module
    state: signoffs.ModuleState
    tracks: tuple[TrackView, ...]
    grades: dict[int, dict[str, Any]] = field(default_factory=dict)


def module_states(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int) -> tuple[TandemAccess, list[tuple[Module, signoffs.ModuleState]]]:
    """The modules the tandem works on (its programme's, or every published one), each with its state."""
    view = access(session, actor, tandem_id)
    records = chain(session, view.id)
    return view, [(m, signoffs.state(records, m, view.require_countersign)) for m in plans.offered(session, actor, catalogue, view)]


def module_work(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int, slug: str, version: int) -> ModuleWork:
    """Both tracks of a module for the tandem: objectives, evidence, sign-offs, and grade delivery."""
    view = access(session, actor, tandem_id)
    module = module_of(session, view, catalogue, slug, version)
    records = chain(session, view.id)
    state = signoffs.state(records, module, view.require_countersign)
    active: dict[tuple[str, str], signoffs.SignOff] = {}
    for r in records:
        if (r.module_slug, r.module_version) != (slug, version) or r.objective_id is None:
            continue
        if r.kind is signoffs.Kind.SIGNED:
            active[(r.side.value, r.objective_id)] = r
        elif r.kind is signoffs.Kind.WITHDRAWN:
            key = (r.side.value, r.objective_id)
            if key in active and active[key].seq == r.payload.get("withdraws"):
                del active[key]
    evidence = session.scalars(sa.select(Evidence).where(Evidence.tandem_id == view.id, Evidence.module_slug == slug, Evidence.module_version == version).order_by(Evidence.id)).all()
    tracks = []
    for track in module.tracks:
        teacher, learner = view.domain.teacher(track.taught_by), view.domain.learner(track.taught_by)
        part = "teach" if actor.person_id == teacher and view.is_member else "learn" if actor.person_id == learner and view.is_member else "read"
        tracks.append(
            TrackView(
                track.taught_by,
                track.title,
                teacher,
                learner,
                state.track(track.taught_by),
                tuple(ObjectiveView(o.id, o.text, o.criteria, active.get((track.taught_by.value, o.id)), tuple(e for e in evidence if e.objective_id == o.id)) for o in track.objectives),
                part,
            )
        )
    return ModuleWork(view, module, state, tuple(tracks), grade_status(session, view, slug))


def grade_status(session: Session, view: TandemAccess, slug: str | None = None) -> dict[int, dict[str, Any]]:
    """Per learner (person id): the latest score delivery for the module (or all modules): synced, pending or failed."""
    query = sa.select(ScoreOutbox, Placement.module_slug).join(Placement, Placement.id == ScoreOutbox.placement_id).where(ScoreOutbox.tandem_id == view.id, ScoreOutbox.status != "superseded")
    if slug is not None:
        query = query.where(Placement.module_slug == slug)
    out: dict[int, dict[str, Any]] = {}
    for row, module_slug in session.execute(query.order_by(ScoreOutbox.id)):
        out[row.person_id] = {"id": row.id, "module": module_slug, "status": "synced" if row.status == "sent" else row.status, "score": row.score_given, "reason": row.last_error, "attempts": row.attempts}
    return out


def people_names(session: Session, ids: Sequence[int]) -> dict[int, str | None]:
    return dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(list(ids)))).all())


def export(session: Session, actor: Actor, tandem_id: int) -> dict[str, Any]:
    """The tandem's sign-off chain as an export anyone can verify, with the verification of this copy."""
    view = access(session, actor, tandem_id)
    records = chain(session, view.id)
    head = session.scalar(sa.select(ChainHead.hash).where(ChainHead.tandem_id == view.id)) or signoffs.GENESIS
    report = signoffs.verify_chain(records, head)
    return {"tandem": view.id, "head": head, "records": signoffs.export_chain(records), "verified": {"ok": report.ok, "first_bad_seq": report.first_bad_seq, "reason": report.reason}}
