"""The production path: Debian's nginx with the shipped ``deploy/nginx/tandem.conf.template`` in front of
two ``tandem serve`` instances and one ``tandem worker`` each, on PostgreSQL and Redis, with the LMS on
another site (``https://lms.test``, the platform harness) than Tandem (``https://tandem.test``).

Which run: the stack always runs on PostgreSQL and Redis (a fresh database and a free Redis index of its
own), whatever ``TANDEM_TEST_DATABASE`` says, so the module runs once, in the SQLite run of ``make test``
(the only run with browser tests). The PostgreSQL run deselects it (conftest: no ``database_url``
fixture), as it would start the same stack again and add nothing.
"""

from __future__ import annotations

import html
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.harness.platform import ROLE_INSTRUCTOR, ROLE_LEARNER
from tests.harness.production import NAMES, ProductionStack
from tests.harness.sites import chromium_args

pytestmark = pytest.mark.slow

PG_ADMIN_URL = os.environ.get("TANDEM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MODULE = "/modules/e-reputation/v1"
DIGITAL = {"d1": 3, "d2": 3, "d3": 4, "d4": 2}  # what the digital mentor signs (the senior expert learned it)
EXPERTISE = {"e1": 3, "e2": 3, "e3": 3, "e4": 2}
CHROMIUM = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with ProductionStack(tmp_path_factory.mktemp("production"), pg_admin_url=PG_ADMIN_URL, instances=2, web_workers=2) as running:
        yield running


def _since(stack, mark: float, host: str = "tandem.test") -> list[dict]:
    return [e for e in stack.nginx.access_entries() if e["msec"] >= mark and e["host"] == host]


def _token(browser, url: str) -> str:
    page = browser.get(url)
    assert page.status_code == 200, (url, page.status_code, page.text[:300])
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def _post(browser, url: str, fields: list[tuple[str, str]], token_from: str, status: int = 303):
    response = browser.post(url, data=[*fields, ("csrf_token", _token(browser, token_from))], allow_redirects=False)
    assert response.status_code == status, (url, response.status_code, html.unescape(response.text)[:800])
    return response


def _launch(stack, user_id: str, role: str = ROLE_LEARNER, name: str | None = None):
    browser = stack.browser()
    result = stack.platform.launch(browser, user_id=user_id, roles=[role], name=name or f"Person {user_id}")
    assert result.response is not None and result.response.status_code == 200, (result.response.status_code if result.response is not None else None)
    return browser


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# ---------------------------------------------------------------- the configuration itself


def test_the_shipped_configuration_terminates_tls_redirects_http_and_serves_static_files(stack):
    import requests

    browser = stack.browser()
    css = browser.get(stack.url + "/static/css/tandem.css")
    assert css.status_code == 200 and css.headers["Cache-Control"] == "public, max-age=3600" and "ETag" in css.headers
    assert browser.get(stack.url + "/metrics").status_code == 403  # Prometheus scrapes the instances, not the public site
    plain = requests.get(f"http://tandem.test:{stack.http_port}/lti/jwks?x=1", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"] == "https://tandem.test/lti/jwks?x=1"
    foreign = requests.get(f"http://tandem.test:{stack.http_port}/lti/jwks", headers={"Host": "evil.example"}, allow_redirects=False, timeout=10)
    assert foreign.status_code == 301 and foreign.headers["Location"] == "https://tandem.test/lti/jwks"  # never to the Host a client sent
    jwks = browser.get(stack.url + "/lti/jwks")
    assert jwks.status_code == 200 and jwks.json()["keys"]
    request_id = jwks.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id ...
    logs = lambda: "".join(i.log.read_text(encoding="utf-8", errors="replace") for i in stack.instances)  # noqa: E731
    _wait(lambda: f'"request_id": "{request_id}"' in logs(), 10, "the request id in an instance's log")  # ... is the instance's too
    assert jwks.headers["Strict-Transport-Security"].startswith("max-age=")
    # X-Forwarded-Proto/Host/Port: behind nginx Tandem knows its public URL (no TANDEM_BASE_URL is set)
    login = browser.post(stack.url + "/lti/login", data={"iss": stack.platform.issuer, "login_hint": "u", "target_link_uri": stack.url + "/lti/launch", "client_id": stack.platform.client_id}, allow_redirects=False)
    assert login.status_code == 302
    assert f"redirect_uri={quote(stack.url + '/lti/launch', safe='')}" in login.headers["Location"]
    assert "Secure" in login.headers["Set-Cookie"] and "Partitioned" in login.headers["Set-Cookie"]


# ---------------------------------------------------------------- a) the launch in the LMS iframe


@pytest.fixture(scope="module")
def chromium():
    """(playwright, browser) in a Playwright thread of this module's own (the browser tests' session Playwright
    may run in the same pytest worker): a test hands its browser part to ``chromium.run``."""
    from tests.harness.playwright_thread import PlaywrightThread

    def setup(pw):
        # Third-party cookies as Chrome ships them from now on: unpartitioned ones blocked, CHIPS allowed.
        return pw, pw.chromium.launch(executable_path="/usr/bin/chromium", args=[*CHROMIUM, *chromium_args(NAMES), "--test-third-party-cookie-phaseout"])

    runner = PlaywrightThread(setup, lambda tools: tools[1].close(), name="playwright-production")
    yield runner
    runner.close()


def _tool_frame(page, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame.url.startswith("https://tandem.test:") and "/lti/login" not in frame.url:
                return frame
        time.sleep(0.05)
    raise AssertionError(f"no Tandem frame: {[f.url for f in page.frames]}")


@pytest.mark.browser
def test_a_launch_in_the_lms_iframe_logs_in_on_one_instance_and_launches_on_the_other(stack, chromium):
    chromium.run(lambda tools: _launch_in_the_iframe_across_instances(stack, tools[1]))


def _launch_in_the_iframe_across_instances(stack, browser) -> None:
    crossed = None
    for attempt in range(4):
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        mark = time.time()
        welcome = f"Welcome, Iris Frame{attempt}."
        page.goto(stack.platform.course_page_url(user_id=f"iframe-{attempt}", name=f"Iris Frame{attempt}", roles=[ROLE_LEARNER]))
        frame = _tool_frame(page)
        frame.get_by_text(welcome).wait_for(timeout=20_000)
        assert page.url.startswith(stack.lms_url + "/course")  # the top level stayed on the LMS: a cross-site iframe
        # the session cookie came back inside the iframe: a second page of Tandem in the frame is signed in
        frame.goto(stack.url + "/home")
        assert welcome in frame.locator("body").inner_text()
        cookies = {c["name"]: c for c in context.cookies(stack.url)}
        assert cookies["tandem_session"]["sameSite"] == "None" and cookies["tandem_session"]["secure"]
        assert cookies["tandem_session"].get("partitionKey", "").startswith("https://lms.test")
        # the browser really partitions: an unpartitioned third-party cookie is refused, a partitioned one kept
        probe = frame.evaluate(
            "() => { document.cookie = 'plain=1; SameSite=None; Secure'; document.cookie = 'chips=1; SameSite=None; Secure; Partitioned';"
            " return document.cookie; }"
        )
        assert "chips=1" in probe and "plain=1" not in probe
        served = {e["uri"].split("?")[0]: e for e in _since(stack, mark) if e["uri"].startswith("/lti/")}
        assert served["/lti/login"]["status"] == 302 and served["/lti/launch"]["status"] == 200
        context.close()
        if served["/lti/login"]["upstream"] != served["/lti/launch"]["upstream"]:
            crossed = (served["/lti/login"]["upstream"], served["/lti/launch"]["upstream"])
            break
    assert crossed is not None, "nginx never sent a login and its launch to different instances"
    assert {stack.upstream_of(a).name for a in crossed} == {"a", "b"}


@pytest.mark.browser
def test_a_browser_refusing_every_cookie_in_the_iframe_completes_the_launch_in_a_new_window(stack, chromium, tmp_path):
    chromium.run(lambda tools: _launch_refusing_cookies(stack, tools[0], tmp_path))


def _launch_refusing_cookies(stack, pw, tmp_path) -> None:
    from tests.harness.sites import cookie_blocking_profile

    context = pw.chromium.launch_persistent_context(
        str(cookie_blocking_profile(tmp_path / "profile", blocked="tandem.test", embedder="lms.test")),
        executable_path="/usr/bin/chromium",
        args=[*CHROMIUM, *chromium_args(NAMES)],
        ignore_https_errors=True,
    )
    try:
        page = context.new_page()
        mark = time.time()
        page.goto(stack.platform.course_page_url(user_id="no-cookies", name="Nora Nocookie", roles=[ROLE_LEARNER]))
        frame = _tool_frame(page)
        link = frame.get_by_role("link", name=re.compile("Open Tandem in a new window"))
        link.wait_for()
        # the frame kept no cookie at all, not even a partitioned one
        assert frame.evaluate("() => { document.cookie = 'chips=1; SameSite=None; Secure; Partitioned'; return document.cookie; }") == ""
        assert [e["status"] for e in _since(stack, mark) if e["uri"] == "/lti/launch"] == [403]  # cookies_blocked
        with context.expect_page() as opened:
            link.click()
        window = opened.value
        _wait(lambda: "Welcome, Nora Nocookie." in window.locator("body").inner_text(), 20, "the launch in the new window")
        assert window.url.startswith(stack.url)  # a top-level Tandem window: its cookies are first-party
        window.goto(stack.url + "/home")
        assert "Welcome, Nora Nocookie." in window.locator("body").inner_text()
        assert [e["status"] for e in _since(stack, mark) if e["uri"] == "/lti/launch"] == [403, 200]
    finally:
        context.close()


# ---------------------------------------------------------------- b) sign-offs while a worker dies


def _seed_tandems(stack, pairs: int) -> list[tuple[dict, int]]:
    """A programme with ``pairs`` active tandems whose members launched through nginx; agreements signed."""
    from plugin.extensions import db
    from plugin.models import Agreement, Participant, Person, Programme, Tandem
    from plugin.models.base import utcnow

    tool = SimpleNamespace(url=stack.url)
    trainer = _launch(stack, "prod-trainer", ROLE_INSTRUCTOR, "Tess Trainer")
    setup = {"matching_mode": "trainer", "shared_language": "y", "no_reporting_line": "y", "exclude_earlier": "y", "default_capacity": "1", "max_capacity": "3"}
    _post(trainer, tool.url + "/programme/setup", list(setup.items()), token_from=tool.url + "/programme/setup")
    with ThreadPoolExecutor(8) as pool:
        browsers = dict(zip([f"{side}-{i}" for i in range(pairs) for side in ("digital", "expert")], pool.map(lambda s: _launch(stack, s), [f"{side}-{i}" for i in range(pairs) for side in ("digital", "expert")]), strict=True))
    app = stack.app
    out = []
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        ids = dict(db.session.execute(sa.select(Person.subject, Person.id)).all())
        now = utcnow()
        for i in range(pairs):
            digital, expert = ids[f"digital-{i}"], ids[f"expert-{i}"]
            for person, side in ((digital, "digital_mentor"), (expert, "senior_expert")):
                db.session.add(Participant(programme_id=programme.id, person_id=person, side=side, languages=["en"], capacity=1, needs={}, goals="", wishes=[], vetoes=[], profile_saved_at=now))
            tandem = Tandem(organisation_id=programme.organisation_id, programme_id=programme.id, digital_person_id=digital, expert_person_id=expert, score=800, explanation={}, status="active", digital_response="accepted", expert_response="accepted", published_at=now)
            db.session.add(tandem)
            db.session.flush()
            signed = [{"person_id": digital, "at": now.isoformat()}, {"person_id": expert, "at": now.isoformat()}]
            db.session.add(Agreement(tandem_id=tandem.id, goals="Learn from each other", cadence="monthly", duration_minutes=60, confidentiality="What we share stays between us.", signatures=signed))
            out.append(({"digital": browsers[f"digital-{i}"], "expert": browsers[f"expert-{i}"]}, tandem.id))
        db.session.commit()
    return out


def _outbox_rows(stack) -> list[tuple]:
    from plugin.extensions import db
    from plugin.models import ScoreOutbox

    with stack.app.app_context():
        rows = [tuple(r) for r in db.session.execute(sa.select(ScoreOutbox.person_id, ScoreOutbox.score_given, ScoreOutbox.status))]
        db.session.rollback()
    return rows


def test_200_sign_offs_through_both_instances_while_a_worker_is_killed_arrive_exactly_once_each(stack):
    tandems = _seed_tandems(stack, 25)
    slots = [(signer, objective, criteria) for signer, track in (("digital", DIGITAL), ("expert", EXPERTISE)) for objective, criteria in track.items()]
    # tandem after tandem for each objective: requests at the same moment are for different tandems
    jobs = [(browsers[signer], tandem_id, objective, criteria) for signer, objective, criteria in slots for browsers, tandem_id in tandems]
    assert len(jobs) == 200
    done = []
    lock = threading.Lock()

    def sign(job) -> None:
        browser, tandem_id, objective, criteria = job
        page = f"{stack.url}/tandems/{tandem_id}{MODULE}"
        _post(browser, page + "/sign", [("objective", objective), ("confirmed", "1"), *[("criterion", str(i)) for i in range(criteria)]], token_from=page)
        with lock:
            done.append(job)

    mark = time.time()
    victim = stack.instances[0]
    killer_done = threading.Event()

    def kill_and_restart() -> None:
        _wait(lambda: len(done) >= 60, 120, "60 sign-offs")
        victim.kill_worker()  # SIGKILL, whatever it was doing (claimed scores stay leased until the lease ends)
        _wait(lambda: len(done) >= 120, 120, "120 sign-offs")
        victim.start_worker()
        killer_done.set()

    killer = threading.Thread(target=kill_and_restart, daemon=True)
    killer.start()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(sign, jobs))
    killer.join(60)
    assert killer_done.is_set()
    signed_on = {e["upstream"] for e in _since(stack, mark) if e["method"] == "POST" and e["uri"].endswith("/sign") and e["status"] == 303}
    assert signed_on == {i.address for i in stack.instances}  # both instances took sign-offs

    platform = stack.platform
    learners = [f"{side}-{i}" for i in range(25) for side in ("digital", "expert")]

    def final_scores() -> bool:
        by_user = {}
        for score in list(platform.scores):
            by_user.setdefault(str(score["userId"]), []).append(score)
        return all(by_user.get(u) and by_user[u][-1]["scoreGiven"] == 100 for u in learners)

    _wait(final_scores, 90, "every learner's score of 100")
    _wait(lambda: not [r for r in _outbox_rows(stack) if r[2] in ("pending", "failed", "sending")], 30, "an empty outbox")
    by_user: dict[str, list[dict]] = {}
    for score in platform.scores:
        by_user.setdefault(str(score["userId"]), []).append(score)
    assert set(by_user) == set(learners)
    for user, scores in by_user.items():
        values = [s["scoreGiven"] for s in scores]
        assert values == sorted(set(values)) and values[-1] == 100, (user, values)  # each value once, in order
        assert set(values) <= {25, 50, 75, 100}
    statuses = {r[2] for r in _outbox_rows(stack)}
    assert statuses <= {"sent", "superseded"}, statuses


# ---------------------------------------------------------------- c) load, and an instance killed under it


def test_a_minute_of_launches_and_page_views_at_16_clients_survives_an_instance_killed_under_it(stack):
    from tests.harness.load import LoadRun

    run = LoadRun(stack, clients=16, seconds=60.0, kill_at=40.0, kill=stack.instances[1])
    run.run()
    report = run.report()
    assert report.before_kill_errors == 0, report
    assert report.operations_before_kill > 50, report
    # at most the requests in flight on the killed instance fail; nginx sends the rest to the survivor
    assert report.after_kill_errors <= report.in_flight_on_killed, report
    assert report.survivor_successes_after_kill > 20, report
    assert report.killed_requests_after_kill == 0 and report.server_errors_after_failover == 0, report
    print(report)
