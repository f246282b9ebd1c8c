"""The personal calendar feed: a secret address shown once (only its hash is kept), read without a login,
parsed with the icalendar package; revoked, replaced or unknown addresses answer 404."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date

import requests
import sqlalchemy as sa
from icalendar import Calendar

from tests.harness.browser import new_browser
from tests.web.programme_support import LEARNER, active_tandem, get, launch, post, text_of
from tests.web.test_tandem_work import make_plan


def feed_url_of(page: str) -> str:
    found = re.search(r'id="feed-url"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*id="feed-url"', page)
    assert found, page[:2000]
    return html.unescape(found.group(1))


def fetch(url: str) -> requests.Response:
    """The feed as a calendar app reads it: a fresh client, no cookies, no login."""
    client = new_browser(verify=False)
    try:
        return client.get(url, allow_redirects=False, timeout=10)
    finally:
        client.close()


def new_feed(browser, tool) -> str:
    return feed_url_of(post(browser, tool, "/me/calendar", {}, status=200, token_from="/me/calendar").text)


def test_the_calendar_feed_lists_the_plan_and_can_be_revoked(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import CalendarFeed

    browsers, _person, tid = active_tandem(app, platform, tool, agreement=True)
    digital, expert = browsers["digital"], browsers["expert"]
    make_plan(digital, tool, tid, "twelve-month-managed", date(2027, 1, 31), modules=("e-reputation",))
    assert "You have no calendar address yet" in text_of(get(digital, tool, "/me/calendar"))

    url = new_feed(digital, tool)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert url.startswith(tool.url + "/calendar/") and len(token) >= 40
    with app.app_context():
        stored = db.session.scalars(sa.select(CalendarFeed.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # only the hash is kept
    again = get(digital, tool, "/me/calendar")
    assert token not in again and "Active" in again  # shown once

    response = fetch(url)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 12 + 4 + 1
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert event.get(prop) is not None, (prop, event)
    assert len({str(e["UID"]) for e in events}) == len(events)
    sessions = sorted(e.decoded("DTSTART") for e in events if str(e["SUMMARY"]).startswith("Tandem session with Evert Expert"))
    assert sessions[:3] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)] and len(sessions) == 12  # month ends are kept
    assert any("E-reputation and trust" in str(e["SUMMARY"]) for e in events)
    assert sum("check-in" in str(e["SUMMARY"]) for e in events) == 4

    # a moved date shows in the feed
    post(digital, tool, f"/tandems/{tid}/plan/reschedule", {"item": "session:1", "due": "2027-02-03", "reason": "holiday"})
    moved = Calendar.from_ical(fetch(url).content).walk("VEVENT")
    assert date(2027, 2, 3) in [e.decoded("DTSTART") for e in moved] and date(2027, 1, 31) not in [e.decoded("DTSTART") for e in moved if "session" in str(e["SUMMARY"])]

    # the partner's own feed lists the same dates, with the other name
    partner = Calendar.from_ical(fetch(new_feed(expert, tool)).content).walk("VEVENT")
    assert len(partner) == 17 and any("Dana Digital" in str(e["SUMMARY"]) for e in partner)

    # revoking needs a confirmation that names the consequence, and ends the address for good
    with app.app_context():
        feed_id = db.session.scalar(sa.select(CalendarFeed.id).where(CalendarFeed.token_hash == hashlib.sha256(token.encode()).hexdigest()))
    get(expert, tool, f"/me/calendar/{feed_id}/revoke", 404)  # not theirs
    post(expert, tool, f"/me/calendar/{feed_id}/revoke", {}, status=404)
    assert "cannot be undone" in text_of(get(digital, tool, f"/me/calendar/{feed_id}/revoke"))
    post(digital, tool, f"/me/calendar/{feed_id}/revoke", {})
    assert fetch(url).status_code == 404
    assert "Revoked on" in text_of(get(digital, tool, "/me/calendar"))
    get(digital, tool, f"/me/calendar/{feed_id}/revoke", 404)


def test_a_new_address_replaces_the_old_and_unknown_addresses_are_not_found(app, platform, tool):
    browsers, _person, tid = active_tandem(app, platform, tool, agreement=True)
    first = new_feed(browsers["digital"], tool)
    second = new_feed(browsers["digital"], tool)
    assert first != second
    assert fetch(first).status_code == 404 and fetch(second).status_code == 200
    assert fetch(f"{tool.url}/calendar/not-a-real-token-at-all-0123456789abcdef.ics").status_code == 404
    assert fetch(f"{tool.url}/calendar/.ics").status_code == 404
    # without a plan the feed is an empty, valid calendar
    assert Calendar.from_ical(fetch(second).content).walk("VEVENT") == []

    outsider = new_browser(verify=False)
    launch(platform, outsider, LEARNER, user_id="outsider")
    assert Calendar.from_ical(fetch(new_feed(outsider, tool)).content).walk("VEVENT") == []  # nobody else's dates

    assert "participant" in text_of(get(browsers["trainer"], tool, "/me/calendar", 403))
    post(browsers["trainer"], tool, "/me/calendar", {}, status=403)
