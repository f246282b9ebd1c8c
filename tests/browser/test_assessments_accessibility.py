"""WCAG 2.1 AA (axe-core in Chromium) on every self-assessments page, in English and Dutch: a participant's
list (nothing taken yet, then with takes), a questionnaire (first take; with its errors; a retake that asks
when), their growth (one take, two takes); the trainers' overview, a participant's growth and the choice of
questionnaires (with its error). Reached after real launches by the links and forms people use."""

from __future__ import annotations

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER, _check
from tests.harness.browser import new_browser
from tests.web.assessments_support import programme_with

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, role: str, locale: str, user_id: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=name))
    page.wait_for_url(f"{tool.url}/home")


def _submit(page) -> None:
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _answer(page, value_of) -> None:
    groups = page.locator("main fieldset.self-check[id^='item-']:not(#item-kind)")
    for i in range(groups.count()):
        radios = groups.nth(i).locator("input[type=radio]")
        radios.nth(value_of(i) % radios.count()).check()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_assessments_pages_are_accessible(page, platform, tool, app, locale):
    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731
    _programme, person = programme_with(app, platform, tool, new_browser(), [{"subject": f"dana-{locale}", "side": "digital_mentor", "name": "Dana Digital"}],
                                        context_id="course-1")  # fmt: skip

    _launch(page, platform, tool, LEARNER, locale, f"dana-{locale}", "Dana Digital")
    page.locator("main a[href='/assessments']").click()
    page.wait_for_url(f"{tool.url}/assessments")
    assert page.locator("html").get_attribute("lang") == locale
    check("my self-assessments, nothing taken")
    page.locator("main a[href='/assessments/take/digcomp-self-check']").click()
    page.wait_for_url(f"{tool.url}/assessments/take/digcomp-self-check")
    check("questionnaire, first take")
    _submit(page)
    assert page.locator(".error-message").count() == 18
    check("questionnaire with errors")
    _answer(page, lambda i: i)
    _submit(page)
    page.wait_for_url(f"{tool.url}/assessments/growth")
    check("my growth, one take")
    page.goto(f"{tool.url}/assessments")
    page.locator("main a[href='/assessments/take/digcomp-self-check']").click()
    page.wait_for_url(f"{tool.url}/assessments/take/digcomp-self-check")
    assert page.locator("#item-kind input[type=radio]").count() == 2
    check("questionnaire, a retake")
    _answer(page, lambda i: i + 1)
    page.locator("#kind-end").check()
    _submit(page)
    page.wait_for_url(f"{tool.url}/assessments/growth")
    assert page.locator("#taught tbody tr").count() == 17
    check("my growth, two takes")
    page.goto(f"{tool.url}/assessments")
    check("my self-assessments, with takes")

    _launch(page, platform, tool, INSTRUCTOR, locale, "trainer-course-1", "Tess Trainer")
    page.locator("main a[href='/assessments/programme']").click()
    page.wait_for_url(f"{tool.url}/assessments/programme")
    check("the programme's self-assessments")
    page.locator(f"main a[href='/assessments/people/{person[f'dana-{locale}']}']").click()
    page.wait_for_url(f"{tool.url}/assessments/people/*")
    check("a participant's growth")
    page.goto(f"{tool.url}/assessments/programme")
    page.locator("main a[href='/assessments/setup']").click()
    page.wait_for_url(f"{tool.url}/assessments/setup")
    check("choose the questionnaires")
    for box in page.locator("main input[type=checkbox]").all():
        box.uncheck()
    _submit(page)
    assert page.locator(".error-message").count() == 1
    check("choose the questionnaires, with its error")
