"""A tandem's session log: date, length, tracks worked on, agenda and shared notes, plus each member's
private note and reflection on the five principles.

A private note is read by its author only: every query for notes filters on the actor as author, and
only for a member of the tandem, so neither the partner nor a trainer or administrator ever gets one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Catalogue, Side
from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.health import check_reflection
from plugin.models import MentoringSession, PrivateNote, Reflection
from plugin.services.launches import Actor
from plugin.services.plans import offered, plan_of
from plugin.services.tandem_access import TandemAccess, access, require_member

MIN_MINUTES, MAX_MINUTES = 5, 480
AGENDA_MAX = 5000
NOTES_MAX = 10000


@dataclass(frozen=True)
class TrackRef:
    """A module track worked on in a session; ``side`` is the side that teaches it (so the direction)."""

    module: str
    version: int
    side: Side


@dataclass(frozen=True)
class NewSession:
    """A session as a member logs it; ``reflection`` maps principle names to 1-5 (empty: no reflection yet)."""

    held_on: date | None
    minutes: int | None
    tracks: Sequence[tuple[str, str]] = ()
    agenda: str = ""
    shared_notes: str = ""
    private_note: str = ""
    reflection: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionView:
    """A logged session as the actor may see it: ``my_note`` and ``my_reflection`` are the actor's own only."""

    id: int
    held_on: date
    minutes: int
    tracks: tuple[TrackRef, ...]
    agenda: str
    shared_notes: str
    created_by: int
    my_note: str | None
    my_reflection: dict[Principle, int] | None
    #: who reflected on this session (person ids), without their scores
    reflected: frozenset[int]


def track_choices(session: Session, actor: Actor, catalogue: Catalogue, view: TandemAccess) -> list[tuple[str, int]]:
    """The modules whose tracks a session may name (slug, version): the plan's modules, else every module on offer."""
    on_offer = {m.slug: m.version for m in offered(session, actor, catalogue, view)}
    plan = plan_of(session, view.id)
    in_plan = [i.module_slug for i in plan.by_date if i.module_slug in on_offer] if plan is not None else []
    return [(slug, on_offer[slug]) for slug in in_plan] if in_plan else sorted(on_offer.items())


def _text(value: str | None, limit: int, name: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise RuleViolation(f"At most {limit} characters.", name)
    return text


def _reflection(scores: Mapping[str, object]) -> dict[Principle, int] | None:
    given = {k: v for k, v in scores.items() if v not in (None, "")}
    return check_reflection(given) if given else None  # type: ignore[arg-type]


def _tracks(session: Session, actor: Actor, catalogue: Catalogue, view: TandemAccess, chosen: Sequence[tuple[str, str]]) -> list[dict]:
    allowed = dict(track_choices(session, actor, catalogue, view))
    out: list[dict] = []
    for slug, side in dict.fromkeys(chosen):
        if slug not in allowed or side not in set(Side):
            raise RuleViolation(f"{slug} is not a module track of this tandem.", "tracks")
        out.append({"module": slug, "version": allowed[slug], "side": side})
    return out


def log(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int, new: NewSession, today: date) -> int:
    """Log a held session with the actor's private note and reflection; returns its id (the caller commits).

    :raise NotAllowed: a trainer.  :raise RuleViolation: ``field`` names what to correct; nothing is written.
    """
    view = access(session, actor, tandem_id)
    require_member(view)
    if new.held_on is None:
        raise RuleViolation("Give the date of the session.", "held_on")
    if new.held_on > today:
        raise RuleViolation("Log a session once it took place: the date is in the future.", "held_on")
    if new.minutes is None or not MIN_MINUTES <= new.minutes <= MAX_MINUTES:
        raise RuleViolation(f"A session lasts from {MIN_MINUTES} to {MAX_MINUTES} minutes.", "minutes")
    tracks = _tracks(session, actor, catalogue, view, new.tracks)
    agenda = _text(new.agenda, AGENDA_MAX, "agenda")
    shared = _text(new.shared_notes, NOTES_MAX, "shared_notes")
    note = _text(new.private_note, NOTES_MAX, "private_note")
    reflection = _reflection(new.reflection)
    row = MentoringSession(tandem_id=tandem_id, held_on=new.held_on, minutes=new.minutes, tracks=tracks, agenda=agenda, shared_notes=shared, created_by=actor.person_id)
    session.add(row)
    session.flush()
    _save_mine(session, actor, row.id, note, reflection)
    return row.id


def _save_mine(session: Session, actor: Actor, session_id: int, note: str, reflection: dict[Principle, int] | None) -> None:
    existing = session.scalar(sa.select(PrivateNote).where(PrivateNote.session_id == session_id, PrivateNote.author_id == actor.person_id))
    if note and existing is None:
        session.add(PrivateNote(session_id=session_id, author_id=actor.person_id, text=note))
    elif note:
        existing.text = note  # type: ignore[union-attr]
    elif existing is not None:
        session.delete(existing)
    if reflection is not None:
        mine = session.scalar(sa.select(Reflection).where(Reflection.session_id == session_id, Reflection.person_id == actor.person_id))
        if mine is None:
            mine = Reflection(session_id=session_id, person_id=actor.person_id)
            session.add(mine)
        for principle, score in reflection.items():
            setattr(mine, principle.value, score)
    session.flush()


def save_my_part(session: Session, actor: Actor, tandem_id: int, session_id: int, private_note: str, reflection: Mapping[str, object]) -> None:
    """Write the actor's own private note (empty: removed) and reflection on a session of their tandem.

    :raise NotAllowed: a trainer.  :raise NotFound: no such session in this tandem.  :raise RuleViolation: names the field.
    """
    view = access(session, actor, tandem_id)
    require_member(view)
    _row(session, view, session_id)
    _save_mine(session, actor, session_id, _text(private_note, NOTES_MAX, "private_note"), _reflection(reflection))


def _row(session: Session, view: TandemAccess, session_id: int) -> MentoringSession:
    row = session.get(MentoringSession, session_id)
    if row is None or row.tandem_id != view.id:
        raise NotFound("no such session in this tandem")
    return row


def _views(session: Session, actor: Actor, view: TandemAccess, rows: Sequence[MentoringSession]) -> list[SessionView]:
    ids = [r.id for r in rows]
    notes: dict[int, str] = {}
    mine: dict[int, dict[Principle, int]] = {}
    reflected: dict[int, set[int]] = {}
    if ids and view.is_member:  # a trainer is never the author of a note in a tandem
        notes = dict(session.execute(sa.select(PrivateNote.session_id, PrivateNote.text).where(PrivateNote.session_id.in_(ids), PrivateNote.author_id == actor.person_id)).all())
    if ids:
        for r in session.scalars(sa.select(Reflection).where(Reflection.session_id.in_(ids))):
            reflected.setdefault(r.session_id, set()).add(r.person_id)
            if view.is_member and r.person_id == actor.person_id:
                mine[r.session_id] = {p: getattr(r, p.value) for p in Principle}
    return [
        SessionView(
            r.id,
            r.held_on,
            r.minutes,
            tuple(TrackRef(t["module"], int(t.get("version") or 1), Side(t["side"])) for t in r.tracks or ()),
            r.agenda or "",
            r.shared_notes or "",
            r.created_by,
            notes.get(r.id),
            mine.get(r.id),
            frozenset(reflected.get(r.id, ())),
        )
        for r in rows
    ]


def list_sessions(session: Session, actor: Actor, tandem_id: int) -> tuple[TandemAccess, list[SessionView]]:
    """The tandem's sessions, newest first.  :raise AgreementPending: / NotFound: as :func:`access`."""
    view = access(session, actor, tandem_id)
    rows = session.scalars(sa.select(MentoringSession).where(MentoringSession.tandem_id == tandem_id).order_by(MentoringSession.held_on.desc(), MentoringSession.id.desc())).all()
    return view, _views(session, actor, view, rows)


def detail(session: Session, actor: Actor, tandem_id: int, session_id: int) -> tuple[TandemAccess, SessionView]:
    """One session of the tandem.  :raise NotFound: no such session in this tandem."""
    view = access(session, actor, tandem_id)
    return view, _views(session, actor, view, [_row(session, view, session_id)])[0]
