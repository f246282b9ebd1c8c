"""Circles, from a code review: dates past the calendar's range give a form error (never a 500, nothing written)."""

from __future__ import annotations


import sqlalchemy as sa

from tests.web.circles_support import people
from tests.web.programme_support import post, text_of


def _count(app, model) -> int:
    from plugin.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_circle_dates_out_of_range(app, platform, tool):
    from plugin.models import Circle

    browsers, person = people(app, platform, tool, {"ann": "Ann", "bob": "Bob", "cis": "Cis", "dirk": "Dirk"})
    trainer = browsers["trainer"]
    four = [person[k] for k in ("ann", "bob", "cis", "dirk")]
    new = "/circles/new"

    # a first meeting in year 9999: refused on the form, nothing written
    fields = [("name", "Far away"), ("cadence", "monthly"), ("starts_on", "9999-12-01"), ("starts_time", "10:00"), *(("members", str(m)) for m in four)]
    assert "at most three years ahead" in text_of(post(trainer, tool, new, fields, status=400, token_from=new).text)
    assert _count(app, Circle) == 0

