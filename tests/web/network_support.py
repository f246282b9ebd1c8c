"""The mentor network's test scenario: a programme with a tandem (Dana, digital, with Evert, expert) and the
people Dana may or may not ask for a focused mentoring, each with a real LTI launch and a saved profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import INSTRUCTOR, LEARNER, ids, launch, set_up_programme

ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
#: one module teaches it (e-reputation's expertise track)
ONE_MODULE = "lifecomp:L2"
#: several modules teach it
SEVERAL = "entrecomp:2.5"
#: only confidential-conversations teaches it
OTHER_NEED = "lifecomp:P3"
#: Dana's partner Evert covers it
COVERED = "lifecomp:S1"
#: Evert learns it from Dana
DANA_TEACHES = "digcomp:2.6"

#: subject -> (name, side, languages, capacity, needs, manager subject)
PEOPLE: dict[str, tuple[str, str, list[str], int, dict[str, dict[str, int]], str | None]] = {
    "dana": ("Dana Digital", "digital_mentor", ["en", "nl"], 1, {DANA_TEACHES: {"offer": 6}, ONE_MODULE: {"want": 5}, SEVERAL: {"want": 4}, OTHER_NEED: {"want": 4}, COVERED: {"want": 3}, "lifecomp:L3": {"want": 4}}, "max"),
    "evert": ("Evert Expert", "senior_expert", ["en", "nl"], 1, {COVERED: {"offer": 6}, DANA_TEACHES: {"want": 5}}, None),
    "mara": ("Mara Mentor", "senior_expert", ["en"], 2, {ONE_MODULE: {"offer": 6}, SEVERAL: {"offer": 6}}, None),
    "max": ("Max Manager", "senior_expert", ["en"], 2, {ONE_MODULE: {"offer": 7}}, None),
    "pia": ("Pia Peer", "senior_expert", ["en"], 1, {OTHER_NEED: {"offer": 5}, "lifecomp:L3": {"offer": 6}}, None),
    "nolan": ("Nolan Nolang", "senior_expert", ["de"], 2, {OTHER_NEED: {"offer": 6}}, None),
    "olga": ("Olga Other", "digital_mentor", ["en"], 1, {OTHER_NEED: {"want": 4}}, None),
}


@dataclass
class Scenario:
    browsers: dict[str, Any]
    person: dict[str, int]
    programme_id: int
    tandem_id: int
    extra: dict[str, Any] = field(default_factory=dict)


def network_scenario(app, platform, tool, *, locale: str = "en", who: tuple[str, ...] = tuple(PEOPLE), admin: bool = True) -> Scenario:
    """The trainer (and an organisation administrator), everyone of ``PEOPLE`` with a browser and a profile, the
    active tandem Dana-Evert, and a published proposal whose network suggests Mara to Dana for ``ONE_MODULE``."""
    from plugin.extensions import db
    from plugin.models import Participant, Programme, Proposal, Tandem
    from plugin.models.base import utcnow

    browsers: dict[str, Any] = {"trainer": new_browser(verify=False)}
    launch(platform, browsers["trainer"], INSTRUCTOR, user_id="trainer", name="Tess Trainer", locale=locale)
    set_up_programme(browsers["trainer"], tool)
    if admin:
        browsers["admin"] = new_browser(verify=False)
        launch(platform, browsers["admin"], ADMIN, user_id="admin", name="Ada Admin", locale=locale)
    people = {s: PEOPLE[s] for s in who}
    for subject, (name, *_rest) in people.items():
        browsers[subject] = new_browser(verify=False)
        launch(platform, browsers[subject], LEARNER, user_id=subject, name=name, locale=locale)
    person = ids(app, "trainer", *(["admin"] if admin else []), *people)
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        now = utcnow()
        for subject, (_name, side, languages, capacity, needs, manager) in people.items():
            db.session.add(
                Participant(
                    programme_id=programme.id, person_id=person[subject], side=side, source="launch", languages=languages, capacity=capacity,
                    needs=needs, goals="", timezone="Europe/Amsterdam" if subject == "dana" else None, manager_person_id=person.get(manager) if manager else None, wishes=[], vetoes=[], profile_saved_at=now,
                )
            )  # fmt: skip
        tandem = Tandem(
            organisation_id=programme.organisation_id, programme_id=programme.id, digital_person_id=person["dana"], expert_person_id=person["evert"],
            score=800, explanation={}, status="active", digital_response="accepted", expert_response="accepted", published_at=now,
        )  # fmt: skip
        db.session.add(tandem)
        network = {str(person["dana"]): [{"competence": ONE_MODULE, "mentor": str(person["mara"]), "offered": 6, "wanted": 5, "reached": 0}]} if "mara" in people else {}
        db.session.add(Proposal(programme_id=programme.id, status="published", pairs=[], unmatched={}, network=network, total=800, optimal=True, published_at=now))
        db.session.commit()
        return Scenario(browsers, person, programme.id, tandem.id)


def counts(app) -> tuple[int, int, int]:
    """Rows of groups, group members and focused requests (a refusal writes none)."""
    from plugin.extensions import db
    from plugin.models import FocusedRequest, Group, GroupMember

    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Group, GroupMember, FocusedRequest))  # type: ignore[return-value]


def seed_focused(app, scenario: Scenario, mentee: str, mentor: str, competence: str, *, accepted: bool) -> int:
    """A focused mentoring made by the demo's seeding function (the asking rules are tested elsewhere)."""
    from plugin.extensions import db
    from plugin.services import network

    with app.app_context():
        group = network.seed_example(
            db.session, scenario.programme_id, scenario.person[mentee], scenario.person[mentor], competence, accepted=accepted, catalogue=app.extensions["tandem_catalogue"]
        )
        db.session.commit()
        return group.id


def focused_status(app, group_id: int) -> str:
    from plugin.extensions import db
    from plugin.models import GroupMember

    with app.app_context():
        return db.session.scalar(sa.select(GroupMember.status).where(GroupMember.group_id == group_id))
