"""A learner's group grade and tandem grade for the same module never overwrite each other: a group's module has
its own line item (``group-<id>:<slug>``, labelled with the module and the group), so a tandem score of 100 stays
on the tandem's line item when a group sign-off of the same module queues a lower score."""

from __future__ import annotations

import sqlalchemy as sa

from tests.web.programme_support import active_tandem
from tests.web.test_grades_overview import GROUP, _group_score

MODULE = "e-reputation"


def test_a_group_sign_off_does_not_supersede_the_tandem_score_of_the_same_module(app, platform, tool):
    from plugin.domain import scores
    from plugin.extensions import db
    from plugin.models import Placement, Programme, ScoreOutbox
    from plugin.models.base import utcnow
    from plugin.services import score_queue

    _browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    with app.app_context():
        prog = db.session.scalar(sa.select(Programme))
        row = score_queue.enqueue(
            db.session, organisation_id=prog.organisation_id, course_id=prog.course_id, slug=MODULE, version=1, label="E-reputation",
            person_id=person["digital"], score=lambda stamp: scores.Score(
                person_id=person["digital"], score_given=100, activity_progress=scores.ActivityProgress.COMPLETED, grading_progress=scores.GradingProgress.FULLY_GRADED, timestamp=stamp
            ),
            now=utcnow(), tandem_id=tandem_id,
        )
        assert row is not None, "the course offers a gradebook"
        db.session.commit()

    group_id = _group_score(app, person)

    with app.app_context():
        rows = db.session.execute(
            sa.select(ScoreOutbox, Placement.module_slug, Placement.label).join(Placement, Placement.id == ScoreOutbox.placement_id).where(ScoreOutbox.person_id == person["digital"]).order_by(ScoreOutbox.id)
        ).all()
        tandem = [(r.status, r.score_given, slug) for r, slug, _label in rows if r.tandem_id == tandem_id]
        group = [(r.status, r.score_given, slug, label) for r, slug, label in rows if r.group_id == group_id]
    assert [(score, slug) for _status, score, slug in tandem] == [(100, MODULE)]
    assert tandem[0][0] != "superseded"
    assert len(group) == 1 and group[0][0] != "superseded" and group[0][1] < 100
    assert group[0][2] == f"group-{group_id}:{MODULE}"
    assert group[0][3].endswith(f"({GROUP})")
