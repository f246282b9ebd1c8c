"""The cohort's growth the dashboards draw: ``cohort_growth`` medians, people counted, filters."""

from __future__ import annotations

from tests.harness.browser import new_browser
from tests.web.assessments_support import add_take, programme_with


def test_cohort_growth_medians_people_and_filters(app, platform, tool):
    from plugin.extensions import db
    from plugin.services.assessments import GrowthRow, cohort_growth

    people = [
        {"subject": "d1", "side": "digital_mentor"},
        {"subject": "d2", "side": "digital_mentor"},
        {"subject": "d3", "side": "digital_mentor"},
        {"subject": "e1", "side": "senior_expert"},
        {"subject": "e2", "side": "senior_expert"},  # one take only: not counted
    ]
    programme_id, ids = programme_with(app, platform, tool, new_browser(), people, context_id="course-growth")
    with app.app_context():
        from plugin.models import Participant

        db.session.query(Participant).filter(Participant.person_id.in_([ids["d1"], ids["e1"]])).update({"department": "Sales"}, synchronize_session=False)
        db.session.commit()
    # digcomp:1.1 before/after: d1 2->5, d2 3->4, e1 1->6 (e2 one take); entrecomp:2.5: d1 0->2, d3 4->4 (start, milestone, end: first vs latest)
    add_take(app, programme_id, ids["d1"], {"digcomp:1.1": 2, "entrecomp:2.5": 0}, kind="start", days=0)
    add_take(app, programme_id, ids["d1"], {"digcomp:1.1": 5, "entrecomp:2.5": 2}, kind="end", days=90)
    add_take(app, programme_id, ids["d2"], {"digcomp:1.1": 3}, days=1)
    add_take(app, programme_id, ids["d2"], {"digcomp:1.1": 4}, kind="end", days=91)
    add_take(app, programme_id, ids["d3"], {"entrecomp:2.5": 4}, days=1)
    add_take(app, programme_id, ids["d3"], {"entrecomp:2.5": 1}, kind="milestone", days=40)
    add_take(app, programme_id, ids["d3"], {"entrecomp:2.5": 4}, kind="end", days=80)
    add_take(app, programme_id, ids["e1"], {"digcomp:1.1": 1}, days=2)
    add_take(app, programme_id, ids["e1"], {"digcomp:1.1": 6}, kind="end", days=92)
    add_take(app, programme_id, ids["e2"], {"digcomp:1.1": 7}, days=2)
    with app.app_context():
        rows = cohort_growth(db.session, programme_id)
        assert rows == [GrowthRow("digcomp:1.1", 2.0, 5.0, 3), GrowthRow("entrecomp:2.5", 2.0, 3.0, 2)]
        assert cohort_growth(db.session, programme_id, side="digital_mentor") == [GrowthRow("digcomp:1.1", 2.5, 4.5, 2), GrowthRow("entrecomp:2.5", 2.0, 3.0, 2)]
        assert cohort_growth(db.session, programme_id, side="senior_expert") == [GrowthRow("digcomp:1.1", 1.0, 6.0, 1)]
        assert cohort_growth(db.session, programme_id, department="Sales") == [GrowthRow("digcomp:1.1", 1.5, 5.5, 2), GrowthRow("entrecomp:2.5", 0.0, 2.0, 1)]
        assert cohort_growth(db.session, programme_id, side="senior_expert", department="Nowhere") == []
        assert cohort_growth(db.session, programme_id + 999) == []


def test_seed_example_gives_two_takes_each_and_growth(app, platform, tool):
    import sqlalchemy as sa

    from plugin.extensions import db
    from plugin.models import AssessmentTake, Participant
    from plugin.services.assessments import cohort_growth, seed_example

    people = [{"subject": "demo-d", "side": "digital_mentor"}, {"subject": "demo-e", "side": "senior_expert"}, {"subject": "demo-none", "side": "digital_mentor"}]
    programme_id, ids = programme_with(app, platform, tool, new_browser(), people, context_id="course-seed")
    with app.app_context():
        takes = seed_example(db.session, programme_id, [ids["demo-d"], ids["demo-e"]])
        db.session.commit()
        assert [(t.questionnaire, t.kind.value) for t in takes] == [
            ("digcomp-self-check", "start"), ("digcomp-self-check", "end"), ("global-leadership-self-check", "start"), ("global-leadership-self-check", "end")
        ] * 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentTake)) == 8
        rows = cohort_growth(db.session, programme_id)
        assert len(rows) == 17 + 15 and all(r.people == 2 and r.after_median > r.before_median for r in rows)
        needs = db.session.scalar(sa.select(Participant.needs).where(Participant.person_id == ids["demo-d"]))
        assert any("offer" in v for k, v in needs.items() if k.startswith("digcomp")) and any("want" in v for k, v in needs.items() if k.startswith("entrecomp"))
