"""Self-assessment instruments: questionnaires as data, answers to levels 0-8, the needs map they
produce, and growth between the first and the latest take. Pure Python."""

from plugin.domain.assessments.growth import Change, GrowthRow, changes, cohort, split
from plugin.domain.assessments.model import Item, Questionnaire, ScalePoint, TakeKind
from plugin.domain.assessments.parse import parse_questionnaire
from plugin.domain.assessments.scoring import WANT_GAIN, Unanswered, level_of, levels, needs_from, parse_answers

__all__ = [
    "WANT_GAIN",
    "Change",
    "GrowthRow",
    "Item",
    "Questionnaire",
    "ScalePoint",
    "TakeKind",
    "Unanswered",
    "changes",
    "cohort",
    "level_of",
    "levels",
    "needs_from",
    "parse_answers",
    "parse_questionnaire",
    "split",
]
