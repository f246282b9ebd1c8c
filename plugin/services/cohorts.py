"""The organisation's long-term training plan: which modules each cohort (a course) takes in which quarter,
and the tandems' actual progress against it.

A module counts as completed for a cohort from the day the first tandem of the course's programme
completed it both ways (both tracks signed off, as :func:`plugin.domain.signoffs.state` says).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import plans as domain
from plugin.domain import signoffs
from plugin.domain.catalogue import Catalogue
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.roles import Role
from plugin.models import CohortPlan, Course, Programme, SignoffRecord, Tandem
from plugin.services import modules
from plugin.services.launches import Actor

#: tandem states whose sign-offs count
COUNTED = ("active", "ended")


def require_admin(actor: Actor) -> None:
    """:raise NotAllowed: the actor does not administer the organisation."""
    if actor.role is not Role.ORG_ADMIN:
        raise NotAllowed("only organisation administrators plan for cohorts")


@dataclass(frozen=True)
class Cohort:
    id: int
    title: str


def cohorts(session: Session, actor: Actor) -> list[Cohort]:
    """The organisation's courses, which are its cohorts."""
    require_admin(actor)
    rows = session.execute(sa.select(Course.id, Course.title, Course.label, Course.context_id).where(Course.organisation_id == actor.organisation_id).order_by(Course.title, Course.id))
    return [Cohort(r.id, r.title or r.label or r.context_id) for r in rows]


def add_row(session: Session, actor: Actor, catalogue: Catalogue, cohort_id: int, quarter: str, slug: str) -> CohortPlan:
    """Plan a module for a cohort in a quarter (one transaction: the caller commits).

    :raise NotAllowed: not an administrator.  :raise RuleViolation: an unknown cohort or module, a bad quarter, or the module planned already.
    """
    require_admin(actor)
    if cohort_id not in {c.id for c in cohorts(session, actor)}:
        raise RuleViolation("Choose a course of your organisation.", "cohort")
    parsed = domain.Quarter.parse(quarter or "")
    if slug not in {e.module.slug for e in modules.entries(session, actor, catalogue)}:
        raise RuleViolation("Choose a module your organisation offers.", "module")
    planned = session.scalar(sa.select(CohortPlan.quarter).where(CohortPlan.organisation_id == actor.organisation_id, CohortPlan.cohort == cohort_id, CohortPlan.module_slug == slug))
    if planned is not None:
        raise RuleViolation(f"This cohort has this module in {planned} already.", "module")
    row = CohortPlan(organisation_id=actor.organisation_id, cohort=cohort_id, quarter=str(parsed), module_slug=slug)
    session.add(row)
    session.flush()
    return row


def remove_row(session: Session, actor: Actor, row_id: int) -> None:
    """Take a module out of a cohort's plan.  :raise NotFound: not a row of the organisation's plan."""
    require_admin(actor)
    row = session.get(CohortPlan, row_id)
    if row is None or row.organisation_id != actor.organisation_id:
        raise NotFound("no such plan row")
    session.delete(row)
    session.flush()


@dataclass(frozen=True)
class ModuleProgress:
    """A planned module of a cohort's quarter: ``completed_on`` is when the first tandem completed it."""

    row_id: int
    slug: str
    completed_on: date | None
    completed: bool
    late: bool
    completed_tandems: int
    tandems: int

    @property
    def status(self) -> str:
        """completed, completed_late, late or open."""
        if self.completed:
            return "completed_late" if self.late else "completed"
        return "late" if self.late else "open"


@dataclass(frozen=True)
class QuarterRow:
    cohort: Cohort
    quarter: domain.Quarter
    modules: tuple[ModuleProgress, ...]


def _records(session: Session, tandem_ids: Sequence[int]) -> dict[int, list[signoffs.SignOff]]:
    out: dict[int, list[signoffs.SignOff]] = {i: [] for i in tandem_ids}
    if not tandem_ids:
        return out
    names = signoffs.FIELDS
    for row in session.scalars(sa.select(SignoffRecord).where(SignoffRecord.tandem_id.in_(tandem_ids)).order_by(SignoffRecord.tandem_id, SignoffRecord.seq)):
        out[row.tandem_id].append(signoffs.SignOff.from_dict({n: getattr(row, n) for n in names}))
    return out


def _completed_on(session: Session, organisation_id: int, catalogue: Catalogue, records: list[signoffs.SignOff], slug: str, countersign: bool) -> date | None:
    """When a tandem completed ``slug`` (any version) both ways, or None."""
    days = []
    for version in sorted({r.module_version for r in records if r.module_slug == slug}):
        try:
            module = modules.find(session, organisation_id, catalogue, slug, version).module
        except NotFound:
            continue
        if signoffs.state(records, module, countersign).complete:
            days.append(max(r.at for r in records if (r.module_slug, r.module_version) == (slug, version)).date())
    return min(days, default=None)


def progress(session: Session, actor: Actor, catalogue: Catalogue, today: date) -> list[QuarterRow]:
    """Every cohort's quarters with the planned modules and the tandems' progress, by cohort and quarter."""
    known = {c.id: c for c in cohorts(session, actor)}
    rows = session.scalars(sa.select(CohortPlan).where(CohortPlan.organisation_id == actor.organisation_id)).all()
    plan = domain.long_term_plan(_grouped((str(r.cohort), r.quarter, r.module_slug) for r in rows))
    ids = {(str(r.cohort), r.module_slug): r.id for r in rows}
    programmes = {
        course_id: (programme_id, countersign)
        for programme_id, course_id, countersign in session.execute(
            sa.select(Programme.id, Programme.course_id, Programme.require_countersign).where(Programme.organisation_id == actor.organisation_id)
        )
    }
    tandems: dict[int, list[int]] = {}
    for tandem_id, programme_id in session.execute(sa.select(Tandem.id, Tandem.programme_id).where(Tandem.organisation_id == actor.organisation_id, Tandem.status.in_(COUNTED))):
        tandems.setdefault(programme_id, []).append(tandem_id)
    records = _records(session, [t for ts in tandems.values() for t in ts])
    actual: dict[str, dict[str, date | None]] = {}
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    for (cohort, _quarter), slugs in plan.entries.items():
        programme_id, countersign = programmes.get(int(cohort), (None, False))
        members = tandems.get(programme_id, []) if programme_id is not None else []
        for slug in slugs:
            done = [d for d in (_completed_on(session, actor.organisation_id, catalogue, records[t], slug, countersign) for t in members) if d is not None]
            actual.setdefault(cohort, {})[slug] = min(done, default=None)
            counts[(cohort, slug)] = (len(done), len(members))
    out = []
    for quarter in domain.progress_against(plan, actual, today):
        items = tuple(
            ModuleProgress(ids[(quarter.cohort, s)], s, actual[quarter.cohort][s], s in quarter.completed, s in quarter.late, *counts[(quarter.cohort, s)])
            for s in quarter.planned
        )
        out.append(QuarterRow(known.get(int(quarter.cohort), Cohort(int(quarter.cohort), quarter.cohort)), quarter.quarter, items))
    return sorted(out, key=lambda r: (r.cohort.title.lower(), r.cohort.id, r.quarter))


def _grouped(rows: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for cohort, quarter, slug in rows:
        out.setdefault(cohort, {}).setdefault(quarter, []).append(slug)
    for quarters in out.values():
        for slugs in quarters.values():
            slugs.sort()
    return out


CSV_COLUMNS = ("cohort", "quarter", "module", "status", "completed_on", "completed_tandems", "tandems")


def as_csv(rows: Sequence[QuarterRow]) -> str:
    """The progress as CSV (one line per planned module), for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        for m in row.modules:
            writer.writerow((_safe(row.cohort.title), str(row.quarter), m.slug, m.status, m.completed_on.isoformat() if m.completed_on else "", m.completed_tandems, m.tandems))
    return buffer.getvalue()


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
