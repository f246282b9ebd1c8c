"""Outgoing HTTP: every call has a timeout and says who is calling (Canvas refuses calls without a User-Agent)."""

from __future__ import annotations

from typing import Any

import requests

USER_AGENT = "Tandem-LTI/0.1 (+two-way mentoring tool)"


class PlatformSession(requests.Session):
    """A requests session whose every request gets a default timeout and Tandem's User-Agent."""

    def __init__(self, timeout: float = 5.0, verify: bool | str = True) -> None:
        super().__init__()
        self.timeout = timeout
        self.verify = verify
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)
