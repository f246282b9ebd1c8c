"""The ``tandem`` command as an administrator uses it: one clear line on error, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

GOOD = [
    "--issuer", "https://lms.example.org",
    "--client-id", "client-1",
    "--deployment-id", "1",
    "--auth-url", "https://lms.example.org/mod/lti/auth.php",
    "--token-url", "https://lms.example.org/mod/lti/token.php",
    "--jwks-url", "https://lms.example.org/mod/lti/certs.php",
]


def _counts(app) -> tuple[int, int, int]:
    from plugin.extensions import db
    from plugin.models import Deployment, Organisation, Registration

    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Organisation, Registration, Deployment))


def _replace(args: list[str], option: str, value: str | None) -> list[str]:
    out = list(args)
    i = out.index(option)
    if value is None:
        del out[i : i + 2]
    else:
        out[i + 1] = value
    return out


def test_platform_add_and_list(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["platform", "add", *GOOD, "--organisation", "Acme"])
    assert result.exit_code == 0, result.output
    assert _counts(app) == (1, 1, 1)
    again = runner.invoke(args=["platform", "add", "--issuer", "https://lms.example.org", "--client-id", "client-1", "--deployment-id", "2"])
    assert again.exit_code == 0, again.output
    assert _counts(app) == (1, 1, 2)
    listing = runner.invoke(args=["platform", "list"])
    assert "client-1" in listing.output and "1, 2" in listing.output and "Acme" in listing.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(_replace(GOOD, "--auth-url", "not a url"), "auth_url must be an http(s) URL", id="malformed-auth-url"),
        pytest.param(_replace(GOOD, "--issuer", "ftp://lms.example.org"), "issuer must be an http(s) URL", id="malformed-issuer"),
        pytest.param(_replace(GOOD, "--jwks-url", "https//nohost"), "jwks_url must be an http(s) URL", id="malformed-jwks-url"),
        pytest.param(_replace(GOOD, "--issuer", None), "--issuer is required", id="missing-issuer"),
        pytest.param(_replace(GOOD, "--deployment-id", None), "--deployment-id is required", id="missing-deployment"),
        pytest.param(_replace(GOOD, "--token-url", None), "--token-url is required for a new registration", id="missing-token-url"),
    ],
)
def test_platform_add_rejects_bad_input_and_writes_nothing(app, args, message):
    result = app.test_cli_runner().invoke(args=["platform", "add", *args])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"tandem: error: {message}"] or (len(lines) == 1 and message in lines[0]), result.output
    assert _counts(app) == (0, 0, 0)


def test_platform_add_duplicate_is_refused_and_changes_nothing(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["platform", "add", *GOOD]).exit_code == 0
    before = _counts(app)
    result = runner.invoke(args=["platform", "add", *GOOD])
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == ["tandem: error: deployment '1' of https://lms.example.org / client-1 is registered already"]
    other_endpoints = _replace(_replace(GOOD, "--deployment-id", "9"), "--token-url", "https://elsewhere.example.org/token")
    result = runner.invoke(args=["platform", "add", *other_endpoints])
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1
    assert _counts(app) == before


def _tandem(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from plugin.cli import main; main()", *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TANDEM_DATABASE_URL": "mysql://db/tandem"}, "TANDEM_DATABASE_URL must be sqlite or postgresql"),
        ({"TANDEM_DATABASE_URL": "::not a url::"}, "TANDEM_DATABASE_URL is not a database URL"),
        ({"TANDEM_BASE_URL": "tandem.example.org"}, "TANDEM_BASE_URL must be an http(s) URL"),
        ({"TANDEM_REDIS_URL": "http://127.0.0.1:6379"}, "TANDEM_REDIS_URL must start with redis://"),
        ({"TANDEM_SECRET_KEY": "short"}, "TANDEM_SECRET_KEY must be at least 16 characters long"),
    ],
)
def test_invalid_configuration_fails_at_start_with_one_line(tmp_path, env, message):
    result = _tandem("platform", "list", env={"TANDEM_INSTANCE_PATH": str(tmp_path), **env})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"tandem: error: {result.stderr.strip().split('tandem: error: ')[1]}"]
    assert message in result.stderr


def test_secret_key_is_generated_once_and_kept(tmp_path):
    env = {"TANDEM_INSTANCE_PATH": str(tmp_path), "TANDEM_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    env.pop("TANDEM_SECRET_KEY", None)
    _tandem("db", "upgrade", env=env)
    key = (tmp_path / "secret_key").read_text()
    _tandem("platform", "list", env=env)
    assert (tmp_path / "secret_key").read_text() == key and len(key) >= 32
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
