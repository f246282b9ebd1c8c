"""The dashboards' pure rules: filters from GET parameters (junk refused), months, the funnel, series per
month, plan item states at their thresholds, medians and when a track counts as complete."""

from __future__ import annotations

from datetime import date

import pytest

from plugin.domain.catalogue import Side
from plugin.domain.dashboards import Filters, Month, TrackCount, funnel, median, month_range, parse_filters, per_month, plan_chart, plan_state, track_complete
from plugin.domain.errors import RuleViolation


def test_filters_from_parameters():
    f = parse_filters({"cohort": "12", "side": "senior_expert", "department": " Finance ", "from": "2026-01", "to": "2026-03"})
    assert f == Filters(12, Side.SENIOR_EXPERT, "Finance", Month(2026, 1), Month(2026, 3))
    assert f.as_params() == {"cohort": "12", "side": "senior_expert", "department": "Finance", "from": "2026-01", "to": "2026-03"}
    assert parse_filters({"cohort": "", "side": "", "from": ""}) == Filters()
    assert f.within(date(2026, 3, 31)) and not f.within(date(2026, 4, 1)) and not f.within(date(2025, 12, 31)) and not f.within(None)
    assert Filters().within(None)


@pytest.mark.parametrize(
    "args, field",
    [({"cohort": "x"}, "cohort"), ({"cohort": "1" * 10}, "cohort"), ({"cohort": "-1"}, "cohort"), ({"side": "both"}, "side"), ({"department": "d" * 121}, "department"),
     ({"department": "a\x00"}, "department"), ({"from": "2026-13"}, "from"), ({"from": "2026-1"}, "from"), ({"to": "0999-01"}, "to"), ({"to": "9999-12"}, "to"),
     ({"from": "2026-05", "to": "2026-04"}, "to"), ({"page": "1"}, "page")],
)  # fmt: skip
def test_junk_filters_are_refused(args, field):
    with pytest.raises(RuleViolation) as caught:
        parse_filters(args)
    assert caught.value.field == field


def test_months_and_series():
    assert [str(m) for m in month_range(Month(2025, 11), Month(2026, 2))] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert len(month_range(Month(2000, 1), Month(2026, 12))) == 120
    chart = per_month({("2026-01", "a"): 2, ("2026-03", "b"): 1}, ("a", "b"), Filters(), date(2026, 4, 2), "x")
    assert chart.labels == ("2026-01", "2026-02", "2026-03", "2026-04")
    assert [s.values for s in chart.series] == [(2, 0, 0, 0), (0, 0, 1, 0)] and not chart.empty
    assert per_month({}, ("a",), Filters(), date(2026, 4, 2), "x").empty


def test_funnel_and_plan_states():
    chart = funnel({"joined": 10, "profile": 8, "module_complete": 1})
    assert chart.rows() == [("joined", 10), ("profile", 8), ("matched", 0), ("agreement", 0), ("active", 0), ("module_complete", 1)]
    assert funnel({}).empty
    today = date(2026, 5, 10)
    assert plan_state(date(2026, 5, 1), date(2026, 5, 1), today) == "done_on_time"
    assert plan_state(date(2026, 5, 1), date(2026, 5, 2), today) == "done_late"
    assert plan_state(date(2026, 5, 9), None, today) == "overdue"
    assert plan_state(date(2026, 5, 10), None, today) == "not_due"
    items = [(date(2026, 4, 1), None), (date(2026, 5, 1), date(2026, 4, 30)), (date(2026, 6, 1), None)]
    assert plan_chart(items, today, Filters()).series[0].values == (1, 0, 1, 1)
    assert plan_chart(items, today, Filters(start=Month(2026, 5))).series[0].values == (1, 0, 0, 1)


def test_medians_and_complete_tracks():
    assert median([1, 3, 2]) == 2.0 and median([1, 2]) == 1.5 and median([]) is None
    assert track_complete(TrackCount(4, None, None), 4, False)
    assert not track_complete(TrackCount(3, None, None), 4, False) and not track_complete(None, 4, False)
    assert not track_complete(TrackCount(4, None, None), 4, True)
    assert track_complete(TrackCount(4, 9, None), 4, True) and track_complete(TrackCount(4, 9, 5), 4, True)
    assert not track_complete(TrackCount(4, 5, 9), 4, True)  # a withdrawal after the countersignature voids it
