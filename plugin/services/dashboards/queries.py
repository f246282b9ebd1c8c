"""The programme dashboard's queries: one statement each, aggregated in the database (GROUP BY) and scoped
to one programme; none runs per participant or per tandem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Side
from plugin.domain.dashboards import FUNNEL, PLAN_STATES, Filters
from plugin.domain.signoffs.records import Kind
from plugin.models import Agreement, Event, EventRegistration, MentoringSession, Participant, Plan, Reflection, SignoffRecord, Tandem


@dataclass(frozen=True)
class TandemRow:
    id: int
    digital: int
    expert: int
    status: str
    started: date
    #: the last session held by today
    last_session: date | None
    #: per side taught, the day the track last gained a sign-off
    progress: dict[Side, date]


def _day(value: datetime | str | None) -> date | None:
    if value is None:
        return None
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).date()


def _signatures(session: Session):
    """The agreement's signatures as rows (correlated to the outer query's agreement), with each one's person id
    and its day as ISO text."""
    if session.get_bind().dialect.name == "postgresql":
        item = sa.func.json_to_recordset(Agreement.signatures).table_valued(sa.column("person_id", sa.Integer), sa.column("at", sa.Text)).render_derived(with_types=True).alias("signature")
        return item, item.c.person_id, sa.func.substr(item.c.at, 1, 10)
    item = sa.func.json_each(Agreement.signatures).table_valued("value").alias("signature")
    return item, sa.func.json_extract(item.c.value, "$.person_id"), sa.func.substr(sa.func.json_extract(item.c.value, "$.at"), 1, 10)


def _signature_facts(session: Session, programme_id: int):
    """Per tandem of the programme with an agreement: how many signatures each member gave and the last one's day
    (one pass over the signatures, grouped; join it to the tandems on ``tandem_id``)."""
    item, person, day = _signatures(session)
    return (
        sa.select(
            Agreement.tandem_id.label("tandem_id"),
            sa.func.sum(sa.case((person == Tandem.digital_person_id, 1), else_=0)).label("digital"),
            sa.func.sum(sa.case((person == Tandem.expert_person_id, 1), else_=0)).label("expert"),
            sa.func.max(day).label("last_day"),
        )
        .select_from(Tandem)
        .join(Agreement, Agreement.tandem_id == Tandem.id)
        .join(item, sa.true())
        .where(Tandem.programme_id == programme_id)
        .group_by(Agreement.tandem_id)
        .subquery("signature_facts")
    )


def _both(facts) -> sa.ColumnElement:
    return sa.and_(sa.func.coalesce(facts.c.digital, 0) > 0, sa.func.coalesce(facts.c.expert, 0) > 0)


def tandems(session: Session, programme_id: int, filters: Filters, today: date) -> tuple[list[TandemRow], dict[int, bool], set[int]]:
    """The programme's tandems (declined ones left out); per tandem, whether both signed the agreement; and the
    tandems with a member the filters keep. ``started`` is the last signature's day, else the publication's (as
    the health flags count it). Computed in the database from the signatures (JSON)."""
    facts = _signature_facts(session, programme_id)
    kept = sa.true()
    if filters.side is not None or filters.department is not None:
        people = _people(programme_id, filters)
        kept = sa.or_(Tandem.digital_person_id.in_(people), Tandem.expert_person_id.in_(people))
    held = (
        sa.select(MentoringSession.tandem_id.label("tandem_id"), sa.func.max(MentoringSession.held_on).label("last"))
        .where(MentoringSession.tandem_id.in_(_programme_tandems(programme_id)), MentoringSession.held_on <= today)
        .group_by(MentoringSession.tandem_id)
        .subquery("held")
    )
    day = sa.func.substr(SignoffRecord.timestamp, 1, 10)  # UTC ISO text: its day
    tracks = (
        sa.select(SignoffRecord.tandem_id.label("tandem_id"), *(sa.func.max(sa.case((SignoffRecord.side == side.value, day))).label(side.value) for side in Side))
        .where(SignoffRecord.tandem_id.in_(_programme_tandems(programme_id)), SignoffRecord.kind == Kind.SIGNED.value)
        .group_by(SignoffRecord.tandem_id)
        .subquery("tracks")
    )
    last_session, progress = held.c.last, [tracks.c[side.value] for side in Side]
    rows = session.execute(
        sa.select(Tandem.id, Tandem.digital_person_id, Tandem.expert_person_id, Tandem.status, Tandem.published_at, Tandem.created_at, _both(facts), facts.c.last_day, kept, last_session, *progress)
        .outerjoin(facts, facts.c.tandem_id == Tandem.id)
        .outerjoin(held, held.c.tandem_id == Tandem.id)
        .outerjoin(tracks, tracks.c.tandem_id == Tandem.id)
        .where(Tandem.programme_id == programme_id, Tandem.status != "declined")
    )
    out, signed, keep = [], {}, set()
    for tandem_id, digital, expert, status, published_at, created_at, both, last, is_kept, held, *signed_on in rows:
        signed[tandem_id] = bool(both)
        if is_kept:
            keep.add(tandem_id)
        started = (date.fromisoformat(last) if last else None) or _day(published_at) or _day(created_at) or today
        track = {side: date.fromisoformat(day) for side, day in zip(Side, signed_on, strict=True) if day}
        out.append(TandemRow(tandem_id, digital, expert, status, started, _day(held) if isinstance(held, str) else held, track))
    return out, signed, keep


def funnel_counts(session: Session, programme_id: int, filters: Filters, complete: sa.Select | None) -> dict[str, int]:
    """People at each stage of the funnel (the filters' people), counted in the database (one statement): joined,
    saved a profile, in a proposed/active/ended tandem, whose agreement both signed, active, with a module
    complete both ways (``complete``: the statement selecting those tandems)."""
    signatures = _signature_facts(session, programme_id)
    signed = sa.case((_both(signatures), 1), else_=0)
    done = sa.case((Tandem.id.in_(complete), 1), else_=0) if complete is not None else sa.literal(0)
    facts = (
        sa.select(Tandem.digital_person_id.label("digital"), Tandem.expert_person_id.label("expert"), Tandem.status.label("status"), signed.label("signed"), done.label("complete"))
        .outerjoin(signatures, signatures.c.tandem_id == Tandem.id)
        .where(Tandem.programme_id == programme_id, Tandem.status.in_(("proposed", "active", "ended")))
        .cte("facts")
    )  # once per tandem (the signatures and the completion evaluated once), then once per member
    sides = [sa.select(member.label("person_id"), facts.c.status, facts.c.signed, facts.c.complete) for member in (facts.c.digital, facts.c.expert)]
    m = sa.union_all(*sides).subquery("members")

    def people(condition=None) -> sa.Function:
        return sa.func.count(sa.distinct(m.c.person_id if condition is None else sa.case((condition, m.c.person_id))))

    people_query = _people(programme_id, filters)
    joined = sa.select(sa.func.count()).select_from(people_query.subquery()).scalar_subquery()
    profiled = sa.select(sa.func.count()).select_from(people_query.where(Participant.profile_saved_at.is_not(None)).subquery()).scalar_subquery()
    query = sa.select(
        joined,
        profiled,
        people(),
        people(m.c.signed == 1),
        people(sa.and_(m.c.signed == 1, m.c.status == "active")),
        people(sa.and_(m.c.signed == 1, m.c.complete == 1)),
    ).where(m.c.person_id.in_(_people(programme_id, filters)))
    row = session.execute(query).one()
    return dict(zip(FUNNEL, (int(n or 0) for n in row), strict=True))


def _programme_tandems(programme_id: int) -> sa.Select:
    return sa.select(Tandem.id).where(Tandem.programme_id == programme_id)


def signed_modules(session: Session, programme_id: int) -> list[tuple[str, int]]:
    """The module versions the programme's tandems have sign-off records for."""
    query = sa.select(SignoffRecord.module_slug, SignoffRecord.module_version).where(SignoffRecord.tandem_id.in_(_programme_tandems(programme_id))).distinct()
    return sorted((slug, version) for slug, version in session.execute(query))


def complete_tandems(programme_id: int, objectives: Mapping[tuple[str, int], Mapping[str, int]], countersign: bool) -> sa.Select | None:
    """The statement selecting the tandems with at least one module complete both ways (None: no module can be):
    ``objectives`` gives per module version how many objectives each side's track has. A track is complete as
    :func:`plugin.domain.dashboards.track_complete` says: every objective signed and not withdrawn (per objective,
    more sign-offs than withdrawals); with countersigning, countersigned after the last withdrawal."""
    need = [(slug, version, side, n, len(tracks)) for (slug, version), tracks in objectives.items() for side, n in tracks.items()]
    if not need:
        return None
    need_rows = sa.union_all(
        *(sa.select(sa.literal(slug).label("slug"), sa.literal(version).label("version"), sa.literal(side).label("side"), sa.literal(n).label("objectives"), sa.literal(k).label("sides")) for slug, version, side, n, k in need)
    ).subquery("need")
    signed = sa.func.sum(sa.case((SignoffRecord.kind == Kind.SIGNED.value, 1), else_=0))
    withdrawn = sa.func.sum(sa.case((SignoffRecord.kind == Kind.WITHDRAWN.value, 1), else_=0))
    per_objective = (
        sa.select(
            SignoffRecord.tandem_id,
            SignoffRecord.module_slug,
            SignoffRecord.module_version,
            SignoffRecord.side,
            sa.case((sa.and_(SignoffRecord.objective_id.is_not(None), signed > withdrawn), 1), else_=0).label("kept"),
            sa.func.max(sa.case((SignoffRecord.kind == Kind.COUNTERSIGNED.value, SignoffRecord.seq))).label("countersigned"),
            sa.func.max(sa.case((SignoffRecord.kind == Kind.WITHDRAWN.value, SignoffRecord.seq))).label("withdrawn"),
        )
        .where(SignoffRecord.tandem_id.in_(_programme_tandems(programme_id)))
        .group_by(SignoffRecord.tandem_id, SignoffRecord.module_slug, SignoffRecord.module_version, SignoffRecord.side, SignoffRecord.objective_id)
        .subquery("per_objective")
    )
    o = per_objective.c
    tracks = (
        sa.select(o.tandem_id, o.module_slug, o.module_version, o.side, sa.func.sum(o.kept).label("signed"), sa.func.max(o.countersigned).label("countersigned"), sa.func.max(o.withdrawn).label("withdrawn"))
        .group_by(o.tandem_id, o.module_slug, o.module_version, o.side)
        .subquery("tracks")
    )
    t = tracks.c
    done = t.signed >= need_rows.c.objectives
    if countersign:
        done = sa.and_(done, t.countersigned.is_not(None), sa.or_(t.withdrawn.is_(None), t.countersigned > t.withdrawn))
    query = (
        sa.select(t.tandem_id)
        .select_from(tracks.join(need_rows, sa.and_(need_rows.c.slug == t.module_slug, need_rows.c.version == t.module_version, need_rows.c.side == t.side)))
        .group_by(t.tandem_id, t.module_slug, t.module_version)
        .having(sa.func.sum(sa.case((done, 1), else_=0)) == sa.func.max(need_rows.c.sides))
        .distinct()
    )
    return query


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
    """The plans' items as rows (a table-valued JSON function: PostgreSQL's json_to_recordset, which parses each
    plan once, SQLite's json_each), with each item's due day and done day as ISO text."""
    if session.get_bind().dialect.name == "postgresql":
        item = sa.func.json_to_recordset(Plan.items).table_valued(sa.column("due", sa.Text), sa.column("done_on", sa.Text)).render_derived(with_types=True).alias("item")
        due, done = item.c.due, item.c.done_on
    else:
        item = sa.func.json_each(Plan.items).table_valued("value").alias("item")
        due, done = sa.func.json_extract(item.c.value, "$.due"), sa.func.json_extract(item.c.value, "$.done_on")
    return item, sa.func.substr(due, 1, 10), sa.func.substr(done, 1, 10)


def plan_items(session: Session, programme_id: int, filters: Filters, today: date) -> tuple[dict[str, int], set[int]]:
    """Plan items by state (done_on_time, done_late, overdue, not_due) over the kept tandems, due in the period;
    and the tandems with an item not done whose due day has passed (the health flag's rule, any period).
    One statement: per tandem, the count of each state (FILTER-like sums) and of the overdue items."""
    item, due, done = _plan_item_columns(session)
    state = sa.case((sa.and_(done.is_not(None), done <= due), "done_on_time"), (done.is_not(None), "done_late"), (due < today.isoformat(), "overdue"), else_="not_due")
    counted = [Plan.tandem_id.in_(kept_tandems(programme_id, filters))] if filters.side is not None or filters.department is not None else []
    if filters.start is not None:
        counted.append(due >= filters.start.first_day().isoformat())
    if filters.end is not None:
        counted.append(due < filters.end.next().first_day().isoformat())
    kept = sa.and_(sa.true(), *counted)
    per_state = [sa.func.sum(sa.case((sa.and_(kept, state == name), 1), else_=0)) for name in PLAN_STATES]
    late = sa.func.sum(sa.case((sa.and_(done.is_(None), due < today.isoformat()), 1), else_=0))
    query = sa.select(Plan.tandem_id, late, *per_state).select_from(Plan).join(item, sa.true()).where(Plan.tandem_id.in_(_programme_tandems(programme_id))).group_by(Plan.tandem_id)
    states = dict.fromkeys(PLAN_STATES, 0)
    overdue = set()
    for tandem_id, n_late, *ns in session.execute(query):
        if n_late:
            overdue.add(tandem_id)
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
