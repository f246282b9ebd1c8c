"""The programme dashboard: the funnel, sign-offs per direction and month, plan items, health flags,
self-assessed growth and event attendance, for the people and period the filters keep."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from plugin.domain import dashboards as domain
from plugin.domain import health
from plugin.domain.catalogue import Catalogue, Side
from plugin.domain.dashboards import Chart, Filters, Series
from plugin.domain.errors import NotFound
from plugin.domain.roles import Role
from plugin.services import cohorts, modules
from plugin.services.assessments import cohort_growth
from plugin.services.dashboards import queries
from plugin.services.dashboards.access import programme_for
from plugin.services.launches import Actor

SIDES = tuple(s.value for s in Side)
FLAG_KINDS = tuple(k.value for k in health.FlagKind)


@dataclass(frozen=True)
class ProgrammeDashboard:
    programme_id: int | None
    course_title: str
    filters: Filters
    #: funnel, signoffs, plan_items, health, growth, events: in that order
    charts: tuple[Chart, ...]
    #: the departments of the programme, for the filter's list
    departments: tuple[str, ...]
    #: (id, title) of the cohorts an administrator may choose (none for a trainer: their course only)
    cohorts: tuple[tuple[int, str], ...] = ()

    @property
    def empty(self) -> bool:
        return all(c.empty for c in self.charts)

    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts if c.key == key)


def _objectives(session: Session, organisation_id: int, catalogue: Catalogue, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], dict[str, int]]:
    """Per module version: how many objectives each side's track has (shipped modules need no query)."""
    out = {}
    for slug, version in keys:
        try:
            module = modules.find(session, organisation_id, catalogue, slug, version).module
        except NotFound:
            continue
        out[(slug, version)] = {t.taught_by.value: len(t.objectives) for t in module.tracks}
    return out


def _signoff_facts(session: Session, organisation_id: int, catalogue: Catalogue, programme_id: int, countersign: bool) -> queries.SignoffFacts:
    """What the sign-off chains say: each track's last sign-off, and which tandems have a module complete both
    ways (the catalogue gives how many objectives each track has)."""
    objectives = _objectives(session, organisation_id, catalogue, queries.signed_modules(session, programme_id))
    return queries.signoff_facts(programme_id, objectives, countersign)


def _funnel(session: Session, programme_id: int, filters: Filters, tandems: list[queries.TandemRow]) -> Chart:
    """The funnel: who joined and saved a profile counted in the database, the later stages from the tandems."""
    joined, profiled = queries.people_counts(session, programme_id, filters)
    members = [m for t in tandems for m in ((t.digital, t.digital_kept, t.status, t.signed, t.complete), (t.expert, t.expert_kept, t.status, t.signed, t.complete))]
    return domain.funnel(domain.funnel_stages(joined, profiled, members))


def _signoffs(session: Session, programme_id: int, filters: Filters, today: date) -> Chart:
    counts = {(month, side): n for month, side, n in queries.signoffs_per_month(session, programme_id, filters)}
    keys = SIDES if filters.side is None else (filters.side.value,)
    return domain.per_month(counts, keys, filters, today, "signoffs")


def _plan_and_health(session: Session, programme_id: int, filters: Filters, tandems: list[queries.TandemRow], today: date) -> tuple[Chart, Chart]:
    """Plan items by state, and the health flags of the kept active tandems. No-session and one-direction flags
    come from :func:`plugin.domain.health.activity_flags` (the rules of :func:`~plugin.domain.health.flags`); the low-reflection and overdue rules (the same thresholds) are
    evaluated in the database, which averages each person's last reflections and finds the items past due."""
    filtered = filters.side is not None or filters.department is not None
    states, overdue = queries.plan_items(session, programme_id, filters, today, {t.id for t in tandems if t.kept} if filtered else None)
    plan = domain.plan_counts(states)
    flagged = [t for t in tandems if t.kept and t.status == "active" and t.signed]
    thresholds = health.Thresholds()
    low = queries.low_reflections(session, programme_id, today, thresholds.reflection_sessions, thresholds.low_reflection)
    kinds: Counter[str] = Counter()
    low_reflection, late = health.FlagKind.LOW_REFLECTION.value, health.FlagKind.OVERDUE.value
    for t in flagged:
        if (t.id, t.digital) in low or (t.id, t.expert) in low:
            kinds[low_reflection] += 1
        if t.id in overdue:
            kinds[late] += 1
        for flag in health.activity_flags(today=today, started_on=t.started, last_session=t.last_session, progress=t.progress, thresholds=thresholds):
            kinds[flag.kind.value] += 1  # each rule gives at most one flag of its own kind
    values = tuple(kinds[k] for k in FLAG_KINDS)
    health_chart = Chart("health", FLAG_KINDS, (Series("tandems", values),), empty=not flagged, notes={"tandems": len(flagged)})
    return plan, health_chart


def _growth(session: Session, programme_id: int, filters: Filters) -> Chart:
    """Cohort medians before and after per competence, from the self-assessments (empty until they exist)."""
    rows = cohort_growth(session, programme_id, side=filters.side.value if filters.side else None, department=filters.department)
    labels = tuple(r.competence for r in rows)
    series = (Series("before", tuple(r.before_median for r in rows)), Series("after", tuple(r.after_median for r in rows)), Series("people", tuple(r.people for r in rows)))
    return Chart("growth", labels, series, empty=not rows)


def _events(session: Session, programme_id: int, filters: Filters) -> Chart:
    rows = queries.event_attendance(session, programme_id, filters)
    labels = tuple(f"{title} ({starts_at:%Y-%m-%d})" for _, title, starts_at, _, _ in rows)
    series = (Series("registered", tuple(int(r[3]) for r in rows)), Series("attended", tuple(int(r[4]) for r in rows)))
    return Chart("events", labels, series, empty=not rows)


def programme_dashboard(session: Session, actor: Actor, catalogue: Catalogue, filters: Filters, today: date) -> ProgrammeDashboard:
    """Every chart of the programme dashboard (the actor's course, or for an administrator the cohort in the filters).

    :raise NotAllowed: a participant or observer.  :raise NotFound: a cohort the actor may not see.
    """
    programme, title = programme_for(session, actor, filters.cohort)
    known = tuple((c.id, c.title) for c in cohorts.cohorts(session, actor)) if actor.role is Role.ORG_ADMIN else ()
    if programme is None:
        empty = (domain.funnel({}), domain.per_month({}, SIDES, filters, today, "signoffs"), domain.plan_counts({}))
        rest = (Chart("health", FLAG_KINDS, (Series("tandems", (0,) * len(FLAG_KINDS)),), empty=True), Chart("growth", (), (), empty=True), Chart("events", (), (), empty=True))
        return ProgrammeDashboard(None, title, filters, empty + rest, (), known)
    signoffs = _signoff_facts(session, actor.organisation_id, catalogue, programme.id, programme.require_countersign)
    tandems = queries.tandems(session, programme.id, filters, today, signoffs)
    plan, flags = _plan_and_health(session, programme.id, filters, tandems, today)
    charts = (
        _funnel(session, programme.id, filters, tandems),
        _signoffs(session, programme.id, filters, today),
        plan,
        flags,
        _growth(session, programme.id, filters),
        _events(session, programme.id, filters),
    )
    return ProgrammeDashboard(programme.id, title, filters, charts, queries.departments(session, programme.id), known)


def demo_dashboard(session: Session, actor: Actor, catalogue: Catalogue, today: date) -> ProgrammeDashboard:
    """For the demo: the dashboard of the actor's programme as it is (it needs no data of its own)."""
    return programme_dashboard(session, actor, catalogue, Filters(), today)
