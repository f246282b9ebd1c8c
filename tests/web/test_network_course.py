"""A focused mentoring belongs to its programme's course: its mentee and mentor launched from another course
of the same organisation do not find it (404), as for any other thing of a programme they are not in there."""

from __future__ import annotations

from tests.harness.browser import new_browser
from tests.web.network_support import PEOPLE, SEVERAL, network_scenario, seed_focused
from tests.web.programme_support import LEARNER, get, launch

OTHER_COURSE = {"id": "other-course", "label": "OTHER", "title": "Another course"}


def test_a_focused_mentoring_is_not_found_from_another_course(app, platform, tool):
    s = network_scenario(app, platform, tool, who=("dana", "evert", "mara"), admin=False)
    gid = seed_focused(app, s, "dana", "mara", SEVERAL, accepted=True)
    for key in ("dana", "mara"):
        get(s.browsers[key], tool, f"/network/focused/{gid}")
        elsewhere = new_browser(verify=False)
        launch(platform, elsewhere, LEARNER, user_id=key, name=PEOPLE[key][0], context=OTHER_COURSE)
        get(elsewhere, tool, f"/network/focused/{gid}", 404)
