"""Sign-offs in a group: evidence, sign, withdraw, each learner's progress, and the chain's export.

In a group, the track a side teaches is taught by the group's people on that side and learned by the
others (:class:`plugin.domain.signoffs.GroupRoster`); a focused mentoring works on the mentor's track
only. A sign-off or a withdrawal is one transaction: the group row locked ``FOR UPDATE``, the record
appended to the group's chain, its head moved on, and the learner's new score queued on the module's
line item of the group (``group-<id>:<slug>``: each learner their own score, never overwriting their tandem's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import scores, signoffs
from plugin.domain.catalogue import Catalogue, Module, Side
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.models import Evidence, Group, Placement, ScoreOutbox, SignoffRecord
from plugin.models.base import utcnow
from plugin.services import credentials, modules, notifications, score_queue
from plugin.services.evidence import MAX_NOTE
from plugin.services.group_access import GroupAccess, access, names, require_member, require_reader, roster
from plugin.services.launches import Actor


def module_of(session: Session, view: GroupAccess, catalogue: Catalogue, slug: str, version: int) -> Module:
    """One of the group's modules, as its organisation offers it.  :raise NotFound: not a module of the group."""
    if slug not in view.modules:
        raise NotFound("the group does not work on this module")
    return modules.find(session, view.organisation_id, catalogue, slug, version).module


def chain(session: Session, group_id: int) -> list[signoffs.SignOff]:
    rows = session.scalars(sa.select(SignoffRecord).where(SignoffRecord.group_id == group_id).order_by(SignoffRecord.seq))
    return [
        signoffs.SignOff.from_dict(
            {
                "seq": r.seq,
                "tandem_id": None,
                "group_id": r.group_id,
                "learner_id": r.learner_id,
                "module_slug": r.module_slug,
                "module_version": r.module_version,
                "side": r.side,
                "objective_id": r.objective_id,
                "actor_id": r.actor_id,
                "kind": r.kind,
                "payload": r.payload,
                "timestamp": r.timestamp,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
        )
        for r in rows
    ]


def _change(session: Session, view: GroupAccess, module: Module, make: Any) -> signoffs.SignOff:
    """Append one record (the group row is locked by ``access(lock=True)``) and queue the learner's score."""
    records = chain(session, view.id)
    now = utcnow()
    record = make(records, roster(session, view), now)
    entry = record.to_dict()
    session.add(SignoffRecord(**{k: (v.value if hasattr(v, "value") else v) for k, v in entry.items()}))
    session.execute(sa.update(Group).where(Group.id == view.id).values(chain_seq=record.seq, chain_hash=record.hash))
    session.flush()
    learner, side = record.learner_id, record.side
    before = signoffs.learner_track(records, module, learner, side)
    after = signoffs.learner_track([*records, record], module, learner, side)
    credentials.on_group_track_change(session, organisation_id=view.organisation_id, programme_id=view.programme_id, group_id=view.id, learner_id=learner, module=module, side=side, after=after, now=now)
    if scores.score_for_track(before, learner, now) != scores.score_for_track(after, learner, now):
        score_queue.enqueue(
            session,
            organisation_id=view.organisation_id,
            course_id=view.course_id,
            slug=scores.group_line_item(view.id, module.slug),
            version=module.version,
            label=f"{module.title.en} ({view.name})",
            person_id=learner,
            score=lambda stamp: scores.score_for_track(after, learner, stamp),
            now=now,
            group_id=view.id,
        )
    return record


def sign(session: Session, actor: Actor, catalogue: Catalogue, group_id: int, slug: str, version: int, objective_id: str, learner_id: int, criteria: Iterable[int], comment: str = "") -> signoffs.SignOff:
    """A teacher of the track signs off an objective ``learner_id`` learned (the caller commits).

    :raise NotFound: not the actor's group, or not its module.  :raise NotAllowed: the actor does not teach
        this track here, or signs their own learning.  :raise RuleViolation: a criterion is not ticked, or signed already.
    """
    view = access(session, actor, group_id, lock=True)
    require_member(view)
    module = module_of(session, view, catalogue, slug, version)
    ticks = list(criteria)
    record = _change(session, view, module, lambda records, r, now: signoffs.new_group_signoff(records, r, module, objective_id, learner_id, actor.person_id, ticks, now, comment))
    notifications.group_signoff(session, view, module, record)
    return record


def withdraw(session: Session, actor: Actor, catalogue: Catalogue, group_id: int, seq: int, reason: str) -> signoffs.SignOff:
    """Withdraw a sign-off with a reason (a teacher of the track or a trainer): the track reopens, the lower score goes."""
    view = access(session, actor, group_id, lock=True)
    require_reader(view)
    target = next((r for r in chain(session, view.id) if r.seq == seq), None)
    if target is None:
        raise NotFound("no such sign-off")
    module = modules.find(session, view.organisation_id, catalogue, target.module_slug, target.module_version).module
    trainers = (actor.person_id,) if view.is_trainer else ()
    return _change(session, view, module, lambda records, r, now: signoffs.withdraw_group_signoff(records, r, seq, actor.person_id, reason, now, trainers))


# --------------------------------------------------------------------------- evidence


def add_evidence(session: Session, actor: Actor, catalogue: Catalogue, group_id: int, slug: str, version: int, objective_id: str, kind: str, text: str, url: str | None = None) -> int:
    """A learner of the objective's track adds a note or a link (the rules of a tandem's evidence).

    :raise NotAllowed: the actor does not learn this track in the group.  :raise RuleViolation: names the field.
    """
    view = access(session, actor, group_id)
    require_member(view)
    module = module_of(session, view, catalogue, slug, version)
    track = next((t for t in module.tracks if any(o.id == objective_id for o in t.objectives)), None)
    if track is None:
        raise NotFound("no such objective")
    if actor.person_id not in roster(session, view).learners(track.taught_by):
        raise NotAllowed("evidence comes from a learner of the track")
    if kind not in ("note", "link"):
        raise RuleViolation("choose a note or a link", "kind")
    body = (text or "").strip()
    if len(body) > MAX_NOTE:
        raise RuleViolation(f"a note is at most {MAX_NOTE} characters", "text")
    if kind == "note" and not body:
        raise RuleViolation("write the note", "text")
    address = None
    if kind == "link":
        address = (url or "").strip()
        parsed = urlparse(address)
        if parsed.scheme not in ("https", "http") or not parsed.netloc or len(address) > 2000:
            raise RuleViolation("give a web address starting with https://", "url")
    row = Evidence(group_id=view.id, module_slug=module.slug, module_version=module.version, objective_id=objective_id, learner_id=actor.person_id, kind=kind, text=body, url=address)
    session.add(row)
    session.flush()
    return row.id


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ObjectiveView:
    id: str
    text: Any
    criteria: tuple[Any, ...]
    signed: signoffs.SignOff | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class LearnerTrack:
    learner_id: int
    state: signoffs.TrackState
    objectives: tuple[ObjectiveView, ...]
    #: teach (the actor signs this learner's objectives), learn (the actor's own: adds evidence) or read
    my_part: str
    grade: dict[str, Any] | None


@dataclass(frozen=True)
class TrackView:
    side: Side
    title: Any
    teachers: tuple[int, ...]
    learners: tuple[LearnerTrack, ...]


@dataclass(frozen=True)
class ModuleWork:
    view: GroupAccess
    module: Module
    tracks: tuple[TrackView, ...]
    names: dict[int, str | None] = field(default_factory=dict)


def _active(records: list[signoffs.SignOff], slug: str, version: int) -> dict[tuple[int, str, str], signoffs.SignOff]:
    active: dict[tuple[int, str, str], signoffs.SignOff] = {}
    for r in records:
        if (r.module_slug, r.module_version) != (slug, version) or r.objective_id is None or r.learner_id is None:
            continue
        key = (r.learner_id, r.side.value, r.objective_id)
        if r.kind is signoffs.Kind.SIGNED:
            active[key] = r
        elif r.kind is signoffs.Kind.WITHDRAWN and key in active and active[key].seq == r.payload.get("withdraws"):
            del active[key]
    return active


def module_work(session: Session, actor: Actor, catalogue: Catalogue, group_id: int, slug: str, version: int) -> ModuleWork:
    """Each track of a group's module with every learner's objectives, evidence, sign-offs and grade delivery.

    :raise NotFound: as :func:`access`, or not a module of the group.  :raise NotAllowed: a participant outside the group.
    """
    view = access(session, actor, group_id)
    require_reader(view)
    module = module_of(session, view, catalogue, slug, version)
    return _work(session, actor, view, module, names(session, list(view.people)))


def _work(session: Session, actor: Actor, view: GroupAccess, module: Module, people: dict[int, str | None]) -> ModuleWork:
    records = chain(session, view.id)
    group_roster = roster(session, view)
    active = _active(records, module.slug, module.version)
    evidence = session.scalars(sa.select(Evidence).where(Evidence.group_id == view.id, Evidence.module_slug == module.slug, Evidence.module_version == module.version).order_by(Evidence.id)).all()
    grades = grade_status(session, view.id, module.slug)
    tracks = []
    for track in module.tracks:
        side = track.taught_by
        teachers = group_roster.teachers(side)
        learners = []
        for learner in sorted(group_roster.learners(side), key=lambda p: (people.get(p) or "", p)):
            part = "teach" if view.is_member and actor.person_id in teachers else "learn" if view.is_member and actor.person_id == learner else "read"
            objectives = tuple(
                ObjectiveView(o.id, o.text, o.criteria, active.get((learner, side.value, o.id)), tuple(e for e in evidence if e.objective_id == o.id and e.learner_id == learner)) for o in track.objectives
            )
            learners.append(LearnerTrack(learner, signoffs.learner_track(records, module, learner, side), objectives, part, grades.get(learner)))
        if learners:
            tracks.append(TrackView(side, track.title, tuple(sorted(teachers)), tuple(learners)))
    return ModuleWork(view, module, tuple(tracks), people)


@dataclass(frozen=True)
class SignPreview:
    work: ModuleWork
    track: TrackView
    learner: LearnerTrack
    objective: ObjectiveView


def preview_sign(session: Session, actor: Actor, catalogue: Catalogue, group_id: int, slug: str, version: int, objective_id: str, learner_id: int, criteria: Iterable[int], comment: str = "") -> SignPreview:
    """The confirmation step of :func:`sign`: the same rules decide, nothing is written."""
    view = access(session, actor, group_id)
    require_member(view)
    module = module_of(session, view, catalogue, slug, version)
    signoffs.new_group_signoff(chain(session, view.id), roster(session, view), module, objective_id, learner_id, actor.person_id, list(criteria), utcnow(), comment)
    work = _work(session, actor, view, module, names(session, list(view.people)))
    track, learner, objective = next((t, lt, o) for t in work.tracks for lt in t.learners if lt.learner_id == learner_id for o in lt.objectives if o.id == objective_id)
    return SignPreview(work, track, learner, objective)


def grade_status(session: Session, group_id: int, slug: str | None = None) -> dict[int, dict[str, Any]]:
    """Per learner: the latest score delivery of the group for the module: synced, pending or failed."""
    query = sa.select(ScoreOutbox, Placement.module_slug).join(Placement, Placement.id == ScoreOutbox.placement_id).where(ScoreOutbox.group_id == group_id, ScoreOutbox.status != "superseded")
    if slug is not None:
        query = query.where(Placement.module_slug.in_((scores.group_line_item(group_id, slug), slug)))
    out: dict[int, dict[str, Any]] = {}
    for row, module_slug in session.execute(query.order_by(ScoreOutbox.id)):
        out[row.person_id] = {"module": scores.module_of_line_item(module_slug), "status": "synced" if row.status == "sent" else row.status, "score": row.score_given}
    return out


def progress(session: Session, view: GroupAccess, group_modules: Iterable[Module]) -> dict[str, list[tuple[int, Side, int, int]]]:
    """Per module slug: (learner, side of the track learned, objectives signed, objectives in all) for each learner."""
    records = chain(session, view.id)
    group_roster = roster(session, view)
    out: dict[str, list[tuple[int, Side, int, int]]] = {}
    for module in group_modules:
        rows = []
        for track in module.tracks:
            for learner in sorted(group_roster.learners(track.taught_by)):
                state = signoffs.learner_track(records, module, learner, track.taught_by)
                rows.append((learner, track.taught_by, len(state.signed), len(state.objectives)))
        out[module.slug] = rows
    return out


def export(session: Session, actor: Actor, group_id: int) -> dict[str, Any]:
    """The group's sign-off chain as an export anyone can verify, with this copy's verification (its people and trainers)."""
    view = access(session, actor, group_id)
    require_reader(view)
    records = chain(session, view.id)
    head = session.scalar(sa.select(Group.chain_hash).where(Group.id == view.id)) or signoffs.GENESIS
    report = signoffs.verify_chain(records, head)
    return {"group": view.id, "head": head, "records": signoffs.export_chain(records), "verified": {"ok": report.ok, "first_bad_seq": report.first_bad_seq, "reason": report.reason}}
