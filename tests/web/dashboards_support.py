"""Seeding for the dashboard tests and benchmark: a programme of ``n`` participants with tandems, agreements,
sign-offs (some withdrawn), sessions with reflections, training plans and events, written in bulk; the
seeded values are returned as plain Python so the tests compute each chart's numbers on their own."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

DEPARTMENTS = ("Sales", "Finance", "Operations")
MODULE = "e-reputation"
OBJECTIVES = {"digital_mentor": ("d1", "d2", "d3", "d4"), "senior_expert": ("e1", "e2", "e3", "e4")}
PRINCIPLES = ("space", "respect", "patience", "perseverance", "acceptance")


@dataclass
class Seeded:
    today: date
    #: person id -> (side, department, profile saved)
    people: dict[int, tuple[str, str, bool]] = field(default_factory=dict)
    #: tandem id -> (digital, expert, status, signed by both, started on)
    tandems: dict[int, tuple[int, int, str, bool, date]] = field(default_factory=dict)
    #: (tandem, side, objective, kind, timestamp, seq)
    records: list[tuple[int, str, str | None, str, datetime, int]] = field(default_factory=list)
    #: (tandem, held_on, {person id: scores})
    sessions: list[tuple[int, date, dict[int, tuple[int, ...]]]] = field(default_factory=list)
    #: tandem -> [(due, done_on)]
    plans: dict[int, list[tuple[date, date | None]]] = field(default_factory=dict)
    #: (event id, title, starts_at, {person id: (status, attended)})
    events: list[tuple[int, str, datetime, dict[int, tuple[str, bool | None]]]] = field(default_factory=list)


def _insert(session, model, rows: list[dict]) -> list[int]:
    """Bulk insert, ids back in order."""
    if not rows:
        return []
    return list(session.scalars(sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def seed(session, *, organisation_id: int, course_id: int, programme_id: int, issuer: str, n: int, today: date, rng: random.Random, prefix: str = "d", events: int = 3) -> Seeded:
    """``n`` participants (half each side) in the programme, paired in order; the caller commits."""
    from plugin.models import (Agreement, Event, EventRegistration, Membership, MentoringSession, Participant, Person, Plan, PlanItemDate,
                               Reflection, SignoffRecord, Tandem)  # fmt: skip
    from plugin.services import signoff_facts

    out = Seeded(today)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    person_ids = _insert(session, Person, [{"organisation_id": organisation_id, "issuer": issuer, "subject": f"{prefix}{i:06d}", "name": f"Person {prefix}{i}"} for i in range(n)])
    session.execute(sa.insert(Membership), [{"person_id": p, "course_id": course_id, "role": "participant"} for p in person_ids])
    rows = []
    for i, p in enumerate(person_ids):
        side, department, profiled = ("digital_mentor" if i % 2 == 0 else "senior_expert"), DEPARTMENTS[(i // 2 + i) % 3], i % 10 != 7
        out.people[p] = (side, department, profiled)
        rows.append({"programme_id": programme_id, "person_id": p, "side": side, "source": "csv", "languages": ["en"], "capacity": 1, "needs": {}, "goals": "", "wishes": [], "vetoes": [], "department": department, "profile_saved_at": now if profiled else None})
    session.execute(sa.insert(Participant), rows)
    pairs = [(person_ids[k], person_ids[k + 1]) for k in range(0, n - 1, 2) if (k // 2) % 10 != 9]
    statuses = [("active", "active", "active", "active", "active", "proposed", "ended", "declined")[j % 8] for j in range(len(pairs))]
    tandem_rows = [
        {"organisation_id": organisation_id, "programme_id": programme_id, "digital_person_id": d, "expert_person_id": e, "score": 1, "explanation": {}, "status": s, "published_at": now - timedelta(days=200)}
        for (d, e), s in zip(pairs, statuses, strict=True)
    ]
    tandem_ids = _insert(session, Tandem, tandem_rows)
    agreements, records, plans = [], [], []
    for j, (tandem_id, (d, e), status) in enumerate(zip(tandem_ids, pairs, statuses, strict=True)):
        both = status in ("active", "ended") and j % 11 != 3
        signed_at = now - timedelta(days=150 + j % 30)
        signatures = [{"person_id": d, "at": signed_at.isoformat()}] + ([{"person_id": e, "at": signed_at.isoformat()}] if both else [])
        if status != "declined":
            agreements.append({"tandem_id": tandem_id, "goals": "g", "cadence": "monthly", "duration_minutes": 60, "confidentiality": "c", "signatures": signatures,
                               "signers": len(signatures), "last_signed_on": signed_at.date()})  # fmt: skip
        out.tandems[tandem_id] = (d, e, status, both, signed_at.date() if both else (now - timedelta(days=200)).date())
        if not both:
            continue
        seq = 0
        for side in ("digital_mentor", "senior_expert"):
            count = 4 if j % 4 == 0 else (j + (side == "senior_expert")) % 4  # 0..4 objectives signed
            for k, objective in enumerate(OBJECTIVES[side][:count]):
                at = now - timedelta(days=(j * 7 + k * 13) % 200)
                seq += 1
                out.records.append((tandem_id, side, objective, "signed", at, seq))
            if count and j % 13 == 0:  # the last sign-off withdrawn
                seq += 1
                out.records.append((tandem_id, side, OBJECTIVES[side][count - 1], "withdrawn", now - timedelta(days=1), seq))
        for h in range(j % 4):
            held = today - timedelta(days=(j * 5 + h * 17) % 90 + (40 if j % 6 == 0 else 0))
            scores = {d: tuple(((j + h + q) % 5) + 1 for q in range(5)), e: tuple(((j * 3 + h + q) % 5) + 1 for q in range(5))} if h % 2 == 0 else {}
            out.sessions.append((tandem_id, held, scores))
        items = [(signed_at.date() + timedelta(days=30 * (m + 1)), (signed_at.date() + timedelta(days=30 * (m + 1) + (m * j) % 9 - 3)) if (m + j) % 3 else None) for m in range(8)]
        items = [(due, done if done is not None and done <= today else None) for due, done in items]
        out.plans[tandem_id] = items
        plans.append({"tandem_id": tandem_id, "template": "six-sessions", "start": signed_at.date(), "history": [], "items": [
            {"key": f"session:{m + 1}", "kind": "session", "due": due.isoformat(), "module_slug": None, "duration_minutes": 60, "done_on": done.isoformat() if done else None}
            for m, (due, done) in enumerate(items)]})  # fmt: skip
    session.execute(sa.insert(Agreement), agreements)
    plan_ids = _insert(session, Plan, plans)
    dates = [{"plan_id": plan_id, "key": i["key"], "due": date.fromisoformat(i["due"]), "done_on": i["done_on"] and date.fromisoformat(i["done_on"])} for plan_id, p in zip(plan_ids, plans, strict=True) for i in p["items"]]
    if dates:
        session.execute(sa.insert(PlanItemDate), dates)
    for tandem_id, side, objective, kind, at, seq in out.records:
        digital, expert = out.tandems[tandem_id][:2]
        payload = {"withdraws": seq - 1} if kind == "withdrawn" else {}
        records.append({"tandem_id": tandem_id, "seq": seq, "module_slug": MODULE, "module_version": 1, "side": side, "objective_id": objective, "actor_id": digital if side == "digital_mentor" else expert,
                        "kind": kind, "payload": payload, "timestamp": at.isoformat(timespec="microseconds"), "prev_hash": "0" * 64, "hash": f"{tandem_id:032x}{seq:032x}"})  # fmt: skip
    if records:
        session.execute(sa.insert(SignoffRecord), records)
        signoff_facts.rebuild(session, tandem_ids)  # as appending each record through the service would have
    session_ids = _insert(session, MentoringSession, [{"tandem_id": t, "held_on": held, "minutes": 60, "tracks": [], "agenda": "", "shared_notes": "", "created_by": out.tandems[t][0]} for t, held, _ in out.sessions])
    reflections = [{"session_id": sid, "person_id": p, **dict(zip(PRINCIPLES, scores, strict=True))} for sid, (_, _, by) in zip(session_ids, out.sessions, strict=True) for p, scores in by.items()]
    if reflections:
        session.execute(sa.insert(Reflection), reflections)
    trainer = next(iter(out.people))
    for x in range(events):
        starts = now - timedelta(days=20 + 35 * x)
        event_id = _insert(session, Event, [{"organisation_id": organisation_id, "programme_id": programme_id, "kind": "webinar", "title": f"Webinar {prefix} {x}", "starts_at": starts, "ends_at": starts + timedelta(hours=1),
                                              "timezone": "UTC", "capacity": n, "registration_deadline": starts, "created_by": trainer}])[0]  # fmt: skip
        chosen = {p: ("registered" if (p + x) % 4 else "waiting", ((p + x) % 3 != 0) if (p + x) % 4 else None) for p in list(out.people)[x :: 3]}
        session.execute(sa.insert(EventRegistration), [{"event_id": event_id, "person_id": p, "status": s, "attended": a} for p, (s, a) in chosen.items()])
        out.events.append((event_id, f"Webinar {prefix} {x}", starts, chosen))
    session.flush()
    return out
