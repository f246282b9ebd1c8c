"""WCAG 2.1 AA (axe-core in Chromium) on the notification pages, in English and Dutch: the "what needs you"
list on the home page, the preferences (as shown, after saving), and the unsubscribe link of an email
without a login (asked, done, and a tampered link refused). Reached by the links and forms people use."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.test_catalogue_accessibility import LEARNER, _check

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_notification_pages_are_accessible(page, platform, tool, app, locale):
    from plugin.extensions import db
    from plugin.models import Person
    from plugin.services import notifications

    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731
    user = f"nora-{locale}"
    page.goto(platform.browser_launch_url(roles=[LEARNER], locale=locale, user_id=user, name="Nora Notified"))
    page.wait_for_url(f"{tool.url}/home")
    with app.app_context():
        me = db.session.scalar(sa.select(Person).where(Person.subject == user))
        notifications.notify(db.session, "event_reminder", [me.id], {"title": "Safe passwords", "starts_at": "2026-12-05T09:00:00+00:00", "timezone": "Europe/Amsterdam"}, subject_key="event:1", organisation_id=me.organisation_id, link="/events")
        db.session.commit()
        token = notifications.unsubscribe_token(app.config["SECRET_KEY"], me.id, "event_reminder")
    page.reload()
    assert page.locator("#needs-you").count() == 1
    check("home with what needs you")
    page.locator("main a[href='/notifications/preferences']").click()
    page.wait_for_url(f"{tool.url}/notifications/preferences")
    assert page.locator("html").get_attribute("lang") == locale
    check("preferences")
    page.locator("#on-coffee_match").uncheck()
    page.locator("#mode-event_reminder-digest").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{tool.url}/notifications/preferences")
    assert not page.locator("#on-coffee_match").is_checked() and page.locator("#mode-event_reminder-digest").is_checked()
    check("preferences saved")

    page.context.clear_cookies()  # the email's link, opened in a mail client: no launch
    page.goto(f"{tool.url}/notifications/unsubscribe/{token}")
    assert page.locator("html").get_attribute("lang") == locale
    check("unsubscribe asked")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main [role=status]").count() == 1
    check("unsubscribe done")
    response = page.goto(f"{tool.url}/notifications/unsubscribe/{token[:-4]}abcd")
    assert response.status == 400 and page.locator("main [role=alert]").count() == 1
    check("unsubscribe refused")
