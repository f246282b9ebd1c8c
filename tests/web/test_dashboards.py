"""The programme and organisation dashboards: every chart's numbers against those computed here from the
seeded data (plain Python, not the service), with and without filters; the CSV of each chart and the
workbook hold the same numbers; the SVGs are self-contained (no script, nothing from elsewhere); junk
filters give 400; the number of SQL statements does not grow with the number of participants."""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
from collections import Counter
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.dashboards_support import OBJECTIVES, PRINCIPLES, Seeded, seed
from tests.web.programme_support import INSTRUCTOR, get, launch, set_up_programme

SIDES = ("digital_mentor", "senior_expert")


def _kept(s: Seeded, side=None, department=None) -> tuple[set[int], set[int]]:
    people = {p for p, (sd, dep, _) in s.people.items() if (side is None or sd == side) and (department is None or dep == department)}
    narrowed = side is not None or department is not None
    tandems = {t for t, (d, e, status, *_r) in s.tandems.items() if status != "declined" and (not narrowed or d in people or e in people)}
    return people, tandems


def _net(s: Seeded) -> dict[tuple[int, str], set[str]]:
    out: dict[tuple[int, str], set[str]] = {}
    for t, side, objective, kind, _at, _seq in sorted(s.records, key=lambda r: (r[0], r[5])):
        signed = out.setdefault((t, side), set())
        signed.add(objective) if kind == "signed" else signed.discard(objective)
    return out


def expected_funnel(s: Seeded, side=None, department=None) -> list[int]:
    people, _ = _kept(s, side, department)
    net = _net(s)
    stages = [set(people), {p for p in people if s.people[p][2]}, set(), set(), set(), set()]
    for t, (d, e, status, both, _started) in s.tandems.items():
        members = {d, e} & people
        if status in ("proposed", "active", "ended"):
            stages[2] |= members
            if both:
                stages[3] |= members
                if status == "active":
                    stages[4] |= members
                if all(net.get((t, sd), set()) >= set(OBJECTIVES[sd]) for sd in SIDES):
                    stages[5] |= members
    return [len(x) for x in stages]


def expected_signoffs(s: Seeded, side=None, department=None, start=None, end=None) -> dict[str, tuple[int, ...]]:
    _, tandems = _kept(s, side, department)
    counts = Counter((at.strftime("%Y-%m"), sd) for t, sd, _o, kind, at, _q in s.records if kind == "signed" and t in tandems and (side is None or sd == side))
    counts = Counter({k: v for k, v in counts.items() if (start is None or k[0] >= start) and (end is None or k[0] <= end)})
    first = start or min((m for m, _ in counts), default=s.today.strftime("%Y-%m"))
    last = end or max(s.today.strftime("%Y-%m"), max((m for m, _ in counts), default=first))
    months, y, m = [], int(first[:4]), int(first[5:])
    while f"{y:04d}-{m:02d}" <= last:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    keys = SIDES if side is None else (side,)
    return {month: tuple(counts[(month, k)] for k in keys) for month in months}


def expected_plan(s: Seeded, side=None, department=None, start=None, end=None) -> list[int]:
    _, tandems = _kept(s, side, department)
    counts = Counter()
    for t, items in s.plans.items():
        for due, done in items:
            if t not in tandems or (start and due.strftime("%Y-%m") < start) or (end and due.strftime("%Y-%m") > end):
                continue
            counts["done_on_time" if done and done <= due else "done_late" if done else "overdue" if due < s.today else "not_due"] += 1
    return [counts[k] for k in ("done_on_time", "done_late", "overdue", "not_due")]


def expected_health(s: Seeded, side=None, department=None) -> list[int]:
    _, tandems = _kept(s, side, department)
    counts = Counter()
    for t, (d, e, status, both, started) in s.tandems.items():
        if t not in tandems or status != "active" or not both:
            continue
        held = [h for tt, h, _ in s.sessions if tt == t and h <= s.today]
        flags = set()
        if (s.today - (max(held) if held else started)).days >= 28:
            flags.add("no_session")
        last = {sd: max((at.date() for tt, x, _o, k, at, _q in s.records if tt == t and x == sd and k == "signed"), default=None) for sd in SIDES}
        for moving, stalled in (SIDES, SIDES[::-1]):
            if last[moving] and (s.today - last[moving]).days < 42 and (s.today - (last[stalled] or started)).days >= 42:
                flags.add("one_direction")
        sides = {d: "digital_mentor", e: "senior_expert"}
        given = sorted(((h, p, sc) for tt, h, by in s.sessions if tt == t and h <= s.today for p, sc in by.items()), key=lambda r: r[0])
        for sd in SIDES:
            recent = [sc for _h, p, sc in given if sides[p] == sd][-3:]
            if any(recent and sum(sc[q] for sc in recent) / len(recent) < 2.5 for q in range(len(PRINCIPLES))):
                flags.add("low_reflection")
        if any(done is None and due < s.today for due, done in s.plans.get(t, ())):
            flags.add("overdue")
        counts.update(flags)
    return [counts[k] for k in ("no_session", "one_direction", "low_reflection", "overdue")]


def expected_events(s: Seeded, side=None, department=None) -> list[tuple[str, int, int]]:
    people, _ = _kept(s, side, department)
    rows = []
    for _id, title, starts, regs in sorted(s.events, key=lambda r: r[2]):
        kept = {p: v for p, v in regs.items() if p in people}
        rows.append((f"{title} ({starts:%Y-%m-%d})", sum(st == "registered" for st, _ in kept.values()), sum(a is True for _, a in kept.values())))
    return rows


def seed_takes(app, s: Seeded) -> dict[int, list[dict[str, int]]]:
    """Self-assessments: every third participant takes it twice (a few once), levels by person id; returns person -> takes."""
    from plugin.extensions import db
    from plugin.models import AssessmentTake, Participant, Programme
    from plugin.models.base import utcnow

    takes: dict[int, list[dict[str, int]]] = {}
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme).order_by(Programme.id).limit(1))
        ids = dict(db.session.execute(sa.select(Participant.person_id, Participant.id).where(Participant.person_id.in_(list(s.people)))).all())
        rows = []
        for n, person in enumerate(sorted(s.people)):
            if n % 3:
                continue
            first = {"digcomp:1.1": person % 4, "entrecomp:2.2": (person * 7) % 6}
            later = [{"digcomp:1.1": person % 4 + 1 + person % 3, "entrecomp:2.2": (person * 7) % 6 + person % 2}] if n % 9 else []
            takes[person] = [first, *later]
            for k, levels in enumerate(takes[person]):
                rows.append(AssessmentTake(organisation_id=programme.organisation_id, programme_id=programme.id, participant_id=ids[person], person_id=person, questionnaire="q", version=1,
                                           kind=("start", "end")[k], answers={}, levels=levels, taken_at=utcnow() + timedelta(seconds=k)))  # fmt: skip
        db.session.add_all(rows)
        db.session.commit()
    return takes


def expected_growth(s: Seeded, takes, side=None, department=None) -> list[tuple[str, float, float, int]]:
    people, _ = _kept(s, side, department)
    out = []
    for key in ("digcomp:1.1", "entrecomp:2.2"):
        twice = [t for p, t in takes.items() if p in people and len(t) >= 2]
        if twice:
            out.append((key, float(statistics.median(t[0][key] for t in twice)), float(statistics.median(t[-1][key] for t in twice)), len(twice)))
    return out


def _csv(browser, tool, path: str) -> list[list[str]]:
    response = browser.get(tool.url + path)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv"), (path, response.status_code)
    return list(csv.reader(io.StringIO(response.text)))[1:]


def _numbers(rows, skip_label: bool = True) -> list[tuple]:
    return [tuple(int(v) for v in r[1:]) if skip_label else tuple(r) for r in rows]


def _programme(app, context_id: str = "course-1"):
    from plugin.extensions import db
    from plugin.models import Course, Membership, Person, Programme

    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.context_id == context_id))
        programme = db.session.scalar(sa.select(Programme).where(Programme.course_id == course.id))
        issuer = db.session.scalar(sa.select(Person.issuer).join(Membership, Membership.person_id == Person.id).where(Membership.course_id == course.id).limit(1))
        return course.organisation_id, course.id, programme.id, issuer


@pytest.fixture
def scenario(app, platform, tool):
    from plugin.extensions import db
    from plugin.models.base import utcnow

    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="dash-trainer", name="Tess Trainer")
    set_up_programme(trainer, tool)
    empty = get(trainer, tool, "/dashboards/programme")
    org, course, programme, issuer = _programme(app)
    with app.app_context():
        seeded = seed(db.session, organisation_id=org, course_id=course, programme_id=programme, issuer=issuer, n=120, today=utcnow().date(), rng=random.Random(3))
        db.session.commit()
    return trainer, seeded, empty


def test_every_chart_matches_the_seeded_data_in_page_csv_and_workbook(scenario, tool, app):
    trainer, s, empty = scenario
    assert "No participants yet." in empty and "No self-assessments yet" in empty and "<img" not in empty

    page = get(trainer, tool, "/dashboards/programme")
    assert page.count('<img src="/dashboards/programme/') == 5 and "No self-assessments yet" in page  # none taken yet
    takes = seed_takes(app, s)
    page = get(trainer, tool, "/dashboards/programme")
    assert page.count('<img src="/dashboards/programme/') == 6 and "No self-assessments yet" not in page
    names = {"DigComp 1.1 ": "digcomp:1.1", "EntreComp 2.2 ": "entrecomp:2.2"}  # the competences by the needs map's names
    key = lambda text: next(v for k, v in names.items() if text.startswith(k))  # noqa: E731
    growth = [(key(r[0]), float(r[1]), float(r[2]), int(r[3])) for r in _csv(trainer, tool, "/dashboards/programme/growth.csv")]
    assert growth == expected_growth(s, takes) and growth
    filtered_growth = [(key(r[0]), float(r[1]), float(r[2]), int(r[3])) for r in _csv(trainer, tool, "/dashboards/programme/growth.csv?side=senior_expert&department=Sales")]
    assert filtered_growth == expected_growth(s, takes, "senior_expert", "Sales")

    assert _numbers(_csv(trainer, tool, "/dashboards/programme/funnel.csv")) == [(v,) for v in expected_funnel(s)]
    signoffs = _csv(trainer, tool, "/dashboards/programme/signoffs.csv")
    assert {r[0]: tuple(int(v) for v in r[1:]) for r in signoffs} == expected_signoffs(s)
    assert _numbers(_csv(trainer, tool, "/dashboards/programme/plan_items.csv")) == [(v,) for v in expected_plan(s)]
    assert _numbers(_csv(trainer, tool, "/dashboards/programme/health.csv")) == [(v,) for v in expected_health(s)]
    assert [(r[0], int(r[1]), int(r[2])) for r in _csv(trainer, tool, "/dashboards/programme/events.csv")] == expected_events(s)
    assert sum(expected_health(s)) > 0 and expected_funnel(s)[5] > 0 and all(expected_plan(s))  # the data exercises every count

    # the table alternative on the page holds the funnel's numbers
    funnel_table = page.split('id="chart-funnel"')[1].split("</table>")[0]
    assert [int(v) for v in re.findall(r"<td[^>]*>(\d+)</td>", funnel_table)] == expected_funnel(s)

    # filtered: side, department and a period
    month = (s.today - timedelta(days=60)).strftime("%Y-%m")
    query = f"?side=senior_expert&department=Finance&from={month}"
    assert _numbers(_csv(trainer, tool, "/dashboards/programme/funnel.csv" + query)) == [(v,) for v in expected_funnel(s, "senior_expert", "Finance")]
    filtered = _csv(trainer, tool, "/dashboards/programme/signoffs.csv" + query)
    assert {r[0]: tuple(int(v) for v in r[1:]) for r in filtered} == expected_signoffs(s, "senior_expert", "Finance", month)
    assert _numbers(_csv(trainer, tool, "/dashboards/programme/plan_items.csv" + query)) == [(v,) for v in expected_plan(s, "senior_expert", "Finance", month)]
    assert _numbers(_csv(trainer, tool, "/dashboards/programme/health.csv?department=Sales")) == [(v,) for v in expected_health(s, None, "Sales")]
    events = [(r[0], int(r[1]), int(r[2])) for r in _csv(trainer, tool, "/dashboards/programme/events.csv?side=digital_mentor")]
    assert events == expected_events(s, "digital_mentor")
    assert 'href="/dashboards/programme/funnel.csv?side=senior_expert&amp;department=Finance&amp;from=' in trainer.get(tool.url + "/dashboards/programme" + query).text

    # the workbook: a sheet per chart, the same numbers
    response = trainer.get(tool.url + "/dashboards/programme.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 6
    funnel = [row for row in book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True)]
    assert [r[1] for r in funnel] == expected_funnel(s)
    health = [r[1] for r in book[book.sheetnames[3]].iter_rows(min_row=2, values_only=True)]
    assert health == expected_health(s)

    # the charts: SVG documents, no script, nothing loaded from elsewhere, an accessible name
    for key in ("funnel", "signoffs", "plan_items", "health", "growth", "events"):
        svg = trainer.get(tool.url + f"/dashboards/programme/{key}.svg")
        assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
        text = svg.text
        assert "<script" not in text.lower() and 'role="img"' in text and "<title id=" in text
        assert re.findall(r"https?://[^\"' <>]+", re.sub(r'xmlns(:\w+)?="[^"]*"', "", text)) == []

    # junk filters and unknown charts
    for junk in ("?side=both", "?cohort=abc", "?from=2026-13", "?from=2026-05&to=2026-01", "?department=" + "x" * 121, "?zzz=1", "?department=a%01b"):
        get(trainer, tool, "/dashboards/programme" + junk, 400)
        get(trainer, tool, "/dashboards/programme/funnel.csv" + junk, 400)
    get(trainer, tool, "/dashboards/programme/nothing.svg", 404)
    get(trainer, tool, "/dashboards/programme/nothing.csv", 404)


def test_query_count_does_not_grow_with_participants(app, platform, tool):
    from plugin.domain.dashboards import Filters
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Course, Programme
    from plugin.models.base import utcnow
    from plugin.services import dashboards
    from plugin.services.launches import Actor

    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="count-trainer", name="Tess Trainer")
    set_up_programme(trainer, tool)
    org, course_id, programme_id, issuer = _programme(app)
    counts = {}
    with app.app_context():
        base = db.session.get(Course, course_id)
        other = Course(organisation_id=org, deployment_id=base.deployment_id, context_id="count-large", title="Large")
        db.session.add(other)
        db.session.flush()
        large = Programme(organisation_id=org, course_id=other.id)
        db.session.add(large)
        db.session.flush()
        today = utcnow().date()
        seed(db.session, organisation_id=org, course_id=course_id, programme_id=programme_id, issuer=issuer, n=20, today=today, rng=random.Random(1), prefix="s")
        seed(db.session, organisation_id=org, course_id=other.id, programme_id=large.id, issuer=issuer, n=200, today=today, rng=random.Random(1), prefix="l")
        db.session.commit()
        seen: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        from plugin.services.curricula import default_root, load_catalogue

        catalogue = load_catalogue(default_root())
        for name, cid in (("small", course_id), ("large", other.id)):
            actor = Actor(1, org, Role.TRAINER, cid)
            for filters in (Filters(), Filters(side=None, department="Sales")):
                seen.clear()
                board = dashboards.programme_dashboard(db.session, actor, catalogue, filters, today)
                assert board.chart("funnel").series[0].values[0] > 0
                counts[(name, filters.department)] = len(seen)
        db.session.rollback()
    assert counts[("small", None)] == counts[("large", None)] == counts[("small", "Sales")] == counts[("large", "Sales")], counts
    assert counts[("small", None)] <= 14, counts


def test_organisation_dashboard_counts_the_long_term_plan(app, platform, tool):
    from tests.web.events_support import ADMIN
    from plugin.extensions import db
    from plugin.models import CohortPlan

    admin = new_browser(verify=False)
    launch(platform, admin, ADMIN, user_id="dash-admin", name="Ada Admin")
    empty = get(admin, tool, "/dashboards/organisation")
    assert "No modules planned for the cohorts yet." in empty
    from plugin.models import Course, Person, Programme

    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.context_id == "course-1"))
        programme = db.session.scalar(sa.select(Programme).where(Programme.course_id == course.id))
        if programme is None:
            programme = Programme(organisation_id=course.organisation_id, course_id=course.id)
            db.session.add(programme)
            db.session.flush()
        issuer = db.session.scalar(sa.select(Person.issuer).limit(1))
        today = date.today()
        s = seed(db.session, organisation_id=course.organisation_id, course_id=course.id, programme_id=programme.id, issuer=issuer, n=40, today=today, rng=random.Random(2), prefix="o", events=0)
        past = f"{today.year - 1}-Q1"
        db.session.add_all([CohortPlan(organisation_id=course.organisation_id, cohort=course.id, quarter=past, module_slug="e-reputation"),
                            CohortPlan(organisation_id=course.organisation_id, cohort=course.id, quarter=f"{today.year + 1}-Q2", module_slug="collaboration-platforms")])  # fmt: skip
        db.session.commit()
        title = course.title or course.label or course.context_id
    net = _net(s)
    completed = any(all(net.get((t, sd), set()) >= set(OBJECTIVES[sd]) for sd in SIDES) for t, v in s.tandems.items() if v[2] in ("active", "ended"))
    assert completed
    rows = _csv(admin, tool, "/dashboards/organisation/per_cohort.csv")
    assert rows == [[title, "2", "1", "0"]]
    years = _csv(admin, tool, "/dashboards/organisation/per_year.csv")
    assert years == [[str(today.year - 1), "1", "1", "0"], [str(today.year + 1), "1", "0", "0"]]
    assert _csv(admin, tool, f"/dashboards/organisation/per_year.csv?from={today.year + 1}-01") == [[str(today.year + 1), "1", "0", "0"]]
    book = openpyxl.load_workbook(io.BytesIO(admin.get(tool.url + "/dashboards/organisation.xlsx").content))
    assert [list(r) for r in book[book.sheetnames[1]].iter_rows(min_row=2, values_only=True)] == [[str(today.year - 1), 1, 1, 0], [str(today.year + 1), 1, 0, 0]]
    page = get(admin, tool, "/dashboards/organisation")
    assert page.count("<img ") == 2
    get(admin, tool, "/dashboards/organisation?cohort=999999", 404)
    get(admin, tool, f"/dashboards/programme?cohort={course.id}")


def test_demo_plan_fills_the_organisation_dashboard(app, platform, tool):
    from tests.web.events_support import ADMIN
    from plugin.extensions import db
    from plugin.models import Course
    from plugin.models.base import utcnow
    from plugin.services import dashboards

    admin = new_browser(verify=False)
    launch(platform, admin, ADMIN, user_id="demo-admin", name="Ada Admin")
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.context_id == "course-1"))
        slugs = ["e-reputation", "collaboration-platforms"]
        assert dashboards.demo_plan(db.session, course.organisation_id, course.id, slugs, utcnow().date()) == 2
        assert dashboards.demo_plan(db.session, course.organisation_id, course.id, slugs, utcnow().date()) == 0
        db.session.commit()
    assert [r[1:] for r in _csv(admin, tool, "/dashboards/organisation/per_cohort.csv")] == [["2", "0", "0"]]
