"""The needs map in steps, in headless Chromium: the demo's personas fill it through the quick start and
the steps in under 40 interactions, the demo trainer matches and publishes them; and every step, the
quick start and the summary pass axe-core (WCAG 2.1 AA) in English and Dutch."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER, _check
from tests.browser.test_demo import demo  # noqa: F401 - the fixture: make demo's LMS and Tandem
from tests.web.programme_support import seed_participants

pytestmark = pytest.mark.browser

MAX_INTERACTIONS = 40
#: the persona's answers to the quick start: confident in what their side teaches, newer to the rest
ANSWERS = {
    "digital_mentor": {"information": 3, "communication": 3, "creating": 2, "safety": 2, "ideas": 0, "resources": 0, "action": 1, "life": 1},
    "senior_expert": {"information": 0, "communication": 1, "creating": 0, "safety": 1, "ideas": 3, "resources": 2, "action": 3, "life": 2},
}


class Interactions:
    """Counts what a person does: every click, check, choice and typed field."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()

    def check(self, locator) -> None:
        self.count += 1
        locator.check()

    def select(self, locator, value: str) -> None:
        self.count += 1
        locator.select_option(value)


def _heading(frame, text: str, timeout: float = 20000) -> None:
    frame.locator("h1", has_text=text).wait_for(timeout=timeout)


def _fill_needs_map(page, demo_url: str, persona: str, side: str) -> int:  # noqa: F811 - demo_url, not the fixture
    """One persona fills the needs map in the demo LMS's iframe; returns the interactions it took."""
    act = Interactions()
    page.goto(demo_url)
    act.click(page.get_by_role("link", name=f"Launch as {persona}"))
    frame = page.frame_locator("iframe[name=tandem]")
    _heading(frame, "My tandem")
    act.click(frame.locator("main a[href='/profile']").first)
    _heading(frame, "My profile and needs map")
    assert "Step 1 of 15" in frame.locator("main").inner_text()
    act.check(frame.locator(f"input[name=side][value={side}]"))
    act.click(frame.locator("main form button[type=submit]").first)  # languages (from the LMS) and one partner are filled in
    _heading(frame, "Quick start")
    for theme, answer in ANSWERS[side].items():
        act.check(frame.locator(f"#{theme}-{answer}"))
    act.click(frame.locator("main form button[type=submit]").first)
    frame.locator("[role=status]", has_text="Your answers filled in the needs map").wait_for()
    steps = 0
    while True:  # review each step: the levels are filled in; change one, then save and go on
        text = frame.locator("main").inner_text()
        match = re.search(r"Step (\d+) of (\d+)", text)
        assert match, text
        if "What the levels mean" not in text:
            break
        if steps == 0:
            act.select(frame.locator("main form select").first, "8")  # the person adjusts what does not fit
        steps += 1
        act.click(frame.locator("main form button[value=next]"))
        frame.locator("p", has_text=f"Step {int(match.group(1)) + 1} of").wait_for()
    assert steps == 11
    _heading(frame, "Goals, wishes and reporting line")
    act.click(frame.locator("main form button[value=next]"))
    frame.locator("h2", has_text="Ready for matching").wait_for()
    assert "Not ready" not in frame.locator("main").inner_text()
    return act.count


def _published_partner(page, demo_url: str, persona: str) -> str:
    """The persona's own tandem page once their tandem is published (publishing may run as a job)."""
    deadline = time.monotonic() + 60
    while True:
        page.goto(demo_url)
        page.get_by_role("link", name=f"Launch as {persona}").click()
        frame = page.frame_locator("iframe[name=tandem]")
        _heading(frame, "My tandem")
        if frame.locator("main a[href='/tandem']").count():
            frame.locator("main a[href='/tandem']").first.click()
            _heading(frame, "My tandem")
        cards = frame.locator("main section.pair-card")
        if cards.count() or time.monotonic() > deadline:
            assert cards.count() == 1, frame.locator("main").inner_text()
            return cards.first.inner_text()
        time.sleep(1)


@pytest.mark.slow
def test_demo_personas_fill_the_needs_map_then_the_trainer_matches_and_publishes_them(page, demo):  # noqa: F811
    counts = {
        "Digital mentor": _fill_needs_map(page, demo, "Digital mentor", "digital_mentor"),
        "Senior expert": _fill_needs_map(page, demo, "Senior expert", "senior_expert"),
    }
    print(f"interactions to fill the needs map: {counts}")
    assert all(n < MAX_INTERACTIONS for n in counts.values()), counts

    # the demo trainer: both personas count as ready, matching pairs them, publishing makes it visible
    page.goto(demo)
    page.get_by_role("link", name="Launch as Trainer").click()
    frame = page.frame_locator("iframe[name=tandem]")
    frame.locator("h1").first.wait_for(timeout=20000)
    frame.locator("main a[href='/programme']").first.click()
    _heading(frame, "Participants")
    people = frame.locator("main").inner_text()
    for name in ("Daan de Vries", "Els Janssen"):
        row = frame.locator("main table tbody tr", has_text=name)
        assert row.count() == 1 and "Ready" in row.inner_text(), people
    frame.locator("main form[action='/programme/match'] button").click()
    frame.locator("#job-next a").click(timeout=60000)
    _heading(frame, "Review")
    frame.locator("main a[href$='/publish'], main form[action$='/publish'] button").first.click()
    frame.locator("main form[action$='/publish'] button[type=submit]").first.click(timeout=20000)
    frame.locator("h1").first.wait_for(timeout=20000)  # whichever page comes next: progress, or the participants

    daan = _published_partner(page, demo, "Digital mentor")
    els = _published_partner(page, demo, "Senior expert")
    assert "What you learn from" in daan and "What you learn from" in els, (daan, els)


def _launch(page, platform, tool, role: str, locale: str, user_id: str) -> None:
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name=f"Person {user_id}"))
    page.wait_for_url(f"{tool.url}/home")


def _submit(page, value: str | None = None) -> None:
    page.locator("main form button[type=submit]" + (f"[value={value}]" if value else "")).first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_every_step_of_the_needs_map_is_accessible(page, platform, tool, app, locale):
    _launch(page, platform, tool, INSTRUCTOR, locale, f"trainer-{locale}")
    page.goto(f"{tool.url}/programme/setup")
    _submit(page)
    seed_participants(app, [{"subject": f"other-{locale}", "name": "Olga Other", "side": "senior_expert"}])
    page.context.clear_cookies()
    _launch(page, platform, tool, LEARNER, locale, f"needs-{locale}")
    page.goto(f"{tool.url}/profile")
    page.wait_for_url(f"{tool.url}/profile/basics")
    _check(page, tool.url, platform.url, "needs map: basics")
    page.locator("#capacity").fill("")
    _submit(page)
    assert page.locator("[role=alert]").count() == 1
    _check(page, tool.url, platform.url, "needs map: basics with errors")
    page.locator("input[name=side][value=digital_mentor]").check()
    page.locator("#capacity").fill("1")
    _submit(page)
    page.wait_for_url(f"{tool.url}/profile/quick-start")
    _check(page, tool.url, platform.url, "needs map: quick start")
    _submit(page)
    assert page.locator("[role=alert]").count() == 1
    _check(page, tool.url, platform.url, "needs map: quick start with an error")
    page.goto(f"{tool.url}/profile")
    _check(page, tool.url, platform.url, "needs map: summary, not ready")
    page.goto(f"{tool.url}/profile/needs/digcomp-1")
    seen = 0
    while "/profile/needs/" in page.url:
        assert page.locator(".level-legend dt").count() == 8
        _check(page, tool.url, platform.url, f"needs map: step {page.url.rsplit('/', 1)[1]}")
        if seen == 0:
            page.locator("main form select").first.select_option("5")
        if seen == 6:  # a step the person learns in, with an error
            page.locator("main form select[name^=current]").first.select_option("4")
            page.locator("main form select[name^=want]").first.select_option("2")
            _submit(page, "next")
            assert page.locator("[role=alert]").count() == 1 and page.locator("[aria-invalid=true]").count() == 2
            _check(page, tool.url, platform.url, "needs map: a step with an error")
            page.locator("main form select[name^=want]").first.select_option("6")
        _submit(page, "next")
        seen += 1
    assert seen == 11
    page.wait_for_url(f"{tool.url}/profile/goals")
    _check(page, tool.url, platform.url, "needs map: goals and wishes")
    _submit(page, "next")
    page.wait_for_url(f"{tool.url}/profile")
    assert page.locator("#readiness-title").count() == 1 and page.locator(".notice-warning").count() == 0
    _check(page, tool.url, platform.url, "needs map: summary, ready")
    page.set_viewport_size({"width": 700, "height": 900})
    for path in ("/profile/basics", "/profile/quick-start", "/profile/needs/digcomp-2", "/profile"):
        page.goto(tool.url + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
