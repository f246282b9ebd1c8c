"""The dashboards of a programme (trainers, administrators) and of the organisation (administrators): the
numbers of every chart, aggregated in SQL with a fixed number of queries whatever the number of participants."""

from plugin.services.dashboards.access import programme_for, require_admin, require_viewer
from plugin.services.dashboards.export import as_csv, as_xlsx
from plugin.services.dashboards.organisation import OrganisationDashboard, demo_plan, organisation_dashboard
from plugin.services.dashboards.programme import ProgrammeDashboard, demo_dashboard, programme_dashboard

__all__ = [
    "OrganisationDashboard",
    "ProgrammeDashboard",
    "as_csv",
    "as_xlsx",
    "demo_dashboard",
    "demo_plan",
    "organisation_dashboard",
    "programme_dashboard",
    "programme_for",
    "require_admin",
    "require_viewer",
]
