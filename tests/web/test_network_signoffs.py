"""A focused mentoring signs off end to end, over real HTTPS against the platform harness: Dana asks Mara for
a focused mentoring on LifeComp L2, Mara accepts, signs off Dana's objectives of the expertise track of
e-reputation (the one module whose track Mara's side teaches on that need) on the group's work page, Dana's
score reaches the platform's gradebook, and the network shows the focused mentoring as completed."""

from __future__ import annotations

import time
from datetime import datetime

from tests.web.network_support import ONE_MODULE, network_scenario
from tests.web.programme_support import get, post, text_of

EXPERTISE = {"e1": 3, "e2": 3, "e3": 3, "e4": 2}  # e-reputation's expertise track: objective -> criteria
MODULE = "modules/e-reputation/v1"


def _wait(predicate, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_mentor_signs_off_the_mentee_and_the_score_reaches_the_gradebook(app, platform, tool):
    s = network_scenario(app, platform, tool, admin=False, who=("dana", "evert", "mara"))
    dana, mara = s.browsers["dana"], s.browsers["mara"]
    asked = post(dana, tool, "/network/ask", {"mentor": str(s.person["mara"]), "competence": ONE_MODULE, "module": "e-reputation"}, token_from="/network")
    gid = int(asked.headers["Location"].rsplit("/", 1)[1])
    post(mara, tool, f"/network/focused/{gid}/answer", {"response": "accept"}, token_from="/network")
    assert f'href="/groups/{gid}"' in get(dana, tool, f"/network/focused/{gid}")  # the work page

    work = f"/groups/{gid}/{MODULE}"
    for objective, criteria in EXPERTISE.items():
        fields = [("objective", objective), ("learner", str(s.person["dana"])), ("confirmed", "1"), *[("criterion", str(i)) for i in range(criteria)]]
        post(mara, tool, f"{work}/sign", fields, token_from=work)
    # Dana teaches nothing here: a focused mentoring works on the mentor's track only
    refused = post(dana, tool, f"{work}/sign", [("objective", "d1"), ("learner", str(s.person["mara"])), ("confirmed", "1"), ("criterion", "0")], status=None, token_from=work)
    assert refused.status_code in (400, 403)

    scores = _wait(lambda: (got := [x for x in platform.scores if str(x["userId"]) == "dana"]) and got[-1]["scoreGiven"] == 100 and got, what="Dana's final score")
    given = [x["scoreGiven"] for x in scores]
    assert given == sorted(set(given)) and given[-1] == 100 and scores[-1]["activityProgress"] == "Completed"
    stamps = [datetime.fromisoformat(x["timestamp"]) for x in scores]
    assert all(a < b for a, b in zip(stamps, stamps[1:], strict=False))
    assert not [x for x in platform.scores if str(x["userId"]) == "mara"]  # the mentor learns nothing here
    mine = text_of(get(dana, tool, "/network")).partition("My focused mentors")[2].partition("Needs nobody covers yet")[0]
    assert "Mara Mentor" in mine and "Completed" in mine
    assert "Completed" in text_of(get(mara, tool, "/network")).partition("People I mentor")[2]
