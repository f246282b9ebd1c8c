"""Group mentoring's rules: a new group's fields, who may know a group exists, and what joining does."""

from __future__ import annotations

import pytest

from plugin.domain.errors import NotAllowed, RuleViolation
from plugin.domain.groups import MAX_CAPACITY, GroupKind, NewGroup, Standing, check_new_group, join_outcome, listed, visible

OFFERED = ("e-reputation", "board-work", "ai-basics", "data")


def _new(**changes) -> NewGroup:
    values = {"name": "  Board practice  ", "purpose": " Learn the board ", "kind": "closed", "capacity": 4, "modules": ("e-reputation", "e-reputation", "board-work")}
    values.update(changes)
    return NewGroup(**values)


def test_a_new_group_is_trimmed_and_its_modules_deduplicated():
    checked = check_new_group(_new(), OFFERED)
    assert (checked.name, checked.purpose, checked.modules) == ("Board practice", "Learn the board", ("e-reputation", "board-work"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"purpose": "x" * 2001}, "purpose"),
        ({"kind": "focused"}, "kind"),  # focused mentorings come from the mentor network
        ({"kind": "secret"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": MAX_CAPACITY + 1}, "capacity"),
        ({"capacity": None}, "capacity"),
        ({"modules": ()}, "modules"),
        ({"modules": ("e-reputation", "board-work", "ai-basics", "data")}, "modules"),
        ({"modules": ("elsewhere",)}, "modules"),
    ],
)
def test_a_new_group_names_what_to_correct(changes, field):
    with pytest.raises(RuleViolation) as refused:
        check_new_group(_new(**changes), OFFERED)
    assert refused.value.field == field


def test_who_knows_a_group_exists():
    for kind in GroupKind:
        for standing in (Standing.MENTOR, Standing.MEMBER, Standing.INVITED, Standing.TRAINER):
            assert visible(kind, standing)
        assert visible(kind, Standing.OUTSIDER) is (kind in (GroupKind.OPEN, GroupKind.CLOSED))
        assert visible(kind, Standing.PENDING) is (kind in (GroupKind.OPEN, GroupKind.CLOSED))
    assert not listed(GroupKind.FOCUSED) and all(listed(k) for k in (GroupKind.OPEN, GroupKind.CLOSED, GroupKind.PRIVATE))


def test_joining_an_open_group_takes_a_place_and_a_closed_one_asks():
    assert join_outcome("open", Standing.OUTSIDER, 2, 3) == "member"
    assert join_outcome("closed", Standing.OUTSIDER, 3, 3) == "pending"  # the mentor checks the room on approval
    with pytest.raises(RuleViolation, match="full"):
        join_outcome("open", Standing.OUTSIDER, 3, 3)
    with pytest.raises(RuleViolation):
        join_outcome("closed", Standing.PENDING, 0, 3)
    for standing in (Standing.MENTOR, Standing.MEMBER, Standing.TRAINER):
        with pytest.raises(NotAllowed):
            join_outcome("open", standing, 0, 3)
    for kind in ("private", "focused"):
        with pytest.raises(NotAllowed):
            join_outcome(kind, Standing.OUTSIDER, 0, 3)
