"""Several gunicorn workers (and several Tandem processes) share state, nonces and launch data."""

from __future__ import annotations

import time

import pytest

from tests.conftest import register_platform
from tests.harness.browser import follow, new_browser
from tests.harness.platform import TestPlatform
from tests.harness.processes import TandemProcess, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(params=["redis", "database"])
def store_env(request, database_url, tmp_path):
    env = {
        "TANDEM_DATABASE_URL": database_url,
        "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"),
        "TANDEM_SECRET_KEY": "shared-secret-key-for-all-workers",
        "TANDEM_HTTP_VERIFY": "0",
        "TANDEM_REDIS_URL": "",
    }
    if request.param == "redis":
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()
        env["TANDEM_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    return env


def test_login_on_one_process_launch_on_another(app, store_env, tls_cert):
    port_a = free_port()
    env = {**store_env, "TANDEM_BASE_URL": f"https://127.0.0.1:{port_a}"}
    with TandemProcess(env=env, workers=1, tls=tls_cert, port=port_a) as a, TandemProcess(env=env, workers=1, tls=tls_cert) as b:
        with TestPlatform(tool_base_url=a.url, tool_verify=False) as platform:
            register_platform(app, platform)
            browser = new_browser(verify=False)
            result = platform.launch(browser, submit=False)
            assert result.form_action.startswith(a.url)
            # Worker B validates what worker A stored at login.
            response = browser.post(b.url + "/lti/launch", data={"id_token": result.id_token, "state": result.state}, allow_redirects=False)
            assert response.status_code == 200, response.text[:300]
            # ...and worker A serves the page of B's launch; a replay on A is refused.
            home = browser.get(a.url + "/home")
            assert home.status_code == 200 and "Your mentoring programme" in home.text
            replay = browser.post(a.url + "/lti/launch", data={"id_token": result.id_token, "state": result.state}, allow_redirects=False)
            assert replay.status_code == 400


def test_two_workers_serve_many_launches_without_a_lost_state(app, store_env, tls_cert):
    port = free_port()
    env = {**store_env, "TANDEM_BASE_URL": f"https://127.0.0.1:{port}"}
    with TandemProcess(env=env, workers=2, tls=tls_cert, port=port) as tandem:
        deadline = time.monotonic() + 20
        while len(tandem.pids()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(tandem.pids()) == 3  # master + 2 workers
        with TestPlatform(tool_base_url=tandem.url, tool_verify=False) as platform:
            register_platform(app, platform)
            for i in range(20):
                browser = new_browser(verify=False)
                result = platform.launch(browser, user_id=f"user-{i}")
                assert result.response.status_code == 200, result.response.text[:300]
                assert follow(browser, result.response).status_code == 200
