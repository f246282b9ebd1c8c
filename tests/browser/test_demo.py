"""``make demo``'s LMS launches Tandem in its iframe, in a real Chromium, for every persona."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.harness.processes import free_port, wait_for_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(tmp_path):
    ports = {"tandem": free_port(), "lms": free_port(), "platform": free_port()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo", "--tandem-port", str(ports["tandem"]), "--lms-port", str(ports["lms"]),
         "--platform-port", str(ports["platform"]), "--instance", str(tmp_path / "demo")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True,
    )
    try:
        wait_for_port(ports["lms"], timeout=60)
        yield f"http://127.0.0.1:{ports['lms']}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def test_demo_lms_launches_every_persona(page, demo):
    expected = {
        "Trainer": "Your mentoring programme",
        "Digital mentor": "My tandem",
        "Senior expert": "My tandem",
        "Organisation administrator": "Organisation: Demo organisation",
    }
    for persona, heading in expected.items():
        page.goto(demo)
        page.get_by_role("link", name=f"Launch as {persona}").click()
        frame = page.frame_locator("iframe[name=tandem]")
        text = frame.locator("h1").inner_text(timeout=15000)
        assert heading in text, frame.locator("main").inner_text()
    page.goto(demo + "?locale=nl")
    page.get_by_role("link", name="Launch as Digital mentor").click()
    assert page.frame_locator("iframe[name=tandem]").locator("h1").inner_text(timeout=15000) == "Mijn tandem"
    page.goto(demo)
    page.get_by_role("link", name="Add Tandem modules").click()
    assert "Add Tandem to your course" in page.frame_locator("iframe[name=tandem]").locator("h1").inner_text(timeout=15000)


def test_the_demo_cohort_can_be_matched_at_once(page, demo):
    """The demo course comes with a programme and twenty participants with profiles: the trainer matches them."""
    page.goto(demo)
    page.get_by_role("link", name="Launch as Trainer").click()
    frame = page.frame_locator("iframe[name=tandem]")
    frame.locator("h1").inner_text(timeout=15000)
    frame.locator("main a[href='/programme']").click()
    frame.locator("h1", has_text="Participants").wait_for(timeout=15000)
    assert "20 participants have joined" in frame.locator("main").inner_text()
    frame.locator("main form[action='/programme/match'] button").click()
    frame.locator("#job-next a").click(timeout=30000)
    frame.locator("h1", has_text="Review the proposed tandems").wait_for(timeout=15000)
    assert frame.locator(".pair-card").count() >= 5, frame.locator("main").inner_text()
    assert "teaches" in frame.locator(".pair-card").first.inner_text()
