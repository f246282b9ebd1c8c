"""WCAG 2.1 AA (axe-core in Chromium) on every events page, in English and Dutch: the list (empty, with events,
registrations and follow-ups, with a partner's follow-up to confirm), creating an event (the form, its errors),
an event's page (for its trainer, for a participant before and after joining the waiting list), changing and
cancelling it, its attendance and its follow-ups.

Reached in Chromium after real launches, by the links and forms people use; the event that is over is
seeded through the services (time cannot pass in a test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER, _check
from tests.web.events_support import actor, create_event, local, move, register
from tests.web.programme_support import active_tandem, post

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, role: str, locale: str, user_id: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=name))
    page.wait_for_url(f"{tool.url}/home")


def _submit(page, form: str) -> None:
    page.locator(f"main {form} button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_events_pages_are_accessible(page, platform, tool, app, locale):
    from plugin.extensions import db
    from plugin.models.base import utcnow
    from plugin.services import event_attendance, event_followups

    browsers, person, tid = active_tandem(app, platform, tool, locale=locale, suffix=f"-{locale}", agreement=True)
    post(browsers["digital"], tool, f"/tandems/{tid}/plan", {"template": "scratch", "start": datetime.now(UTC).date().isoformat()}, token_from=f"/tandems/{tid}/plan")
    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731

    _launch(page, platform, tool, INSTRUCTOR, locale, f"trainer-{locale}", "Tess Trainer")
    page.goto(f"{tool.url}/events")
    assert page.locator("html").get_attribute("lang") == locale
    check("events, none yet")
    page.locator("main a[href='/events/new']").click()
    page.wait_for_url(f"{tool.url}/events/new")
    check("new event form")
    _submit(page, "form[action='/events/new']")
    assert page.locator(".error-message").count() >= 1
    check("new event form with errors")
    start = datetime.now(UTC) + timedelta(days=5)
    page.locator("#title").fill("Webinar: safe passwords")
    page.locator("#starts_local").fill(local(start))
    page.locator("#ends_local").fill(local(start + timedelta(hours=1)))
    page.locator("#online_url").fill("https://meet.example.org/passwords")
    page.locator("#capacity").fill("1")
    _submit(page, "form[action='/events/new']")
    page.wait_for_url(f"{tool.url}/events/*")
    event_id = int(page.url.rsplit("/", 1)[1])
    check("event page for its trainer")
    page.locator(f"main a[href='/events/{event_id}/edit']").click()
    page.wait_for_url(f"{tool.url}/events/{event_id}/edit")
    check("change the event")
    page.goto(f"{tool.url}/events/{event_id}")
    page.locator(f"main a[href='/events/{event_id}/cancel']").click()
    page.wait_for_url(f"{tool.url}/events/{event_id}/cancel")
    check("cancel confirmation")

    # an event that is over, with the two attending and a follow-up the partner confirms
    over = create_event(browsers["trainer"], tool, title="Masterclass: the board meets online")
    register(app, over, [person["digital"], person["expert"]])
    register(app, event_id, [person["expert"]])
    move(app, over, start=timedelta(days=-2), end=timedelta(days=-2, hours=2) + timedelta(hours=0))
    with app.app_context():
        trainer = actor(app, person["trainer"], "trainer")
        event_attendance.record(db.session, trainer, over, [person["digital"], person["expert"]], utcnow())
        event_followups.add(db.session, trainer, over, "Share one thing you learned with your partner", utcnow().date() + timedelta(days=7), True, utcnow())
        db.session.commit()
    page.goto(f"{tool.url}/events")
    check("events of the trainer")
    page.locator(f"main a[href='/events/{over}/attendance']").click()
    page.wait_for_url(f"{tool.url}/events/{over}/attendance")
    check("attendance")
    page.goto(f"{tool.url}/events/{over}")
    page.locator(f"main a[href='/events/{over}/follow-ups']").click()
    page.wait_for_url(f"{tool.url}/events/{over}/follow-ups")
    check("follow-ups")
    _submit(page, f"form[action='/events/{over}/follow-ups']")
    check("follow-up form with an error")

    _launch(page, platform, tool, LEARNER, locale, f"digital-{locale}", "Dana Digital")
    page.goto(f"{tool.url}/events")
    check("events of a participant, with a follow-up")
    page.locator(f"main a[href='/events/{event_id}']").first.click()
    page.wait_for_url(f"{tool.url}/events/{event_id}")
    check("event page, full")
    _submit(page, f"form[action='/events/{event_id}/register']")
    assert page.locator("main .notice[role=status]").count() == 1
    check("on the waiting list")

    _launch(page, platform, tool, LEARNER, locale, f"expert-{locale}", "Evert Expert")
    page.goto(f"{tool.url}/events")
    assert page.locator("main form[action^='/events/follow-ups/']").count() >= 1
    check("events with a partner's follow-up to confirm")
