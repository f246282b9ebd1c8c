"""Helpers for the erasure tests: Dana with data in every capability, and a scan of every table for her values."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tests.web.network_support import ONE_MODULE, network_scenario
from tests.web.programme_support import LEARNER, launch

MODULE = "e-reputation"
DANA = {
    "name": "Dana Digitalis-Q7",
    "given_name": "Danaqseven",
    "family_name": "Digitalis-Q7",
    "email": "dana.q7z@example.org",
}
#: Dana's own texts, one per place she writes (each unique, to be looked for in every table)
TEXTS = {
    "goals": "DANA-GOALS-1f3e: lead a team without fear of screens",
    "department": "DANA-DEPT-88c1",
    "region": "DANA-REGION-4b7a",
    "private_note": "DANA-PRIVATE-2a9d: I felt tired today",
    "shared_notes": "DANA-SHARED-6c0e: we practised passwords",
    "agenda": "DANA-AGENDA-71d4: passwords and backups",
    "evidence": "DANA-EVIDENCE-0b52: my cleaned-up profile",
    "evidence_url": "https://example.org/DANA-URL-93fa",
    "plan_reason": "DANA-PLAN-REASON-5e21: I was ill",
    "group_note": "DANA-GROUP-NOTE-3d8b: next time I lead",
    "commitment": "DANA-COMMIT-7f60: call my bank",
    "circle_notes": "DANA-CIRCLE-NOTES-c41a: we met online",
    "message": "DANA-MESSAGE-5aa7: please help me with networking",
}
FILE = b"DANA-FILE-CONTENT-e6b9 \x00\x01 my scanned certificate"
#: the partner's (Evert's) own texts, which must stay as they are
EVERT = {
    "private_note": "EVERT-PRIVATE-19ab: Dana asked good questions",
    "shared_notes": "EVERT-SHARED-2cd0: we looked at the budget",
    "evidence": "EVERT-EVIDENCE-8e1f: my first spreadsheet",
    "group_shared": "EVERT-GROUP-SHARED-44e2: profiles reviewed",
}
OLGA_COMMITMENT = "OLGA-COMMIT-0d3c: write to my manager"


@dataclass
class Seeded:
    browsers: dict[str, Any]
    person: dict[str, int]
    programme_id: int
    tandem_id: int
    ids: dict[str, int] = field(default_factory=dict)


def personal_values() -> list[str]:
    return [*DANA.values(), *TEXTS.values()]


def seed_dana_everywhere(app, platform, tool) -> Seeded:
    """network_scenario's people; Dana (digital mentor, tandem with Evert) with data in every capability."""
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import (
        Agreement, CalendarFeed, CircleCommitment, CircleMeeting, CoffeeMember, Event, Evidence, FocusedRequest, Group,
        MentoringSession, Participant, Plan, PrivateNote, Programme, Reflection,
    )  # fmt: skip
    from plugin.models.base import utcnow
    from plugin.services import (
        circles,
        coffee,
        event_attendance,
        event_followups,
        events,
        group_sessions,
        group_signoffs,
        groups,
        network,
    )
    from plugin.services.calendar import hash_token
    from plugin.services.launches import Actor

    s = network_scenario(app, platform, tool, who=("dana", "evert", "mara", "olga"))
    launch(platform, s.browsers["dana"], LEARNER, user_id="dana", **DANA)  # the platform shares her name and email
    p = s.person
    catalogue = app.extensions["tandem_catalogue"]
    ids: dict[str, int] = {}
    with app.app_context():
        programme = db.session.get(Programme, s.programme_id)
        org, course = programme.organisation_id, programme.course_id

        def actor(key: str, role: Role = Role.PARTICIPANT) -> Actor:
            return Actor(p[key], org, role, course)

        profile = db.session.scalar(sa.select(Participant).where(Participant.person_id == p["dana"]))
        profile.goals, profile.department, profile.region = TEXTS["goals"], TEXTS["department"], TEXTS["region"]
        profile.wishes, profile.vetoes = [p["mara"]], [p["olga"]]
        # the tandem: agreement, plan, sessions both ways, notes, reflections, evidence (a note, a link, a file)
        now = utcnow()
        db.session.add(
            Agreement(
                tandem_id=s.tandem_id,
                goals=f"Learn from each other ({DANA['name']})",
                cadence="monthly",
                duration_minutes=60,
                confidentiality="What we share stays between us.",
                signatures=[{"person_id": p["dana"], "at": now.isoformat()}, {"person_id": p["evert"], "at": now.isoformat()}],
            )
        )
        db.session.add(
            Plan(
                tandem_id=s.tandem_id,
                template="six-sessions",
                start=date(2026, 10, 1),
                items=[],
                history=[
                    {
                        "item_key": "x",
                        "what": "rescheduled",
                        "old": "2026-11-01",
                        "new": "2026-11-08",
                        "actor_id": p["dana"],
                        "at": now.isoformat(),
                        "reason": TEXTS["plan_reason"],
                    }
                ],
            )
        )
        mine = MentoringSession(
            tandem_id=s.tandem_id,
            held_on=date(2026, 11, 3),
            minutes=60,
            tracks=[],
            agenda=TEXTS["agenda"],
            shared_notes=TEXTS["shared_notes"],
            created_by=p["dana"],
        )
        theirs = MentoringSession(
            tandem_id=s.tandem_id,
            held_on=date(2026, 11, 10),
            minutes=60,
            tracks=[],
            agenda="budget",
            shared_notes=EVERT["shared_notes"],
            created_by=p["evert"],
        )
        db.session.add_all([mine, theirs])
        db.session.flush()
        ids["evert_session"] = theirs.id
        db.session.add_all([
            PrivateNote(session_id=mine.id, author_id=p["dana"], text=TEXTS["private_note"]),
            PrivateNote(session_id=mine.id, author_id=p["evert"], text=EVERT["private_note"]),
            Reflection(session_id=mine.id, person_id=p["dana"], space=5, respect=4, patience=3, perseverance=2, acceptance=1),
            Evidence(tandem_id=s.tandem_id, module_slug=MODULE, module_version=1, objective_id="e1", learner_id=p["dana"], kind="note", text=TEXTS["evidence"]),
            Evidence(tandem_id=s.tandem_id, module_slug=MODULE, module_version=1, objective_id="e2", learner_id=p["dana"], kind="link", url=TEXTS["evidence_url"]),
            Evidence(tandem_id=s.tandem_id, module_slug=MODULE, module_version=1, objective_id="e3", learner_id=p["dana"], kind="file", filename="certificate.pdf", content_type="application/pdf", size=len(FILE), data=FILE),
            Evidence(tandem_id=s.tandem_id, module_slug=MODULE, module_version=1, objective_id="d1", learner_id=p["evert"], kind="note", text=EVERT["evidence"]),
            CalendarFeed(person_id=p["dana"], course_id=course, token_hash=hash_token("dana-secret-feed-token")),
        ])  # fmt: skip
        # a group with sessions, notes, evidence and sign-offs both ways (the group's chain)
        group = db.session.get(
            Group, groups.seed_example(db.session, s.programme_id, p["evert"], [p["dana"], p["olga"]], name="Reputation table").id
        )
        group.modules = [MODULE]
        gid = ids["group"] = group.id
        sid = group_sessions.plan(
            db.session, actor("evert"), gid, group_sessions.NewSession(datetime(2026, 11, 2, 10, 0), 60, "Profiles")
        )
        group_sessions.record(db.session, actor("evert"), gid, sid, [p["evert"], p["dana"], p["olga"]], EVERT["group_shared"])
        group_sessions.save_note(db.session, actor("dana"), gid, sid, TEXTS["group_note"])
        group_signoffs.add_evidence(
            db.session, actor("dana"), catalogue, gid, MODULE, 1, "e1", "note", TEXTS["evidence"] + " (group)"
        )
        group_signoffs.sign(db.session, actor("evert"), catalogue, gid, MODULE, 1, "e1", p["dana"], range(3))
        group_signoffs.sign(db.session, actor("evert"), catalogue, gid, MODULE, 1, "e1", p["olga"], range(3))
        group_signoffs.sign(
            db.session, actor("dana"), catalogue, gid, MODULE, 1, "d1", p["evert"], range(3), "Well explained, thank you"
        )
        # a focused mentoring Dana asked for, with her message
        focused = network.seed_example(db.session, s.programme_id, p["dana"], p["mara"], ONE_MODULE, catalogue=catalogue)
        ids["focused"] = focused.id
        db.session.execute(
            sa.update(FocusedRequest).where(FocusedRequest.group_id == focused.id).values(message=TEXTS["message"])
        )
        # a circle: her commitment, Olga's, and notes of a meeting she recorded
        circle = circles.seed_example(db.session, s.programme_id, [p["dana"], p["evert"], p["mara"], p["olga"]])
        ids["circle"] = circle.id
        commitments = {
            c.person_id: c for c in db.session.scalars(sa.select(CircleCommitment).where(CircleCommitment.circle_id == circle.id))
        }
        commitments[p["dana"]].text, commitments[p["dana"]].comment = TEXTS["commitment"], "tried one"
        commitments[p["olga"]].text = OLGA_COMMITMENT
        db.session.execute(
            sa.update(CircleMeeting)
            .where(CircleMeeting.circle_id == circle.id)
            .values(recorded_by=p["dana"], notes=TEXTS["circle_notes"])
        )
        # coffee: opted in, matched, feedback
        coffee.seed_example(db.session, s.programme_id, [p["dana"], p["evert"], p["mara"], p["olga"]], cadence="weekly")
        dana_match = db.session.scalar(sa.select(CoffeeMember.match_id).where(CoffeeMember.person_id == p["dana"]))
        coffee.give_feedback(db.session, actor("dana"), dana_match, "work_with")
        # an event: registered, attended, a follow-up
        event = events.seed_example(db.session, s.programme_id, p["trainer"], [p["dana"], p["olga"]])
        ids["event"] = event.id
        db.session.execute(
            sa.update(Event)
            .where(Event.id == event.id)
            .values(
                starts_at=now - timedelta(hours=3),
                ends_at=now - timedelta(hours=1),
                registration_deadline=now - timedelta(hours=3),
            )
        )
        trainer = actor("trainer", Role.TRAINER)
        event_attendance.record(db.session, trainer, event.id, [p["dana"]], now)
        event_followups.add(
            db.session,
            trainer,
            event.id,
            "Check what a search engine shows about you",
            (now + timedelta(days=7)).date(),
            False,
            now,
        )
        db.session.commit()
    return Seeded(s.browsers, p, s.programme_id, s.tandem_id, ids)


def scan(app, values: list[str], subject: str, blobs: list[bytes]) -> list[str]:
    """Every (table.column: value) in the database that holds one of ``values`` (substring), the LTI ``subject``
    (as a whole value or a JSON string) or one of ``blobs``: every text, JSON and binary column of every table."""
    from plugin.extensions import db
    from plugin.models import Base

    found = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON | sa.LargeBinary)]
            if not columns:
                continue
            for row in db.session.execute(sa.select(*columns)).all():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes):
                        hits = [b for b in blobs if b in value]
                    else:
                        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                        hits = [v for v in values if v in text]
                        if text == subject or f'"{subject}"' in text:
                            hits.append(subject)
                    found.extend(f"{table.name}.{column.name}: {hit!r}" for hit in hits)
    return found
