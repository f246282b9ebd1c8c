"""The organisation dashboard: progress against the long-term cohort plan (modules planned and completed
both ways) per cohort and per year, from :func:`plugin.services.cohorts.progress`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.catalogue import Catalogue
from plugin.domain.dashboards import Chart, Filters, Month, Series
from plugin.domain.errors import NotFound
from plugin.domain.plans import Quarter
from plugin.models import CohortPlan
from plugin.services import cohorts
from plugin.services.dashboards.access import require_admin
from plugin.services.launches import Actor

#: what each chart counts per cohort or year
COUNTS = ("planned", "completed", "late")


@dataclass(frozen=True)
class OrganisationDashboard:
    filters: Filters
    #: (id, title) of every cohort of the organisation, for the filter's list
    cohorts: tuple[tuple[int, str], ...]
    #: per_cohort, per_year
    charts: tuple[Chart, ...]

    @property
    def empty(self) -> bool:
        return all(c.empty for c in self.charts)

    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts if c.key == key)


def _chart(key: str, labels: list[str], counts: Counter[tuple[str, str]]) -> Chart:
    series = tuple(Series(c, tuple(counts[(label, c)] for label in labels)) for c in COUNTS)
    return Chart(key, tuple(labels), series, empty=not labels)


def organisation_dashboard(session: Session, actor: Actor, catalogue: Catalogue, filters: Filters, today: date) -> OrganisationDashboard:
    """The plan's progress per cohort and per year, for the cohort and the period (by quarter) in the filters.

    :raise NotAllowed: not an organisation administrator.  :raise NotFound: a cohort of another organisation.
    """
    require_admin(actor)
    known = cohorts.cohorts(session, actor)
    if filters.cohort is not None and filters.cohort not in {c.id for c in known}:
        raise NotFound("no such cohort")
    per_cohort: Counter[tuple[str, str]] = Counter()
    per_year: Counter[tuple[str, str]] = Counter()
    cohort_labels: dict[int, str] = {}
    years: set[str] = set()
    for row in cohorts.progress(session, actor, catalogue, today):
        if filters.cohort is not None and row.cohort.id != filters.cohort:
            continue
        first, last = Month.of(row.quarter.first_day), Month.of(row.quarter.last_day)
        if (filters.end is not None and filters.end < first) or (filters.start is not None and last < filters.start):
            continue
        label = f"{row.cohort.title} (#{row.cohort.id})" if sum(c.title == row.cohort.title for c in known) > 1 else row.cohort.title
        cohort_labels[row.cohort.id] = label
        year = str(row.quarter.year)
        years.add(year)
        for m in row.modules:
            for key, counter in ((label, per_cohort), (year, per_year)):
                counter[(key, "planned")] += 1
                counter[(key, "completed")] += m.completed
                counter[(key, "late")] += m.late and not m.completed
    order = [cohort_labels[c.id] for c in known if c.id in cohort_labels]
    charts = (_chart("per_cohort", order, per_cohort), _chart("per_year", sorted(years), per_year))
    return OrganisationDashboard(filters, tuple((c.id, c.title) for c in known), charts)


def demo_plan(session: Session, organisation_id: int, course_id: int, slugs: Sequence[str], today: date) -> int:
    """For the demo: a long-term plan for the course (a cohort), so the organisation dashboard has something to
    show: ``slugs`` planned one per quarter from this quarter on. Idempotent (modules planned already are kept);
    returns how many rows it added. No access check: for the demo's seeding only. The caller commits."""
    planned = set(session.scalars(sa.select(CohortPlan.module_slug).where(CohortPlan.organisation_id == organisation_id, CohortPlan.cohort == course_id)))
    quarter, added = Quarter.of(today), 0
    for slug in slugs:
        if slug not in planned:
            session.add(CohortPlan(organisation_id=organisation_id, cohort=course_id, quarter=str(quarter), module_slug=slug))
            added += 1
        quarter = Quarter(quarter.year + quarter.number // 4, quarter.number % 4 + 1)
    session.flush()
    return added
