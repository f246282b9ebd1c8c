"""Training plans: templates, session cadences, due dates, rescheduling that keeps history, and the
organisation's long-term plan with the cohorts' progress against it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.plans import (
    TEMPLATES,
    Cadence,
    Change,
    ItemKind,
    ModuleTarget,
    Quarter,
    SessionSeries,
    add_module,
    add_months,
    long_term_plan,
    mark_done,
    new_plan,
    progress_against,
    reschedule,
    session_dates,
)

START = date(2027, 1, 15)
AT = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
TRAINER, DM = 90, 1


def _sessions(plan, kind=ItemKind.SESSION):
    return [(i.key, i.due, i.duration_minutes) for i in plan.items if i.kind is kind]


# ---------------------------------------------------------------- templates and cadence


def test_six_sessions_is_six_monthly_hours_within_six_months():
    plan = new_plan("six-sessions", START)
    sessions = _sessions(plan)
    assert [key for key, _, _ in sessions] == [f"session:{n}" for n in range(1, 7)]
    assert [due for _, due, _ in sessions] == [date(2027, m, 15) for m in range(1, 7)]
    assert {minutes for _, _, minutes in sessions} == {60}
    assert sessions[-1][1] < add_months(START, 6)
    assert not _sessions(plan, ItemKind.CHECKIN)


def test_twelve_month_managed_has_monthly_sessions_and_quarterly_trainer_checkins():
    plan = new_plan("twelve-month-managed", START)
    assert [due for _, due, _ in _sessions(plan)] == [add_months(START, m) for m in range(12)]
    checkins = _sessions(plan, ItemKind.CHECKIN)
    assert checkins == [(f"checkin:{n}", add_months(START, 3 * n), 30) for n in range(1, 5)]


def test_a_plan_from_scratch_has_only_what_is_given():
    assert new_plan("scratch", START).items == ()
    weekly = new_plan("scratch", START, series=[SessionSeries(Cadence.WEEKLY, 3, 45)])
    assert [(due, minutes) for _, due, minutes in _sessions(weekly)] == [
        (START, 45),
        (date(2027, 1, 22), 45),
        (date(2027, 1, 29), 45),
    ]


def test_every_template_is_there():
    assert {"six-sessions", "twelve-month-managed", "scratch"} <= set(TEMPLATES)
    with pytest.raises(RuleViolation, match="Unknown plan template 'yearly'") as exc:
        new_plan("yearly", START)
    assert exc.value.field == "template"


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [
        (Cadence.WEEKLY, [date(2027, 1, 31), date(2027, 2, 7), date(2027, 2, 14)]),
        (Cadence.FORTNIGHTLY, [date(2027, 1, 31), date(2027, 2, 14), date(2027, 2, 28)]),
        (Cadence.MONTHLY, [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]),
        (Cadence.QUARTERLY, [date(2027, 1, 31), date(2027, 4, 30), date(2027, 7, 31)]),
    ],
)
def test_session_dates_by_cadence_without_drift(cadence, expected):
    assert session_dates(date(2027, 1, 31), SessionSeries(cadence, 3, 60)) == expected


def test_add_months_across_years_and_leap_days():
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)


def test_a_series_replaces_the_template_sessions():
    plan = new_plan("six-sessions", START, series=[SessionSeries(Cadence.FORTNIGHTLY, 2, 90)])
    assert _sessions(plan) == [("session:1", START, 90), ("session:2", date(2027, 1, 29), 90)]


@pytest.mark.parametrize(
    ("series", "field"),
    [
        (SessionSeries(Cadence.WEEKLY, 0, 60), "count"),
        (SessionSeries(Cadence.WEEKLY, 105, 60), "count"),
        (SessionSeries(Cadence.WEEKLY, 3, 10), "duration_minutes"),
        (SessionSeries(Cadence.WEEKLY, 3, 60, first_after=-1), "first_after"),
    ],
)
def test_a_bad_series_is_refused(series, field):
    with pytest.raises(RuleViolation) as exc:
        new_plan("scratch", START, series=[series])
    assert exc.value.field == field


# ---------------------------------------------------------------- modules


def test_modules_are_due_relative_to_the_start():
    plan = new_plan("six-sessions", START, [ModuleTarget("e-reputation", 60), ModuleTarget("mobile-first", 150)])
    assert plan.item("module:e-reputation").due == date(2027, 3, 16)
    assert plan.item("module:mobile-first").module_slug == "mobile-first"
    assert plan.item("module:mobile-first").due == date(2027, 6, 14)
    assert [i.key for i in plan.by_date][:3] == ["session:1", "session:2", "session:3"]


def test_a_module_is_in_a_plan_once_and_within_range():
    with pytest.raises(RuleViolation, match="in the plan twice"):
        new_plan("scratch", START, [ModuleTarget("e-reputation", 10), ModuleTarget("e-reputation", 20)])
    with pytest.raises(RuleViolation, match="0 to 3653 days"):
        new_plan("scratch", START, [ModuleTarget("e-reputation", -1)])


def test_a_template_spreads_modules_over_its_length():
    targets = TEMPLATES["six-sessions"].spread(["a", "b", "c"])
    assert targets == (ModuleTarget("a", 60), ModuleTarget("b", 120), ModuleTarget("c", 180))


def test_a_module_added_later_is_in_the_history():
    plan = new_plan("six-sessions", START)
    later = add_module(plan, ModuleTarget("new-software", 30), TRAINER, AT)
    assert later.item("module:new-software").due == date(2027, 2, 14)
    assert later.history == (Change("module:new-software", "added", None, date(2027, 2, 14), TRAINER, AT),)
    with pytest.raises(RuleViolation, match="twice"):
        add_module(later, ModuleTarget("new-software", 40), TRAINER, AT)


# ---------------------------------------------------------------- rescheduling and history


def test_rescheduling_returns_a_new_plan_and_records_who_what_old_new_when():
    plan = new_plan("six-sessions", START, [ModuleTarget("e-reputation", 60)])
    moved = reschedule(plan, "session:2", date(2027, 2, 22), DM, AT, reason=" Holiday ")
    assert plan.item("session:2").due == date(2027, 2, 15) and plan.history == ()
    assert moved.item("session:2").due == date(2027, 2, 22)
    assert moved.history == (Change("session:2", "due", date(2027, 2, 15), date(2027, 2, 22), DM, AT, "Holiday"),)
    assert [i.key for i in moved.items] == [i.key for i in plan.items]


def test_history_is_never_lost():
    plan = new_plan("six-sessions", START, [ModuleTarget("e-reputation", 60)])
    plan = reschedule(plan, "module:e-reputation", date(2027, 4, 1), TRAINER, AT)
    plan = reschedule(plan, "session:3", date(2027, 3, 20), DM, AT + timedelta(days=1))
    plan = reschedule(plan, "module:e-reputation", date(2027, 4, 15), DM, AT + timedelta(days=2), "more time")
    plan = mark_done(plan, "session:1", date(2027, 1, 15), DM, AT + timedelta(days=3))
    assert [(c.item_key, c.what, c.old, c.new, c.actor_id) for c in plan.history] == [
        ("module:e-reputation", "due", date(2027, 3, 16), date(2027, 4, 1), TRAINER),
        ("session:3", "due", date(2027, 3, 15), date(2027, 3, 20), DM),
        ("module:e-reputation", "due", date(2027, 4, 1), date(2027, 4, 15), DM),
        ("session:1", "done_on", None, date(2027, 1, 15), DM),
    ]
    assert [c.at for c in plan.history] == [AT + timedelta(days=n) for n in range(4)]


def test_rescheduling_rules():
    plan = new_plan("six-sessions", START)
    with pytest.raises(NotFound, match="no item session:9"):
        reschedule(plan, "session:9", date(2027, 5, 1), DM, AT)
    with pytest.raises(RuleViolation, match="same as the current one"):
        reschedule(plan, "session:2", date(2027, 2, 15), DM, AT)
    with pytest.raises(RuleViolation, match=r"before the plan starts \(2027-01-15\)"):
        reschedule(plan, "session:2", date(2027, 1, 14), DM, AT)
    with pytest.raises(RuleViolation, match="too long"):
        reschedule(plan, "session:2", date(2027, 2, 16), DM, AT, "x" * 501)
    with pytest.raises(ValueError, match="timezone-aware"):
        reschedule(plan, "session:2", date(2027, 2, 16), DM, datetime(2027, 1, 1))
    done = mark_done(plan, "session:2", date(2027, 2, 15), DM, AT)
    with pytest.raises(RuleViolation, match="already done"):
        reschedule(done, "session:2", date(2027, 2, 16), DM, AT)
    with pytest.raises(RuleViolation, match="already done"):
        mark_done(done, "session:2", date(2027, 2, 16), DM, AT)
    with pytest.raises(RuleViolation, match="before the plan starts"):
        mark_done(plan, "session:3", date(2026, 12, 1), DM, AT)


def test_overdue_items():
    plan = new_plan("six-sessions", START, [ModuleTarget("e-reputation", 30)])
    plan = mark_done(plan, "session:1", START, DM, AT)
    assert [i.key for i in plan.overdue(date(2027, 2, 15))] == ["module:e-reputation"]
    assert [i.key for i in plan.overdue(date(2027, 2, 16))] == ["module:e-reputation", "session:2"]
    assert plan.overdue(START) == ()


# ---------------------------------------------------------------- the long-term plan


def test_quarters():
    quarter = Quarter.parse("2027-Q1")
    assert (quarter.year, quarter.number, str(quarter)) == (2027, 1, "2027-Q1")
    assert (quarter.first_day, quarter.last_day) == (date(2027, 1, 1), date(2027, 3, 31))
    assert Quarter.parse("2028-Q4").last_day == date(2028, 12, 31)
    assert Quarter.of(date(2027, 8, 9)) == Quarter(2027, 3)
    assert sorted([Quarter(2028, 1), Quarter(2027, 4), Quarter(2027, 2)]) == [
        Quarter(2027, 2),
        Quarter(2027, 4),
        Quarter(2028, 1),
    ]
    for bad in ("2027-Q5", "2027Q1", "Q1-2027", "2027-q1", ""):
        with pytest.raises(RuleViolation, match="not a quarter like 2027-Q1"):
            Quarter.parse(bad)


LONG = {
    "cohort-2027": {"2027-Q1": ["e-reputation", "mobile-first"], "2027-Q2": ["new-software"], "2028-Q1": ["personal-branding"]},
    "cohort-2028": {"2028-Q1": ["e-reputation"], "2028-Q3": []},
}


def test_a_long_term_plan_over_several_years():
    plan = long_term_plan(LONG)
    assert plan.cohorts == ("cohort-2027", "cohort-2028")
    assert list(plan.entries) == [
        ("cohort-2027", Quarter(2027, 1)),
        ("cohort-2027", Quarter(2027, 2)),
        ("cohort-2027", Quarter(2028, 1)),
        ("cohort-2028", Quarter(2028, 1)),
    ]
    assert plan.entries[("cohort-2027", Quarter(2027, 1))] == ("e-reputation", "mobile-first")


def test_a_module_is_planned_once_per_cohort():
    with pytest.raises(RuleViolation, match="cohort-2027 has module e-reputation in both 2027-Q1 and 2027-Q3"):
        long_term_plan({"cohort-2027": {"2027-Q1": ["e-reputation"], "2027-Q3": ["e-reputation"]}})
    with pytest.raises(RuleViolation, match="not a quarter"):
        long_term_plan({"cohort-2027": {"2027-1": ["e-reputation"]}})


def test_progress_against_the_long_term_plan():
    plan = long_term_plan(LONG)
    actual = {
        "cohort-2027": {
            "e-reputation": date(2027, 3, 2),
            "mobile-first": date(2027, 4, 20),
            "new-software": None,
            "personal-branding": date(2027, 12, 1),
        },
    }
    rows = {(r.cohort, str(r.quarter)): r for r in progress_against(plan, actual, date(2027, 5, 10))}
    q1 = rows[("cohort-2027", "2027-Q1")]
    assert (q1.planned, q1.completed, q1.late, q1.open) == (
        ("e-reputation", "mobile-first"),
        ("e-reputation", "mobile-first"),
        ("mobile-first",),
        (),
    )
    q2 = rows[("cohort-2027", "2027-Q2")]
    assert (q2.completed, q2.late, q2.open) == ((), (), ("new-software",))  # the quarter is still running
    ahead = rows[("cohort-2027", "2028-Q1")]
    assert (ahead.completed, ahead.late) == ((), ())  # a completion dated after today does not count yet
    other = rows[("cohort-2028", "2028-Q1")]
    assert (other.completed, other.late) == ((), ())
    # a year on, what was not done is late
    rows = {(r.cohort, str(r.quarter)): r for r in progress_against(plan, actual, date(2028, 5, 1))}
    assert rows[("cohort-2027", "2027-Q2")].late == ("new-software",)
    assert rows[("cohort-2027", "2028-Q1")].completed == ("personal-branding",) and rows[("cohort-2027", "2028-Q1")].late == ()
    assert rows[("cohort-2028", "2028-Q1")].late == ("e-reputation",)


def test_a_quarter_is_late_only_after_its_last_day():
    plan = long_term_plan({"c": {"2027-Q1": ["m"]}})
    assert progress_against(plan, {}, date(2027, 3, 31))[0].late == ()
    assert progress_against(plan, {}, date(2027, 4, 1))[0].late == ("m",)
    assert progress_against(plan, {"c": {"m": date(2027, 3, 31)}}, date(2027, 4, 1))[0].late == ()
