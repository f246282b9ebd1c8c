"""Record the headers of every request a harness server receives (the test platform's token, AGS, NRPS, JWKS calls).

Wraps the WSGI app a :class:`tests.harness.platform.TestPlatform` serves, without changing the platform:
``log = record_requests(platform)`` after ``platform.start()``; ``log.requests`` then lists, in order,
``{"method", "path", "headers"}`` of each request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any


class RequestLog:
    """A WSGI middleware that keeps each request's method, path and headers."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")}
        with self._lock:
            self.requests.append({"method": environ["REQUEST_METHOD"], "path": environ.get("PATH_INFO", ""), "headers": headers})
        return self.app(environ, start_response)

    def to(self, path_part: str) -> list[dict[str, Any]]:
        """The requests whose path contains ``path_part``."""
        with self._lock:
            return [r for r in self.requests if path_part in r["path"]]


def record_requests(platform: Any) -> RequestLog:
    """Start recording what ``platform`` (a started TestPlatform) receives."""
    server = platform._server  # the platform's WSGIServerThread reads its ``app`` on every request
    if server is None:
        raise RuntimeError("start the platform first")
    log = RequestLog(server.app)
    server.app = log
    return log
