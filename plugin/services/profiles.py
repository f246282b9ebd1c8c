"""A participant's profile and needs map, saved step by step: the basics, the quick start (self-check),
one framework area at a time, and the goals and wishes.

Every save is one transaction (the caller commits), checks that the actor is a participant of the
course's programme, and writes only the part of the profile its step holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import self_check
from plugin.domain.assessments import needs_from
from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, RuleViolation
from plugin.domain.matching import MAX_LEVEL, MAX_WISHES
from plugin.domain.needs_map import AREAS_BY_SLUG, TEACHES, Area, Missing, missing_for_matching, other
from plugin.domain.needs_map import offers as offers_of
from plugin.domain.needs_map import wants as wants_of
from plugin.domain.roles import Role
from plugin.models import Participant, Person, Programme
from plugin.models.base import utcnow
from plugin.services.launches import Actor
from plugin.services.programmes import CADENCES, LANGUAGES, choices, get, timezones

MAX_GOALS = 2000


def my_profile(session: Session, actor: Actor) -> tuple[Programme, Participant | None]:
    """The actor's programme and profile (None before they first save it).

    :raise NotAllowed: the actor is no participant.  :raise NotFound: the course has no programme yet.
    """
    if actor.role is not Role.PARTICIPANT or actor.course_id is None:
        raise NotAllowed("only participants have a profile")
    programme = get(session, actor)
    row = session.scalar(sa.select(Participant).where(Participant.programme_id == programme.id, Participant.person_id == actor.person_id))
    return programme, row


def missing(row: Participant | None) -> tuple[Missing, ...]:
    """What the profile still lacks for matching (empty: ready)."""
    if row is None:
        return missing_for_matching(None, (), None, {})
    return missing_for_matching(row.side, row.languages, row.capacity, row.needs)


@dataclass(frozen=True)
class Basics:
    """The first step: side, languages and availability."""

    side: str
    languages: tuple[str, ...]
    capacity: int
    timezone: str | None = None
    cadence: str | None = None
    #: where they work, for diverse peer circles (free text)
    region: str | None = None


@dataclass(frozen=True)
class Goals:
    """The last step: goals, wished partners, vetoes and the reporting line."""

    goals: str = ""
    department: str | None = None
    manager_person_id: int | None = None
    wishes: tuple[int, ...] = ()
    vetoes: tuple[int, ...] = ()


def _side_of(value: str | None) -> Side:
    try:
        return Side(value or "")
    except ValueError:
        raise RuleViolation("choose your side: digital mentor or senior expert", "side") from None


def _own_row(session: Session, actor: Actor) -> tuple[Programme, Participant]:
    programme, row = my_profile(session, actor)
    if row is None:
        row = Participant(programme_id=programme.id, person_id=actor.person_id, source="launch", languages=[], needs={}, goals="", wishes=[], vetoes=[], capacity=programme.default_capacity)
        session.add(row)
    return programme, row


def _row_with_side(session: Session, actor: Actor) -> tuple[Programme, Participant, Side]:
    """The actor's profile once the basics are saved.  :raise RuleViolation: no side chosen yet (field "side")."""
    programme, row = my_profile(session, actor)
    if row is None or not row.side or row.profile_saved_at is None:
        raise RuleViolation("choose your side first", "side")
    return programme, row, Side(row.side)


def save_basics(session: Session, actor: Actor, basics: Basics) -> tuple[Participant, bool]:
    """Write side, languages and availability; returns the profile and whether the needs map was cleared
    (a new side: what one could teach is now what one learns, so the old map no longer fits).

    :raise NotAllowed: no participant.  :raise RuleViolation: names the field to correct.
    """
    programme, _row = my_profile(session, actor)
    side = _side_of(basics.side)
    languages = tuple(dict.fromkeys(basics.languages))
    if not languages:
        raise RuleViolation("name at least one language you can mentor in", "languages")
    if set(languages) - set(LANGUAGES):
        raise RuleViolation("choose languages from the list", "languages")
    if not 0 <= basics.capacity <= programme.max_capacity:
        raise RuleViolation(f"you can take between 0 and {programme.max_capacity} partners", "capacity")
    if basics.timezone and basics.timezone not in timezones():
        raise RuleViolation("choose a time zone from the list", "timezone")
    if basics.cadence and basics.cadence not in CADENCES:
        raise RuleViolation("choose how often you want to meet", "cadence")
    region = (basics.region or "").strip() or None
    if region is not None and len(region) > 120:
        raise RuleViolation("the region has at most 120 characters", "region")
    _programme, row = _own_row(session, actor)
    cleared = bool(row.side and row.side != side.value and row.needs)
    if row.side != side.value:
        row.needs = {}
    row.side = side.value
    row.languages = list(languages)
    row.capacity = basics.capacity
    row.timezone = basics.timezone or None
    row.cadence = basics.cadence or None
    row.region = region
    row.profile_saved_at = utcnow()
    session.flush()
    return row, cleared


def clean_needs(side: Side, needs: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """The entries as stored: offers only for one's own side (1-8), wants only for the other side's
    competences (1-8, above today's level 0-7); empty entries dropped.

    :raise RuleViolation: ``field`` is ``needs.<key>``.
    """
    own, theirs = set(TEACHES[side]), set(TEACHES[other(side)])
    clean: dict[str, dict[str, int]] = {}
    for key, entry in needs.items():
        offer, want, current = entry.get("offer"), entry.get("want"), entry.get("current")
        item: dict[str, int] = {}
        if offer:
            if key not in own:
                raise RuleViolation(f"{key}: you can offer only competences your side teaches", f"needs.{key}")
            if not 1 <= offer <= MAX_LEVEL:
                raise RuleViolation(f"{key}: levels are 1 to {MAX_LEVEL}", f"needs.{key}")
            item["offer"] = offer
        if want:
            if key not in theirs:
                raise RuleViolation(f"{key}: you can ask to learn only what the other side teaches", f"needs.{key}")
            current = current or 0
            if not 1 <= want <= MAX_LEVEL or not 0 <= current < want:
                raise RuleViolation(f"{key}: the level you want (1 to {MAX_LEVEL}) must be above your level today", f"needs.{key}")
            item["want"] = want
            if current:
                item["current"] = current
        elif current:
            raise RuleViolation(f"{key}: say which level you want to reach", f"needs.{key}")
        if item:
            clean[key] = item
    return clean


def area(slug: str) -> Area:
    """:raise RuleViolation: no such area (field "step")."""
    found = AREAS_BY_SLUG.get(slug)
    if found is None:
        raise RuleViolation("no such step of the needs map", "step")
    return found


def save_area(session: Session, actor: Actor, slug: str, entries: Mapping[str, Mapping[str, int]]) -> Participant:
    """Replace the needs map's entries of one framework area with ``entries`` (the rest stays).

    :raise RuleViolation: no side yet ("side"), an unknown step ("step"), an entry outside the area or a bad level ("needs.<key>").
    """
    _programme, row, side = _row_with_side(session, actor)
    step = area(slug)
    outside = sorted(set(entries) - set(step.keys))
    if outside:
        raise RuleViolation(f"{outside[0]}: not part of this step", f"needs.{outside[0]}")
    clean = clean_needs(side, entries)
    row.needs = {k: v for k, v in (row.needs or {}).items() if k not in step.keys} | clean
    row.profile_saved_at = utcnow()
    session.flush()
    return row


def save_self_check(session: Session, actor: Actor, raw_answers: Mapping[str, str | int | None]) -> Participant:
    """Pre-fill the needs map from the quick start's answers (every answer replaces its theme's levels).

    :raise RuleViolation: no side yet ("side"), or a question unanswered (field = the theme id).
    """
    _programme, row, side = _row_with_side(session, actor)
    answers = self_check.parse_answers(raw_answers)
    row.needs = clean_needs(side, self_check.prefill(side, answers, row.needs or {}))
    row.profile_saved_at = utcnow()
    session.flush()
    return row


def fill_from_levels(row: Participant, measured: Mapping[str, int]) -> Participant:
    """Write a self-assessment's levels into the needs map: ``current`` for what the person learns, ``offer``
    for what their side teaches, keeping the ``want`` they set (see :func:`plugin.domain.assessments.needs_from`).
    The caller has checked the person may (their own profile, a side saved); they can edit the map afterwards."""
    side = Side(row.side or "")
    row.needs = clean_needs(side, needs_from(side, measured, row.needs or {}))
    row.profile_saved_at = utcnow()
    return row


def save_goals(session: Session, actor: Actor, goals: Goals) -> Participant:
    """Write goals, wishes, vetoes, department and manager.

    :raise RuleViolation: no side yet ("side"), or names the field to correct.
    """
    programme, row, _side = _row_with_side(session, actor)
    if len(goals.goals) > MAX_GOALS:
        raise RuleViolation(f"goals are at most {MAX_GOALS} characters", "goals")
    if len(set(goals.wishes)) > MAX_WISHES:
        raise RuleViolation(f"name at most {MAX_WISHES} people you would like", "wishes")
    if set(goals.wishes) & set(goals.vetoes):
        raise RuleViolation("a person cannot be both wished for and excluded", "vetoes")
    people = {c.person_id for c in choices(session, actor, programme)}
    for name, ids in (("wishes", goals.wishes), ("vetoes", goals.vetoes)):
        if set(ids) - people:
            raise RuleViolation("choose people of this programme", name)
    if goals.manager_person_id is not None and goals.manager_person_id == actor.person_id:
        raise RuleViolation("you cannot be your own manager", "manager")
    if goals.manager_person_id is not None and not session.scalar(
        sa.select(Person.id).where(Person.id == goals.manager_person_id, Person.organisation_id == actor.organisation_id)
    ):
        raise RuleViolation("choose your manager from the list", "manager")
    row.goals = goals.goals.strip()
    row.department = (goals.department or "").strip()[:120] or None
    row.manager_person_id = goals.manager_person_id
    row.wishes = sorted(set(goals.wishes))
    row.vetoes = sorted(set(goals.vetoes))
    row.profile_saved_at = utcnow()
    session.flush()
    return row


@dataclass(frozen=True)
class Summary:
    """The needs map as the summary shows it: what counts for matching, and what is missing."""

    side: Side | None
    offers: dict[str, int] = field(default_factory=dict)
    wants: dict[str, tuple[int, int]] = field(default_factory=dict)
    missing: tuple[Missing, ...] = ()


def summary(row: Participant | None) -> Summary:
    if row is None or not row.side:
        return Summary(None, missing=missing(row))
    side = Side(row.side)
    needs = row.needs or {}
    order = {key: i for i, key in enumerate(TEACHES[Side.DIGITAL_MENTOR] + TEACHES[Side.SENIOR_EXPERT])}
    offered = dict(sorted(offers_of(side, needs).items(), key=lambda kv: order[kv[0]]))
    wanted = {k: (int(needs[k].get("current") or 0), want) for k, want in sorted(wants_of(side, needs).items(), key=lambda kv: order[kv[0]])}
    return Summary(side, offered, wanted, missing(row))
