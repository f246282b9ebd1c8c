"""Helpers for the circles tests: launched people with participant rows, a circle made over HTTP."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import INSTRUCTOR, LEARNER, ids, launch, post, set_up_programme

ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def today() -> date:
    return datetime.now(UTC).date()


def people(app, platform, tool, learners: Mapping[str, str], *, locale: str = "en", suffix: str = "", admin: bool = False) -> tuple[dict[str, Any], dict[str, int]]:
    """A trainer (who sets up the programme), optionally an org admin, and launched learners with saved profiles.

    ``learners`` maps a key to a name; returns browsers and person ids by key (and "trainer", "admin")."""
    from plugin.extensions import db
    from plugin.models import Participant, Programme
    from plugin.models.base import utcnow

    browsers: dict[str, Any] = {"trainer": new_browser(verify=False)}
    launch(platform, browsers["trainer"], INSTRUCTOR, user_id=f"trainer{suffix}", name="Tess Trainer", locale=locale)
    set_up_programme(browsers["trainer"], tool)
    subjects = {"trainer": f"trainer{suffix}"}
    if admin:
        browsers["admin"] = new_browser(verify=False)
        launch(platform, browsers["admin"], ADMIN, user_id=f"admin{suffix}", name="Ada Admin", locale=locale)
        subjects["admin"] = f"admin{suffix}"
    for key, name in learners.items():
        browsers[key] = new_browser(verify=False)
        launch(platform, browsers[key], LEARNER, user_id=f"{key}{suffix}", name=name, locale=locale)
        subjects[key] = f"{key}{suffix}"
    found = ids(app, *subjects.values())
    person = {key: found[subject] for key, subject in subjects.items()}
    with app.app_context():
        prog = db.session.scalar(sa.select(Programme))
        for k, key in enumerate(learners):
            db.session.add(Participant(programme_id=prog.id, person_id=person[key], side=("digital_mentor", "senior_expert")[k % 2], languages=["en", "nl"], capacity=1,
                                       needs={}, goals="", wishes=[], vetoes=[], timezone="Europe/Amsterdam", department=f"Dept {k % 3}", profile_saved_at=utcnow()))  # fmt: skip
        db.session.commit()
    return browsers, person


def make_circle(trainer, tool, name: str, members: Sequence[int], *, purpose: str = "", cadence: str = "monthly", starts_on: date | None = None) -> int:
    fields = [("name", name), ("purpose", purpose), ("cadence", cadence), *(("members", str(m)) for m in members)]
    if starts_on is not None:
        fields += [("starts_on", starts_on.isoformat()), ("starts_time", "10:00")]
    response = post(trainer, tool, "/circles/new", fields, token_from="/circles/new")
    return int(re.search(r"/circles/(\d+)$", response.headers["Location"]).group(1))


def record_meeting(browser, tool, circle_id: int, held_on: date, agenda: str = "", notes: str = "", status: int = 303):
    data = {"held_on": held_on.isoformat(), "at": "18:00", "agenda": agenda, "notes": notes}
    return post(browser, tool, f"/circles/{circle_id}/meetings/new", data, status=status, token_from=f"/circles/{circle_id}/meetings/new" if status == 303 else "/circles")


def meeting_ids(app, circle_id: int) -> list[tuple[int, int, int]]:
    """(id, seq, chair person id) of the circle's meetings, in order."""
    from plugin.extensions import db
    from plugin.models import CircleMeeting

    with app.app_context():
        return [tuple(r) for r in db.session.execute(sa.select(CircleMeeting.id, CircleMeeting.seq, CircleMeeting.chair_person_id).where(CircleMeeting.circle_id == circle_id).order_by(CircleMeeting.seq)).all()]


def commitment_ids(app, circle_id: int) -> dict[int, int]:
    """Person id -> id of their open commitment (the latest)."""
    from plugin.extensions import db
    from plugin.models import CircleCommitment

    with app.app_context():
        rows = db.session.execute(sa.select(CircleCommitment.person_id, CircleCommitment.id).where(CircleCommitment.circle_id == circle_id, CircleCommitment.outcome.is_(None)).order_by(CircleCommitment.id)).all()
        return dict(rows)


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)
