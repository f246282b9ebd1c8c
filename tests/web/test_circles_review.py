"""Circles, from a code review: dates past the calendar's range give a form error (never a 500, nothing written)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.web.circles_support import make_circle, people, today
from tests.web.programme_support import post, text_of


def _count(app, model) -> int:
    from plugin.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_circle_dates_out_of_range(app, platform, tool):
    from plugin.models import Circle, CircleMeeting, Participant

    browsers, person = people(app, platform, tool, {"ann": "Ann", "bob": "Bob", "cis": "Cis", "dirk": "Dirk"})
    trainer = browsers["trainer"]
    four = [person[k] for k in ("ann", "bob", "cis", "dirk")]
    new = "/circles/new"

    # a first meeting in year 9999: refused on the form, nothing written
    fields = [("name", "Far away"), ("cadence", "monthly"), ("starts_on", "9999-12-01"), ("starts_time", "10:00"), *(("members", str(m)) for m in four)]
    assert "at most three years ahead" in text_of(post(trainer, tool, new, fields, status=400, token_from=new).text)
    assert _count(app, Circle) == 0

    cid = make_circle(trainer, tool, "Board", four, starts_on=today() + timedelta(days=1))
    base = f"/circles/{cid}"

    # a meeting held on 0001-01-01 just after midnight in a zone east of UTC: a form error, not an overflow
    from plugin.extensions import db

    with app.app_context():
        db.session.execute(sa.update(Participant).where(Participant.person_id == person["ann"]).values(timezone="Asia/Tokyo"))
        db.session.commit()
    for held_on in ("0001-01-01", "9999-12-31"):
        refused = post(browsers["ann"], tool, f"{base}/meetings/new", {"held_on": held_on, "at": "08:00"}, status=400, token_from=base)
        assert "between 2000 and 2100" in text_of(refused.text)
    assert _count(app, CircleMeeting) == 0
