"""Virtual coffee roulette: the use cases (one transaction per state change; the caller commits).

    access   who may see and do what (the one gate)
    rounds   running a round (schedule and button, idempotent per period), the demo's ``seed_example``
    views    the pages' content and the calendar feed's entries
    actions  opt in/out, settings, run now, feedback
"""

from __future__ import annotations

from plugin.services.coffee.access import is_trainer, match_access, round_access
from plugin.services.coffee.actions import give_feedback, run_now, save_settings, set_opt_in
from plugin.services.coffee.rounds import met_pairs, opted_in_people, run_due_rounds, run_round, seed_example
from plugin.services.coffee.views import MatchView, Other, Overview, RoundDetail, RoundSummary, calendar_entries, match_detail, overview, round_detail

__all__ = [
    "MatchView",
    "Other",
    "Overview",
    "RoundDetail",
    "RoundSummary",
    "calendar_entries",
    "give_feedback",
    "is_trainer",
    "match_access",
    "match_detail",
    "met_pairs",
    "opted_in_people",
    "overview",
    "round_access",
    "round_detail",
    "run_due_rounds",
    "run_now",
    "run_round",
    "save_settings",
    "seed_example",
    "set_opt_in",
]
