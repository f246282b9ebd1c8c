"""The mentoring agreement: both members sign it, once each, acknowledging the five principles, before the tandem opens."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from plugin.domain.agreements import Agreement, Principle, Signature, draft, is_open, sign
from plugin.domain.errors import NotAllowed, RuleViolation
from plugin.domain.plans import Cadence
from plugin.domain.signoffs import Tandem

DM, SE, TRAINER = 1, 2, 90
TANDEM = Tandem(10, DM, SE)
AT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
TERMS = "What we share stays between us, unless someone is at risk."


def agreement() -> Agreement:
    return draft(TANDEM, ["Use Teams with confidence", "Present at a conference"], Cadence.MONTHLY, 60, TERMS)


def test_a_draft_holds_goals_cadence_confidentiality_and_the_five_principles():
    found = agreement()
    assert found.goals == ("Use Teams with confidence", "Present at a conference")
    assert (found.cadence, found.duration_minutes, found.confidentiality) == (Cadence.MONTHLY, 60, TERMS)
    assert [p.value for p in found.principles] == ["space", "respect", "patience", "perseverance", "acceptance"]
    assert found.signatures == () and not is_open(found)


def test_the_tandem_opens_only_when_both_have_signed():
    one = sign(agreement(), SE, AT)
    assert not is_open(one) and one.waiting_for == (DM,)
    both = sign(one, DM, AT + timedelta(hours=2))
    assert is_open(both) and both.waiting_for == ()
    assert both.signatures == (Signature(SE, AT), Signature(DM, AT + timedelta(hours=2)))


def test_signing_returns_a_new_agreement():
    original = agreement()
    signed = sign(original, DM, AT)
    assert original.signatures == () and signed.signed_by(DM) and not original.signed_by(DM)


def test_signing_twice_is_refused():
    once = sign(agreement(), DM, AT)
    with pytest.raises(RuleViolation, match="already signed"):
        sign(once, DM, AT)
    both = sign(once, SE, AT)
    with pytest.raises(RuleViolation, match="already signed"):
        sign(both, SE, AT)


@pytest.mark.parametrize("stranger", [TRAINER, 3])
def test_only_the_members_sign(stranger):
    with pytest.raises(NotAllowed, match="Only the two members"):
        sign(agreement(), stranger, AT)


def test_every_principle_must_be_acknowledged():
    with pytest.raises(RuleViolation, match="still open: patience, acceptance") as exc:
        sign(agreement(), DM, AT, acknowledged=[Principle.SPACE, Principle.RESPECT, Principle.PERSEVERANCE])
    assert exc.value.field == "principles"
    with pytest.raises(RuleViolation, match="still open: space"):
        sign(agreement(), DM, AT, acknowledged=[])
    assert sign(
        agreement(), DM, AT, acknowledged=["space", "respect", "patience", "perseverance", "acceptance", "extra"]
    ).signed_by(DM)


def test_a_signature_time_must_have_a_time_zone():
    with pytest.raises(ValueError, match="timezone-aware"):
        sign(agreement(), DM, datetime(2027, 1, 4, 9, 0))


@pytest.mark.parametrize(
    ("goals", "cadence", "minutes", "terms", "field"),
    [
        ([], Cadence.MONTHLY, 60, TERMS, "goals"),
        (["  ", ""], Cadence.MONTHLY, 60, TERMS, "goals"),
        ([f"goal {n}" for n in range(11)], Cadence.MONTHLY, 60, TERMS, "goals"),
        (["x" * 501], Cadence.MONTHLY, 60, TERMS, "goals"),
        (["goal"], "daily", 60, TERMS, "cadence"),
        (["goal"], Cadence.WEEKLY, 10, TERMS, "duration_minutes"),
        (["goal"], Cadence.WEEKLY, 481, TERMS, "duration_minutes"),
        (["goal"], Cadence.WEEKLY, 60, "   ", "confidentiality"),
        (["goal"], Cadence.WEEKLY, 60, "x" * 5001, "confidentiality"),
    ],
)
def test_a_draft_is_checked(goals, cadence, minutes, terms, field):
    with pytest.raises(RuleViolation) as exc:
        draft(TANDEM, goals, cadence, minutes, terms)
    assert exc.value.field == field


def test_blank_goals_are_dropped_and_text_trimmed():
    found = draft(TANDEM, ["  Learn Teams ", "", "   "], "fortnightly", 45, f"  {TERMS}\n")
    assert (found.goals, found.cadence, found.confidentiality) == (("Learn Teams",), Cadence.FORTNIGHTLY, TERMS)


def test_a_programme_with_fewer_principles_asks_only_those():
    narrow = replace(agreement(), principles=(Principle.RESPECT,))
    assert is_open(sign(sign(narrow, DM, AT, [Principle.RESPECT]), SE, AT, ["respect"]))
