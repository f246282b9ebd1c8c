"""The programme dashboard's queries: one statement each, aggregated in the database (GROUP BY) and scoped
to one programme; none runs per participant or per tandem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.agreements import Principle
from plugin.domain.dashboards import Filters, TrackCount
from plugin.domain.signoffs.records import Kind
from plugin.models import Agreement, Event, EventRegistration, MentoringSession, Participant, Plan, Reflection, SignoffRecord, Tandem


@dataclass(frozen=True)
class People:
    """The programme's participants the filters keep (by person id), and which of them saved a profile."""

    side: dict[int, str | None]
    profiled: set[int]


def people(session: Session, programme_id: int, filters: Filters) -> People:
    query = sa.select(Participant.person_id, Participant.side, Participant.profile_saved_at.is_not(None)).where(Participant.programme_id == programme_id)
    if filters.side is not None:
        query = query.where(Participant.side == filters.side.value)
    if filters.department is not None:
        query = query.where(sa.func.lower(Participant.department) == filters.department.lower())
    side, profiled = {}, set()
    for person_id, person_side, saved in session.execute(query):
        side[person_id] = person_side
        if saved:
            profiled.add(person_id)
    return People(side, profiled)


@dataclass(frozen=True)
class TandemRow:
    id: int
    digital: int
    expert: int
    status: str
    started: date


def _day(value: datetime | str | None) -> date | None:
    if value is None:
        return None
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).date()


def tandems(session: Session, programme_id: int, today: date) -> tuple[list[TandemRow], dict[int, bool]]:
    """The programme's tandems (declined ones left out) and, per tandem, whether both signed the agreement;
    ``started`` is the last signature's day, else the publication's (as the health flags count it)."""
    rows = session.execute(
        sa.select(Tandem.id, Tandem.digital_person_id, Tandem.expert_person_id, Tandem.status, Tandem.published_at, Tandem.created_at, Agreement.signatures)
        .outerjoin(Agreement, Agreement.tandem_id == Tandem.id)
        .where(Tandem.programme_id == programme_id, Tandem.status != "declined")
    )
    out, signed = [], {}
    for tandem_id, digital, expert, status, published_at, created_at, signatures in rows:
        by = {s.get("person_id") for s in signatures or ()}
        signed[tandem_id] = digital in by and expert in by
        days = [d for d in (_day(s.get("at")) for s in signatures or ()) if d is not None]
        started = max(days) if days else _day(published_at) or _day(created_at) or today
        out.append(TandemRow(tandem_id, digital, expert, status, started))
    return out, signed


def _programme_tandems(programme_id: int) -> sa.Select:
    return sa.select(Tandem.id).where(Tandem.programme_id == programme_id)


def track_counts(session: Session, programme_id: int) -> dict[tuple[int, str, int, str], TrackCount]:
    """Per (tandem, module, version, side): how many objectives are signed off and not withdrawn, and the last
    countersignature's and withdrawal's seq. Two statements."""
    signed = sa.func.sum(sa.case((SignoffRecord.kind == Kind.SIGNED.value, 1), else_=0))
    withdrawn = sa.func.sum(sa.case((SignoffRecord.kind == Kind.WITHDRAWN.value, 1), else_=0))
    per_objective = (
        sa.select(SignoffRecord.tandem_id, SignoffRecord.module_slug, SignoffRecord.module_version, SignoffRecord.side)
        .where(SignoffRecord.tandem_id.in_(_programme_tandems(programme_id)), SignoffRecord.objective_id.is_not(None))
        .group_by(SignoffRecord.tandem_id, SignoffRecord.module_slug, SignoffRecord.module_version, SignoffRecord.side, SignoffRecord.objective_id)
        .having(signed > withdrawn)
        .subquery()
    )
    keys = (per_objective.c.tandem_id, per_objective.c.module_slug, per_objective.c.module_version, per_objective.c.side)
    counts = {tuple(r[:4]): r[4] for r in session.execute(sa.select(*keys, sa.func.count()).group_by(*keys))}
    seqs = session.execute(
        sa.select(
            SignoffRecord.tandem_id,
            SignoffRecord.module_slug,
            SignoffRecord.module_version,
            SignoffRecord.side,
            sa.func.max(sa.case((SignoffRecord.kind == Kind.COUNTERSIGNED.value, SignoffRecord.seq))),
            sa.func.max(sa.case((SignoffRecord.kind == Kind.WITHDRAWN.value, SignoffRecord.seq))),
        )
        .where(SignoffRecord.tandem_id.in_(_programme_tandems(programme_id)), SignoffRecord.kind.in_((Kind.COUNTERSIGNED.value, Kind.WITHDRAWN.value)))
        .group_by(SignoffRecord.tandem_id, SignoffRecord.module_slug, SignoffRecord.module_version, SignoffRecord.side)
    )
    marks = {tuple(r[:4]): (r[4], r[5]) for r in seqs}
    return {key: TrackCount(counts.get(key, 0), *marks.get(key, (None, None))) for key in counts.keys() | marks.keys()}


def _people(programme_id: int, filters: Filters) -> sa.Select:
    query = sa.select(Participant.person_id).where(Participant.programme_id == programme_id)
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
    return [(m, side, n) for m, side, n in session.execute(query.group_by(month, SignoffRecord.side))]


def last_signed(session: Session, programme_id: int) -> dict[int, dict[str, date | None]]:
    """Per tandem and side taught: the day the track last gained a sign-off."""
    out: dict[int, dict[str, date | None]] = {}
    rows = session.execute(
        sa.select(SignoffRecord.tandem_id, SignoffRecord.side, sa.func.max(SignoffRecord.timestamp))
        .where(SignoffRecord.tandem_id.in_(_programme_tandems(programme_id)), SignoffRecord.kind == Kind.SIGNED.value)
        .group_by(SignoffRecord.tandem_id, SignoffRecord.side)
    )
    for tandem_id, side, last in rows:
        out.setdefault(tandem_id, {})[side] = date.fromisoformat(last[:10]) if isinstance(last, str) else _day(last)  # UTC ISO text: its day
    return out


def last_sessions(session: Session, programme_id: int, today: date) -> dict[int, date]:
    """Per tandem, the last session held on or before today."""
    rows = session.execute(
        sa.select(MentoringSession.tandem_id, sa.func.max(MentoringSession.held_on))
        .where(MentoringSession.tandem_id.in_(_programme_tandems(programme_id)), MentoringSession.held_on <= today)
        .group_by(MentoringSession.tandem_id)
    )
    return {t: d for t, d in rows}


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
    return {(t, p) for t, p in session.execute(query)}


def _plan_item_columns(session: Session):
    """The plans' items as rows (a table-valued JSON function: PostgreSQL's json_array_elements, SQLite's json_each),
    with each item's due day and done day as ISO text."""
    if session.get_bind().dialect.name == "postgresql":
        item = sa.func.json_array_elements(Plan.items).table_valued("value").alias("item")
        due, done = item.c.value.op("->>")("due"), item.c.value.op("->>")("done_on")
    else:
        item = sa.func.json_each(Plan.items).table_valued("value").alias("item")
        due, done = sa.func.json_extract(item.c.value, "$.due"), sa.func.json_extract(item.c.value, "$.done_on")
    return item, sa.func.substr(due, 1, 10), sa.func.substr(done, 1, 10)


def plan_states(session: Session, programme_id: int, filters: Filters, today: date) -> dict[str, int]:
    """Plan items by state (done_on_time, done_late, overdue, not_due) over the kept tandems, due in the period."""
    item, due, done = _plan_item_columns(session)
    state = sa.case((sa.and_(done.is_not(None), done <= due), "done_on_time"), (done.is_not(None), "done_late"), (due < today.isoformat(), "overdue"), else_="not_due")
    query = sa.select(state, sa.func.count()).select_from(Plan).join(item, sa.true()).where(Plan.tandem_id.in_(kept_tandems(programme_id, filters)))
    if filters.start is not None:
        query = query.where(due >= filters.start.first_day().isoformat())
    if filters.end is not None:
        query = query.where(due < filters.end.next().first_day().isoformat())
    return {k: n for k, n in session.execute(query.group_by(state))}


def overdue_tandems(session: Session, programme_id: int, today: date) -> set[int]:
    """The tandems with a plan item not done whose due day has passed (the health flag's rule)."""
    item, due, done = _plan_item_columns(session)
    query = sa.select(Plan.tandem_id).select_from(Plan).join(item, sa.true()).where(Plan.tandem_id.in_(_programme_tandems(programme_id)), done.is_(None), due < today.isoformat())
    return set(session.scalars(query.distinct()))


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
