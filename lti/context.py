"""What every LTI endpoint shares: the LTI extension of the running app, Tandem's public URL, the log line.

Its own module so that the endpoint modules (``routes``, ``deep_linking``, ``dynreg``) import it and never
each other in a circle.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import current_app, request

log = logging.getLogger("tandem.lti")


def ext() -> Any:
    """The :class:`lti.LtiExtension` of the running app."""
    return current_app.extensions["tandem_lti"]


def base_url() -> str:
    """Tandem's public URL: TANDEM_BASE_URL, else what the request (through ProxyFix) says."""
    return current_app.config.get("TANDEM_BASE_URL") or request.host_url.rstrip("/")


def log_event(event: str, **fields: Any) -> None:
    """One structured log line (JSON) for an LTI event."""
    log.info(json.dumps({"event": event, **fields}, default=str, sort_keys=True))
