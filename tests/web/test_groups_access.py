"""Who may do what in open, closed and private groups: every route of the groups blueprint x role
(a member, a participant of the programme outside the group, the course's trainer, an organisation
administrator, a participant of another organisation), over HTTP after real launches.

A private group is unknown (404, never 403) to anyone outside it: its name, its people and its sessions
appear in no page, export or calendar feed of a non-member. The matrix is shown to catch a removed check:
with the visibility rule patched to let everyone see everything, it reports failures.
"""

from __future__ import annotations

import html

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.groups_support import MODULE, world, session_of
from tests.web.programme_support import LEARNER, get, launch, text_of, token
from tests.web.test_calendar import fetch, new_feed

ROLES = ("member", "outsider", "trainer", "admin", "other")
KINDS = ("open", "closed", "private")
#: who plays "member" in each group (a member besides the mentor)
MEMBER = {"open": "j1", "closed": "j1", "private": "pia"}
SECRETS = ("Secret strategy table", "Secret agenda of the table", "Quinn Quiet", "Pia Private")


def _sees(kind: str, role: str) -> bool:
    return role in ("member", "trainer", "admin") or (role == "outsider" and kind != "private")


def _reads(kind: str, role: str, ok: int = 200) -> int:
    """Inside the group: its people and trainers; a participant who may see it gets 403; anyone else 404."""
    if role in ("member", "trainer", "admin"):
        return ok
    return 403 if _sees(kind, role) else 404


def _hidden(kind: str, role: str, code: int) -> int:
    """``code`` for someone who may know the group exists, else 404."""
    return code if _sees(kind, role) else 404


def _routes(w, kind: str) -> list[tuple[str, str, dict | list | None, object]]:
    """(method, path, form, expected: a status or role -> status) for every route of the blueprint."""
    gid = w.groups[kind]
    sid = session_of(w.app, gid)
    mod = f"/groups/{gid}/modules/{MODULE}/v1"
    j1, outsider = w.person[MEMBER[kind]], w.person["outsider"]
    return [
        ("GET", f"/groups/{gid}", None, lambda r: _hidden(kind, r, 200)),
        ("GET", mod, None, lambda r: _reads(kind, r)),
        ("GET", f"/groups/{gid}/sessions", None, lambda r: _reads(kind, r)),
        ("GET", f"/groups/{gid}/sessions/{sid}", None, lambda r: _reads(kind, r)),
        ("GET", f"/groups/{gid}/signoffs/export.json", None, lambda r: _reads(kind, r)),
        # Juno learns the expertise track: signing e1 for herself is refused (nobody signs their own learning)
        ("POST", f"{mod}/sign", [("objective", "e1"), ("learner", j1), ("confirmed", "1"), ("criterion", "0"), ("criterion", "1"), ("criterion", "2")], lambda r: 403 if r in ("member", "trainer", "admin") else _hidden(kind, r, 403)),
        ("POST", f"{mod}/evidence", {"objective": "e1", "kind": "note", "text": "What I learned"}, lambda r: {"member": 303, "trainer": 403, "admin": 403}.get(r) or _hidden(kind, r, 403)),
        ("POST", f"/groups/{gid}/signoffs/1/withdraw", {"reason": "not yet"}, lambda r: _reads(kind, r, 404)),
        ("POST", f"/groups/{gid}/sessions", {"starts": "2030-06-01T10:00", "minutes": "60", "agenda": "Planned"}, lambda r: {"member": 403, "trainer": 303, "admin": 303}.get(r) or _hidden(kind, r, 403)),
        ("POST", f"/groups/{gid}/sessions/{sid}/record", {"shared_notes": "Shared"}, lambda r: _reads(kind, r, 303)),
        ("POST", f"/groups/{gid}/sessions/{sid}/note", {"private_note": "Mine"}, lambda r: {"member": 303, "trainer": 403, "admin": 403}.get(r) or _hidden(kind, r, 403)),
        ("POST", f"/groups/{gid}/invite", {"person": j1}, lambda r: {"member": 403, "trainer": 400, "admin": 400}.get(r) or _hidden(kind, r, 403)),
        ("POST", f"/groups/{gid}/requests/approve", {"person": outsider}, lambda r: {"member": 403, "trainer": 404, "admin": 404}.get(r) or _hidden(kind, r, 403)),
        ("POST", f"/groups/{gid}/requests/decline", {"person": outsider}, lambda r: {"member": 403, "trainer": 404, "admin": 404}.get(r) or _hidden(kind, r, 403)),
        ("POST", f"/groups/{gid}/members/remove", {"person": outsider}, lambda r: {"member": 403, "trainer": 404, "admin": 404}.get(r) or _hidden(kind, r, 403)),
        ("POST", f"/groups/{gid}/invitation/accept", {}, lambda r: _hidden(kind, r, 403)),
        ("POST", f"/groups/{gid}/invitation/decline", {}, lambda r: _hidden(kind, r, 403)),
        # last: these change who is in the group
        ("POST", f"/groups/{gid}/join", {}, lambda r: {"member": 403, "trainer": 403, "admin": 403}.get(r) or _hidden(kind, r, 303)),
        ("POST", f"/groups/{gid}/leave", {}, lambda r: {"member": 303, "trainer": 403, "admin": 403}.get(r) or _hidden(kind, r, 303)),
    ]


def _expected(expect, role: str, kind: str) -> int:
    code = expect(role)
    if role == "outsider" and kind == "private":
        return 404
    return code


def _matrix(w, tool, methods: tuple[str, ...] = ("GET", "POST"), kinds: tuple[str, ...] = KINDS) -> list[str]:
    """Every route x role x kind; returns the mismatches (empty when every answer is the expected one)."""
    failures = []
    tokens = {key: token(w.browsers[key], tool) for key in (*ROLES[1:], "j1", "pia")}
    for kind in kinds:
        for method, path, form, expect in _routes(w, kind):
            if method not in methods:
                continue
            for role in ROLES:
                browser = w.browsers[MEMBER[kind] if role == "member" else role]
                if method == "GET":
                    response = browser.get(tool.url + path, allow_redirects=False)
                else:
                    fields = list(form.items()) if isinstance(form, dict) else list(form or [])
                    key = MEMBER[kind] if role == "member" else role
                    response = browser.post(tool.url + path, data=[*fields, ("csrf_token", tokens[key])], allow_redirects=False)
                want = _expected(expect, role, kind)
                if response.status_code != want:
                    failures.append(f"{kind} {method} {path} as {role}: {response.status_code}, expected {want}")
                if role not in ("trainer", "admin") and not (role == "member" and kind == "private"):
                    leaked = [s for s in SECRETS if s in html.unescape(response.text)]
                    if leaked:
                        failures.append(f"{kind} {method} {path} as {role} shows {leaked}")
    return failures


def test_the_authorisation_matrix_of_open_closed_and_private_groups(app, platform, tool, monkeypatch):
    w = world(app, platform, tool)
    w.app = app
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        w.browsers["other"] = new_browser(verify=False)
        launch(other, w.browsers["other"], LEARNER, user_id="b-learner", name="Bo Other")

        # the mutation check first (the private group's reads only, so nothing is written by the patched rule)
        import plugin.services.group_access as group_access

        monkeypatch.setattr(group_access, "visible", lambda kind, standing: True)
        broken = _matrix(w, tool, ("GET",), ("private",))
        assert any("private GET" in f and "outsider" in f for f in broken), broken
        monkeypatch.undo()

        # the private group's people see it: Quinn mentors it, Pia is its member
        assert "Secret strategy table" in get(w.browsers["pia"], tool, f"/groups/{w.groups['private']}")
        assert "Secret agenda of the table" in get(w.browsers["quiet"], tool, f"/groups/{w.groups['private']}/sessions")
        failures = _matrix(w, tool)
        assert not failures, "\n".join(failures)

        # lists: the outsider sees open and closed groups to join, never the private one; the trainer sees all
        listed = text_of(get(w.browsers["outsider"], tool, "/groups"))
        assert "Open reputation group" in listed and "Closed reputation group" in listed
        assert not [s for s in SECRETS if s in listed]
        assert "Secret strategy table" in text_of(get(w.browsers["trainer"], tool, "/groups"))
        assert "Secret strategy table" in text_of(get(w.browsers["admin"], tool, "/groups"))
        assert "Open reputation group" not in get(w.browsers["other"], tool, "/groups", 404)

    # calendar feeds: group sessions are in their people's feeds only
    from icalendar import Calendar

    def summaries(key: str) -> str:
        feed = fetch(new_feed(w.browsers[key], tool))
        assert feed.status_code == 200
        return " ".join(str(e.get("summary")) + " " + str(e.get("description", "")) for e in Calendar.from_ical(feed.content).walk("VEVENT"))

    assert "Secret strategy table" in summaries("quiet")  # its mentor (Pia left it in the matrix)
    outside = summaries("outsider")
    assert not [s for s in SECRETS if s in outside]
    assert "Open reputation group" in summaries("j2") and "Secret" not in summaries("j2")

    # a private note is read by its author only: not the other members, not the trainer
    gid = w.groups["open"]
    sid = session_of(app, gid)
    from tests.web.programme_support import post

    post(w.browsers["j2"], tool, f"/groups/{gid}/sessions/{sid}/note", {"private_note": "Only Jip reads this"}, token_from=f"/groups/{gid}/sessions/{sid}")
    assert "Only Jip reads this" in get(w.browsers["j2"], tool, f"/groups/{gid}/sessions/{sid}")
    for key in ("mentor", "j3", "trainer", "admin"):
        assert "Only Jip reads this" not in get(w.browsers[key], tool, f"/groups/{gid}/sessions/{sid}")
    from plugin.extensions import db
    from plugin.models import GroupPrivateNote

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupPrivateNote).where(GroupPrivateNote.text == "Only Jip reads this")) == 1
