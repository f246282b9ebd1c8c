"""WCAG 2.1 AA (axe-core in Chromium) on the coffee pages, in English and Dutch: a participant's page (not
taking part, taking part, with a coffee this round and past ones, after feedback), a match, the trainer's
page (off, a refused run, on, with rounds), a round and the trainer's view of a match.

Everything is reached in Chromium after real launches, by the links and forms people use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER, _check
from tests.web.coffee_support import coffee_programme, opt_in

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, role: str, locale: str, user_id: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=name))
    page.wait_for_url(f"{tool.url}/home")


def _click(page, selector: str) -> None:
    page.locator(selector).first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_coffee_pages_are_accessible(page, platform, tool, app, locale):
    from plugin.extensions import db
    from plugin.services import coffee

    _browsers, people = coffee_programme(app, platform, tool, launched=[("me", f"mia-{locale}", "Mia Member")], seeded=4, locale=locale, suffix=f"-{locale}")
    opt_in(app, [people[f"s{i}"] for i in range(1, 5)])
    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731

    _launch(page, platform, tool, LEARNER, locale, f"mia-{locale}", "Mia Member")
    page.goto(f"{tool.url}/coffee")
    assert page.locator("html").get_attribute("lang") == locale
    check("participant, not taking part")
    _click(page, "main form[action='/coffee/opt-in'] button[value=in]")
    page.wait_for_url(f"{tool.url}/coffee")
    check("participant, taking part, no coffee yet")

    _launch(page, platform, tool, INSTRUCTOR, locale, f"trainer-{locale}", "Tess Trainer")
    page.goto(f"{tool.url}/coffee")
    check("trainer, roulette off")
    _click(page, "main form[action='/coffee/rounds'] button[type=submit]")
    assert page.locator("main [role=alert]").count() == 1
    check("trainer, a run refused")
    page.locator("#enabled").check()
    page.locator("#cadence-weekly").check()
    _click(page, "main form[action='/coffee/settings'] button[type=submit]")
    page.wait_for_url(f"{tool.url}/coffee")
    check("trainer, roulette on")
    _click(page, "main form[action='/coffee/rounds'] button[type=submit]")
    page.wait_for_url(f"{tool.url}/coffee/rounds/*")
    assert page.locator("main table tbody tr").count() == 2  # a pair and a trio
    check("a round")
    _click(page, "main table tbody a[href^='/coffee/matches/']")
    page.wait_for_url(f"{tool.url}/coffee/matches/*")
    check("trainer's view of a match")
    page.goto(f"{tool.url}/coffee")
    check("trainer, with a round")

    with app.app_context():  # next week's round, from the worker's function: this one becomes a past coffee
        assert coffee.run_due_rounds(db.session, datetime.now(UTC) + timedelta(weeks=1))
    _launch(page, platform, tool, LEARNER, locale, f"mia-{locale}", "Mia Member")
    page.goto(f"{tool.url}/coffee")
    assert page.locator("main .coffee-feedback").count() == 1
    check("participant, a coffee this round and a past one")
    _click(page, "main .coffee-feedback button[value=met]")
    page.wait_for_url(f"{tool.url}/coffee")
    check("participant, after feedback")
    _click(page, "main a[href^='/coffee/matches/']")
    page.wait_for_url(f"{tool.url}/coffee/matches/*")
    check("my coffee")
    _click(page, "main .coffee-feedback button[value=work_with]")
    page.wait_for_url(f"{tool.url}/coffee/matches/*")
    check("my coffee, after 'I'd like to work with them'")
    page.goto(f"{tool.url}/coffee")
    _click(page, "main form[action='/coffee/opt-in'] button[value=out]")
    check("participant, stopped taking part")
