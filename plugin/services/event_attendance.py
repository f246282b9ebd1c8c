"""An event's attendance: ticked by its trainer, or taken from Tandem launches in the event's window; sent to
the gradebook as one line item per event (the score outbox) and exported as CSV (trainers only).

Attendance from launches: Tandem keeps no separate placed link per event, so a person who launched Tandem
in the event's course between shortly before the start (``LAUNCH_MARGIN``) and the end counts as attending.
Launches are purged once they expire (``TANDEM_LAUNCH_TTL``, 8 hours by default): take attendance from
launches soon after the event, or tick it by hand.

Scores: 100 (Completed) for an attendee, 0 (Initialized) for someone registered who did not come, both
FullyGraded, so a corrected attendance lowers or raises the grade in the LMS. Nobody else gets a score.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import events as domain
from plugin.domain import scores
from plugin.domain.errors import RuleViolation
from plugin.domain.events import Seat
from plugin.models import Event, EventRegistration, Launch, Person, ScoreOutbox
from plugin.services import event_access, event_followups, score_queue
from plugin.services.event_access import EventAccess
from plugin.services.launches import Actor


@dataclass(frozen=True)
class Attendee:
    person_id: int
    name: str | None
    email: str | None
    seat: Seat
    attended: bool | None
    queued_at: datetime
    #: the latest score's delivery: pending, sent or failed (None: never sent)
    grade_status: str | None


@dataclass(frozen=True)
class Sheet:
    event_id: int
    started: bool
    ended: bool
    cancelled: bool
    source: str | None
    taken_at: datetime | None
    grades_sent_at: datetime | None
    #: registered first (in order of registration), then the waiting list, then those who unregistered
    people: list[Attendee]

    @property
    def registered(self) -> list[Attendee]:
        return [p for p in self.people if p.seat is Seat.REGISTERED]


def _trainer_event(session: Session, actor: Actor, event_id: int, *, lock: bool = False) -> EventAccess:
    access = event_access.event_for(session, actor, event_id, lock=lock)
    event_access.require_manager(access)
    return access


def _sheet(session: Session, event: Event, now: datetime) -> Sheet:
    rows = session.execute(
        sa.select(EventRegistration, Person.name, Person.email)
        .join(Person, Person.id == EventRegistration.person_id)
        .where(EventRegistration.event_id == event.id)
        .order_by(EventRegistration.queued_at, EventRegistration.id)
    ).all()
    latest: dict[int, str] = {}
    for person_id, status in session.execute(
        sa.select(ScoreOutbox.person_id, ScoreOutbox.status).where(ScoreOutbox.event_id == event.id, ScoreOutbox.status != "superseded").order_by(ScoreOutbox.id)
    ):
        latest[person_id] = status
    order = {Seat.REGISTERED: 0, Seat.WAITING: 1, Seat.CANCELLED: 2}
    people = sorted(
        (Attendee(r.person_id, name, email, Seat(r.status), r.attended, domain.aware(r.queued_at), latest.get(r.person_id)) for r, name, email in rows),
        key=lambda a: (order[a.seat], a.queued_at),
    )
    return Sheet(
        event.id, now >= domain.aware(event.starts_at), now >= domain.aware(event.ends_at), event.status == domain.CANCELLED, event.attendance_source,
        domain.aware(event.attendance_at) if event.attendance_at else None, domain.aware(event.grades_sent_at) if event.grades_sent_at else None, people,
    )


def sheet(session: Session, actor: Actor, event_id: int, now: datetime) -> Sheet:
    """Who registered, waits or unregistered, with attendance and grade delivery.  :raise NotAllowed: not its trainer."""
    return _sheet(session, _trainer_event(session, actor, event_id).event, now)


def _taking(event: Event, now: datetime, *, ended: bool) -> None:
    if event.status == domain.CANCELLED:
        raise RuleViolation("This event is cancelled.", "event")
    if now < domain.aware(event.ends_at if ended else event.starts_at):
        raise RuleViolation("Attendance is taken once the event has started." if not ended else "Take attendance from launches once the event is over.", "attendance")


def _store(session: Session, event: Event, attended: set[int], source: str, actor_id: int, now: datetime) -> int:
    session.execute(
        sa.update(EventRegistration)
        .where(EventRegistration.event_id == event.id, EventRegistration.status == Seat.REGISTERED)
        .values(attended=sa.case((EventRegistration.person_id.in_(attended or {0}), True), else_=False))
    )
    event.attendance_source, event.attendance_at = source, now
    session.flush()
    event_followups.distribute(session, event, actor_id, now)
    return len(attended)


def record(session: Session, actor: Actor, event_id: int, attended: Iterable[int], now: datetime) -> int:
    """Tick who attended among the registered (everyone else registered did not). Returns how many attended.

    :raise NotAllowed: not its trainer.  :raise RuleViolation: before the start, cancelled, or someone not registered.
    """
    access = _trainer_event(session, actor, event_id, lock=True)
    _taking(access.event, now, ended=False)
    registered = set(session.scalars(sa.select(EventRegistration.person_id).where(EventRegistration.event_id == event_id, EventRegistration.status == Seat.REGISTERED)))
    chosen = set(attended)
    if chosen - registered:
        raise RuleViolation("Tick only people registered for the event.", "attended")
    return _store(session, access.event, chosen, "manual", actor.person_id, now)


def from_launches(session: Session, actor: Actor, event_id: int, now: datetime) -> int:
    """Take attendance from launches of Tandem in the event's course during its window. Returns how many attended.

    :raise NotAllowed: not its trainer.  :raise RuleViolation: the event is not over, or cancelled.
    """
    access = _trainer_event(session, actor, event_id, lock=True)
    event = access.event
    _taking(event, now, ended=True)
    registered = list(session.scalars(sa.select(EventRegistration.person_id).where(EventRegistration.event_id == event_id, EventRegistration.status == Seat.REGISTERED)))
    times: dict[int, list[datetime]] = {}
    if registered:
        start, end = domain.aware(event.starts_at) - domain.LAUNCH_MARGIN, domain.aware(event.ends_at)
        for person_id, at in session.execute(
            sa.select(Launch.person_id, Launch.created_at).where(
                Launch.course_id == access.course_id, Launch.person_id.in_(registered), Launch.created_at >= start, Launch.created_at <= end
            )
        ):
            times.setdefault(person_id, []).append(at)
    came = {p for p in registered if domain.attended_by_launch(event.starts_at, event.ends_at, times.get(p, ()))}
    return _store(session, event, came, "launches", actor.person_id, now)


def send_grades(session: Session, actor: Actor, event_id: int, now: datetime) -> int:
    """Queue each registered person's score on the event's line item (100 attended, 0 not). Returns how many.

    :raise NotAllowed: not its trainer.  :raise RuleViolation: attendance not taken, or the course has no gradebook.
    """
    access = _trainer_event(session, actor, event_id, lock=True)
    event = access.event
    if event.attendance_source is None:
        raise RuleViolation("Take attendance first.", "attendance")
    rows = session.execute(
        sa.select(EventRegistration.person_id, EventRegistration.attended).where(EventRegistration.event_id == event_id, EventRegistration.status == Seat.REGISTERED).order_by(EventRegistration.id)
    ).all()
    queued = 0
    for person_id, attended in rows:

        def score(stamp: datetime, person_id: int = person_id, came: bool = bool(attended)) -> scores.Score:
            return scores.Score(
                person_id=person_id,
                score_given=domain.ATTENDED_SCORE if came else domain.ABSENT_SCORE,
                activity_progress=scores.ActivityProgress.COMPLETED if came else scores.ActivityProgress.INITIALIZED,
                grading_progress=scores.GradingProgress.FULLY_GRADED,
                timestamp=stamp,
            )

        row = score_queue.enqueue(
            session, organisation_id=event.organisation_id, course_id=access.course_id, slug=f"event-{event.id}", version=1, label=event.title,
            person_id=person_id, score=score, now=now, event_id=event.id,
        )
        if row is None:
            raise RuleViolation("This course offers Tandem no gradebook: launch Tandem from the course once with grading allowed.", "gradebook")
        queued += 1
    event.grades_sent_at = now
    session.flush()
    return queued


CSV_COLUMNS = ("name", "email", "registration", "attended", "registered_at_utc")


def as_csv(session: Session, actor: Actor, event_id: int, now: datetime) -> tuple[str, str]:
    """The event's registrations and attendance as CSV (cells safe from spreadsheet formulas), and a file name.

    :raise NotAllowed: not its trainer.
    """
    access = _trainer_event(session, actor, event_id)
    found = _sheet(session, access.event, now)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in found.people:
        attended = "" if p.attended is None or p.seat is not Seat.REGISTERED else ("yes" if p.attended else "no")
        writer.writerow((domain.safe_cell(p.name or ""), domain.safe_cell(p.email or ""), p.seat.value, attended, p.queued_at.isoformat(timespec="seconds")))
    return f"tandem-event-{event_id}-attendance.csv", buffer.getvalue()
