"""WCAG 2.1 AA (axe-core in Chromium) on the group pages, in English and Dutch: the trainer's groups list,
the create form (empty and with an error), the group page (as the trainer, as a participant outside it,
asking to join, as its mentor with a request), the module page with both tracks per learner, the sign-off
confirmation, the sessions list with the planning form, and a session with attendance and notes.

Everything is reached in Chromium after real launches, by the links and forms people use.
"""

from __future__ import annotations

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, _check
from tests.web.groups_support import MODULE, PEOPLE, world

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, key: str, locale: str) -> None:
    name, _side, role = PEOPLE[key]
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=f"{key}-{locale}", name=name))
    page.wait_for_url(f"{tool.url}/home")


def _submit(page, form: str) -> None:
    page.locator(f"main {form} button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_group_pages_are_accessible(page, platform, tool, app, locale):
    w = world(app, platform, tool, locale=locale, suffix=f"-{locale}", keys=("trainer", "mentor", "j1", "j2"), groups=False)
    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731
    assert PEOPLE["trainer"][2] == INSTRUCTOR

    _launch(page, platform, tool, "trainer", locale)
    page.goto(f"{tool.url}/groups")
    assert page.locator("html").get_attribute("lang") == locale
    check("trainer's groups, none yet")
    page.locator("main a[href='/groups/new']").click()
    page.wait_for_url(f"{tool.url}/groups/new")
    check("create form")
    _submit(page, "form[action='/groups/new']")
    assert page.locator(".error-message").count() >= 1
    check("create form with errors")
    page.locator("#name").fill("Reputation circle")
    page.locator("#purpose").fill("Seniors and juniors teach each other")
    page.locator(f"main input[name=modules][value={MODULE}]").check()
    page.locator("main input[name=kind][value=closed]").check()
    page.locator("#mentor").select_option(str(w.person["mentor"]))
    _submit(page, "form[action='/groups/new']")
    page.wait_for_url(f"{tool.url}/groups/*")
    gid = int(page.url.rsplit("/", 1)[1])
    check("group page, trainer")
    page.goto(f"{tool.url}/groups")
    check("trainer's groups")

    _launch(page, platform, tool, "j1", locale)
    page.goto(f"{tool.url}/groups")
    check("participant's groups to join")
    page.locator(f"main a[href='/groups/{gid}']").click()
    page.wait_for_url(f"{tool.url}/groups/{gid}")
    check("group page, outside it")
    _submit(page, f"form[action='/groups/{gid}/join']")
    page.wait_for_url(f"{tool.url}/groups/{gid}")
    check("group page, asked to join")

    _launch(page, platform, tool, "mentor", locale)
    page.goto(f"{tool.url}/groups/{gid}")
    check("group page, mentor with a request")
    _submit(page, f"form[action='/groups/{gid}/requests/approve']")
    page.wait_for_url(f"{tool.url}/groups/{gid}")
    check("group page, mentor with a member")
    page.locator(f"main a[href='/groups/{gid}/modules/{MODULE}/v1']").click()
    page.wait_for_url(f"{tool.url}/groups/{gid}/modules/{MODULE}/v1")
    check("module page, both tracks")
    form = page.locator("main form[action$='/sign']").first
    for box in form.locator("input[name=criterion]").all():
        box.check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main input[name=confirmed]").count() == 1
    check("sign-off confirmation")
    _submit(page, "form[action$='/sign']")
    page.wait_for_url(f"{tool.url}/groups/{gid}/modules/{MODULE}/v1")
    check("module page after a sign-off")

    page.goto(f"{tool.url}/groups/{gid}/sessions")
    check("sessions, none yet")
    page.locator("#minutes").fill("")
    _submit(page, f"form[action='/groups/{gid}/sessions']")
    assert page.locator(".error-message").count() >= 1
    check("session form with an error")
    page.locator("#starts").fill("2030-05-06T10:00")
    page.locator("#minutes").fill("60")
    page.locator("#agenda").fill("Our first meeting")
    _submit(page, f"form[action='/groups/{gid}/sessions']")
    page.wait_for_url(f"{tool.url}/groups/{gid}/sessions/*")
    check("a session")
    page.goto(f"{tool.url}/groups/{gid}/sessions")
    check("sessions with one")
