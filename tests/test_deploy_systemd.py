"""deploy/systemd: every unit parses, runs a real `tandem` command, is hardened, and systemd-analyze accepts the set
(the compose, Dockerfile and env checks are in tests/test_deploy.py)."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_deploy import UNITS, build_tandem_cli, parse_tandem


@pytest.fixture(scope="module")
def tandem_cli(tmp_path_factory: pytest.TempPathFactory):
    return build_tandem_cli(tmp_path_factory.mktemp("instance"))


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(path.read_text(), source=str(path))
    return unit


SERVICES = {"tandem-web@.service": ["serve"], "tandem-worker.service": ["worker"], "tandem-migrate.service": ["db", "upgrade"]}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_systemd_unit_runs_a_real_tandem_command_hardened(name, tandem_cli):
    unit = read_unit(UNITS / name)
    assert {"Unit", "Service", "Install"} <= set(unit.sections())
    service = unit["Service"]
    argv = shlex.split(service["ExecStart"].replace("%i", "8001"))
    assert argv[0] == "/opt/tandem/bin/tandem"
    assert parse_tandem(tandem_cli, argv) == SERVICES[name]
    assert service["User"] == "tandem" and service["EnvironmentFile"] == "/etc/tandem/tandem.env"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/tandem" and service["CapabilityBoundingSet"] == ""
    if name == "tandem-migrate.service":
        assert service["Type"] == "oneshot"
    else:
        assert "tandem-migrate.service" in unit["Unit"]["Requires"].split() and "tandem-migrate.service" in unit["Unit"]["After"].split()
    if name == "tandem-web@.service":
        assert "--host 127.0.0.1 --port %i" in service["ExecStart"]


def test_systemd_target_groups_the_units():
    target = read_unit(UNITS / "tandem.target")
    assert {"tandem-migrate.service", "tandem-worker.service"} <= set(target["Unit"]["Wants"].split())
    for name in SERVICES:
        assert read_unit(UNITS / name)["Unit"]["PartOf"] == "tandem.target"


def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None or not Path("/lib/systemd/system/sysinit.target").exists():
        pytest.fail("systemd-analyze is missing: `apt-get install systemd` (Debian's package) gives it")
    # a root with the units, the system's own units and an executable /opt/tandem/bin/tandem
    (tmp_path / "etc/systemd").mkdir(parents=True)
    shutil.copytree(UNITS, tmp_path / "etc/systemd/system")
    shutil.copytree("/lib/systemd/system", tmp_path / "usr/lib/systemd/system", symlinks=True)
    (tmp_path / "etc/tandem").mkdir()
    (tmp_path / "etc/tandem/tandem.env").write_text("")
    for executable in ("opt/tandem/bin/tandem", "bin/kill"):
        (tmp_path / executable).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / executable).write_text("#!/bin/sh\n")
        (tmp_path / executable).chmod(0o755)
    units = ["tandem-web@8001.service", "tandem-worker.service", "tandem-migrate.service", "tandem.target"]
    result = subprocess.run([analyze, "verify", f"--root={tmp_path}", *units], cwd=tmp_path / "etc/systemd/system", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
