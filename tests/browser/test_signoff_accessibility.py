"""WCAG 2.1 AA (axe-core in Chromium) on the sign-off pages, in English and Dutch: the tandem's modules,
a module's two tracks for the teacher and the learner, the sign-off confirmation, an error, and the
trainer's view with the grade status."""

from __future__ import annotations

import time

import pytest

from tests.browser.test_catalogue_accessibility import _check
from tests.web.programme_support import active_tandem

pytestmark = pytest.mark.browser


def _open_as(page, browser_session, tool) -> None:
    """Carry a requests session's Tandem cookie into Chromium (the person launched already)."""
    page.context.clear_cookies()
    for cookie in browser_session.cookies:
        if cookie.name == "tandem_session":
            page.context.add_cookies([{"name": cookie.name, "value": cookie.value, "url": tool.url, "sameSite": "None", "secure": True}])


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_signoff_pages_are_accessible(page, platform, tool, app, locale):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True, locale=locale)
    module = f"{tool.url}/tandems/{tandem_id}/modules/e-reputation/v1"

    _open_as(page, browsers["digital"], tool)
    page.goto(f"{tool.url}/tandems/{tandem_id}/modules")
    assert page.locator("html").get_attribute("lang") == locale
    assert page.locator("main table tbody tr").count() >= 10
    _check(page, tool.url, platform.url, "tandem modules")
    page.goto(module)
    _check(page, tool.url, platform.url, "module for the digital mentor")
    # an incomplete sign-off: the error is announced
    page.locator("#d1 input[name=criterion]").first.check()
    page.locator("#d1 form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() == 1
    _check(page, tool.url, platform.url, "sign-off error")
    # the deliberate confirmation, then the signed objective
    for box in page.locator("#d1 input[name=criterion]").all():
        box.check()
    page.locator("#d1 form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main h1").count() == 1
    _check(page, tool.url, platform.url, "sign-off confirmation")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(module)
    assert page.locator("#d1 .status").count() == 1
    _check(page, tool.url, platform.url, "module after a sign-off")

    _open_as(page, browsers["expert"], tool)
    page.goto(module)
    page.locator("#d2 details summary").last.click()
    _check(page, tool.url, platform.url, "module for the senior expert with the evidence form open")

    time.sleep(0.5)  # the score is delivered in the background
    _open_as(page, browsers["trainer"], tool)
    page.goto(module)
    assert page.locator(".grade").count() >= 1
    _check(page, tool.url, platform.url, "module for the trainer with the grade status")
    page.goto(f"{tool.url}/programme/grades")
    assert page.locator("main table tbody tr").count() >= 1
    _check(page, tool.url, platform.url, "grades overview")
