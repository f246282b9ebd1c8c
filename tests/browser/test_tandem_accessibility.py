"""WCAG 2.1 AA (axe-core in Chromium) on a tandem's pages, in English and Dutch: the tandem list, the
agreement (draft, errors, signing and its confirmation), the hub, the plan (form, items, an error), the
sessions (form, an error, a session), the calendar page, the trainer's list with health flags and the
organisation's long-term plan.

Everything is reached in Chromium after real launches, by the links and forms people use.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER, _check
from tests.web.programme_support import active_tandem
from tests.web.test_tandem_work import ADMIN, sign

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, role: str, locale: str, user_id: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=name))
    page.wait_for_url(f"{tool.url}/home")


def _submit(page, form: str) -> None:
    page.locator(f"main {form} button[type=submit]").first.click()
    page.wait_for_load_state()


def _fits(page) -> None:
    page.set_viewport_size({"width": 700, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    page.set_viewport_size({"width": 800, "height": 900})


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_tandem_pages_are_accessible(page, platform, tool, app, locale):
    browsers, _person, tid = active_tandem(app, platform, tool, locale=locale, suffix=f"-{locale}")
    base = f"{tool.url}/tandems/{tid}"
    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731

    _launch(page, platform, tool, LEARNER, locale, f"digital-{locale}", "Dana Digital")
    page.goto(f"{tool.url}/tandems")
    assert page.locator("html").get_attribute("lang") == locale
    check("my tandems")
    page.locator(f"main a[href='/tandems/{tid}/agreement']").click()
    page.wait_for_url(f"{base}/agreement")
    check("agreement to draft")
    page.locator("#goals").fill("")
    _submit(page, "form[action$='/agreement']")
    assert page.locator(".error-message").count() >= 1
    check("agreement draft with an error")
    page.locator("#goals").fill("Dana learns how the board works\nEvert learns to keep his online reputation in order")
    _submit(page, "form[action$='/agreement']")
    page.wait_for_url(f"{base}/agreement")
    check("agreement to sign")
    for box in page.locator("main input[name=principles]").all()[:4]:
        box.check()
    _submit(page, "form[action$='/agreement/sign']")
    assert page.locator("#principles-error").count() == 1
    check("signing with a principle not acknowledged")
    page.locator("main input[name=principles]").last.check()
    _submit(page, "form[action$='/agreement/sign']")
    assert page.locator("main form input[name=confirmed]").count() == 1
    check("signature confirmation")
    _submit(page, "form[action$='/agreement/sign']")
    page.wait_for_url(f"{base}/agreement")
    check("agreement signed by one")
    sign(browsers["expert"], tool, tid)

    page.goto(base)
    check("tandem hub")
    page.locator(f"main a[href='/tandems/{tid}/plan']").first.click()
    page.wait_for_url(f"{base}/plan")
    check("plan form")
    page.locator("main input[name=template][value=twelve-month-managed]").check()
    page.locator("#start").fill((datetime.now(UTC).date() - timedelta(days=70)).isoformat())
    page.locator("main input[name=modules][value=e-reputation]").check()
    _submit(page, "form[action$='/plan']")
    page.wait_for_url(f"{base}/plan")
    assert page.locator(".plan-item.overdue").count() >= 2
    check("plan with overdue items")
    page.locator("main details summary").first.click()
    page.locator("#due-1").fill("2001-01-01")
    _submit(page, "form[action$='/plan/reschedule']")
    assert page.locator("[role=alert]").count() == 1
    assert page.locator("main details").first.get_attribute("open") is not None  # the item with the error stays open
    check("plan with a rescheduling error")
    page.locator("#due-1").fill((datetime.now(UTC).date() + timedelta(days=2)).isoformat())
    page.locator("#reason-1").fill("Holiday")
    _submit(page, "form[action$='/plan/reschedule']")
    page.wait_for_url(f"{base}/plan")
    assert page.locator("main table tbody tr").count() == 1
    check("plan with history")
    _fits(page)

    page.goto(f"{base}/sessions")
    check("sessions, none yet")
    page.locator("#minutes").fill("")
    _submit(page, "form[action$='/sessions']")
    assert page.locator(".error-message").count() >= 1
    check("session form with an error")
    page.locator("#minutes").fill("50")
    page.locator("main input[name=tracks]").first.check()
    page.locator("#shared_notes").fill("We set up two-factor login.")
    page.locator("#private_note").fill("Only for me.")
    for principle in ("space", "respect", "patience", "perseverance", "acceptance"):
        page.locator(f"#{principle}-4").check()
    _submit(page, "form[action$='/sessions']")
    page.wait_for_url(f"{base}/sessions/*")
    check("a session")
    page.goto(f"{base}/sessions")
    assert page.locator(".session-list > li").count() == 1
    check("sessions with one")
    _fits(page)

    page.goto(f"{tool.url}/me/calendar")
    check("calendar, no address yet")
    _submit(page, "form[action='/me/calendar']")
    assert page.locator("#feed-url").count() == 1
    check("calendar with a new address")
    page.locator("main a[href^='/me/calendar/']").first.click()
    page.wait_for_url(f"{tool.url}/me/calendar/*/revoke")
    check("revoke confirmation")

    _launch(page, platform, tool, INSTRUCTOR, locale, f"trainer-{locale}", "Tess Trainer")
    page.goto(f"{tool.url}/tandems")
    assert page.locator("main .flag").count() >= 1
    check("trainer's tandems with health flags")
    page.goto(base)
    check("trainer's view of the hub")
    page.goto(f"{base}/sessions")
    check("trainer's view of the sessions")

    _launch(page, platform, tool, ADMIN, locale, f"admin-{locale}", "Ada Admin")
    page.goto(f"{tool.url}/organisation/plan")
    check("long-term plan, empty")
    page.locator("#quarter").fill("2027-Q9")
    _submit(page, "form[action='/organisation/plan']")
    assert page.locator(".error-message").count() == 1
    check("long-term plan with an error")
    page.locator("#quarter").fill("2026-Q1")
    page.locator("#module").select_option("e-reputation")
    _submit(page, "form[action='/organisation/plan']")
    page.wait_for_url(f"{tool.url}/organisation/plan")
    page.locator("#quarter").fill("2099-Q2")
    page.locator("#module").select_option("mobile-first")
    _submit(page, "form[action='/organisation/plan']")
    assert page.locator("main table tbody tr").count() == 2
    check("long-term plan with progress")
    _fits(page)
