"""What the coffee pages and the calendar feed show: one's own matches, a round's pairs, the trainer's overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import coffee as rules
from plugin.domain.agenda import TimedEntry
from plugin.domain.errors import NotAllowed
from plugin.domain.roles import Role
from plugin.models import CoffeeMatch, CoffeeOptIn, CoffeeMember, CoffeeRound, Participant, Person, Programme
from plugin.services.coffee.access import MEMBER, is_trainer, match_access, profile_of, programme_of, round_access, settings_of
from plugin.services.coffee.rounds import opted_in_people
from plugin.services.launches import Actor

RECENT_ROUNDS = 12


@dataclass(frozen=True)
class Other:
    """Someone in the viewer's match, and why the two were put together."""

    person_id: int
    name: str | None
    reason: rules.Reason


@dataclass(frozen=True)
class MatchView:
    id: int
    round_id: int
    round_key: str
    starts_on: object
    ends_on: object
    starts_at: datetime
    minutes: int
    #: the viewer's time zone (UTC when their profile names none)
    zone: str
    #: member or trainer
    capacity: str
    #: everyone in the match: (person id, name)
    members: tuple[tuple[int, str | None], ...]
    #: the others, seen from the viewer (a member); empty for a trainer
    others: tuple[Other, ...]
    #: the viewer's own feedback (a member)
    my_feedback: str | None
    #: everyone's feedback (trainers only): person id -> kind or None
    feedback: dict[int, str | None] = field(default_factory=dict)
    #: pairs in the match who had met before (names), for the trainer
    repeats: tuple[tuple[str | None, str | None], ...] = ()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def is_trio(self) -> bool:
        return len(self.members) == 3


@dataclass(frozen=True)
class RoundSummary:
    id: int
    key: str
    cadence: str
    starts_on: object
    ends_on: object
    trigger: str
    created_at: datetime
    people: int
    pairs: int
    trios: int
    repeats: int
    optimal: bool
    #: feedback kind -> how many gave it
    feedback: dict[str, int]


@dataclass(frozen=True)
class RoundDetail:
    summary: RoundSummary
    matches: tuple[MatchView, ...]
    zone: str


@dataclass(frozen=True)
class Overview:
    """The /coffee page: the participant's part, or the trainer's."""

    has_programme: bool
    trainer: bool
    enabled: bool = False
    cadence: str = rules.Cadence.WEEKLY.value
    zone: str = rules.DEFAULT_ZONE
    # a participant's
    has_profile: bool = False
    opted_in: bool = False
    current: MatchView | None = None
    past: tuple[MatchView, ...] = ()
    # a trainer's
    opted_in_count: int = 0
    next_key: str | None = None
    rounds: tuple[RoundSummary, ...] = ()
    latest: RoundDetail | None = None


def _zone_of(session: Session, programme_id: int, person_id: int) -> str:
    tz = session.scalar(sa.select(Participant.timezone).where(Participant.programme_id == programme_id, Participant.person_id == person_id))
    return rules.zone(tz).key


def _views(session: Session, matches: list[CoffeeMatch], rounds: dict[int, CoffeeRound], viewer: int, capacity: str, zone: str) -> list[MatchView]:
    if not matches:
        return []
    rows = session.execute(
        sa.select(CoffeeMember.match_id, CoffeeMember.person_id, CoffeeMember.feedback, Person.name)
        .join(Person, Person.id == CoffeeMember.person_id)
        .where(CoffeeMember.match_id.in_([m.id for m in matches]))
        .order_by(CoffeeMember.match_id, Person.name, CoffeeMember.person_id)
    ).all()
    by_match: dict[int, list] = {}
    for row in rows:
        by_match.setdefault(row.match_id, []).append(row)
    out = []
    for m in matches:
        people = by_match.get(m.id, [])
        names = {r.person_id: r.name for r in people}
        reasons = {frozenset((r["a"], r["b"])): r for r in m.reasons or ()}
        others = []
        if capacity == MEMBER:
            for r in people:
                if r.person_id != viewer:
                    why = reasons.get(frozenset((viewer, r.person_id)), {})
                    others.append(Other(r.person_id, r.name, rules.Reason(bool(why.get("other_side")), why.get("other_department"), bool(why.get("met_before")))))
        mine = next((r.feedback for r in people if r.person_id == viewer), None)
        found = rounds[m.round_id]
        out.append(
            MatchView(
                id=m.id,
                round_id=m.round_id,
                round_key=found.key,
                starts_on=found.starts_on,
                ends_on=found.ends_on,
                starts_at=m.starts_at if m.starts_at.tzinfo else m.starts_at.replace(tzinfo=UTC),
                minutes=m.minutes,
                zone=zone,
                capacity=capacity,
                members=tuple((r.person_id, r.name) for r in people),
                others=tuple(others),
                my_feedback=mine if capacity == MEMBER else None,
                feedback={r.person_id: r.feedback for r in people} if capacity != MEMBER else {},
                repeats=tuple((names.get(r["a"]), names.get(r["b"])) for r in m.reasons or () if r.get("met_before")) if capacity != MEMBER else (),
            )
        )
    return out


def _my_matches(session: Session, programme_id: int, person_id: int, zone: str) -> list[MatchView]:
    rows = session.execute(
        sa.select(CoffeeMatch, CoffeeRound)
        .join(CoffeeRound, CoffeeRound.id == CoffeeMatch.round_id)
        .join(CoffeeMember, CoffeeMember.match_id == CoffeeMatch.id)
        .where(CoffeeMatch.programme_id == programme_id, CoffeeMember.person_id == person_id)
        .order_by(CoffeeRound.starts_on.desc(), CoffeeRound.id.desc())
    ).all()
    return _views(session, [m for m, _ in rows], {r.id: r for _, r in rows}, person_id, MEMBER, zone)


def _summaries(session: Session, rounds: list[CoffeeRound]) -> list[RoundSummary]:
    if not rounds:
        return []
    ids = [r.id for r in rounds]
    sizes = session.execute(
        sa.select(CoffeeMember.round_id, CoffeeMember.match_id, sa.func.count()).where(CoffeeMember.round_id.in_(ids)).group_by(CoffeeMember.round_id, CoffeeMember.match_id)
    ).all()
    feedback = session.execute(
        sa.select(CoffeeMember.round_id, CoffeeMember.feedback, sa.func.count())
        .where(CoffeeMember.round_id.in_(ids), CoffeeMember.feedback.is_not(None))
        .group_by(CoffeeMember.round_id, CoffeeMember.feedback)
    ).all()
    out = []
    for r in rounds:
        counts = [n for rid, _m, n in sizes if rid == r.id]
        given = {kind: n for rid, kind, n in feedback if rid == r.id}
        out.append(RoundSummary(r.id, r.key, r.cadence, r.starts_on, r.ends_on, r.trigger, r.created_at, r.people, counts.count(2), counts.count(3), r.repeats, r.optimal, given))
    return out


def _round_detail(session: Session, found: CoffeeRound, viewer: int, zone: str) -> RoundDetail:
    matches = list(session.scalars(sa.select(CoffeeMatch).where(CoffeeMatch.round_id == found.id).order_by(CoffeeMatch.starts_at, CoffeeMatch.id)))
    return RoundDetail(_summaries(session, [found])[0], tuple(_views(session, matches, {found.id: found}, viewer, "trainer", zone)), zone)


def overview(session: Session, actor: Actor, today: object) -> Overview:
    """The actor's /coffee page.  :raise NotAllowed: neither a participant nor a trainer of a course."""
    trainer = is_trainer(actor)
    if not trainer and (actor.role is not Role.PARTICIPANT or actor.course_id is None):
        raise NotAllowed("the coffee roulette is for a course's participants and trainers")
    programme = programme_of(session, actor)
    if programme is None:
        return Overview(has_programme=False, trainer=trainer)
    settings = settings_of(session, programme.id)
    enabled, cadence = (settings.enabled, settings.cadence) if settings else (False, rules.Cadence.WEEKLY.value)
    zone = _zone_of(session, programme.id, actor.person_id)
    if trainer:
        rounds = list(session.scalars(sa.select(CoffeeRound).where(CoffeeRound.programme_id == programme.id).order_by(CoffeeRound.starts_on.desc(), CoffeeRound.id.desc()).limit(RECENT_ROUNDS)))
        return Overview(
            has_programme=True,
            trainer=True,
            enabled=enabled,
            cadence=cadence,
            zone=zone,
            opted_in_count=len(opted_in_people(session, programme.id)),
            next_key=rules.period_of(cadence, today).key,
            rounds=tuple(_summaries(session, rounds)),
            latest=_round_detail(session, rounds[0], actor.person_id, zone) if rounds else None,
        )
    opted = session.scalar(sa.select(CoffeeOptIn.opted_in).where(CoffeeOptIn.programme_id == programme.id, CoffeeOptIn.person_id == actor.person_id))
    mine = _my_matches(session, programme.id, actor.person_id, zone)
    current = mine[0] if mine and mine[0].ends_on >= today else None
    return Overview(
        has_programme=True,
        trainer=False,
        enabled=enabled,
        cadence=cadence,
        zone=zone,
        has_profile=profile_of(session, programme.id, actor.person_id) is not None,
        opted_in=bool(opted),
        current=current,
        past=tuple(m for m in mine if m is not current),
    )


def match_detail(session: Session, actor: Actor, match_id: int) -> MatchView:
    """One match, for its people and the trainers.  :raise NotFound: anyone else."""
    view = match_access(session, actor, match_id)
    zone = _zone_of(session, view.match.programme_id, actor.person_id)
    return _views(session, [view.match], {view.round.id: view.round}, actor.person_id, view.capacity, zone)[0]


def round_detail(session: Session, actor: Actor, round_id: int) -> RoundDetail:
    """A round's pairs, for the trainers.  :raise NotAllowed: a participant.  :raise NotFound: others."""
    found, _course = round_access(session, actor, round_id)
    return _round_detail(session, found, actor.person_id, _zone_of(session, found.programme_id, actor.person_id))


def calendar_entries(session: Session, person_id: int, course_id: int) -> list[TimedEntry]:
    """The person's coffees in the course, for their calendar feed (title: the other person's names)."""
    programme_id = session.scalar(sa.select(Programme.id).where(Programme.course_id == course_id))
    if programme_id is None:
        return []
    out = []
    for m in _my_matches(session, programme_id, person_id, rules.DEFAULT_ZONE):
        title = ", ".join(o.name or "?" for o in m.others)
        out.append(TimedEntry(uid=f"coffee-{m.id}-{person_id}@tandem", kind="coffee", start=m.starts_at, end=m.ends_at, title=title))
    return out
