"""The mentor network's pure rules: open needs, who helps with what, the aligned modules, the module choice,
a focused mentoring's status and every refusal of a request."""

from __future__ import annotations

import pytest

from plugin.domain import network_requests as nr
from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.domain.matching import Person, Rules, reporting_lines
from plugin.services.curricula import load_catalogue

D, E = Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT
DANA = Person("dana", D, frozenset({"en"}), offers={"digcomp:2.6": 6}, wants={"lifecomp:L2": 5, "lifecomp:S1": 3, "entrecomp:2.5": 4}, current={"entrecomp:2.5": 1}, manager="max")
EVERT = Person("evert", E, frozenset({"en"}), offers={"lifecomp:S1": 6, "lifecomp:L2": 2}, wants={"digcomp:2.6": 5})
MARA = Person("mara", E, frozenset({"en"}), offers={"lifecomp:L2": 6, "entrecomp:2.5": 6})
MAX = Person("max", E, frozenset({"en"}), offers={"lifecomp:L2": 7})
NOLAN = Person("nolan", E, frozenset({"de"}), offers={"lifecomp:L2": 7})
VETO = Person("vera", E, frozenset({"en"}), offers={"lifecomp:L2": 7}, vetoes=frozenset({"dana"}))
OLGA = Person("olga", D, frozenset({"en"}), offers={"digcomp:2.6": 8})
LOW = Person("lou", E, frozenset({"en"}), offers={"lifecomp:L2": 2})


def test_open_needs_and_who_helps_with_what():
    needs = nr.open_needs(DANA, [EVERT])
    assert [(n.competence, n.wanted, n.reached) for n in needs] == [("entrecomp:2.5", 4, 1), ("lifecomp:L2", 5, 2)]  # S1 is covered; equal gaps by key
    assert nr.helps_with(DANA, EVERT) == {"lifecomp:S1": 3, "lifecomp:L2": 2}
    assert nr.helps_with(EVERT, DANA) == {"digcomp:2.6": 5}
    assert nr.open_needs(DANA, [])[0].reached == 0


def test_aligned_modules_and_the_choice():
    modules = load_catalogue().latest()
    assert [m.slug for m in nr.aligned_modules("lifecomp:L2", E, modules)] == ["e-reputation"]
    assert nr.aligned_modules("lifecomp:L2", D, modules) == []  # the digital track teaches DigComp only
    assert nr.choose_module("lifecomp:L2", E, modules, None).slug == "e-reputation"
    with pytest.raises(nr.AskRefused) as several:
        nr.choose_module("entrecomp:2.5", E, modules, None)
    assert several.value.reason == "choose_module" and several.value.field == "module"
    assert nr.choose_module("entrecomp:2.5", E, modules, "personal-branding").slug == "personal-branding"
    with pytest.raises(nr.AskRefused, match="choose one"):
        nr.choose_module("entrecomp:2.5", E, modules, "mobile-first")
    with pytest.raises(nr.AskRefused) as none:
        nr.choose_module("lifecomp:L2", E, [m for m in modules if m.slug != "e-reputation"], None)
    assert none.value.reason == "no_module"


@pytest.mark.parametrize(
    ("status", "group", "done", "expected"),
    [("pending", "active", False, nr.ASKED), ("member", "active", False, nr.ACTIVE), ("member", "active", True, nr.COMPLETED),
     ("member", "ended", False, nr.COMPLETED), ("declined", "active", False, nr.DECLINED), ("left", "active", False, nr.WITHDRAWN)],
)  # fmt: skip
def test_status(status, group, done, expected):
    assert nr.status_of(status, group, done) == expected


def _check(mentor, competence="lifecomp:L2", rules=Rules(), **overrides):
    people = [DANA, EVERT, MARA, MAX, NOLAN, VETO, OLGA, LOW]
    values = {
        "partners": {"evert"}, "needs": nr.open_needs(DANA, [EVERT]), "rules": rules, "lines": reporting_lines(people, rules),
        "open_for_need": False, "declined_by_mentor": False, "mentor_load": 0, "mentor_cap": 1,
    } | overrides  # fmt: skip
    return nr.check_ask(DANA, mentor, competence, **values)


@pytest.mark.parametrize(
    ("mentor", "competence", "overrides", "reason"),
    [
        (MARA, "lifecomp:S1", {}, "not_open"), (None, "lifecomp:L2", {}, "not_offered"), (DANA, "lifecomp:L2", {}, "self"),
        (EVERT, "lifecomp:L2", {}, "partner"), (OLGA, "lifecomp:L2", {}, "not_offered"), (LOW, "lifecomp:L2", {}, "not_offered"),
        (MAX, "lifecomp:L2", {}, "reporting_line"), (NOLAN, "lifecomp:L2", {}, "language"), (VETO, "lifecomp:L2", {}, "unavailable"),
        (MARA, "lifecomp:L2", {"open_for_need": True}, "open"), (MARA, "lifecomp:L2", {"declined_by_mentor": True}, "declined"),
        (MARA, "lifecomp:L2", {"mentor_load": 1}, "full"), (MARA, "lifecomp:L2", {"mentor_cap": 0}, "full"),
    ],
)  # fmt: skip
def test_every_refusal(mentor, competence, overrides, reason):
    with pytest.raises(nr.AskRefused) as refused:
        _check(mentor, competence, **overrides)
    assert refused.value.reason == reason


def test_allowed_requests_and_the_programme_s_rules():
    assert _check(MARA) == nr.Need("lifecomp:L2", 5, 2)
    assert _check(MAX, rules=Rules(no_reporting_line=False)).competence == "lifecomp:L2"  # the programme allows one reporting line
    assert _check(NOLAN, rules=Rules(shared_language=False)).competence == "lifecomp:L2"
    earlier = Rules(exclude_earlier=True, earlier_pairs=frozenset({frozenset({"dana", "mara"})}))
    assert _check(MARA, rules=earlier).competence == "lifecomp:L2"  # an earlier partner may be asked


def test_text_bounds():
    assert nr.clean_text("  hello \n", 10, "message") == "hello"
    with pytest.raises(RuleViolation) as long:
        nr.clean_text("x" * 11, 10, "message")
    assert long.value.field == "message"
