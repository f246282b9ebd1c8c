"""Authorisation matrix of the notification pages: every route x role (a tandem member, another participant of
the same programme, the trainer, an organisation administrator, a participant of another organisation): each
sees and changes only their own choices, sees only their own "what needs you"; the unsubscribe link answers
anyone (its signed token is the authority) and changes only its person; a removed check is caught (mutation)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.coffee_support import ADMIN
from tests.web.programme_support import LEARNER, active_tandem, get, ids, launch, post, text_of

ROLES = ("member", "other", "trainer", "admin", "outsider")


def _form(mode: str) -> list[tuple[str, str]]:
    return [("on-matched", "y"), ("mode-matched", mode)]  # every other kind off


def _choices(app) -> dict[int, dict[str, tuple[bool, str]]]:
    from plugin.extensions import db
    from plugin.models import NotificationPreference

    with app.app_context():
        out: dict[int, dict[str, tuple[bool, str]]] = {}
        for row in db.session.scalars(sa.select(NotificationPreference)):
            out.setdefault(row.person_id, {})[row.kind] = (row.enabled, row.mode)
        return out


def _matrix(app, browsers, tool, person: dict[str, int], token: str, mode: str) -> list[str]:
    """Every disagreement with what each role may see and change, as text."""
    wrong = []
    for role in ROLES:
        browser = browsers[role]
        status = browser.get(tool.url + "/notifications/preferences", allow_redirects=False).status_code
        if status != 200:
            wrong.append(f"GET preferences as {role}: {status}")
        before = _choices(app)
        response = post(browser, tool, "/notifications/preferences", _form(mode), status=None, token_from="/notifications/preferences")
        after = _choices(app)
        if response.status_code != 303:
            wrong.append(f"POST preferences as {role}: {response.status_code}")
        changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
        if changed - {person[role]}:
            wrong.append(f"POST preferences as {role} changed the choices of {sorted(changed - {person[role]})}")
        if after.get(person[role], {}).get("matched") != (True, mode) or after.get(person[role], {}).get("coffee_match") != (False, "immediate"):
            wrong.append(f"POST preferences as {role} did not store their own choices")
        home = text_of(get(browser, tool, "/home"))
        if ("Only for the member" in home) != (role == "member"):
            wrong.append(f"home of {role}: the member's notification {'missing' if role == 'member' else 'shown'}")
    # the unsubscribe link: anyone (no login) sees and uses it; it changes its person only
    anonymous = new_browser(verify=False)
    for who, browser in (("anonymous", anonymous), ("outsider", browsers["outsider"])):
        status = browser.get(tool.url + f"/notifications/unsubscribe/{token}").status_code
        if status != 200:
            wrong.append(f"GET unsubscribe as {who}: {status}")
    before = _choices(app)
    page = get(anonymous, tool, f"/notifications/unsubscribe/{token}")
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    status = anonymous.post(tool.url + f"/notifications/unsubscribe/{token}", data={"csrf_token": csrf}).status_code
    after = _choices(app)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    if status != 200 or changed != {person["member"]} or after[person["member"]]["matched"] != (False, mode):
        wrong.append(f"POST unsubscribe: {status}, changed {sorted(changed)}")
    for junk in (token[:-2] + "xx", "A" * 1000, "not-a-token", token + "%00"):
        status = anonymous.get(tool.url + f"/notifications/unsubscribe/{junk}").status_code
        if status not in (400, 404):
            wrong.append(f"GET unsubscribe with a bad token: {status}")
    return wrong


def test_each_person_sees_and_changes_only_their_own_and_a_removed_check_is_caught(app, platform, tool, monkeypatch):
    from plugin.extensions import db
    from plugin.models import Person
    from plugin.services import notifications
    from plugin.services.notifications import preferences

    browsers, person, tandem_id = active_tandem(app, platform, tool)
    browsers = {"member": browsers["digital"], "other": browsers["expert"], "trainer": browsers["trainer"]}
    person = {"member": person["digital"], "other": person["expert"], "trainer": person["trainer"]}
    browsers["admin"] = new_browser(verify=False)
    launch(platform, browsers["admin"], ADMIN, user_id="ada", name="Ada Admin")
    person["admin"] = ids(app, "ada")["ada"]
    with app.app_context():
        org = db.session.get(Person, person["member"]).organisation_id
        notifications.notify(db.session, "event_reminder", [person["member"]], {"title": "Only for the member", "starts_at": "2026-12-05T09:00:00+00:00", "timezone": "UTC"}, subject_key="event:1", organisation_id=org)
        db.session.commit()
        token = notifications.unsubscribe_token(app.config["SECRET_KEY"], person["member"], "matched")
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other_org:
        from tests.conftest import register_platform

        register_platform(app, other_org, organisation="Org B")
        browsers["outsider"] = new_browser(verify=False)
        launch(other_org, browsers["outsider"], LEARNER, user_id="bea", name="Bea Outsider")
        person["outsider"] = ids(app, "bea")["bea"]

        assert _matrix(app, browsers, tool, person, token, "digest") == []

        # without a launch, the preferences are not shown
        assert new_browser(verify=False).get(tool.url + "/notifications/preferences", allow_redirects=False).status_code == 401

        # mutation: the service no longer checks whose choices it reads and writes (everyone gets the member's)
        with app.app_context():
            member = db.session.get(Person, person["member"])
            db.session.expunge(member)
        monkeypatch.setattr(preferences, "_person", lambda session, actor: session.get(Person, member.id))
        wrong = _matrix(app, browsers, tool, person, token, "immediate")
        assert any("changed the choices of" in w or "did not store their own" in w for w in wrong), wrong
