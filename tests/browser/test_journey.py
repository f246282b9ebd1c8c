"""One tandem's whole journey in headless Chromium, each person in their own browser, launched from the
platform: the trainer sets up and matches, both accept, sign the agreement, make a plan, log a session,
add evidence, sign off both ways, and the grades arrive in the platform's gradebook."""

from __future__ import annotations

import time

import pytest

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, LEARNER
from tests.web.programme_support import seed_participants

pytestmark = pytest.mark.browser

DIGITAL = {"d1": 3, "d2": 3, "d3": 4, "d4": 2}
EXPERTISE = {"e1": 3, "e2": 3, "e3": 3, "e4": 2}


def _person(chromium, platform, tool, role: str, user_id: str, name: str):
    context = chromium.new_context(ignore_https_errors=True, viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.goto(platform.browser_launch_url(roles=[role], locale="en", user_id=user_id, name=name))
    page.wait_for_url(f"{tool.url}/home")
    return page


def _submit(page, form_selector: str) -> None:
    page.locator(f"{form_selector} button[type=submit]").first.click()
    page.wait_for_load_state()


def _sign_off(page, objective: str, criteria: int) -> None:
    for i in range(criteria):
        page.locator(f"#c-{objective}-{i}").check()
    page.locator(f"#{objective} form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "cannot be edited later" in page.locator("main").inner_text()
    page.locator("main form.actions button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"#{objective} .status").count() == 1


def test_a_tandem_from_matching_to_grades(chromium, platform, tool, app):
    trainer = _person(chromium, platform, tool, INSTRUCTOR, "journey-trainer", "Tess Trainer")
    trainer.goto(f"{tool.url}/programme")  # no programme yet: its setup
    trainer.wait_for_url(f"{tool.url}/programme/setup")
    _submit(trainer, "main form")
    trainer.wait_for_url(f"{tool.url}/programme")

    digital = _person(chromium, platform, tool, LEARNER, "journey-digital", "Dana Digital")
    expert = _person(chromium, platform, tool, LEARNER, "journey-expert", "Evert Expert")
    # the two fill their profile and needs map in the browser
    for page, side, offer, want in ((digital, "digital_mentor", ("digcomp-2", "7"), ("entrecomp-2", "5")), (expert, "senior_expert", ("entrecomp-2", "8"), ("digcomp-2", "6"))):
        page.goto(f"{tool.url}/profile")
        page.locator(f"input[name=side][value={side}]").check()
        _submit(page, "main form")
        page.wait_for_url(f"{tool.url}/profile/quick-start")
        for (step, level), part in ((offer, "offer"), (want, "want")):
            page.goto(f"{tool.url}/profile/needs/{step}")
            competence = "digcomp-2_6" if step == "digcomp-2" else "entrecomp-2_5"
            page.locator(f"#{part}-{competence}").select_option(level)
            _submit(page, "main form")
            assert "Saved" in page.locator("[role=status]").inner_text()
        page.goto(f"{tool.url}/profile")
        assert "Ready for matching" in page.locator("main").inner_text()
    seed_participants(app, [{"subject": "journey-other", "side": "senior_expert", "languages": ["fr"]}])  # someone nobody can pair

    # the trainer matches, reviews and publishes
    trainer.goto(f"{tool.url}/programme")
    trainer.locator("main form[action='/programme/match'] button").click()
    trainer.locator("#job-next a").wait_for(state="visible")
    trainer.locator("#job-next a").click()
    trainer.wait_for_url(f"{tool.url}/programme/proposal")
    review = trainer.locator("main").inner_text()
    assert "Dana Digital (digital mentor) and Evert Expert (senior expert)" in review, review
    assert "Evert Expert teaches Dana Digital" in review and "Wants to learn nothing the other side teaches" in review
    assert "Good fit: Dana Digital learns 5 levels from Evert Expert; Evert Expert learns 6 levels from Dana Digital." in review, review
    trainer.locator("main a.button[href$='/publish']").click()
    trainer.wait_for_load_state()
    _submit(trainer, "main form")
    trainer.wait_for_url(f"{tool.url}/programme")  # the publish job's page goes on to the participants once the tandems exist

    # both accept; the tandem opens on its agreement
    for page in (digital, expert):
        page.goto(f"{tool.url}/tandem")
        assert "What you learn from" in page.locator("main").inner_text()
        page.locator("main button[value=accepted]").click()
        page.wait_for_url(f"{tool.url}/tandem")
    digital.goto(f"{tool.url}/tandem")
    assert "Your tandem has started" in digital.locator("main").inner_text()
    digital.locator("main a.button[href^='/tandems/']").click()
    digital.wait_for_url(f"{tool.url}/tandems/*/agreement")  # nothing else opens before the agreement
    tandem_id = int(digital.url.split("/tandems/")[1].split("/")[0])
    base = f"{tool.url}/tandems/{tandem_id}"
    digital.goto(f"{base}/agreement")
    digital.locator("#goals").fill("Dana learns to mobilise others; Evert learns to manage his digital identity.")
    digital.locator("form[action$='/agreement'] button[type=submit]").click()
    digital.wait_for_load_state()
    for page in (digital, expert):
        page.goto(f"{base}/agreement")
        for box in page.locator("input[name=principles]").all():
            box.check()
        page.locator("form[action$='/agreement/sign'] button[type=submit]").click()
        page.wait_for_load_state()
        page.locator("main form.actions button[type=submit]").click()
        page.wait_for_load_state()

    # a plan from the six-session template with the module
    digital.goto(f"{base}/plan")
    digital.locator("input[name=template][value=six-sessions]").check()
    digital.locator("#start").fill(time.strftime("%Y-%m-%d"))
    digital.locator("input[name=modules][value=e-reputation]").check()
    digital.locator(f"form[action='/tandems/{tandem_id}/plan'] button[type=submit]").click()
    digital.wait_for_load_state()
    assert "E-reputation" in digital.locator("main").inner_text()

    # a session, with a private note only its author sees
    expert.goto(f"{base}/sessions")
    expert.locator("#held_on").fill(time.strftime("%Y-%m-%d"))
    expert.locator("#shared_notes").fill("We looked at Evert's LinkedIn profile together.")
    expert.locator("#private_note").fill("Note to self: ask about the board meeting.")
    expert.locator("input[name=tracks]").first.check()
    expert.locator(f"form[action='/tandems/{tandem_id}/sessions'] button[type=submit]").click()
    expert.wait_for_load_state()
    digital.goto(f"{base}/sessions")
    assert "LinkedIn profile" in digital.content() and "board meeting" not in digital.content()

    # evidence, then sign-offs both ways
    module = f"{base}/modules/e-reputation/v1"
    expert.goto(module)
    expert.locator("#d1 details summary").last.click()
    expert.locator("#text-d1").fill("My profile is now private where it should be.")
    expert.locator("#d1 form[enctype] button[type=submit]").click()
    expert.wait_for_load_state()
    digital.goto(module)
    assert "My profile is now private" in digital.locator("#d1").inner_text()
    for objective, criteria in DIGITAL.items():
        _sign_off(digital, objective, criteria)
    expert.goto(module)
    for objective, criteria in EXPERTISE.items():
        _sign_off(expert, objective, criteria)
    expert.goto(f"{base}/modules")
    assert "Complete both ways" in expert.locator("main").inner_text()

    # the grades are in the platform's gradebook, and the trainer sees them synced
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        final = {str(s["userId"]): s for s in platform.scores}
        if final.get("journey-digital", {}).get("scoreGiven") == 100 and final.get("journey-expert", {}).get("scoreGiven") == 100:
            break
        time.sleep(0.2)
    latest = {}
    for s in platform.scores:
        latest[str(s["userId"])] = s
    assert latest["journey-digital"]["scoreGiven"] == 100 and latest["journey-digital"]["activityProgress"] == "Completed"
    assert latest["journey-expert"]["scoreGiven"] == 100 and latest["journey-expert"]["gradingProgress"] == "FullyGraded"
    deadline = time.monotonic() + 15  # the platform holds a score a moment before the worker records it
    while True:
        trainer.goto(module)
        synced = trainer.locator("main").inner_text().count("Synced to the gradebook")
        if synced == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert synced == 2
    for page in (trainer, digital, expert):
        page.context.close()
