"""Helpers for the programme tests: launches, forms, and participants with realistic needs maps."""

from __future__ import annotations

import html
import random
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from plugin.domain.matching import DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = VOCAB + "membership#Instructor"
LEARNER = VOCAB + "membership#Learner"


def launch(platform, browser, role: str = LEARNER, **kwargs: Any) -> None:
    result = platform.launch(browser, roles=[role], **kwargs)
    assert result.response.status_code == 200, result.response.text[:500]


def get(browser, tool, path: str, status: int = 200) -> str:
    response = browser.get(tool.url + path, allow_redirects=False)
    assert response.status_code == status, (path, response.status_code, response.text[:800])
    return html.unescape(response.text)


def token(browser, tool, path: str = "/home") -> str:
    return browser.get(tool.url + path).text.split('name="csrf_token" value="')[1].split('"')[0]


def post(browser, tool, path: str, data: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None, status: int | None = 303, files: Any = None, token_from: str = "/home"):
    fields = list(data.items()) if isinstance(data, Mapping) else list(data or [])
    fields.append(("csrf_token", token(browser, tool, token_from)))
    response = browser.post(tool.url + path, data=fields, files=files, allow_redirects=False)
    if status is not None:
        assert response.status_code == status, (path, response.status_code, html.unescape(response.text)[:1500])
    return response


def text_of(page: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def set_up_programme(browser, tool, **settings: Any) -> None:
    data = {"matching_mode": "trainer", "shared_language": "y", "no_reporting_line": "y", "exclude_earlier": "y", "default_capacity": "1", "max_capacity": "3"}
    data.update({k: v for k, v in settings.items() if v is not None})
    for key in [k for k, v in settings.items() if v is None]:
        data.pop(key, None)
    post(browser, tool, "/programme/setup", data, token_from="/programme/setup")


def wait_for_job(browser, tool, job_url: str, timeout: float = 60.0) -> list[dict]:
    """Poll a job's JSON until it finishes; returns every distinct state seen."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = browser.get(tool.url + job_url + ".json", headers={"Accept": "application/json"}).json()
        if not seen or seen[-1] != state:
            seen.append(state)
        if state["finished"]:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job did not finish: {seen[-1:]}")


def job_url_of(response) -> str:
    location = response.headers["Location"]
    assert re.search(r"/programme/jobs/\d+$", location), location
    return location[location.index("/programme/jobs/") :]


def ids(app, *subjects: str) -> dict[str, int]:
    from plugin.extensions import db
    from plugin.models import Person

    with app.app_context():
        return dict(db.session.execute(sa.select(Person.subject, Person.id).where(Person.subject.in_(subjects))).all())


def needs_for(side: str, rng: random.Random, k: int = 4) -> dict[str, dict[str, int]]:
    own, theirs = (DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES) if side == "digital_mentor" else (EXPERTISE_COMPETENCES, DIGITAL_COMPETENCES)
    needs: dict[str, dict[str, int]] = {}
    for key in rng.sample(own[:8], k):
        needs[key] = {"offer": rng.randint(4, 8)}
    for key in rng.sample(theirs[:8], k):
        current = rng.randint(0, 2)
        needs[key] = {"want": rng.randint(current + 2, 6)} | ({"current": current} if current else {})
    return needs


def seed_participants(app, people: Sequence[Mapping[str, Any]], context_id: str = "course-1") -> dict[str, int]:
    """Participants with saved profiles, written straight to the database (the subject of each is its key).

    Each item: subject, side, and optionally name, languages, capacity, needs, manager, wishes, vetoes
    (the last three by subject)."""
    from plugin.extensions import db
    from plugin.models import Course, Membership, Participant, Person, Programme
    from plugin.models.base import utcnow

    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.context_id == context_id))
        programme = db.session.scalar(sa.select(Programme).where(Programme.course_id == course.id))
        issuer = db.session.scalar(sa.select(Person.issuer).join(Membership, Membership.person_id == Person.id).where(Membership.course_id == course.id).limit(1))
        rows = [Person(organisation_id=course.organisation_id, issuer=issuer, subject=p["subject"], name=p.get("name", f"Person {p['subject']}")) for p in people]
        db.session.add_all(rows)
        db.session.flush()
        by_subject = {r.subject: r.id for r in rows}
        db.session.add_all(Membership(person_id=r.id, course_id=course.id, role="participant") for r in rows)
        now = utcnow()
        for p in people:
            db.session.add(
                Participant(
                    programme_id=programme.id,
                    person_id=by_subject[p["subject"]],
                    side=p["side"],
                    source="csv",
                    languages=list(p.get("languages", ["en"])),
                    capacity=p.get("capacity", 1),
                    needs=p.get("needs", {}),
                    goals="",
                    manager_person_id=by_subject.get(p.get("manager", "")),
                    wishes=[by_subject[w] for w in p.get("wishes", ())],
                    vetoes=[by_subject[v] for v in p.get("vetoes", ())],
                    profile_saved_at=now,
                )
            )
        db.session.commit()
        return by_subject


def active_tandem(app, platform, tool, *, locale: str = "en", suffix: str = "", programme: Mapping[str, Any] | None = None, agreement: bool = False):
    """A trainer and an active tandem (digital mentor + senior expert), each with their own browser.

    Returns ``(browsers, person_ids, tandem_id)`` with browsers and ids keyed trainer / digital / expert.
    With ``agreement`` the two have signed the agreement already."""
    from tests.harness.browser import new_browser
    from plugin.extensions import db
    from plugin.models import Agreement, Participant, Programme, Tandem
    from plugin.models.base import utcnow

    browsers = {}
    subjects = {"trainer": f"trainer{suffix}", "digital": f"digital{suffix}", "expert": f"expert{suffix}"}
    names = {"trainer": "Tess Trainer", "digital": "Dana Digital", "expert": "Evert Expert"}
    for key, subject in subjects.items():
        browsers[key] = new_browser(verify=False)
        launch(platform, browsers[key], INSTRUCTOR if key == "trainer" else LEARNER, user_id=subject, name=names[key], locale=locale)
    set_up_programme(browsers["trainer"], tool, **dict(programme or {}))
    person = {key: ids(app, subject)[subject] for key, subject in subjects.items()}
    with app.app_context():
        prog = db.session.scalar(sa.select(Programme))
        for key, side in (("digital", "digital_mentor"), ("expert", "senior_expert")):
            db.session.add(Participant(programme_id=prog.id, person_id=person[key], side=side, languages=["en", "nl"], capacity=1, needs={}, goals="", wishes=[], vetoes=[], profile_saved_at=utcnow()))
        tandem = Tandem(organisation_id=prog.organisation_id, programme_id=prog.id, digital_person_id=person["digital"], expert_person_id=person["expert"], score=800, explanation={}, status="active", digital_response="accepted", expert_response="accepted", published_at=utcnow())
        db.session.add(tandem)
        db.session.flush()
        if agreement:
            now = utcnow().isoformat()
            db.session.add(Agreement(tandem_id=tandem.id, goals="Learn from each other", cadence="monthly", duration_minutes=60, confidentiality="What we share stays between us.", signatures=[{"person_id": person["digital"], "at": now}, {"person_id": person["expert"], "at": now}]))
        db.session.commit()
        return browsers, person, tandem.id
