"""Bring a course's people into its programme: the LMS roster (NRPS) or a CSV file.

Both are all-or-nothing: the roster is fetched completely (progress is reported page by page)
and then written in one transaction; a CSV file with any bad row imports nothing and names every
bad line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.catalogue import Side
from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.roles import Role
from plugin.domain.roster import RosterMember, RosterUnavailable
from plugin.models import Course, Deployment, Membership, Participant, Person, Programme, Registration
from plugin.models.base import utcnow
from plugin.services import jobs
from plugin.services.launches import Actor
from plugin.services.programmes import LANGUAGES, require_trainer, timezones

MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 5000
CSV_COLUMNS = ("user_id", "name", "email", "side", "languages", "capacity", "department", "manager_user_id", "timezone", "region")
_SIDES = {
    "digital_mentor": Side.DIGITAL_MENTOR, "digital": Side.DIGITAL_MENTOR, "digitale mentor": Side.DIGITAL_MENTOR,
    "senior_expert": Side.SENIOR_EXPERT, "expert": Side.SENIOR_EXPERT, "senior expert": Side.SENIOR_EXPERT,
}  # fmt: skip


@dataclass(frozen=True)
class RosterReport:
    """What a roster sync or a CSV import did."""

    added: int = 0
    updated: int = 0
    participants: int = 0
    trainers: int = 0
    inactive: int = 0


def _issuer(session: Session, programme: Programme) -> str:
    issuer = session.scalar(
        sa.select(Registration.issuer)
        .join(Deployment, Deployment.registration_id == Registration.id)
        .join(Course, Course.deployment_id == Deployment.id)
        .where(Course.id == programme.course_id)
    )
    if issuer is None:  # pragma: no cover - a course always comes from a deployment
        raise NotFound("the course's platform is gone")
    return issuer


def _upsert_people(session: Session, programme: Programme, people: Sequence[tuple[str, dict[str, str | None]]]) -> tuple[dict[str, int], int]:
    """Person ids by subject for ``people`` ((subject, names)); names the roster hides are kept."""
    issuer = _issuer(session, programme)
    subjects = [s for s, _ in people]
    existing: dict[str, Person] = {}
    for chunk in range(0, len(subjects), 500):
        for person in session.scalars(sa.select(Person).where(Person.issuer == issuer, Person.subject.in_(subjects[chunk : chunk + 500]))):
            existing[person.subject] = person
    added = 0
    for subject, names in people:
        person = existing.get(subject)
        if person is None:
            person = Person(organisation_id=programme.organisation_id, issuer=issuer, subject=subject)
            session.add(person)
            existing[subject] = person
            added += 1
        elif person.organisation_id != programme.organisation_id:  # pragma: no cover - issuers belong to one organisation
            raise RuleViolation("this person belongs to another organisation")
        for key, value in names.items():
            if value:
                setattr(person, key, value)
    session.flush()
    return {s: p.id for s, p in existing.items()}, added


def _set_memberships(session: Session, course_id: int, roles: dict[int, Role]) -> None:
    current = {m.person_id: m for m in session.scalars(sa.select(Membership).where(Membership.course_id == course_id, Membership.person_id.in_(list(roles))))}
    for person_id, role in roles.items():
        membership = current.get(person_id)
        if membership is None:
            session.add(Membership(person_id=person_id, course_id=course_id, role=role.value))
        elif membership.role != role.value:
            membership.role = role.value
            membership.updated_at = utcnow()


def apply_roster(session: Session, programme: Programme, members: Iterable[RosterMember]) -> RosterReport:
    """Write a complete roster: people, their course roles, a place in the programme for participants."""
    active = [m for m in members if m.active]
    inactive = sum(1 for m in members if not m.active) if isinstance(members, Sequence) else 0
    unique = {m.subject: m for m in active}
    ids, added = _upsert_people(
        session, programme, [(m.subject, {"name": m.display_name, "given_name": m.given_name, "family_name": m.family_name, "email": m.email}) for m in unique.values()]
    )
    roles = {ids[s]: m.role for s, m in unique.items() if m.role in (Role.PARTICIPANT, Role.TRAINER, Role.ORG_ADMIN, Role.OBSERVER)}
    _set_memberships(session, programme.course_id, roles)
    participant_ids = [pid for pid, role in roles.items() if role is Role.PARTICIPANT]
    known = set(session.scalars(sa.select(Participant.person_id).where(Participant.programme_id == programme.id, Participant.person_id.in_(participant_ids))))
    for person_id in participant_ids:
        if person_id not in known:
            session.add(Participant(programme_id=programme.id, person_id=person_id, source="nrps", capacity=programme.default_capacity, languages=[], needs={}, wishes=[], vetoes=[]))
    session.flush()
    return RosterReport(
        added=added,
        updated=len(unique) - added,
        participants=len(participant_ids),
        trainers=sum(1 for r in roles.values() if r in (Role.TRAINER, Role.ORG_ADMIN)),
        inactive=inactive,
    )


def sync_roster(session: Session, job_id: int, programme_id: int, pages: Iterable[Sequence[RosterMember]]) -> RosterReport | None:
    """The roster job: fetch every page (reporting progress, each report committed on its own), then write
    the whole roster in one transaction. A platform failure writes nothing and marks the job failed."""
    programme = session.get(Programme, programme_id)
    fetched: list[RosterMember] = []
    jobs.report(session, job_id, 0, status=jobs.RUNNING, key="fetching", pages=0, members=0)
    session.commit()
    try:
        for number, page in enumerate(pages, start=1):
            fetched.extend(page)
            jobs.report(session, job_id, len(fetched), status=jobs.RUNNING, key="fetching", pages=number, members=len(fetched))
            session.commit()
    except RosterUnavailable as exc:
        session.rollback()
        jobs.report(session, job_id, len(fetched), status=jobs.FAILED, key="unavailable", detail=str(exc))
        session.commit()
        return None
    report = apply_roster(session, programme, fetched)
    jobs.report(session, job_id, len(fetched), total=len(fetched), status=jobs.DONE, key="synced", members=len(fetched), **report.__dict__)
    session.commit()
    return report


def start_sync(session: Session, actor: Actor, programme: Programme) -> int:
    """A queued roster job (or the one already running)."""
    require_trainer(actor)
    return jobs.running(session, programme.id, "roster") or jobs.create(session, actor, programme.id, "roster")


# --- CSV ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvProblem:
    """One bad line of a CSV file (line 1 is the header)."""

    line: int
    message: str


class CsvRejected(RuleViolation):
    """The file has bad rows; nothing was imported."""

    def __init__(self, problems: Sequence[CsvProblem]) -> None:
        super().__init__(f"{len(problems)} line(s) need correcting; nothing was imported", "file")
        self.problems = list(problems)


@dataclass(frozen=True)
class _Row:
    line: int
    user_id: str
    name: str | None
    email: str | None
    side: Side | None
    languages: list[str]
    capacity: int | None
    department: str | None
    manager: str | None
    timezone: str | None
    region: str | None = None


def _parse(text: str, max_capacity: int) -> list[_Row]:
    if not text.strip():
        raise CsvRejected([CsvProblem(1, "the file is empty")])
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().lower() for h in next(reader)]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if "user_id" not in header or unknown:
        problem = f"unknown columns: {', '.join(unknown)}" if unknown else "the column user_id is required"
        raise CsvRejected([CsvProblem(1, f"{problem} (columns: {', '.join(CSV_COLUMNS)})")])
    rows: list[_Row] = []
    problems: list[CsvProblem] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(problems) >= MAX_CSV_ROWS:
            problems.append(CsvProblem(line, f"more than {MAX_CSV_ROWS} rows; split the file"))
            break
        if len(values) != len(header):
            problems.append(CsvProblem(line, f"{len(values)} values for {len(header)} columns"))
            continue
        cell = {h: v.strip() for h, v in zip(header, values, strict=True)}
        errors = []
        user_id = cell.get("user_id", "")
        if not user_id:
            errors.append("user_id is empty")
        elif len(user_id) > 255:
            errors.append("user_id is longer than 255 characters")
        elif user_id in seen:
            errors.append(f"user_id {user_id} is also on line {seen[user_id]}")
        side = None
        if cell.get("side"):
            side = _SIDES.get(cell["side"].lower())
            if side is None:
                errors.append("side must be digital_mentor or senior_expert")
        languages = [code.strip().lower() for code in cell.get("languages", "").replace(",", ";").replace(" ", ";").split(";") if code.strip()]
        bad = [code for code in languages if code not in LANGUAGES]
        if bad:
            errors.append(f"unknown language code(s): {', '.join(bad)}")
        capacity = None
        if cell.get("capacity"):
            try:
                capacity = int(cell["capacity"])
            except ValueError:
                capacity = -1
            if not 0 <= capacity <= max_capacity:
                errors.append(f"capacity must be a whole number from 0 to {max_capacity}")
        email = cell.get("email") or None
        if email and ("@" not in email or len(email) > 320):
            errors.append("email is not an e-mail address")
        timezone = cell.get("timezone") or None
        if timezone and timezone not in timezones():
            errors.append(f"unknown time zone {timezone}")
        if len(cell.get("name", "")) > 255 or len(cell.get("department", "")) > 120 or len(cell.get("region", "")) > 120:
            errors.append("name (255), department or region (120 characters) is too long")
        if errors:
            problems.append(CsvProblem(line, "; ".join(errors)))
            continue
        seen[user_id] = line
        rows.append(_Row(line, user_id, cell.get("name") or None, email, side, languages, capacity, cell.get("department") or None, cell.get("manager_user_id") or None, timezone, cell.get("region") or None))
    return rows if not problems else _raise(problems)


def _raise(problems: list[CsvProblem]) -> list[_Row]:
    raise CsvRejected(problems)


def import_csv(session: Session, actor: Actor, programme: Programme, data: bytes) -> RosterReport:
    """Import participants from a CSV file (one transaction: the caller commits; nothing on any bad row).

    :raise NotAllowed: not a trainer.  :raise CsvRejected: with every bad line.
    """
    require_trainer(actor)
    if len(data) > MAX_CSV_BYTES:
        raise CsvRejected([CsvProblem(1, "the file is larger than 1 MB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRejected([CsvProblem(1, "the file is not UTF-8 text; save it as CSV UTF-8")]) from None
    rows = _parse(text, programme.max_capacity)
    if not rows:
        raise CsvRejected([CsvProblem(1, "the file has no rows")])
    issuer = _issuer(session, programme)
    in_file = {r.user_id for r in rows}
    managers = {r.manager for r in rows if r.manager and r.manager not in in_file}
    known_managers = set(session.scalars(sa.select(Person.subject).where(Person.issuer == issuer, Person.subject.in_(managers)))) if managers else set()
    problems = [CsvProblem(r.line, f"manager_user_id {r.manager} is neither in the file nor known to Tandem") for r in rows if r.manager and r.manager not in in_file and r.manager not in known_managers]
    problems += [CsvProblem(r.line, "a person cannot be their own manager") for r in rows if r.manager == r.user_id]
    trainers = set(
        session.scalars(
            sa.select(Person.subject)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.course_id == programme.course_id, Person.issuer == issuer, Person.subject.in_(in_file), Membership.role != Role.PARTICIPANT.value)
        )
    )
    problems += [CsvProblem(r.line, f"user_id {r.user_id} is not a participant of this course (a trainer or observer)") for r in rows if r.user_id in trainers]
    if problems:
        raise CsvRejected(sorted(problems, key=lambda p: p.line))
    ids, added = _upsert_people(session, programme, [(r.user_id, {"name": r.name, "email": r.email}) for r in rows])
    if known_managers:
        ids.update({s: i for s, i in session.execute(sa.select(Person.subject, Person.id).where(Person.issuer == issuer, Person.subject.in_(known_managers)))})
    _set_memberships(session, programme.course_id, {ids[r.user_id]: Role.PARTICIPANT for r in rows})
    existing = {p.person_id: p for p in session.scalars(sa.select(Participant).where(Participant.programme_id == programme.id, Participant.person_id.in_(list(ids.values()))))}
    for r in rows:
        person_id = ids[r.user_id]
        row = existing.get(person_id)
        if row is None:
            row = Participant(programme_id=programme.id, person_id=person_id, source="csv", capacity=programme.default_capacity, languages=[], needs={}, wishes=[], vetoes=[])
            session.add(row)
        if r.side is not None:
            row.side = r.side.value
        if r.languages:
            row.languages = r.languages
        if r.capacity is not None:
            row.capacity = r.capacity
        for name, value in (("department", r.department), ("timezone", r.timezone), ("region", r.region)):
            if value:
                setattr(row, name, value)
        if r.manager:
            row.manager_person_id = ids[r.manager]
    session.flush()
    return RosterReport(added=added, updated=len(rows) - added, participants=len(rows))
