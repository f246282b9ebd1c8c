"""Trainer health flags, at and around each threshold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.domain.health import Flag, FlagKind, Reflection, Thresholds, check_reflection, flags
from plugin.domain.plans import ItemKind, PlanItem

TODAY = date(2027, 6, 1)
DIGITAL, EXPERTISE = Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT
GOOD = dict.fromkeys(Principle, 4)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def check(**overrides) -> list[Flag]:
    """Flags for a healthy tandem, changed by ``overrides``."""
    given = {
        "today": TODAY,
        "started_on": days_ago(200),
        "sessions": [days_ago(10)],
        "progress": {DIGITAL: days_ago(5), EXPERTISE: days_ago(12)},
        "reflections": [Reflection(days_ago(10), side, GOOD) for side in Side],
        "plan_items": [],
    }
    return flags(**{**given, **overrides})


def kinds(found: list[Flag]) -> list[FlagKind]:
    return [f.kind for f in found]


def test_a_healthy_tandem_has_no_flags():
    assert check() == []


# ---------------------------------------------------------------- no session


@pytest.mark.parametrize(("ago", "flagged"), [(27, False), (28, True), (40, True)])
def test_no_session_for_four_weeks(ago, flagged):
    found = check(sessions=[days_ago(90), days_ago(ago)])
    assert kinds(found) == ([FlagKind.NO_SESSION] if flagged else [])
    if flagged:
        assert found[0].detail == {"last_session": days_ago(ago), "days": ago, "weeks": 4}


def test_without_sessions_the_start_counts():
    assert check(sessions=[], started_on=days_ago(27)) == []
    assert check(sessions=[], started_on=days_ago(28))[0].detail == {"last_session": None, "days": 28, "weeks": 4}


def test_planned_future_sessions_do_not_count():
    assert kinds(check(sessions=[days_ago(30), TODAY + timedelta(days=2)])) == [FlagKind.NO_SESSION]
    assert check(sessions=[TODAY]) == []


def test_the_session_threshold_can_be_set():
    assert check(sessions=[days_ago(14)], thresholds=Thresholds(no_session_weeks=2)) != []
    assert check(sessions=[days_ago(13)], thresholds=Thresholds(no_session_weeks=2)) == []


# ---------------------------------------------------------------- one direction


@pytest.mark.parametrize(("stalled_ago", "flagged"), [(41, False), (42, True), (100, True)])
def test_only_one_direction_progressing_for_six_weeks(stalled_ago, flagged):
    found = check(progress={DIGITAL: days_ago(3), EXPERTISE: days_ago(stalled_ago)})
    assert kinds(found) == ([FlagKind.ONE_DIRECTION] if flagged else [])
    if flagged:
        assert found[0].detail == {
            "progressing": DIGITAL,
            "stalled": EXPERTISE,
            "stalled_since": days_ago(stalled_ago),
            "days": stalled_ago,
            "weeks": 6,
        }


def test_one_direction_either_way():
    found = check(progress={DIGITAL: days_ago(60), EXPERTISE: days_ago(1)})
    assert found[0].detail["progressing"] is EXPERTISE and found[0].detail["stalled"] is DIGITAL


@pytest.mark.parametrize(("moving_ago", "flagged"), [(41, True), (42, False)])
def test_the_other_direction_must_still_be_moving(moving_ago, flagged):
    # both stalled is not "one direction"; the session flag covers a tandem that stopped
    assert kinds(check(progress={DIGITAL: days_ago(moving_ago), EXPERTISE: days_ago(90)})) == (
        [FlagKind.ONE_DIRECTION] if flagged else []
    )


def test_a_direction_that_never_progressed_counts_from_the_start():
    assert check(progress={DIGITAL: days_ago(2), EXPERTISE: None}, started_on=days_ago(41)) == []
    found = check(progress={DIGITAL: days_ago(2)}, started_on=days_ago(42))
    assert found[0].detail["stalled_since"] is None and found[0].detail["days"] == 42
    assert check(progress={DIGITAL: None, EXPERTISE: None}) == []


def test_the_direction_threshold_can_be_set():
    progress = {DIGITAL: days_ago(1), EXPERTISE: days_ago(21)}
    assert kinds(check(progress=progress, thresholds=Thresholds(one_direction_weeks=3))) == [FlagKind.ONE_DIRECTION]
    assert check(progress=progress) == []


# ---------------------------------------------------------------- reflections


def reflections(side: Side, principle: Principle, *scores: int) -> list[Reflection]:
    """One reflection per score, oldest first, a week apart; other principles score 4."""
    n = len(scores)
    return [Reflection(days_ago(7 * (n - i)), side, {**GOOD, principle: s}) for i, s in enumerate(scores)]


@pytest.mark.parametrize(
    ("scores", "flagged"),
    [((2, 3, 2), True), ((3, 2, 2), True), ((2, 3, 3), False), ((3, 2, 3), False), ((1, 2, 5), False), ((1, 1, 5), True)],
)
def test_low_reflection_below_two_and_a_half_over_the_last_three_sessions(scores, flagged):
    found = check(reflections=reflections(EXPERTISE, Principle.PATIENCE, *scores))
    assert kinds(found) == ([FlagKind.LOW_REFLECTION] if flagged else [])
    if flagged:
        assert found[0].detail == {
            "side": EXPERTISE,
            "principle": Principle.PATIENCE,
            "average": round(sum(scores) / 3, 2),
            "sessions": 3,
        }


def test_exactly_two_and_a_half_is_not_low():
    assert check(reflections=reflections(DIGITAL, Principle.SPACE, 2, 3)) == []
    assert kinds(check(reflections=reflections(DIGITAL, Principle.SPACE, 2, 2, 3, 2))) == [FlagKind.LOW_REFLECTION]


def test_only_the_last_three_sessions_count():
    assert check(reflections=reflections(DIGITAL, Principle.RESPECT, 1, 1, 1, 3, 3, 3)) == []
    assert kinds(check(reflections=reflections(DIGITAL, Principle.RESPECT, 5, 5, 5, 2, 2, 3))) == [FlagKind.LOW_REFLECTION]


def test_fewer_sessions_average_what_there_is():
    found = check(reflections=reflections(DIGITAL, Principle.ACCEPTANCE, 2))
    assert found[0].detail == {"side": DIGITAL, "principle": Principle.ACCEPTANCE, "average": 2.0, "sessions": 1}


def test_each_side_and_principle_is_judged_on_its_own():
    given = reflections(DIGITAL, Principle.SPACE, 5, 5, 5)
    given += [
        Reflection(r.session_on, r.side, {**r.scores, Principle.PERSEVERANCE: 2})
        for r in reflections(EXPERTISE, Principle.SPACE, 1, 2, 2)
    ]
    found = check(reflections=given)
    assert [(f.detail["side"], f.detail["principle"]) for f in found] == [
        (EXPERTISE, Principle.SPACE),
        (EXPERTISE, Principle.PERSEVERANCE),
    ]


def test_reflections_after_today_and_missing_principles_are_left_out():
    given = reflections(DIGITAL, Principle.PATIENCE, 4, 4, 4)
    given.append(Reflection(TODAY + timedelta(days=1), DIGITAL, {Principle.PATIENCE: 1}))
    given.append(Reflection(TODAY, DIGITAL, {Principle.SPACE: 4}))
    assert check(reflections=given) == []


def test_a_reflection_as_entered_is_checked():
    assert check_reflection({p.value: 3 for p in Principle}) == dict.fromkeys(Principle, 3)
    with pytest.raises(RuleViolation, match="Give a score for acceptance") as exc:
        check_reflection({p.value: 3 for p in list(Principle)[:4]})
    assert exc.value.field == "acceptance"
    for bad in (0, 6, 2.5, True, "3"):
        with pytest.raises(RuleViolation, match="must be from 1 to 5"):
            check_reflection({**{p.value: 3 for p in Principle}, "space": bad})
    with pytest.raises(RuleViolation, match="'kindness' is not one of the principles"):
        check_reflection({**{p.value: 3 for p in Principle}, "kindness": 3})


# ---------------------------------------------------------------- plan items


def item(key: str, due: date, done_on: date | None = None) -> PlanItem:
    return PlanItem(key, ItemKind.MODULE if key.startswith("module") else ItemKind.SESSION, due, done_on=done_on)


def test_overdue_plan_items():
    items = [
        item("module:a", days_ago(1)),
        item("session:4", days_ago(9)),
        item("module:b", TODAY),
        item("module:c", days_ago(30), done_on=days_ago(2)),
    ]
    found = check(plan_items=items)
    assert found == [Flag(FlagKind.OVERDUE, {"items": ("session:4", "module:a"), "oldest_due": days_ago(9), "days_late": 9})]


def test_an_item_due_today_or_done_is_not_overdue():
    assert check(plan_items=[item("module:a", TODAY), item("module:b", days_ago(3), done_on=days_ago(4))]) == []


def test_flags_come_in_a_stable_order():
    found = check(
        sessions=[days_ago(50)],
        progress={DIGITAL: days_ago(1), EXPERTISE: days_ago(60)},
        reflections=reflections(DIGITAL, Principle.SPACE, 1, 1, 1),
        plan_items=[item("module:a", days_ago(1))],
    )
    assert kinds(found) == [FlagKind.NO_SESSION, FlagKind.ONE_DIRECTION, FlagKind.LOW_REFLECTION, FlagKind.OVERDUE]
