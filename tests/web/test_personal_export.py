"""A person's own export (GDPR access) holds every format they take part in: groups (sign-offs both ways,
evidence, sessions with shared notes and their own private note), focused mentorings with the request,
circles with their own commitments, coffee matches with their own feedback, events with attendance and
follow-ups; and never another member's private note or another person's coffee feedback."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa

from tests.web.network_support import ONE_MODULE, network_scenario
from tests.web.programme_support import get

MODULE = "e-reputation"
DANA_NOTE = "DANA-GROUP-NOTE-41d2: I want to lead the next session"
OLGA_NOTE = "OLGA-GROUP-NOTE-9e07: Dana talks too much"
SHARED = "GROUP-SHARED-5b1a: we reviewed our profiles"
OLGA_COMMITMENT = "OLGA-COMMITMENT-c3f0: call my bank"
EVIDENCE = "DANA-EVIDENCE-77aa: my cleaned-up profile"


def test_the_export_holds_each_format_of_the_person_and_nothing_private_of_others(app, platform, tool):
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import CircleCommitment, CoffeeMember, Event, Group, Programme
    from plugin.models.base import utcnow
    from plugin.services import circles, coffee, event_attendance, event_followups, events, group_sessions, group_signoffs, groups, network
    from plugin.services.launches import Actor

    s = network_scenario(app, platform, tool, who=("dana", "evert", "mara", "olga"), admin=False)
    p = s.person
    catalogue = app.extensions["tandem_catalogue"]
    with app.app_context():
        group = db.session.scalar(sa.select(Group).where(Group.id == groups.seed_example(db.session, s.programme_id, p["evert"], [p["dana"], p["olga"]], name="Reputation table").id))
        group.modules = [MODULE]
        org, course = group.organisation_id, db.session.get(Programme, s.programme_id).course_id

        def actor(key: str, role: Role = Role.PARTICIPANT) -> Actor:
            return Actor(p[key], org, role, course)

        gid = group.id
        sid = group_sessions.plan(db.session, actor("evert"), gid, group_sessions.NewSession(datetime(2026, 11, 2, 10, 0), 60, "Profiles"))
        group_sessions.record(db.session, actor("evert"), gid, sid, [p["evert"], p["dana"], p["olga"]], SHARED)
        group_sessions.save_note(db.session, actor("dana"), gid, sid, DANA_NOTE)
        group_sessions.save_note(db.session, actor("olga"), gid, sid, OLGA_NOTE)
        group_signoffs.add_evidence(db.session, actor("dana"), catalogue, gid, MODULE, 1, "e1", "note", EVIDENCE)
        group_signoffs.sign(db.session, actor("evert"), catalogue, gid, MODULE, 1, "e1", p["dana"], range(3))
        group_signoffs.sign(db.session, actor("evert"), catalogue, gid, MODULE, 1, "e1", p["olga"], range(3))
        group_signoffs.sign(db.session, actor("dana"), catalogue, gid, MODULE, 1, "d1", p["evert"], range(3))
        focused = network.seed_example(db.session, s.programme_id, p["dana"], p["mara"], ONE_MODULE, catalogue=catalogue).id

        circle = circles.seed_example(db.session, s.programme_id, [p["dana"], p["evert"], p["mara"], p["olga"]])
        mine = {c.person_id: c for c in db.session.scalars(sa.select(CircleCommitment).where(CircleCommitment.circle_id == circle.id))}
        mine[p["dana"]].outcome, mine[p["dana"]].comment = "partly", "Tried one, will try another"
        mine[p["olga"]].text = OLGA_COMMITMENT

        coffee.seed_example(db.session, s.programme_id, [p["dana"], p["evert"], p["mara"], p["olga"]], cadence="weekly")
        members = db.session.scalars(sa.select(CoffeeMember)).all()
        dana_match = next(m.match_id for m in members if m.person_id == p["dana"])
        coffee.give_feedback(db.session, actor("dana"), dana_match, "met")
        for m in members:
            if m.person_id != p["dana"]:
                coffee.give_feedback(db.session, actor(next(k for k in p if p[k] == m.person_id)), m.match_id, "not_met")

        event = events.seed_example(db.session, s.programme_id, p["trainer"], [p["dana"], p["olga"]])
        now = utcnow()
        db.session.execute(sa.update(Event).where(Event.id == event.id).values(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1), registration_deadline=now - timedelta(hours=3)))
        trainer = actor("trainer", Role.TRAINER)
        event_attendance.record(db.session, trainer, event.id, [p["dana"]], now)
        event_followups.add(db.session, trainer, event.id, "Check what a search engine shows about you", (now + timedelta(days=7)).date(), False, now)
        db.session.commit()
        coffee_partner = next(m.person_id for m in members if m.match_id == dana_match and m.person_id != p["dana"])

    body = get(s.browsers["dana"], tool, "/me/export.json")
    data = json.loads(body)
    assert data["format"] == "tandem-personal-export/2"

    # groups: the group, the names of its people, sign-offs both ways, evidence, the session with both notes of hers
    (g,) = data["groups"]
    assert (g["name"], g["kind"], g["my_status"], g["modules"], g["mentor"]["name"]) == ("Reputation table", "open", "member", [MODULE], "Evert Expert")
    assert {x["name"] for x in g["people"]} == {"Evert Expert", "Dana Digital", "Olga Other"}
    assert [(r["objective"], r["by"]["name"], r["kind"]) for r in g["signoffs_as_learner"]] == [("e1", "Evert Expert", "signed")]
    assert [(r["objective"], r["learner"]["name"]) for r in g["signoffs_as_teacher"]] == [("d1", "Evert Expert")]
    assert [e["text"] for e in g["my_evidence"]] == [EVIDENCE]
    assert all(r["learner"]["id"] != p["olga"] for r in g["signoffs_as_learner"] + g["signoffs_as_teacher"])  # Olga's own learning is hers
    (gs,) = g["sessions"]
    assert (gs["shared_notes"], gs["my_private_note"], gs["attended"], gs["agenda"]) == (SHARED, DANA_NOTE, True, "Profiles")

    # the focused mentoring, with what she asked
    (f,) = data["focused_mentorings"]
    assert (f["id"], f["focus"], f["my_role"], f["my_status"], f["mentor"]["name"]) == (focused, ONE_MODULE, "mentee", "member", "Mara Mentor")
    assert f["request"]["message"] == "Could you help me with this need?" and f["request"]["answered_at"]

    # the circle: membership, the meeting, her own commitment with its outcome
    (c,) = data["circles"]
    assert (c["name"], c["my_status"], len(c["members"])) == ("Advisory board", "member", 4)
    assert [(m["seq"], m["chair"]["name"]) for m in c["meetings"]] == [(1, "Dana Digital")]
    assert [(x["text"], x["outcome"], x["stated_at_meeting"]) for x in c["my_commitments"]] == [("By next meeting I will try one new online tool in my work.", "partly", 1)]

    # coffee: opted in, her match with the other's name and her own feedback only
    assert [(o["programme_id"], o["opted_in"]) for o in data["coffee"]["opt_ins"]] == [(s.programme_id, True)]
    (match,) = data["coffee"]["matches"]
    assert match["my_feedback"] == "met" and [w["id"] for w in match["with"]] == [coffee_partner]

    # events: the registration, attended, and the follow-up given to her
    (reg,) = data["events"]["registrations"]
    assert (reg["title"], reg["my_status"], reg["attended"]) == ("Masterclass: your digital reputation", "registered", True)
    assert [x["text"] for x in data["events"]["followups"]] == ["Check what a search engine shows about you"]

    # nothing private of anyone else: Olga's note and commitment, the others' coffee feedback
    for secret in (OLGA_NOTE, OLGA_COMMITMENT, "not_met"):
        assert secret not in body and secret.split(":")[0] not in body, secret

    # the other side of the same records: Olga sees her own note, not Dana's; Mara sees the request as mentor
    olga = json.loads(get(s.browsers["olga"], tool, "/me/export.json"))
    assert olga["groups"][0]["sessions"][0]["my_private_note"] == OLGA_NOTE and DANA_NOTE not in json.dumps(olga) and EVIDENCE not in json.dumps(olga)
    assert olga["events"]["registrations"][0]["attended"] is False and olga["events"]["followups"] == []
    mara = json.loads(get(s.browsers["mara"], tool, "/me/export.json"))
    assert [(x["my_role"], x["my_status"], x["request"]["message"]) for x in mara["focused_mentorings"]] == [("mentor", "mentor", "Could you help me with this need?")]
    assert mara["groups"] == [] and mara["events"]["registrations"] == []
