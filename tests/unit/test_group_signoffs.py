"""A group's chain: every record names its learner; the teachers of a track sign off each learner's objectives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plugin.domain import signoffs
from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, RuleViolation
from tests.unit.test_signoffs import MODULE, ticks

T0 = datetime(2026, 12, 4, 9, tzinfo=UTC)
MENTOR, J1, J2, J3 = 10, 11, 12, 13
ROSTER = signoffs.GroupRoster(7, {MENTOR: Side.SENIOR_EXPERT, J1: Side.DIGITAL_MENTOR, J2: Side.DIGITAL_MENTOR, J3: Side.DIGITAL_MENTOR})


def _objectives(side: Side) -> list[str]:
    return [o.id for o in next(t for t in MODULE.tracks if t.taught_by is side).objectives]


def test_each_learner_is_signed_off_on_their_own_and_the_chain_verifies():
    chain: list[signoffs.SignOff] = []
    at = T0
    for learner in (J1, J2, J3):
        for objective in _objectives(Side.SENIOR_EXPERT):
            at += timedelta(seconds=1)
            chain.append(signoffs.new_group_signoff(chain, ROSTER, MODULE, objective, learner, MENTOR, ticks(), at))
    for objective in _objectives(Side.DIGITAL_MENTOR):
        at += timedelta(seconds=1)
        chain.append(signoffs.new_group_signoff(chain, ROSTER, MODULE, objective, MENTOR, J2, ticks(), at))
    assert all(signoffs.learner_track(chain, MODULE, p, Side.SENIOR_EXPERT).complete for p in (J1, J2, J3))
    assert signoffs.learner_track(chain, MODULE, MENTOR, Side.DIGITAL_MENTOR).complete
    assert signoffs.verify_chain(chain).ok
    exported = signoffs.export_chain(chain)
    assert all(e["group_id"] == 7 and e["tandem_id"] is None for e in exported)
    assert signoffs.verify_chain(signoffs.records_from_export(exported)).ok


def test_nobody_signs_their_own_learning_nor_a_track_they_do_not_teach():
    objective = _objectives(Side.SENIOR_EXPERT)[0]
    with pytest.raises(NotAllowed):
        signoffs.new_group_signoff([], ROSTER, MODULE, objective, J1, J1, ticks(), T0)
    with pytest.raises(NotAllowed):  # a junior does not teach the expertise track
        signoffs.new_group_signoff([], ROSTER, MODULE, objective, J1, J2, ticks(), T0)
    with pytest.raises(NotAllowed):  # the mentor does not learn the expertise track
        signoffs.new_group_signoff([], ROSTER, MODULE, objective, MENTOR, MENTOR, ticks(), T0)


def test_signing_twice_is_refused_and_a_withdrawal_reopens_only_that_learner():
    objective = _objectives(Side.SENIOR_EXPERT)[0]
    chain = [signoffs.new_group_signoff([], ROSTER, MODULE, objective, J1, MENTOR, ticks(), T0)]
    chain.append(signoffs.new_group_signoff(chain, ROSTER, MODULE, objective, J2, MENTOR, ticks(), T0 + timedelta(seconds=1)))
    with pytest.raises(RuleViolation):
        signoffs.new_group_signoff(chain, ROSTER, MODULE, objective, J1, MENTOR, ticks(), T0 + timedelta(seconds=2))
    chain.append(signoffs.withdraw_group_signoff(chain, ROSTER, 1, MENTOR, "not yet", T0 + timedelta(seconds=3)))
    assert signoffs.learner_track(chain, MODULE, J1, Side.SENIOR_EXPERT).signed == ()
    assert signoffs.learner_track(chain, MODULE, J2, Side.SENIOR_EXPERT).signed == (objective,)
    assert signoffs.verify_chain(chain).ok


def test_a_focused_mentoring_works_on_the_mentors_track_only():
    focused = signoffs.GroupRoster(8, {MENTOR: Side.SENIOR_EXPERT, J1: Side.DIGITAL_MENTOR}, frozenset({Side.SENIOR_EXPERT}))
    assert focused.learners(Side.SENIOR_EXPERT) == {J1} and focused.learners(Side.DIGITAL_MENTOR) == frozenset()
    with pytest.raises(NotAllowed):
        signoffs.new_group_signoff([], focused, MODULE, _objectives(Side.DIGITAL_MENTOR)[0], MENTOR, J1, ticks(), T0)
