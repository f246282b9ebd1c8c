"""Authorisation matrix of the erasure pages: every route x role (the participant who asked, another
participant of the same programme, the course's trainer, the organisation's administrator, a participant of
another organisation): only a person asks for and cancels their own erasure, only the administrator sets the
periods and carries out a due erasure; one organisation never sees another's requests; and the matrix
catches a removed check (mutation)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.network_support import ADMIN
from tests.web.programme_support import LEARNER, active_tandem, launch, post

ROLES = ("member", "other", "trainer", "admin", "outsider")


def _expected(request_id: int) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    return [
        ("GET", "/me/erasure", None, {"member": 200, "other": 200, "trainer": 403, "admin": 403, "outsider": 200}),
        ("GET", "/organisation/erasure", None, {"member": 403, "other": 403, "trainer": 403, "admin": 200, "outsider": 403}),
        (
            "POST",
            "/organisation/erasure",
            {"grace_days": "14", "retention_days": ""},
            {"member": 403, "other": 403, "trainer": 403, "admin": 303, "outsider": 403},
        ),
        (
            "POST",
            "/organisation/erasure",
            {"grace_days": "-1"},
            {"member": 403, "other": 403, "trainer": 403, "admin": 400, "outsider": 403},
        ),
        # the grace period is not over: the administrator may not carry it out yet
        (
            "POST",
            f"/organisation/erasure/{request_id}/run",
            {},
            {"member": 403, "other": 403, "trainer": 403, "admin": 400, "outsider": 403},
        ),
        ("POST", "/me/erasure", {"confirm": "y"}, {"member": 400, "other": 303, "trainer": 403, "admin": 403, "outsider": 303}),
        (
            "POST",
            f"/me/erasure/{request_id}/cancel",
            {},
            {"member": 303, "other": 404, "trainer": 403, "admin": 403, "outsider": 404},
        ),
        (
            "POST",
            f"/me/erasure/{request_id}/cancel",
            {},
            {"member": 404, "other": 404, "trainer": 403, "admin": 403, "outsider": 404},
        ),
    ]


def _matrix(app, browsers, tool, request_id: int, rows: slice = slice(None)) -> list[str]:
    from plugin.extensions import db
    from plugin.models import ErasureRequest

    wrong = []
    for method, path, form, statuses in _expected(request_id)[rows]:
        for role in ROLES:
            browser = browsers[role]
            if method == "GET":
                status = browser.get(tool.url + path, allow_redirects=False).status_code
            else:
                status = post(browser, tool, path, form, status=None, token_from="/home").status_code
            if status != statuses[role]:
                wrong.append(f"{method} {path} as {role}: {status}, expected {statuses[role]}")
    with app.app_context():  # the matrix leaves the requests as they were: the member's pending, the others' removed
        db.session.execute(
            sa.update(ErasureRequest).where(ErasureRequest.id == request_id).values(status="pending", cancelled_at=None)
        )
        db.session.execute(sa.delete(ErasureRequest).where(ErasureRequest.id != request_id))
        db.session.commit()
    return wrong


def test_every_erasure_route_by_role_and_a_removed_check_is_caught(app, platform, tool, monkeypatch):
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Person
    from plugin.services import erasure, erasure_requests
    from plugin.services.launches import Actor

    browsers, person, _tandem = active_tandem(app, platform, tool, suffix="-x")
    browsers = {"member": browsers["digital"], "other": browsers["expert"], "trainer": browsers["trainer"]}
    browsers["admin"] = new_browser(verify=False)
    launch(platform, browsers["admin"], ADMIN, user_id="ada-x", name="Ada Admin")
    with app.app_context():
        org = db.session.get(Person, person["digital"]).organisation_id
        request_id = erasure.ask(db.session, Actor(person["digital"], org, Role.PARTICIPANT), confirmed=True).id
        db.session.commit()
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-erasure") as other_org:
        from tests.conftest import register_platform

        register_platform(app, other_org, organisation="Org Erasure B")
        browsers["outsider"] = new_browser(verify=False)
        launch(other_org, browsers["outsider"], LEARNER, user_id="bea-x", name="Bea Outsider")

        assert _matrix(app, browsers, tool, request_id) == []

        # the administrator sees their organisation's requests only
        post(browsers["outsider"], tool, "/me/erasure", {"confirm": "y"}, token_from="/me/erasure")
        page = browsers["admin"].get(tool.url + "/organisation/erasure").text
        assert "Dana Digital" in page and "Bea Outsider" not in page

        # mutation: a participant check that lets everyone through is caught
        monkeypatch.setattr(erasure_requests, "_participant", lambda actor: None)
        wrong = _matrix(app, browsers, tool, request_id, slice(0, 1))
        assert any("as trainer" in w for w in wrong), wrong
