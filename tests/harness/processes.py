"""Run ``tandem serve`` (gunicorn) as real processes for multi-worker tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    """Block until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout}s")


class TandemProcess:
    """``tandem serve`` in a child process, stopped (with all its workers) on exit."""

    def __init__(self, *, env: dict[str, str], workers: int = 2, tls: tuple[str, str] | None = None, port: int | None = None, log: Path | None = None) -> None:
        self.port = port or free_port()
        self.scheme = "https" if tls else "http"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        args = [sys.executable, "-c", "from plugin.cli import main; main()", "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        if tls:
            args += ["--certfile", tls[0], "--keyfile", tls[1]]
        self._args = args
        self._env = {**os.environ, **env}
        self._log = log
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> TandemProcess:
        out = open(self._log, "ab") if self._log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(self._args, env=self._env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.__exit__()
            raise
        return self

    def pids(self) -> list[int]:
        """The gunicorn master and its workers."""
        assert self.proc is not None
        result = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in result.stdout.split()]

    def __exit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None
