"""WCAG 2.1 AA (axe-core in Chromium) on the credentials pages, in English and Dutch: the learner's list
(reached from their home), a credential's public verification page (valid, then as a visitor without a
login), the check of a held credential with a tampered JWT (invalid) and with nothing pasted (the error)."""

from __future__ import annotations

import pytest

from tests.browser.test_catalogue_accessibility import _check
from tests.browser.test_signoff_accessibility import _open_as
from tests.web.credentials_support import complete_module
from tests.web.programme_support import active_tandem

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_credentials_pages_are_accessible(page, platform, tool, app, locale):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True, locale=locale)
    complete_module(app, person, tandem_id)

    _open_as(page, browsers["expert"], tool)
    page.goto(f"{tool.url}/home")
    page.locator("main a[href='/credentials']").first.click()
    page.wait_for_url(f"{tool.url}/credentials")
    assert page.locator("html").get_attribute("lang") == locale
    assert page.locator("main .credential").count() == 1
    _check(page, tool.url, platform.url, "my credentials")
    token = page.context.request.get(tool.url + page.locator("main a[href$='.jwt']").get_attribute("href")).text()

    page.locator("main a[href^='/credentials/verify/']").click()
    page.wait_for_load_state()
    assert page.locator(".verification-valid").count() == 1
    _check(page, tool.url, platform.url, "verification page (valid)")

    # a visitor without a login: the same page, then a held credential that was changed after signing
    address = page.url
    page.context.clear_cookies()
    page.goto(address)
    if locale == "nl" and page.locator("html").get_attribute("lang") != "nl":
        page.locator("header form.language-switch button").click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == locale
    _check(page, tool.url, platform.url, "verification page for a visitor")
    head, payload, signature = token.split(".")
    page.locator("#token").fill(f"{head}.{payload[:-4]}AAAA.{signature}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".verification-invalid").count() == 1
    _check(page, tool.url, platform.url, "verification of a tampered credential")
    page.locator("#token").fill(" ")
    page.locator("#token").evaluate("el => el.removeAttribute('required')")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=alert]").count() == 1
    _check(page, tool.url, platform.url, "verification form with nothing pasted")
