"""Operations: /healthz, /readyz and /metrics, the JSON request log and the request id that follows a launch to the platform.

Real launches from the test platform, a real sign-off, a real delivery over AGS and a real matching job; the
scrape is parsed with prometheus_client's own parser.
"""

from __future__ import annotations

import io
import json
import logging
import random
import re
import threading
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.harness.browser import new_browser
from tests.harness.platform import generate_rsa_key_pair
from tests.harness.requests_log import record_requests
from tests.web.programme_support import INSTRUCTOR, active_tandem, job_url_of, needs_for, post, seed_participants, wait_for_job

MODULE = "/modules/e-reputation/v1"


def scrape(app, **environ) -> dict[tuple[str, tuple], float]:
    """Every sample of a /metrics scrape, by (name, sorted labels)."""
    response = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1", **environ})
    assert response.status_code == 200, response.data[:300]
    assert response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_healthz_and_readyz_answer_anyone_without_a_session(app):
    client = app.test_client()
    health = client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert health.status_code == 200 and health.json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}  # no Redis configured here
    for response in (health, ready):
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
        assert response.headers["Cache-Control"] == "no-store"
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    # a well-formed incoming id is kept, anything else replaced
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-5f2b9c0e11aa"}).headers["X-Request-ID"] == "nginx-5f2b9c0e11aa"
    for bad in ("short", "has spaces in it", "x" * 200, "évènement-123456"):
        assert client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"] != bad


def test_readyz_says_when_the_schema_is_not_current(tmp_path):
    from flask_migrate import stamp

    from plugin import create_app

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test-secret-key-0123456789", "SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    never = client.get("/readyz")
    assert never.status_code == 503
    assert never.json["status"] == "unavailable" and never.json["checks"]["database"] == "ok"
    assert never.json["checks"]["migrations"].startswith("not migrated")
    readiness = app.extensions["tandem_ops"].readiness
    [head] = readiness.heads
    with app.app_context():
        stamp(revision="b670925897b4")  # the first migration
    time.sleep(1.05)  # an answer is kept a second
    behind = client.get("/readyz")
    assert behind.status_code == 503 and behind.json["checks"]["migrations"].startswith("not current: the database is at b670925897b4")
    with app.app_context():
        stamp(revision=head)
    assert client.get("/readyz").status_code == 503  # from the cache
    time.sleep(1.05)
    assert client.get("/readyz").status_code == 200


def test_metrics_are_refused_outside_the_allowed_networks_without_the_token(app, database_url, tmp_path):
    from plugin import create_app
    from plugin.config import ConfigError
    from tests.conftest import _config

    public = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert public.status_code == 403 and b"tandem_" not in public.data
    # behind nginx (the peer is 127.0.0.1) the client nginx names is what counts
    proxied = app.test_client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert proxied.status_code == 403
    token = "scrape-token-0123456789abcdef"
    guarded = create_app(_config(database_url, tmp_path / "guarded", TANDEM_METRICS_TOKEN=token, TANDEM_METRICS_ALLOW="10.0.0.0/8, fd00::/8"))
    client = guarded.test_client()
    assert client.get("/metrics").status_code == 403  # loopback is no longer on the list
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "fd00::1"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"}, environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 200
    for wrong in (f"Bearer {token}x", "Bearer ", token, f"Basic {token}"):
        assert client.get("/metrics", headers={"Authorization": wrong}, environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 403
    with pytest.raises(ConfigError, match="TANDEM_METRICS_ALLOW"):
        create_app(_config(database_url, tmp_path / "bad1", TANDEM_METRICS_ALLOW="10.0.0.0/8,localhost"))
    with pytest.raises(ConfigError, match="TANDEM_METRICS_TOKEN"):
        create_app(_config(database_url, tmp_path / "bad2", TANDEM_METRICS_TOKEN="short"))


def _sign(browser, tool, tandem_id: int, objective: str, criteria: int) -> None:
    fields = [("objective", objective), ("confirmed", "1"), *[("criterion", str(i)) for i in range(criteria)]]
    post(browser, tool, f"/tandems/{tandem_id}{MODULE}/sign", fields, token_from=f"/tandems/{tandem_id}{MODULE}")


def test_metrics_and_logs_follow_launches_scores_and_jobs(app, platform, tool):
    from lti.grades import sender_factory
    from plugin import outbox_policy
    from plugin.adapters import logs
    from plugin.extensions import db
    from plugin.services import outbox

    requests_seen = record_requests(platform)
    buffer = io.StringIO()
    handler = logs.configure("json", stream=buffer)  # the handler `tandem serve` installs
    try:
        # a launch carrying nginx's request id: it reaches the platform (the key fetch) and the log lines
        traced = new_browser(verify=False)
        traced.headers["X-Request-ID"] = "launch-trace-0001"
        result = platform.launch(traced, user_id="traced", roles=[INSTRUCTOR])
        assert result.response.status_code == 200 and result.response.headers["X-Request-ID"] == "launch-trace-0001"
        # a launch signed with a key the platform never published: refused
        stranger = new_browser(verify=False)
        refused = platform.launch(stranger, user_id="forger", sign_key=generate_rsa_key_pair()[0])
        assert refused.response.status_code == 400
    finally:
        logging.getLogger().removeHandler(handler)
    [jwks_fetch] = requests_seen.to("/jwks")
    assert jwks_fetch["headers"]["X-Request-Id"] == "launch-trace-0001"
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    traced_lines = [line for line in lines if line["request_id"] == "launch-trace-0001"]
    requests_logged = {line["endpoint"]: line for line in traced_lines if line["logger"] == "tandem.request"}
    assert set(requests_logged) == {"lti.login", "lti.launch"}  # the browser sent the id with both
    request_line = requests_logged["lti.launch"]
    assert {k: request_line[k] for k in ("level", "method", "path", "endpoint", "status")} == {"level": "info", "method": "POST", "path": "/lti/launch", "endpoint": "lti.launch", "status": 200}
    assert request_line["duration_ms"] > 0 and request_line["instance"] and isinstance(request_line["organisation_id"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", request_line["time"])
    assert any(line.get("event") == "lti.launch" for line in traced_lines)  # the launch's own event line has the same id
    assert result.id_token not in buffer.getvalue() and "Ada" not in json.dumps(request_line)
    assert any(line.get("event") == "lti.launch_rejected" and line.get("reason") == "bad_signature" for line in lines)

    # a tandem, a sign-off whose score waits (no delivery thread), then its delivery by a worker
    app.config["TANDEM_OUTBOX"] = "off"
    browsers, _person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    _sign(browsers["digital"], tool, tandem_id, "d1", 3)
    time.sleep(0.05)
    waiting = scrape(app)
    assert value(waiting, "tandem_score_outbox_pending") == 1
    assert value(waiting, "tandem_score_outbox_oldest_pending_age_seconds") > 0
    assert value(waiting, "tandem_score_outbox_rows", status="sent") == 0 and value(waiting, "tandem_score_outbox_rows", status="pending") == 1
    assert value(waiting, "tandem_metrics_database_up") == 1
    with app.app_context(), logs.bound("worker-test-0001"):
        ext = app.extensions["tandem_lti"]
        assert outbox.run_once(db.session, sender_factory(ext.http, ext.tokens)(db.session), outbox_policy(app)) == 1
    delivered = scrape(app)
    assert value(delivered, "tandem_score_outbox_pending") == 0
    assert value(delivered, "tandem_score_outbox_oldest_pending_age_seconds") == 0
    assert value(delivered, "tandem_score_outbox_rows", status="sent") == 1
    assert value(delivered, "tandem_score_delivery_attempts_total") == 1
    for service in ("/token", "/ags/"):
        calls = requests_seen.to(service)
        assert calls and all(call["headers"]["X-Request-Id"] == "worker-test-0001" for call in calls), service

    # a matching run, to its end
    rng = random.Random(11)
    seed_participants(app, [{"subject": f"pool-{side}", "side": side, "needs": needs_for(side, rng)} for side in ("digital_mentor", "senior_expert")])
    response = post(browsers["trainer"], tool, "/programme/match", {}, token_from="/programme")
    assert wait_for_job(browsers["trainer"], tool, job_url_of(response))[-1]["finished"]
    final = scrape(app)
    match_jobs = {labels: v for (name, labels), v in final.items() if name == "tandem_job_duration_seconds_count" and ("kind", "match") in labels}
    assert sum(match_jobs.values()) == 1
    [(labels, _count)] = match_jobs.items()
    assert value(final, "tandem_job_duration_seconds_bucket", **dict(labels), le="+Inf") == 1
    assert value(final, "tandem_job_duration_seconds_sum", **dict(labels)) > 0

    # launches by outcome and reason; latency per endpoint, method and status class
    assert value(final, "tandem_launches_total", outcome="accepted", reason="ok") == 4  # traced + trainer, digital, expert
    assert value(final, "tandem_launches_total", outcome="rejected", reason="bad_signature") == 1
    assert value(final, "tandem_http_request_duration_seconds_count", endpoint="lti.launch", method="POST", status="2xx") == 4
    assert value(final, "tandem_http_request_duration_seconds_count", endpoint="lti.launch", method="POST", status="4xx") == 1
    assert value(final, "tandem_http_request_duration_seconds_count", endpoint="ops.metrics", method="GET", status="2xx") == 2  # this scrape is counted after it answers
    assert value(final, "tandem_http_request_duration_seconds_bucket", endpoint="lti.launch", method="POST", status="2xx", le="+Inf") == 4


def test_metrics_trust_the_real_peer_not_a_forwarded_for_it_sent(app, database_url, tmp_path):
    from plugin import create_app
    from tests.conftest import _config

    client = app.test_client()
    # a client on the internet naming itself loopback (ProxyFix would take X-Forwarded-For as the address)
    spoofed = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert spoofed.status_code == 403 and b"tandem_" not in spoofed.data
    # scrapes come direct: a loopback peer relaying a forwarded request (nginx) is refused too, whoever it names
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert relayed.status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    token = "scrape-token-0123456789abcdef"
    guarded = create_app(_config(database_url, tmp_path / "guarded", TANDEM_METRICS_TOKEN=token))
    with_token = guarded.test_client().get(
        "/metrics", headers={"X-Forwarded-For": "198.51.100.7", "Authorization": f"Bearer {token}"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert with_token.status_code == 200  # through the proxy, the token still opens it
    # without ProxyFix (TANDEM_TRUST_PROXY=0) the peer is REMOTE_ADDR, and a forwarded header still closes it
    direct = create_app(_config(database_url, tmp_path / "direct", TANDEM_TRUST_PROXY=False)).test_client()
    assert direct.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 403
    assert direct.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403
    assert direct.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200


def test_latency_method_label_is_bounded(app):
    client = app.test_client()
    for method in ("BREW", "PROPFIND", "X" * 40):
        assert client.open("/healthz", method=method).status_code == 405
    client.options("/healthz")
    samples = scrape(app)
    methods = {dict(labels)["method"] for (name, labels) in samples if name == "tandem_http_request_duration_seconds_count"}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}, methods
    assert value(samples, "tandem_http_request_duration_seconds_count", endpoint="unmatched", method="other", status="4xx") == 3
    assert value(samples, "tandem_http_request_duration_seconds_count", endpoint="ops.healthz", method="OPTIONS", status="2xx") == 1


def test_outbox_rows_by_status_are_a_gauge(app):
    # rows change status (a resend or an erasure turns failed into superseded): a count of them can fall, so it is a gauge
    response = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    families = {family.name: family for family in text_string_to_metric_families(response.get_data(as_text=True))}
    assert "tandem_score_deliveries" not in families
    rows = families["tandem_score_outbox_rows"]
    assert rows.type == "gauge"
    assert {sample.labels["status"]: sample.value for sample in rows.samples} == {"pending": 0, "sent": 0, "failed": 0, "superseded": 0}
    assert families["tandem_score_delivery_attempts"].type == "counter"  # attempts only ever grow (rows are never deleted)


def test_logged_path_is_the_route_rule_not_the_values(app):
    from plugin.adapters import logs

    buffer = io.StringIO()
    handler = logs.configure("json", stream=buffer)
    try:
        client = app.test_client()
        client.get("/calendar/c.ics")  # the token "c" is in "calendar" too
        client.get("/calendar/secret-token-0123.ics?x=1")
        client.get("/tandems/4711")  # converters leave only the name
        client.get("/no/such/page")
    finally:
        logging.getLogger().removeHandler(handler)
    paths = [line["path"] for line in map(json.loads, buffer.getvalue().splitlines()) if line["logger"] == "tandem.request"]
    assert paths == ["/calendar/<token>.ics", "/calendar/<token>.ics", "/tandems/<tandem_id>", "/no/such/page"]
    assert "secret-token-0123" not in buffer.getvalue()


def test_text_log_request_line_names_method_path_status_and_duration(app):
    from plugin.adapters import logs

    buffer = io.StringIO()
    handler = logs.configure("text", stream=buffer)
    try:
        app.test_client().get("/healthz?probe=1", headers={"X-Request-ID": "text-log-0001"})
        logging.getLogger("tandem.lti").info("an ordinary line")
    finally:
        logging.getLogger().removeHandler(handler)
    request_line, ordinary = buffer.getvalue().splitlines()
    assert re.search(r" INFO tandem\.request \[text-log-0001\] request GET /healthz 200 \d+\.\d+ ms$", request_line), request_line
    assert ordinary.endswith("INFO tandem.lti [" + ordinary.split("[")[1].split("]")[0] + "] an ordinary line")


def _readiness_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "tandem-readiness" and thread.is_alive()]


@pytest.mark.postgresql_run  # lock_timeout is PostgreSQL's
def test_readyz_behind_a_lock_ends_its_check_instead_of_leaving_it_waiting(app, database_url):
    import sqlalchemy as sa

    time.sleep(1.1)  # past any cached answer
    holder = sa.create_engine(database_url)
    try:
        with holder.connect() as conn:
            conn.execute(sa.text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))  # the check's SELECT waits on it
            started = time.monotonic()
            response = app.test_client().get("/readyz")
            took = time.monotonic() - started
            assert response.status_code == 503 and response.json["checks"]["database"] != "ok" and took < 2.5, (response.json, took)
            time.sleep(0.5)
            assert _readiness_threads() == []  # lock_timeout ended the query: no thread left behind while the lock is held
            conn.rollback()
    finally:
        holder.dispose()
    time.sleep(1.1)
    assert app.test_client().get("/readyz").status_code == 200


def test_readyz_answers_from_a_one_second_cache(app):
    readiness = app.extensions["tandem_ops"].readiness
    first = readiness.check()
    assert first == ({"database": "ok", "migrations": "ok"}, True)
    assert all(readiness.check() is first for _ in range(20))  # a burst of probes: one check
    time.sleep(1.1)
    assert readiness.check() is not first
