"""Helpers for the group tests: a programme with a senior mentor, three juniors, people outside the
groups, and an open, a closed and a private group, each person with their own browser (real launches)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tests.web.programme_support import INSTRUCTOR, LEARNER, ids, launch, set_up_programme

ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
MODULE = "e-reputation"
DIGITAL = {"d1": 3, "d2": 3, "d3": 4, "d4": 2}  # objectives the digital mentors teach (criteria per objective)
EXPERTISE = {"e1": 3, "e2": 3, "e3": 3, "e4": 2}  # objectives the senior experts teach

#: key -> (display name, side or None for trainers and admins, LTI role)
PEOPLE = {
    "trainer": ("Tess Trainer", None, INSTRUCTOR),
    "admin": ("Ada Admin", None, ADMIN),
    "mentor": ("Sena Senior", "senior_expert", LEARNER),
    "j1": ("Juno Junior", "digital_mentor", LEARNER),
    "j2": ("Jip Junior", "digital_mentor", LEARNER),
    "j3": ("Jade Junior", "digital_mentor", LEARNER),
    "outsider": ("Otto Outsider", "digital_mentor", LEARNER),
    "quiet": ("Quinn Quiet", "senior_expert", LEARNER),
    "pia": ("Pia Private", "digital_mentor", LEARNER),
}


@dataclass
class World:
    browsers: dict[str, Any]
    person: dict[str, int]
    groups: dict[str, int] = field(default_factory=dict)
    programme_id: int = 0
    course_id: int = 0
    organisation_id: int = 0

    def actor(self, key: str):
        from plugin.domain.roles import Role
        from plugin.services.launches import Actor

        role = {"trainer": Role.TRAINER, "admin": Role.ORG_ADMIN}.get(key, Role.PARTICIPANT)
        return Actor(self.person[key], self.organisation_id, role, self.course_id)


def world(app, platform, tool, *, locale: str = "en", suffix: str = "", keys: tuple[str, ...] = tuple(PEOPLE), groups: bool = True) -> World:
    """Launch everyone in ``keys`` (the trainer first), set up the programme, give the participants their sides.

    With ``groups``: "open" (mentor + j1, j2, j3), "closed" (mentor + j1) and "private" (Quinn Quiet + Pia Private,
    with a session whose agenda is secret), created through the services."""
    from tests.harness.browser import new_browser
    from plugin.extensions import db
    from plugin.models import Participant, Programme
    from plugin.models.base import utcnow

    browsers = {}
    for key in keys:
        name, _side, role = PEOPLE[key]
        browsers[key] = new_browser(verify=False)
        launch(platform, browsers[key], role, user_id=f"{key}{suffix}", name=name, locale=locale)
        if key == "trainer":
            set_up_programme(browsers[key], tool)
    person = {key: ids(app, f"{key}{suffix}")[f"{key}{suffix}"] for key in keys}
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        for key in keys:
            side = PEOPLE[key][1]
            if side:
                db.session.add(Participant(programme_id=programme.id, person_id=person[key], side=side, languages=["en", "nl"], timezone="Europe/Amsterdam", capacity=1, needs={}, goals="", wishes=[], vetoes=[], profile_saved_at=utcnow()))
        db.session.commit()
        w = World(browsers, person, programme_id=programme.id, course_id=programme.course_id, organisation_id=programme.organisation_id)
        if groups:
            make_groups(app, w)
        return w


def make_groups(app, w: World) -> None:
    from datetime import datetime

    from plugin.domain.groups import NewGroup
    from plugin.extensions import db
    from plugin.services import group_membership, group_sessions
    from plugin.services import groups as service

    catalogue = app.extensions["tandem_catalogue"]
    trainer = w.actor("trainer")
    specs = {
        "open": ("Open reputation group", "open", "mentor", ("j1", "j2", "j3")),
        "closed": ("Closed reputation group", "closed", "mentor", ("j1",)),
        "private": ("Secret strategy table", "private", "quiet", ("pia",)),
    }
    with app.app_context():
        for key, (name, kind, mentor, members) in specs.items():
            gid = service.create(db.session, trainer, catalogue, NewGroup(name, f"Purpose of the {key} group", kind, 6, (MODULE,)), w.person[mentor])
            for m in members:
                group_membership.invite(db.session, trainer, gid, w.person[m])
                group_membership.answer_invitation(db.session, w.actor(m), gid, True)
            w.groups[key] = gid
        group_sessions.plan(db.session, w.actor("quiet"), w.groups["private"], group_sessions.NewSession(datetime(2030, 5, 6, 10, 0), 60, "Secret agenda of the table"))
        group_sessions.plan(db.session, w.actor("mentor"), w.groups["open"], group_sessions.NewSession(datetime(2030, 5, 7, 14, 30), 90, "Open agenda"))
        group_sessions.plan(db.session, w.actor("mentor"), w.groups["closed"], group_sessions.NewSession(datetime(2030, 5, 8, 9, 0), 60, "Closed agenda"))
        db.session.commit()


def session_of(app, group_id: int) -> int:
    from plugin.extensions import db
    from plugin.models import GroupSession

    with app.app_context():
        return db.session.scalar(sa.select(GroupSession.id).where(GroupSession.group_id == group_id).order_by(GroupSession.id))
