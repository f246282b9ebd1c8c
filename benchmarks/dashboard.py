"""The programme dashboard of a large programme: server time per request and SQL statements.

Seeds (bulk inserts, the same seeding as the dashboard tests: ``tests/web/dashboards_support.py``) a programme
of ``--participants`` (default 10,000; half digital mentors, half senior experts, three departments) with
tandems (90% paired: active, proposed, ended, declined), agreements, sign-offs (some withdrawn), sessions
with reflections, training plans and three events, then times GET of the dashboard page and of its six
chart requests (SVG) and the workbook, with a logged-in trainer through the Flask test client (no network).
SQL statements are counted with a SQLAlchemy ``before_cursor_execute`` listener. Before timing, the process
freezes its objects out of the garbage collector, as a ``tandem serve`` worker does after building its app.

PostgreSQL by default: a fresh database on ``TANDEM_BENCH_PG_URL`` (default postgres@127.0.0.1:5432),
dropped at the end; ``--database sqlite`` uses a temporary file.

    .venv/bin/python benchmarks/dashboard.py [--participants 10000] [--requests 20] [--database postgresql|sqlite]

Prints one line per path (p50 / p95 wall-clock ms, median CPU ms of the process, KB, SQL statements per
request), the load average before and after, then one JSON line per path.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.proposal_page import _app, bench_database, measure  # noqa: E402
from tests.web.dashboards_support import seed  # noqa: E402

ISSUER = "https://platform.bench.invalid"


def seed_programme(app, participants: int, rng: random.Random) -> dict:
    """An organisation, a course with its programme and trainer, and the seeded programme; the trainer's session values."""
    from plugin.extensions import db
    from plugin.models import Course, Membership, Person, Programme
    from plugin.models.base import utcnow
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
        seeded = seed(db.session, organisation_id=course.organisation_id, course_id=course.id, programme_id=programme.id, issuer=ISSUER, n=participants, today=utcnow().date(), rng=rng, prefix="b")
        db.session.commit()
        db.session.execute(sa.text("ANALYZE")) if db.engine.dialect.name == "postgresql" else None
        db.session.commit()
        return {"person_id": trainer.id, "organisation_id": course.organisation_id, "role": "trainer", "course_id": course.id, "tandems": len(seeded.tandems), "records": len(seeded.records), "sessions": len(seeded.sessions)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    logging.disable(logging.INFO)

    with tempfile.TemporaryDirectory() as tmp, bench_database(args.database, tmp) as url:
        app = _app(url, tmp)
        started = time.perf_counter()
        trainer = seed_programme(app, args.participants, random.Random(args.seed))
        counts = {k: trainer.pop(k) for k in ("tandems", "records", "sessions")}
        print(f"seeded {args.participants} participants on {args.database} in {time.perf_counter() - started:.1f} s: {counts['tandems']} tandems, {counts['records']} sign-off records, {counts['sessions']} sessions")
        gc.collect()
        gc.freeze()  # as each `tandem serve` worker does once its app is built (plugin/cli_serve.py)
        load_before = os.getloadavg()
        paths = ["/dashboards/programme", "/dashboards/programme?side=senior_expert&department=Finance", "/dashboards/programme/funnel.svg", "/dashboards/programme/health.svg", "/dashboards/programme.xlsx"]
        results = [measure(app, trainer, path, args.requests) for path in paths]
        load_after = os.getloadavg()
        for r in results:
            print(f"{r['path']:<62} p50 {r['p50_ms']:>6.1f} ms  p95 {r['p95_ms']:>6.1f} ms  (CPU p50 {r['cpu_p50_ms']:>6.1f} ms)  {r['html_kb']:>5.1f} KB  queries {r['queries']}")
        print(f"load average before {tuple(round(x, 2) for x in load_before)} after {tuple(round(x, 2) for x in load_after)} ({os.cpu_count()} CPUs)")
        for r in results:
            print(json.dumps({"database": args.database, "participants": args.participants, **counts, **r, "loadavg": [round(x, 2) for x in load_after]}))
        with app.app_context():
            from plugin.extensions import db

            db.engine.dispose()


if __name__ == "__main__":
    main()
