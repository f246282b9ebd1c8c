"""WCAG 2.1 AA (axe-core in Chromium) on the erasure pages, in English and Dutch: the administrator's settings
(empty, refused input, a request waiting, after carrying it out: the audit line) and the participant's page
(asking, a refused request without the tick, the planned erasure with its cancel button, after cancelling).

Everything is reached in Chromium after real launches, by the links and forms people use."""

from __future__ import annotations

import pytest

from tests.browser.test_catalogue_accessibility import LEARNER, _check
from tests.web.network_support import ADMIN

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, role: str, locale: str, user_id: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=name))
    page.wait_for_url(f"{tool.url}/home")


def _submit(page, form: str) -> None:
    page.locator(f"main form[action^='{form}'] button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_erasure_pages_are_accessible(page, platform, tool, locale):
    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731
    me = (f"pia-{locale}", "Pia Participant")

    _launch(page, platform, tool, LEARNER, locale, *me)
    page.locator("main a[href='/me/erasure']").click()
    page.wait_for_url(f"{tool.url}/me/erasure")
    assert page.locator("html").get_attribute("lang") == locale
    check("participant, asking")
    _submit(page, "/me/erasure")
    assert page.locator("main [role=alert]").count() == 1
    check("participant, a request without the tick")
    page.locator("#confirm").check()
    _submit(page, "/me/erasure")
    page.wait_for_url(f"{tool.url}/me/erasure")
    assert page.locator("main form[action$='/cancel']").count() == 1
    check("participant, erasure planned")
    _submit(page, "/me/erasure/")
    check("participant, after cancelling")

    _launch(page, platform, tool, ADMIN, locale, f"ada-{locale}", "Ada Admin")
    page.locator("main a[href='/organisation/erasure']").click()
    page.wait_for_url(f"{tool.url}/organisation/erasure")
    check("administrator, nothing asked")
    page.locator("#grace_days").fill("-3")
    _submit(page, "/organisation/erasure")
    assert page.locator("main .field-error").count() == 1
    check("administrator, refused input")
    page.locator("#grace_days").fill("0")
    page.locator("#retention_days").fill("365")
    _submit(page, "/organisation/erasure")
    page.wait_for_url(f"{tool.url}/organisation/erasure")

    _launch(page, platform, tool, LEARNER, locale, *me)
    page.goto(f"{tool.url}/me/erasure")
    page.locator("#confirm").check()
    _submit(page, "/me/erasure")
    _launch(page, platform, tool, ADMIN, locale, f"ada-{locale}", "Ada Admin")
    page.goto(f"{tool.url}/organisation/erasure")
    assert page.locator("main form[action$='/run']").count() == 1
    check("administrator, a request to carry out")
    _submit(page, "/organisation/erasure/")
    page.wait_for_url(f"{tool.url}/organisation/erasure")
    assert page.locator("main table").count() == 1  # the audit line; nothing waits any more
    check("administrator, after carrying it out")
