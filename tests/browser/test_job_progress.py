"""The job page in Chromium: it follows the job and, once the job is done, announces where it goes and goes
there by itself (matching: the review; roster pull: the participants), replacing itself in the history; a
failed job stays with its error and the way back. Without JavaScript the page refreshes itself and goes on
too. Held jobs are written to the database, so each state is looked at for as long as the test needs."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, _check
from tests.web.programme_support import needs_for, seed_participants

pytestmark = pytest.mark.browser


def _trainer_with_programme(page, platform, tool, locale: str = "en", user_id: str = "trainer") -> None:
    page.goto(platform.browser_launch_url(roles=[INSTRUCTOR], locale=locale, user_id=user_id, name="Tess Trainer"))
    page.wait_for_url(f"{tool.url}/home")
    page.goto(f"{tool.url}/programme/setup")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{tool.url}/programme")


def _held_job(app, kind: str, status: str, message: dict) -> int:
    from plugin.extensions import db
    from plugin.models import Job, Person, Programme

    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        trainer = db.session.scalar(sa.select(Person.id).where(Person.subject.like("trainer%")))
        job = Job(organisation_id=programme.organisation_id, programme_id=programme.id, kind=kind, status=status, done=3, total=None, started_by=trainer, message=message)
        db.session.add(job)
        db.session.commit()
        return job.id


def _finish(app, job_id: int, status: str, message: dict) -> None:
    from plugin.extensions import db
    from plugin.models import Job

    with app.app_context():
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(status=status, done=12, total=12, message=message))
        db.session.commit()


def test_the_matching_page_goes_on_to_the_review_by_itself(page, platform, tool, app):
    _trainer_with_programme(page, platform, tool)
    rng = random.Random(8)
    seed_participants(app, [{"subject": f"p{i}", "name": f"Person {i}", "side": side, "languages": ["en"], "needs": needs_for(side, rng)} for i, side in enumerate(["digital_mentor", "senior_expert"] * 5)])
    page.goto(f"{tool.url}/programme")
    page.locator("main form[action='/programme/match'] button").click()
    page.wait_for_url(f"{tool.url}/programme/jobs/*")
    page.wait_for_url(f"{tool.url}/programme/proposal", timeout=30000)  # nothing clicked
    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{tool.url}/programme"  # the finished job page is not in the history


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_roster_job_page_follows_the_job_then_announces_and_goes_on(page, platform, tool, app, locale):
    _trainer_with_programme(page, platform, tool, locale, f"trainer-{locale}")
    job_id = _held_job(app, "roster", "running", {"key": "fetching", "members": 3, "pages": 1})
    page.goto(f"{tool.url}/programme/jobs/{job_id}")
    page.wait_for_function("document.getElementById('job-status').textContent.indexOf('3') >= 0")
    _check(page, tool.url, platform.url, "roster pull in progress")
    page.wait_for_timeout(1200)
    assert page.url == f"{tool.url}/programme/jobs/{job_id}" and page.locator("#job-next").is_hidden()

    _finish(app, job_id, "done", {"key": "synced", "members": 12, "participants": 12, "added": 12})
    # the outcome and where the page goes (in either language: "… 12 …. Opening the participants page…")
    page.wait_for_function("() => { const t = document.querySelector('[role=status]#job-status').textContent.trim(); return t.indexOf('12') >= 0 && t.endsWith('…'); }")
    assert page.locator("#job-next a").get_attribute("href") == "/programme"
    page.wait_for_url(f"{tool.url}/programme")
    assert "12" in page.locator("#last-roster").inner_text()  # the participants page says how the pull went


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_failed_job_stays_with_its_error_and_the_way_back(page, platform, tool, app, locale):
    _trainer_with_programme(page, platform, tool, locale, f"trainer-f-{locale}")
    job_id = _held_job(app, "roster", "running", {"key": "fetching", "members": 0, "pages": 0})
    page.goto(f"{tool.url}/programme/jobs/{job_id}")
    _finish(app, job_id, "failed", {"key": "unavailable"})
    page.locator("#job-next a").wait_for(state="visible")
    page.wait_for_timeout(2000)
    assert page.url == f"{tool.url}/programme/jobs/{job_id}"  # stays
    assert "notice-error" in (page.locator("#job-status").get_attribute("class") or "")
    assert page.locator("#job-refresh").is_hidden()
    _check(page, tool.url, platform.url, "failed roster pull")
    page.locator("#job-next a").click()
    page.wait_for_url(f"{tool.url}/programme")


def test_without_javascript_the_page_refreshes_itself_and_goes_on(page, chromium, platform, tool, app):
    _trainer_with_programme(page, platform, tool, "en", "trainer-nojs")
    job_id = _held_job(app, "roster", "running", {"key": "fetching", "members": 2, "pages": 1})
    context = chromium.new_context(ignore_https_errors=True, java_script_enabled=False)
    try:
        context.add_cookies(page.context.cookies())
        plain = context.new_page()
        plain.goto(f"{tool.url}/programme/jobs/{job_id}")
        assert "2 people so far" in plain.locator("#job-status").inner_text()
        _finish(app, job_id, "running", {"key": "fetching", "members": 7, "pages": 2})
        plain.locator("#job-status", has_text="7 people so far").wait_for(timeout=10000)  # the page looked again by itself
        _finish(app, job_id, "done", {"key": "synced", "members": 12, "participants": 12, "added": 12})
        plain.wait_for_url(f"{tool.url}/programme", timeout=15000)
    finally:
        context.close()
