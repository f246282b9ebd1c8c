"""The events' rules: times in a zone (daylight saving gaps and folds), links, the waiting list's order,
attendance from launches, follow-ups, CSV cells, and a follow-up in a plan that only the partner marks done."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from plugin.domain import events, plans
from plugin.domain.errors import RuleViolation

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _draft(**over) -> events.EventDraft:
    values = dict(kind="webinar", title="Webinar", description="", starts_local=datetime(2027, 3, 10, 14, 0), ends_local=datetime(2027, 3, 10, 15, 30),
                  timezone="Europe/Amsterdam", place="", online_url="https://meet.example.org/x", capacity=10, deadline_local=None)  # fmt: skip
    values.update(over)
    return events.EventDraft(**values)


def test_times_are_stored_in_utc_from_the_zone_they_were_planned_in():
    checked = events.check_event(_draft(), NOW)
    assert checked.starts_at == datetime(2027, 3, 10, 13, 0, tzinfo=UTC) and checked.registration_deadline == checked.starts_at
    assert events.local(checked.starts_at, "America/New_York").hour == 8
    summer = events.check_event(_draft(starts_local=datetime(2027, 7, 1, 14, 0), ends_local=datetime(2027, 7, 1, 15, 0)), NOW)
    assert summer.starts_at.hour == 12  # CEST


def test_a_skipped_hour_is_refused_and_a_repeated_one_is_its_first_occurrence():
    with pytest.raises(RuleViolation, match="does not exist") as gap:
        events.to_utc(datetime(2027, 3, 28, 2, 30), "Europe/Amsterdam", "starts_local")
    assert gap.value.field == "starts_local"
    assert events.to_utc(datetime(2027, 10, 31, 2, 30), "Europe/Amsterdam", "x") == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": "ftp://files.example.org"}, "online_url"),
        ({"online_url": "https://exa mple.org"}, "online_url"),
        ({"online_url": "", "place": ""}, "place"),
        ({"ends_local": datetime(2027, 3, 10, 13, 0)}, "ends_local"),
        ({"ends_local": datetime(2027, 3, 30, 13, 0)}, "ends_local"),
        ({"starts_local": datetime(2027, 2, 1, 10, 0), "ends_local": datetime(2027, 2, 1, 11, 0)}, "starts_local"),
        ({"starts_local": None}, "starts_local"),
        ({"deadline_local": datetime(2027, 3, 10, 14, 1)}, "deadline_local"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": None}, "capacity"),
    ],
)
def test_a_draft_names_what_to_correct(over, field):
    with pytest.raises(RuleViolation) as refused:
        events.check_event(_draft(**over), NOW)
    assert refused.value.field == field


def test_capacity_cannot_drop_below_the_seats_taken_and_an_edit_may_keep_a_past_start():
    with pytest.raises(RuleViolation, match="4 people hold a seat"):
        events.check_event(_draft(capacity=3), NOW, registered=4)
    assert events.check_event(_draft(starts_local=datetime(2027, 2, 1, 10, 0), ends_local=datetime(2027, 2, 1, 11, 0)), NOW, new=False).capacity == 10


def test_seats_then_the_waiting_list_in_order_and_a_freed_seat_to_the_first():
    assert [events.seat_for(n, 10).value for n in (0, 9, 10, 12)] == ["registered", "registered", "waiting", "waiting"]
    assert events.seat_for(3, 10, waiting=1) is events.Seat.WAITING  # nobody jumps the queue
    assert events.to_promote(10, 9, [7, 8, 9]) == [7] and events.to_promote(12, 9, [7, 8, 9, 4]) == [7, 8, 9] and events.to_promote(10, 10, [7]) == []
    with pytest.raises(RuleViolation, match="closed"):
        events.registration_open("scheduled", NOW, NOW)
    with pytest.raises(RuleViolation, match="cancelled"):
        events.registration_open("cancelled", NOW + timedelta(days=1), NOW)


def test_attendance_from_launches_counts_the_window_from_shortly_before_the_start():
    start, end = NOW, NOW + timedelta(hours=2)
    assert events.attended_by_launch(start, end, [NOW - timedelta(minutes=10)])
    assert events.attended_by_launch(start, end, [end])
    assert not events.attended_by_launch(start, end, [NOW - timedelta(minutes=16), end + timedelta(seconds=1)])
    assert events.attended_by_launch(start.replace(tzinfo=None), end.replace(tzinfo=None), [NOW + timedelta(hours=1)])  # SQLite's naive UTC


def test_follow_ups_and_csv_cells():
    assert events.check_followup(" Try it ", date(2027, 3, 11), date(2027, 3, 10)) == ("Try it", date(2027, 3, 11))
    for text, due, field in (("", date(2027, 3, 11), "text"), ("x" * 501, date(2027, 3, 11), "text"), ("Try", None, "due_on"), ("Try", date(2027, 3, 9), "due_on")):
        with pytest.raises(RuleViolation) as refused:
            events.check_followup(text, due, date(2027, 3, 10))
        assert refused.value.field == field
    assert [events.safe_cell(t) for t in ("=1+1", "+31", "-x", "@SUM", "Ada", "")] == ["'=1+1", "'+31", "'-x", "'@SUM", "Ada", ""]


def test_a_follow_up_in_a_plan_is_added_with_history_and_only_the_partner_marks_it_done():
    at = datetime(2027, 3, 12, 10, 0, tzinfo=UTC)
    plan = plans.new_plan("scratch", date(2027, 3, 1))
    item = events.followup_plan_item(7, "Show your partner the notes", date(2027, 3, 20), confirm_by=22)
    plan = plans.add_item(plan, item, actor_id=5, at=at)
    assert plan.item("followup:7").text == "Show your partner the notes" and plan.history[-1].what == "added" and plan.history[-1].actor_id == 5
    with pytest.raises(RuleViolation, match="already"):
        plans.add_item(plan, item, actor_id=5, at=at)
    with pytest.raises(RuleViolation, match="partner") as refused:
        plans.mark_done(plan, "followup:7", date(2027, 3, 15), actor_id=21, at=at)
    assert refused.value.field == "confirm_by"
    done = plans.mark_done(plan, "followup:7", date(2027, 3, 15), actor_id=22, at=at)
    assert done.item("followup:7").done_on == date(2027, 3, 15) and done.history[-1].actor_id == 22
