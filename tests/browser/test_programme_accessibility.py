"""WCAG 2.1 AA (axe-core in Chromium) on the programme pages, in English and Dutch: setup, participants,
CSV import with errors, matching progress, review, publish, the needs map's summary and a step (every
step: tests/browser/test_needs_map.py), and the tandem page.

Everything is reached in the browser after real launches; the matching runs from the trainer's button
and its progress page follows the job until the proposal can be reviewed.
"""

from __future__ import annotations

import random

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER, _check
from tests.web.programme_support import needs_for, seed_participants

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, role: str, locale: str, user_id: str) -> None:
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=f"Person {user_id}"))
    page.wait_for_url(f"{tool.url}/home")


def _home_state(page, tool, platform, what: str, next_step: str) -> None:
    """The trainer's home in the state the programme is in: accessible, with its one next step."""
    page.goto(f"{tool.url}/home")
    assert page.locator("main .programme-state .next-step a").get_attribute("href") == next_step
    _check(page, tool.url, platform.url, what)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_programme_pages_are_accessible(page, platform, tool, app, locale):
    _launch(page, platform, tool, INSTRUCTOR, locale, f"trainer-{locale}")
    _check(page, tool.url, platform.url, "trainer home before setup")
    page.locator("main .next-step a[href='/programme/setup']").click()
    page.wait_for_url(f"{tool.url}/programme/setup")
    _check(page, tool.url, platform.url, "programme setup")
    page.locator("#max_capacity").fill("0")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-message").count() >= 1
    _check(page, tool.url, platform.url, "programme setup with an error")
    page.locator("#max_capacity").fill("3")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{tool.url}/programme")
    assert page.locator(".empty-state").count() >= 1
    _check(page, tool.url, platform.url, "empty participants page")

    page.goto(f"{tool.url}/programme/roster/import")
    page.locator("input[type=file]").set_input_files({"name": "people.csv", "mimeType": "text/csv", "buffer": b"user_id,side\n,expert\nx,wizard\n"})
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=alert] li").count() == 2
    _check(page, tool.url, platform.url, "CSV import with bad lines")

    rng = random.Random(5)
    people = [{"subject": f"{locale}-p{i}", "name": f"Person {i}", "side": side, "languages": ["en", "nl"], "needs": needs_for(side, rng)} for i, side in enumerate(["digital_mentor", "senior_expert"] * 6)]
    seed_participants(app, people)
    _home_state(page, tool, platform, "trainer home with participants", "/programme#matching")
    page.goto(f"{tool.url}/programme")
    assert page.locator("main table tbody tr").count() == 12
    _check(page, tool.url, platform.url, "participants page")

    page.locator("main form[action='/programme/match'] button").click()
    page.wait_for_url(f"{tool.url}/programme/jobs/*")
    page.wait_for_url(f"{tool.url}/programme/proposal")  # the progress page goes on by itself (tests/browser/test_job_progress.py)
    assert page.locator(".pair-card").count() >= 4
    _check(page, tool.url, platform.url, "proposal review")
    page.locator("#q").fill("Person")
    page.locator("#changed").check()
    page.locator("main form[role=search] button[type=submit]").first.click()
    page.wait_for_url(f"{tool.url}/programme/proposal?*changed=1*")
    assert page.locator(".pair-card").count() == 0 and page.locator("#pairs-shown").count() == 1  # nothing changed yet: an empty page, said so
    _check(page, tool.url, platform.url, "filtered proposal review")
    _home_state(page, tool, platform, "trainer home with a proposal", "/programme/proposal")
    page.goto(f"{tool.url}/programme/proposal")
    page.locator("main a.button[href$='/publish']").click()
    page.wait_for_load_state()
    _check(page, tool.url, platform.url, "publish confirmation")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{tool.url}/programme/jobs/*")  # publishing is a job
    page.wait_for_url(f"{tool.url}/programme")  # its page goes on by itself once the tandems exist
    _home_state(page, tool, platform, "trainer home after publish", "/tandems")
    assert int(page.locator("main dl.tandem-counts dd").first.inner_text()) >= 4  # published tandems

    # a participant: profile, needs map with an error, then the published tandem
    page.context.clear_cookies()
    _launch(page, platform, tool, LEARNER, locale, f"{locale}-p0")
    _check(page, tool.url, platform.url, "participant home")
    page.goto(f"{tool.url}/profile")
    assert page.locator("#readiness-title").count() == 1
    _check(page, tool.url, platform.url, "profile and needs map: summary")
    page.goto(f"{tool.url}/profile/needs/entrecomp-1")  # p0 is a digital mentor: learns EntreComp
    assert page.locator(".level-legend dt").count() == 8
    _check(page, tool.url, platform.url, "needs map step")
    page.locator("#want-entrecomp-1_1").select_option("2")
    page.locator("#current-entrecomp-1_1").select_option("3")
    page.locator("main form button[value=next]").click()
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() == 1
    _check(page, tool.url, platform.url, "needs map step with an error")
    page.goto(f"{tool.url}/tandem")
    assert page.locator(".pair-card").count() == 1
    _check(page, tool.url, platform.url, "my tandem")
    page.locator("main button[value=coffee]").click()
    page.wait_for_url(f"{tool.url}/tandem")
    _check(page, tool.url, platform.url, "my tandem after asking for a virtual coffee")


def test_profile_needs_map_fits_the_lms_iframe(page, platform, tool, app):
    _launch(page, platform, tool, INSTRUCTOR, "en", "trainer-narrow")
    page.goto(f"{tool.url}/programme/setup")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{tool.url}/programme")
    page.context.clear_cookies()
    seed_participants(app, [{"subject": "narrow-p", "side": "senior_expert", "needs": {}}])
    _launch(page, platform, tool, LEARNER, "en", "narrow-p")
    page.set_viewport_size({"width": 700, "height": 900})
    for path in ("/profile", "/profile/quick-start", "/profile/needs/digcomp-2", "/profile/needs/entrecomp-1"):
        page.goto(f"{tool.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
