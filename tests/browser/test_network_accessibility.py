"""WCAG 2.1 AA (axe-core in Chromium) on the mentor network's pages, in English and Dutch: a participant's
network (partner, suggestions, a refused request), a request as the mentee sees it, the mentor's network
with a request to answer, the answer form (and its error), an active and a declined focused mentoring, and
the trainer's view of the programme's network. Reached in Chromium after real launches, by links and forms."""

from __future__ import annotations

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER, _check
from tests.web.network_support import ONE_MODULE, OTHER_NEED, network_scenario, seed_focused

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, role: str, locale: str, user_id: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=name))
    page.wait_for_url(f"{tool.url}/home")


def _click(page, selector: str) -> None:
    page.locator(selector).first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_network_pages_are_accessible(page, platform, tool, app, locale):
    s = network_scenario(app, platform, tool, locale=locale, admin=False, who=("dana", "evert", "mara", "pia", "olga"))
    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731
    declined = seed_focused(app, s, "dana", "pia", OTHER_NEED, accepted=False)

    _launch(page, platform, tool, LEARNER, locale, "pia", "Pia Peer")
    page.goto(f"{tool.url}/network")
    assert page.locator("html").get_attribute("lang") == locale
    check("mentor with a request to answer")
    _click(page, f"main a[href='/network/focused/{declined}']")
    check("request to answer")
    page.locator("#reason").evaluate("e => e.removeAttribute('maxlength')")
    page.locator("#reason").fill("x" * 501)
    _click(page, "main form[action$='/answer']:has(#reason) button[type=submit]")
    assert page.locator(".notice-error").count() == 1
    check("answer with an error")
    page.locator("#reason").fill("I have no time this quarter.")
    _click(page, "main form[action$='/answer']:has(#reason) button[type=submit]")
    check("declined, as the mentor sees it")

    _launch(page, platform, tool, LEARNER, locale, "dana", "Dana Digital")
    page.goto(f"{tool.url}/network")
    check("my network with suggestions")
    form = f"main form[action$='/network/ask']:has(input[name=competence][value='{ONE_MODULE}'])"
    page.locator(f"{form} textarea").evaluate("e => e.removeAttribute('maxlength')")
    page.locator(f"{form} textarea").fill("x" * 1001)
    _click(page, f"{form} button[type=submit]")
    assert page.locator(".notice-error").count() == 1
    check("my network with a refused request")
    page.locator(f"{form} textarea").fill("Could you help me with my online reputation?")
    _click(page, f"{form} button[type=submit]")
    page.wait_for_url(f"{tool.url}/network/focused/*")
    asked = page.url
    check("my request, asked")
    page.goto(f"{tool.url}/network/focused/{declined}")
    check("my request, declined")

    _launch(page, platform, tool, LEARNER, locale, "mara", "Mara Mentor")
    page.goto(asked)
    _click(page, "main form[action$='/answer']:not(:has(#reason)) button[type=submit]")
    check("accepted, as the mentor sees it")
    page.goto(f"{tool.url}/network")
    check("mentor's network with a mentee")

    _launch(page, platform, tool, LEARNER, locale, "dana", "Dana Digital")
    page.goto(f"{tool.url}/network")
    check("my network with a focused mentor")

    _launch(page, platform, tool, INSTRUCTOR, locale, "trainer", "Tess Trainer")
    page.goto(f"{tool.url}/network")
    check("the programme's network")
    _click(page, f"main a[href='{asked.removeprefix(tool.url)}']")
    check("a focused mentoring, as the trainer reads it")
