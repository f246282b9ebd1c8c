"""Who reaches what of a peer circle: every route of the circles blueprint x role (a member, the next chair, a
participant of the same programme outside the circle, the course's trainer, the organisation's administrator,
a participant of another organisation). A circle's name, notes and commitments never reach anyone outside it
(pages, JSON, the calendar feed, the personal export); and the matrix is shown to catch a removed check."""

from __future__ import annotations

import json

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.circles_support import days_ago, make_circle, meeting_ids, people, record_meeting, today
from tests.web.programme_support import LEARNER, get, launch, post, seed_participants, text_of, token
from tests.web.test_calendar import fetch, new_feed

ROLES = ("member", "chair", "outsider_same", "trainer", "admin", "other_org")
SECRET_NAME, SECRET_NOTES, SECRET_COMMITMENT = "Board Xq of secrets", "NOTES-SECRET-7731", "COMMIT-SECRET-4410"


def _matrix(c: int, m: int, p: int, stranger: int) -> list[tuple[str, str, dict | None, tuple[int, ...]]]:
    """(method, path, form data, statuses by role in ROLES order); POSTs carry data the allowed roles see refused
    (400, nothing written), so the matrix can run again."""
    return [
        ("GET", "/circles", None, (200, 200, 200, 200, 200, 200)),
        ("GET", "/circles/new", None, (403, 403, 403, 200, 200, 403)),
        ("POST", "/circles/new", {"name": "", "cadence": "monthly"}, (403, 403, 403, 400, 400, 403)),
        ("GET", f"/circles/{c}", None, (200, 200, 404, 200, 200, 404)),
        ("GET", f"/circles/{c}.json", None, (200, 200, 404, 200, 200, 404)),
        ("POST", f"/circles/{c}/commitments", {"text": ""}, (400, 400, 404, 403, 403, 404)),
        ("POST", f"/circles/{c}/members/{stranger}/leave", {}, (403, 403, 404, 404, 404, 404)),
        ("GET", f"/circles/{c}/meetings/new", None, (403, 200, 404, 200, 200, 404)),
        ("POST", f"/circles/{c}/meetings/new", {"held_on": ""}, (403, 400, 404, 400, 400, 404)),
        ("GET", f"/circles/{c}/meetings/{m}/review", None, (200, 403, 404, 200, 200, 404)),
        ("POST", f"/circles/{c}/meetings/{m}/review", {}, (400, 403, 404, 400, 400, 404)),
        ("GET", "/circles/form", None, (403, 403, 403, 200, 200, 403)),
        ("POST", "/circles/form", {"min_size": "3", "max_size": "4", "cadence": "monthly"}, (403, 403, 403, 400, 400, 403)),
        ("GET", f"/circles/proposals/{p}", None, (403, 403, 403, 200, 200, 403)),
        ("POST", f"/circles/proposals/{p}/publish", {}, (403, 403, 403, 400, 400, 403)),
        ("POST", f"/circles/proposals/{p}/discard", {}, (403, 403, 403, 400, 400, 403)),
    ]


ENDPOINTS = {"circles.index", "circles.create", "circles.circle", "circles.circle_json", "circles.commit", "circles.leave", "circles.new_meeting", "circles.review",
             "circles.forming", "circles.proposal", "circles.publish", "circles.discard"}  # fmt: skip


def _run(browsers, tool, rows) -> list[str]:
    wrong = []
    tokens = {role: token(browsers[role], tool) for role in ROLES}  # one CSRF token per browser session
    for method, path, data, expected in rows:
        for role, status in zip(ROLES, expected, strict=True):
            browser = browsers[role]
            if method == "GET":
                got = browser.get(tool.url + path, allow_redirects=False).status_code
            else:
                got = browser.post(tool.url + path, data={**(data or {}), "csrf_token": tokens[role]}, allow_redirects=False).status_code
            if got != status:
                wrong.append(f"{method} {path} as {role}: {got}, expected {status}")
    return wrong


def test_every_circles_route_by_role_and_nothing_leaks(app, platform, tool, monkeypatch):
    from plugin.services import circles as circle_service

    browsers, person = people(app, platform, tool, {"member": "Mia Member", "chair": "Chris Chair", "outsider_same": "Olly Outside"}, admin=True)
    seeded = seed_participants(app, [{"subject": f"c{k}", "side": ("digital_mentor", "senior_expert")[k % 2], "languages": ["en"]} for k in range(6)])
    trainer = browsers["trainer"]
    # the member chairs meeting 1; the chair is next in the rotation
    cid = make_circle(trainer, tool, SECRET_NAME, [person["member"], person["chair"], seeded["c0"], seeded["c1"]], starts_on=today())
    record_meeting(browsers["member"], tool, cid, days_ago(2), agenda="Our questions", notes=SECRET_NOTES)
    post(browsers["member"], tool, f"/circles/{cid}/commitments", {"text": SECRET_COMMITMENT}, token_from=f"/circles/{cid}")
    (meeting, _seq, chair), = meeting_ids(app, cid)
    assert chair == person["member"]
    proposal = post(trainer, tool, "/circles/form", {"min_size": "4", "max_size": "5", "cadence": "weekly"}, token_from="/circles/form").headers["Location"].rsplit("/", 1)[1]
    post(trainer, tool, f"/circles/proposals/{proposal}/discard", {}, token_from=f"/circles/proposals/{proposal}")

    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        browsers["other_org"] = new_browser(verify=False)
        launch(other, browsers["other_org"], LEARNER, user_id="b-learner", name="Bea Elsewhere")
        rows = _matrix(cid, meeting, int(proposal), person["outsider_same"])
        assert {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("circles.")} == ENDPOINTS
        assert _run(browsers, tool, rows) == []

        # nothing of the circle for anyone outside it: lists, JSON, the calendar feed, the personal export
        for role in ("outsider_same", "other_org"):
            page = get(browsers[role], tool, "/circles")
            assert SECRET_NAME not in page and ("You are not in a circle yet" if role == "outsider_same" else "has not set up") in text_of(page)
            for path in (f"/circles/{cid}", f"/circles/{cid}.json"):
                response = browsers[role].get(tool.url + path, allow_redirects=False)
                assert response.status_code == 404 and SECRET_NAME not in response.text and SECRET_NOTES not in response.text
        export = get(browsers["outsider_same"], tool, "/me/export.json")
        assert SECRET_NAME not in export and SECRET_COMMITMENT not in export
        outsider_feed = fetch(new_feed(browsers["outsider_same"], tool)).text
        member_feed = fetch(new_feed(browsers["chair"], tool)).text
        assert SECRET_NAME not in outsider_feed and "Circle meeting: " + SECRET_NAME in member_feed.replace("\r\n ", "")
        body = json.loads(get(browsers["chair"], tool, f"/circles/{cid}.json"))
        assert body["meetings"][0]["notes"] == SECRET_NOTES and body["next_chair"] == person["chair"]
        for role in ("member", "chair", "trainer", "admin"):
            assert SECRET_COMMITMENT in get(browsers[role], tool, f"/circles/{cid}")

        # the mutation check: one check allowing everyone, and the matrix says so
        monkeypatch.setattr(circle_service, "capacity_of", lambda actor, course_id, member_ids: circle_service.MEMBER)
        wrong = _run(browsers, tool, rows)
        assert f"GET /circles/{cid} as outsider_same: 200, expected 404" in wrong and f"GET /circles/{cid}.json as outsider_same: 200, expected 404" in wrong, wrong
        # the organisation's scope is a check of its own: another organisation still finds nothing
        assert not any("other_org" in w for w in wrong), wrong
