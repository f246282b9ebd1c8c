"""Outgoing HTTP: every call has a timeout and says who is calling (Canvas refuses calls without a User-Agent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

USER_AGENT = "Tandem-LTI/0.1 (+two-way mentoring tool)"
REQUEST_ID_HEADER = "X-Request-ID"

#: the id of the work in progress (the web request, the worker), sent with every call so the platform's logs
#: and Tandem's meet; set by the composition root (``plugin.adapters.logs.current_id``)
_request_id: Callable[[], str | None] = lambda: None


def use_request_ids(source: Callable[[], str | None]) -> None:
    """Send ``source()`` as ``X-Request-ID`` with every outgoing call (token, AGS, NRPS, JWKS, registration)."""
    global _request_id
    _request_id = source


class PlatformSession(requests.Session):
    """A requests session whose every request gets a default timeout, Tandem's User-Agent and the current request id."""

    def __init__(self, timeout: float = 5.0, verify: bool | str = True) -> None:
        super().__init__()
        self.timeout = timeout
        self.verify = verify
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        request_id = _request_id()
        if request_id:
            kwargs["headers"] = {REQUEST_ID_HEADER: request_id, **(kwargs.get("headers") or {})}
        return super().request(method, url, *args, **kwargs)
