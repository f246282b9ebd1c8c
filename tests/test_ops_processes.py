"""Operations with real processes: /readyz while a private PostgreSQL and a private Redis stop, hang and come back;
``tandem serve`` with two gunicorn workers whose counters add up in every scrape, JSON log lines, and ``tandem
worker`` sending its request id to the platform.

The PostgreSQL and Redis stopped here are private instances on free ports, started by this file (never the
shared ones). The readiness test needs no test database, so it runs in the SQLite run only; the ``tandem serve``
test is the production path (PostgreSQL) and runs in the PostgreSQL run only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import register_platform
from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform, generate_rsa_key_pair
from tests.harness.processes import TandemProcess, free_port
from tests.harness.requests_log import record_requests
from tests.web.programme_support import active_tandem, post

pytestmark = pytest.mark.slow

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MODULE = "/modules/e-reputation/v1"


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temporary folder, on a free port (trust authentication)."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="tandem-ops-pg-", dir="/tmp"))
        self.data = self.base / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"), *args]), check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._ctl("-w", "-o", f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._ctl("-w", "-m", "fast", "stop")

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def remove(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.base, ignore_errors=True)


class PrivateRedis:
    """A redis-server on a free port, without persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def _ready(client, fresh: bool = True) -> tuple[int, dict, float]:
    if fresh:
        time.sleep(1.05)  # past the answer readiness keeps a second
    started = time.monotonic()
    response = client.get("/readyz")
    return response.status_code, response.json, time.monotonic() - started


def _until_ready(client, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status, body, _ = _ready(client, fresh=False)
        if status == 200 or time.monotonic() > deadline:
            assert status == 200, body
            return body
        time.sleep(1.05)


@pytest.mark.sqlite_run  # private instances only: once is enough
def test_readyz_names_postgresql_or_redis_while_down_or_hung_and_recovers(tmp_path):
    if not (PG_BIN / "initdb").exists() or not shutil.which("redis-server"):
        pytest.fail("needs Debian's PostgreSQL 15 server binaries and redis-server (present where .ci/run runs)")
    from flask_migrate import stamp

    from plugin import create_app

    pg, cache = PrivatePostgres(), PrivateRedis()
    try:
        pg.start()
        cache.start()
        app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test-secret-key-0123456789", "SQLALCHEMY_DATABASE_URI": pg.url, "TANDEM_REDIS_URL": cache.url})
        with app.app_context():
            stamp()  # the schema's revision is the code's head
        client = app.test_client()
        assert _until_ready(client)["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}

        pg.stop()
        status, body, took = _ready(client)
        assert status == 503 and body["status"] == "unavailable", body
        assert body["checks"]["database"].startswith("unreachable") and body["checks"]["migrations"].startswith("unknown")
        assert body["checks"]["redis"] == "ok" and took < 2.5
        pg.start()
        _until_ready(client)

        cache.stop()
        status, body, took = _ready(client)
        assert status == 503 and body["checks"]["redis"].startswith("unreachable") and took < 2.5, body
        assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
        cache.start()
        _until_ready(client)

        # hung rather than down: the probe gives up in time instead of hanging with them
        for name, pid in (("redis", cache.proc.pid), ("database", pg.postmaster_pid())):
            os.kill(pid, signal.SIGSTOP)
            try:
                status, body, took = _ready(client)
            finally:
                os.kill(pid, signal.SIGCONT)
            assert status == 503 and body["checks"][name] != "ok" and took < 2.5, (name, body, took)
            _until_ready(client)
        with app.app_context():
            from plugin.extensions import db

            db.engine.dispose()
    finally:
        cache.stop()
        pg.remove()


# ---------------------------------------------------------------- tandem serve, two workers


def _scrape(url: str, ca: str) -> dict[tuple[str, tuple], float]:
    response = requests.get(url + "/metrics", verify=ca, timeout=10)  # a new connection: any worker answers
    assert response.status_code == 200, response.text[:300]
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in text_string_to_metric_families(response.text) for s in f.samples}


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.postgresql_run  # the production path
def test_serve_workers_add_up_in_every_scrape_and_the_worker_sends_its_id(app, database_url, tls_cert, tmp_path):
    port = free_port()
    env = {
        "TANDEM_DATABASE_URL": database_url,
        "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"),
        "TANDEM_SECRET_KEY": "shared-secret-key-for-all-workers",
        "TANDEM_HTTP_VERIFY": "0",
        "TANDEM_REDIS_URL": "",
        "TANDEM_OUTBOX": "off",
        "TANDEM_BASE_URL": f"https://127.0.0.1:{port}",
        "TANDEM_INSTANCE_NAME": "instance-a",
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),  # where gunicorn would put its control socket
    }
    (tmp_path / "run").mkdir()
    log = tmp_path / "serve.log"
    with TandemProcess(env=env, workers=2, tls=tls_cert, port=port, log=log) as tandem:
        deadline = time.monotonic() + 20
        while len(tandem.pids()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = set(tandem.pids()) - {tandem.proc.pid}
        assert len(workers) == 2
        with TestPlatform(tool_base_url=tandem.url, tool_verify=False) as platform:
            register_platform(app, platform)
            seen = record_requests(platform)
            browsers, _person, tandem_id = active_tandem(app, platform, tandem, agreement=True)  # three launches
            refused = platform.launch(new_browser(verify=False), user_id="forger", sign_key=generate_rsa_key_pair()[0])
            assert refused.response.status_code == 400
            for i in range(40):  # each on a new connection, so both workers answer some
                probe = requests.get(tandem.url + "/healthz", verify=tls_cert[0], timeout=10, headers={"X-Request-ID": f"probe-{i:04d}-0123"})
                assert probe.status_code == 200 and probe.headers["X-Request-ID"] == f"probe-{i:04d}-0123"
            fields = [("objective", "d1"), ("confirmed", "1"), *[("criterion", str(i)) for i in range(3)]]
            post(browsers["digital"], tandem, f"/tandems/{tandem_id}{MODULE}/sign", fields, token_from=f"/tandems/{tandem_id}{MODULE}")
            for _ in range(6):  # whichever worker answers, the counts are the whole server's
                samples = _scrape(tandem.url, tls_cert[0])
                assert _value(samples, "tandem_launches_total", outcome="accepted", reason="ok") == 3
                assert _value(samples, "tandem_launches_total", outcome="rejected", reason="bad_signature") == 1
                assert _value(samples, "tandem_http_request_duration_seconds_count", endpoint="ops.healthz", method="GET", status="2xx") == 40
                assert _value(samples, "tandem_score_outbox_pending") == 1
            probes = [line for line in _json_lines(log.read_text()) if str(line.get("request_id", "")).startswith("probe-")]
            assert len(probes) == 40 and {line["pid"] for line in probes} == workers  # both workers served, each line JSON
            assert all(line["instance"] == "instance-a" and line["path"] == "/healthz" and line["status"] == 200 for line in probes)

            # `tandem worker --once` delivers the score; its calls and its log lines carry its own id
            before = len(seen.requests)
            worker = subprocess.run(
                [sys.executable, "-c", "from plugin.cli import main; main()", "worker", "--once"],
                env={**os.environ, **env, "TANDEM_INSTANCE_PATH": str(tmp_path / "worker")},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert worker.returncode == 0, worker.stderr[-2000:]
            [sent] = [line for line in _json_lines(worker.stderr) if line.get("logger") == "tandem.outbox" and "-> sent" in line.get("message", "")]
            worker_id = sent["request_id"]
            assert worker_id.startswith("worker-")
            calls = seen.requests[before:]
            assert any("/token" in c["path"] for c in calls) and any("/scores" in c["path"] for c in calls)
            assert all(c["headers"].get("X-Request-Id") == worker_id for c in calls)
            after = _scrape(tandem.url, tls_cert[0])
            assert _value(after, "tandem_score_outbox_pending") == 0
            assert _value(after, "tandem_score_outbox_rows", status="sent") == 1
        # gunicorn (25.1+) starts its control socket once the workers run: none, two `tandem serve` would share it
        assert list((tmp_path / "run").iterdir()) == []
    with app.app_context():
        from plugin.extensions import db

        assert db.session.scalar(sa.text("select count(*) from score_outbox where status = 'sent'")) == 1
