"""Notifications against a real SMTP server (aiosmtpd): each kind once, to the right people, in their
language, with links that answer; delivered after the server was down, none twice; two senders at once;
the unsubscribe link without a login, a tampered one refused; the daily digest; the in-app list."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.notifications_support import deliver_until_done, html_part, links, sender, statuses, subject_of, text_part
from tests.web.programme_support import active_tandem, get, post, text_of

PRINCIPLES = ("space", "respect", "patience", "perseverance", "acceptance")
MODULE = "/modules/e-reputation/v1"




def _people(app, person: dict[str, int], tool) -> None:
    """Distinct addresses; the senior expert reads Dutch; links point at the served tool."""
    from plugin.extensions import db
    from plugin.models import Person

    app.config["TANDEM_BASE_URL"] = tool.url
    with app.app_context():
        for key, pid in person.items():
            row = db.session.get(Person, pid)
            row.email = f"{key}@example.org"
            row.locale = "nl-NL" if key == "expert" else "en"
        db.session.commit()


def _dutch(app, kind: str, values: dict) -> str:
    from flask_babel import force_locale

    from plugin.web.notifications.common import subject

    with app.app_context(), force_locale("nl"):
        return subject(kind, values)


def _module_titles(app) -> dict[str, str]:
    from plugin.extensions import db
    from plugin.models import Notification

    with app.app_context():
        return db.session.scalar(sa.select(Notification.values).where(Notification.kind == "signoff_made"))["module"]


def _sign_agreement(browser, tool, tandem_id: int) -> None:
    fields = [("principles", p) for p in PRINCIPLES]
    post(browser, tool, f"/tandems/{tandem_id}/agreement/sign", fields, status=200)
    post(browser, tool, f"/tandems/{tandem_id}/agreement/sign", [*fields, ("confirmed", "1")])


def _events(app, person: dict[str, int], tandem_id: int) -> None:
    """The events found by the worker or written outside a page: a coffee round, an event tomorrow, a quiet tandem, a refused grade."""
    from plugin.extensions import db
    from plugin.models import Course, Event, EventRegistration, Placement, Plan, Programme, Registration, ScoreOutbox, Tandem
    from plugin.models.base import utcnow
    from plugin.services import coffee, notifications, outbox

    with app.app_context():
        prog = db.session.scalar(sa.select(Programme))
        coffee.seed_example(db.session, prog.id, [person["digital"], person["expert"]])
        now = utcnow()
        event = Event(
            organisation_id=prog.organisation_id, programme_id=prog.id, kind="webinar", title="Safe passwords", starts_at=now + timedelta(hours=20),
            ends_at=now + timedelta(hours=22), timezone="Europe/Amsterdam", capacity=10, registration_deadline=now + timedelta(hours=10), created_by=person["trainer"],
        )
        db.session.add(event)
        db.session.flush()
        db.session.add_all(EventRegistration(event_id=event.id, person_id=p, status="registered") for p in (person["digital"], person["expert"]))
        db.session.get(Tandem, tandem_id).published_at = now - timedelta(weeks=6)
        today = now.date()
        items = [
            {"key": "session:1", "kind": "session", "due": (today + timedelta(days=1)).isoformat(), "module_slug": None, "duration_minutes": 60, "done_on": None},
            {"key": "module:e-reputation", "kind": "module", "due": (today - timedelta(days=2)).isoformat(), "module_slug": "e-reputation", "duration_minutes": None, "done_on": None},
            {"key": "session:0", "kind": "session", "due": (today - timedelta(days=30)).isoformat(), "module_slug": None, "duration_minutes": 60, "done_on": None},  # long overdue: told back then
        ]
        db.session.add(Plan(tandem_id=tandem_id, template="scratch", start=today - timedelta(days=40), items=items, history=[]))
        db.session.commit()
        # reminders to both, the quiet tandem to both and the trainer, the session tomorrow and the overdue module to both
        assert notifications.run_periodic(db.session) == 9
        assert notifications.run_periodic(db.session) == 0  # found again by a second look (or worker): told once
        db.session.commit()
        course = db.session.get(Course, prog.course_id)
        placement = Placement(course_id=course.id, module_slug="personal-branding", module_version=1, registration_id=db.session.scalar(sa.select(Registration.id)), label="Personal branding")
        db.session.add(placement)
        db.session.flush()
        later = time.time() + 10**6  # out of reach of the web process's score worker
        db.session.add(ScoreOutbox(organisation_id=prog.organisation_id, placement_id=placement.id, person_id=person["expert"], score_given=50, activity_progress="InProgress", grading_progress="Pending", timestamp=now.isoformat(), next_attempt_at=later))
        db.session.commit()
        mine = db.session.scalar(sa.select(ScoreOutbox.id).where(ScoreOutbox.placement_id == placement.id))
        claimed = outbox.claim(db.session, outbox.Policy(), now=later)
        (item,) = [i for i in claimed if i.id == mine]
        db.session.execute(sa.update(ScoreOutbox).where(ScoreOutbox.id != mine).values(lease_until=0.0))  # the sign-off's score: back to its worker
        db.session.commit()
        assert outbox.record(db.session, item, outbox.Result("failed", 400, reason="refused"), outbox.Policy(), now=later) == "failed"


def test_each_kind_once_to_the_right_people_in_their_language_with_working_links(app, platform, tool, sink):
    from plugin.extensions import db
    from plugin.models import Agreement, Tandem

    browsers, person, tandem_id = active_tandem(app, platform, tool)
    _people(app, person, tool)
    with app.app_context():
        tandem = db.session.get(Tandem, tandem_id)
        tandem.status, tandem.digital_response, tandem.expert_response = "proposed", None, None
        db.session.add(Agreement(tandem_id=tandem_id, goals="Learn from each other", cadence="monthly", duration_minutes=60, confidentiality="What we share stays between us.", signatures=[]))
        db.session.commit()
    # the events, as people cause them in the pages
    post(browsers["expert"], tool, f"/tandem/{tandem_id}/respond", {"response": "accepted"}, token_from="/tandem")
    post(browsers["digital"], tool, f"/tandem/{tandem_id}/respond", {"response": "accepted"}, token_from="/tandem")
    _sign_agreement(browsers["digital"], tool, tandem_id)
    _sign_agreement(browsers["expert"], tool, tandem_id)  # the last signature: nobody left to ask
    evidence = {"objective": "d1", "kind": "note", "text": "What I learned"}
    for _ in range(2):  # evidence twice for one objective: the teacher is asked once
        post(browsers["expert"], tool, f"/tandems/{tandem_id}{MODULE}/evidence", evidence, token_from=f"/tandems/{tandem_id}{MODULE}")
    fields = [("objective", "d1"), ("confirmed", "1"), *[("criterion", str(i)) for i in range(3)]]
    post(browsers["digital"], tool, f"/tandems/{tandem_id}{MODULE}/sign", fields, token_from=f"/tandems/{tandem_id}{MODULE}")
    _events(app, person, tandem_id)
    later = (date.today() + timedelta(days=3)).isoformat()
    post(browsers["digital"], tool, f"/tandems/{tandem_id}/plan/reschedule", {"item": "session:1", "due": later, "reason": "Dana is ill"}, token_from=f"/tandems/{tandem_id}/plan")

    # in-app, before any email: the Dutch expert's home page lists what needs them
    home = text_of(get(browsers["expert"], tool, "/home"))
    assert "Your tandem has started" in home or "Je tandem is begonnen" in home

    deliver = sender(app, sink)
    deliver_until_done(app, deliver)
    assert deliver_until_done(app, deliver) == 0  # nothing left, nothing again

    expected = [
        ("digital", "partner_accepted"),
        ("expert", "partner_accepted"),
        ("expert", "agreement_to_sign"),
        ("expert", "signoff_made"),
        ("digital", "signoff_requested"),
        ("digital", "coffee_match"),
        ("expert", "coffee_match"),
        ("digital", "event_reminder"),
        ("expert", "event_reminder"),
        ("digital", "tandem_inactive"),
        ("expert", "tandem_inactive"),
        ("trainer", "tandem_inactive"),
        ("trainer", "grade_failed"),
        ("digital", "session_tomorrow"),
        ("expert", "session_tomorrow"),
        ("digital", "plan_overdue"),
        ("expert", "plan_overdue"),
        ("expert", "session_tomorrow"),  # the session moved: the partner hears
    ]
    ids = {v: k for k, v in person.items()}
    got = [(ids[p], kind) for kind, p, status in statuses(app) if status == "sent"]
    assert sorted(got) == sorted(expected)
    assert len(sink.messages) == len(expected)  # one email each, none twice
    assert len({m["Message-ID"] for m in sink.messages}) == len(expected)
    moved = _dutch(app, "session_tomorrow", {"moved": True, "partner": "Dana Digital", "due": later})
    assert moved in {subject_of(m) for m in sink.to("expert@example.org")}, moved

    expert_mail = sink.to("expert@example.org")
    assert {m["Content-Language"] for m in expert_mail} == {"nl"}
    assert {m["Content-Language"] for m in sink.to("digital@example.org")} == {"en"}
    subjects = {subject_of(m) for m in expert_mail}
    assert "Je tandem is begonnen" in subjects  # Dutch for "Your tandem has started": the partner accepted too
    assert _dutch(app, "agreement_to_sign", {}) in subjects and _dutch(app, "event_reminder", {"title": "Safe passwords"}) in subjects
    assert "Dana Digital accepted your tandem" not in subjects
    assert {subject_of(m) for m in sink.to("digital@example.org")} >= {
        "Evert Expert accepted your tandem",
        "Tomorrow: Safe passwords",
        "Tomorrow: a session with Evert Expert",
        "Overdue in your plan: the module e-reputation",
        "Evert Expert asks you to sign off E-reputation and trust",
    }
    signoff = next(m for m in expert_mail if "/modules/" in text_part(m))  # the module and objective in Dutch, the signer named
    assert subject_of(signoff) == _dutch(app, "signoff_made", {"signer": "Dana Digital", "module": _module_titles(app)})
    assert "Dana Digital" in subject_of(signoff) and "E-reputatie en vertrouwen" in subject_of(signoff)
    assert "/modules/e-reputation/v1" in text_part(signoff) and "<a href=" in html_part(signoff)
    trainer_mail = {subject_of(m) for m in sink.to("trainer@example.org")}
    assert "A grade did not reach the gradebook: Evert Expert" in trainer_mail

    # every link answers: the page for its recipient (with their launch), the unsubscribe page for anyone
    anonymous = new_browser(verify=False)
    for message in sink.messages:
        who = next(k for k in person if f"{k}@example.org" in str(message["To"]))
        found = links(message)
        assert found and all(link.startswith(tool.url) for link in found)
        for link in found:
            browser = anonymous if "/unsubscribe/" in link else browsers[who]
            response = browser.get(link, allow_redirects=True)
            assert response.status_code == 200, (who, message["Subject"], link, response.status_code)
        assert message["List-Unsubscribe"]


def test_smtp_down_then_up_delivers_everything_once_and_two_senders_send_each_once(app, platform, tool, sink):
    from plugin.extensions import db
    from plugin.models import Notification, Person
    from plugin.services import notifications

    browsers, person, tandem_id = active_tandem(app, platform, tool)
    _people(app, person, tool)
    with app.app_context():
        org = db.session.get(Person, person["digital"]).organisation_id
        for n in range(6):
            notifications.notify(db.session, "event_reminder", [person["digital"], person["expert"]], {"title": f"Event {n}", "starts_at": "2026-12-05T09:00:00+00:00", "timezone": "UTC"}, subject_key=f"event:{n}", organisation_id=org)
        db.session.commit()
    deliver = sender(app, sink)
    sink.stop()
    with app.app_context():
        for _ in range(3):  # the server is down: every attempt fails, nothing is marked sent
            deliver(db.session)
            time.sleep(0.1)
        rows = db.session.execute(sa.select(Notification.email_status, Notification.attempts, Notification.last_error)).all()
        assert {r[0] for r in rows} == {"pending"} and min(r[1] for r in rows) >= 1 and all(r[2] for r in rows)
    sink.refuse.add("expert@example.org")  # back up, but refusing one mailbox: the others' messages still go
    sink.start()
    with app.app_context():
        for _ in range(20):
            deliver(db.session)
            if len(sink.messages) == 6:
                break
            time.sleep(0.05)
        assert len(sink.messages) == 6 and all("digital@" in str(m["To"]) for m in sink.messages)
        assert {r[0] for r in db.session.execute(sa.select(Notification.email_status).where(Notification.person_id == person["expert"]))} == {"pending"}
    sink.refuse.clear()
    deliver_until_done(app, deliver)
    assert len(sink.messages) == 12 and len({m["Message-ID"] for m in sink.messages}) == 12

    # two senders at once, each with its own session (as two `tandem worker` processes): each message once
    with app.app_context():
        for n in range(20):
            notifications.notify(db.session, "coffee_match", [person["digital"], person["expert"]], {"others": ["X"], "starts_at": "2026-12-05T09:00:00+00:00", "timezone": "UTC"}, subject_key=f"coffee:{n}", organisation_id=org)
        db.session.commit()
    before = len(sink.messages)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                session = db.session
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    deliver(session)
                    left = session.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.email_status == "pending"))
                    session.commit()
                    if not left:
                        return
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    new = sink.messages[before:]
    assert len(new) == 40 and len({m["Message-ID"] for m in new}) == 40


def test_unsubscribe_without_a_login_tampered_refused_and_the_digest(app, platform, tool, sink):
    from plugin.extensions import db
    from plugin.models import Person
    from plugin.services import notifications

    browsers, person, tandem_id = active_tandem(app, platform, tool)
    _people(app, person, tool)
    with app.app_context():
        org = db.session.get(Person, person["digital"]).organisation_id
        notifications.notify(db.session, "coffee_match", [person["digital"]], {"others": ["Evert"], "starts_at": "2026-12-05T09:00:00+00:00", "timezone": "UTC"}, subject_key="coffee:a", organisation_id=org)
        db.session.commit()
    deliver = sender(app, sink)
    deliver_until_done(app, deliver)
    (message,) = sink.to("digital@example.org")
    link = next(u for u in links(message) if "/unsubscribe/" in u)
    path = link[len(tool.url):]

    anonymous = new_browser(verify=False)  # no launch, no session: the link works from a mail client
    page = text_of(get(anonymous, tool, path))
    assert "Stop the emails of this kind: A virtual coffee match?" in page
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    refused = anonymous.get(tool.url + tampered)
    assert refused.status_code == 400 and "not valid" in text_of(refused.text)
    bad_post = anonymous.post(tool.url + tampered, data={"csrf_token": get(anonymous, tool, path).split('name="csrf_token" value="')[1].split('"')[0]})
    assert bad_post.status_code == 400
    token = get(anonymous, tool, path).split('name="csrf_token" value="')[1].split('"')[0]
    done = anonymous.post(tool.url + path, data={"csrf_token": token})
    assert done.status_code == 200 and "no more emails of this kind" in text_of(done.text)
    assert next(c for c in notifications_choices(app, person["digital"]) if c.kind == "coffee_match").enabled is False

    # the kind is off: the next coffee is not emailed, but the home page still lists it
    with app.app_context():
        notifications.notify(db.session, "coffee_match", [person["digital"]], {"others": ["Sanne"], "starts_at": "2026-12-06T09:00:00+00:00", "timezone": "UTC"}, subject_key="coffee:b", organisation_id=org)
        db.session.commit()
    deliver_until_done(app, deliver)
    assert len(sink.to("digital@example.org")) == 1
    assert ("coffee_match", person["digital"], "off") in statuses(app)
    assert "Your virtual coffee with Sanne" in text_of(get(browsers["digital"], tool, "/home"))

    # the digest: chosen on the preferences page, the day's messages leave together at the digest hour
    fields = [("on-event_reminder", "y"), ("mode-event_reminder", "digest"), ("on-matched", "y"), ("mode-matched", "immediate")]
    post(browsers["expert"], tool, "/notifications/preferences", fields, token_from="/notifications/preferences")
    now = time.time()
    with app.app_context():
        for n in range(3):
            notifications.notify(db.session, "event_reminder", [person["expert"]], {"title": f"Event {n}", "starts_at": "2026-12-05T09:00:00+00:00", "timezone": "UTC"}, subject_key=f"event:{n}", organisation_id=org, now=now)
        db.session.commit()
        assert deliver(db.session) == 0  # not before the digest hour
    deliver_until_done(app, deliver, now=now + 86400)
    (digest,) = sink.to("expert@example.org")
    assert "3" in subject_of(digest) and all(f"Event {n}" in text_part(digest) for n in range(3))


def notifications_choices(app, person_id: int):
    from plugin.extensions import db
    from plugin.models import Person
    from plugin.services import notifications
    from plugin.services.launches import Actor
    from plugin.domain.roles import Role

    with app.app_context():
        org = db.session.get(Person, person_id).organisation_id
        return notifications.choices(db.session, Actor(person_id=person_id, organisation_id=org, role=Role.PARTICIPANT))


def test_publishing_tells_both_partners_once(app, platform, tool, sink):
    from plugin.extensions import db
    from plugin.models import Programme, Proposal, Tandem
    from plugin.services import jobs, publishing
    from tests.web.events_support import actor

    browsers, person, tandem_id = active_tandem(app, platform, tool)
    _people(app, person, tool)
    with app.app_context():
        db.session.execute(sa.delete(Tandem).where(Tandem.id == tandem_id))  # not paired yet: the trainer publishes the pair
        prog = db.session.scalar(sa.select(Programme))
        proposal = Proposal(programme_id=prog.id, status="draft", pairs=[{"digital": str(person["digital"]), "expert": str(person["expert"]), "score": 800, "explanation": {}}])
        db.session.add(proposal)
        db.session.flush()
        job = jobs.create(db.session, actor(app, person["trainer"], "trainer"), prog.id, publishing.KIND, total=100)
        db.session.commit()
        assert publishing.run(db.session, job, prog.id, proposal.id, lambda *_: None) == 1
        db.session.commit()
    deliver_until_done(app, sender(app, sink))
    assert sorted(str(m["To"]) for m in sink.messages) == ["Dana Digital <digital@example.org>", "Evert Expert <expert@example.org>"]
    assert subject_of(sink.to("digital@example.org")[0]) == "You have a tandem partner: Evert Expert"
    assert sink.to("expert@example.org")[0]["Content-Language"] == "nl"
    for who in ("digital", "expert"):
        (message,) = sink.to(f"{who}@example.org")
        assert browsers[who].get(next(u for u in links(message) if "/tandem" in u)).status_code == 200
