"""The programme dashboard's queries: one statement each, aggregated in the database (GROUP BY) and scoped
to one programme; none runs per participant or per tandem."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Side
from plugin.domain.dashboards import PLAN_STATES, Filters
from plugin.domain.signoffs.records import Kind
from plugin.models import Agreement, Event, EventRegistration, MentoringSession, Participant, Plan, PlanItemDate, Reflection, SignoffRecord, SignoffTrackFact, Tandem


class TandemRow(NamedTuple):
    id: int
    digital: int
    expert: int
    status: str
    started: date
    #: the last session held by today
    last_session: date | None
    #: per side taught, the day the track last gained a sign-off
    progress: dict[Side, date]
    #: both members signed the agreement
    signed: bool = False
    #: a module of the tandem is complete both ways
    complete: bool = False
    #: whether the filters keep the digital mentor, the senior expert
    digital_kept: bool = True
    expert_kept: bool = True

    @property
    def kept(self) -> bool:
        """The filters keep a member of the tandem."""
        return self.digital_kept or self.expert_kept


def _rows(session: Session, query: sa.Select) -> sa.CursorResult:
    """Run a statement of plain columns on the session's connection (Core rows: no ORM row processing, which
    costs more than the statement itself for thousands of rows)."""
    return session.connection().execute(query)


def _as_date(session: Session, expression: sa.ColumnElement) -> sa.ColumnElement:
    """An ISO day text as a date: cast by PostgreSQL (the driver returns dates), parsed by SQLAlchemy on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(expression, sa.Date)
    return sa.type_coerce(expression, sa.Date)


def tandems(session: Session, programme_id: int, filters: Filters, today: date, signoffs: SignoffFacts) -> list[TandemRow]:
    """The programme's tandems (declined ones left out), each with whether both signed the agreement, whether a
    module is complete both ways and per track its last sign-off day (``signoffs``), whether the filters keep
    each member, and its last session. ``started`` is the last signature's day, else the publication's (as the
    health flags count it). One statement, computed in the database."""
    if filters.side is not None or filters.department is not None:
        people = _people(programme_id, filters)
        digital_kept, expert_kept = Tandem.digital_person_id.in_(people), Tandem.expert_person_id.in_(people)
    else:
        digital_kept = expert_kept = sa.true()
    done = Tandem.id.in_(signoffs.complete) if signoffs.complete is not None else sa.false()
    held = (
        sa.select(MentoringSession.tandem_id.label("tandem_id"), sa.func.max(MentoringSession.held_on).label("last"))
        .where(MentoringSession.tandem_id.in_(_programme_tandems(programme_id)), MentoringSession.held_on <= today)
        .group_by(MentoringSession.tandem_id)
        .subquery("held")
    )
    tracks = signoffs.progress
    published = sa.func.substr(sa.cast(sa.func.coalesce(Tandem.published_at, Tandem.created_at), sa.String), 1, 10)
    both = sa.func.coalesce(Agreement.signers, 0) >= 2  # only the two members sign, each once (agreements.sign)
    rows = _rows(
        session,
        sa.select(
            Tandem.id, Tandem.digital_person_id, Tandem.expert_person_id, Tandem.status, Agreement.last_signed_on, _as_date(session, published), held.c.last,
            *(tracks.c[side.value] for side in (Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT)), both, done, digital_kept, expert_kept,
        )
        .outerjoin(Agreement, Agreement.tandem_id == Tandem.id)
        .outerjoin(held, held.c.tandem_id == Tandem.id)
        .outerjoin(tracks, tracks.c.tandem_id == Tandem.id)
        .where(Tandem.programme_id == programme_id, Tandem.status != "declined")
    )
    digital_side, expert_side = Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT
    out = []
    for tandem_id, digital, expert, status, signed_on, published_on, last, by_digital, by_expert, signed, is_complete, d_kept, e_kept in rows.all():
        track = {}
        if by_digital is not None:
            track[digital_side] = by_digital
        if by_expert is not None:
            track[expert_side] = by_expert
        out.append(TandemRow(tandem_id, digital, expert, status, signed_on or published_on or today, last, track, bool(signed), bool(is_complete), bool(d_kept), bool(e_kept)))
    return out


def people_counts(session: Session, programme_id: int, filters: Filters) -> tuple[int, int]:
    """How many people the filters keep have joined the programme, and how many of them saved a profile."""
    people = _people(programme_id, filters, Participant.profile_saved_at).subquery()
    query = sa.select(sa.func.count(), sa.func.count(people.c.profile_saved_at))
    return tuple(int(n or 0) for n in _rows(session, query.select_from(people)).one())  # type: ignore[return-value]


def _programme_tandems(programme_id: int) -> sa.Select:
    return sa.select(Tandem.id).where(Tandem.programme_id == programme_id)


def signed_modules(session: Session, programme_id: int) -> list[tuple[str, int]]:
    """The module versions the programme's tandems have sign-off records for."""
    query = sa.select(SignoffTrackFact.module_slug, SignoffTrackFact.module_version).where(SignoffTrackFact.tandem_id.in_(_programme_tandems(programme_id))).distinct()
    return sorted((slug, version) for slug, version in _rows(session, query).all())


@dataclass(frozen=True)
class SignoffFacts:
    """What the tandems' sign-off chains say (summed per track as records are appended): per tandem, the day each track
    last gained a sign-off (``progress``: columns ``tandem_id`` and one per side taught), and the statement
    selecting the tandems with a module complete both ways (``complete``; None when no module can be)."""

    progress: sa.Subquery
    complete: sa.Select | None


def signoff_facts(programme_id: int, objectives: Mapping[tuple[str, int], Mapping[str, int]], countersign: bool) -> SignoffFacts:
    """The sign-off facts of the programme's tandems, from the chains summed per track (``signoff_track_facts``).
    ``objectives`` gives per module version how many objectives each side's track has. A track is complete as
    :func:`plugin.domain.dashboards.track_complete` says: every objective signed and not withdrawn; with
    countersigning, countersigned after the last withdrawal."""
    f = SignoffTrackFact
    mine = f.tandem_id.in_(_programme_tandems(programme_id))
    progress = sa.select(f.tandem_id, *(sa.func.max(sa.case((f.side == side.value, f.last_signed_on))).label(side.value) for side in Side)).where(mine).group_by(f.tandem_id).subquery("progress")
    need = [(slug, version, side, n, len(sides)) for (slug, version), sides in objectives.items() for side, n in sides.items()]
    if not need:
        return SignoffFacts(progress, None)
    need_rows = sa.union_all(
        *(sa.select(sa.literal(slug).label("slug"), sa.literal(version).label("version"), sa.literal(side).label("side"), sa.literal(n).label("objectives"), sa.literal(k).label("sides")) for slug, version, side, n, k in need)
    ).subquery("need")
    done = f.kept >= need_rows.c.objectives
    if countersign:
        done = sa.and_(done, f.countersigned.is_not(None), sa.or_(f.withdrawn.is_(None), f.countersigned > f.withdrawn))
    complete = (
        sa.select(f.tandem_id)
        .join(need_rows, sa.and_(need_rows.c.slug == f.module_slug, need_rows.c.version == f.module_version, need_rows.c.side == f.side))
        .where(mine)
        .group_by(f.tandem_id, f.module_slug, f.module_version)
        .having(sa.func.sum(sa.case((done, 1), else_=0)) == sa.func.max(need_rows.c.sides))
    )
    return SignoffFacts(progress, complete)


def _people(programme_id: int, filters: Filters, *columns: sa.ColumnElement) -> sa.Select:
    query = sa.select(Participant.person_id, *columns).where(Participant.programme_id == programme_id)
    if filters.side is not None:
        query = query.where(Participant.side == filters.side.value)
    if filters.department is not None:
        query = query.where(sa.func.lower(Participant.department) == filters.department.lower())
    return query


def kept_tandems(programme_id: int, filters: Filters) -> sa.Select:
    """The programme's tandems with a member the filters keep (every tandem without a side or department)."""
    query = _programme_tandems(programme_id)
    if filters.side is None and filters.department is None:
        return query
    people = _people(programme_id, filters)
    return query.where(sa.or_(Tandem.digital_person_id.in_(people), Tandem.expert_person_id.in_(people)))


def signoffs_per_month(session: Session, programme_id: int, filters: Filters) -> list[tuple[str, str, int]]:
    """(YYYY-MM, side taught, sign-offs made) in the period, over the tandems the filters keep."""
    month = sa.func.substr(SignoffRecord.timestamp, 1, 7)
    query = sa.select(month, SignoffRecord.side, sa.func.count()).where(SignoffRecord.tandem_id.in_(kept_tandems(programme_id, filters)), SignoffRecord.kind == Kind.SIGNED.value)
    if filters.side is not None:
        query = query.where(SignoffRecord.side == filters.side.value)
    if filters.start is not None:
        query = query.where(month >= str(filters.start))
    if filters.end is not None:
        query = query.where(month <= str(filters.end))
    return [(m, side, n) for m, side, n in _rows(session, query.group_by(month, SignoffRecord.side))]


def low_reflections(session: Session, programme_id: int, today: date, sessions: int, below: float) -> set[tuple[int, int]]:
    """(tandem, person) whose average over their last ``sessions`` reflections (held by today) is below
    ``below`` for some principle: the health flag's rule, averaged in the database (a window per person)."""
    recent = (
        sa.select(
            MentoringSession.tandem_id.label("tandem_id"),
            Reflection.person_id.label("person_id"),
            *(getattr(Reflection, p.value).label(p.value) for p in Principle),
            sa.func.row_number().over(partition_by=(MentoringSession.tandem_id, Reflection.person_id), order_by=(MentoringSession.held_on.desc(), MentoringSession.id.desc())).label("n"),
        )
        .join(MentoringSession, MentoringSession.id == Reflection.session_id)
        .where(MentoringSession.tandem_id.in_(_programme_tandems(programme_id)), MentoringSession.held_on <= today)
        .subquery()
    )
    averages = [sa.func.avg(sa.cast(getattr(recent.c, p.value), sa.Float)) for p in Principle]
    query = sa.select(recent.c.tandem_id, recent.c.person_id).where(recent.c.n <= sessions).group_by(recent.c.tandem_id, recent.c.person_id).having(sa.or_(*(a < below for a in averages)))
    return {(t, p) for t, p in _rows(session, query).all()}


def plan_items(session: Session, programme_id: int, filters: Filters, today: date, among: set[int] | None = None) -> tuple[dict[str, int], set[int]]:
    """Plan items by state (done_on_time, done_late, overdue, not_due) over the tandems the filters keep
    (``among``; None: every tandem), due in the period; and the tandems with an item not done whose due
    day has passed (the health flag's rule, any period). One statement over the items' days
    (``plan_item_dates``): per tandem, the count of each state and of the overdue items; the tandems the filters
    keep are summed here (the caller knows them already: no subquery per item)."""
    due, done = PlanItemDate.due, PlanItemDate.done_on
    state = sa.case((sa.and_(done.is_not(None), done <= due), "done_on_time"), (done.is_not(None), "done_late"), (due < today, "overdue"), else_="not_due")
    counted = []
    if filters.start is not None:
        counted.append(due >= filters.start.first_day())
    if filters.end is not None:
        counted.append(due < filters.end.next().first_day())
    kept = sa.and_(sa.true(), *counted)
    per_state = [sa.func.sum(sa.case((sa.and_(kept, state == name), 1), else_=0)) for name in PLAN_STATES]
    late = sa.func.sum(sa.case((sa.and_(done.is_(None), due < today), 1), else_=0))
    query = sa.select(Plan.tandem_id, late, *per_state).select_from(Plan).join(PlanItemDate, PlanItemDate.plan_id == Plan.id).where(Plan.tandem_id.in_(_programme_tandems(programme_id))).group_by(Plan.tandem_id)
    states = dict.fromkeys(PLAN_STATES, 0)
    overdue = set()
    for tandem_id, n_late, *ns in _rows(session, query).all():
        if n_late:
            overdue.add(tandem_id)
        if among is not None and tandem_id not in among:
            continue
        for name, n in zip(PLAN_STATES, ns, strict=True):
            states[name] += n or 0
    return {k: n for k, n in states.items() if n}, overdue


def event_attendance(session: Session, programme_id: int, filters: Filters, limit: int = 24) -> list[tuple[int, str, datetime, int, int]]:
    """(event, title, start, people registered, people who attended) of the programme's events in the period
    (not cancelled), the latest ``limit``; only the registrations of the people the filters keep."""
    registered = sa.func.sum(sa.case((EventRegistration.status == "registered", 1), else_=0))
    attended = sa.func.sum(sa.case((EventRegistration.attended.is_(True), 1), else_=0))
    people = _people(programme_id, filters)
    on = sa.and_(EventRegistration.event_id == Event.id, EventRegistration.person_id.in_(people))
    query = (
        sa.select(Event.id, Event.title, Event.starts_at, sa.func.coalesce(registered, 0), sa.func.coalesce(attended, 0))
        .outerjoin(EventRegistration, on)
        .where(Event.programme_id == programme_id, Event.status != "cancelled")
        .group_by(Event.id, Event.title, Event.starts_at)
    )
    if filters.start is not None:
        query = query.where(Event.starts_at >= _utc(filters.start.first_day()))
    if filters.end is not None:
        query = query.where(Event.starts_at < _utc(filters.end.next().first_day()))
    rows = session.execute(query.order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)).all()
    return sorted(rows, key=lambda r: (r[2], r[0]))


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def departments(session: Session, programme_id: int) -> tuple[str, ...]:
    """The departments the programme's participants named (for the filter's list)."""
    rows = session.scalars(sa.select(Participant.department).where(Participant.programme_id == programme_id, Participant.department.is_not(None)).distinct())
    return tuple(sorted({d.strip() for d in rows if d and d.strip()}, key=str.lower))
