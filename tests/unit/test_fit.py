"""A pair's fit in plain language, at and around each threshold, from the engine's own scores."""

from __future__ import annotations

import pytest

from plugin.domain.fit import GOOD_LEVELS, STRONG_LEVELS, Fit, FitLevel, Learner, fit_of, fit_of_pair, summarise
from plugin.domain.matching import DIRECTION_CAP, WISH_BONUS, Person, Side, pair_for
from plugin.services.matching_io import result_to_json


def score(expertise_gain: int, digital_gain: int, wishes: int = 0) -> int:
    """The score the engine gives such a pair (harmonic mean of the capped gains, plus the wish bonus)."""
    from plugin.domain.matching import combine

    base = combine(expertise_gain, digital_gain)
    return base + WISH_BONUS * wishes if base else 0


@pytest.mark.parametrize(
    ("digital_learns", "expert_learns", "level"),
    [
        (STRONG_LEVELS, STRONG_LEVELS, FitLevel.STRONG),
        (20, STRONG_LEVELS, FitLevel.STRONG),
        (STRONG_LEVELS - 1, 20, FitLevel.GOOD),  # the weaker direction decides
        (GOOD_LEVELS, GOOD_LEVELS, FitLevel.GOOD),
        (GOOD_LEVELS - 1, GOOD_LEVELS - 1, FitLevel.FAIR),
        (3, 7, FitLevel.FAIR),  # 7 < 2 * 3 + 2
        (3, 8, FitLevel.THIN),
        (1, 4, FitLevel.THIN),
        (1, 3, FitLevel.FAIR),
        (2, 2, FitLevel.FAIR),
        (12, 1, FitLevel.THIN),
    ],
)
def test_the_weaker_direction_decides_the_fit(digital_learns, expert_learns, level):
    assert fit_of(score(digital_learns, expert_learns), digital_learns, expert_learns).level is level


def test_a_thin_pair_names_who_learns_little():
    assert fit_of(score(1, 9), 1, 9).thin_side is Learner.DIGITAL
    assert fit_of(score(9, 1), 9, 1).thin_side is Learner.EXPERT
    assert fit_of(score(9, 9), 9, 9).thin_side is None


def test_learning_one_way_only_is_no_fit_whatever_the_wishes():
    assert fit_of(0, 0, 9).level is FitLevel.NONE and fit_of(0, 0, 9).thin_side is Learner.DIGITAL
    assert fit_of(WISH_BONUS, 9, 0, wishes=1).level is FitLevel.NONE  # only the wish bonus: nothing to learn one way
    wished = fit_of(score(9, 9, wishes=2), 9, 9, wishes=2)
    assert wished.level is FitLevel.STRONG and wished.wishes == 2


def test_gains_are_capped_as_the_score_caps_them():
    fit = fit_of(score(50, 50), 50, 50)
    assert (fit.digital_learns, fit.expert_learns) == (DIRECTION_CAP, DIRECTION_CAP)
    assert fit_of(10, -3, 5).level is FitLevel.NONE


def test_the_fit_of_a_stored_pair_reads_its_explanation():
    digital = Person("d", Side.DIGITAL_MENTOR, {"en"}, offers={"digcomp:2.6": 8, "digcomp:3.1": 8}, wants={"entrecomp:2.5": 8, "lifecomp:L3": 8})
    expert = Person("e", Side.SENIOR_EXPERT, {"en"}, offers={"entrecomp:2.5": 8, "lifecomp:L3": 8}, wants={"digcomp:2.6": 8, "digcomp:3.1": 8}, wishes=("d",))
    pair = pair_for(digital, expert)
    from plugin.domain.matching import Certificate, Result

    stored = result_to_json(Result((pair,), {}, pair.score, True, Certificate(0, 0, 0, 0, 0, {})), duals=False)["pairs"][0]
    fit = fit_of_pair(stored)
    assert fit == Fit(FitLevel.STRONG, 16, 16, 1)
    assert fit_of_pair({"score": 0, "explanation": {}}).level is FitLevel.NONE  # a pair stored without an explanation


def test_the_summary_counts_each_fit():
    fits = [fit_of(score(9, 9), 9, 9), fit_of(score(9, 9), 9, 9), fit_of(score(5, 5), 5, 5), fit_of(score(1, 9), 1, 9)]
    summary = summarise(fits, optimal=True)
    assert (summary.pairs, summary.strong, summary.thin, summary.optimal) == (4, 2, 1, True)
    assert summary.counts == {FitLevel.STRONG: 2, FitLevel.GOOD: 1, FitLevel.FAIR: 0, FitLevel.THIN: 1, FitLevel.NONE: 0}
    assert summarise([], optimal=False).pairs == 0
