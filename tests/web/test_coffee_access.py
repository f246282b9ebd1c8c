"""Authorisation matrix of the coffee pages: every route x role (a matched participant, another participant
of the same programme, the trainer, an organisation administrator, a participant of another organisation)
gives the expected answer; a match is seen only by its people and the trainers (pages and iCal); and the
matrix catches a removed check (mutation)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from icalendar import Calendar

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.coffee_support import ADMIN, coffee_programme, match_of, opt_in, switch_on
from tests.web.programme_support import LEARNER, launch, post, text_of
from tests.web.test_calendar import fetch, new_feed

ROLES = ("member", "other", "trainer", "admin", "outsider")


def _expected(match_id: int, round_id: int) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    """(method, path, form, status by role); GETs have no form."""
    return [
        ("GET", "/coffee", None, {"member": 200, "other": 200, "trainer": 200, "admin": 200, "outsider": 200}),
        ("GET", f"/coffee/matches/{match_id}", None, {"member": 200, "other": 404, "trainer": 200, "admin": 200, "outsider": 404}),
        ("GET", f"/coffee/rounds/{round_id}", None, {"member": 403, "other": 403, "trainer": 200, "admin": 200, "outsider": 404}),
        ("POST", f"/coffee/matches/{match_id}/feedback", {"choice": "met"}, {"member": 303, "other": 404, "trainer": 403, "admin": 403, "outsider": 404}),
        ("POST", "/coffee/rounds", {}, {"member": 403, "other": 403, "trainer": 303, "admin": 303, "outsider": 403}),
        ("POST", "/coffee/settings", {"enabled": "y", "cadence": "weekly"}, {"member": 403, "other": 403, "trainer": 303, "admin": 303, "outsider": 403}),
        ("POST", "/coffee/opt-in", {"choice": "in"}, {"member": 303, "other": 303, "trainer": 403, "admin": 403, "outsider": 404}),
    ]


def _matrix(browsers, tool, match_id: int, round_id: int) -> list[str]:
    """Every disagreement with the expected statuses, as text."""
    wrong = []
    for method, path, form, statuses in _expected(match_id, round_id):
        for role in ROLES:
            browser = browsers[role]
            if method == "GET":
                status = browser.get(tool.url + path, allow_redirects=False).status_code
            else:
                status = post(browser, tool, path, form, status=None, token_from="/home").status_code
            if status != statuses[role]:
                wrong.append(f"{method} {path} as {role}: {status}, expected {statuses[role]}")
    return wrong


def test_every_coffee_route_by_role_and_a_removed_check_is_caught(app, platform, tool, monkeypatch):
    from plugin.extensions import db
    from plugin.models import CoffeeRound
    from plugin.services import coffee
    from plugin.services.coffee import access

    browsers, people = coffee_programme(app, platform, tool, launched=[("member", "mia", "Mia Member"), ("other", "olaf", "Olaf Other")], seeded=3)
    browsers["admin"] = new_browser(verify=False)
    launch(platform, browsers["admin"], ADMIN, user_id="ada", name="Ada Admin")
    switch_on(app)
    opt_in(app, [people["member"], people["s1"], people["s2"], people["s3"]])  # Olaf does not take part
    with app.app_context():
        from plugin.models import Programme

        coffee.run_round(db.session, db.session.scalar(sa.select(Programme)), "weekly", date.today(), "trainer")
        db.session.commit()
        round_id = db.session.scalar(sa.select(CoffeeRound.id))
    match_id = match_of(app, people["member"])
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other_org:
        from tests.conftest import register_platform

        register_platform(app, other_org, organisation="Org B")
        browsers["outsider"] = new_browser(verify=False)
        launch(other_org, browsers["outsider"], LEARNER, user_id="bea", name="Bea Outsider")

        assert _matrix(browsers, tool, match_id, round_id) == []

        # the match's people appear only to its people and the trainers
        with app.app_context():
            from plugin.models import CoffeeMember, Person

            partner_names = db.session.scalars(
                sa.select(Person.name).join(CoffeeMember, CoffeeMember.person_id == Person.id).where(CoffeeMember.match_id == match_id, Person.id != people["member"])
            ).all()
        assert partner_names
        for role, visible in (("member", True), ("trainer", True), ("admin", True), ("other", False), ("outsider", False)):
            page = text_of(browsers[role].get(tool.url + "/coffee").text)
            assert all((name in page) is visible for name in partner_names), role
        for role, visible in (("member", True), ("other", False)):
            events = Calendar.from_ical(fetch(new_feed(browsers[role], tool)).content).walk("VEVENT")
            assert any(str(e["UID"]).startswith("coffee-") for e in events) is visible, role
            assert all(any(n in str(e["SUMMARY"]) for e in events) is visible for n in partner_names), role

        # mutation: a programme check that lets everyone read finds the matrix failing
        monkeypatch.setattr(access, "_reads_programme", lambda actor, course_id: True)
        wrong = _matrix(browsers, tool, match_id, round_id)
        assert any("as other" in w for w in wrong) and any("as member" in w for w in wrong), wrong
