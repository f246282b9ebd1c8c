"""Who may open and change what in the mentor network, over real HTTPS after real LTI launches: every route
of the network blueprint x every role (the mentee who asked, the asked mentor, another participant of the
programme, the course's trainer, the organisation's administrator, people of another organisation). A
focused mentoring is seen by its two people and the trainers only: it never shows up anywhere else (pages,
JSON, the personal export). The matrix is shown to catch a removed check: with one check patched to allow
everything, it reports failures."""

from __future__ import annotations

import importlib

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.network_support import ADMIN, ONE_MODULE, SEVERAL, network_scenario, seed_focused
from tests.web.programme_support import INSTRUCTOR, LEARNER, launch, text_of

ROLES = ("asker", "mentor", "other", "trainer", "admin", "outsider", "outsider_trainer")
#: route -> role -> expected status
EXPECTED = {
    "GET /network": dict.fromkeys(ROLES, 200),
    "GET /network.json": dict.fromkeys(ROLES, 200),
    "GET /network/focused/<id>": {"asker": 200, "mentor": 200, "other": 404, "trainer": 200, "admin": 200, "outsider": 404, "outsider_trainer": 404},
    "POST /network/focused/<id>/answer": {"asker": 403, "mentor": 303, "other": 404, "trainer": 403, "admin": 403, "outsider": 404, "outsider_trainer": 404},
    "POST /network/focused/<id>/withdraw": {"asker": 303, "mentor": 403, "other": 404, "trainer": 403, "admin": 403, "outsider": 404, "outsider_trainer": 404},
    "POST /network/ask": {"asker": 303, "mentor": 400, "other": 400, "trainer": 403, "admin": 403, "outsider": 404, "outsider_trainer": 403},
}


def _status(browser, tool, method: str, path: str, data: dict | None = None) -> int:
    if method == "GET":
        return browser.get(tool.url + path, allow_redirects=False).status_code
    page = browser.get(tool.url + "/network").text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    return browser.post(tool.url + path, data={**(data or {}), "csrf_token": csrf}, allow_redirects=False).status_code


def _reset(app, group_id: int) -> None:
    """Take an asked focused mentoring out of the way (so the next ask for the need is allowed)."""
    from plugin.extensions import db
    from plugin.models import GroupMember

    with app.app_context():
        db.session.execute(sa.update(GroupMember).where(GroupMember.group_id == group_id).values(status="left"))
        db.session.commit()


def _matrix(app, tool, s, who: dict, routes: tuple[str, ...] = tuple(EXPECTED)) -> list[str]:
    """Every route (of ``routes``) x role; the mismatches (empty when every answer is the expected one)."""
    failures = []
    shown = seed_focused(app, s, "dana", "mara", SEVERAL, accepted=False)
    for route in routes:
        expected = EXPECTED[route]
        method, path = route.split(" ")
        for role in ROLES:
            data = None
            target = shown
            if route.endswith(("/answer", "/withdraw")):
                target = seed_focused(app, s, "dana", "mara", SEVERAL, accepted=False)  # a fresh request for each change
                data = {"response": "accept"} if route.endswith("/answer") else {}
            if route == "POST /network/ask":
                data = {"mentor": str(s.person["mara"]), "competence": ONE_MODULE, "module": "e-reputation"}
            got = _status(who[role], tool, method, path.replace("<id>", str(target)), data)
            if route == "POST /network/ask" and got == 303:
                response = who[role].get(tool.url + "/network.json").json()
                for item in response.get("focused", []):
                    _reset(app, item["id"])
            if route.endswith(("/answer", "/withdraw")):
                _reset(app, target)
            if got != expected[role]:
                failures.append(f"{route} as {role}: {got}, expected {expected[role]}")
    _reset(app, shown)
    return failures


def test_every_route_and_role_and_a_removed_check_is_caught(app, platform, tool, monkeypatch):
    access_module = importlib.import_module("plugin.services.network.access")  # the package re-exports a function of that name
    requests_module = importlib.import_module("plugin.services.network.requests")

    s = network_scenario(app, platform, tool)
    who = {"asker": s.browsers["dana"], "mentor": s.browsers["mara"], "other": s.browsers["olga"], "trainer": s.browsers["trainer"], "admin": s.browsers["admin"]}
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        for role, lti_role in (("outsider", LEARNER), ("outsider_trainer", INSTRUCTOR)):
            who[role] = new_browser(verify=False)
            launch(other, who[role], lti_role, user_id=f"b-{role}", name=f"B {role}")
        assert _matrix(app, tool, s, who) == []

        # one check removed at a time: the matrix notices
        with monkeypatch.context() as patched:
            patched.setattr(access_module, "is_reader", lambda actor, programme: True)
            assert any("as other" in f for f in _matrix(app, tool, s, who, ("GET /network/focused/<id>", "POST /network/focused/<id>/answer")))
        with monkeypatch.context() as patched:
            patched.setattr(requests_module, "require_mentor", lambda view: None)
            assert any("/answer as asker" in f or "/answer as trainer" in f for f in _matrix(app, tool, s, who, ("POST /network/focused/<id>/answer",)))


def test_a_focused_mentoring_never_appears_to_anyone_else(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import FocusedRequest

    s = network_scenario(app, platform, tool, admin=False, who=("dana", "evert", "mara", "olga"))
    gid = seed_focused(app, s, "dana", "mara", ONE_MODULE, accepted=True)
    secret = "Secret-need-7731: my online reputation after the merger"
    with app.app_context():
        db.session.execute(sa.update(FocusedRequest).where(FocusedRequest.group_id == gid).values(message=secret))
        db.session.commit()
    paths = ["/home", "/network", "/network.json", "/programme/tandem", "/tandems", "/me/export.json"]
    if "groups.index" in app.view_functions:
        paths.append("/groups")
    link = f"/network/focused/{gid}"
    for insider in ("dana", "mara"):
        page = s.browsers[insider].get(tool.url + "/network").text
        assert link in page and ("Mara Mentor" if insider == "dana" else "Dana Digital") in text_of(page)
    assert secret in text_of(s.browsers["trainer"].get(tool.url + link).text)
    if "groups.show" in app.view_functions:  # the work page names the need; only its people and the trainers open it
        assert "Focused mentoring: LifeComp L2 Critical thinking" in text_of(s.browsers["dana"].get(tool.url + f"/groups/{gid}").text)
    outsiders = {"partner": s.browsers["evert"], "other": s.browsers["olga"]}
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        for role, lti_role in (("b-learner", LEARNER), ("b-trainer", INSTRUCTOR), ("b-admin", ADMIN)):
            outsiders[role] = new_browser(verify=False)
            launch(other, outsiders[role], lti_role, user_id=role)
        for role, browser in outsiders.items():
            assert browser.get(tool.url + link, allow_redirects=False).status_code == 404, role
            assert browser.get(tool.url + f"/groups/{gid}", allow_redirects=False).status_code == 404, role
            for path in paths:
                response = browser.get(tool.url + path, allow_redirects=False)
                body = response.text
                assert secret not in body and link not in body and "Mara Mentor" not in body, (role, path)
                assert '"mentor_id"' not in body and "Focused mentoring: LifeComp L2" not in body, (role, path)
