"""``make demo`` shows one of each format beyond the pair, and each can be used from the demo LMS: one
Chromium journey per format (group, circle, coffee, event, mentor network), each launched from the LMS
course page into its iframe, by the links and buttons people use."""

from __future__ import annotations

import pytest


pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_lms(tmp_path_factory):
    import os
    import signal
    import subprocess
    import sys

    from tests.harness.processes import free_port, wait_for_port

    ports = {"tandem": free_port(), "lms": free_port(), "platform": free_port()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo", "--tandem-port", str(ports["tandem"]), "--lms-port", str(ports["lms"]),
         "--platform-port", str(ports["platform"]), "--instance", str(tmp_path_factory.mktemp("demo") / "demo")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True,
    )  # fmt: skip
    try:
        wait_for_port(ports["lms"], timeout=60)
        yield f"http://127.0.0.1:{ports['lms']}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


PATHS = {"Groups": "/groups", "Peer circles": "/circles", "Virtual coffee": "/coffee", "Events": "/events", "Mentor network": "/network", "My mentor network": "/network"}


def _open(page, demo_lms: str, persona: str, link: str):
    """Launch ``persona`` from the LMS course page and follow the home page's link ``link`` (in the iframe)."""
    page.context.clear_cookies()
    page.goto(demo_lms)
    page.get_by_role("link", name=f"Launch as {persona}").click()
    frame = page.frame_locator("iframe[name=tandem]")
    frame.locator("#formats").wait_for(timeout=15000)
    frame.locator("#formats + ul").get_by_role("link", name=link, exact=True).click()
    page.frame(name="tandem").wait_for_url(f"**{PATHS[link]}", timeout=15000)
    return frame


def test_the_demo_course_shows_every_format(page, demo_lms):
    for link, seen in (("Groups", "Digital skills for the board"), ("Peer circles", "Advisory board"), ("Virtual coffee", "Run a round now"), ("Events", "Masterclass"), ("Mentor network", "Sanne Visser")):
        frame = _open(page, demo_lms, "Trainer", link)
        assert seen in frame.locator("main").inner_text(), (link, frame.locator("main").inner_text())


def test_group_journey_the_mentor_signs_off_what_a_member_learned(page, demo_lms):
    frame = _open(page, demo_lms, "Group mentor", "Groups")
    frame.get_by_role("link", name="Digital skills for the board").first.click()
    frame.locator("h1", has_text="Digital skills for the board").wait_for(timeout=15000)
    frame.locator("main a[href*='/modules/']").first.click()
    form = frame.locator("main form[action$='/sign']").first
    form.wait_for(timeout=15000)
    for box in form.locator("input[name=criterion]").all():
        box.check()
    form.locator("button[type=submit]").click()
    frame.locator("main form.actions button[type=submit], main form button[type=submit]").first.wait_for(timeout=15000)
    assert "cannot be edited later" in frame.locator("main").inner_text()
    frame.locator("main form button[type=submit]").first.click()
    frame.locator("main .status").first.wait_for(timeout=15000)


def test_circle_journey_the_trainer_records_a_meeting_and_a_member_commits(page, demo_lms):
    frame = _open(page, demo_lms, "Trainer", "Peer circles")
    frame.locator("main a[href^='/circles/']", has_text="Advisory board").first.click()
    frame.get_by_role("link", name="Record a meeting").click()
    frame.locator("#agenda").fill("Each member brings one question from this month")
    frame.locator("main form button[type=submit]").first.click()
    page.frame(name="tandem").wait_for_url("**/circles/*", timeout=15000)
    assert "Each member brings one question from this month" in frame.locator("main").inner_text(), frame.locator("main").inner_text()

    frame = _open(page, demo_lms, "Group mentor", "Peer circles")
    frame.locator("main a[href^='/circles/']", has_text="Advisory board").first.click()
    frame.locator("#commit-title").wait_for(timeout=15000)
    frame.locator("main form[action$='/commitments'] [name=text]").fill("Try one new collaboration tool with my team")
    frame.locator("main form[action$='/commitments'] button[type=submit]").click()
    frame.locator("main", has_text="Try one new collaboration tool with my team").wait_for(timeout=15000)


def test_coffee_journey_a_match_and_its_feedback(page, demo_lms):
    frame = _open(page, demo_lms, "Group member", "Virtual coffee")
    main = frame.locator("main")
    assert "Stop taking part" in main.inner_text()
    form = frame.locator("main form.coffee-feedback").first
    form.locator("button[value=met]").click()
    frame.locator("main form.coffee-feedback button[value=met] [aria-hidden=true]").first.wait_for(timeout=15000)


def test_event_journey_unregister_and_join_the_waiting_list(page, demo_lms):
    frame = _open(page, demo_lms, "Group member", "Events")
    frame.locator("main a[href^='/events/']", has_text="Masterclass").first.click()
    frame.locator("main form[action$='/unregister'] button").click()
    frame.locator("main form[action$='/register'] button").wait_for(timeout=15000)
    # full (13 registered for 10 seats): registering again puts Sanne at the end of the waiting list
    assert "waiting list" in frame.locator("main form[action$='/register'] button").inner_text().lower()
    frame.locator("main form[action$='/register'] button").click()
    frame.locator("main form[action$='/unregister'] button", has_text="waiting list").wait_for(timeout=15000)


def test_network_journey_a_focused_mentor_and_a_new_request(page, demo_lms):
    frame = _open(page, demo_lms, "Group member", "My mentor network")
    mine = frame.locator("section[aria-labelledby=mine-title] tbody tr")
    assert mine.count() == 1, frame.locator("main").inner_text()  # the demo's focused mentoring
    ask = frame.locator("section[aria-labelledby=open-title] form[action='/network/ask']").first
    ask.locator("textarea").fill("Could you help me with this over the next months?")
    ask.locator("button[type=submit]").click()
    tandem = page.frame(name="tandem")
    tandem.wait_for_url("**/network/focused/*", timeout=15000)  # the request, waiting for the mentor's answer
    assert "Could you help me with this over the next months?" in frame.locator("main").inner_text()
    frame.locator("main a[href='/network']").first.click()
    tandem.wait_for_url("**/network", timeout=15000)
    assert mine.count() == 2, frame.locator("main").inner_text()


def test_the_demo_dashboards_are_filled(page, demo_lms):
    """The trainer's programme dashboard shows the demo cohort (20 joined, their self-assessed growth) and the
    organisation's dashboard the cohort's long-term plan."""
    page.context.clear_cookies()
    page.goto(demo_lms)
    page.get_by_role("link", name="Launch as Trainer").click()
    frame = page.frame_locator("iframe[name=tandem]")
    frame.get_by_role("link", name="Programme dashboard").click()
    page.frame(name="tandem").wait_for_url("**/dashboards/programme*", timeout=15000)
    main = frame.locator("main").inner_text()
    assert "No self-assessments yet" not in main, main
    funnel = frame.locator("#chart-funnel ~ * table, table").first.inner_text()
    assert "20" in funnel, funnel
    assert frame.locator("main img[src*='.svg'], main svg").count() >= 1

    page.context.clear_cookies()
    page.goto(demo_lms)
    page.get_by_role("link", name="Launch as Organisation administrator").click()
    frame.get_by_role("link", name="Organisation dashboard").click()
    page.frame(name="tandem").wait_for_url("**/dashboards/organisation*", timeout=15000)
    text = frame.locator("main").inner_text()
    assert "Long-term plan per year" in text and "No plan" not in text, text
