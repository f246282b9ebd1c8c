"""WCAG 2.1 AA (axe-core in Chromium) on every circles page, in English and Dutch: the trainer's list, making a
circle (with an error), the circle page, forming from the pool and the proposal; a member's list, the circle
page, the meeting form (with an error), stating a commitment; the next chair's review form.

Everything is reached in Chromium after real launches, by the links and forms people use.
"""

from __future__ import annotations

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER, _check
from tests.web.circles_support import days_ago, meeting_ids, people, record_meeting
from tests.web.programme_support import seed_participants

pytestmark = pytest.mark.browser

MEMBERS = {"ann": "Ann Aalders", "bob": "Bob Brouwer", "cis": "Cis Claes", "dirk": "Dirk Dekker"}


def _launch(page, platform, tool, role: str, locale: str, user_id: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=name))
    page.wait_for_url(f"{tool.url}/home")


def _submit(page, form: str) -> None:
    page.locator(f"main {form} button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_circles_pages_are_accessible(page, platform, tool, app, locale):
    suffix = f"-{locale}"
    browsers, person = people(app, platform, tool, MEMBERS, locale=locale, suffix=suffix)
    seed_participants(app, [{"subject": f"pool{k}{suffix}", "name": f"Pool Person {k}", "side": ("digital_mentor", "senior_expert")[k % 2], "languages": ["en", "nl"]} for k in range(8)])
    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731

    _launch(page, platform, tool, INSTRUCTOR, locale, f"trainer{suffix}", "Tess Trainer")
    page.goto(f"{tool.url}/circles")
    assert page.locator("html").get_attribute("lang") == locale
    check("circles of a trainer, none yet")
    page.locator("main a[href='/circles/new']").first.click()
    page.wait_for_url(f"{tool.url}/circles/new")
    check("make a circle")
    _submit(page, "form[action='/circles/new']")
    assert page.locator(".error-message").count() >= 1
    check("make a circle with errors")
    page.locator("#name").fill("Digital board")
    for name in MEMBERS.values():
        page.get_by_label(name, exact=True).check()
    _submit(page, "form[action='/circles/new']")
    page.wait_for_url(f"{tool.url}/circles/*")
    circle_url = page.url
    check("a circle, as its trainer")
    page.locator("main a[href='/circles/form']").first.click()
    page.wait_for_url(f"{tool.url}/circles/form")
    check("forming from the pool")
    page.locator("#min_size").fill("4")
    page.locator("#max_size").fill("4")
    _submit(page, "form[action='/circles/form']")
    page.wait_for_url(f"{tool.url}/circles/proposals/*")
    check("proposed circles")
    page.goto(f"{tool.url}/circles")
    check("circles of a trainer, with a proposal")

    _launch(page, platform, tool, LEARNER, locale, f"ann{suffix}", MEMBERS["ann"])
    page.goto(f"{tool.url}/circles")
    check("my circles")
    page.locator(f"main a[href='{circle_url.removeprefix(tool.url)}']").click()
    page.wait_for_url(circle_url)
    check("a circle, as its next chair")
    page.locator("main a[href$='/meetings/new']").click()
    page.wait_for_url(circle_url + "/meetings/new")
    check("record a meeting")
    page.locator("#held_on").fill("")
    _submit(page, "form[action$='/meetings/new']")
    assert page.locator(".error-message").count() >= 1
    check("record a meeting with an error")
    page.locator("#held_on").fill(days_ago(7).isoformat())
    page.locator("#agenda").fill("Where each of us stands")
    _submit(page, "form[action$='/meetings/new']")
    page.wait_for_url(circle_url)
    check("a circle after its first meeting")
    page.locator("#text").fill("I will try one online tool")
    _submit(page, "form[action$='/commitments']")
    page.wait_for_url(circle_url)
    check("a circle with my commitment")

    cid = int(circle_url.rsplit("/", 1)[1])
    record_meeting(browsers["bob"], tool, cid, days_ago(1))
    meeting = meeting_ids(app, cid)[-1][0]
    _launch(page, platform, tool, LEARNER, locale, f"bob{suffix}", MEMBERS["bob"])
    page.goto(circle_url)
    page.locator(f"main a[href$='/meetings/{meeting}/review']").click()
    page.wait_for_url(f"{circle_url}/meetings/{meeting}/review")
    check("review the open commitments")
    _submit(page, "form[action$='/review']")
    check("review with nothing chosen")
    page.locator("main input[type=radio][value=partly]").first.check()
    _submit(page, "form[action$='/review']")
    page.wait_for_url(circle_url)
    check("a circle with a reviewed commitment")
