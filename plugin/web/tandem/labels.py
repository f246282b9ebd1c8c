"""What the tandem pages say: principles, cadences, plan templates, tracks and sides, the form errors."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Side
from plugin.domain.plans import Cadence
from plugin.web.forms import choices

PRINCIPLES = {
    Principle.SPACE: (_l("Space"), _l("give each other room and a sense of comfort.")),
    Principle.RESPECT: (_l("Respect"), _l("for each other's views and expectations, to reach a shared understanding.")),
    Principle.PATIENCE: (_l("Patience"), _l("take the time the results need.")),
    Principle.PERSEVERANCE: (_l("Perseverance"), _l("keep working together, even when progress is slow.")),
    Principle.ACCEPTANCE: (_l("Acceptance"), _l("accept each other's views and expectations to find common ground.")),
}
CADENCES = {Cadence.WEEKLY: _l("Weekly"), Cadence.FORTNIGHTLY: _l("Every two weeks"), Cadence.MONTHLY: _l("Monthly"), Cadence.QUARTERLY: _l("Every quarter")}
TEMPLATES = {
    "six-sessions": (_l("Six sessions over six months"), _l("Six sessions of about an hour, one a month; the modules spread over six months.")),
    "twelve-month-managed": (_l("A managed year"), _l("Twelve monthly sessions and a check-in with your trainer every quarter; the modules spread over the year.")),
    "scratch": (_l("From scratch"), _l("Only the modules, due over six months; you plan your sessions yourselves.")),
}
SIDE_TRACK = {Side.DIGITAL_MENTOR: _l("digital track"), Side.SENIOR_EXPERT: _l("expertise track")}
SIDE_NAMES = {Side.DIGITAL_MENTOR: _l("Digital mentor"), Side.SENIOR_EXPERT: _l("Senior expert")}
DEFAULT_CONFIDENTIALITY = _l(
    "What we tell each other in our sessions stays between us. We share with our trainer only what we agree on together, "
    "and our private notes stay private. Shared notes are for the two of us and our trainer."
)
ERRORS = {
    "goals": _l("Write down at least one goal, at most ten, each at most 500 characters."),
    "duration_minutes": _l("A session lasts from 15 to 480 minutes."),
    "confidentiality": _l("Write down what stays confidential between you (at most 5000 characters)."),
    "cadence": _l("Choose how often you meet."),
    "signed": _l("The agreement is signed already; it can no longer be changed."),
    "draft": _l("There is no agreement to sign yet: draft it first."),
    "principles": _l("Acknowledge every principle before you sign."),
    "template": _l("Choose a plan template."),
    "modules": _l("Choose modules on offer in this programme."),
    "plan": _l("This tandem has a plan already."),
    "due": _l("Choose a new date on or after the start of the plan, different from the current one, for an item not done yet."),
    "reason": _l("The reason is too long: at most 500 characters."),
    "done_on": _l("This item is done already, or the date is before the start of the plan."),
    "held_on": _l("Give the date the session took place (not in the future)."),
    "minutes": _l("A session lasts from 5 to 480 minutes."),
    "tracks": _l("Choose tracks of this tandem's modules."),
    "agenda": _l("The agenda is too long: at most 5000 characters."),
    "shared_notes": _l("The shared notes are too long: at most 10000 characters."),
    "private_note": _l("Your private note is too long: at most 10000 characters."),
    "reflection": _l("Score every principle from 1 to 5, or none of them."),
    "cohort": _l("Choose a course of your organisation."),
    "quarter": _l("Write the quarter like 2027-Q1."),
    "module": _l("Choose a module your organisation offers that this cohort does not have yet."),
}



SCORES = choices((n, str(n)) for n in range(1, 6))
