"""Scores for the LMS gradebook: the right values for each track state, and timestamps that strictly increase
per line item and user, even within one microsecond or with a clock going back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugin.domain.catalogue import Side
from plugin.domain.scores import SECOND, ActivityProgress, GradingProgress, Score, next_timestamp, score_for_track
from plugin.domain.signoffs import countersign, state, withdraw
from tests.unit.test_signoffs import DM, MODULE, SE, T0, TANDEM, TRAINER, sign, sign_track

DIGITAL, EXPERTISE = Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT
US = timedelta(microseconds=1)


def _score(chain, side=EXPERTISE, require_countersign=False, at=T0):
    track = state(chain, MODULE, require_countersign).track(side)
    return score_for_track(track, TANDEM.learner(side), at)


def _values(score: Score) -> tuple:
    return (score.person_id, score.score_given, score.score_maximum, score.activity_progress, score.grading_progress)


def test_a_complete_track_scores_100_completed_and_fully_graded():
    chain = sign_track([], EXPERTISE)
    assert _values(_score(chain)) == (DM, 100, 100, ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED)


def test_the_score_goes_to_the_learner_of_the_track():
    chain = sign_track([], DIGITAL)
    assert _score(chain, DIGITAL).person_id == SE


def test_an_untouched_track_is_initialized():
    assert _values(_score([])) == (DM, 0, 100, ActivityProgress.INITIALIZED, GradingProgress.FULLY_GRADED)


def test_a_partial_track_scores_the_share_signed_rounded_down():
    chain = sign(sign([], "e1", SE), "e2", SE)
    assert _values(_score(chain)) == (DM, 66, 100, ActivityProgress.IN_PROGRESS, GradingProgress.FULLY_GRADED)


def test_a_withdrawal_from_a_complete_track_sends_the_lower_score():
    chain = sign_track([], EXPERTISE)
    before = _score(chain)
    chain = [*chain, withdraw(chain, TANDEM, 3, SE, "not shown", T0)]
    after = _score(chain, at=T0 + timedelta(seconds=1))
    assert before.score_given == 100 and after.score_given == 66
    # FullyGraded, so the gradebook takes the lower value instead of ignoring it
    assert (after.activity_progress, after.grading_progress) == (ActivityProgress.IN_PROGRESS, GradingProgress.FULLY_GRADED)


def test_withdrawing_every_signoff_sends_zero_in_progress():
    chain = sign([], "e1", SE)
    chain = [*chain, withdraw(chain, TANDEM, 1, SE, "wrong person", T0)]
    assert _values(_score(chain)) == (DM, 0, 100, ActivityProgress.IN_PROGRESS, GradingProgress.FULLY_GRADED)


def test_a_track_awaiting_its_countersignature_is_pending_manual():
    chain = sign_track([], EXPERTISE)
    waiting = _score(chain, require_countersign=True)
    assert _values(waiting) == (DM, 100, 100, ActivityProgress.SUBMITTED, GradingProgress.PENDING_MANUAL)
    chain = [*chain, countersign(chain, TANDEM, MODULE, EXPERTISE, TRAINER, {TRAINER}, T0)]
    assert _score(chain, require_countersign=True).activity_progress is ActivityProgress.COMPLETED


def test_the_ags_payload():
    score = _score(sign_track([], EXPERTISE), at=datetime(2027, 3, 1, 12, 0, 0, 7, tzinfo=timezone(timedelta(hours=1))))
    assert score.ags_payload("lms-user-42") == {
        "userId": "lms-user-42",
        "scoreGiven": 100,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2027-03-01T11:00:00.000007+00:00",
    }


def test_a_score_is_checked():
    with pytest.raises(ValueError, match="between 0 and 100"):
        Score(
            person_id=1,
            score_given=101,
            activity_progress=ActivityProgress.COMPLETED,
            grading_progress=GradingProgress.FULLY_GRADED,
            timestamp=T0,
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        Score(
            person_id=1,
            score_given=1,
            activity_progress=ActivityProgress.COMPLETED,
            grading_progress=GradingProgress.FULLY_GRADED,
            timestamp=datetime(2027, 1, 1),
        )


# ---------------------------------------------------------------- timestamps


def test_the_first_timestamp_is_now_in_utc():
    now = datetime(2027, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    result = next_timestamp(None, now)
    assert result == now and result.tzinfo is UTC


def test_a_later_now_is_used_as_it_is():
    assert next_timestamp(T0, T0 + US) == T0 + US
    assert next_timestamp(T0, T0 + timedelta(milliseconds=3)) == T0 + timedelta(milliseconds=3)


def test_two_scores_in_the_same_microsecond_still_increase():
    first = next_timestamp(None, T0)
    second = next_timestamp(first, T0)
    third = next_timestamp(second, T0)
    assert first < second < third and (second - first, third - second) == (US, US)


def test_two_scores_in_the_same_second_increase():
    first = next_timestamp(None, T0.replace(microsecond=900_000))
    second = next_timestamp(first, T0.replace(microsecond=100_000))
    assert second == T0.replace(microsecond=900_001)


def test_a_clock_going_back_still_increases():
    last = T0 + timedelta(hours=1)
    assert next_timestamp(last, T0) == last + US


def test_timestamps_compare_across_time_zones():
    last = datetime(2027, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))  # 10:00 UTC
    assert next_timestamp(last, datetime(2027, 1, 1, 10, 0, tzinfo=UTC)) == datetime(2027, 1, 1, 10, 0, 0, 1, tzinfo=UTC)


def test_whole_second_resolution_moves_to_the_next_second():
    last = T0.replace(microsecond=700_000)
    assert next_timestamp(last, T0.replace(microsecond=900_000), SECOND) == T0 + timedelta(seconds=1)
    assert next_timestamp(last, T0 + timedelta(seconds=1, microseconds=5), SECOND) == T0 + timedelta(seconds=1, microseconds=5)
    assert next_timestamp(last, T0 - timedelta(days=1), SECOND) == T0 + timedelta(seconds=1)


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_timestamp(None, datetime(2027, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        next_timestamp(datetime(2027, 1, 1), T0)


@given(st.lists(st.integers(-5_000_000, 5_000_000), min_size=1, max_size=40), st.sampled_from([US, SECOND]))
def test_timestamps_strictly_increase_whatever_the_clock_does(offsets, resolution):
    last = None
    seen = []
    for offset in offsets:
        now = T0 + timedelta(microseconds=offset)
        stamp = next_timestamp(last, now, resolution)
        assert stamp >= now
        seen.append(stamp)
        last = stamp
    assert all(a < b for a, b in zip(seen, seen[1:], strict=False))
    if resolution == SECOND:  # what a platform comparing whole seconds sees
        seconds = [int(s.timestamp()) for s in seen]
        assert all(a < b for a, b in zip(seconds, seconds[1:], strict=False))
