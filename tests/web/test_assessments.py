"""Self-assessments over HTTP: a participant fills in both questionnaires and their answers produce the
needs map (level by level, the want they set kept); taken again at the end, the growth page shows the
numbers; refused answers write nothing; the trainer chooses which questionnaires the programme uses."""

from __future__ import annotations

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.assessments_support import programme_with, table_rows
from tests.web.programme_support import INSTRUCTOR, LEARNER, get, launch, post, text_of

DIG = "digcomp-self-check"
LEAD = "global-leadership-self-check"
DIG_START = {"search": 4, "evaluate": 3, "organise": 2, "chat-video": 4, "mobile": 1, "share": 0, "co-edit": 3, "netiquette": 2, "identity": 1,
             "create": 4, "rework": 3, "licences": 2, "devices": 1, "privacy": 0, "wellbeing": 2, "problems": 3, "new-tools": 4, "gaps": 2}  # fmt: skip
LEAD_START = {"global-vision": 1, "opportunities": 0, "ethics": 2, "self-awareness": 4, "perseverance": 3, "mobilising": 0, "initiative": 1,
              "planning": 2, "ambiguity": 1, "alliances": 2, "learning": 3, "cultural-empathy": 1, "communication": 2, "listening": 4,
              "adaptability": 0, "growth-mindset": 3}  # fmt: skip
BEFORE = {"entrecomp:2.5": {"want": 6, "current": 1}, "lifecomp:S2": {"want": 3}, "digcomp:3.4": {"offer": 5}, "lifecomp:L3": {"want": 4, "current": 2}}


def _takes(app):
    from plugin.extensions import db
    from plugin.models import AssessmentTake

    with app.app_context():
        return [(t.questionnaire, t.version, t.kind, t.answers, t.levels) for t in db.session.scalars(sa.select(AssessmentTake).order_by(AssessmentTake.id))]


def _needs(app, person_id):
    from plugin.extensions import db
    from plugin.models import Participant

    with app.app_context():
        return db.session.scalar(sa.select(Participant.needs).where(Participant.person_id == person_id))


def test_answers_produce_the_needs_map_and_a_retake_shows_growth(app, platform, tool):
    trainer = new_browser()
    _programme_id, ids = programme_with(app, platform, tool, trainer, [{"subject": "dana", "side": "digital_mentor", "needs": BEFORE}])
    me = new_browser()
    launch(platform, me, LEARNER, user_id="dana", name="Dana Digital")

    page = get(me, tool, "/assessments")
    assert "Digital skills self-check (DigComp 2.2)" in page and "Global leadership self-check" in page and "Not taken yet." in page

    # refused: statements left open -> 400, each marked, nothing stored
    partial = {k: v for k, v in DIG_START.items() if k not in ("share", "gaps")} | {"privacy": "9"}
    response = post(me, tool, f"/assessments/take/{DIG}", partial, status=400, token_from=f"/assessments/take/{DIG}")
    text = text_of(response.text)
    assert "Nothing was saved." in text and "3 are not answered yet" in text
    assert 'id="item-share-error"' in response.text and 'id="item-gaps-error"' in response.text and 'id="item-privacy-error"' in response.text
    assert 'id="item-search-error"' not in response.text and 'value="4" checked' in response.text
    assert _takes(app) == [] and _needs(app, ids["dana"]) == BEFORE

    post(me, tool, f"/assessments/take/{DIG}", DIG_START | {"kind": "start"}, token_from=f"/assessments/take/{DIG}")
    post(me, tool, f"/assessments/take/{LEAD}", LEAD_START, token_from=f"/assessments/take/{LEAD}")

    # the needs map, level by level: DigComp (her own side) -> offers; the leadership check (what she learns) -> current, want kept
    assert _needs(app, ids["dana"]) == {
        "digcomp:1.1": {"offer": 8}, "digcomp:1.2": {"offer": 6}, "digcomp:1.3": {"offer": 4}, "digcomp:2.1": {"offer": 6},
        "digcomp:2.4": {"offer": 6}, "digcomp:2.5": {"offer": 4}, "digcomp:2.6": {"offer": 2}, "digcomp:3.1": {"offer": 8},
        "digcomp:3.2": {"offer": 6}, "digcomp:3.3": {"offer": 4}, "digcomp:4.1": {"offer": 2}, "digcomp:4.3": {"offer": 4},
        "digcomp:5.1": {"offer": 6}, "digcomp:5.2": {"offer": 8}, "digcomp:5.4": {"offer": 4},
        "digcomp:3.4": {"offer": 5},  # not measured: kept
        "entrecomp:1.1": {"want": 2}, "entrecomp:1.3": {"want": 4, "current": 2}, "entrecomp:1.5": {"want": 6, "current": 4},
        "entrecomp:2.2": {"want": 8, "current": 6}, "entrecomp:2.5": {"want": 6},  # her want 6 kept, today's level 0
        "entrecomp:3.1": {"want": 4, "current": 2}, "entrecomp:3.2": {"want": 6, "current": 4}, "entrecomp:3.3": {"want": 4, "current": 2},
        "entrecomp:3.4": {"want": 6, "current": 4}, "entrecomp:3.5": {"want": 8, "current": 6},
        "lifecomp:S1": {"want": 4, "current": 2}, "lifecomp:S2": {"want": 7, "current": 5},  # (2 + 0.5 x 4) / 1.5 = 2.67 -> 5; her want 3 reached
        "lifecomp:P2": {"want": 2}, "lifecomp:L1": {"want": 8, "current": 6},
        "lifecomp:L3": {"want": 4, "current": 2},  # not measured: kept
    }  # fmt: skip  (digcomp:2.2 and 4.2 at level 0: nothing to offer; entrecomp:2.1 at level 8: nothing left to learn)
    takes = _takes(app)
    assert [(q, v, k) for q, v, k, _a, _l in takes] == [(DIG, 1, "start"), (LEAD, 1, "start")]
    assert takes[0][3] == DIG_START and takes[0][4]["digcomp:2.1"] == 6 and takes[1][4]["entrecomp:2.1"] == 8 and takes[1][4]["lifecomp:S2"] == 5

    # the person can still edit the map afterwards (the needs map's own steps)
    summary = text_of(get(me, tool, "/profile"))
    assert "Fill in from a self-assessment" in summary

    # a retake must say when (milestone or end)
    later = {k: min(4, v + 1) for k, v in LEAD_START.items()}
    response = post(me, tool, f"/assessments/take/{LEAD}", later | {"kind": "start"}, status=400, token_from=f"/assessments/take/{LEAD}")
    assert "Choose when you take it" in text_of(response.text) and len(_takes(app)) == 2
    post(me, tool, f"/assessments/take/{LEAD}", later | {"kind": "end"}, token_from=f"/assessments/take/{LEAD}")
    post(me, tool, f"/assessments/take/{DIG}", DIG_START | {"share": 2, "privacy": 3, "kind": "milestone"}, token_from=f"/assessments/take/{DIG}")
    assert [k for _q, _v, k, _a, _l in _takes(app)] == ["start", "start", "end", "milestone"]
    assert _needs(app, ids["dana"])["entrecomp:2.5"] == {"want": 6, "current": 2} and _needs(app, ids["dana"])["digcomp:2.2"] == {"offer": 4}

    page = get(me, tool, "/assessments/growth")
    learned, taught = table_rows(page, "learned"), table_rows(page, "taught")
    assert learned["EntreComp 2.5 Mobilising others"] == ["0", "2", "+2"]
    assert learned["EntreComp 2.1 Self-awareness and self-efficacy"] == ["8", "8", "0"]
    assert learned["LifeComp S2 Communication"] == ["5", "6", "+1"]
    assert learned["EntreComp 1.1 Spotting opportunities"] == ["0", "2", "+2"]
    assert len(learned) == 15 and all(c.startswith(("EntreComp", "LifeComp")) for c in learned)
    assert taught["DigComp 2.2 Sharing through digital technologies"] == ["0", "4", "+4"]
    assert taught["DigComp 4.2 Protecting personal data and privacy"] == ["0", "6", "+6"]
    assert taught["DigComp 1.1 Browsing, searching and filtering data, information and digital content"] == ["8", "8", "0"]
    assert len(taught) == 17
    assert "What I learned" in page and "What I taught" in page and "(UTC)" in page
    assert "End: Global leadership self-check, version 1, on" in text_of(page) and "Milestone: Digital skills self-check (DigComp 2.2), version 1" in text_of(page)


def test_the_trainer_chooses_the_questionnaires(app, platform, tool):
    trainer = new_browser()
    programme_id, ids = programme_with(app, platform, tool, trainer, [{"subject": "erik", "side": "senior_expert"}], context_id="course-choose")
    context = {"id": "course-choose", "label": "course-choose", "title": "Course course-choose"}
    page = get(trainer, tool, "/assessments/setup")
    assert page.count('type="checkbox"') == 2 and page.count("checked") == 2  # default: both
    response = post(trainer, tool, "/assessments/setup", {}, status=400, token_from="/assessments/setup")
    assert "Choose at least one questionnaire." in text_of(response.text)
    response = post(trainer, tool, "/assessments/setup", {"questionnaires": "made-up"}, status=400, token_from="/assessments/setup")
    assert "Choose questionnaires from the list." in text_of(response.text)
    post(trainer, tool, "/assessments/setup", {"questionnaires": LEAD}, token_from="/assessments/setup")

    erik = new_browser()
    launch(platform, erik, LEARNER, user_id="erik", name="Erik Expert", context=context)
    page = get(erik, tool, "/assessments")
    assert "Global leadership self-check" in page and "Digital skills self-check" not in page
    get(erik, tool, f"/assessments/take/{DIG}", status=404)
    get(erik, tool, "/assessments/take/%E2%80%8Bjunk", status=404)
    post(erik, tool, f"/assessments/take/{DIG}", DIG_START, status=404, token_from="/assessments")
    post(erik, tool, f"/assessments/take/{LEAD}", LEAD_START, token_from=f"/assessments/take/{LEAD}")
    # an expert teaches what the leadership check measures: offers
    needs = _needs(app, ids["erik"])
    assert needs["entrecomp:2.1"] == {"offer": 8} and needs["lifecomp:S2"] == {"offer": 5} and "entrecomp:1.1" not in needs

    overview = text_of(get(trainer, tool, "/assessments/programme"))
    assert "Erik Expert" in overview and "Global leadership self-check" in overview
    growth = get(trainer, tool, f"/assessments/people/{ids['erik']}")
    assert table_rows(growth, "taught")["EntreComp 2.1 Self-awareness and self-efficacy"] == ["8", "8", "take it again to see"]
    launch(platform, trainer, INSTRUCTOR, context=context, user_id="trainer-course-choose")
    assert programme_id
