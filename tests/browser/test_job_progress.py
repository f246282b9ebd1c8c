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


def test_a_large_matching_job_shows_its_real_phase_and_the_time_left(page, platform, tool, app):
    """A pool over 5,000: the page names the phase the engine is in (here: certifying optimality) and says
    how long is left; the JSON carries the estimate in seconds."""
    _trainer_with_programme(page, platform, tool, "en", "trainer-eta")
    trail = [["loading", 2], ["scoring", 10], ["solving", 45], ["certifying", 70]]
    job_id = _held_job(app, "match", "running", {"key": "certifying", "trail": trail, "eta_seconds": 12})
    page.goto(f"{tool.url}/programme/jobs/{job_id}")
    status = page.locator("#job-status")
    status.filter(has_text="optimal").wait_for()
    assert "12 seconds left" in status.inner_text()
    job = page.request.get(f"{tool.url}/programme/jobs/{job_id}.json").json()
    assert job["message"]["key"] == "certifying" and job["message"]["eta_seconds"] == 12
    _finish(app, job_id, "running", {"key": "writing", "trail": [*trail, ["explaining", 85], ["writing", 95]], "eta_seconds": 2})
    status.filter(has_text="About 2 seconds left").wait_for()  # the poller follows the phases and the estimate
    assert "proposal" in status.inner_text().lower()


def test_the_stage_reporter_estimates_the_time_left_from_the_measured_stages(page, platform, tool, app):
    """The matching job's reporter (the real one, on the database): with a model (shares of the stages and
    a prior from the pool size), each report carries eta_seconds; a stage that ran slower than its share
    of the prior makes the estimate grow, and it shrinks as the job goes on."""
    from plugin.extensions import db
    from plugin.models import Job
    from plugin.services import jobs, proposals

    _trainer_with_programme(page, platform, tool, "en", "trainer-clock")
    job_id = _held_job(app, "match", "running", {})
    now = [100.0]
    with app.app_context():
        progress = jobs.stage_reporter(db.session, job_id, clock=lambda: now[0])
        progress.expect(proposals.STAGE_SHARES, 20.0)
        etas = []
        for stage, percent, seconds in (("loading", 2, 4.0), ("scoring", 10, 12.0), ("solving", 45, 6.0), ("certifying", 70, 1.0), ("explaining", 85, 3.0), ("writing", 95, 0.0)):
            progress(stage, percent)
            etas.append(db.session.get(Job, job_id).message["eta_seconds"])
            now[0] += seconds
    assert etas[0] == 20  # the prior, nothing measured yet
    assert etas[1] > 20 - 4  # loading took twice its share: the rest is expected slower too
    assert etas == sorted(etas, reverse=True) and etas[-1] >= 1
    assert jobs.remaining_seconds({"a": 0.5, "b": 0.5}, 10.0, [("a", 5.0)], "b", 0.0) == 5
    assert jobs.remaining_seconds({"a": 0.5, "b": 0.5}, 10.0, [("a", 10.0)], "b", 0.0) == 8  # 0.5 * 20 + 0.5 * 10 = 15 in all
    assert jobs.remaining_seconds({"a": 0.5, "b": 0.5}, 10.0, [("a", 5.0)], "b", 20.0) == 1
