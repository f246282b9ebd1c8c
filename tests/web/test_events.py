"""Facilitated events over HTTP against the real platform harness: capacity and the waiting list, a freed seat
for the first waiting (one transaction), attendance (from launches and ticked) to the platform's gradebook
through the outbox, the CSV export, follow-ups in each attendee's plan (a partner confirms one that needs it),
the event in the iCal feed (and a cancelled one as cancelled); and two people at once for the last seat."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import sqlalchemy as sa
from icalendar import Calendar

from tests.web.events_support import actor, create_event, event_form, move, register, seats
from tests.web.programme_support import LEARNER, active_tandem, get, post, seed_participants, text_of
from tests.web.test_calendar import fetch, new_feed
from tests.web.test_signoffs import _accepted, _wait

TITLE = "Masterclass: leading a hybrid team"


def _plan(browser, tool, tandem_id: int) -> None:
    post(browser, tool, f"/tandems/{tandem_id}/plan", {"template": "scratch", "start": date.today().isoformat()}, token_from=f"/tandems/{tandem_id}/plan")


def test_waiting_list_attendance_to_the_gradebook_follow_ups_in_plans_and_the_feed(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Event, EventRegistration, Plan, ScoreOutbox
    from plugin.models.base import utcnow
    from plugin.services import events

    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    trainer, digital, expert = browsers["trainer"], browsers["digital"], browsers["expert"]
    _plan(digital, tool, tandem_id)
    others = seed_participants(app, [{"subject": f"p{k}", "side": ("digital_mentor", "senior_expert")[k % 2], "name": "=2+3" if k == 3 else f"Pat {k}"} for k in range(1, 12)])

    # the form refuses a javascript: link, an end before the start, an unknown zone: 400 with the reason, nothing written
    for bad, reason in (({"online_url": "javascript:alert(1)"}, "starting with https://"), ({"ends_local": "2020-01-01T10:00"}, "ends after it starts"), ({"timezone": "Mars/Olympus"}, "time zone from the list")):
        refused = post(trainer, tool, "/events/new", event_form(**bad), status=400, token_from="/events/new")
        assert reason in text_of(refused.text)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
    event_id = create_event(trainer, tool, title=TITLE, kind="masterclass", capacity=10)
    page = text_of(get(digital, tool, f"/events/{event_id}"))
    assert TITLE in page and "(Europe/Amsterdam)" in page and "10 seats left" in page

    # 13 ask for 10 seats: the expert is the 10th, the digital mentor the first waiting, then two more
    register(app, event_id, [others[f"p{k}"] for k in range(1, 10)])
    post(expert, tool, f"/events/{event_id}/register", {}, token_from=f"/events/{event_id}")
    post(digital, tool, f"/events/{event_id}/register", {}, token_from=f"/events/{event_id}")
    assert register(app, event_id, [others["p10"], others["p11"]]) == ["waiting", "waiting"]
    held = seats(app, event_id)
    assert len(held["registered"]) == 10 and held["waiting"] == [person["digital"], others["p10"], others["p11"]]
    assert "You are number 1 on the waiting list" in text_of(get(digital, tool, f"/events/{event_id}"))
    assert "Full: 3 on the waiting list" in text_of(get(trainer, tool, "/events"))
    post(digital, tool, f"/events/{event_id}/register", {}, status=400, token_from=f"/events/{event_id}")  # once is enough

    # p1 unregisters: the seat goes to the digital mentor in the same transaction (rolled back: neither happens)
    with app.app_context():
        assert events.unregister(db.session, actor(app, others["p1"]), event_id, utcnow()) == [person["digital"]]
        db.session.rollback()
    assert seats(app, event_id) == held
    with app.app_context():
        events.unregister(db.session, actor(app, others["p1"]), event_id, utcnow())
        db.session.commit()
    after = seats(app, event_id)
    assert after["cancelled"] == [others["p1"]] and person["digital"] in after["registered"] and after["waiting"] == [others["p10"], others["p11"]]
    assert "You are registered" in text_of(get(digital, tool, f"/events/{event_id}"))

    # the feed holds the event under its own title; a cancelled one shows as cancelled
    other_id = create_event(trainer, tool, title="Team day: our first year", kind="team_day", capacity=5, days_ahead=10)
    post(digital, tool, f"/events/{other_id}/register", {}, token_from=f"/events/{other_id}")
    post(trainer, tool, f"/events/{other_id}/cancel", {}, token_from=f"/events/{other_id}/cancel")
    feed = Calendar.from_ical(fetch(new_feed(digital, tool)).content)
    found = {str(c["summary"]): c for c in feed.walk("VEVENT") if str(c["uid"]).startswith("event-")}
    assert set(found) == {TITLE, "Team day: our first year"}
    assert str(found[TITLE]["status"]) == "CONFIRMED" and str(found["Team day: our first year"]["status"]) == "CANCELLED"
    assert found[TITLE]["location"] == "Room 1.01" and str(found[TITLE]["url"]) == "https://meet.example.org/webinar"
    with app.app_context():
        start = db.session.get(Event, event_id).starts_at
    assert found[TITLE].decoded("dtstart").astimezone(start.tzinfo or None).replace(tzinfo=None) == start.replace(tzinfo=None)

    # after the event: attendance from launches (the two launched during its window), then ticked by hand
    post(trainer, tool, f"/events/{event_id}/attendance", {"attended": str(person["expert"])}, status=400, token_from=f"/events/{event_id}/attendance")  # not started
    move(app, event_id, start=timedelta(minutes=-30), end=timedelta(seconds=-1))  # the launches were seconds ago
    post(trainer, tool, f"/events/{event_id}/attendance/launches", {}, token_from=f"/events/{event_id}/attendance")
    with app.app_context():
        came = set(db.session.scalars(sa.select(EventRegistration.person_id).where(EventRegistration.event_id == event_id, EventRegistration.attended.is_(True))))
    assert came == {person["digital"], person["expert"]}
    post(trainer, tool, f"/events/{event_id}/attendance", [("attended", str(person["digital"])), ("attended", str(person["expert"])), ("attended", str(others["p2"]))], token_from=f"/events/{event_id}/attendance")
    post(trainer, tool, f"/events/{event_id}/attendance", [("attended", str(others["p10"]))], status=400, token_from=f"/events/{event_id}/attendance")  # waiting, not registered

    # the CSV: trainers only, formulas defused
    csv = trainer.get(tool.url + f"/events/{event_id}/attendance.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "name,email,registration,attended,registered_at_utc" and len(lines) == 14
    assert any(line.startswith("'=2+3,") and ",registered,no," in line for line in lines)
    assert any(line.startswith("Pat 2,") and ",registered,yes," in line for line in lines)
    assert any(line.startswith("Pat 1,") and ",cancelled,," in line for line in lines)
    assert digital.get(tool.url + f"/events/{event_id}/attendance.csv", allow_redirects=False).status_code == 403

    # to the gradebook through the outbox: one line item for the event, 100 for attendees, 0 for the absent
    # (the seeded participants are enrolled in the platform's course too)
    platform.set_members("course-1", [{"user_id": s, "roles": [LEARNER]} for s in ("digital", "expert", *others)])
    post(trainer, tool, f"/events/{event_id}/grades", {}, token_from=f"/events/{event_id}/attendance")
    for subject, score in (("digital", 100), ("expert", 100), ("p2", 100), ("p3", 0)):
        got = _wait(lambda subject=subject: _accepted(platform, subject), what=f"the score of {subject}")
        assert got[-1]["scoreGiven"] == score and got[-1]["gradingProgress"] == "FullyGraded"
    items = [i for i in platform.lineitems.values() if i.get("resourceId") == f"event-{event_id}"]
    assert len(items) == 1 and items[0]["label"] == TITLE
    _wait(lambda: not [s for s in _outbox_states(app, event_id) if s in ("pending", "failed")], what="the outbox to settle")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoreOutbox).where(ScoreOutbox.event_id == event_id, ScoreOutbox.status == "sent")) == 10
    assert "in the gradebook" in text_of(get(trainer, tool, f"/events/{event_id}/attendance"))

    # follow-ups: in the tandem's plan (with history) for the two members, in a personal list for p2
    due = (date.today() + timedelta(days=14)).isoformat()
    post(trainer, tool, f"/events/{event_id}/follow-ups", {"text": "Try one hybrid meeting format with your team", "due_on": due}, token_from=f"/events/{event_id}/follow-ups")
    post(trainer, tool, f"/events/{event_id}/follow-ups", {"text": "Show your partner the new meeting notes", "due_on": due, "needs_partner": "y"}, token_from=f"/events/{event_id}/follow-ups")
    post(trainer, tool, f"/events/{event_id}/follow-ups", {"text": "", "due_on": due}, status=400, token_from=f"/events/{event_id}/follow-ups")
    plan_page = text_of(get(expert, tool, f"/tandems/{tandem_id}/plan"))
    assert "Follow-up of an event: Try one hybrid meeting format with your team" in plan_page and "Follow-up of an event: Show your partner the new meeting notes" in plan_page
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan).where(Plan.tandem_id == tandem_id))
        added = [h for h in plan.history if h["what"] == "added"]
        keys = {i["key"]: i for i in plan.items if i["kind"] == "followup"}
    assert len(keys) == 4 and len(added) == 4 and {h["actor_id"] for h in added} == {person["trainer"]}
    with app.app_context():
        p2_index = events.index(db.session, actor(app, others["p2"]), utcnow())
        db.session.rollback()
    assert [f.text for f in p2_index.followups] == ["Try one hybrid meeting format with your team", "Show your partner the new meeting notes"]
    assert all(f.tandem_id is None for f in p2_index.followups)

    # the one that needs the partner: the digital mentor cannot tick their own, the expert confirms it in one click
    mine = next(k for k, i in keys.items() if i.get("confirm_by") == person["expert"])
    refused = post(digital, tool, f"/tandems/{tandem_id}/plan/done", {"item": mine, "on": date.today().isoformat()}, status=400, token_from=f"/tandems/{tandem_id}/plan")
    assert "partner" in text_of(refused.text)
    expert_index = text_of(get(expert, tool, "/events"))
    assert "Follow-ups to confirm for your partner" in expert_index and "Dana Digital attended" in expert_index
    item_id = int(mine.split(":")[1])
    post(expert, tool, f"/events/follow-ups/{item_id}/done", {"next": "/events"}, token_from="/events")
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan).where(Plan.tandem_id == tandem_id))
    assert [i["done_on"] for i in plan.items if i["key"] == mine] == [date.today().isoformat()]
    assert plan.history[-1]["item_key"] == mine and plan.history[-1]["actor_id"] == person["expert"]
    assert "Follow-ups to confirm for your partner" not in text_of(get(expert, tool, "/events"))


def _outbox_states(app, event_id: int) -> list[str]:
    from plugin.extensions import db
    from plugin.models import ScoreOutbox

    with app.app_context():
        return list(db.session.scalars(sa.select(ScoreOutbox.status).where(ScoreOutbox.event_id == event_id)))


def test_two_people_at_once_for_the_last_seat_get_one_seat_and_one_place_waiting(app):
    """Two threads, two connections, a barrier: on PostgreSQL the event row is locked FOR UPDATE, so the second
    counts the seats after the first committed; on SQLite the same holds through the database's write lock."""
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Course, Deployment, EventRegistration, Organisation, Person, Programme, Registration
    from plugin.models.base import utcnow
    from plugin.services import events
    from plugin.services.launches import Actor

    with app.app_context():
        org = Organisation(name="Org C")
        db.session.add(org)
        db.session.flush()
        reg = Registration(organisation_id=org.id, issuer="https://c.example", client_id="c", auth_login_url="x", auth_token_url="x", key_set_url="x")
        db.session.add(reg)
        db.session.flush()
        dep = Deployment(registration_id=reg.id, deployment_id="1")
        db.session.add(dep)
        db.session.flush()
        course = Course(organisation_id=org.id, deployment_id=dep.id, context_id="c1")
        db.session.add(course)
        db.session.flush()
        programme = Programme(organisation_id=org.id, course_id=course.id)
        people = [Person(organisation_id=org.id, issuer=reg.issuer, subject=f"s{k}", name=f"S {k}") for k in range(3)]
        db.session.add_all([programme, *people])
        db.session.flush()
        trainer = Actor(people[0].id, org.id, Role.TRAINER, course.id)
        start = utcnow() + timedelta(days=2)
        draft = events.domain.EventDraft("webinar", "Last seat", "", start.replace(tzinfo=None), (start + timedelta(hours=1)).replace(tzinfo=None), "UTC", "", "https://x.example", 1, None)
        event_id = events.create(db.session, trainer, draft, utcnow())
        db.session.commit()
        engine = db.engine
        racers = [Actor(p.id, org.id, Role.PARTICIPANT, course.id) for p in people[1:]]
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def race(who: Actor) -> None:
        with sa.orm.Session(engine) as session:
            try:
                barrier.wait(5)
                results.append(events.register(session, who, event_id, utcnow()).value)
                session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=race, args=(who,)) for who in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and sorted(results) == ["registered", "waiting"]
    with app.app_context():
        rows = dict(db.session.execute(sa.select(EventRegistration.status, sa.func.count()).where(EventRegistration.event_id == event_id).group_by(EventRegistration.status)).all())
        assert rows == {"registered": 1, "waiting": 1}
        # the demo's example: registered in order, beyond its 10 seats on the waiting list
        programme_id = db.session.scalar(sa.select(Programme.id).where(Programme.course_id == racers[0].course_id))
        demo = events.seed_example(db.session, programme_id, racers[0].person_id, [r.person_id for r in racers])
        db.session.commit()
        assert demo.capacity == 10 and [s for s, in db.session.execute(sa.select(EventRegistration.status).where(EventRegistration.event_id == demo.id))] == ["registered", "registered"]


