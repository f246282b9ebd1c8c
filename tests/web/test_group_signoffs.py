"""Two-way learning in a group, over HTTP against the real platform harness: one senior mentor and three
juniors sign both tracks of a module (the mentor signs each junior's expertise track, the juniors sign the
mentor's digital track); each of the four learners gets their own score in the platform's gradebook, with
strictly increasing timestamps, through the outbox; the group's hash chain verifies."""

from __future__ import annotations

import re
import time
from datetime import datetime

import sqlalchemy as sa

from tests.web.groups_support import DIGITAL, EXPERTISE, MODULE, world
from tests.web.programme_support import get, post, text_of

JUNIORS = ("j1", "j2", "j3")
#: which junior signs which objective of the mentor's digital track
DIGITAL_SIGNERS = {"d1": "j1", "d2": "j1", "d3": "j2", "d4": "j3"}


def _wait(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _accepted(platform, user_id: str) -> list[dict]:
    return [s for s in platform.scores if str(s["userId"]) == user_id]


def _increasing(scores: list[dict]) -> bool:
    stamps = [datetime.fromisoformat(s["timestamp"]) for s in scores]
    return all(a < b for a, b in zip(stamps, stamps[1:], strict=False))


def _sign(w, tool, who: str, gid: int, objective: str, learner: str, criteria: int, status: int = 303, confirmed: bool = True):
    fields = [("objective", objective), ("learner", w.person[learner]), *[("criterion", str(i)) for i in range(criteria)]]
    if confirmed:
        fields.append(("confirmed", "1"))
    return post(w.browsers[who], tool, f"/groups/{gid}/modules/{MODULE}/v1/sign", fields, status=status)


def _records(app, gid: int) -> int:
    from plugin.extensions import db
    from plugin.models import SignoffRecord

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SignoffRecord).where(SignoffRecord.group_id == gid))


def test_a_mentor_and_three_juniors_sign_both_tracks_and_each_gets_a_score(app, platform, tool):
    w = world(app, platform, tool, keys=("trainer", "mentor", *JUNIORS), groups=False)
    trainer, mentor = w.browsers["trainer"], w.browsers["mentor"]

    # the trainer creates a closed group with the senior as its mentor; the juniors ask, the mentor approves
    created = post(trainer, tool, "/groups/new", {"name": "Reputation circle", "purpose": "Seniors and juniors teach each other", "modules": MODULE, "capacity": "3", "kind": "closed", "mentor": w.person["mentor"]}, token_from="/groups/new")
    gid = int(re.search(r"/groups/(\d+)$", created.headers["Location"]).group(1))
    for junior in JUNIORS:
        post(w.browsers[junior], tool, f"/groups/{gid}/join", {})
        assert "You asked to join" in text_of(get(w.browsers[junior], tool, f"/groups/{gid}"))
    for junior in JUNIORS:
        post(mentor, tool, f"/groups/{gid}/requests/approve", {"person": w.person[junior]}, token_from=f"/groups/{gid}")
    base = f"/groups/{gid}/modules/{MODULE}/v1"

    # evidence from a learner; the confirmation step writes nothing and names the learner
    post(w.browsers["j1"], tool, f"{base}/evidence", {"objective": "e1", "kind": "link", "url": "https://example.org/juno-board-notes"}, token_from=base)
    confirm = _sign(w, tool, "mentor", gid, "e1", "j1", EXPERTISE["e1"], status=200, confirmed=False)
    assert "cannot be edited later" in text_of(confirm.text) and "Juno Junior" in text_of(confirm.text)
    assert _records(app, gid) == 0
    # nobody signs their own learning or a track they do not teach; every criterion counts
    _sign(w, tool, "j1", gid, "e1", "j2", EXPERTISE["e1"], status=403)  # a junior does not teach the expertise track
    _sign(w, tool, "mentor", gid, "d1", "j1", DIGITAL["d1"], status=403)  # Juno does not learn the digital track
    _sign(w, tool, "trainer", gid, "e1", "j1", EXPERTISE["e1"], status=403)  # trainers read, and do not sign
    refused = _sign(w, tool, "mentor", gid, "e1", "j1", 1, status=400)
    assert "Tick every criterion" in text_of(refused.text)
    assert _records(app, gid) == 0

    for junior in JUNIORS:  # the mentor signs what each junior learned
        for objective, criteria in EXPERTISE.items():
            _sign(w, tool, "mentor", gid, objective, junior, criteria)
    for objective, signer in DIGITAL_SIGNERS.items():  # the juniors sign what the mentor learned
        _sign(w, tool, signer, gid, objective, "mentor", DIGITAL[objective])
    _sign(w, tool, "j2", gid, "d1", "mentor", DIGITAL["d1"], status=400)  # signed already (by Juno)

    finals = {}
    for key in ("mentor", *JUNIORS):
        finals[key] = _wait(lambda key=key: (s := _accepted(platform, key)) and s[-1]["scoreGiven"] == 100 and s, what=f"the final score of {key}")
    items = [i for i in platform.lineitems.values() if i.get("resourceId") == f"group-{gid}:{MODULE}"]
    assert len(items) == 1 and items[0]["label"].endswith("(Reputation circle)")  # the group's own line item for the module, each learner their own score on it
    for key, scores in finals.items():
        given = [s["scoreGiven"] for s in scores]
        assert given == sorted(set(given)) and given[-1] == 100, (key, given)
        assert scores[-1]["activityProgress"] == "Completed" and all(s["lineitem"] == items[0]["id"] for s in scores)
        assert _increasing(scores), key

    # per-learner progress on the module page and the group page
    page = text_of(get(w.browsers["j2"], tool, base))
    assert page.count("4 of 4 objectives signed off") == 4 and "track complete" in page
    assert "4 of 4 objectives" in text_of(get(trainer, tool, f"/groups/{gid}"))

    # a trainer withdraws one of the mentor's sign-offs with a reason: the lower score follows
    from plugin.extensions import db
    from plugin.models import SignoffRecord

    with app.app_context():
        seq = db.session.scalar(sa.select(SignoffRecord.seq).where(SignoffRecord.group_id == gid, SignoffRecord.objective_id == "d4"))
    post(trainer, tool, f"/groups/{gid}/signoffs/{seq}/withdraw", {"reason": ""}, status=400, token_from=base)
    post(trainer, tool, f"/groups/{gid}/signoffs/{seq}/withdraw", {"reason": "Checked again: not yet"}, token_from=base)
    lowered = _wait(lambda: (s := _accepted(platform, "mentor")) and s[-1]["scoreGiven"] == 75 and s, what="the mentor's lowered score")
    assert _increasing(lowered)

    # the group's chain verifies; every record names its learner
    export = mentor.get(tool.url + f"/groups/{gid}/signoffs/export.json").json()
    assert export["verified"]["ok"] and len(export["records"]) == 3 * 4 + 4 + 1
    assert {r["learner_id"] for r in export["records"]} == {w.person[k] for k in ("mentor", *JUNIORS)}
    assert export["head"] == export["records"][-1]["hash"]
