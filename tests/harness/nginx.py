"""Debian's nginx in front of Tandem, configured with the shipped ``deploy/nginx/tandem.conf.template``.

``render_tandem_conf`` fills the template's ``${NAME}`` placeholders (and nothing else: nginx's own
``$variables`` stay), so the configuration under test is the one a hosting team deploys. ``Nginx``
runs ``nginx -p <dir> -c <dir>/nginx.conf -g 'daemon off; pid ...;'`` as a child process on free ports,
with its error and access logs (the template's JSON ``tandem`` format) in that folder. Test-only
server blocks (the LMS site in front of the platform harness) go in ``extra_conf``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import string
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import plugin
from tests.harness.processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "tandem.conf.template"
STATIC_ROOT = Path(plugin.__file__).resolve().parent / "static"
PLACEHOLDERS = ("TANDEM_SERVER_NAME", "TANDEM_UPSTREAMS", "TANDEM_STATIC_ROOT", "TLS_CERT", "TLS_KEY", "LISTEN_HTTPS", "LISTEN_HTTP")


class _Template(string.Template):
    """Only ``${UPPER_CASE}`` is a placeholder; ``$host`` and every other nginx variable is text."""

    pattern = r"\$(?:(?P<escaped>(?!))|(?P<named>(?!))|\{(?P<braced>[A-Z][A-Z0-9_]*)\}|(?P<invalid>(?!)))"  # type: ignore[assignment]


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every ``${NAME}`` replaced; a missing value raises ``KeyError``."""
    return _Template(text).substitute(values)


def template_placeholders(text: str) -> set[str]:
    """The ``${NAME}`` placeholders ``text`` uses."""
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", text))


def nginx_binary() -> str:
    """Debian's nginx (``make nginx`` installs it)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        raise RuntimeError("nginx is not installed: `make nginx` (apt-get install nginx) installs it")
    return found


def upstream_lines(addresses: Sequence[str], options: str = "max_fails=1 fail_timeout=10s") -> str:
    """``server host:port ...;`` lines for ``${TANDEM_UPSTREAMS}``."""
    return "\n    ".join(f"server {address} {options};".replace("  ", " ") for address in addresses)


def render_tandem_conf(*, server_name: str, upstreams: Sequence[str], cert: str, key: str, https_port: int, http_port: int, static_root: Path = STATIC_ROOT) -> str:
    """The shipped template for a test: Tandem at ``server_name`` on 127.0.0.1's ``https_port``."""
    return render(
        TEMPLATE.read_text(encoding="utf-8"),
        {
            "TANDEM_SERVER_NAME": server_name,
            "TANDEM_UPSTREAMS": upstream_lines(upstreams),
            "TANDEM_STATIC_ROOT": str(static_root).rstrip("/"),
            "TLS_CERT": cert,
            "TLS_KEY": key,
            "LISTEN_HTTPS": f"127.0.0.1:{https_port} ssl",
            "LISTEN_HTTP": f"127.0.0.1:{http_port}",
        },
    )


def proxy_site(*, server_name: str, upstream: str, cert: str, key: str, https_port: int, locations: str = "") -> str:
    """A test-only HTTPS server block that proxies ``server_name`` to ``upstream`` (e.g. the platform harness);
    ``locations`` adds nginx ``location`` blocks of its own."""
    return f"""
server {{
    listen 127.0.0.1:{https_port} ssl;
    server_name {server_name};
    ssl_certificate {cert};
    ssl_certificate_key {key};
{locations}
    location / {{
        proxy_pass {upstream};
        proxy_set_header Host $host:$server_port;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 30s;
    }}
}}
"""


class Nginx:
    """nginx as a child process in ``directory`` on free ports; stopped (SIGQUIT, then SIGKILL) on exit."""

    def __init__(
        self,
        directory: Path,
        *,
        server_name: str,
        upstreams: Sequence[str],
        cert: str,
        key: str,
        extra_conf: str = "",
        workers: int = 1,
        https_port: int | None = None,
        http_port: int | None = None,
    ) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.https_port, self.http_port = https_port or free_port(), http_port or free_port()
        self.server_name = server_name
        self.url = f"https://{server_name}:{self.https_port}"
        self.access_log = self.dir / "access.log"
        self.error_log = self.dir / "error.log"
        self.tandem_conf = render_tandem_conf(server_name=server_name, upstreams=upstreams, cert=cert, key=key, https_port=self.https_port, http_port=self.http_port)
        (self.dir / "tandem.conf").write_text(self.tandem_conf, encoding="utf-8")
        (self.dir / "test-sites.conf").write_text(extra_conf, encoding="utf-8")
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / temp).mkdir(exist_ok=True)
        # Run as root when we are root (the folder is private to the test), else as ourselves.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(
            f"""{user}worker_processes {workers};
error_log {self.error_log} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    sendfile on;
    include {self.dir}/tandem.conf;
    include {self.dir}/test-sites.conf;
    access_log {self.access_log} tandem;
}}
""",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen | None = None

    def _args(self, *extra: str) -> list[str]:
        return [nginx_binary(), "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), *extra]

    def check(self) -> str:
        """``nginx -t`` on the configuration; returns its output, raises when it is invalid."""
        result = subprocess.run(self._args("-t", "-g", f"pid {self.dir}/nginx-t.pid;"), capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{result.stderr}")
        return result.stderr

    def __enter__(self) -> Nginx:
        self.check()
        self.proc = subprocess.Popen(
            self._args("-g", f"daemon off; pid {self.dir}/nginx.pid;"),
            stdout=open(self.dir / "stdout.log", "ab"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(self.https_port, timeout=15)
            wait_for_port(self.http_port, timeout=15)
        except TimeoutError:
            self.__exit__()
            raise RuntimeError(f"nginx did not start: {self.error_log.read_text() if self.error_log.exists() else ''}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGQUIT, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None

    def access_entries(self) -> list[dict]:
        """Every access-log line so far, parsed (the template's ``tandem`` JSON format)."""
        if not self.access_log.exists():
            return []
        entries = []
        for line in self.access_log.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entries.append(json.loads(line))
        return entries

    def wait_for_log(self, predicate, timeout: float = 5.0) -> list[dict]:  # noqa: ANN001 - a callable on one entry
        """Access-log entries matching ``predicate``, waiting a little for nginx to write them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.access_entries() if predicate(e)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)
