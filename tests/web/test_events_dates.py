"""Event dates at the calendar's ends (0001-01-01 east of UTC, 9999-12-31 west of it) are a form error over
HTTP, never an overflow into a 500, and nothing is written."""

from __future__ import annotations

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.events_support import event_form
from tests.web.programme_support import INSTRUCTOR, launch, post, set_up_programme, text_of


def test_event_dates_at_the_calendars_ends_are_refused_with_a_message(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Event

    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    set_up_programme(trainer, tool)
    for zone, field, value in (
        ("Asia/Tokyo", "starts_local", "0001-01-01T00:00"),
        ("America/New_York", "ends_local", "9999-12-31T23:00"),
        ("America/New_York", "starts_local", "9999-12-31T23:00"),
        ("Asia/Tokyo", "deadline_local", "0001-01-01T00:00"),
    ):
        refused = post(trainer, tool, "/events/new", event_form(zone=zone, **{field: value}), status=400, token_from="/events/new")
        assert "between 2000 and 2100" in text_of(refused.text), (zone, field)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
