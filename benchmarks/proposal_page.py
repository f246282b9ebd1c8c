"""The proposal review page of a large programme: milliseconds per GET, HTML size and SQL queries.

Seeds a programme of ``--participants`` (default 5,000: half digital mentors, half senior experts, needs
maps as in the tests, capacity 1 or 2, names and departments), runs the real matching job over it
(the services, not a shortcut), then times GET of the review page with a logged-in trainer through the
Flask test client (no network): the first page and a filtered page (a fit and a department search), and
the publish confirmation. SQL statements are counted with a SQLAlchemy ``before_cursor_execute`` event.

SQLite (a temporary file) by default; ``--database postgresql`` uses a fresh database on
``TANDEM_BENCH_PG_URL`` (default postgres@127.0.0.1:5432), dropped at the end.

    .venv/bin/python benchmarks/proposal_page.py [--participants 5000] [--requests 20] [--database sqlite|postgresql]

Prints one line per page (p50 / p95 wall-clock ms, the median CPU time of the process per request, which
other processes on the machine disturb less; KB of HTML; SQL queries per request), the publish timings,
the load average before and after, then one JSON line per page.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.programme_support import needs_for  # noqa: E402

PG_ADMIN = os.environ.get("TANDEM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def bench_database(kind: str, tmp: str) -> Iterator[str]:
    """A fresh database for one benchmark run (SQLite in ``tmp``, or a new PostgreSQL database dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    name = f"tandem_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        sa.create_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
ISSUER = "https://platform.bench.invalid"
DEPARTMENTS = ("Sales", "Finance", "Operations", "Marketing", "Legal", "IT", "HR", "Logistics")
FIRST = ("Anna", "Bram", "Chloé", "Daan", "Eva", "Finn", "Greta", "Hugo", "Iris", "Jan", "Kees", "Lotte", "Milan", "Noor", "Olaf", "Pien")
LAST = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos", "Peters", "Hendriks")


def _app(url: str, instance: str):
    from flask_migrate import upgrade

    from plugin import create_app

    app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": "bench-secret-key-0123456789", "SQLALCHEMY_DATABASE_URI": url, "TANDEM_OUTBOX": "off"})
    with app.app_context():
        upgrade()
    return app


def seed(app, participants: int, rng: random.Random) -> dict:
    """An organisation, a course with its programme, a trainer, ``participants`` with profiles; then the
    matching job's proposal. Returns the trainer's session values."""
    from plugin.extensions import db
    from plugin.models import Course, Membership, Participant, Person, Programme
    from plugin.models.base import utcnow
    from plugin.services import proposals
    from plugin.services.launches import Actor
    from plugin.domain.roles import Role
    from plugin.services.platforms import NewRegistration, add_registration, find_registration

    with app.app_context():
        add_registration(db.session, NewRegistration(ISSUER, "bench", "1", f"{ISSUER}/auth", f"{ISSUER}/token", f"{ISSUER}/jwks", organisation="Bench"))
        registration = find_registration(db.session, ISSUER, "bench")
        course = Course(organisation_id=registration.organisation_id, deployment_id=registration.deployment_pks["1"], context_id="bench-course", title="Bench", label="B")
        db.session.add(course)
        db.session.flush()
        programme = Programme(organisation_id=course.organisation_id, course_id=course.id, matching_mode="trainer", default_capacity=1, max_capacity=3, modules=[])
        trainer = Person(organisation_id=course.organisation_id, issuer=ISSUER, subject="trainer", name="Tess Trainer")
        db.session.add_all([programme, trainer])
        db.session.flush()
        db.session.add(Membership(person_id=trainer.id, course_id=course.id, role="trainer"))
        people = [Person(organisation_id=course.organisation_id, issuer=ISSUER, subject=f"p{i:05d}", name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}") for i in range(participants)]
        db.session.add_all(people)
        db.session.flush()
        now = utcnow()
        rows = []
        for i, person in enumerate(people):
            side = "digital_mentor" if i % 2 == 0 else "senior_expert"
            rows.append(
                {
                    "programme_id": programme.id, "person_id": person.id, "side": side, "source": "csv",
                    "languages": rng.choice([["en"], ["nl"], ["en", "nl"], ["en", "nl"]]), "capacity": rng.choice([1, 1, 1, 2]),
                    "department": rng.choice(DEPARTMENTS), "needs": needs_for(side, rng), "goals": "", "wishes": [], "vetoes": [],
                    "profile_saved_at": now,
                }
            )  # fmt: skip
        db.session.execute(sa.insert(Participant), rows)
        db.session.add_all(Membership(person_id=p.id, course_id=course.id, role="participant") for p in people)
        actor = Actor(trainer.id, course.organisation_id, Role.TRAINER, course.id)
        job_id = proposals.start(db.session, actor, programme)
        db.session.commit()
        started = time.perf_counter()
        proposals.run(db.session, job_id, programme.id, lambda stage, percent: None)
        db.session.commit()
        matched = time.perf_counter() - started
        return {"person_id": trainer.id, "organisation_id": course.organisation_id, "role": "trainer", "course_id": course.id, "matching_s": round(matched, 1)}


class QueryCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


def measure(app, session_values: dict, path: str, requests: int) -> dict:
    from plugin.extensions import db

    client = app.test_client()
    with client.session_transaction() as s:
        s.update({k: v for k, v in session_values.items() if k != "matching_s"})
    with app.app_context():
        counter = QueryCounter(db.engine)
    times, cpu, queries, size = [], [], set(), 0
    for i in range(requests + 2):  # two warm-up requests (templates, caches)
        before = counter.count
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        elapsed, elapsed_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
        if i >= 2:
            times.append(elapsed)
            cpu.append(elapsed_cpu)
            queries.add(counter.count - before)
            size = len(response.data)
    times.sort()
    return {
        "path": path,
        "requests": requests,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "html_kb": round(size / 1024, 1),
        "queries": sorted(queries),
    }


def time_edit(app, session_values: dict, proposal_id: int) -> dict:
    """A trainer's edit (remove a pair) through the service, and the first GET after it (the draft's new content
    is parsed again)."""
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Programme, Proposal
    from plugin.services import proposals
    from plugin.services.launches import Actor

    with app.app_context():
        actor = Actor(session_values["person_id"], session_values["organisation_id"], Role.TRAINER, session_values["course_id"])
        programme = db.session.scalar(sa.select(Programme))
        pair = db.session.scalar(sa.select(Proposal.pairs).where(Proposal.id == proposal_id))[10]
        started = time.perf_counter()
        proposals.remove_pair(db.session, actor, programme, proposal_id, pair["digital"], pair["expert"])
        db.session.commit()
        edit_ms = (time.perf_counter() - started) * 1000
    client = app.test_client()
    with client.session_transaction() as s:
        s.update({k: v for k, v in session_values.items() if k != "matching_s"})
    started = time.perf_counter()
    assert client.get("/programme/proposal").status_code == 200
    return {"remove_ms": round(edit_ms), "first_get_after_ms": round((time.perf_counter() - started) * 1000)}


def time_publish(app, session_values: dict, proposal_id: int) -> dict:
    """Publish through the services, as the view and its job do: the request part, then the job."""
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Programme
    from plugin.services import jobs, publishing
    from plugin.services.launches import Actor

    with app.app_context():
        actor = Actor(session_values["person_id"], session_values["organisation_id"], Role.TRAINER, session_values["course_id"])
        programme = db.session.scalar(sa.select(Programme))
        started = time.perf_counter()
        job_id = publishing.start(db.session, actor, programme, proposal_id)
        db.session.commit()
        request_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        count = publishing.run(db.session, job_id, programme.id, proposal_id, jobs.stage_reporter(db.session, job_id))
        db.session.commit()
        return {"request_ms": round(request_ms), "job_ms": round((time.perf_counter() - started) * 1000), "tandems": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the migrations' log lines

    with tempfile.TemporaryDirectory() as tmp, bench_database(args.database, tmp) as url:
        app = _app(url, tmp)
        started = time.perf_counter()
        trainer = seed(app, args.participants, random.Random(args.seed))
        print(f"seeded {args.participants} participants on {args.database} in {time.perf_counter() - started:.1f} s (matching {trainer['matching_s']} s)")
        load_before = os.getloadavg()
        with app.app_context():
            from plugin.extensions import db
            from plugin.models import Proposal

            proposal = db.session.execute(sa.select(Proposal.id, sa.func.length(sa.cast(Proposal.pairs, sa.Text)))).first()
            pairs = len(db.session.scalar(sa.select(Proposal.pairs)))
            print(f"proposal {proposal[0]}: {pairs} pairs, stored pairs JSON {proposal[1] / 1e6:.2f} MB")
        pages = [
            "/programme/proposal",
            "/programme/proposal?fit=good&q=Sales",
            "/programme/proposal?page=3&upage=2&find_digital=Finance",
            f"/programme/proposal/{proposal[0]}/publish",
        ]
        results = [measure(app, trainer, path, args.requests) for path in pages]
        load_after = os.getloadavg()
        edit = time_edit(app, trainer, proposal[0])
        publish = time_publish(app, trainer, proposal[0])
        for r in results:
            print(f"{r['path']:<58} p50 {r['p50_ms']:>6.1f} ms  p95 {r['p95_ms']:>6.1f} ms  (CPU p50 {r['cpu_p50_ms']:>6.1f} ms)  {r['html_kb']:>5.1f} KB  queries {r['queries']}")
        print(f"remove a pair: {edit['remove_ms']} ms; the first GET after it (parses the new content): {edit['first_get_after_ms']} ms")
        print(f"publish: the request's checks {publish['request_ms']} ms, the job (checks again, creates {publish['tandems']} tandems) {publish['job_ms']} ms")
        print(f"load average before {tuple(round(x, 2) for x in load_before)} after {tuple(round(x, 2) for x in load_after)} ({os.cpu_count()} CPUs)")
        for r in results:
            print(json.dumps({"database": args.database, "participants": args.participants, "pairs": pairs, **r, "loadavg": [round(x, 2) for x in load_after]}))
        print(json.dumps({"database": args.database, "participants": args.participants, "edit": edit, "publish": publish}))
        with app.app_context():
            from plugin.extensions import db

            db.engine.dispose()


if __name__ == "__main__":
    main()
