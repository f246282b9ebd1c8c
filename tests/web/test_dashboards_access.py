"""Who reaches the dashboards: every route x role (a participant with a tandem, another participant of the
same programme, the course's trainer, the organisation's administrator, an administrator of another
organisation). Participants get 403; another organisation's cohort is a 404 and its data never shows; the
matrix is shown to catch a removed check."""

from __future__ import annotations

import random

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.dashboards_support import seed
from tests.web.events_support import ADMIN
from tests.web.programme_support import INSTRUCTOR, LEARNER, get, launch, set_up_programme

ROLES = ("member", "outsider_same", "trainer", "admin", "other_org")
ENDPOINTS = {"dashboards.programme", "dashboards.programme_chart", "dashboards.programme_csv", "dashboards.programme_xlsx",
             "dashboards.organisation", "dashboards.organisation_chart", "dashboards.organisation_csv", "dashboards.organisation_xlsx"}  # fmt: skip


def _matrix(cohort: int) -> list[tuple[str, tuple[int, ...]]]:
    return [
        ("/dashboards/programme", (403, 403, 200, 200, 200)),
        (f"/dashboards/programme?cohort={cohort}", (403, 403, 200, 200, 404)),
        ("/dashboards/programme?cohort=999999", (403, 403, 404, 404, 404)),
        (f"/dashboards/programme/funnel.svg?cohort={cohort}", (403, 403, 200, 200, 404)),
        (f"/dashboards/programme/events.csv?cohort={cohort}", (403, 403, 200, 200, 404)),
        (f"/dashboards/programme.xlsx?cohort={cohort}", (403, 403, 200, 200, 404)),
        ("/dashboards/organisation", (403, 403, 403, 200, 200)),
        (f"/dashboards/organisation?cohort={cohort}", (403, 403, 403, 200, 404)),
        (f"/dashboards/organisation/per_year.svg?cohort={cohort}", (403, 403, 403, 200, 404)),
        (f"/dashboards/organisation/per_cohort.csv?cohort={cohort}", (403, 403, 403, 200, 404)),
        (f"/dashboards/organisation.xlsx?cohort={cohort}", (403, 403, 403, 200, 404)),
    ]


def _run(browsers, tool, rows) -> list[str]:
    wrong = []
    for path, expected in rows:
        for role, status in zip(ROLES, expected, strict=True):
            got = browsers[role].get(tool.url + path, allow_redirects=False).status_code
            if got != status:
                wrong.append(f"GET {path} as {role}: {got}, expected {status}")
    return wrong


def test_every_dashboard_route_by_role_and_nothing_leaks(app, platform, tool, monkeypatch):
    from plugin.extensions import db
    from plugin.models import Course, Membership, Participant, Person, Programme
    from plugin.models.base import utcnow
    from plugin.services.dashboards import access

    browsers = {key: new_browser(verify=False) for key in ("trainer", "admin", "member", "outsider_same")}
    launch(platform, browsers["trainer"], INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    launch(platform, browsers["admin"], ADMIN, user_id="admin", name="Ada Admin")
    launch(platform, browsers["member"], LEARNER, user_id="member", name="Mia Member")
    launch(platform, browsers["outsider_same"], LEARNER, user_id="outsider", name="Olly Outside")
    set_up_programme(browsers["trainer"], tool)
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.context_id == "course-1"))
        programme = db.session.scalar(sa.select(Programme).where(Programme.course_id == course.id))
        issuer = db.session.scalar(sa.select(Person.issuer).join(Membership, Membership.person_id == Person.id).where(Membership.course_id == course.id).limit(1))
        seeded = seed(db.session, organisation_id=course.organisation_id, course_id=course.id, programme_id=programme.id, issuer=issuer, n=30, today=utcnow().date(), rng=random.Random(5), prefix="acc")
        for subject in ("member", "outsider"):
            person = db.session.scalar(sa.select(Person.id).where(Person.subject == subject))
            db.session.add(Participant(programme_id=programme.id, person_id=person, side="digital_mentor", languages=["en"], capacity=1, needs={}, goals="", wishes=[], vetoes=[], profile_saved_at=utcnow()))
        db.session.commit()
        cohort = course.id
        event_title = seeded.events[0][1]

    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        browsers["other_org"] = new_browser(verify=False)
        launch(other, browsers["other_org"], ADMIN, user_id="b-admin", name="Bea Elsewhere")
        rows = _matrix(cohort)
        adapter = app.url_map.bind("localhost")
        assert {adapter.match(path.split("?")[0], "GET")[0] for path, _s in rows} == ENDPOINTS == {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("dashboards.")}
        assert _run(browsers, tool, rows) == []

        # the trainer sees the programme's numbers; another organisation sees none of them
        assert event_title in get(browsers["trainer"], tool, "/dashboards/programme")
        for path in ("/dashboards/programme", "/dashboards/programme/events.csv", "/dashboards/organisation"):
            assert event_title not in get(browsers["other_org"], tool, path)
        elsewhere = browsers["other_org"].get(tool.url + "/dashboards/programme.xlsx").content
        assert event_title.encode() not in elsewhere

        # the mutation check: the viewers' check allowing everyone, and the matrix says so
        monkeypatch.setattr(access, "require_viewer", lambda actor: None)
        wrong = _run(browsers, tool, rows)
        assert any("as member: 200, expected 403" in w for w in wrong) and any("as outsider_same: 200, expected 403" in w for w in wrong), wrong
