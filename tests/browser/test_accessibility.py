"""WCAG 2.1 AA with axe-core in Chromium, in English and Dutch, on every page a launch leads to.

Launches are real: Chromium opens the platform's launch page, which posts the OIDC initiation to
Tandem; Tandem redirects to the platform, which posts the signed id_token back.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
ROLES = {
    "trainer": [VOCAB + "membership#Instructor"],
    "participant": [VOCAB + "membership#Learner"],
    "org_admin": [VOCAB + "institution/person#Administrator"],
    "observer": [VOCAB + "membership#Mentor"],
}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


def _check(page, tool_url: str, platform_url: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()
    allowed = (urlparse(tool_url).netloc, urlparse(platform_url).netloc)
    external = [u for u in page.requested_urls if urlparse(u).netloc not in allowed and not u.startswith(("data:", "about:"))]
    assert not external, external


@pytest.mark.parametrize("locale", ["en", "nl"])
@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_home_pages_are_accessible(page, platform, tool, role, locale):
    page.goto(platform.browser_launch_url(roles=ROLES[role], locale=locale, user_id=f"{role}-{locale}"))
    page.wait_for_url(f"{tool.url}/home")  # the launch page replaces its URL with /home
    assert page.locator("html").get_attribute("lang") == locale
    _check(page, tool.url, platform.url)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_rejected_launch_page_is_accessible(page, platform, tool, locale):
    page.set_extra_http_headers({"Accept-Language": locale})
    page.goto(platform.browser_launch_url(claims_patch={"https://purl.imsglobal.org/spec/lti/claim/version": "1.2.0"}))
    page.wait_for_url(f"{tool.url}/lti/launch")
    assert page.locator("h1").inner_text() in ("Tandem could not open", "Tandem kon niet openen")
    _check(page, tool.url, platform.url)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_deep_linking_picker_is_accessible(page, platform, tool, locale):
    page.goto(platform.browser_launch_url(message_type="LtiDeepLinkingRequest", locale=locale))
    page.wait_for_url(f"{tool.url}/lti/deep-link/*")
    _check(page, tool.url, platform.url)


def test_language_switch_works_in_the_browser(page, platform, tool):
    page.goto(platform.browser_launch_url(roles=ROLES["participant"], locale="en"))
    page.wait_for_url(f"{tool.url}/home")  # the launch page replaces its URL with /home
    switch = page.locator("header form.language-switch button")
    assert switch.count() == 1  # compact: one button, the other language named in itself
    assert switch.get_attribute("value") == "nl" and switch.locator("[lang=nl]").inner_text() == "Nederlands"
    page.get_by_role("button", name="Switch the language to Nederlands").click()
    page.wait_for_url(f"{tool.url}/home")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn tandem"
    assert page.locator("header form.language-switch button [lang=en]").inner_text() == "English"  # and back


@pytest.mark.parametrize("path", ["/", "/lti/launch"])
def test_public_pages_are_accessible(page, tool, platform, path):
    page.goto(tool.url + path)
    _check(page, tool.url, platform.url)
