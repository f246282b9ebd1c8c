"""What the dashboards call things, in the page's language: charts, axes, series, column headers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from plugin.domain.dashboards import Chart
from plugin.services.dashboards.export import Table
from plugin.web.programme.blueprint import competence_label

TITLES = {
    "funnel": _l("Participation funnel"),
    "signoffs": _l("Sign-offs per direction and month"),
    "plan_items": _l("Plan items on time and overdue"),
    "health": _l("Health flags by kind"),
    "growth": _l("Self-assessed growth per competence (cohort medians)"),
    "events": _l("Event attendance"),
    "per_cohort": _l("Long-term plan per cohort"),
    "per_year": _l("Long-term plan per year"),
}
DESCRIPTIONS = {
    "funnel": _l("How many participants reached each stage, from joining the programme to a module completed both ways."),
    "signoffs": _l("Objectives signed off each month, per direction: the track taught by digital mentors and the track taught by senior experts."),
    "plan_items": _l("The items of the tandems' training plans: done on time, done late, overdue or not yet due."),
    "health": _l("How many active tandems carry each early-warning flag today (a tandem can carry several)."),
    "growth": _l("Median self-assessed level per competence, at the start and at the latest re-take."),
    "events": _l("People registered and people who attended, per event."),
    "per_cohort": _l("Modules planned, completed both ways and late, per cohort over the whole plan."),
    "per_year": _l("Modules planned, completed both ways and late, per year of the plan."),
}
EMPTY = {
    "funnel": _l("No participants yet."),
    "signoffs": _l("No sign-offs in this period."),
    "plan_items": _l("No plan items yet."),
    "health": _l("No active tandem with a signed agreement yet."),
    "growth": _l("No self-assessments yet"),
    "events": _l("No events in this period."),
    "per_cohort": _l("No modules planned for the cohorts yet."),
    "per_year": _l("No modules planned for the cohorts yet."),
}
CATEGORY = {
    "funnel": _l("Stage"),
    "signoffs": _l("Month"),
    "plan_items": _l("State"),
    "health": _l("Flag"),
    "growth": _l("Competence"),
    "events": _l("Event"),
    "per_cohort": _l("Cohort"),
    "per_year": _l("Year"),
}
LABELS = {
    "joined": _l("Joined"),
    "profile": _l("Profile saved"),
    "matched": _l("Matched"),
    "agreement": _l("Agreement signed"),
    "active": _l("Active tandem"),
    "module_complete": _l("Module complete both ways"),
    "done_on_time": _l("Done on time"),
    "done_late": _l("Done late"),
    "overdue": _l("Overdue"),
    "not_due": _l("Not yet due"),
    "no_session": _l("No session for weeks"),
    "one_direction": _l("One direction only"),
    "low_reflection": _l("Low reflections"),
}
SERIES = {
    "people": _l("People"),
    "digital_mentor": _l("Taught by digital mentors"),
    "senior_expert": _l("Taught by senior experts"),
    "items": _l("Plan items"),
    "tandems": _l("Tandems"),
    "before": _l("Median before"),
    "after": _l("Median after"),
    "registered": _l("Registered"),
    "attended": _l("Attended"),
    "planned": _l("Planned"),
    "completed": _l("Completed both ways"),
    "late": _l("Late"),
}
#: series shown in the table and the files but not drawn (a count of people next to medians)
NOT_DRAWN = {"growth": {"people"}}


def label(key: str) -> str:
    """A stage, state or flag by its name; a competence (``digcomp:2.6``) as the needs map names it."""
    if ":" in key and key not in LABELS:
        return competence_label(key)
    return str(LABELS.get(key, key))


def table(chart: Chart) -> Table:
    """The chart's numbers with the page's names: the table alternative, the CSV and the sheet."""
    header = (str(CATEGORY[chart.key]), *(str(SERIES.get(s.key, s.key)) for s in chart.series))
    rows = tuple((label(row[0]), *row[1:]) for row in chart.rows())
    return Table(str(TITLES[chart.key]), header, rows)
