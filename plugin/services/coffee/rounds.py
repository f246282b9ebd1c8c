"""Running a coffee round: one per period of the programme's cadence, from `tandem worker` or a trainer's button.

A round is written as its key (unique per programme) first, with INSERT ... ON CONFLICT DO NOTHING: a
second run of the same period, in this process or another worker, finds the row and makes nothing new
(on PostgreSQL the second insert waits for the first transaction, then does nothing). Then the round's
people (opted in, with a profile, at that moment) are grouped by the exact solver over who has not met
(:mod:`plugin.domain.matching.coffee`), and each group gets a suggested 30-minute meeting.

"Met before": in a match of an earlier round of the programme (whatever its feedback), or in a tandem of
the programme in any status but declined (proposed, requested, active, ended).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from plugin.domain import coffee as rules
from plugin.domain.errors import RuleViolation
from plugin.domain.matching.coffee import CoffeePerson, pair_round
from plugin.models import CoffeeMatch, CoffeeMember, CoffeeOptIn, CoffeeRound, CoffeeSettings, Participant, Person, Programme, Tandem
from plugin.models.base import utcnow
from plugin.services import notifications

log = logging.getLogger("tandem.coffee")

SCHEDULE, TRAINER = "schedule", "trainer"


def opted_in_people(session: Session, programme_id: int) -> list[Participant]:
    """The programme's participants who take part now: opted in, with a profile (a side)."""
    return list(
        session.scalars(
            sa.select(Participant)
            .join(CoffeeOptIn, sa.and_(CoffeeOptIn.programme_id == Participant.programme_id, CoffeeOptIn.person_id == Participant.person_id))
            .where(Participant.programme_id == programme_id, Participant.side.is_not(None), CoffeeOptIn.opted_in.is_(True))
            .order_by(Participant.person_id)
        )
    )


def met_pairs(session: Session, programme_id: int) -> set[tuple[int, int]]:
    """Pairs (low id, high id) of the programme who met in a coffee or a tandem (any status but declined)."""
    a, b = aliased(CoffeeMember), aliased(CoffeeMember)
    rows = session.execute(
        sa.select(a.person_id, b.person_id)
        .join(b, sa.and_(b.match_id == a.match_id, b.person_id > a.person_id))
        .join(CoffeeMatch, CoffeeMatch.id == a.match_id)
        .where(CoffeeMatch.programme_id == programme_id)
    ).all()
    tandems = session.execute(
        sa.select(Tandem.digital_person_id, Tandem.expert_person_id).where(Tandem.programme_id == programme_id, Tandem.status != "declined")
    ).all()
    return {(min(x, y), max(x, y)) for x, y in (*rows, *tandems)}


def _claim(session: Session, programme: Programme, period: rules.Period, trigger: str, started_by: int | None) -> int | None:
    """Insert the round's row unless the period has one; its id, or None when it existed."""
    table = CoffeeRound.__table__
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    values = {
        "organisation_id": programme.organisation_id,
        "programme_id": programme.id,
        "key": period.key,
        "cadence": period.cadence.value,
        "starts_on": period.start,
        "ends_on": period.end,
        "trigger": trigger,
        "started_by": started_by,
        "people": 0,
        "repeats": 0,
        "optimal": True,
        "created_at": utcnow(),
    }
    return session.execute(insert.values(values).on_conflict_do_nothing(index_elements=["programme_id", "key"]).returning(table.c.id)).scalar()


def run_round(session: Session, programme: Programme, cadence: str, today: date, trigger: str, started_by: int | None = None) -> tuple[int, bool]:
    """The round of the period ``today`` falls in: (its id, whether this call made it). Flushes; the caller commits.

    :raise RuleViolation: fewer than two people take part (nothing written).
    """
    period = rules.period_of(cadence, today)
    existing = session.scalar(sa.select(CoffeeRound.id).where(CoffeeRound.programme_id == programme.id, CoffeeRound.key == period.key))
    if existing is not None:
        return existing, False
    people = opted_in_people(session, programme.id)
    if len(people) < 2:
        raise RuleViolation("a round needs at least two people who opted in", "people")
    round_id = _claim(session, programme, period, trigger, started_by)
    if round_id is None:  # another run made it in the meantime
        return session.scalar(sa.select(CoffeeRound.id).where(CoffeeRound.programme_id == programme.id, CoffeeRound.key == period.key)), False
    met = met_pairs(session, programme.id)
    by_id = {p.person_id: p for p in people}
    plan = pair_round([CoffeePerson(p.person_id, p.side, p.department) for p in people], met, seed=f"{programme.id}:{period.key}")
    days = rules.meeting_days(period, today)
    for index, group in enumerate(plan.groups):
        members = [by_id[i] for i in group]
        starts = rules.suggest_slot(days[index % len(days)], [m.timezone for m in members])
        reasons = []
        for i, p in enumerate(members):
            for q in members[i + 1 :]:
                why = rules.reason(p.side, q.side, p.department, q.department, (p.person_id, q.person_id) in met)
                reasons.append({"a": p.person_id, "b": q.person_id, "other_side": why.other_side, "other_department": why.other_department, "met_before": why.met_before})
        match = CoffeeMatch(round_id=round_id, programme_id=programme.id, starts_at=starts, minutes=rules.MEETING_MINUTES, reasons=reasons)
        session.add(match)
        session.flush()
        session.add_all(CoffeeMember(match_id=match.id, round_id=round_id, person_id=i, wishes_added=[]) for i in group)
    session.execute(sa.update(CoffeeRound).where(CoffeeRound.id == round_id).values(people=len(people), repeats=len(plan.repeats), optimal=plan.optimal))
    session.flush()
    notifications.coffee_round_made(session, round_id)
    log.info("coffee round %s of programme %s: %s people, %s groups, %s repeats", period.key, programme.id, len(people), len(plan.groups), len(plan.repeats))
    return round_id, True


def run_due_rounds(session: Session, now: datetime | None = None) -> list[int]:
    """Run every programme's round that is due (roulette on, no round overlapping the current period).

    What `tandem worker` calls, at most once a minute; safe with several workers at once (each round is
    claimed by its unique key; a worker that finds it taken skips it). Commits after each round.
    Returns the ids of the rounds this call made."""
    today = (now or utcnow()).date()
    made: list[int] = []
    settings = session.execute(sa.select(CoffeeSettings.programme_id, CoffeeSettings.cadence).where(CoffeeSettings.enabled.is_(True)).order_by(CoffeeSettings.programme_id)).all()
    for programme_id, cadence in settings:
        spans = session.execute(sa.select(CoffeeRound.starts_on, CoffeeRound.ends_on).where(CoffeeRound.programme_id == programme_id)).all()
        if rules.is_due(True, cadence, today, [tuple(s) for s in spans]) is None:
            continue
        programme = session.get(Programme, programme_id)
        if len(opted_in_people(session, programme_id)) < 2:
            continue
        try:
            round_id, created = run_round(session, programme, cadence, today, SCHEDULE)
            session.commit()
        except Exception:
            log.exception("coffee round of programme %s failed", programme_id)
            session.rollback()
            continue
        if created:
            made.append(round_id)
    return made


def seed_example(session: Session, programme_id: int, person_ids: list[int], today: date | None = None, cadence: str = "fortnightly") -> int:
    """For the demo: switch the programme's roulette on, opt ``person_ids`` in and run the current round.

    The people need a profile (a side) in the programme. Flushes; the caller commits. Returns the round's id."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise RuleViolation("no such programme")
    settings = session.scalar(sa.select(CoffeeSettings).where(CoffeeSettings.programme_id == programme_id))
    if settings is None:
        settings = CoffeeSettings(programme_id=programme_id)
        session.add(settings)
    settings.enabled, settings.cadence = True, cadence
    known = set(session.scalars(sa.select(Person.id).where(Person.id.in_(person_ids), Person.organisation_id == programme.organisation_id)))
    for person_id in person_ids:
        if person_id in known:
            set_opt_in_row(session, programme_id, person_id, True)
    session.flush()
    return run_round(session, programme, cadence, today or utcnow().date(), TRAINER)[0]


def set_opt_in_row(session: Session, programme_id: int, person_id: int, opted_in: bool) -> None:
    row = session.scalar(sa.select(CoffeeOptIn).where(CoffeeOptIn.programme_id == programme_id, CoffeeOptIn.person_id == person_id))
    if row is None:
        session.add(CoffeeOptIn(programme_id=programme_id, person_id=person_id, opted_in=opted_in, changed_at=utcnow()))
    elif row.opted_in != opted_in:
        row.opted_in, row.changed_at = opted_in, utcnow()
    session.flush()
