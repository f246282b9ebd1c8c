"""Self-assessment takes: a participant filling in a questionnaire (which writes their needs map), their
growth, the trainers' view, the programme's choice of questionnaires, and the cohort's growth for the
dashboards.

A take is kept for good (person, questionnaire version, answers, levels, when, and whether it was the
start, a milestone or the end); growth compares the first take that measured a competence with the latest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.assessments import Change, GrowthRow, Questionnaire, TakeKind, changes, cohort, levels, parse_answers, split
from plugin.domain.catalogue import Localized, Side
from plugin.domain.errors import NotFound, RuleViolation
from plugin.models import AssessmentTake, Participant, Person, Programme, ProgrammeQuestionnaires
from plugin.models.base import utcnow
from plugin.services import profiles, questionnaires
from plugin.services.assessment_access import chosen_slugs, in_use, managed_programme, mine, participant_of, questionnaire_for
from plugin.services.launches import Actor

__all__ = [
    "GrowthRow", "Growth", "Overview", "Setup", "Take", "TakeForm", "choose", "cohort_growth", "form", "index", "my_growth",
    "overview", "person_growth", "seed_example", "setup", "submit",
]  # fmt: skip


@dataclass(frozen=True)
class Take:
    """One take as the pages show it."""

    id: int
    questionnaire: str
    version: int
    kind: TakeKind
    taken_at: datetime
    levels: Mapping[str, int]
    #: the questionnaire's title (None when it is no longer shipped)
    title: Localized | None = None


@dataclass(frozen=True)
class Entry:
    """A questionnaire on the participant's list: how often taken, the latest take."""

    questionnaire: Questionnaire
    takes: int
    latest: Take | None


@dataclass(frozen=True)
class Index:
    """The participant's self-assessments page."""

    side: Side | None
    zone: str
    entries: tuple[Entry, ...]
    takes: tuple[Take, ...]


@dataclass(frozen=True)
class TakeForm:
    """A questionnaire to fill in: which kinds of take it can be now (the first is always the start)."""

    questionnaire: Questionnaire
    side: Side | None
    kinds: tuple[TakeKind, ...]
    previous: int


@dataclass(frozen=True)
class Growth:
    """Someone's growth per competence: what they learned (the other side's) and taught (their own side's)."""

    name: str
    side: Side | None
    zone: str
    learned: tuple[Change, ...]
    taught: tuple[Change, ...]
    takes: tuple[Take, ...]


def _take(row: AssessmentTake) -> Take:
    shipped = questionnaires.shipped().get(row.questionnaire)
    return Take(row.id, row.questionnaire, row.version, TakeKind(row.kind), row.taken_at, dict(row.levels or {}), shipped.title if shipped else None)


def _takes_of(session: Session, participant_id: int) -> list[AssessmentTake]:
    return list(session.scalars(sa.select(AssessmentTake).where(AssessmentTake.participant_id == participant_id).order_by(AssessmentTake.taken_at, AssessmentTake.id)))


def _side(row: Participant | None) -> Side | None:
    return Side(row.side) if row is not None and row.side else None


def index(session: Session, actor: Actor) -> Index:
    """The actor's questionnaires and takes.  :raise NotAllowed: no participant.  :raise NotFound: no programme."""
    own = mine(session, actor)
    rows = _takes_of(session, own.participant.id) if own.participant is not None else []
    entries = []
    for questionnaire in in_use(session, own.programme.id):
        of = [r for r in rows if r.questionnaire == questionnaire.slug]
        entries.append(Entry(questionnaire, len(of), _take(of[-1]) if of else None))
    zone = (own.participant.timezone if own.participant else None) or "UTC"
    return Index(_side(own.participant), zone, tuple(entries), tuple(_take(r) for r in reversed(rows)))


def _kinds(previous: int) -> tuple[TakeKind, ...]:
    return (TakeKind.START,) if previous == 0 else (TakeKind.MILESTONE, TakeKind.END)


def form(session: Session, actor: Actor, slug: str) -> TakeForm:
    """A questionnaire of the actor's programme to fill in.  :raise NotFound: the programme does not use it."""
    own = mine(session, actor)
    questionnaire = questionnaire_for(session, own.programme.id, slug)
    previous = 0
    if own.participant is not None:
        previous = session.scalar(
            sa.select(sa.func.count()).select_from(AssessmentTake).where(AssessmentTake.participant_id == own.participant.id, AssessmentTake.questionnaire == slug)
        ) or 0
    return TakeForm(questionnaire, _side(own.participant), _kinds(previous), previous)


def _record(session: Session, programme: Programme, row: Participant, questionnaire: Questionnaire, answers: Mapping[str, int], kind: TakeKind, at: datetime) -> AssessmentTake:
    measured = levels(questionnaire, answers)
    take = AssessmentTake(
        organisation_id=programme.organisation_id, programme_id=programme.id, participant_id=row.id, person_id=row.person_id,
        questionnaire=questionnaire.slug, version=questionnaire.version, kind=kind.value, answers=dict(answers), levels=measured, taken_at=at,
    )  # fmt: skip
    session.add(take)
    profiles.fill_from_levels(row, measured)
    return take


def submit(session: Session, actor: Actor, slug: str, raw_answers: Mapping[str, object], kind: str | None) -> Take:
    """Record a take and write its levels into the actor's needs map (one transaction; the caller commits).

    :raise RuleViolation: no side chosen yet ("side"), a statement unanswered or off the scale (its item
        id), or a kind that does not fit ("kind": the first take is the start, later ones a milestone or the end).
    """
    own = mine(session, actor)
    questionnaire = questionnaire_for(session, own.programme.id, slug)
    row = own.participant
    if row is None or not row.side or row.profile_saved_at is None:
        raise RuleViolation("choose your side first", "side")
    answers = parse_answers(questionnaire, raw_answers)
    previous = session.scalar(
        sa.select(sa.func.count()).select_from(AssessmentTake).where(AssessmentTake.participant_id == row.id, AssessmentTake.questionnaire == slug)
    ) or 0
    allowed = _kinds(previous)
    chosen = TakeKind.START if previous == 0 and not kind else None
    try:
        chosen = chosen or TakeKind(kind or "")
    except ValueError:
        chosen = None
    if chosen not in allowed:
        raise RuleViolation("choose when you take it: a milestone or the end" if previous else "your first take is the start", "kind")
    take = _record(session, own.programme, row, questionnaire, answers, chosen, utcnow())
    session.flush()
    return _take(take)


def _growth(session: Session, row: Participant, name: str) -> Growth:
    rows = _takes_of(session, row.id)
    side = _side(row)
    all_changes = changes([r.levels or {} for r in rows])
    learned, taught = split(side, all_changes) if side is not None else (all_changes, [])
    return Growth(name, side, row.timezone or "UTC", tuple(learned), tuple(taught), tuple(_take(r) for r in rows))


def my_growth(session: Session, actor: Actor) -> Growth:
    """The actor's own growth.  :raise NotAllowed: no participant."""
    own = mine(session, actor)
    if own.participant is None:
        return Growth("", None, "UTC", (), (), ())
    return _growth(session, own.participant, "")


@dataclass(frozen=True)
class PersonRow:
    person_id: int
    name: str
    side: Side | None
    takes: int
    latest: datetime | None


@dataclass(frozen=True)
class Overview:
    """The trainers' page: every participant's takes, and the cohort's growth."""

    questionnaires: tuple[Questionnaire, ...]
    people: tuple[PersonRow, ...]
    growth: tuple[GrowthRow, ...]


def overview(session: Session, actor: Actor) -> Overview:
    """:raise NotAllowed: not a trainer of the course or an administrator."""
    programme = managed_programme(session, actor)
    counts = sa.select(AssessmentTake.participant_id, sa.func.count().label("n"), sa.func.max(AssessmentTake.taken_at).label("latest")).where(
        AssessmentTake.programme_id == programme.id
    ).group_by(AssessmentTake.participant_id).subquery()
    query = (
        sa.select(Participant.person_id, Person.name, Participant.side, counts.c.n, counts.c.latest)
        .join(Person, Person.id == Participant.person_id)
        .outerjoin(counts, counts.c.participant_id == Participant.id)
        .where(Participant.programme_id == programme.id)
        .order_by(Person.name, Participant.person_id)
    )
    people = tuple(PersonRow(pid, name or "", Side(side) if side else None, n or 0, latest) for pid, name, side, n, latest in session.execute(query))
    return Overview(tuple(in_use(session, programme.id)), people, tuple(cohort_growth(session, programme.id)))


def person_growth(session: Session, actor: Actor, person_id: int) -> Growth:
    """A participant's growth for a trainer of their programme.  :raise NotFound: not a participant here."""
    _programme, row = participant_of(session, actor, person_id)
    name = session.scalar(sa.select(Person.name).where(Person.id == row.person_id)) or ""
    return _growth(session, row, name)


@dataclass(frozen=True)
class Setup:
    shipped: tuple[Questionnaire, ...]
    chosen: tuple[str, ...]


def setup(session: Session, actor: Actor) -> Setup:
    programme = managed_programme(session, actor)
    return Setup(tuple(questionnaires.shipped().values()), tuple(chosen_slugs(session, programme.id)))


def choose(session: Session, actor: Actor, slugs: Sequence[str]) -> None:
    """Set the questionnaires the programme uses.  :raise RuleViolation: none chosen or an unknown one ("questionnaires")."""
    programme = managed_programme(session, actor)
    shipped = questionnaires.shipped()
    chosen = list(dict.fromkeys(slugs))
    if not chosen:
        raise RuleViolation("choose at least one questionnaire", "questionnaires")
    if set(chosen) - set(shipped):
        raise RuleViolation("choose questionnaires from the list", "questionnaires")
    row = session.get(ProgrammeQuestionnaires, programme.id)
    if row is None:
        row = ProgrammeQuestionnaires(programme_id=programme.id)
        session.add(row)
    row.slugs = [s for s in shipped if s in chosen]
    row.updated_at = utcnow()
    session.flush()


def cohort_growth(session: Session, programme_id: int, *, side: str | None = None, department: str | None = None) -> list[GrowthRow]:
    """Per competence, the median level at the first and at the latest take over the participants of the
    programme measured on it at least twice (``people``); ``side``/``department`` filter the participants.

    No authorisation here: the caller (the dashboards) has checked that the actor sees the programme.
    One query, whatever the programme's size.
    """
    query = (
        sa.select(AssessmentTake.participant_id, AssessmentTake.levels)
        .join(Participant, Participant.id == AssessmentTake.participant_id)
        .where(AssessmentTake.programme_id == programme_id, Participant.programme_id == programme_id)
        .order_by(AssessmentTake.participant_id, AssessmentTake.taken_at, AssessmentTake.id)
    )
    if side is not None:
        query = query.where(Participant.side == side)
    if department is not None:
        query = query.where(Participant.department == department)
    grouped: dict[int, list[Mapping[str, int]]] = {}
    for participant_id, taken in session.execute(query):
        grouped.setdefault(participant_id, []).append(taken or {})
    return cohort([takes for takes in grouped.values() if len(takes) >= 2])


def seed_example(session: Session, programme_id: int, person_ids: Sequence[int]) -> list[Take]:
    """For the demo: each person (a participant of the programme with a side) takes every questionnaire of
    the programme twice, at the start and at the end, the end's answers a step higher, so growth shows.
    Their needs maps follow the start's and then the end's levels. Returns the takes written (flushed)."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("no such programme")
    written: list[AssessmentTake] = []
    now = utcnow()
    for n, person_id in enumerate(person_ids):
        row = session.scalar(sa.select(Participant).where(Participant.programme_id == programme_id, Participant.person_id == person_id))
        if row is None or not row.side:
            continue
        for questionnaire in in_use(session, programme_id):
            low, high = questionnaire.values[0], questionnaire.values[-1]
            start = {item.id: min(high, low + (i + n) % 3) for i, item in enumerate(questionnaire.items)}
            end = {key: min(high, value + 1 + (i % 2)) for i, (key, value) in enumerate(start.items())}
            written.append(_record(session, programme, row, questionnaire, start, TakeKind.START, now - timedelta(days=120)))
            written.append(_record(session, programme, row, questionnaire, end, TakeKind.END, now - timedelta(days=1)))
    session.flush()
    return [_take(t) for t in written]
