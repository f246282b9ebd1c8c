"""Who reaches what of the self-assessments: every route of the assessments blueprint x role (a participant
who took them, another participant of the same programme, the course's trainer, the organisation's
administrator, a participant and a trainer of another organisation). A participant sees only their own
takes and growth, the course's trainers the programme's, another organisation nothing (not found); the
matrix is shown to catch a removed check."""

from __future__ import annotations

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.assessments_support import add_take
from tests.web.events_support import ADMIN
from tests.web.programme_support import INSTRUCTOR, LEARNER, get, ids, launch, post, set_up_programme, text_of

ROLES = ("member", "outsider_same", "trainer", "admin", "other_org", "other_trainer")
DIG = "digcomp-self-check"
ENDPOINTS = {"assessments.index", "assessments.take", "assessments.growth", "assessments.programme", "assessments.person", "assessments.setup"}


def _matrix(member: int) -> list[tuple[str, str, dict | None, tuple[int, ...]]]:
    """(method, path, form data, statuses by role in ROLES order); the POSTs are refused (400, nothing written)."""
    return [
        ("GET", "/assessments", None, (200, 200, 403, 403, 200, 403)),
        ("GET", f"/assessments/take/{DIG}", None, (200, 200, 403, 403, 200, 403)),
        ("POST", f"/assessments/take/{DIG}", {"search": "4"}, (400, 400, 403, 403, 400, 403)),
        ("GET", "/assessments/growth", None, (200, 200, 403, 403, 200, 403)),
        ("GET", "/assessments/programme", None, (403, 403, 200, 200, 403, 200)),
        ("GET", f"/assessments/people/{member}", None, (403, 403, 200, 200, 403, 404)),
        ("GET", "/assessments/setup", None, (403, 403, 200, 200, 403, 200)),
        ("POST", "/assessments/setup", {}, (403, 403, 400, 400, 403, 400)),
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


def _count(app) -> int:
    import sqlalchemy as sa

    from plugin.extensions import db
    from plugin.models import AssessmentTake

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentTake))


def test_every_assessments_route_by_role_and_nothing_leaks(app, platform, tool, monkeypatch):
    from plugin.extensions import db
    from plugin.models import Participant, Programme
    from plugin.models.base import utcnow
    from plugin.services import assessment_access

    browsers = {key: new_browser(verify=False) for key in ("trainer", "admin", "member", "outsider_same")}
    launch(platform, browsers["trainer"], INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    launch(platform, browsers["admin"], ADMIN, user_id="admin", name="Ada Admin")
    launch(platform, browsers["member"], LEARNER, user_id="member", name="Mia Member")
    launch(platform, browsers["outsider_same"], LEARNER, user_id="outsider", name="Olly Outside")
    set_up_programme(browsers["trainer"], tool)
    person = ids(app, "member", "outsider")
    with app.app_context():
        import sqlalchemy as sa

        programme_id = db.session.scalar(sa.select(Programme.id))
        for key, side in (("member", "digital_mentor"), ("outsider", "senior_expert")):
            db.session.add(Participant(programme_id=programme_id, person_id=person[key], side=side, source="launch", languages=["en"], needs={}, goals="",
                                       wishes=[], vetoes=[], capacity=1, profile_saved_at=utcnow()))  # fmt: skip
        db.session.commit()
    add_take(app, programme_id, person["member"], {"digcomp:1.1": 3, "entrecomp:2.5": 1}, kind="start", days=0)
    add_take(app, programme_id, person["member"], {"digcomp:1.1": 5, "entrecomp:2.5": 4}, kind="end", days=60)

    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        browsers["other_org"], browsers["other_trainer"] = new_browser(verify=False), new_browser(verify=False)
        launch(other, browsers["other_trainer"], INSTRUCTOR, user_id="b-trainer", name="Bo Trainer")
        set_up_programme(browsers["other_trainer"], tool)
        launch(other, browsers["other_org"], LEARNER, user_id="b-learner", name="Bea Elsewhere")

        rows = _matrix(person["member"])
        assert {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("assessments.")} == ENDPOINTS
        adapter = app.url_map.bind("localhost")
        assert {adapter.match(path, method)[0] for method, path, _d, _s in rows} == ENDPOINTS  # every route is in the matrix
        before = _count(app)
        assert _run(browsers, tool, rows) == []
        assert _count(app) == before  # the refused POSTs wrote nothing

        # a participant sees only their own growth; the course's trainer sees the programme's; another organisation nothing
        mine = text_of(get(browsers["member"], tool, "/assessments/growth"))
        assert "+2" in mine and "+3" in mine and "EntreComp 2.5" in mine
        theirs = text_of(get(browsers["outsider_same"], tool, "/assessments/growth"))
        assert "EntreComp 2.5" not in theirs and "You have not filled in a questionnaire yet." in theirs
        overview = text_of(get(browsers["trainer"], tool, "/assessments/programme"))
        assert "Mia Member" in overview and "Olly Outside" in overview and "DigComp 1.1" in overview
        assert "Mia Member" in text_of(get(browsers["trainer"], tool, f"/assessments/people/{person['member']}"))
        elsewhere = text_of(get(browsers["other_trainer"], tool, "/assessments/programme"))
        assert "Mia Member" not in elsewhere and "DigComp 1.1" not in elsewhere
        get(browsers["trainer"], tool, "/assessments/people/0", status=404)
        get(browsers["trainer"], tool, "/assessments/people/99999999999", status=404)

        # the mutation check: the trainers' check allowing everyone, and the matrix says so
        monkeypatch.setattr(assessment_access, "manages", lambda actor: True)
        wrong = _run(browsers, tool, [row for row in rows if row[0] == "GET"])
        assert any("GET /assessments/programme as member: 200, expected 403" in w for w in wrong), wrong
