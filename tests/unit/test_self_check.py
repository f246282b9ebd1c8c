"""The quick start's self-check: answers become a needs map that fits the person's side."""

from __future__ import annotations

import pytest

from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation
from plugin.domain.matching import DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES
from plugin.domain.needs_map import AREAS, missing_for_matching
from plugin.domain.self_check import LEARN_LEVELS, TEACH_LEVEL, THEMES, Answer, parse_answers, prefill, themes_for

ALL = {t.id: Answer.AT_EASE for t in THEMES}


def test_the_themes_cover_every_area_once_and_there_are_few_questions():
    covered = [area for theme in THEMES for area in theme.areas]
    assert sorted(covered) == sorted(a.id for a in AREAS) and len(covered) == len(set(covered))
    assert 5 <= len(THEMES) <= 8
    assert sorted(k for t in THEMES for k in t.keys) == sorted(DIGITAL_COMPETENCES + EXPERTISE_COMPETENCES)


def test_a_digital_mentor_offers_digcomp_and_wants_expertise():
    answers = {t.id: (Answer.CAN_TEACH if t.taught_by is Side.DIGITAL_MENTOR else Answer.NEW) for t in THEMES}
    needs = prefill(Side.DIGITAL_MENTOR, answers)
    assert {k: v for k, v in needs.items() if k.startswith("digcomp:")} == {k: {"offer": TEACH_LEVEL[Answer.CAN_TEACH]} for k in DIGITAL_COMPETENCES}
    assert {k: v for k, v in needs.items() if not k.startswith("digcomp:")} == {k: {"want": 3} for k in EXPERTISE_COMPETENCES}
    assert missing_for_matching("digital_mentor", ["en"], 1, needs) == ()


def test_a_senior_expert_gets_the_mirror_image():
    answers = {t.id: (Answer.AT_EASE if t.taught_by is Side.SENIOR_EXPERT else Answer.WITH_HELP) for t in THEMES}
    needs = prefill(Side.SENIOR_EXPERT, answers)
    assert all(needs[k] == {"offer": 4} for k in EXPERTISE_COMPETENCES)
    assert all(needs[k] == {"want": 4, "current": 2} for k in DIGITAL_COMPETENCES)


@pytest.mark.parametrize("answer", list(Answer))
def test_each_answer_maps_to_levels_that_make_sense(answer):
    for side in Side:
        needs = prefill(side, {t.id: answer for t in THEMES})
        for key, entry in needs.items():
            own = (key in DIGITAL_COMPETENCES) == (side is Side.DIGITAL_MENTOR)
            if own:
                assert set(entry) == {"offer"} and 1 <= entry["offer"] <= 8
            else:
                assert set(entry) <= {"want", "current"} and 0 <= entry.get("current", 0) < entry["want"] <= 8
        offered = any("offer" in e for e in needs.values())
        wanted = any("want" in e for e in needs.values())
        assert offered == (answer in TEACH_LEVEL) and wanted == (answer in LEARN_LEVELS)
    # more at ease: a higher level to teach, and a higher level today
    assert [TEACH_LEVEL.get(a, 0) for a in Answer] == sorted(TEACH_LEVEL.get(a, 0) for a in Answer)
    assert [LEARN_LEVELS[a][0] for a in sorted(LEARN_LEVELS)] == sorted(LEARN_LEVELS[a][0] for a in LEARN_LEVELS)


def test_unanswered_themes_keep_what_was_there_and_answered_ones_replace_it():
    before = {"digcomp:2.6": {"offer": 8}, "entrecomp:2.5": {"want": 7, "current": 1}, "digcomp:1.1": {"offer": 2}}
    after = prefill(Side.DIGITAL_MENTOR, {"information": Answer.NEW, "resources": Answer.CAN_TEACH}, before)
    assert after == {"digcomp:2.6": {"offer": 8}}  # information: nothing to teach; resources: nothing to learn
    assert before["digcomp:1.1"] == {"offer": 2}  # pure: the input is untouched


def test_themes_for_a_side_ask_first_what_it_teaches():
    order = themes_for(Side.SENIOR_EXPERT)
    assert [t.taught_by for t in order] == sorted((t.taught_by for t in order), key=lambda s: s is not Side.SENIOR_EXPERT)
    assert len(order) == len(THEMES)


def test_parse_answers_needs_every_question_answered_from_the_scale():
    assert parse_answers({t.id: "2" for t in THEMES}) == ALL
    with pytest.raises(RuleViolation) as missing:
        parse_answers({t.id: "1" for t in THEMES[1:]})
    assert missing.value.field == THEMES[0].id
    with pytest.raises(RuleViolation) as bad:
        parse_answers({t.id: ("9" if t is THEMES[2] else "1") for t in THEMES})
    assert bad.value.field == THEMES[2].id
    with pytest.raises(RuleViolation):
        prefill(Side.DIGITAL_MENTOR, {"no-such-theme": 1})
