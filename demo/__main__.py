"""Run Tandem (SQLite, ``tandem serve``) and a demo LMS course page that launches it over LTI 1.3.

The LMS is the same real platform implementation the tests drive (``tests/harness/platform.py``,
built on lti1p3platform), registered with Tandem automatically. Open the printed URL: the course
page has buttons to launch Tandem as the trainer, a digital mentor, a senior expert or the
organisation's administrator, in English or Dutch, and to add Tandem modules (deep linking).
"""

from __future__ import annotations

import argparse
import html
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, redirect, request
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.platform import TestPlatform  # noqa: E402
from tests.harness.processes import wait_for_port  # noqa: E402

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
COURSE = {"id": "demo-course-1", "title": "Reciprocal mentoring 2027", "label": "RM27", "type": [VOCAB.replace("vocab/lis/v2/", "vocab/lis/v2/course#CourseOffering")]}
PERSONAS = {
    "trainer": {"label": "Trainer (Tessa Bakker)", "user_id": "demo-trainer", "name": "Tessa Bakker", "email": "tessa@demo.example", "roles": [VOCAB + "membership#Instructor"]},
    "digital": {"label": "Digital mentor (Daan de Vries, 26)", "user_id": "demo-digital", "name": "Daan de Vries", "email": "daan@demo.example", "roles": [VOCAB + "membership#Learner"]},
    "expert": {"label": "Senior expert (Els Janssen, 58)", "user_id": "demo-expert", "name": "Els Janssen", "email": "els@demo.example", "roles": [VOCAB + "membership#Learner"]},
    # two of the cohort below, already in a group, a circle, a coffee round and an event
    "member": {"label": "Group member (Sanne Visser, 31)", "user_id": "demo-p00", "name": "Sanne Visser", "email": "sanne@demo.example", "roles": [VOCAB + "membership#Learner"]},
    "mentor": {"label": "Group mentor (Henk van Dijk, 61)", "user_id": "demo-p10", "name": "Henk van Dijk", "email": "henk@demo.example", "roles": [VOCAB + "membership#Learner"]},
    "admin": {"label": "Organisation administrator", "user_id": "demo-admin", "name": "Ali Yilmaz", "email": "ali@demo.example", "roles": [VOCAB + "institution/person#Administrator"]},
}


def lms_app(platform: TestPlatform, tandem_url: str) -> Flask:
    """The demo LMS course page: launch buttons on the left, Tandem in an iframe, as Moodle embeds it."""
    app = Flask("demo_lms")

    @app.route("/")
    def course() -> str:
        locale = request.args.get("locale", "en")
        buttons = "\n".join(
            f'<li><a class="launch" target="tandem" href="/launch/{key}?locale={locale}">Launch as {html.escape(p["label"])}</a></li>'
            for key, p in PERSONAS.items()
        )
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo LMS: {COURSE['title']}</title>
<style>
 body {{ font-family: system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 18rem 1fr; min-height: 100vh; color: #1d2330; }}
 nav {{ background: #f0f2f5; padding: 1rem; border-right: 1px solid #c9ced8; }}
 main {{ padding: 0; }} iframe {{ border: 0; width: 100%; height: 100vh; }}
 a {{ color: #0b5cad; }} li {{ margin: .5rem 0; }} h1 {{ font-size: 1.2rem; }}
</style></head>
<body>
<nav aria-label="Course">
  <h1>Demo LMS</h1>
  <p>Course: <strong>{COURSE['title']}</strong></p>
  <p>Language: <a href="/?locale=en">English</a> · <a href="/?locale=nl">Nederlands</a> (now: {html.escape(locale)})</p>
  <ul>{buttons}
  <li><a class="launch" target="tandem" href="/deep-link?locale={locale}">Add Tandem modules (deep linking, as the trainer)</a></li>
  </ul>
  <p>Try it: launch as the digital mentor and as the senior expert and fill in <em>My profile and needs map</em>
  (its quick start fills it in a minute); then launch as the trainer: twenty more participants are ready, so
  matching pairs everyone at once.</p>
  <p>Beyond pairs, the course already has an open group, an advisory board (a peer circle), a coffee round, a
  masterclass with a waiting list and a focused mentoring: launch as the group member or the group mentor
  (two of the twenty) and follow the links under <em>Beyond your tandem</em>.</p>
  <p>Tandem runs at <code>{html.escape(tandem_url)}</code>; this LMS is an LTI 1.3 platform (lti1p3platform) registered with it.</p>
</nav>
<main><iframe name="tandem" title="Tandem" src="about:blank"></iframe></main>
</body></html>"""

    @app.route("/launch/<persona>")
    def launch(persona: str):  # noqa: ANN202
        p = PERSONAS[persona]
        url = platform.browser_launch_url(
            user_id=p["user_id"], name=p["name"], email=p["email"], roles=p["roles"],
            context=COURSE, locale=request.args.get("locale", "en"),
        )
        return redirect(url)

    @app.route("/deep-link")
    def deep_link():  # noqa: ANN202
        p = PERSONAS["trainer"]
        url = platform.browser_launch_url(
            user_id=p["user_id"], name=p["name"], email=p["email"], roles=p["roles"], context=COURSE,
            message_type="LtiDeepLinkingRequest", locale=request.args.get("locale", "en"),
        )
        return redirect(url)

    return app


#: a demo cohort with filled-in profiles, so the trainer can run matching at once
COHORT = [
    ("Sanne Visser", "digital_mentor"), ("Kevin Peeters", "digital_mentor"), ("Lotte Mulder", "digital_mentor"),
    ("Yusuf Demir", "digital_mentor"), ("Emma Dubois", "digital_mentor"), ("Lucas Novak", "digital_mentor"),
    ("Fleur de Boer", "digital_mentor"), ("Milan Horvat", "digital_mentor"), ("Noor El Amrani", "digital_mentor"),
    ("Tom Willems", "digital_mentor"),
    ("Henk van Dijk", "senior_expert"), ("Marieke Smit", "senior_expert"), ("Jan Claes", "senior_expert"),
    ("Ingrid Berg", "senior_expert"), ("Pieter Hendriks", "senior_expert"), ("Anna Kowalska", "senior_expert"),
    ("Gerard Maes", "senior_expert"), ("Ria Vermeulen", "senior_expert"), ("Frans Jacobs", "senior_expert"),
    ("Monique Laurent", "senior_expert"),
]  # fmt: skip


def seed_demo(instance: str, database_url: str, issuer: str) -> None:
    """Create the demo course's programme and cohort once (profiles, needs maps, a reporting line, wishes)."""
    import random

    from plugin import create_app
    from plugin.domain.matching import DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES
    from plugin.extensions import db
    from plugin.models import Course, Membership, Participant, Person, Programme
    from plugin.models.base import utcnow
    from plugin.services.platforms import find_registration

    app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": database_url, "TANDEM_OUTBOX": "off"})
    with app.app_context():
        registration = find_registration(db.session, issuer, "demo-lms-client")
        course = db.session.scalar(sa.select(Course).where(Course.context_id == COURSE["id"]))
        if course is None:
            course = Course(organisation_id=registration.organisation_id, deployment_id=registration.deployment_pks["1"], context_id=COURSE["id"], title=COURSE["title"], label=COURSE["label"])
            db.session.add(course)
            db.session.flush()
        if db.session.scalar(sa.select(Programme.id).where(Programme.course_id == course.id)):
            return
        programme = Programme(organisation_id=course.organisation_id, course_id=course.id, matching_mode="trainer", default_capacity=1, max_capacity=3, modules=[])
        db.session.add(programme)
        db.session.flush()
        rng = random.Random(2027)
        people = []
        for i, (name, side) in enumerate(COHORT):
            person = Person(organisation_id=course.organisation_id, issuer=issuer, subject=f"demo-p{i:02d}", name=name, email=f"{name.split()[0].lower()}@demo.example")
            db.session.add(person)
            people.append((person, side))
        db.session.flush()
        for i, (person, side) in enumerate(people):
            own, theirs = (DIGITAL_COMPETENCES, EXPERTISE_COMPETENCES) if side == "digital_mentor" else (EXPERTISE_COMPETENCES, DIGITAL_COMPETENCES)
            needs = {key: {"offer": rng.randint(5, 8)} for key in rng.sample(own[:10], 4)}
            for key in rng.sample(theirs[:10], 3):
                now = rng.randint(0, 2)
                needs[key] = {"want": rng.randint(now + 2, 6)} | ({"current": now} if now else {})
            db.session.add(Membership(person_id=person.id, course_id=course.id, role="participant"))
            db.session.add(
                Participant(
                    programme_id=programme.id, person_id=person.id, side=side, source="csv",
                    languages=rng.choice([["nl"], ["nl", "en"], ["en"], ["nl", "en", "fr"]]), capacity=2 if i % 5 == 0 else 1,
                    needs=needs, goals="", timezone="Europe/Amsterdam", cadence="monthly",
                    manager_person_id=people[10][0].id if i in (1, 2) else None,  # Henk manages Kevin and Lotte
                    wishes=[people[11][0].id] if i == 0 else [], vetoes=[], profile_saved_at=utcnow(),
                )
            )  # fmt: skip
        seed_formats(db.session, programme, people, issuer)
        db.session.commit()


def seed_formats(session, programme, people, issuer: str) -> None:  # noqa: ANN001
    """One of each format beyond the pair, so a newcomer sees them at once (the LMS's "Group member" and "Group
    mentor" personas are Sanne and Henk of the cohort): Henk mentors an open group with Sanne in it and sits on
    an advisory board (a peer circle); a coffee round; a masterclass with a waiting list; a focused mentoring
    for Sanne from the mentor network; everyone's self-assessments at the start and the end (the dashboard's growth)."""
    from plugin.domain.errors import RuleViolation
    from plugin.models import Membership, Participant, Person
    from plugin.models.base import utcnow
    from plugin.services import assessments, circles, coffee, events, groups, network
    from plugin.services.dashboards import organisation as org_dashboard

    persona = PERSONAS["trainer"]  # the trainer runs the event; the launch later finds this person
    tessa = Person(organisation_id=programme.organisation_id, issuer=issuer, subject=persona["user_id"], name=persona["name"], email=persona["email"])
    session.add(tessa)
    session.flush()
    session.add(Membership(person_id=tessa.id, course_id=programme.course_id, role="trainer"))
    digital = [p.id for p, s in people if s == "digital_mentor"]
    expert = [p.id for p, s in people if s == "senior_expert"]
    sanne, henk = digital[0], expert[0]
    profiles = dict(session.execute(sa.select(Participant.person_id, Participant).where(Participant.programme_id == programme.id)).all())
    dutch = {pid for pid, p in profiles.items() if "nl" in (p.languages or [])}
    managed = {people[1][0].id, people[2][0].id}  # Henk manages Kevin and Lotte: they stay out of his board
    groups.seed_example(session, programme.id, henk, [sanne, digital[3], digital[4]], name="Digital skills for the board", kind="open")
    board = [henk, *[pid for pid in [*digital[5:9], *expert[1:6]] if pid in dutch and pid not in managed][:5]]
    circles.seed_example(session, programme.id, board)
    coffee.seed_example(session, programme.id, [sanne, henk, *digital[6:10], *expert[6:10]])
    events.seed_example(session, programme.id, tessa.id, [sanne, *digital[1:7], *expert[1:7]])
    assessments.seed_example(session, programme.id, [p.id for p, _s in people])  # a start and an end take: growth on the dashboard
    # the organisation's long-term plan for this cohort: one module a quarter (the organisation dashboard)
    org_dashboard.demo_plan(session, programme.organisation_id, programme.course_id, ["e-reputation", "collaboration-platforms", "conference-presentation", "personal-branding"], utcnow().date())
    wanted = [key for key, need in profiles[sanne].needs.items() if need.get("want")]
    for competence in wanted:
        for mentor in expert[1:]:
            try:
                network.seed_example(session, programme.id, sanne, mentor, competence)
                return
            except RuleViolation:
                continue


def main() -> None:
    parser = argparse.ArgumentParser(description="Tandem with a demo LMS")
    # One host name for LMS, platform and Tandem: over plain HTTP the cookies are SameSite=Lax, so
    # the three must be the same site (in production, HTTPS gives SameSite=None; Secure; Partitioned).
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tandem-port", type=int, default=int(os.environ.get("DEMO_TANDEM_PORT", 5000)))
    parser.add_argument("--lms-port", type=int, default=int(os.environ.get("DEMO_LMS_PORT", 5100)))
    parser.add_argument("--platform-port", type=int, default=int(os.environ.get("DEMO_PLATFORM_PORT", 5101)))
    parser.add_argument("--instance", default=str(ROOT / ".demo"))
    args = parser.parse_args()

    tandem_url = f"http://{args.host}:{args.tandem_port}"
    env = {
        **os.environ,
        "TANDEM_INSTANCE_PATH": args.instance,
        "TANDEM_DATABASE_URL": f"sqlite:///{Path(args.instance) / 'tandem.db'}",
        "TANDEM_BASE_URL": tandem_url,
        "TANDEM_REDIS_URL": "",
    }
    cli = [sys.executable, "-c", "from plugin.cli import main; main()"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)

    platform = TestPlatform(tool_base_url=tandem_url, client_id="demo-lms-client", deployment_ids=("1",), port=args.platform_port)
    platform.start()
    listed = subprocess.run([*cli, "platform", "list"], env=env, capture_output=True, text=True).stdout
    if f"{platform.issuer}\tclient demo-lms-client" not in listed:
        subprocess.run(
            [*cli, "platform", "add", "--issuer", platform.issuer, "--client-id", "demo-lms-client", "--deployment-id", "1",
             "--auth-url", platform.auth_url, "--token-url", platform.token_url, "--jwks-url", platform.jwks_url,
             "--organisation", "Demo organisation"],
            env=env, check=True, capture_output=True,
        )
    seed_demo(args.instance, env["TANDEM_DATABASE_URL"], platform.issuer)
    roster = [{"user_id": p["user_id"], "roles": p["roles"], "name": p["name"], "email": p["email"]} for p in PERSONAS.values() if not p["user_id"].startswith("demo-p")]
    roster += [{"user_id": f"demo-p{i:02d}", "roles": [VOCAB + "membership#Learner"], "name": name} for i, (name, _side) in enumerate(COHORT)]
    platform.set_members(COURSE["id"], roster)  # the trainer's "Pull the course roster" gets them all
    tandem = subprocess.Popen([*cli, "serve", "--host", "127.0.0.1", "--port", str(args.tandem_port), "--workers", "2"], env=env, start_new_session=True)
    wait_for_port(args.tandem_port)

    server = make_server("127.0.0.1", args.lms_port, lms_app(platform, tandem_url), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"\nTandem demo is running.\n  Open the demo LMS: http://{args.host}:{args.lms_port}/\n  Tandem itself:     {tandem_url}/\nPress Ctrl-C to stop.\n", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        platform.stop()
        try:
            os.killpg(tandem.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        tandem.wait(10)


if __name__ == "__main__":
    main()
