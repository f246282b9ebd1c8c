"""What a successful launch does: records, cookies fit for the iframe, role homes, language, key handling."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import register_platform
from tests.harness.browser import cookie_header, follow, new_browser, set_cookie_headers
from tests.harness.platform import TestPlatform

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = VOCAB + "membership#Instructor"
LEARNER = VOCAB + "membership#Learner"
ADMIN_ROLES = [VOCAB + "institution/person#Administrator", VOCAB + "system/person#Administrator"]


def _count(app, model) -> int:
    from plugin.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_launch_records_person_course_and_membership_once(platform, browser, app):
    from plugin.models import Course, Membership, Person

    for _ in range(2):
        result = platform.launch(browser, user_id="u-42", name="Ada Lovelace")
        assert result.response.status_code == 200
    assert (_count(app, Person), _count(app, Course), _count(app, Membership)) == (1, 1, 1)
    result = platform.launch(browser, user_id="u-42", roles=[LEARNER], name="Ada King")
    from plugin.extensions import db

    with app.app_context():
        person = db.session.scalars(sa.select(Person)).one()
        membership = db.session.scalars(sa.select(Membership)).one()
        assert (person.name, membership.role) == ("Ada King", "participant")


def test_cookies_are_fit_for_the_lms_iframe(platform, browser):
    result = platform.launch(browser, submit=False)
    [state_cookie] = [h for h in set_cookie_headers(result.login_response) if h.startswith("lti1p3-state-")]
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
        assert attribute in state_cookie, state_cookie
    response = browser.post(result.form_action, data={"id_token": result.id_token, "state": result.state}, allow_redirects=False)
    session_cookie = cookie_header(response, "tandem_session")
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
        assert attribute in session_cookie, session_cookie
    assert "X-Frame-Options" not in response.headers
    home = follow(browser, response)
    assert "X-Frame-Options" not in home.headers
    assert "frame-ancestors" not in home.headers.get("Content-Security-Policy", "")


def test_launch_data_stays_server_side(platform, browser):
    result = platform.launch(browser, name="Very Distinctive Name")
    raw = cookie_header(result.response, "tandem_session")
    # The signed session cookie holds ids only, never the id_token or its claims.
    assert "purl.imsglobal.org" not in raw and len(raw) < 600


def test_trainer_home_shows_next_steps(platform, browser):
    page = follow(browser, platform.launch(browser, roles=[INSTRUCTOR]).response)
    assert "Your mentoring programme" in page.text
    for step in ("Invite participants.", "They map their needs.", "Match.", "Publish."):
        assert step in page.text
    assert "Mentoring 101" in page.text


def test_participant_home_shows_empty_tandem_and_principles(platform, browser):
    page = follow(browser, platform.launch(browser, roles=[LEARNER]).response)
    assert "You do not have a tandem partner yet" in page.text
    for principle in ("Space", "Respect", "Patience", "Perseverance", "Acceptance"):
        assert principle in page.text


def test_membership_roles_win_over_institution_roles(platform, browser):
    page = follow(browser, platform.launch(browser, roles=[*ADMIN_ROLES, LEARNER]).response)
    assert "My tandem" in page.text


def test_admin_sees_own_organisation_only(platform, browser, app, tool):
    # Organisation B, on another platform, with its own course.
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        register_platform(app, other, organisation="Org B")
        other_browser = new_browser(verify=False)
        other.launch(other_browser, user_id="b1", context={"id": "b-course", "title": "Secret course of B"})
    platform.launch(browser, user_id="a1", context={"id": "a-course", "title": "Course of A"})
    page = follow(browser, platform.launch(browser, user_id="admin-a", roles=ADMIN_ROLES, context=None).response)
    assert "Organisation: Org A" in page.text
    assert "Course of A" in page.text
    assert "Secret course of B" not in page.text and "Org B" not in page.text


def test_dutch_launch_locale_gives_dutch_pages_and_the_switch_works(platform, browser, tool):
    page = follow(browser, platform.launch(browser, roles=[LEARNER], locale="nl-NL").response)
    assert 'lang="nl"' in page.text
    assert "Mijn tandem" in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    switched = browser.post(tool.url + "/language", data={"csrf_token": token, "language": "en", "next": "/home"}, allow_redirects=False)
    assert switched.status_code == 303
    page = follow(browser, switched)
    assert 'lang="en"' in page.text and "My tandem" in page.text


def test_language_switch_requires_csrf_token(platform, browser, tool):
    follow(browser, platform.launch(browser).response)
    response = browser.post(tool.url + "/language", data={"language": "nl"}, allow_redirects=False)
    assert response.status_code == 400
    assert "This form has expired" in response.text


def test_rejected_launch_speaks_dutch(platform, browser):
    browser.headers["Accept-Language"] = "nl"
    result = platform.launch(browser, claims_patch={"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"})
    assert result.response.status_code == 400
    assert "Tandem kon niet openen" in result.response.text


def test_home_without_launch_asks_to_start_from_the_course(tool, browser):
    response = browser.get(tool.url + "/home", allow_redirects=False)
    assert response.status_code == 401
    assert "Go back to your course and open Tandem again." in response.text


def test_platform_keys_are_cached_and_refetched_once_after_rotation(platform, browser):
    for _ in range(3):
        assert platform.launch(browser).response.status_code == 200
    assert platform.jwks_requests == 1
    platform.rotate_key()
    assert platform.launch(browser).response.status_code == 200
    assert platform.jwks_requests == 2


def test_tool_jwks_serves_old_and_new_keys_after_rotation(app, tool, browser):
    from plugin.extensions import db
    from plugin.services import keys

    first = browser.get(tool.url + "/lti/jwks").json()["keys"]
    assert len(first) == 1 and first[0]["alg"] == "RS256" and first[0]["use"] == "sig"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    second = browser.get(tool.url + "/lti/jwks").json()["keys"]
    assert {k["kid"] for k in second} == {first[0]["kid"], result.output.split()[3]}
    with app.app_context():
        assert keys.signing_key(db.session).kid == result.output.split()[3]


def test_moodle_cartridge_check_get_on_launch_url_is_answered(tool, browser):
    response = browser.get(tool.url + "/lti/launch")
    assert response.status_code == 200
