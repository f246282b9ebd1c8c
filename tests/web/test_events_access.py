"""Who reaches what of the facilitated events: every route of the events blueprint x role (a registered
participant, another participant of the same programme, the course's trainer, the organisation's
administrator, a participant of another organisation). Another organisation never learns an event exists,
one participant's follow-ups never reach another, and the matrix is shown to catch a removed check."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.events_support import ADMIN, actor, create_event, move, register
from tests.web.programme_support import INSTRUCTOR, LEARNER, get, ids, launch, post, set_up_programme, text_of
from tests.web.test_calendar import fetch, new_feed

ROLES = ("member", "outsider_same", "trainer", "admin", "other_org")
TITLE, SECRET_FOLLOWUP = "Webinar Zq: the cloud at home", "FOLLOWUP-SECRET-5521"
ENDPOINTS = {"events.index", "events.new", "events.event", "events.edit", "events.cancel", "events.register", "events.unregister", "events.attendance",
             "events.attendance_from_launches", "events.send_grades", "events.attendance_csv", "events.followups", "events.followup_done"}  # fmt: skip


def _matrix(f: int, p: int, item: int, outsider: int) -> list[tuple[str, str, dict | None, tuple[int, ...]]]:
    """(method, path, form data, statuses by role in ROLES order); POSTs the allowed roles may send are refused
    (400, nothing written), so the matrix can run again. ``f``: an event ahead, ``p``: one that is over."""
    return [
        ("GET", "/events", None, (200, 200, 200, 200, 200)),
        ("GET", "/events/new", None, (403, 403, 200, 200, 403)),
        ("POST", "/events/new", {"kind": "webinar", "title": ""}, (403, 403, 400, 400, 403)),
        ("GET", f"/events/{f}", None, (200, 200, 200, 200, 404)),
        ("GET", f"/events/{f}/edit", None, (403, 403, 200, 200, 404)),
        ("POST", f"/events/{f}/edit", {"kind": "webinar", "title": ""}, (403, 403, 400, 400, 404)),
        ("GET", f"/events/{f}/cancel", None, (403, 403, 200, 200, 404)),
        ("POST", f"/events/{p}/cancel", {}, (403, 403, 400, 400, 404)),
        ("POST", f"/events/{p}/register", {}, (400, 400, 403, 403, 404)),
        ("POST", f"/events/{p}/unregister", {}, (400, 400, 403, 403, 404)),
        ("GET", f"/events/{p}/attendance", None, (403, 403, 200, 200, 404)),
        ("POST", f"/events/{p}/attendance", {"attended": str(outsider)}, (403, 403, 400, 400, 404)),
        ("POST", f"/events/{f}/attendance/launches", {}, (403, 403, 400, 400, 404)),
        ("POST", f"/events/{f}/grades", {}, (403, 403, 400, 400, 404)),
        ("GET", f"/events/{p}/attendance.csv", None, (403, 403, 200, 200, 404)),
        ("GET", f"/events/{p}/follow-ups", None, (403, 403, 200, 200, 404)),
        ("POST", f"/events/{p}/follow-ups", {"text": ""}, (403, 403, 400, 400, 404)),
        ("POST", f"/events/follow-ups/{item}/done", {}, (400, 404, 403, 403, 404)),
    ]


def _run(browsers, tool, rows) -> list[str]:
    wrong = []
    for method, path, data, expected in rows:
        for role, status in zip(ROLES, expected, strict=True):
            browser = browsers[role]
            got = browser.get(tool.url + path, allow_redirects=False).status_code if method == "GET" else post(browser, tool, path, data, status=None).status_code
            if got != status:
                wrong.append(f"{method} {path} as {role}: {got}, expected {status}")
    return wrong


def test_every_events_route_by_role_and_nothing_leaks(app, platform, tool, monkeypatch):
    from plugin.extensions import db
    from plugin.models import EventFollowupItem
    from plugin.models.base import utcnow
    from plugin.services import event_access, event_attendance, event_followups

    browsers = {key: new_browser(verify=False) for key in ("trainer", "admin", "member", "outsider_same")}
    launch(platform, browsers["trainer"], INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    launch(platform, browsers["admin"], ADMIN, user_id="admin", name="Ada Admin")
    launch(platform, browsers["member"], LEARNER, user_id="member", name="Mia Member")
    launch(platform, browsers["outsider_same"], LEARNER, user_id="outsider", name="Olly Outside")
    set_up_programme(browsers["trainer"], tool)
    person = ids(app, "trainer", "member", "outsider")
    ahead = create_event(browsers["trainer"], tool, title=TITLE)
    over = create_event(browsers["trainer"], tool, title="Team day Yv", kind="team_day")
    register(app, ahead, [person["member"]])
    register(app, over, [person["member"]])
    move(app, over, start=timedelta(days=-3), end=timedelta(days=-3, hours=-2) + timedelta(hours=4))
    trainer = actor(app, person["trainer"], "trainer")
    with app.app_context():
        event_attendance.record(db.session, trainer, over, [person["member"]], utcnow())
        event_followups.add(db.session, trainer, over, SECRET_FOLLOWUP, utcnow().date() + timedelta(days=7), False, utcnow())
        item = db.session.scalar(sa.select(EventFollowupItem.id))
        event_followups.complete(db.session, actor(app, person["member"]), item, utcnow().date(), utcnow())
        db.session.commit()

    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        browsers["other_org"] = new_browser(verify=False)
        launch(other, browsers["other_org"], LEARNER, user_id="b-learner", name="Bea Elsewhere")
        rows = _matrix(ahead, over, item, person["outsider"])
        assert {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("events.")} == ENDPOINTS
        adapter = app.url_map.bind("localhost")
        assert {adapter.match(path, method)[0] for method, path, _d, _s in rows} == ENDPOINTS  # every route is in the matrix
        assert _run(browsers, tool, rows) == []

        # another organisation never sees the events; another participant never sees one's follow-ups
        elsewhere = get(browsers["other_org"], tool, "/events")
        assert TITLE not in elsewhere and "Team day Yv" not in elsewhere
        assert TITLE not in fetch(new_feed(browsers["other_org"], tool)).text
        assert SECRET_FOLLOWUP not in get(browsers["outsider_same"], tool, "/events") and SECRET_FOLLOWUP in get(browsers["member"], tool, "/events")
        assert TITLE in fetch(new_feed(browsers["member"], tool)).text.replace("\r\n ", "")
        assert TITLE not in fetch(new_feed(browsers["outsider_same"], tool)).text.replace("\r\n ", "")  # not registered: not in the feed
        assert "Mia Member" in text_of(get(browsers["trainer"], tool, f"/events/{over}/attendance"))

        # the mutation check: the trainers' check allowing everyone, and the matrix says so
        monkeypatch.setattr(event_access, "require_manager", lambda view: None)
        wrong = _run(browsers, tool, rows)
        assert any("outsider_same: 200, expected 403" in w for w in wrong) and any("member: 200, expected 403" in w for w in wrong), wrong
