"""Coffee roulette's pure rules: periods and their keys, when a round is due, the suggested meeting, and
the exact grouping: no repeated pair while one is avoidable (6 rounds over 41 people), the fewest repeats
when not, one trio per odd count, the other side and department preferred."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest

from plugin.domain.coffee import Cadence, is_due, meeting_days, period_of, reason, suggest_slot
from plugin.domain.matching.coffee import CoffeePerson, pair_round


@pytest.mark.parametrize(
    ("cadence", "day", "key", "start", "end"),
    [
        ("weekly", date(2026, 12, 4), "2026-W49", date(2026, 11, 30), date(2026, 12, 6)),
        ("weekly", date(2027, 1, 1), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),  # ISO year
        ("fortnightly", date(2026, 12, 4), "2026-F25", date(2026, 11, 30), date(2026, 12, 13)),
        ("fortnightly", date(2026, 12, 10), "2026-F25", date(2026, 11, 30), date(2026, 12, 13)),
        ("fortnightly", date(2026, 12, 14), "2026-F26", date(2026, 12, 14), date(2026, 12, 27)),
        ("fortnightly", date(2026, 12, 30), "2026-F27", date(2026, 12, 28), date(2027, 1, 3)),  # week 53 alone
        ("fortnightly", date(2027, 1, 4), "2027-F01", date(2027, 1, 4), date(2027, 1, 17)),
        ("monthly", date(2026, 12, 4), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("monthly", date(2027, 2, 28), "2027-02", date(2027, 2, 1), date(2027, 2, 28)),
    ],
)
def test_periods_and_their_keys(cadence, day, key, start, end):
    period = period_of(cadence, day)
    assert (period.key, period.start, period.end) == (key, start, end)
    assert period.start <= day <= period.end


def test_fortnights_tile_the_calendar():
    day, last_end = date(2025, 12, 29), None
    while day < date(2029, 1, 1):
        period = period_of(Cadence.FORTNIGHTLY, day)
        if last_end is not None and period.start != last_end:
            assert (period.start - last_end).days == 1
        last_end = period.end
        day = period.end.fromordinal(period.end.toordinal() + 1)


def test_a_round_is_due_once_per_period_and_waits_after_a_change_of_cadence():
    today = date(2026, 12, 9)
    assert is_due(False, "weekly", today, []) is None
    assert is_due(True, "weekly", today, []).key == "2026-W50"
    assert is_due(True, "weekly", today, [(date(2026, 12, 7), date(2026, 12, 13))]) is None
    assert is_due(True, "weekly", today, [(date(2026, 11, 30), date(2026, 12, 6))]).key == "2026-W50"
    # weekly rounds ran this month: the monthly round waits for January
    assert is_due(True, "monthly", today, [(date(2026, 12, 7), date(2026, 12, 13))]) is None
    assert is_due(True, "monthly", date(2027, 1, 2), [(date(2026, 12, 7), date(2026, 12, 13))]).key == "2027-01"


def test_the_meeting_is_on_a_working_day_not_past_and_in_everyones_working_hours():
    week = period_of("weekly", date(2026, 12, 9))
    assert meeting_days(week, date(2026, 12, 2)) == [date(2026, 12, d) for d in range(7, 12)]
    assert meeting_days(week, date(2026, 12, 9)) == [date(2026, 12, 10), date(2026, 12, 11)]
    assert meeting_days(week, date(2026, 12, 11)) == [date(2026, 12, 12), date(2026, 12, 13)]  # only the weekend left
    assert meeting_days(week, date(2026, 12, 13)) == [date(2026, 12, 13)]  # made on its last day
    slot = suggest_slot(date(2026, 12, 9), ["Europe/Amsterdam", "Europe/Lisbon"])
    assert slot.astimezone(ZoneInfo("Europe/Amsterdam")).hour == 10 and slot.tzinfo is UTC
    far = suggest_slot(date(2026, 12, 9), ["Europe/Amsterdam", "America/New_York"])
    for zone in ("Europe/Amsterdam", "America/New_York"):
        local = far.astimezone(ZoneInfo(zone)).time()
        assert (9, 0) <= (local.hour, local.minute) <= (16, 30), zone
    impossible = suggest_slot(date(2026, 12, 9), ["Europe/Amsterdam", "Pacific/Auckland"])
    assert impossible == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # 10:00 in the first zone
    assert suggest_slot(date(2026, 12, 9), [None, "Not/AZone"]) == datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


def test_the_reason():
    assert reason("digital_mentor", "senior_expert", "Sales", "IT", False) == reason("digital_mentor", "senior_expert", " sales", "it ", False)
    why = reason("digital_mentor", "senior_expert", "Sales", "sales", True)
    assert (why.other_side, why.other_department, why.met_before) == (True, False, True)
    assert reason("digital_mentor", "digital_mentor", None, "IT", False).other_department is None


def _pairs(groups):
    return {pair for g in groups for pair in combinations(g, 2)}


def test_six_rounds_over_41_people_never_repeat_a_pair():
    rng = random.Random(9)
    people = [CoffeePerson(i, rng.choice(["digital_mentor", "senior_expert"]), rng.choice(["Sales", "IT", "HR", None])) for i in range(1, 42)]
    met: set[tuple[int, int]] = {(1, 2), (3, 4)}  # two tandems
    for n in range(6):
        result = pair_round(people, met, seed=f"round-{n}", preference_limit=0.3)
        assert result.repeats == () and result.optimal
        assert sorted(p for g in result.groups for p in g) == list(range(1, 42))
        assert [len(g) for g in result.groups].count(3) == 1 and len(result.groups) == 20
        assert not _pairs(result.groups) & met
        met |= _pairs(result.groups)


def test_repeats_only_when_unavoidable_and_then_the_fewest():
    four = [CoffeePerson(i) for i in range(1, 5)]
    everyone = set(combinations(range(1, 5), 2))
    result = pair_round(four, everyone)
    assert len(result.repeats) == 2 and result.optimal  # everyone met everyone: two pairs, both repeats
    # one pairing avoids every repeat: the solver finds it (a greedy first pick of (1, 2)... would not)
    six = [CoffeePerson(i) for i in range(1, 7)]
    unmet = {(1, 4), (2, 6), (3, 5), (1, 2), (2, 3)}
    result = pair_round(six, set(combinations(range(1, 7), 2)) - unmet)
    assert result.groups == ((1, 4), (2, 6), (3, 5)) and result.repeats == ()
    # a trio of people who have not met each other, when there is one
    five = [CoffeePerson(i) for i in range(1, 6)]
    result = pair_round(five, set(combinations(range(1, 6), 2)) - {(1, 3), (1, 5), (3, 5), (2, 4)})
    assert result.groups == ((1, 3, 5), (2, 4)) and result.repeats == ()
    # the fewest repeats with one trio forced: 5 who all met, 4 pairs meet again (3 in the trio, 1 in the pair)
    assert len(pair_round(five, set(combinations(range(1, 6), 2))).repeats) == 4


def test_other_side_and_other_department_are_preferred():
    people = [CoffeePerson(1, "digital_mentor", "IT"), CoffeePerson(2, "digital_mentor", "Sales"), CoffeePerson(3, "senior_expert", "IT"), CoffeePerson(4, "senior_expert", "Sales")]
    assert pair_round(people, set()).groups == ((1, 4), (2, 3))


def test_small_rounds():
    assert pair_round([], set()).groups == ()
    assert pair_round([CoffeePerson(7)], set()).groups == ()
    assert pair_round([CoffeePerson(7), CoffeePerson(3)], {(7, 3)}).repeats == ((3, 7),)
    assert pair_round([CoffeePerson(i) for i in (5, 1, 3)], set()).groups == ((1, 3, 5),)
    with pytest.raises(ValueError):
        pair_round([CoffeePerson(1), CoffeePerson(1)], set())
